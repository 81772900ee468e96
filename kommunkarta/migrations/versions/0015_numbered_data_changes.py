"""Number the writes to public data and name the initiatives each one changed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 06:10:00.000000

`data_version.serial` goes up by one with every write to public data; `data_changes` holds,
per serial, the initiatives that write touched (a null initiative: anything may have
changed); `reference_token` changes only with writes that are not only about named
initiatives (taxonomy, places, bulk statements). Each process's in-memory counts reload just those initiatives after a write
instead of counting every initiative again (services.register.count_index).
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('data_version', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('serial', sa.BigInteger(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('reference_token', sa.String(length=32), server_default='', nullable=False)
        )
    op.execute(
        sa.text("UPDATE data_version SET reference_token = :token").bindparams(
            token=uuid.uuid4().hex
        )
    )
    op.create_table(
        'data_changes',
        sa.Column('serial', sa.BigInteger(), nullable=False),
        sa.Column('initiative_id', sa.Integer(), nullable=True),
    )
    with op.batch_alter_table('data_changes', schema=None) as batch_op:
        batch_op.create_index('ix_data_changes_serial', ['serial'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_data_changes_serial')
    op.drop_table('data_changes')
    with op.batch_alter_table('data_version', schema=None) as batch_op:
        batch_op.drop_column('reference_token')
        batch_op.drop_column('serial')
