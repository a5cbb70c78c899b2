"""self reports, reviewers, ratings, sheet signatures and their history, probation, complaints

Officers' reports wait in `self_reports` (with `report_evidence`) for their reviewer; who
reviews whom beyond the department head is `reviewer_assignments`; the reviewer's monthly
level and remark are `ratings`; each department's grade sheet is signed in `sheet_signoffs`;
signatures taken back by a reopening move to `revoked_signatures`; `probations`, `complaints`
and `late_findings` complete the record. Catalogue items gain `self_report` (an officer may
report it), sign-off steps their scope and signer. Plain DDL, the same on both databases.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:44:44
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reviewer_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_reviewer_assignments_department_id_departments')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_reviewer_assignments_person_id_people')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_reviewer_assignments_reviewer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_assignments')),
    sa.UniqueConstraint('uuid', name=op.f('uq_reviewer_assignments_uuid'))
    )
    op.create_table('probations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_probations_created_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_probations_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_probations')),
    sa.UniqueConstraint('uuid', name=op.f('uq_probations_uuid'))
    )
    with op.batch_alter_table('probations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_probations_person_id'), ['person_id'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('complainant', sa.String(length=50), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('finding', sa.String(length=1000), nullable=False),
    sa.Column('follow_up', sa.String(length=1000), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=50), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('verified_by_name', sa.String(length=50), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_complaints_entry_id_entries')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_complaints_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_complaints_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('uuid', name=op.f('uq_complaints_uuid'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_person_id'), ['person_id'], unique=False)

    op.create_table('self_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('points_tenths', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_name', sa.String(length=50), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=50), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_self_reports_decided_by_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_self_reports_entry_id_entries')),
    sa.ForeignKeyConstraint(['item_id'], ['catalogue_items.id'], name=op.f('fk_self_reports_item_id_catalogue_items')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_self_reports_person_id_people')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_self_reports_reported_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_self_reports_reviewer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_reports')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_self_reports_entry_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_self_reports_uuid'))
    )
    with op.batch_alter_table('self_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_reports_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_reports_status'), ['status'], unique=False)

    op.create_table('late_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('points_tenths', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_name', sa.String(length=50), nullable=False),
    sa.Column('signers', sa.String(length=1000), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=50), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_late_findings_period_id_periods')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_late_findings_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_late_findings_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_late_findings_reviewer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_late_findings')),
    sa.UniqueConstraint('uuid', name=op.f('uq_late_findings_uuid'))
    )
    with op.batch_alter_table('late_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_late_findings_period_id'), ['period_id'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('suggested', sa.String(length=16), nullable=False),
    sa.Column('total_tenths', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('remark', sa.String(length=500), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('by_name', sa.String(length=50), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_ratings_by_user_id_users')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_ratings_period_id_periods')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_ratings_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('period_id', 'person_id', name=op.f('uq_ratings_period_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_ratings_uuid'))
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_period_id'), ['period_id'], unique=False)

    op.create_table('report_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['self_reports.id'], name=op.f('fk_report_evidence_report_id_self_reports')),
    sa.ForeignKeyConstraint(['sha256'], ['evidence_blobs.sha256'], name=op.f('fk_report_evidence_sha256_evidence_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_evidence')),
    sa.UniqueConstraint('uuid', name=op.f('uq_report_evidence_uuid'))
    )
    with op.batch_alter_table('report_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_evidence_report_id'), ['report_id'], unique=False)

    op.create_table('revoked_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('for_person_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('step_title', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_by_name', sa.String(length=50), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_revoked_signatures_department_id_departments')),
    sa.ForeignKeyConstraint(['for_person_id'], ['people.id'], name=op.f('fk_revoked_signatures_for_person_id_people')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_revoked_signatures_period_id_periods')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_revoked_signatures_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_revoked_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revoked_signatures')),
    sa.UniqueConstraint('uuid', name=op.f('uq_revoked_signatures_uuid'))
    )
    with op.batch_alter_table('revoked_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_signatures_period_id'), ['period_id'], unique=False)

    op.create_table('sheet_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('for_person_id', sa.Integer(), nullable=True),
    sa.Column('step_title', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signer_person_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_sheet_signoffs_department_id_departments')),
    sa.ForeignKeyConstraint(['for_person_id'], ['people.id'], name=op.f('fk_sheet_signoffs_for_person_id_people')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_sheet_signoffs_period_id_periods')),
    sa.ForeignKeyConstraint(['signer_person_id'], ['people.id'], name=op.f('fk_sheet_signoffs_signer_person_id_people')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sheet_signoffs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_signoffs')),
    sa.UniqueConstraint('period_id', 'department_id', 'seq', 'line', name=op.f('uq_sheet_signoffs_period_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_sheet_signoffs_uuid'))
    )
    with op.batch_alter_table('sheet_signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_signoffs_period_id'), ['period_id'], unique=False)

    # A plain ADD COLUMN on both databases: a batch rebuild of catalogue_items would break the
    # entry_sums triggers, which read it.
    op.add_column('catalogue_items', sa.Column('self_report', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('signoff_steps', sa.Column('scope', sa.String(length=12), server_default='station',
                                             nullable=False))
    op.add_column('signoff_steps', sa.Column('signer', sa.String(length=8), server_default='role', nullable=False))
    op.add_column('signoff_steps', sa.Column('signer_badge', sa.String(length=32), server_default='',
                                             nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('signoff_steps', schema=None) as batch_op:
        batch_op.drop_column('signer_badge')
        batch_op.drop_column('signer')
        batch_op.drop_column('scope')

    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch rebuild: the entry_sums triggers read
    # catalogue_items and a rebuild would break them.
    op.drop_column('catalogue_items', 'self_report')

    with op.batch_alter_table('sheet_signoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_signoffs_period_id'))

    op.drop_table('sheet_signoffs')
    with op.batch_alter_table('revoked_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_signatures_period_id'))

    op.drop_table('revoked_signatures')
    with op.batch_alter_table('report_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_evidence_report_id'))

    op.drop_table('report_evidence')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_period_id'))

    op.drop_table('ratings')
    with op.batch_alter_table('late_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_late_findings_period_id'))

    op.drop_table('late_findings')
    with op.batch_alter_table('self_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_reports_status'))
        batch_op.drop_index(batch_op.f('ix_self_reports_person_id'))

    op.drop_table('self_reports')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_person_id'))

    op.drop_table('complaints')
    with op.batch_alter_table('probations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_probations_person_id'))

    op.drop_table('probations')
    op.drop_table('reviewer_assignments')
