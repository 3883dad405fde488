-- The worker's sweep queues again exports whose job Redis lost; it finds their tenants here, ids only.
CREATE FUNCTION app_tenants_with_unfinished_exports() RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT DISTINCT tenant_id FROM audit_exports WHERE status IN ('queued', 'running') $$;
REVOKE ALL ON FUNCTION app_tenants_with_unfinished_exports() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenants_with_unfinished_exports() TO meridian_app;
