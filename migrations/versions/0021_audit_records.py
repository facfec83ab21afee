"""History: each event's hashed record stored with it; how far the chain is verified

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-01 23:00:00.000000

Every existing event gets ``canonical``, the bytes its hash was computed over (rebuilt from its
columns exactly as app.audit hashed them), and its ``before``/``after`` rewritten in the same
canonical serialisation (the same values, sorted keys, no spaces), so that the columns are the
text inside the record. An event already altered behind the application's back gets a record
that does not match its hash: it stays broken, nothing is laundered. The append-only triggers
are held off for the backfill only.
"""

import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 20_000

events = sa.table(
    "audit_event",
    sa.column("seq", sa.BigInteger),
    sa.column("occurred_at", sa.DateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("actor_role", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.BigInteger),
    sa.column("org_id", sa.Integer),
    sa.column("case_id", sa.BigInteger),
    sa.column("before", sa.Text),
    sa.column("after", sa.Text),
    sa.column("reason", sa.Text),
    sa.column("prev_hash", sa.String),
    sa.column("canonical", sa.LargeBinary),
)


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _record(row):
    """The event's record as app.audit.canonical_bytes made it at revision 0021, and its
    before/after in the canonical serialisation."""
    before = None if row.before is None else json.loads(row.before)
    after = None if row.after is None else json.loads(row.after)
    at = row.occurred_at
    if isinstance(at, str):  # SQLite without the DateTime type's parsing
        at = datetime.fromisoformat(at)
    content = {
        "seq": row.seq,
        "occurred_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),  # naive UTC in the database
        "actor_id": row.actor_id,
        "actor_name": row.actor_name,
        "actor_role": row.actor_role,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "org_id": row.org_id,
        "case_id": row.case_id,
        "before": before,
        "after": after,
        "reason": row.reason,
        "prev_hash": row.prev_hash,
    }
    return (
        row.seq,
        _canonical(content).encode("utf-8"),
        None if before is None else _canonical(before),
        None if after is None else _canonical(after),
    )


def _batches(bind):
    after = 0
    # before/after as the text stored (PostgreSQL's driver would parse a json column).
    columns = [
        sa.cast(c, sa.Text).label(c.key) if c.key in ("before", "after") else c
        for c in events.c
        if c.key != "canonical"
    ]
    if bind.dialect.name == "postgresql":  # plain driver rows: a million of them
        from psycopg.rows import namedtuple_row

        sql = (
            "SELECT seq, occurred_at, actor_id, actor_name, actor_role, action, object_type,"
            " object_id, org_id, case_id, before::text AS before, after::text AS after, reason,"
            f" prev_hash FROM audit_event WHERE seq > %s ORDER BY seq LIMIT {BATCH}"
        )
        raw = bind.connection.driver_connection

        def fetch(after):
            with raw.cursor(row_factory=namedtuple_row) as cur:
                cur.execute(sql, (after,))
                return cur.fetchall()
    else:

        def fetch(after):
            return bind.execute(
                sa.select(*columns).where(events.c.seq > after).order_by(events.c.seq).limit(BATCH)
            ).all()

    while rows := fetch(after):
        yield [_record(row) for row in rows]
        after = rows[-1].seq


def _backfill_postgresql(bind):
    """COPY the records into a scratch table batch by batch, then one UPDATE joining it."""
    op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
    op.execute(
        "CREATE TEMPORARY TABLE audit_record_fill"
        " (seq bigint PRIMARY KEY, canonical bytea NOT NULL, before json, after json)"
        " ON COMMIT DROP"
    )
    raw = bind.connection.driver_connection
    for batch in _batches(bind):
        with (
            raw.cursor() as cur,
            cur.copy("COPY audit_record_fill (seq, canonical, before, after) FROM STDIN") as copy,
        ):
            for row in batch:
                copy.write_row(row)
    op.execute("ANALYZE audit_record_fill")
    # Every row gets a new version: its plain indexes are rebuilt once afterwards rather than
    # updated a million times (those backing constraints stay).
    plain = bind.exec_driver_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'audit_event'"
        " AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        " WHERE c.conname = i.indexname)"
    ).all()
    for name, _definition in plain:
        op.execute(f'DROP INDEX "{name}"')
    op.execute(
        "UPDATE audit_event e SET canonical = f.canonical, before = f.before, after = f.after"
        " FROM audit_record_fill f WHERE e.seq = f.seq"
    )
    for _name, definition in plain:
        op.execute(definition)
    op.execute("DROP TABLE audit_record_fill")
    op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")


def _backfill_sqlite(bind):
    op.execute("DROP TRIGGER audit_event_no_update")
    update = sa.text(
        "UPDATE audit_event SET canonical = :canonical, before = :before, after = :after"
        " WHERE seq = :seq"
    )
    for batch in _batches(bind):
        bind.execute(
            update,
            [{"seq": s, "canonical": c, "before": b, "after": a} for s, c, b, a in batch],
        )
    op.execute(
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN"
        " SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )


def upgrade():
    op.add_column("audit_event", sa.Column("canonical", sa.LargeBinary(), nullable=True))
    op.create_table(
        "audit_verified",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checked", sa.BigInteger(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.Column("verified_by", sa.String(length=64), nullable=False),
        sa.Column("broken_seq", sa.BigInteger(), nullable=True),
        sa.Column("problem", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_audit_verified")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _backfill_postgresql(bind)
    else:
        _backfill_sqlite(bind)


def downgrade():
    op.drop_table("audit_verified")
    op.drop_column("audit_event", "canonical")
