-- CreateEnum
CREATE TYPE "SigningKeyStatus" AS ENUM ('active', 'retired');

-- AlterTable
ALTER TABLE "edge_nodes" ADD COLUMN     "reported" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "tenant_signing_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key_id" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "encrypted_private_key" TEXT NOT NULL,
    "status" "SigningKeyStatus" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "tenant_signing_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenant_signing_keys_key_id_key" ON "tenant_signing_keys"("key_id");

-- CreateIndex
CREATE INDEX "tenant_signing_keys_tenant_id_status_idx" ON "tenant_signing_keys"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_signing_keys_tenant_id_id_key" ON "tenant_signing_keys"("tenant_id", "id");

-- AddForeignKey
ALTER TABLE "tenant_signing_keys" ADD CONSTRAINT "tenant_signing_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: row-level security and grants for the new table (see the first migration).
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_signing_keys TO meridian_app;
ALTER TABLE tenant_signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_signing_keys USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- At most one active signing key per tenant: two writers racing to create the first key cannot both win.
-- (Hand-written indexes end in _manual so the drift check can tell them from the schema's own.)
CREATE UNIQUE INDEX tenant_signing_keys_one_active_manual ON tenant_signing_keys (tenant_id) WHERE status = 'active';
