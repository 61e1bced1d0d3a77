"""12345 query indexes: open tickets by due time (partial), and created_at with category and county

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:00:00

The open-overdue list read every ticket's row to find the open ones; the surge and category
tables looked each ticket up in the table for its category and county. A partial index on the
open tickets' due time and a covering (created_at, category, region_code) index make both index
range scans on SQLite and PostgreSQL (issue 14, bench/RESULTS.md). CREATE INDEX only: no table copy.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_hotline_tickets_open_due', 'hotline_tickets', ['due_at', 'id'],
                    sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
    op.create_index('ix_hotline_tickets_created_category_region', 'hotline_tickets',
                    ['created_at', 'category', 'region_code'])


def downgrade() -> None:
    op.drop_index('ix_hotline_tickets_created_category_region', table_name='hotline_tickets')
    op.drop_index('ix_hotline_tickets_open_due', table_name='hotline_tickets')
