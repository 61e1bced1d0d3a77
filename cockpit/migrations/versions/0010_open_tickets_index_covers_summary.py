"""12345 open tickets: the partial index also holds each ticket's created_at, county and category

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 11:00:00

The summary tiles count "open and past due now" among the tickets of their window (cockpit/hotline.py,
summary). The partial index over open tickets held (due_at, id) only, so each open ticket past due
was looked up in the table for its created_at, county and category: 3.4 ms of a 7-day summary at
5,000,000 tickets on SQLite, against 0.9 ms read from the index alone (issue 14, bench/RESULTS.md).
Same name, still over open tickets only (a few thousand rows): a bulk load builds it in well under
a second.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OPEN = sa.text('closed_at IS NULL')
NAME = 'ix_hotline_tickets_open_due'


def upgrade() -> None:
    op.drop_index(NAME, table_name='hotline_tickets')
    op.create_index(NAME, 'hotline_tickets', ['due_at', 'id', 'created_at', 'region_code', 'category'],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index(NAME, table_name='hotline_tickets')
    op.create_index(NAME, 'hotline_tickets', ['due_at', 'id'], sqlite_where=OPEN, postgresql_where=OPEN)
