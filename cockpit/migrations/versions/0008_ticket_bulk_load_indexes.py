"""12345 bulk loads: two ticket indexes fewer, and the source-key indexes over keyed rows only

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 14:00:00

A load of millions of tickets spent most of its time keeping seven indexes (issue 14,
bench/RESULTS.md). Two of them add nothing since 0007: (created_at) and (category, created_at) are
served by (created_at, category, region_code), whose leading column answers min/max and every
time range, with the category checked inside the index. The (origin, source_key) indexes covered
every row although only rows from a connector have a key: they now cover those rows only
(WHERE origin IS NOT NULL), which every lookup implies (`origin = ...`). Uniqueness is unchanged:
NULL keys were never compared. DROP and CREATE INDEX only: no table copy.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

KEYED = ('emergency_events', 'hotline_tickets', 'weather_warnings', 'duty_roster')
KEYED_ONLY = sa.text('origin IS NOT NULL')


def upgrade() -> None:
    op.drop_index('ix_hotline_tickets_created_at', table_name='hotline_tickets')
    op.drop_index('ix_hotline_tickets_category_created_at', table_name='hotline_tickets')
    for table in KEYED:
        op.drop_index(f'ix_{table}_origin_source_key', table_name=table)
        op.create_index(f'ix_{table}_origin_source_key', table, ['origin', 'source_key'], unique=True,
                        sqlite_where=KEYED_ONLY, postgresql_where=KEYED_ONLY)


def downgrade() -> None:
    for table in KEYED:
        op.drop_index(f'ix_{table}_origin_source_key', table_name=table)
        op.create_index(f'ix_{table}_origin_source_key', table, ['origin', 'source_key'], unique=True)
    op.create_index('ix_hotline_tickets_category_created_at', 'hotline_tickets', ['category', 'created_at'])
    op.create_index('ix_hotline_tickets_created_at', 'hotline_tickets', ['created_at'])
