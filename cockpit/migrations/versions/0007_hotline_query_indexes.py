"""12345 at scale: a daily × county × category aggregate, and indexes for open tickets and surges

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:00:00

The open-overdue list read every ticket's row to find the open ones; the surge and category
tables looked each ticket up in the table for its category and county. A partial index on the
open tickets' due time and a covering (created_at, category, region_code) index make both index
range scans on SQLite and PostgreSQL (issue 14, bench/RESULTS.md). CREATE INDEX only: no table copy.
hotline_daily starts empty and unstamped: the first read after the upgrade fills it
(cockpit/hotline_daily.py), and every ingest keeps it current.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hotline_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'region_code', 'category', name=op.f('pk_hotline_daily'))
    )
    op.create_table('hotline_daily_state',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_daily_state'))
    )
    op.create_index('ix_hotline_tickets_open_due', 'hotline_tickets', ['due_at', 'id'],
                    sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
    op.create_index('ix_hotline_tickets_created_category_region', 'hotline_tickets',
                    ['created_at', 'category', 'region_code'])


def downgrade() -> None:
    op.drop_table('hotline_daily_state')
    op.drop_table('hotline_daily')
    op.drop_index('ix_hotline_tickets_created_category_region', table_name='hotline_tickets')
    op.drop_index('ix_hotline_tickets_open_due', table_name='hotline_tickets')
