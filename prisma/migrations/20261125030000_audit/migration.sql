-- CreateTable
CREATE TABLE "audit_sources" (
    "tenant_id" UUID NOT NULL,
    "source_id" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "last_hash" TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    "broken_at" TIMESTAMPTZ(3),
    "broken_reason" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_sources_pkey" PRIMARY KEY ("tenant_id","source_id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "tenant_id" UUID NOT NULL,
    "source_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "site_id" TEXT,
    "category" TEXT,
    "decision" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "log_index" BIGINT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("tenant_id","source_id","seq")
);

-- CreateIndex
CREATE INDEX "audit_events_tenant_id_occurred_at_idx" ON "audit_events"("tenant_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_events_tenant_id_log_index_idx" ON "audit_events"("tenant_id", "log_index");

-- AddForeignKey
ALTER TABLE "audit_sources" ADD CONSTRAINT "audit_sources_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: row-level security and grants (see the first migration).
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_sources TO meridian_app;
GRANT SELECT, INSERT ON audit_events TO meridian_app;
-- The application may record audit events and assign their Merkle position once; never rewrite them.
GRANT UPDATE (log_index) ON audit_events TO meridian_app;
ALTER TABLE audit_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_sources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_sources USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
