"""Indexes for national scale: the obligations a municipal act answers, each case's history in order, a user's newest notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Index-only batches: SQLite creates and drops them in place (no table copy), so the
    # append-only triggers of audit_event stay as they are.
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.create_index('ix_obligation_document', ['document_id'], unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_case_seq', ['case_id', 'seq'], unique=False)
        batch_op.drop_index('ix_audit_event_case_id')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_latest', ['user_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_latest')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_case_id', ['case_id'], unique=False)
        batch_op.drop_index('ix_audit_event_case_seq')

    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_document')
