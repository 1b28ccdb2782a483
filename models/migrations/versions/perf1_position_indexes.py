"""tickets: indexes whose ranges positions count

Revision ID: perf1
Revises: texts1
Create Date: 2026-12-02
"""
from alembic import op


revision = 'perf1'
down_revision = 'texts1'
branch_labels = None
depends_on = None

QUEUE = ['branch_id', 'service_day', 'service_id', 'status', 'priority', 'effective_at', 'due_at']


def upgrade() -> None:
    op.drop_index('ix_ticket_queue', table_name='ticket')
    op.create_index('ix_ticket_queue', 'ticket', QUEUE + ['target_counter_id', 'language', 'id'])
    op.create_index('ix_ticket_due', 'ticket', ['branch_id', 'service_day', 'service_id', 'status', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_ticket_due', table_name='ticket')
    op.drop_index('ix_ticket_queue', table_name='ticket')
    op.create_index('ix_ticket_queue', 'ticket', QUEUE)
