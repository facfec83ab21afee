"""The region's indicators from its cases and rechecks: the data for `app.analytics.indicators`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from app import lazy
from app.analytics.indicators import Indicators, region_indicators
from app.extensions import db
from app.models.case import Campaign, Case, Category
from app.models.org import Organisation, OrgKind
from app.models.stage import RecheckWork

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")


def _schools(region: Organisation) -> pd.DataFrame:
    municipality = sa.orm.aliased(Organisation)
    rows = db.session.execute(
        sa.select(Organisation.login, Organisation.name, municipality.name)
        .outerjoin(municipality, municipality.id == Organisation.municipality_id)
        .where(Organisation.kind == OrgKind.SCHOOL, Organisation.region_id == region.id)
    ).all()
    frame = pd.DataFrame(rows, columns=["login", "name", "municipality"])
    frame["municipality"] = frame["municipality"].fillna(_("Schools under the ministry"))
    return frame


def _listed(region: Organisation) -> pd.DataFrame:
    rows = db.session.execute(
        sa.select(Campaign.vpr_year, Organisation.login, Case.markers, Case.regional_markers)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .join(Organisation, Organisation.id == Case.school_id)
        .where(Campaign.region_id == region.id, Case.category == Category.OBJECTIVITY)
    ).all()
    return pd.DataFrame(
        [
            (int(year), login, any((markers or {}).values()), any((regional or {}).values()))
            for year, login, markers, regional in rows
        ],
        columns=["year", "login", "federal", "regional"],
    )


def _rechecks(region: Organisation) -> pd.DataFrame:
    rows = db.session.execute(
        sa.select(
            Campaign.vpr_year, Organisation.login, RecheckWork.mark_school, RecheckWork.mark_recheck
        )
        .join(Case, Case.id == RecheckWork.case_id)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .join(Organisation, Organisation.id == Case.school_id)
        .where(Campaign.region_id == region.id, RecheckWork.mark_recheck.is_not(None))
    ).all()
    return pd.DataFrame(
        [(int(y), login, school == expert) for y, login, school, expert in rows],
        columns=["year", "login", "confirmed"],
    )


def indicators(region: Organisation) -> Indicators:
    """The region's indicators over every year of its lists."""
    return region_indicators(_schools(region), _listed(region), _rechecks(region))
