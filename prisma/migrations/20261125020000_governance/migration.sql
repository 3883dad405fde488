-- AlterTable
ALTER TABLE "sites" ADD COLUMN     "consent" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "consent_updated_at" TIMESTAMPTZ(3),
ADD COLUMN     "consent_updated_by" TEXT;

-- AlterTable
ALTER TABLE "edge_nodes" ADD COLUMN     "applied_policy_digest" TEXT,
ADD COLUMN     "applied_policy_version" INTEGER,
ADD COLUMN     "policy_applied_at" TIMESTAMPTZ(3),
ADD COLUMN     "policy_error" TEXT;

-- CreateTable
CREATE TABLE "policy_versions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "document" JSONB NOT NULL,
    "comment" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_bundles" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "content_digest" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_bundles_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "policy_versions_tenant_id_scope_version_key" ON "policy_versions"("tenant_id", "scope", "version");

-- CreateIndex
CREATE UNIQUE INDEX "policy_versions_tenant_id_id_key" ON "policy_versions"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "policy_bundles_site_id_version_key" ON "policy_bundles"("site_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "policy_bundles_tenant_id_id_key" ON "policy_bundles"("tenant_id", "id");

-- AddForeignKey
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_bundles" ADD CONSTRAINT "policy_bundles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_bundles" ADD CONSTRAINT "policy_bundles_tenant_id_site_id_fkey" FOREIGN KEY ("tenant_id", "site_id") REFERENCES "sites"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: row-level security and grants for the new tables (see the first migration).
GRANT SELECT, INSERT, UPDATE, DELETE ON policy_versions, policy_bundles TO meridian_app;
ALTER TABLE policy_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON policy_versions USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE policy_bundles ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_bundles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON policy_bundles USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
-- Policy versions and bundles are history: never rewritten. (The app role may insert, not change.)
REVOKE UPDATE, DELETE ON policy_versions, policy_bundles FROM meridian_app;
ALTER TABLE policy_versions ADD CONSTRAINT policy_versions_scope CHECK (scope = 'base' OR scope ~ '^[A-Z]{2}$');
