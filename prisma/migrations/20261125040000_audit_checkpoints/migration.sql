-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "tenant_id" UUID NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("tenant_id","tree_size")
);

-- AddForeignKey
ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: row-level security and grants (see the first migration). Checkpoints are never rewritten.
GRANT SELECT, INSERT ON audit_checkpoints TO meridian_app;
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_checkpoints USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The checkpoint cadence job must find tenants with events not yet in their log, without seeing anything
-- else of them: ids only.
CREATE FUNCTION app_tenants_with_pending_audit() RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT DISTINCT tenant_id FROM audit_events WHERE log_index IS NULL $$;
REVOKE ALL ON FUNCTION app_tenants_with_pending_audit() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenants_with_pending_audit() TO meridian_app;
