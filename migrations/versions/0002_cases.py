"""Cases: campaigns with schedules, cases, stage visits, obligations, the working-day calendar

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:08:51.302675

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('vpr_year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=True),
    sa.Column('order_date', sa.Date(), nullable=True),
    sa.Column('objectivity_workflow', sa.String(length=40), nullable=False),
    sa.Column('low_results_workflow', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['organisation.id'], name=op.f('fk_campaign_region_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('region_id', 'vpr_year', name=op.f('uq_campaign_region_id_vpr_year'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_region_id'), ['region_id'], unique=False)

    op.create_table('campaign_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('obligation_type', sa.String(length=40), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_deadline_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_deadline')),
    sa.UniqueConstraint('campaign_id', 'obligation_type', name=op.f('uq_campaign_deadline_campaign_id_obligation_type'))
    )
    op.create_table('school_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('objectivity', 'low_results', name='category', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('workflow', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('open', 'resolved', 'escalated', name='case_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('support_level', sa.Integer(), nullable=True),
    sa.Column('markers', sa.JSON(), nullable=False),
    sa.Column('marker_count', sa.Integer(), nullable=False),
    sa.Column('years_on_list', sa.Integer(), nullable=False),
    sa.Column('contract_review', sa.Boolean(), nullable=False),
    sa.Column('stage_entered_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('support_level IS NULL OR support_level BETWEEN 1 AND 3', name=op.f('ck_school_case_level')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_school_case_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['municipality_id'], ['organisation.id'], name=op.f('fk_school_case_municipality_id_organisation')),
    sa.ForeignKeyConstraint(['school_id'], ['organisation.id'], name=op.f('fk_school_case_school_id_organisation')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_school_case_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_case')),
    sa.UniqueConstraint('campaign_id', 'school_id', 'category', name=op.f('uq_school_case_campaign_id_school_id_category'))
    )
    with op.batch_alter_table('school_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_campaign_stage', ['campaign_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_case_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_case_school_id'), ['school_id'], unique=False)

    op.create_table('case_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_case_stage_case_id_school_case')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_case_stage_entered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_stage'))
    )
    with op.batch_alter_table('case_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_stage_case_id'), ['case_id'], unique=False)

    op.create_table('obligation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage_visit_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('obligation_type', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Enum('school', 'municipality', 'region', name='level', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('responsible_org_id', sa.Integer(), nullable=False),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_role', sa.String(length=16), nullable=True),
    sa.Column('document_types', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('due_rule', sa.String(length=60), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'submitted', 'returned', 'accepted', 'waived', name='obligation_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_obligation_case_id_school_case')),
    sa.ForeignKeyConstraint(['responsible_org_id'], ['organisation.id'], name=op.f('fk_obligation_responsible_org_id_organisation')),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['user_account.id'], name=op.f('fk_obligation_responsible_user_id_user_account')),
    sa.ForeignKeyConstraint(['stage_visit_id'], ['case_stage.id'], name=op.f('fk_obligation_stage_visit_id_case_stage')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_obligation_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation')),
    sa.UniqueConstraint('case_id', 'stage_visit_id', 'obligation_type', name=op.f('uq_obligation_case_id_stage_visit_id_obligation_type'))
    )
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligation_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligation_due_date'), ['due_date'], unique=False)
        batch_op.create_index('ix_obligation_responsible', ['responsible_org_id', 'status', 'due_date'], unique=False)
        batch_op.create_index('ix_obligation_status_due', ['status', 'due_date'], unique=False)




def downgrade():

    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_status_due')
        batch_op.drop_index('ix_obligation_responsible')
        batch_op.drop_index(batch_op.f('ix_obligation_due_date'))
        batch_op.drop_index(batch_op.f('ix_obligation_case_id'))

    op.drop_table('obligation')
    with op.batch_alter_table('case_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_stage_case_id'))

    op.drop_table('case_stage')
    with op.batch_alter_table('school_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_case_school_id'))
        batch_op.drop_index(batch_op.f('ix_school_case_municipality_id'))
        batch_op.drop_index('ix_case_campaign_stage')

    op.drop_table('school_case')
    op.drop_table('campaign_deadline')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_region_id'))

    op.drop_table('campaign')
    op.drop_table('calendar_year')
    op.drop_table('calendar_day')

