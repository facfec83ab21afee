"""VPR results, test specifications, import jobs and sign runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:43:25.299500

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('vpr_spec',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vpr_spec')),
    sa.UniqueConstraint('year', 'subject', 'grade', name=op.f('uq_vpr_spec_year_subject_grade'))
    )
    op.create_table('vpr_result',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('participant', sa.String(length=64), nullable=False),
    sa.Column('class_name', sa.String(length=16), nullable=False),
    sa.Column('variant', sa.String(length=16), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('mark', sa.SmallInteger(), nullable=False),
    sa.Column('journal_mark', sa.SmallInteger(), nullable=True),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['organisation.id'], name=op.f('fk_vpr_result_school_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vpr_result'))
    )
    with op.batch_alter_table('vpr_result', schema=None) as batch_op:
        batch_op.create_index('ix_vpr_result_work', ['year', 'subject', 'grade', 'school_id'], unique=False)

    op.create_table('sign_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('markers', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('schools', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_sign_run_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_sign_run_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['organisation.id'], name=op.f('fk_sign_run_region_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_run'))
    )
    with op.batch_alter_table('sign_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_run_region_id'), ['region_id'], unique=False)

    op.create_table('vpr_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('works', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_vpr_import_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['organisation.id'], name=op.f('fk_vpr_import_region_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vpr_import'))
    )



def downgrade():

    op.drop_table('vpr_import')
    with op.batch_alter_table('sign_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_run_region_id'))

    op.drop_table('sign_run')
    with op.batch_alter_table('vpr_result', schema=None) as batch_op:
        batch_op.drop_index('ix_vpr_result_work')

    op.drop_table('vpr_result')
    op.drop_table('vpr_spec')

