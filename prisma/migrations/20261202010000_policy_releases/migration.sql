-- CreateTable
CREATE TABLE "policy_releases" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "country" TEXT NOT NULL,
    "base_version" INTEGER,
    "overlay_version" INTEGER,
    "reason" TEXT NOT NULL,
    "requested_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "compiled_at" TIMESTAMPTZ(3),

    CONSTRAINT "policy_releases_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "policy_releases_tenant_id_country_id_idx" ON "policy_releases"("tenant_id", "country", "id");

-- CreateIndex
CREATE INDEX "policy_releases_compiled_at_tenant_id_idx" ON "policy_releases"("compiled_at", "tenant_id");

-- AddForeignKey
ALTER TABLE "policy_releases" ADD CONSTRAINT "policy_releases_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Written by hand: row-level security and grants (see the first migration).
GRANT SELECT, INSERT, UPDATE ON policy_releases TO meridian_app;
GRANT USAGE ON SEQUENCE policy_releases_id_seq TO meridian_app;
ALTER TABLE policy_releases ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_releases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON policy_releases USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- What each country's sites run today becomes its first release, so an existing deployment keeps
-- enforcing exactly what it published: the sources of the newest bundle of the country's sites.
INSERT INTO policy_releases (tenant_id, country, base_version, overlay_version, reason, compiled_at)
SELECT DISTINCT ON (b.tenant_id, s.country)
       b.tenant_id, s.country,
       (b.payload::jsonb -> 'sources' ->> 'baseVersion')::int,
       (b.payload::jsonb -> 'sources' ->> 'overlayVersion')::int,
       'migration', CURRENT_TIMESTAMP
FROM policy_bundles b JOIN sites s ON s.id = b.site_id
ORDER BY b.tenant_id, s.country, b.created_at DESC, b.version DESC;

-- The worker's sweep must find tenants whose compile is still pending (its job lost), ids only.
CREATE FUNCTION app_tenants_with_pending_policy_releases(settle_seconds integer) RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT DISTINCT tenant_id FROM policy_releases WHERE compiled_at IS NULL AND created_at <= CURRENT_TIMESTAMP - make_interval(secs => settle_seconds) $$;
REVOKE ALL ON FUNCTION app_tenants_with_pending_policy_releases(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenants_with_pending_policy_releases(integer) TO meridian_app;
