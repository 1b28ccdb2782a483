"""interpreter requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interpreter_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('interpreter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('finished_at', models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_interpreter_request_branch_id_branch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_interpreter_request_counter_id_counter'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['staff.id'], name=op.f('fk_interpreter_request_interpreter_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by'], ['staff.id'], name=op.f('fk_interpreter_request_requested_by_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_interpreter_request_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter_request'))
    )
    with op.batch_alter_table('interpreter_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_request_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interpreter_request_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('interpreter_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_request_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_interpreter_request_branch_id'))

    op.drop_table('interpreter_request')
