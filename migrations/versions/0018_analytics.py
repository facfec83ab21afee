"""Sources of markers kept apart: the region's own analytic markers on a case beside the federal
ones, and the per-school decisions on a proposed list

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-01 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
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
    with op.batch_alter_table("sign_run", schema=None) as batch_op:
        batch_op.drop_column("decisions")
    with op.batch_alter_table("school_case", schema=None) as batch_op:
        batch_op.drop_column("regional_markers")
