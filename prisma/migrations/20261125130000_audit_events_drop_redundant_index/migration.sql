-- DropIndex
DROP INDEX "audit_events_tenant_id_source_id_seq_idx";

