"""Search key of people (the administrators' search folds Cyrillic on every database)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 03:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from app import names

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.String(600), nullable=True))
    bind = op.get_bind()
    people = sa.table(
        "user_account",
        sa.column("id", sa.Integer),
        sa.column("full_name", sa.String),
        sa.column("email", sa.String),
        sa.column("search_key", sa.String),
    )
    rows = bind.execute(sa.select(people.c.id, people.c.full_name, people.c.email)).all()
    if rows:
        bind.execute(
            people.update().where(people.c.id == sa.bindparam("person")),
            [
                {"person": person, "search_key": names.person_search_key(name, email)}
                for person, name, email in rows
            ],
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("search_key", existing_type=sa.String(600), nullable=False)
        batch_op.create_index("ix_user_account_search_key", ["search_key"])


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index("ix_user_account_search_key")
        batch_op.drop_column("search_key")
