"""Sanction rules and evasion links, appeal and deletion decisions, content edits

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_appeal_decided_by', 'staff', ['decided_by'], ['id'])

    with op.batch_alter_table('content', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('deletion_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_deletion_request_decided_by', 'staff', ['decided_by'], ['id'])

    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('extends_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_sanction_extends', 'sanction', ['extends_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sanction_extends', type_='foreignkey')
        batch_op.drop_column('extends_id')
        batch_op.drop_column('rule')

    with op.batch_alter_table('deletion_request', schema=None) as batch_op:
        batch_op.drop_constraint('fk_deletion_request_decided_by', type_='foreignkey')
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('decision')

    with op.batch_alter_table('content', schema=None) as batch_op:
        batch_op.drop_column('edited_at')

    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_appeal_decided_by', type_='foreignkey')
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('decision')

