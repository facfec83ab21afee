"""Notices of events: each person's choice of e-mail per kind of notice

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-01 22:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_modes", sa.JSON(), nullable=True))
    op.execute("UPDATE user_account SET notice_modes = '{}'")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("notice_modes", existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("notice_modes")
