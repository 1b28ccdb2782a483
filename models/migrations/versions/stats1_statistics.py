"""statistics: daily and hourly aggregates of the event log, topics, rolled-up days; the estimate
each ticket was given

Revision ID: stats1
Revises: admin1
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = 'stats1'
down_revision = 'admin1'
branch_labels = None
depends_on = None

# As in models/stat_tables.py at the time of this migration: counts, then 30 buckets per histogram.
COUNTS = ('tickets', 'appointments', 'served', 'no_show', 'cancelled', 'transferred',
          'interpreter_requests', 'interpreting_s')
HISTOGRAMS = ('wait', 'service', 'estimate_error')
BUCKETS = 30


def _measures(histograms: tuple[str, ...]) -> list[sa.Column]:
    names = list(COUNTS) + [f'{h}_h{i:02d}' for h in histograms for i in range(BUCKETS)]
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in names]


def _stat_table(name: str, *extra_keys: str, histograms: tuple[str, ...] = HISTOGRAMS) -> None:
    keys = [sa.Column(k, sa.Integer(), nullable=False) for k in extra_keys]
    op.create_table(name,
        *keys,
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        *_measures(histograms),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f(f'fk_{name}_branch_id_branch'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f(f'fk_{name}_service_id_service'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(*extra_keys, 'branch_id', 'day', 'service_id', 'language', name=op.f(f'pk_{name}')),
    )


def upgrade() -> None:
    op.create_table('stat_rollup',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rolled_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_stat_rollup_branch_id_branch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('branch_id', 'day', name=op.f('pk_stat_rollup'))
    )
    _stat_table('stat_day')
    _stat_table('stat_hour', 'hour', histograms=('wait',))     # counts and waits only
    with op.batch_alter_table('stat_hour', schema=None) as batch_op:
        batch_op.create_index('ix_stat_hour_branch_id_day', ['branch_id', 'day'], unique=False)
    op.create_table('stat_topic',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_stat_topic_branch_id_branch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_stat_topic_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('branch_id', 'day', 'service_id', 'language', 'topic', name=op.f('pk_stat_topic'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_wait_minutes', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('estimated_wait_minutes')
    op.drop_table('stat_topic')
    with op.batch_alter_table('stat_hour', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_hour_branch_id_day')
    op.drop_table('stat_hour')
    op.drop_table('stat_day')
    op.drop_table('stat_rollup')
