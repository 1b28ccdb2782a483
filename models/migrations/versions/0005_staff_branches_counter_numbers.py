"""staff work at branches; counters have a number and names per language

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_branch',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_staff_branch_branch_id_branch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_branch_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'branch_id', name=op.f('pk_staff_branch'))
    )
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('names', sa.JSON(), server_default='{}', nullable=False))
    _number_existing_counters()
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_counter_branch_id_number'), ['branch_id', 'number'])
    # Existing staff keep working where they could: at every branch.
    op.execute("INSERT INTO staff_branch (staff_id, branch_id) SELECT staff.id, branch.id FROM staff, branch")


def _number_existing_counters() -> None:
    """Existing desks are numbered 1, 2, … per branch in their display order."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, branch_id FROM counter ORDER BY branch_id, sort_order, id")).all()
    next_number: dict[int, int] = {}
    for counter_id, branch_id in rows:
        next_number[branch_id] = next_number.get(branch_id, 0) + 1
        bind.execute(sa.text("UPDATE counter SET number = :n WHERE id = :id"), {"n": next_number[branch_id], "id": counter_id})


def downgrade() -> None:
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_counter_branch_id_number'), type_='unique')
        batch_op.drop_column('names')
        batch_op.drop_column('number')
    op.drop_table('staff_branch')
