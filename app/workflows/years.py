"""Years on the list: how many consecutive years a school has been flagged in a category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from app.extensions import db
from app.models.case import Campaign, Case, Category

CONTRACT_REVIEW_YEARS = 3


def consecutive_runs(years: Iterable[int]) -> dict[int, int]:
    """For each year, the length of the run of consecutive years ending with it."""
    run: dict[int, int] = {}
    for year in sorted(set(years)):
        run[year] = run.get(year - 1, 0) + 1
    return run


def recompute(school_ids: Iterable[int], category: Category) -> list[Case]:
    """Refresh years_on_list of every case of these schools on the track, and the
    contract-review mark (repeated non-objectivity only); returns the cases whose years
    changed."""
    changed: list[Case] = []
    ids = sorted(set(school_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.session.execute(
            sa.select(Case, Campaign.vpr_year)
            .join(Campaign, Campaign.id == Case.campaign_id)
            .where(Case.school_id.in_(chunk), Case.category == category)
        ).all()
        years: dict[int, list[int]] = defaultdict(list)
        for case, year in rows:
            years[case.school_id].append(year)
        runs = {school: consecutive_runs(ys) for school, ys in years.items()}
        for case, year in rows:
            n = runs[case.school_id][year]
            if case.years_on_list != n:
                case.years_on_list = n
                changed.append(case)
            review = category is Category.OBJECTIVITY and n >= CONTRACT_REVIEW_YEARS
            if case.contract_review != review:
                case.contract_review = review
    db.session.flush()
    return changed
