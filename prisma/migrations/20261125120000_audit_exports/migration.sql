-- CreateEnum
CREATE TYPE "AuditExportStatus" AS ENUM ('queued', 'running', 'completed', 'failed');

-- CreateTable
CREATE TABLE "audit_exports" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "status" "AuditExportStatus" NOT NULL DEFAULT 'queued',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "requested_by" TEXT NOT NULL,
    "tree_size" BIGINT,
    "event_count" INTEGER,
    "sha256" TEXT,
    "size_bytes" INTEGER,
    "content" BYTEA,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_exports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_exports_tenant_id_created_at_idx" ON "audit_exports"("tenant_id", "created_at");

-- AddForeignKey
ALTER TABLE "audit_exports" ADD CONSTRAINT "audit_exports_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: tenant isolation and what the application role may do. Exports are created by the
-- API and filled in by the worker; nobody deletes them through the application.
GRANT SELECT, INSERT, UPDATE ON audit_exports TO meridian_app;
ALTER TABLE audit_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_exports USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
