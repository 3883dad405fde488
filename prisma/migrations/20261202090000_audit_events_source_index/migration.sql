-- A page of one source's events (?sourceId=, and ?actor= or admin.*/rollout.* types, which name one
-- source) read in list order. The primary key finds a source's events but in seq order, so a busy
-- node's page sorted all of its events, and the list order reached a quiet node's events only after
-- walking everything newer. Costs about 6 % on each audit insert (bench/audit-queries.mjs). On a large
-- log this blocks audit uploads while it builds (docs/deploy.md).
-- CreateIndex
CREATE INDEX "audit_events_tenant_id_source_id_received_at_seq_idx" ON "audit_events"("tenant_id", "source_id", "received_at", "seq");
