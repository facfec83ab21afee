"""The national directory of the load benchmark: 85 regions, their municipalities and 40,000
schools, users of every role and three campaigns a region, each with its plan made from the default
templates, plus the COPY helper every table uses. ``Size`` scales all of it down for a quick run.

Ids are assigned here rather than by the sequences so that the rows can be written with COPY;
the sequences are moved past them afterwards (``reset_sequences``).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app import names
from app.demo import names as demo_names
from app.models.plan import Plan, PlanMeasure
from app.plans import measures as m
from app.plans.service import export
from app.plans.templates import DEFAULT, TEMPLATES
from app.workflows.campaigns import campaign_title
from bench import national_names as nn

# The role acting for each level in the benchmark's organisations: it has no institutes and no
# methodological centres, so their levels fall to the ministry and the municipality as in
# app.workflows.derive.org_of_level.
LEVEL_ROLE = {
    "school": "school",
    "leader_school": "school",
    "method_centre": "municipal",
    "municipality": "municipal",
    "institute": "ministry",
    "region": "ministry",
}
SCHOOLS = 40_000
CASES_PER_YEAR = 6000
VERSIONS = 100_000
TOTAL_EVENTS = 1_000_000
YEARS = (2024, 2025, 2026)
DOMAIN = "oko.bench"
PASSWORD = "oko-bench-2026"  # noqa: S105 -- the published password of the benchmark accounts
CREATED = datetime(2023, 9, 1, 6, tzinfo=UTC)
SCHOOLS_PER_MUNICIPALITY = 17
# The reason create_plan() keeps with a plan's first version (in Russian, as the ministry sees it).
PLAN_REASON = "Составлен по шаблонам: {keys}."
MEASURE_COLUMNS = (
    "id",
    "plan_id",
    "key",
    "position",
    "number",
    "title",
    "result",
    "responsible",
    "reviewers",
    "tracks",
    "levels",
    "min_years",
    "school_kinds",
    "scope",
    "takes",
    "milestone",
    "seed",
    "required",
    "date_kind",
    "due_on",
    "starts_on",
    "days",
    "after_key",
    "inclusive",
    "monthly_rule",
    "reminders",
)
JSON_COLUMNS = {"reviewers", "tracks", "levels", "school_kinds", "reminders"}


@dataclass(frozen=True)
class Size:
    """How much of the country the dataset holds: the national figures at scale 1."""

    regions: int = len(nn.REGIONS)
    schools: int = SCHOOLS
    cases_per_year: int = CASES_PER_YEAR
    versions: int = VERSIONS
    events: int = TOTAL_EVENTS

    @classmethod
    def scaled(cls, scale: float) -> Size:
        """The national figures times ``scale`` (regions, schools, cases, documents, events)."""
        if not 0 < scale <= 1:
            raise ValueError("the scale is above 0 and at most 1")
        regions = max(1, round(len(nn.REGIONS) * scale))
        return cls(
            regions=regions,
            schools=max(40 * regions, round(SCHOOLS * scale)),
            cases_per_year=max(6 * regions, round(CASES_PER_YEAR * scale)),
            versions=round(VERSIONS * scale),
            events=round(TOTAL_EVENTS * scale),
        )


@dataclass(frozen=True)
class Person:
    id: int
    role: str
    org_id: int
    name: str
    email: str


@dataclass(frozen=True)
class School:
    id: int
    login: str
    name: str
    municipality_id: int
    region_id: int


@dataclass
class Directory:
    """Everything the case builder needs to know about organisations, people and campaigns."""

    region_names: dict[int, str] = field(default_factory=dict)
    municipality_names: dict[int, str] = field(default_factory=dict)
    municipality_region: dict[int, int] = field(default_factory=dict)
    schools: dict[int, School] = field(default_factory=dict)
    schools_of_region: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    people: list[Person] = field(default_factory=list)
    by_org_role: dict[tuple[int, str], list[Person]] = field(
        default_factory=lambda: defaultdict(list)
    )
    campaigns: dict[tuple[int, int], int] = field(default_factory=dict)
    # The plan of each campaign (by campaign id), made from the default templates; transient
    # ORM objects with their ids, never added to a session.
    plans: dict[int, Plan] = field(default_factory=dict)

    def person(self, org_id: int, role: str) -> Person:
        """The first account of a role in an organisation."""
        return self.by_org_role[(org_id, role)][0]


def naive(moment: datetime) -> datetime:
    """The naive UTC form the UTCDateTime columns store."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _model_defaults(table: str, columns: Sequence[str]) -> dict[str, Any]:
    """The columns a COPY leaves out that may not be NULL, with the value the model would give.

    Columns added by later migrations then need no change here as long as the model has a
    default for them; a NOT NULL column without one is reported by name."""
    import app.models  # noqa: F401 -- every table registered on the metadata
    from app.extensions import db

    filled: dict[str, Any] = {}
    for column in db.metadata.tables[table].columns:
        if column.name in columns or column.nullable or column.server_default is not None:
            continue
        default = column.default
        if default is None or not (default.is_scalar or default.is_callable):
            raise RuntimeError(f"bench: {table}.{column.name} is NOT NULL and has no default")
        value = default.arg if default.is_scalar else default.arg(None)  # type: ignore[union-attr]
        filled[column.name] = (
            as_json(value) if isinstance(value, dict | list) else _copy_value(value)
        )
    return filled


