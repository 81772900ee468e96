"""Add freshness, coverage statements, readers' reports and adoptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:30:00.000000

`initiatives.last_confirmed_at` starts as the last update of every published initiative (its
publication was the last time someone vouched for it); `none_confirmations` holds a
municipality's "we have no AI initiatives", `reports` readers' reports of mistakes and
`adoptions` the municipalities that use another's initiative too.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('last_confirmed_at', sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE initiatives SET last_confirmed_at = updated_at WHERE state = 'published'"
    )
    op.create_table(
        'none_confirmations',
        sa.Column('municipality_code', sa.String(length=4), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code']),
        sa.PrimaryKeyConstraint('municipality_code'),
    )
    op.create_table(
        'reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('contact', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reports_initiative_id', 'reports', ['initiative_id'], unique=False)
    op.create_index('ix_reports_resolved_at', 'reports', ['resolved_at'], unique=False)
    op.create_table(
        'adoptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sa.String(length=4), nullable=False),
        sa.Column('status_id', sa.Integer(), nullable=False),
        sa.Column('start_year', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code']),
        sa.ForeignKeyConstraint(['status_id'], ['statuses.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('initiative_id', 'municipality_code'),
    )
    op.create_index('ix_adoptions_initiative_id', 'adoptions', ['initiative_id'], unique=False)
    op.create_index(
        'ix_adoptions_municipality_code', 'adoptions', ['municipality_code'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_adoptions_municipality_code', table_name='adoptions')
    op.drop_index('ix_adoptions_initiative_id', table_name='adoptions')
    op.drop_table('adoptions')
    op.drop_index('ix_reports_resolved_at', table_name='reports')
    op.drop_index('ix_reports_initiative_id', table_name='reports')
    op.drop_table('reports')
    op.drop_table('none_confirmations')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_column('last_confirmed_at')
