"""appointments count their changes (the calendar file's SEQUENCE)

Revision ID: texts1
Revises: waiting1
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = 'texts1'
down_revision = 'waiting1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('revision')
