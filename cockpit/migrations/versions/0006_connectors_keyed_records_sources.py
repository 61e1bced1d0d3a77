"""connectors: records keyed by their source (updated in place, earlier states kept), source state and runs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KEYED = ('emergency_events', 'hotline_tickets', 'weather_warnings', 'duty_roster')


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: no table copy, so a store holding millions of tickets upgrades at once.
    for table in KEYED:
        op.add_column(table, sa.Column('origin', sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column('source_key', sa.String(length=128), nullable=True))
        op.create_index(op.f(f'ix_{table}_origin_source_key'), table, ['origin', 'source_key'], unique=True)
    op.create_table('record_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dataset', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('state_batch_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['upload_batches.id'], name=op.f('fk_record_versions_batch_id_upload_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_versions'))
    )
    op.create_index(op.f('ix_record_versions_dataset_record_id'), 'record_versions', ['dataset', 'record_id'])
    op.create_index(op.f('ix_record_versions_batch_id'), 'record_versions', ['batch_id'])
    op.create_index(op.f('ix_record_versions_state_batch_id'), 'record_versions', ['state_batch_id'])
    op.create_table('source_state',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('watermarks', sa.Text(), nullable=False),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('last_rows', sa.Integer(), nullable=True),
    sa.Column('last_written', sa.Integer(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_source_state'))
    )
    op.create_table('source_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('written', sa.Integer(), nullable=False),
    sa.Column('batches', sa.String(length=255), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_runs'))
    )
    op.create_index(op.f('ix_source_runs_source_started_at'), 'source_runs', ['source', 'started_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_source_runs_source_started_at'), table_name='source_runs')
    op.drop_table('source_runs')
    op.drop_table('source_state')
    op.drop_index(op.f('ix_record_versions_state_batch_id'), table_name='record_versions')
    op.drop_index(op.f('ix_record_versions_batch_id'), table_name='record_versions')
    op.drop_index(op.f('ix_record_versions_dataset_record_id'), table_name='record_versions')
    op.drop_table('record_versions')
    for table in KEYED:
        op.drop_index(op.f(f'ix_{table}_origin_source_key'), table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('source_key')
            batch_op.drop_column('origin')
