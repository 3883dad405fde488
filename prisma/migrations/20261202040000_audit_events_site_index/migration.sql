-- A page of one site's events (an integrator's, or ?siteId=) read in list order, instead of walking the
-- tenant's whole log for that site's events. On a large log this blocks audit uploads while it builds
-- (docs/deploy.md).
-- CreateIndex
CREATE INDEX "audit_events_tenant_id_site_id_received_at_source_id_seq_idx" ON "audit_events"("tenant_id", "site_id", "received_at", "source_id", "seq");

