-- Merkle tiles: each checkpoint stores the roots of the perfect subtrees its new events complete at
-- levels 8, 16, 24, … (a level-L node is the root of 2^L leaves), so an inclusion or consistency proof
-- reads a few tiles of at most 256 hashes instead of every leaf of the log. Logs checkpointed before
-- this migration have none: their next checkpoint stores them (reading the log once), and until then
-- proofs hash what is missing from the leaves, as before.

-- CreateTable
CREATE TABLE "audit_tree_nodes" (
    "tenant_id" UUID NOT NULL,
    "level" SMALLINT NOT NULL,
    "idx" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "audit_tree_nodes_pkey" PRIMARY KEY ("tenant_id","level","idx")
);

-- AddForeignKey
ALTER TABLE "audit_tree_nodes" ADD CONSTRAINT "audit_tree_nodes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand.
ALTER TABLE audit_tree_nodes ADD CONSTRAINT audit_tree_nodes_node_check CHECK (level > 0 AND level % 4 = 0 AND idx >= 0 AND octet_length(hash) = 32);

-- Tenant isolation and what the application role may do, as for audit_checkpoints: the worker adds
-- nodes, the API reads them; a stored node is never changed.
GRANT SELECT, INSERT ON audit_tree_nodes TO meridian_app;
ALTER TABLE audit_tree_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_tree_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_tree_nodes USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
