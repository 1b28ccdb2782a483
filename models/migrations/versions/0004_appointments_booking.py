"""appointments booking

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slot_booking',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('start', models.base.UTCDateTime(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_slot_booking_branch_id_branch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_slot_booking_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('branch_id', 'service_id', 'start', name=op.f('pk_slot_booking'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_at', models.base.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_appointment_status_start', ['status', 'start'], unique=False)

    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_days', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('booking_days', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('check_in_early_minutes', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('appointment_grace_minutes', sa.Integer(), server_default='15', nullable=False))

    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printer', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bookable', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('slot_minutes', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('slot_capacity', sa.Integer(), server_default='1', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('slot_capacity')
        batch_op.drop_column('slot_minutes')
        batch_op.drop_column('bookable')

    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_column('printer')

    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.drop_column('appointment_grace_minutes')
        batch_op.drop_column('check_in_early_minutes')
        batch_op.drop_column('booking_days')
        batch_op.drop_column('closed_days')

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_status_start')
        batch_op.drop_column('checked_in_at')

    op.drop_table('slot_booking')
