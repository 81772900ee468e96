"""Store the language of an initiative's text; keep moderators' organisation aliases and the
imported cases that wait for them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 03:30:00.000000

`initiatives.lang` is the language of title, summary and description ("sv" for every
existing initiative except those from the EU Public Sector Tech Watch, which are English).
`organisation_aliases` maps an organisation's name to a municipality (or to none: not a
municipality); its code must exist. `waiting_cases` keeps the cases whose organisation no
one has placed yet, until a moderator does.
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('lang', sa.String(length=8), server_default='sv', nullable=False)
        )
    op.execute("UPDATE initiatives SET lang = 'en' WHERE external_ref LIKE 'pstw:%'")
    op.create_table(
        'organisation_aliases',
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('municipality_code', sa.String(length=4), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'waiting_cases',
        sa.Column('external_ref', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('organisation', sa.Text(), nullable=False),
        sa.Column('names', sa.Text(), nullable=False),
        sa.Column('row', sa.Text(), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('external_ref'),
    )


def downgrade() -> None:
    op.drop_table('waiting_cases')
    op.drop_table('organisation_aliases')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_column('lang')
