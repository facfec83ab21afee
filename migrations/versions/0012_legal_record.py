"""The campaign's legal record: the approving order's title, issuer and signatory; the registration of signed acts and their scans

The campaign gets the approving order's title, issuing body and signatory, and a version column
for editing them; a document version gets the registration of a signed act and, for a scan of
the signed paper, the version it is the signed copy of.

Campaigns keep their order number and date; the new columns start empty and every campaign
starts at version 1. A registration is a number with its date (both or neither), with who
entered it and when.

Downgrade: the columns go; a scanned signed copy stays as an ordinary version of its document.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The application's constraint names (app.extensions), so that SQLite's table copies keep the
# names PostgreSQL has.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def upgrade():
    with op.batch_alter_table("campaign", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("order_title", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("order_issuer", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("order_signatory_name", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("order_signatory_position", sa.String(length=300), nullable=True)
        )
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )

    with op.batch_alter_table(
        "document_version", schema=None, naming_convention=NAMING
    ) as batch_op:
        batch_op.add_column(sa.Column("reg_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("reg_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("registered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("registered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_copy_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_document_version_registered_by_id_user_account"),
            "user_account",
            ["registered_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_document_version_signed_copy_of_id_document_version"),
            "document_version",
            ["signed_copy_of_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "registration", "(reg_number IS NULL) = (reg_date IS NULL)"
        )


def downgrade():
    with op.batch_alter_table(
        "document_version", schema=None, naming_convention=NAMING
    ) as batch_op:
        batch_op.drop_constraint(op.f("ck_document_version_registration"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_document_version_signed_copy_of_id_document_version"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            op.f("fk_document_version_registered_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("signed_copy_of_id")
        batch_op.drop_column("registered_by_id")
        batch_op.drop_column("registered_at")
        batch_op.drop_column("reg_date")
        batch_op.drop_column("reg_number")

    with op.batch_alter_table("campaign", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("order_signatory_position")
        batch_op.drop_column("order_signatory_name")
        batch_op.drop_column("order_issuer")
        batch_op.drop_column("order_title")
