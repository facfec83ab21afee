"""Sign runs: each school's evidence and markers in a row of their own (the case page reads one)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 23:00:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _loaded(value):
    return json.loads(value) if isinstance(value, str) else (value or [])


def upgrade():
    op.create_table(
        "sign_run_school",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("school_login", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("markers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sign_run.id"],
            name=op.f("fk_sign_run_school_run_id_sign_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "school_login", name=op.f("pk_sign_run_school")),
    )
    # the runs computed before: split their stored lists school by school
    bind = op.get_bind()
    table = sa.table(
        "sign_run_school",
        sa.column("run_id", sa.Integer()),
        sa.column("school_login", sa.String()),
        sa.column("evidence", sa.JSON()),
        sa.column("markers", sa.JSON()),
    )
    for run_id, markers, evidence in bind.execute(
        sa.text("SELECT id, markers, evidence FROM sign_run ORDER BY id")
    ):
        parts: dict[str, dict[str, list]] = {}
        for key, items in (("markers", _loaded(markers)), ("evidence", _loaded(evidence))):
            for item in items:
                login = str(item.get("school_login") or "")
                parts.setdefault(login, {"markers": [], "evidence": []})[key].append(item)
        if parts:
            op.bulk_insert(
                table,
                [{"run_id": run_id, "school_login": login, **part} for login, part in parts.items()],
            )


def downgrade():
    op.drop_table("sign_run_school")
