"""What happens inside the stages: forms, recheck commissions and works, strategic sessions, director evaluations, mentoring, competence assessments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 20:35:09.145029

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('indicator_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.Float(), nullable=False),
    sa.Column('partly_from', sa.Float(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_set')),
    sa.UniqueConstraint('version', name=op.f('uq_indicator_set_version'))
    )
    op.create_table('expert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('position', sa.String(length=300), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['organisation.id'], name=op.f('fk_expert_municipality_id_organisation')),
    sa.ForeignKeyConstraint(['school_id'], ['organisation.id'], name=op.f('fk_expert_school_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert'))
    )
    with op.batch_alter_table('expert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('strategic_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('online_link', sa.String(length=500), nullable=True),
    sa.Column('directions', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_strategic_session_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['region_id'], ['organisation.id'], name=op.f('fk_strategic_session_region_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategic_session'))
    )
    with op.batch_alter_table('strategic_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategic_session_region_id'), ['region_id'], unique=False)

    op.create_table('case_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_case_form_case_id_school_case')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_case_form_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_form')),
    sa.UniqueConstraint('case_id', 'kind', name=op.f('uq_case_form_case_id_kind'))
    )
    op.create_table('commission_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('chair', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_commission_member_case_id_school_case')),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_commission_member_expert_id_expert')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_member')),
    sa.UniqueConstraint('case_id', 'expert_id', name=op.f('uq_commission_member_case_id_expert_id'))
    )
    with op.batch_alter_table('commission_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_member_case_id'), ['case_id'], unique=False)

    op.create_table('competence_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('teacher', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=300), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_competence_assessment_case_id_school_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competence_assessment'))
    )
    with op.batch_alter_table('competence_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competence_assessment_case_id'), ['case_id'], unique=False)

    op.create_table('director_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('set_version', sa.Integer(), nullable=False),
    sa.Column('school_values', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('max_total', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_director_evaluation_case_id_school_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_director_evaluation')),
    sa.UniqueConstraint('case_id', name=op.f('uq_director_evaluation_case_id'))
    )
    op.create_table('mentorship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('leader_school_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_mentorship_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_mentorship_case_id_school_case')),
    sa.ForeignKeyConstraint(['leader_school_id'], ['organisation.id'], name=op.f('fk_mentorship_leader_school_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship')),
    sa.UniqueConstraint('case_id', name=op.f('uq_mentorship_case_id'))
    )
    op.create_table('recheck_work',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('participant', sa.String(length=64), nullable=False),
    sa.Column('score_school', sa.SmallInteger(), nullable=False),
    sa.Column('mark_school', sa.SmallInteger(), nullable=False),
    sa.Column('score_recheck', sa.SmallInteger(), nullable=True),
    sa.Column('mark_recheck', sa.SmallInteger(), nullable=True),
    sa.Column('expert_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_recheck_work_case_id_school_case')),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_recheck_work_expert_id_expert')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recheck_work')),
    sa.UniqueConstraint('case_id', 'subject', 'grade', 'participant', name=op.f('uq_recheck_work_case_id_subject_grade_participant'))
    )
    with op.batch_alter_table('recheck_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recheck_work_case_id'), ['case_id'], unique=False)

    op.create_table('session_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['school_case.id'], name=op.f('fk_session_invite_case_id_school_case')),
    sa.ForeignKeyConstraint(['session_id'], ['strategic_session.id'], name=op.f('fk_session_invite_session_id_strategic_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_invite')),
    sa.UniqueConstraint('session_id', 'case_id', name=op.f('uq_session_invite_session_id_case_id'))
    )
    with op.batch_alter_table('session_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_invite_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_invite_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_document_session_id_strategic_session'), 'strategic_session', ['session_id'], ['id'])




def downgrade():

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_session_id_strategic_session'), type_='foreignkey')
        batch_op.drop_column('session_id')

    with op.batch_alter_table('session_invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_invite_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_invite_case_id'))

    op.drop_table('session_invite')
    with op.batch_alter_table('recheck_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recheck_work_case_id'))

    op.drop_table('recheck_work')
    op.drop_table('mentorship')
    op.drop_table('director_evaluation')
    with op.batch_alter_table('competence_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competence_assessment_case_id'))

    op.drop_table('competence_assessment')
    with op.batch_alter_table('commission_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_member_case_id'))

    op.drop_table('commission_member')
    op.drop_table('case_form')
    with op.batch_alter_table('strategic_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategic_session_region_id'))

    op.drop_table('strategic_session')
    with op.batch_alter_table('expert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_municipality_id'))

    op.drop_table('expert')
    op.drop_table('indicator_set')

