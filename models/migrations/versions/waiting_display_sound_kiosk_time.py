"""displays: volume and spoken languages; kiosks: their own time limit

Revision ID: waiting1
Revises: stats1
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = 'waiting1'
down_revision = 'stats1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('display', schema=None) as batch_op:
        batch_op.add_column(sa.Column('volume', sa.Integer(), server_default='80', nullable=False))
        batch_op.add_column(sa.Column('spoken_languages', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_seconds', sa.Integer(), server_default='45', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('idle_seconds')
    with op.batch_alter_table('display', schema=None) as batch_op:
        batch_op.drop_column('spoken_languages')
        batch_op.drop_column('volume')
