"""logins that survive a reload (login_sessions, server_secrets); plan indicators carry their plan

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.Column('sid_hash', sa.String(length=64), nullable=True),
    sa.Column('ticket_hash', sa.String(length=64), nullable=True),
    sa.Column('ticket_expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('sid_hash', name=op.f('uq_login_sessions_sid_hash')),
    sa.UniqueConstraint('ticket_hash', name=op.f('uq_login_sessions_ticket_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_name'), ['user_name'], unique=False)
    op.create_table('server_secrets',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_server_secrets'))
    )
    # The target column names no year: the next plan's targets go in it too (data/plan/plan.toml).
    # A plain RENAME COLUMN (SQLite 3.25+, PostgreSQL): batch mode would rebuild the table, which
    # SQLite refuses while observations refer to it.
    op.execute('ALTER TABLE indicators RENAME COLUMN target_2025 TO plan_target')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE indicators DROP COLUMN plan_id')  # SQLite 3.35+
    op.execute('ALTER TABLE indicators RENAME COLUMN plan_target TO target_2025')
    op.drop_table('server_secrets')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_name'))
    op.drop_table('login_sessions')
