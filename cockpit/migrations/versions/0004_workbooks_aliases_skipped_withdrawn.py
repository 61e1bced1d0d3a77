"""workbooks counties send: stored name aliases, the not-imported list of a batch, withdrawn figures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('name_aliases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('alias', sa.String(length=64), nullable=False),
    sa.Column('written', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_name_aliases')),
    sa.UniqueConstraint('kind', 'alias', name=op.f('uq_name_aliases_kind_alias'))
    )
    op.create_table('upload_skipped',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('sheet', sa.String(length=64), nullable=False),
    sa.Column('row', sa.Integer(), nullable=True),
    sa.Column('col', sa.Text(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['upload_batches.id'], name=op.f('fk_upload_skipped_batch_id_upload_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_skipped'))
    )
    with op.batch_alter_table('upload_skipped', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_skipped_batch_id'), ['batch_id'], unique=False)
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_column('withdrawn')
    with op.batch_alter_table('upload_skipped', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_skipped_batch_id'))
    op.drop_table('upload_skipped')
    op.drop_table('name_aliases')