def _copy_value(value: Any) -> Any:
    """An enum as the value it stores; anything else as it is."""
    return getattr(value, "value", value)


def copy_rows(cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows with COPY FROM STDIN; return how many. NOT NULL columns left out of
    ``columns`` get the model's default (see _model_defaults)."""
    extra = _model_defaults(table, columns)
    names_ = [*columns, *extra]
    tail = tuple(extra.values())
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(names_)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *tail))
            count += 1
    return count


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), exactly."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _person_name(rng: random.Random) -> str:
    n = demo_names
    if rng.random() < 0.7:
        return f"{rng.choice(n.SURNAMES_M)}а {rng.choice(n.FIRST_F)} {rng.choice(n.PATRONYMIC_F)}"
    return f"{rng.choice(n.SURNAMES_M)} {rng.choice(n.FIRST_M)} {rng.choice(n.PATRONYMIC_M)}"


def _municipality_names(count: int, rng: random.Random) -> list[str]:
    cities = [f"городской округ «Город {c}»" for c in rng.sample(nn.CITIES, len(nn.CITIES))]
    adjectives = [demo_names.village_adjective(v) for v in demo_names.VILLAGES]
    rng.shuffle(adjectives)
    rural = [
        f"{adj[:-2]}ий муниципальный {kind}" for kind in ("район", "округ") for adj in adjectives
    ]
    chosen = cities[: max(1, count // 8)] + rural
    names = chosen[:count]
    while len(names) < count:
        names.append(f"{rural[len(names) % len(rural)]} № {len(names)}")
    return names


def _school_values(number: int, rng: random.Random) -> tuple[str, str, bool]:
    kinds = nn.SCHOOL_KINDS
    title, short, specialised = rng.choices(
        [(t, s, sp) for t, s, sp, _w in kinds], weights=[w for *_r, w in kinds]
    )[0]
    return f"{rng.choice(nn.LEGAL_FORMS)} «{title} № {number}»", short, specialised


class _Ids:
    def __init__(self) -> None:
        self.org = 0
        self.user = 0

    def next_org(self) -> int:
        self.org += 1
        return self.org

    def next_user(self) -> int:
        self.user += 1
        return self.user


def build_directory(
    rng: random.Random, dataset: Size | None = None
) -> tuple[Directory, list[tuple[Any, ...]]]:
    """Plan the organisations; return the directory and the organisation rows."""
    dataset = dataset or Size()
    directory, ids, rows = Directory(), _Ids(), []
    names = nn.REGIONS[: dataset.regions]
    sizes = apportion(dataset.schools, [rng.lognormvariate(0, 0.8) for _ in names])
    region_ids = []
    for name in names:
        rid = ids.next_org()
        region_ids.append(rid)
        directory.region_names[rid] = name
        rows.append((rid, "region", name, None, None, None, None, None, False, None, None, None))
    for number, (rid, size) in enumerate(zip(region_ids, sizes, strict=True), start=1):
        _plan_region(directory, ids, rows, rid, number, size, rng)
    return directory, rows


def _plan_region(
    directory: Directory,
    ids: _Ids,
    rows: list[tuple[Any, ...]],
    rid: int,
    number: int,
    size: int,
    rng: random.Random,
) -> None:
    count = max(3, round(size / SCHOOLS_PER_MUNICIPALITY))
    per_municipality = [
        2 + n for n in apportion(size - 2 * count, [rng.gammavariate(1.5, 1) for _ in range(count)])
    ]
    serial = 0
    for mname, schools in zip(_municipality_names(count, rng), per_municipality, strict=True):
        mid = ids.next_org()
        directory.municipality_names[mid] = mname
        directory.municipality_region[mid] = rid
        rows.append(
            (mid, "municipality", mname, rid, rid, None, None, None, False, None, None, None)
        )
        for school_no in range(1, schools + 1):
            serial += 1
            sid, login = ids.next_org(), f"edu{number:02d}{serial:04d}"
            name, short, specialised = _school_values(school_no, rng)
            directory.schools[sid] = School(sid, login, name, mid, rid)
            directory.schools_of_region[rid].append(sid)
            phone = f"+7 (9{rng.randint(10, 99)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
            rows.append(
                (
                    sid,
                    "school",
                    name,
                    mid,
                    rid,
                    mid,
                    login,
                    short,
                    specialised,
                    _person_name(rng),
                    f"{login}@schools.{DOMAIN}",
                    phone,
                )
            )


def plan_people(directory: Directory, rng: random.Random) -> None:
    """Two ministry accounts, an auditor and an administrator a region; one or two municipal
    accounts a municipality; one account a school."""
    ids = _Ids()

    def add(role: str, org_id: int, email: str, name: str) -> None:
        person = Person(ids.next_user(), role, org_id, name, email)
        directory.people.append(person)
        directory.by_org_role[(org_id, role)].append(person)

    for rid in directory.region_names:
        add("ministry", rid, f"ministry{rid}@{DOMAIN}", _person_name(rng))
        add("ministry", rid, f"ministry{rid}b@{DOMAIN}", _person_name(rng))
        add("auditor", rid, f"auditor{rid}@{DOMAIN}", _person_name(rng))
        add("admin", rid, f"admin{rid}@{DOMAIN}", _person_name(rng))
    schools_per_mun: dict[int, int] = defaultdict(int)
    for school in directory.schools.values():
        schools_per_mun[school.municipality_id] += 1
    for mid in directory.municipality_names:
        add("municipal", mid, f"mun{mid}@{DOMAIN}", _person_name(rng))
        if schools_per_mun[mid] > 25:
            add("municipal", mid, f"mun{mid}b@{DOMAIN}", _person_name(rng))
    for school in directory.schools.values():
        add("school", school.id, f"{school.login}@{DOMAIN}", _person_name(rng))


def plan_campaigns(directory: Directory) -> None:
    """Three campaigns a region (ids region by region, year by year), each with the plan
    create_plan() makes from the default templates for its VPR year."""
    templates = [TEMPLATES[key] for key in DEFAULT]
    measure_id = 0
    for rid in directory.region_names:
        for year in YEARS:
            cid = directory.campaigns[(rid, year)] = len(directory.campaigns) + 1
            plan = Plan(
                id=cid,
                campaign_id=cid,
                template_key="+".join(DEFAULT),
                title="; ".join(t.title for t in templates),
                default_level=next((t.default_level for t in templates if t.default_level), None),
                assumptions="\n\n".join(t.assumptions for t in templates),
                version=1,
            )
            rows = []
            for measure in (x for t in templates for x in t.measures(year)):
                measure_id += 1
                rows.append(
                    PlanMeasure(id=measure_id, plan_id=cid, **m.to_row(measure, len(rows) + 1))
                )
            plan.measures = rows
            directory.plans[cid] = plan


def write_directory(
    cur: Any, directory: Directory, org_rows: list[tuple[Any, ...]], password_hash: str
) -> dict[str, int]:
    """COPY organisations, accounts, campaigns and their plans."""
    created = naive(CREATED)
    counts = {
        "organisation": copy_rows(
            cur,
            "organisation",
            (
                "id",
                "kind",
                "name",
                "parent_id",
                "region_id",
                "municipality_id",
                "login",
                "school_type",
                "specialised",
                "director",
                "email",
                "phone",
                "subordination",
                "timezone",
                "created_at",
                "search_key",
                "sort_key",
            ),
            (
                (
                    *row,
                    "municipal" if row[1] == "school" else None,
                    "Europe/Moscow" if row[1] == "region" else None,
                    created,
                    names.search_key(row[2], row[6]),
                    names.sort_key(row[2]),
                )
                for row in org_rows
            ),
        ),
        "user_account": copy_rows(
            cur,
            "user_account",
            (
                "id",
                "email",
                "full_name",
                "password_hash",
                "role",
                "organisation_id",
                "active",
                "locale",
                "session_version",
                "created_at",
                "email_mode",
                "search_key",
            ),
            (
                (
                    p.id,
                    p.email,
                    p.name,
                    password_hash,
                    p.role,
                    p.org_id,
                    True,
                    "ru",
                    1,
                    created,
                    "each",
                    names.person_search_key(p.name, p.email),
                )
                for p in directory.people
            ),
        ),
    }
    counts.update(_write_campaigns(cur, directory))
    return counts


def campaign_opened(year: int) -> datetime:
    """When a campaign (and its plan) was made: 10:00 Moscow time on the day of its order."""
    return datetime(year, 10, 28, 7, tzinfo=UTC)


def order_date(year: int) -> date:
    return campaign_opened(year).date()


def plan_events(directory: Directory) -> list[tuple[Any, ...]]:
    """What create_campaign() records for every campaign: the plan made, the campaign opened
    (in the shape of bench.national_walk.Walker.event)."""
    events = []
    for (rid, year), cid in directory.campaigns.items():
        plan, actor = directory.plans[cid], directory.person(rid, "ministry")
        at = campaign_opened(year)
        after = {"campaign_id": cid, "templates": list(DEFAULT), "measures": len(plan.measures)}
        events.append((at, actor.id, "plan.created", "plan", plan.id, rid, None, None, after, None))
        after = {
            "title": campaign_title(year),
            "vpr_year": year,
            "order_number": _order_number(rid, year),
            "order_date": order_date(year).isoformat(),
            "plan": plan.template_key,
        }
        events.append(
            (at, actor.id, "campaign.created", "campaign", cid, rid, None, None, after, None)
        )
    return events


def _order_number(rid: int, year: int) -> str:
    return f"{rid:02d}-{year}/ОД"


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _write_campaigns(cur: Any, directory: Directory) -> dict[str, int]:
    campaigns, plans, measures, versions = [], [], [], []
    for (rid, year), cid in directory.campaigns.items():
        at, actor = naive(campaign_opened(year)), directory.person(rid, "ministry").id
        campaigns.append(
            (cid, rid, year, campaign_title(year), _order_number(rid, year), order_date(year), at)
        )
        plan = directory.plans[cid]
        plans.append(
            (
                plan.id,
                cid,
                plan.template_key,
                plan.title,
                plan.version,
                plan.default_level,
                plan.assumptions,
                at,
                actor,
            )
        )
        data = json.dumps(export(plan), default=_plain, ensure_ascii=False)
        reason = PLAN_REASON.format(keys=", ".join(DEFAULT))
        versions.append((plan.id, plan.id, plan.version, data, reason, at, actor))
        measures.extend(_measure_row(row) for row in plan.measures)
    return {
        "campaign": copy_rows(
            cur,
            "campaign",
            ("id", "region_id", "vpr_year", "title", "order_number", "order_date", "created_at"),
            campaigns,
        ),
        "campaign_plan": copy_rows(
            cur,
            "campaign_plan",
            (
                "id",
                "campaign_id",
                "template_key",
                "title",
                "version",
                "default_level",
                "assumptions",
                "updated_at",
                "updated_by_id",
            ),
            plans,
        ),
        "plan_measure": copy_rows(cur, "plan_measure", MEASURE_COLUMNS, measures),
        "plan_version": copy_rows(
            cur,
            "plan_version",
            ("id", "plan_id", "version", "data", "reason", "created_at", "created_by_id"),
            versions,
        ),
    }


def _measure_row(row: PlanMeasure) -> tuple[Any, ...]:
    """A stored measure as COPY writes it (JSON lists as text, enums as their values)."""
    values = []
    for column in MEASURE_COLUMNS:
        value = getattr(row, column)
        if column in JSON_COLUMNS:
            value = as_json(list(value))
        elif hasattr(value, "value"):
            value = value.value
        values.append(value)
    return tuple(values)


def reset_sequences(cur: Any, tables: Iterable[str]) -> None:
    """Move each table's id sequence past the ids written by COPY."""
    for table in tables:  # names from the benchmark's own list, never from input
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
