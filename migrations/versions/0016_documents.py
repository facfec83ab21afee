"""Documents an official signs as they are: the issuing body and place of an organisation, and
the conclusions of a case's papers written before generation

An organisation gets ``authority`` (the issuing body in full, as on its letterhead: «Администрация
муниципального образования «…»», «Отдел образования администрации …») and ``place`` (the place
of issue: «г. Озерск», «р.п. Переяславка») and its head who signs its acts (``head_position``,
``head_name``: «Глава администрации», «Строганова Наталья Александровна»); all start empty, and documents then fall back to
the organisation's own name and leave the place out.

``document_conclusion`` keeps the conclusions of a case's paper (the information certificate,
the recheck protocol) as the responsible person edited them: one row a case and kind, with a
version for concurrent edits.

Downgrade: the table and the columns go.

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-01 19:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def upgrade():
    with op.batch_alter_table("organisation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("authority", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("head_position", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("head_name", sa.String(length=200), nullable=True))
    op.create_table(
        "document_conclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["school_case.id"],
            name=op.f("fk_document_conclusion_case_id_school_case"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_document_conclusion_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_conclusion")),
        sa.UniqueConstraint(
            "case_id", "kind", name=op.f("uq_document_conclusion_case_id_kind")
        ),
    )


def downgrade():
    op.drop_table("document_conclusion")
    with op.batch_alter_table("organisation", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column("head_name")
        batch_op.drop_column("head_position")
        batch_op.drop_column("place")
        batch_op.drop_column("authority")
