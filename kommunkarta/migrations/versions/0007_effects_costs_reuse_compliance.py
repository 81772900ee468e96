"""Add effects, costs, reuse facts and compliance facts to initiatives

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 02:40:00.000000

An initiative may state any number of effects (table `effects`); their yearly hours and
kronor are stored on the initiative (`hours_per_year`, `sek_per_year`) so that the map sums
them as it counts. Costs, reuse facts and the municipality's own compliance assessment are
optional columns. Existing initiatives stay valid: no effects, every new column empty.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'effects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('benefit_area_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('amount', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=8), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=True),
        sa.Column('people', sa.Integer(), nullable=True),
        sa.Column('basis', sa.String(length=12), nullable=False),
        sa.Column('source_url', sa.String(length=500), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['benefit_area_id'], ['benefit_areas.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('effects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_effects_initiative_id'), ['initiative_id'])

    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_per_year', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('sek_per_year', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('investment_sek', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('running_sek_per_year', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('procurement', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('others_may_call_off', sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column('supplier', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('open_source_url', sa.String(length=500), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('personal_data', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('dpia', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('ai_act', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('fria', sa.Boolean(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_initiatives_others_may_call_off'), ['others_may_call_off']
        )
        batch_op.create_index(batch_op.f('ix_initiatives_ai_act'), ['ai_act'])


def downgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_ai_act'))
        batch_op.drop_index(batch_op.f('ix_initiatives_others_may_call_off'))
        for column in (
            'fria',
            'ai_act',
            'dpia',
            'personal_data',
            'open_source_url',
            'supplier',
            'others_may_call_off',
            'procurement',
            'running_sek_per_year',
            'investment_sek',
            'sek_per_year',
            'hours_per_year',
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table('effects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_effects_initiative_id'))
    op.drop_table('effects')
