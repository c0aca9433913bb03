"""Indexes for the appeals list, the deletion requests list and the shift dashboard

- appeal, deletion_request: (state, created_at, id) for a state's list, oldest first, paged by
  keyset; case_id, for the appeal or request of a case (`appeal show`, `deletion show`, decide);
- moderation_case: (queue, resolved_at, created_at, sla_due_at) for the shift dashboard's range
  counts, and claim_expires_at for the live claims it lists.

Index creation only: an existing store is upgraded in place (on SQLite, batch mode creates the
indexes without copying the tables).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_appeal_state_created', ['state', 'created_at', 'id'], unique=False)

    with op.batch_alter_table('deletion_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deletion_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_deletion_request_state_created', ['state', 'created_at', 'id'], unique=False)

    with op.batch_alter_table('moderation_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_claim_expires', ['claim_expires_at'], unique=False)
        batch_op.create_index('ix_case_shift', ['queue', 'resolved_at', 'created_at', 'sla_due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('moderation_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_shift')
        batch_op.drop_index('ix_case_claim_expires')

    with op.batch_alter_table('deletion_request', schema=None) as batch_op:
        batch_op.drop_index('ix_deletion_request_state_created')
        batch_op.drop_index(batch_op.f('ix_deletion_request_case_id'))

    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_state_created')
        batch_op.drop_index(batch_op.f('ix_appeal_case_id'))
