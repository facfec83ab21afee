"""Sources of markers kept apart: the region's own analytic markers on a case beside the federal
ones, and the per-school decisions on a proposed list; state exam results (ОГЭ, ЕГЭ)

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-01 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "exam_result",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("exam", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("test_score", sa.SmallInteger(), nullable=True),
        sa.Column("mark", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["organisation.id"], name=op.f("fk_exam_result_school_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_result")),
    )
    op.create_index(
        "ix_exam_result_unit", "exam_result", ["year", "exam", "subject", "school_id"], unique=False
    )
    with op.batch_alter_table("school_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regional_markers", sa.JSON(), nullable=True))
    op.execute("UPDATE school_case SET regional_markers = '{}'")
    with op.batch_alter_table("school_case", schema=None) as batch_op:
        batch_op.alter_column("regional_markers", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("sign_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decisions", sa.JSON(), nullable=True))
    op.execute("UPDATE sign_run SET decisions = '{}'")
    with op.batch_alter_table("sign_run", schema=None) as batch_op:
        batch_op.alter_column("decisions", existing_type=sa.JSON(), nullable=False)


def downgrade():
    op.drop_index("ix_exam_result_unit", table_name="exam_result")
    op.drop_table("exam_result")
    with op.batch_alter_table("sign_run", schema=None) as batch_op:
        batch_op.drop_column("decisions")
    with op.batch_alter_table("school_case", schema=None) as batch_op:
        batch_op.drop_column("regional_markers")
