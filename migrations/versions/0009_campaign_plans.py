"""Campaign plans: measures as data, obligations derived from them in parallel, stages as a milestone summary

Every campaign gets a plan holding the measures of the version-1 workflows it used (their dates
from the campaign's schedule), and every obligation points at its measure. Open cases also get
the obligations of the measures they had not reached yet, so that all of a case's measures run in
parallel from the day it opened; their dates are the schedule's, or N weekdays after the case
opened (this migration knows no holidays: any later change of the plan derives them again by the
production calendar).

Downgrade: the version-1 columns come back (workflows by track, the schedule from the default
dates, a stage visit and a due rule for every obligation); what version 1 cannot hold is mapped to
its nearest (ШФНСУ cases to ШНОР, the institute to the ministry, the methodological centre to the
municipality, a leader school to the school) or, for the months of a monthly measure, removed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00.000000

"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The application's constraint names (app.extensions), so that SQLite's table copies name the
# CHECK constraints of the enums the way PostgreSQL does.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
OLD_LEVELS = ("school", "municipality", "region")
NEW_LEVELS = ("school", "leader_school", "method_centre", "municipality", "institute", "region")
OLD_CATEGORIES = ("objectivity", "low_results")
NEW_CATEGORIES = ("objectivity", "low_results", "adverse")
SCOPES = ("school", "municipality", "region")
DATE_KINDS = ("fixed", "period", "monthly", "after_open", "after_measure", "ongoing")

# The version-1 schedule: (month, day, offset from the VPR year).
SCHEDULE = {
    "self_analysis": (11, 30, 0),
    "recheck": (11, 30, 0),
    "risk_questionnaire": (12, 15, 0),
    "municipal_acts": (12, 25, 0),
    "information_certificate": (1, 16, 1),
    "director_indicators": (1, 16, 1),
    "director_evaluation": (1, 22, 1),
    "school_roadmap_lr": (1, 31, 1),
    "municipal_roadmap_lr": (1, 31, 1),
    "strategic_session": (4, 30, 1),
    "competence_assessment": (4, 30, 1),
    "final_report": (5, 31, 1),
}

# The obligations of the version-1 workflows as measures, frozen here:
# (key, track, milestone, title, responsible, reviewer, takes, scope, schedule key, days)
LEGACY = (
    ("municipal_order", "objectivity", "flagged", "Муниципальный приказ об организации работы с ОО, включёнными в перечень", "municipality", "region", "document:order", "municipality", None, 10),
    ("self_analysis", "objectivity", "self_analysis", "Самоанализ причин необъективности результатов («Семь шагов»)", "school", "municipality", "form:self_analysis", "school", "self_analysis", 15),
    ("school_roadmap", "objectivity", "roadmap", "Дорожная карта ОО по повышению объективности оценивания", "school", "municipality", "roadmap:school", "school", None, 10),
    ("municipal_acts", "objectivity", "roadmap", "Муниципальные нормативные акты по профилактике необъективности", "municipality", "region", "document:normative_act", "municipality", "municipal_acts", 20),
    ("recheck_protocol", "objectivity", "recheck", "Перепроверка работ независимыми экспертами: протокол", "municipality", "region", "record:recheck_protocol", "school", "recheck", 15),
    ("information_certificate", "objectivity", "recheck", "Информационная справка: текущие отметки и внешние результаты", "school", "municipality", "document:certificate", "school", "information_certificate", 15),
    ("strategic_session", "objectivity", "strategic_session", "Участие управленческой команды в стратегической сессии", "school", "region", "attendance", "school", "strategic_session", 30),
    ("director_indicators", "objectivity", "director_evaluation", "Форма показателей эффективности руководителя", "school", "municipality", "record:director_indicators", "school", "director_indicators", 5),
    ("director_evaluation", "objectivity", "director_evaluation", "Оценка эффективности деятельности руководителя муниципальной комиссией", "municipality", "region", "record:director_evaluation", "school", "director_evaluation", 10),
    ("final_report", "objectivity", "monitoring", "Итоговый отчёт о выполнении дорожной карты", "school", "municipality", "document:report", "school", "final_report", 20),
    ("municipal_order_lr", "low_results", "flagged", "Муниципальный приказ о сопровождении школ с низкими результатами", "municipality", "region", "document:order", "municipality", None, 10),
    ("risk_questionnaire", "low_results", "diagnostics", "Анкета факторов риска низких результатов", "school", "municipality", "form:risk_questionnaire", "school", "risk_questionnaire", 15),
    ("school_roadmap_lr", "low_results", "roadmap", "Дорожная карта ОО по повышению образовательных результатов", "school", "municipality", "roadmap:school", "school", "school_roadmap_lr", 15),
    ("municipal_roadmap_lr", "low_results", "roadmap", "Муниципальная дорожная карта работы со школами с низкими результатами", "municipality", "region", "document:roadmap", "municipality", "municipal_roadmap_lr", 20),
    ("mentor_plan", "low_results", "mentoring", "Совместный план со школой-лидером", "school", "municipality", "roadmap:mentor", "school", None, 15),
    ("competence_assessment", "low_results", "competence", "Оценка профессиональных компетенций учителей", "municipality", "region", "record:competence_assessment", "school", "competence_assessment", 20),
    ("final_report_lr", "low_results", "monitoring", "Итоговый отчёт о выполнении дорожной карты", "school", "municipality", "document:report", "school", "final_report", 20),
)


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _weekdays_after(day, count):
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _next_weekday(day):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def upgrade():
    op.create_table(
        "campaign_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("template_key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("default_level", sa.Integer(), nullable=True),
        sa.Column("assumptions", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_plan_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"], name=op.f("fk_campaign_plan_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_plan")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_campaign_plan_campaign_id")),
    )
    op.create_table(
        "plan_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=16), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("tracks", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("min_years", sa.Integer(), nullable=False),
        sa.Column("school_kinds", sa.JSON(), nullable=False),
        sa.Column("scope", _enum("measure_scope", SCOPES), nullable=False),
        sa.Column("takes", sa.String(length=60), nullable=False),
        sa.Column("milestone", sa.String(length=40), nullable=False),
        sa.Column("seed", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("date_kind", _enum("date_kind", DATE_KINDS), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("after_key", sa.String(length=60), nullable=True),
        sa.Column("inclusive", sa.Boolean(), nullable=False),
        sa.Column("monthly_rule", sa.String(length=30), nullable=True),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("overrides_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["municipality_id"], ["organisation.id"], name=op.f("fk_plan_measure_municipality_id_organisation")),
        sa.ForeignKeyConstraint(["overrides_id"], ["plan_measure.id"], name=op.f("fk_plan_measure_overrides_id_plan_measure")),
        sa.ForeignKeyConstraint(["plan_id"], ["campaign_plan.id"], name=op.f("fk_plan_measure_plan_id_campaign_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_measure")),
        sa.UniqueConstraint("plan_id", "key", name=op.f("uq_plan_measure_plan_id_key")),
    )
    with op.batch_alter_table("plan_measure", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_measure_plan_id"), ["plan_id"], unique=False)
    op.create_table(
        "plan_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_plan_version_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["plan_id"], ["campaign_plan.id"], name=op.f("fk_plan_version_plan_id_campaign_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_version")),
        sa.UniqueConstraint("plan_id", "version", name=op.f("uq_plan_version_plan_id_version")),
    )
    with op.batch_alter_table("plan_version", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_version_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("school_case", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
    with op.batch_alter_table("obligation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("measure_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("period", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("takes", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("reviewer_level", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_inclusive", sa.Boolean(), nullable=True))

    _carry_data_to_plans()

    with op.batch_alter_table("obligation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("uq_obligation_case_id_stage_visit_id_obligation_type", type_="unique")
        batch_op.drop_constraint("fk_obligation_stage_visit_id_case_stage", type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_obligation_level"), type_="check")
        batch_op.drop_column("stage_visit_id")
        batch_op.drop_column("due_rule")
        batch_op.drop_column("reviewer_role")
        batch_op.alter_column("measure_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("period", existing_type=sa.String(length=7), nullable=False)
        batch_op.alter_column("takes", existing_type=sa.String(length=60), nullable=False)
        batch_op.alter_column("opened_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("due_inclusive", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("due_date", existing_type=sa.Date(), nullable=True)
        batch_op.alter_column("obligation_type", existing_type=sa.String(length=40), type_=sa.String(length=60))
        batch_op.alter_column("level", existing_type=sa.String(length=16), type_=_enum("level", NEW_LEVELS))
        batch_op.alter_column("reviewer_level", existing_type=sa.String(length=16), type_=_enum("reviewer_level", NEW_LEVELS))
        batch_op.create_foreign_key(batch_op.f("fk_obligation_measure_id_plan_measure"), "plan_measure", ["measure_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_obligation_case_id_measure_id_period"), ["case_id", "measure_id", "period"])
        batch_op.create_index(batch_op.f("ix_obligation_measure_id"), ["measure_id"], unique=False)
    _check("obligation", "level", NEW_LEVELS)
    _check("obligation", "reviewer_level", NEW_LEVELS, nullable=True)

    with op.batch_alter_table("school_case", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(op.f("ck_school_case_category"), type_="check")
        batch_op.drop_column("workflow")
        batch_op.alter_column("opened_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("category", existing_type=sa.String(length=16), type_=_enum("category", NEW_CATEGORIES))
    _check("school_case", "category", NEW_CATEGORIES)

    with op.batch_alter_table("campaign", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column("objectivity_workflow")
        batch_op.drop_column("low_results_workflow")
    op.drop_table("campaign_deadline")


def _check(table, column, values, nullable=False):
    """The CHECK constraint an Enum column carries, on PostgreSQL (SQLite's table copies get it
    from the column's type)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    allowed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({allowed})" + (f" OR {column} IS NULL" if nullable else "")
    # Altering the column's type to the Enum may have added it already: make it exactly this one.
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_{column}")
    op.create_check_constraint(op.f(f"ck_{table}_{column}"), table, condition)


def _tables():
    meta = sa.MetaData()
    return {
        name: sa.Table(name, meta, autoload_with=op.get_bind())
        for name in ("campaign", "campaign_deadline", "school_case", "obligation", "campaign_plan", "plan_measure", "plan_version", "case_stage")
    }


def _carry_data_to_plans():
    bind = op.get_bind()
    t = _tables()
    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 -- naive UTC, as the columns store it
    deadlines = {}
    for row in bind.execute(sa.select(t["campaign_deadline"])).mappings():
        deadlines[(row["campaign_id"], row["obligation_type"])] = _as_date(row["due_date"])
    for campaign in bind.execute(sa.select(t["campaign"])).mappings().all():
        plan_id = bind.execute(
            t["campaign_plan"].insert().values(
                campaign_id=campaign["id"],
                template_key="v1",
                title="Этапы версии 1 (перенесено из прежних процессов)",
                version=1,
                default_level=None,
                assumptions="План перенесён из процессов версии 1: их обязательства стали мероприятиями с датами графика кампании.",
                updated_at=now,
            )
        ).inserted_primary_key[0]
        measures = {}
        for position, (key, track, milestone, title, responsible, reviewer, takes, scope, sched, days) in enumerate(LEGACY, 1):
            fixed = None
            if sched:
                fixed = deadlines.get((campaign["id"], sched))
                if fixed is None:
                    month, day, offset = SCHEDULE[sched]
                    fixed = date(campaign["vpr_year"] + offset, month, day)
            measure_id = bind.execute(
                t["plan_measure"].insert().values(
                    plan_id=plan_id, key=key, position=position, number=str(position), title=title,
                    result="", responsible=responsible, reviewers=[reviewer] * 3, tracks=[track],
                    levels=[1, 2, 3], min_years=1, school_kinds=[], scope=scope, takes=takes,
                    milestone=milestone, seed="процессы версии 1", required=True,
                    date_kind="fixed" if fixed else "after_open", due_on=fixed,
                    days=None if fixed else days, inclusive=True, reminders=[5, 1],
                )
            ).inserted_primary_key[0]
            measures[key] = (measure_id, track, milestone, responsible, reviewer, takes, fixed, days)
        bind.execute(
            t["plan_version"].insert().values(
                plan_id=plan_id, version=1, data={"measures": [m[0] for m in LEGACY]},
                reason="Перенесено из процессов версии 1", created_at=now,
            )
        )
        _carry_obligations(bind, t, campaign, measures, now)


def _carry_obligations(bind, t, campaign, measures, now):
    ob, case = t["obligation"], t["school_case"]
    reviewer_of = {"municipal": "municipality", "ministry": "region"}
    cases = bind.execute(sa.select(case).where(case.c.campaign_id == campaign["id"])).mappings().all()
    for c in cases:
        bind.execute(case.update().where(case.c.id == c["id"]).values(opened_on=_as_date(c["created_at"])))
        had = set()
        for o in bind.execute(sa.select(ob).where(ob.c.case_id == c["id"])).mappings().all():
            found = measures.get(o["obligation_type"])
            had.add(o["obligation_type"])
            bind.execute(
                ob.update().where(ob.c.id == o["id"]).values(
                    measure_id=found[0] if found else None, period="",
                    takes=found[5] if found else "nothing",
                    reviewer_level=reviewer_of.get(o["reviewer_role"]),
                    opened_on=_as_date(o["created_at"]), due_inclusive=True,
                )
            )
        if c["status"] != "open":
            continue
        opened = _as_date(c["created_at"])
        visit = bind.execute(
            sa.select(sa.func.max(t["case_stage"].c.id)).where(t["case_stage"].c.case_id == c["id"])
        ).scalar()
        for key, (measure_id, track, milestone, responsible, reviewer, takes, fixed, days) in measures.items():
            if track != c["category"] or key in had:
                continue
            org = {"school": c["school_id"], "municipality": c["municipality_id"]}.get(responsible)
            due = _next_weekday(fixed) if fixed else _weekdays_after(opened, days)
            bind.execute(
                ob.insert().values(
                    case_id=c["id"], measure_id=measure_id, period="", stage=milestone,
                    obligation_type=key, takes=takes, level=responsible, responsible_org_id=org,
                    reviewer_level=reviewer, document_types=[takes.split(":", 1)[1]] if takes.startswith("document:") else [],
                    required=True, opened_on=opened, due_date=due, due_inclusive=True, status="open",
                    created_at=now, updated_at=now, version=1,
                    stage_visit_id=visit, due_rule="plan",  # version-1 columns, dropped below
                )
            )
        _summarise_stage(bind, t, c)
    orphans = bind.execute(sa.select(sa.func.count()).select_from(ob).where(ob.c.measure_id.is_(None))).scalar()
    if orphans:
        raise RuntimeError(f"{orphans} obligations of unknown types: the migration cannot map them")


# The milestones in the order the work runs (app.plans.measures.MILESTONES at this revision).
MILESTONE_ORDER = (
    "flagged", "diagnostics", "self_analysis", "recheck", "municipal_acts", "roadmap", "mentoring",
    "certificate", "director_evaluation", "competence", "strategic_session", "monitoring",
)


def _summarise_stage(bind, t, c):
    """An open case's stage becomes the first milestone with a required obligation owed."""
    ob, case, stage = t["obligation"], t["school_case"], t["case_stage"]
    owed = set(
        bind.execute(
            sa.select(ob.c.stage).where(
                ob.c.case_id == c["id"], ob.c.required.is_(True), ob.c.status.in_(("open", "returned", "submitted"))
            )
        ).scalars()
    )
    summary = next((m for m in MILESTONE_ORDER if m in owed), "monitoring")
    if summary == c["stage"]:
        return
    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003
    bind.execute(stage.update().where(stage.c.case_id == c["id"], stage.c.left_at.is_(None)).values(left_at=now))
    bind.execute(stage.insert().values(case_id=c["id"], stage=summary, entered_at=now, reason="Этап по плану мероприятий"))
    bind.execute(case.update().where(case.c.id == c["id"]).values(stage=summary, stage_entered_at=now))


def downgrade():
    op.create_table(
        "campaign_deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("obligation_type", sa.String(length=40), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_deadline_campaign_id_campaign")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_deadline")),
        sa.UniqueConstraint("campaign_id", "obligation_type", name=op.f("uq_campaign_deadline_campaign_id_obligation_type")),
    )
    with op.batch_alter_table("campaign", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("objectivity_workflow", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("low_results_workflow", sa.String(length=40), nullable=True))
    with op.batch_alter_table("school_case", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("workflow", sa.String(length=40), nullable=True))
    with op.batch_alter_table("obligation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("stage_visit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_rule", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("reviewer_role", sa.String(length=16), nullable=True))

    _carry_data_back()

    with op.batch_alter_table("campaign", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.alter_column("objectivity_workflow", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("low_results_workflow", existing_type=sa.String(length=40), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_school_case_category"), "school_case", type_="check")
        op.drop_constraint(op.f("ck_obligation_level"), "obligation", type_="check")
        op.drop_constraint(op.f("ck_obligation_reviewer_level"), "obligation", type_="check")
    with op.batch_alter_table("school_case", schema=None, naming_convention=NAMING) as batch_op:
        if op.get_bind().dialect.name != "postgresql":
            batch_op.drop_constraint(op.f("ck_school_case_category"), type_="check")
        batch_op.alter_column("workflow", existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_column("opened_on")
        batch_op.alter_column("category", existing_type=sa.String(length=16), type_=_enum("category", OLD_CATEGORIES))
    _check("school_case", "category", OLD_CATEGORIES)
    with op.batch_alter_table("obligation", schema=None, naming_convention=NAMING) as batch_op:
        if op.get_bind().dialect.name != "postgresql":
            batch_op.drop_constraint(op.f("ck_obligation_level"), type_="check")
            batch_op.drop_constraint(op.f("ck_obligation_reviewer_level"), type_="check")
        batch_op.drop_index(batch_op.f("ix_obligation_measure_id"))
        batch_op.drop_constraint(batch_op.f("uq_obligation_case_id_measure_id_period"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_obligation_measure_id_plan_measure"), type_="foreignkey")
        batch_op.drop_column("measure_id")
        batch_op.drop_column("period")
        batch_op.drop_column("takes")
        batch_op.drop_column("reviewer_level")
        batch_op.drop_column("opened_on")
        batch_op.drop_column("due_inclusive")
        batch_op.alter_column("stage_visit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("due_rule", existing_type=sa.String(length=60), nullable=False)
        batch_op.alter_column("due_date", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("obligation_type", existing_type=sa.String(length=60), type_=sa.String(length=40))
        batch_op.alter_column("level", existing_type=sa.String(length=16), type_=_enum("level", OLD_LEVELS))
        batch_op.create_foreign_key("fk_obligation_stage_visit_id_case_stage", "case_stage", ["stage_visit_id"], ["id"])
        batch_op.create_unique_constraint("uq_obligation_case_id_stage_visit_id_obligation_type", ["case_id", "stage_visit_id", "obligation_type"])
    _check("obligation", "level", OLD_LEVELS)
    with op.batch_alter_table("plan_version", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_version_plan_id"))
    op.drop_table("plan_version")
    with op.batch_alter_table("plan_measure", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_measure_plan_id"))
    op.drop_table("plan_measure")
    op.drop_table("campaign_plan")


def _carry_data_back():
    bind = op.get_bind()
    meta = sa.MetaData()
    campaign = sa.Table("campaign", meta, autoload_with=bind)
    deadline = sa.Table("campaign_deadline", meta, autoload_with=bind)
    case = sa.Table("school_case", meta, autoload_with=bind)
    ob = sa.Table("obligation", meta, autoload_with=bind)
    stage = sa.Table("case_stage", meta, autoload_with=bind)
    measure = sa.Table("plan_measure", meta, autoload_with=bind)
    notification = sa.Table("notification", meta, autoload_with=bind)
    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003
    bind.execute(campaign.update().values(objectivity_workflow="objectivity@1", low_results_workflow="low_results@1"))
    for c in bind.execute(sa.select(campaign.c.id, campaign.c.vpr_year)).all():
        for key, (month, day, offset) in SCHEDULE.items():
            bind.execute(deadline.insert().values(campaign_id=c.id, obligation_type=key, due_date=date(c.vpr_year + offset, month, day)))
    bind.execute(case.update().where(case.c.category == "adverse").values(category="low_results"))
    bind.execute(case.update().where(case.c.category == "objectivity").values(workflow="objectivity@1"))
    bind.execute(case.update().where(case.c.category == "low_results").values(workflow="low_results@1"))
    monthly = sa.select(ob.c.id).where(ob.c.period != "")
    bind.execute(notification.update().where(notification.c.obligation_id.in_(monthly)).values(obligation_id=None))
    bind.execute(ob.delete().where(ob.c.period != ""))
    for old, new in (("leader_school", "school"), ("method_centre", "municipality"), ("institute", "region")):
        bind.execute(ob.update().where(ob.c.level == old).values(level=new))
    role_of = {"municipality": "municipal", "method_centre": "municipal", "region": "ministry", "institute": "ministry"}
    for level, role in role_of.items():
        bind.execute(ob.update().where(ob.c.reviewer_level == level).values(reviewer_role=role))
    schedule_keys = {key for key in SCHEDULE}
    rows = bind.execute(
        sa.select(ob.c.id, ob.c.case_id, ob.c.opened_on, ob.c.due_date, measure.c.key, measure.c.date_kind)
        .join(measure, measure.c.id == ob.c.measure_id)
    ).all()
    visits = {}
    for case_id, visit_id in bind.execute(sa.select(stage.c.case_id, sa.func.max(stage.c.id)).group_by(stage.c.case_id)).all():
        visits[case_id] = visit_id
    for row in rows:
        visit = visits.get(row.case_id)
        if visit is None:
            visit = bind.execute(stage.insert().values(case_id=row.case_id, stage="flagged", entered_at=now)).inserted_primary_key[0]
            visits[row.case_id] = visit
        rule = f"schedule:{row.key}" if row.key in schedule_keys and row.date_kind == "fixed" else "working_days:10"
        bind.execute(
            ob.update().where(ob.c.id == row.id).values(
                stage_visit_id=visit, due_rule=rule,
                due_date=row.due_date if row.due_date is not None else row.opened_on,
                obligation_type=row.key[:40],
            )
        )
