-- Audit exports as a stream (meridian.audit-export.v3, JSON Lines, gzip): the worker stores the file in
-- pieces of about 1 MiB as it compresses them, and the API streams them back in order, so neither holds
-- the whole export in memory and no single value nears PostgreSQL's 1 GB limit. Exports made before
-- keep their whole v2 bundle in audit_exports.content.

-- AlterTable: an export can pass 2 GiB (rewrites audit_exports, a small table: one row per export)
ALTER TABLE "audit_exports" ALTER COLUMN "size_bytes" SET DATA TYPE BIGINT;

-- CreateTable
CREATE TABLE "audit_export_chunks" (
    "export_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "chunk" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "audit_export_chunks_pkey" PRIMARY KEY ("export_id","chunk")
);

-- AddForeignKey
ALTER TABLE "audit_export_chunks" ADD CONSTRAINT "audit_export_chunks_export_id_fkey" FOREIGN KEY ("export_id") REFERENCES "audit_exports"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand. The pieces are gzip already: stored out of line without TOAST compressing them again.
ALTER TABLE audit_export_chunks ALTER COLUMN content SET STORAGE EXTERNAL;
ALTER TABLE audit_export_chunks ADD CONSTRAINT audit_export_chunks_chunk_check CHECK (chunk >= 0);

-- Tenant isolation and what the application role may do, as for audit_exports: written by the worker,
-- read by the API; nobody deletes them through the application (they go with their export).
GRANT SELECT, INSERT, UPDATE ON audit_export_chunks TO meridian_app;
ALTER TABLE audit_export_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_export_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_export_chunks USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
