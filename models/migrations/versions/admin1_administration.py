"""administration: managed topics, audit trail, device pairing, service what-to-bring

Revision ID: admin1
Revises: auth1
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = 'admin1'
down_revision = 'auth1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic')),
    sa.UniqueConstraint('code', name=op.f('uq_topic_code'))
    )
    _seed_topics()
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_audit_event_staff_id_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_at', ['at'], unique=False)

    op.create_table('pairing_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_pairing_request_device_id_device'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_request')),
    sa.UniqueConstraint('code', name=op.f('uq_pairing_request_code'))
    )
    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kiosk_outside_hours', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('what_to_bring', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('slide', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekdays', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('time_from', sa.String(length=5), server_default='', nullable=False))
        batch_op.add_column(sa.Column('time_until', sa.String(length=5), server_default='', nullable=False))
        batch_op.add_column(sa.Column('image', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('image_type', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('image_sha', sa.String(length=64), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('slide', schema=None) as batch_op:
        for column in ('image_sha', 'image_type', 'image', 'time_until', 'time_from', 'weekdays'):
            batch_op.drop_column(column)

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('what_to_bring')

    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.drop_column('kiosk_outside_hours')

    op.drop_table('pairing_request')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_at')

    op.drop_table('audit_event')
    op.drop_table('topic')


# The topics that were a constant in code until this revision, so recorded history keeps its names.
TOPICS = [
    ("residence_status", "Pobytový status", "Residence status"), ("housing", "Bydlení", "Housing"),
    ("work", "Práce", "Work"), ("education", "Vzdělávání", "Education"),
    ("social_security", "Sociální zabezpečení", "Social security"),
    ("health_care", "Zdravotní péče", "Health care"), ("family", "Rodina", "Family"),
    ("citizenship", "Občanství", "Citizenship"), ("other", "Jiné", "Other"),
]


def _seed_topics() -> None:
    table = sa.table("topic", sa.column("code", sa.String), sa.column("names", sa.JSON),
                     sa.column("active", sa.Boolean), sa.column("sort_order", sa.Integer))
    op.bulk_insert(table, [{"code": code, "names": {"cs": cs, "en": en}, "active": True, "sort_order": order}
                           for order, (code, cs, en) in enumerate(TOPICS)])
