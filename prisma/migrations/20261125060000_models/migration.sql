-- CreateEnum
CREATE TYPE "ModelVersionStatus" AS ENUM ('draft', 'published');

-- CreateEnum
CREATE TYPE "ModelNodeState" AS ENUM ('pending', 'downloading', 'verifying', 'activating', 'active', 'failed', 'rolled_back');

-- CreateEnum
CREATE TYPE "RolloutStatus" AS ENUM ('running', 'paused', 'completed', 'rolled_back', 'aborted');

-- AlterTable
ALTER TABLE "edge_nodes" ADD COLUMN     "desired_revision" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "models" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "status" "ModelVersionStatus" NOT NULL DEFAULT 'draft',
    "card" JSONB NOT NULL,
    "artifact_sha256" TEXT,
    "artifact_size" BIGINT,
    "artifact_key" TEXT,
    "manifest" TEXT,
    "key_id" TEXT,
    "signature" TEXT,
    "published_at" TIMESTAMPTZ(3),
    "published_by" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node_models" (
    "tenant_id" UUID NOT NULL,
    "node_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "desired_version" TEXT NOT NULL,
    "rollout_id" UUID,
    "state" "ModelNodeState" NOT NULL DEFAULT 'pending',
    "detail" TEXT,
    "reported_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "node_models_pkey" PRIMARY KEY ("tenant_id","node_id","model_id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "status" "RolloutStatus" NOT NULL DEFAULT 'running',
    "selector" JSONB NOT NULL,
    "strategy" JSONB NOT NULL,
    "total_batches" INTEGER NOT NULL,
    "current_batch" INTEGER NOT NULL DEFAULT 0,
    "batch_started_at" TIMESTAMPTZ(3),
    "batch_passed_at" TIMESTAMPTZ(3),
    "gate_results" JSONB NOT NULL DEFAULT '[]',
    "reason" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_nodes" (
    "tenant_id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "node_id" UUID NOT NULL,
    "batch" INTEGER NOT NULL,
    "state" "ModelNodeState" NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(3),
    "previous_version" TEXT,
    "baseline_requests" BIGINT NOT NULL DEFAULT 0,
    "baseline_errors" BIGINT NOT NULL DEFAULT 0,
    "detail" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rollout_nodes_pkey" PRIMARY KEY ("rollout_id","node_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "models_tenant_id_id_key" ON "models"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "models_tenant_id_name_key" ON "models"("tenant_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_tenant_id_id_key" ON "model_versions"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_tenant_id_model_id_version_key" ON "model_versions"("tenant_id", "model_id", "version");

-- CreateIndex
CREATE INDEX "node_models_tenant_id_model_id_idx" ON "node_models"("tenant_id", "model_id");

-- CreateIndex
CREATE INDEX "rollouts_tenant_id_status_idx" ON "rollouts"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "rollouts_tenant_id_id_key" ON "rollouts"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "rollout_nodes_tenant_id_rollout_id_batch_idx" ON "rollout_nodes"("tenant_id", "rollout_id", "batch");

-- CreateIndex
CREATE INDEX "rollout_nodes_tenant_id_node_id_idx" ON "rollout_nodes"("tenant_id", "node_id");

-- AddForeignKey
ALTER TABLE "models" ADD CONSTRAINT "models_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_tenant_id_model_id_fkey" FOREIGN KEY ("tenant_id", "model_id") REFERENCES "models"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node_models" ADD CONSTRAINT "node_models_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node_models" ADD CONSTRAINT "node_models_tenant_id_node_id_fkey" FOREIGN KEY ("tenant_id", "node_id") REFERENCES "edge_nodes"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node_models" ADD CONSTRAINT "node_models_tenant_id_model_id_fkey" FOREIGN KEY ("tenant_id", "model_id") REFERENCES "models"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_tenant_id_model_id_fkey" FOREIGN KEY ("tenant_id", "model_id") REFERENCES "models"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_nodes" ADD CONSTRAINT "rollout_nodes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_nodes" ADD CONSTRAINT "rollout_nodes_tenant_id_rollout_id_fkey" FOREIGN KEY ("tenant_id", "rollout_id") REFERENCES "rollouts"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_nodes" ADD CONSTRAINT "rollout_nodes_tenant_id_node_id_fkey" FOREIGN KEY ("tenant_id", "node_id") REFERENCES "edge_nodes"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: row-level security and grants for the new tables (see the first migration).
GRANT SELECT, INSERT, UPDATE, DELETE ON models, model_versions, node_models, rollouts, rollout_nodes TO meridian_app;
ALTER TABLE models ENABLE ROW LEVEL SECURITY;
ALTER TABLE models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON models USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE model_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE model_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON model_versions USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE node_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE node_models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON node_models USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE rollouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollouts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rollouts USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE rollout_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollout_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rollout_nodes USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE model_versions ADD CONSTRAINT model_versions_published_complete_manual CHECK (
  status = 'draft' OR (artifact_sha256 IS NOT NULL AND artifact_size IS NOT NULL AND manifest IS NOT NULL AND key_id IS NOT NULL AND signature IS NOT NULL AND published_at IS NOT NULL));
ALTER TABLE model_versions ADD CONSTRAINT model_versions_sha256_manual CHECK (artifact_sha256 IS NULL OR artifact_sha256 ~ '^[0-9a-f]{64}$');

-- A published version is what agents verified and run: the database refuses to change or delete it,
-- whatever the application does.
CREATE FUNCTION model_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'model version % is published and immutable', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER model_versions_immutable BEFORE UPDATE OR DELETE ON model_versions FOR EACH ROW EXECUTE FUNCTION model_versions_immutable();

-- The rollout sweep must find tenants with rollouts in progress, without seeing anything else of them: ids only.
CREATE FUNCTION app_tenants_with_active_rollouts() RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT DISTINCT tenant_id FROM rollouts WHERE status = 'running' $$;
REVOKE ALL ON FUNCTION app_tenants_with_active_rollouts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenants_with_active_rollouts() TO meridian_app;

-- Metrics: node counts by state over rollouts in progress, summed over all tenants (no tenant is named).
CREATE FUNCTION app_rollout_node_state_counts() RETURNS TABLE (state text, nodes bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT rn.state::text, count(*) FROM rollout_nodes rn JOIN rollouts r ON r.id = rn.rollout_id
        WHERE r.status IN ('running', 'paused') GROUP BY rn.state $$;
REVOKE ALL ON FUNCTION app_rollout_node_state_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_rollout_node_state_counts() TO meridian_app;
CREATE FUNCTION app_rollout_status_counts() RETURNS TABLE (status text, rollouts bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT status::text, count(*) FROM rollouts GROUP BY status $$;
REVOKE ALL ON FUNCTION app_rollout_status_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_rollout_status_counts() TO meridian_app;
