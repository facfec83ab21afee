"""Municipal mechanisms of managing the quality of education: criteria, yearly reports, values

The criteria are data: 1.1 and 1.2 of seed 002 are inserted for every region (region_id NULL);
a region adds its own. A report holds one municipality's figures for one year, its conclusions
and the municipal order approving the report and the next year's roadmap.

Downgrade: the three tables go. A file attached as the approved report stays in the store as a
document of its municipality (the history of its upload refers to it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00.000000

"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CRITERIA = (
    ("1.1", "Система оценки качества подготовки обучающихся", 1),
    (
        "1.2",
        "Система работы со школами с низкими результатами обучения и/или школами, "
        "функционирующими в неблагоприятных социальных условиях",
        2,
    ),
)


def upgrade():
    criterion = op.create_table(
        "mechanism_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_mechanism_criterion_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["organisation.id"],
            name=op.f("fk_mechanism_criterion_region_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mechanism_criterion")),
        sa.UniqueConstraint(
            "region_id", "code", name=op.f("uq_mechanism_criterion_region_id_code")
        ),
    )
    with op.batch_alter_table("mechanism_criterion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mechanism_criterion_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "mechanism_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("conclusions", sa.Text(), nullable=False),
        sa.Column("order_number", sa.String(length=50), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=True),
        sa.Column("publisher", sa.String(length=300), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_mechanism_report_year")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_mechanism_report_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["organisation.id"],
            name=op.f("fk_mechanism_report_municipality_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["organisation.id"],
            name=op.f("fk_mechanism_report_region_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_mechanism_report_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mechanism_report")),
        sa.UniqueConstraint(
            "municipality_id", "year", name=op.f("uq_mechanism_report_municipality_id_year")
        ),
    )
    with op.batch_alter_table("mechanism_report", schema=None) as batch_op:
        batch_op.create_index("ix_mechanism_report_region_year", ["region_id", "year"], unique=False)

    op.create_table(
        "mechanism_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("previous", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.CheckConstraint(
            "previous IS NULL OR (previous >= 0 AND previous <= 100)",
            name=op.f("ck_mechanism_value_previous"),
        ),
        sa.CheckConstraint(
            "value IS NULL OR (value >= 0 AND value <= 100)",
            name=op.f("ck_mechanism_value_value"),
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["mechanism_criterion.id"],
            name=op.f("fk_mechanism_value_criterion_id_mechanism_criterion"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["mechanism_report.id"],
            name=op.f("fk_mechanism_value_report_id_mechanism_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mechanism_value")),
        sa.UniqueConstraint(
            "report_id", "criterion_id", name=op.f("uq_mechanism_value_report_id_criterion_id")
        ),
    )
    with op.batch_alter_table("mechanism_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mechanism_value_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mechanism_value_report_id"), ["report_id"], unique=False)

    now = datetime(2026, 12, 1, 12, 0)
    op.bulk_insert(
        criterion,
        [
            {"code": code, "title": title, "position": position, "created_at": now}
            for code, title, position in CRITERIA
        ],
    )


def downgrade():
    with op.batch_alter_table("mechanism_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mechanism_value_report_id"))
        batch_op.drop_index(batch_op.f("ix_mechanism_value_criterion_id"))
    op.drop_table("mechanism_value")

    with op.batch_alter_table("mechanism_report", schema=None) as batch_op:
        batch_op.drop_index("ix_mechanism_report_region_year")
    op.drop_table("mechanism_report")

    with op.batch_alter_table("mechanism_criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mechanism_criterion_region_id"))
    op.drop_table("mechanism_criterion")
