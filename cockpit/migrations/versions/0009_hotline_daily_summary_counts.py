"""12345 daily aggregate: closed, surveyed, satisfied and closed-late counts for the summary

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:00:00

The summary tiles (received, closed, satisfied, overdue) were the one 12345 query still counted
from the raw tickets: 9× DuckDB at 5,000,000 tickets (issue 14, bench/RESULTS.md). ADD COLUMN only;
the stamp is removed, so the first read after the upgrade recounts the aggregate with them
(cockpit/hotline_daily.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COUNTS = ('closed', 'surveyed', 'satisfied', 'closed_late')


def upgrade() -> None:
    for name in COUNTS:
        op.add_column('hotline_daily', sa.Column(name, sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.execute('DELETE FROM hotline_daily_state')


def downgrade() -> None:
    with op.batch_alter_table('hotline_daily') as batch:
        for name in COUNTS:
            batch.drop_column(name)
