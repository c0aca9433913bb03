"""A keyed audit chain: the store's id and each entry's key id

- store_meta: one row `store_id`, a random id naming the store's audit key file (outside the
  database: see modconsole/domain/audit_key.py);
- audit_entry.key_id: the key version that signed the entry (HMAC-SHA-256); NULL for entries
  written before this version, which keep their unkeyed SHA-256 chain. The first keyed entry
  (`audit.keyed`, written when `init` makes the key) covers their head.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        'store_meta',
        sa.Column('key', sa.String(length=64), primary_key=True),
        sa.Column('value', sa.String(length=256), nullable=False),
    )
    op.bulk_insert(meta, [{'key': 'store_id', 'value': secrets.token_hex(16)}])
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('key_id')
    op.drop_table('store_meta')
