"""The real actors and regions: regional institutes and municipal methodological centres with
their people, schools under the region itself (subordinate to the ministry, or private), a time
zone and additional non-working days for each region, the reviewing organisation of each
obligation, independent observers of a school's own recheck commission, and the rule of what the
next year's list does to a campaign's open cases

Existing schools are municipal; existing regions keep Moscow time. Each obligation's reviewer is
the organisation acting for its reviewing level: the case's municipality, or the region.

Downgrade: the time zones, regional days, subordination, reviewing organisations and next-list
rules are dropped. A database holding what version 0009 cannot (an institute or a methodological
centre, whose people and history cannot be removed from the append-only chain, or a school
without a municipality) refuses the downgrade, naming what is in the way.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
OLD_KINDS = ("region", "municipality", "school")
NEW_KINDS = ("region", "institute", "municipality", "method_centre", "school")
OLD_ROLES = ("ministry", "municipal", "school", "auditor", "admin")
NEW_ROLES = ("ministry", "institute", "municipal", "method_centre", "school", "auditor", "admin")
SUBORDINATION = ("municipal", "regional", "private")
RULES = ("escalate", "escalate_and_close")
OLD_HIERARCHY = (
    "(kind = 'region' AND parent_id IS NULL AND region_id IS NULL AND municipality_id IS NULL)"
    " OR (kind = 'municipality' AND parent_id = region_id AND municipality_id IS NULL)"
    " OR (kind = 'school' AND parent_id = municipality_id AND region_id IS NOT NULL"
    " AND login IS NOT NULL)"
)
NEW_HIERARCHY = (
    "(kind = 'region' AND parent_id IS NULL AND region_id IS NULL AND municipality_id IS NULL)"
    " OR (kind IN ('municipality', 'institute') AND parent_id = region_id"
    " AND municipality_id IS NULL)"
    " OR (kind = 'method_centre' AND parent_id = municipality_id AND region_id IS NOT NULL)"
    " OR (kind = 'school' AND region_id IS NOT NULL AND login IS NOT NULL"
    " AND (parent_id = municipality_id OR (municipality_id IS NULL AND parent_id = region_id)))"
)


def _enum(name, values, length=16):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def _in(column, values, nullable=False):
    allowed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({allowed})" + (f" OR {column} IS NULL" if nullable else "")


def _replace_check(table, name, condition, *, exists=True):
    """Make the CHECK constraint ``name`` of ``table`` exactly ``condition``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        op.create_check_constraint(op.f(name), table, condition)
        return
    with op.batch_alter_table(table, schema=None, naming_convention=NAMING) as batch_op:
        if exists:
            batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.create_check_constraint(op.f(name), condition)


def upgrade():
    with op.batch_alter_table("organisation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("subordination", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    _replace_check("organisation", "ck_organisation_hierarchy", NEW_HIERARCHY)
    _replace_check("organisation", "ck_organisation_org_kind", _in("kind", NEW_KINDS))
    _replace_check(
        "organisation",
        "ck_organisation_subordination",
        _in("subordination", SUBORDINATION, True),
        exists=False,
    )
    _replace_check("user_account", "ck_user_account_role", _in("role", NEW_ROLES))

    with op.batch_alter_table("school_case", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.alter_column("municipality_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("obligation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("reviewer_org_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_obligation_reviewer_org_id_organisation"),
            "organisation",
            ["reviewer_org_id"],
            ["id"],
        )
        batch_op.create_index("ix_obligation_reviewer", ["reviewer_org_id", "status"], unique=False)
    with op.batch_alter_table("campaign_plan", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("next_list_rule", sa.String(length=24), nullable=True))
    with op.batch_alter_table("commission_member", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(
            sa.Column("observer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "region_day",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_id"], ["organisation.id"], name=op.f("fk_region_day_region_id_organisation")
        ),
        sa.PrimaryKeyConstraint("region_id", "day", name=op.f("pk_region_day")),
    )

    bind = op.get_bind()
    meta = sa.MetaData()
    org = sa.Table("organisation", meta, autoload_with=bind)
    ob = sa.Table("obligation", meta, autoload_with=bind)
    case = sa.Table("school_case", meta, autoload_with=bind)
    campaign = sa.Table("campaign", meta, autoload_with=bind)
    plan = sa.Table("campaign_plan", meta, autoload_with=bind)
    bind.execute(org.update().where(org.c.kind == "school").values(subordination="municipal"))
    bind.execute(org.update().where(org.c.kind == "region").values(timezone="Europe/Moscow"))
    bind.execute(plan.update().values(next_list_rule="escalate"))
    municipal = sa.select(case.c.municipality_id).where(case.c.id == ob.c.case_id).scalar_subquery()
    region = (
        sa.select(campaign.c.region_id)
        .join(case, case.c.campaign_id == campaign.c.id)
        .where(case.c.id == ob.c.case_id)
        .scalar_subquery()
    )
    bind.execute(
        ob.update()
        .where(ob.c.reviewer_level.in_(("municipality", "method_centre")))
        .values(reviewer_org_id=municipal)
    )
    bind.execute(
        ob.update()
        .where(ob.c.reviewer_level.in_(("region", "institute")))
        .values(reviewer_org_id=region)
    )
    with op.batch_alter_table("campaign_plan", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.alter_column(
            "next_list_rule",
            existing_type=sa.String(length=24),
            type_=_enum("next_list_rule", RULES, 24),
            nullable=False,
        )
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE campaign_plan DROP CONSTRAINT IF EXISTS ck_campaign_plan_next_list_rule")
        op.create_check_constraint(
            op.f("ck_campaign_plan_next_list_rule"), "campaign_plan", _in("next_list_rule", RULES)
        )


def downgrade():
    bind = op.get_bind()
    meta = sa.MetaData()
    org = sa.Table("organisation", meta, autoload_with=bind)
    case = sa.Table("school_case", meta, autoload_with=bind)
    serving = bind.execute(
        sa.select(sa.func.count())
        .select_from(org)
        .where(org.c.kind.in_(("institute", "method_centre")))
    ).scalar()
    orphans = bind.execute(
        sa.select(sa.func.count()).select_from(case).where(case.c.municipality_id.is_(None))
    ).scalar()
    if serving or orphans:
        raise RuntimeError(
            f"Version 0009 cannot hold {serving} institutes and methodological centres and "
            f"{orphans} cases of schools without a municipality: the downgrade is refused."
        )
    op.drop_table("region_day")
    with op.batch_alter_table("commission_member", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column("observer")
    with op.batch_alter_table("campaign_plan", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(op.f("ck_campaign_plan_next_list_rule"), type_="check")
        batch_op.drop_column("next_list_rule")
    with op.batch_alter_table("obligation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_index("ix_obligation_reviewer")
        batch_op.drop_constraint(
            batch_op.f("fk_obligation_reviewer_org_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_column("reviewer_org_id")
    with op.batch_alter_table("school_case", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.alter_column("municipality_id", existing_type=sa.Integer(), nullable=False)
    _replace_check("user_account", "ck_user_account_role", _in("role", OLD_ROLES))
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE organisation DROP CONSTRAINT IF EXISTS ck_organisation_subordination")
    else:
        with op.batch_alter_table("organisation", schema=None, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(op.f("ck_organisation_subordination"), type_="check")
    _replace_check("organisation", "ck_organisation_org_kind", _in("kind", OLD_KINDS))
    _replace_check("organisation", "ck_organisation_hierarchy", OLD_HIERARCHY)
    with op.batch_alter_table("organisation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("subordination")
