"""Search and sort keys of organisations (Cyrillic folded on every database, numbers padded)

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-01 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from app import names

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.String(1100), nullable=True))
        batch_op.add_column(sa.Column("sort_key", sa.String(600), nullable=True))
    bind = op.get_bind()
    orgs = sa.table(
        "organisation",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("login", sa.String),
        sa.column("search_key", sa.String),
        sa.column("sort_key", sa.String),
    )
    rows = bind.execute(sa.select(orgs.c.id, orgs.c.name, orgs.c.login)).all()
    for org_id, name, login in rows:
        bind.execute(
            orgs.update()
            .where(orgs.c.id == org_id)
            .values(search_key=names.search_key(name, login), sort_key=names.sort_key(name))
        )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column("search_key", existing_type=sa.String(1100), nullable=False)
        batch_op.alter_column("sort_key", existing_type=sa.String(600), nullable=False)
        batch_op.create_index("ix_organisation_search_key", ["search_key"])
        batch_op.create_index("ix_organisation_sort_key", ["sort_key"])


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index("ix_organisation_sort_key")
        batch_op.drop_index("ix_organisation_search_key")
        batch_op.drop_column("sort_key")
        batch_op.drop_column("search_key")
