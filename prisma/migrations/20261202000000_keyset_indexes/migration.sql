-- Keyset list pages (newest first) read in index order instead of sorting every row of the tenant.
-- CreateIndex
CREATE INDEX "tenants_created_at_id_idx" ON "tenants"("created_at", "id");

-- CreateIndex
CREATE INDEX "integrator_organizations_tenant_id_created_at_id_idx" ON "integrator_organizations"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "memberships_tenant_id_created_at_id_idx" ON "memberships"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "api_keys_tenant_id_created_at_id_idx" ON "api_keys"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "sites_tenant_id_created_at_id_idx" ON "sites"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "edge_nodes_tenant_id_created_at_id_idx" ON "edge_nodes"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "enrollment_tokens_tenant_id_created_at_id_idx" ON "enrollment_tokens"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_events_tenant_id_received_at_source_id_seq_idx" ON "audit_events"("tenant_id", "received_at", "source_id", "seq");

