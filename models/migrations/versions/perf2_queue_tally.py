"""queues: the kept tally of plain walk-ins, and the partial index of the other tickets

Revision ID: perf2
Revises: perf1
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from models.tally import POSTGRESQL_DROP, POSTGRESQL_TRIGGERS, SQLITE_DROP, SQLITE_TRIGGERS

# The trigger statements are models/tally.py's: should they ever change, a new migration must drop
# and create them again (this one's upgrade then creates the newer ones, which is what a new
# installation gets from the models as well).

revision = 'perf2'
down_revision = 'perf1'
branch_labels = None
depends_on = None

QUEUE = ['branch_id', 'service_day', 'service_id', 'status', 'priority', 'effective_at', 'due_at',
         'target_counter_id', 'language', 'id']
SPECIAL = "due_at IS NOT NULL OR target_counter_id IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        'queue_tally',
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('service_day', sa.Date(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('waiting', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('branch_id', 'service_day', 'service_id', 'priority', 'language'),
    )
    op.create_index('ix_ticket_special', 'ticket', QUEUE, sqlite_where=sa.text(SPECIAL),
                    postgresql_where=sa.text(SPECIAL))
    op.create_index('ix_ticket_day_status', 'ticket', ['branch_id', 'service_day', 'status'])
    # The tickets waiting now, then the triggers keep the tally (no ticket changes between: one transaction).
    op.execute("INSERT INTO queue_tally (branch_id, service_day, service_id, priority, language, waiting) "
               "SELECT branch_id, service_day, service_id, priority, language, count(*) FROM ticket "
               "WHERE status = 'waiting' AND due_at IS NULL AND target_counter_id IS NULL "
               "GROUP BY branch_id, service_day, service_id, priority, language")
    for statement in SQLITE_TRIGGERS if op.get_context().dialect.name == 'sqlite' else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DROP if op.get_context().dialect.name == 'sqlite' else POSTGRESQL_DROP:
        op.execute(statement)
    op.drop_index('ix_ticket_day_status', table_name='ticket')
    op.drop_index('ix_ticket_special', table_name='ticket')
    op.drop_table('queue_tally')
