"""appeals: anonymous appeals, their messages, the receipt-hash salt

Revision ID: 0020
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0002'
branch_labels = ('appeals',)
depends_on = None


def upgrade():
    op.create_table('appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=96), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('region_code', sa.String(length=8), nullable=True),
    sa.Column('settlement', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('callback_phone', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('receipt_confirmed', sa.Boolean(), nullable=False),
    sa.Column('reporter_updated', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_appeal_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_appeal_receipt_hash'))
    )
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_created_on'), ['created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_status'), ['status'], unique=False)

    op.create_table('appeal_installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_installation'))
    )

    op.create_table('appeal_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeal.id'], name=op.f('fk_appeal_message_appeal_id_appeal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_appeal_message_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_message')),
    sa.UniqueConstraint('nonce_hash', name=op.f('uq_appeal_message_nonce_hash'))
    )
    with op.batch_alter_table('appeal_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_message_appeal_id'), ['appeal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('appeal_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_message_appeal_id'))

    op.drop_table('appeal_message')
    op.drop_table('appeal_installation')
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_status'))
        batch_op.drop_index(batch_op.f('ix_appeal_region_code'))
        batch_op.drop_index(batch_op.f('ix_appeal_created_on'))
        batch_op.drop_index(batch_op.f('ix_appeal_category'))

    op.drop_table('appeal')
