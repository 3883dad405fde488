-- Written by hand: audit_events becomes a table partitioned by month of arrival, so old months can be
-- archived or dropped as a whole and recent ones stay small. The partition key joins the primary key
-- (a PostgreSQL rule); one record per (source, seq) is guaranteed by ingest under audit_sources' row lock.

ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
ALTER TABLE audit_events_unpartitioned RENAME CONSTRAINT audit_events_pkey TO audit_events_unpartitioned_pkey;
ALTER TABLE audit_events_unpartitioned RENAME CONSTRAINT audit_events_tenant_id_fkey TO audit_events_unpartitioned_tenant_id_fkey;
ALTER INDEX audit_events_tenant_id_occurred_at_idx RENAME TO audit_events_unpartitioned_occurred_at_idx;
ALTER INDEX audit_events_tenant_id_log_index_idx RENAME TO audit_events_unpartitioned_log_index_idx;

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

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("tenant_id", "source_id", "seq", "received_at")
) PARTITION BY RANGE ("received_at");

CREATE INDEX "audit_events_tenant_id_source_id_seq_idx" ON "audit_events"("tenant_id", "source_id", "seq");
CREATE INDEX "audit_events_tenant_id_occurred_at_idx" ON "audit_events"("tenant_id", "occurred_at");
CREATE INDEX "audit_events_tenant_id_log_index_idx" ON "audit_events"("tenant_id", "log_index");
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rows whose month has no partition yet land here; the worker keeps monthly partitions ahead of time.
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;

-- Creates the monthly partitions from this month to `months_ahead` months on (idempotent). Runs as the
-- owner (DDL), callable by the app role; a month whose rows already sit in the default partition is
-- skipped with a notice rather than failing the caller.
CREATE FUNCTION audit_ensure_partitions(months_ahead int DEFAULT 2) RETURNS int
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
  month_start date;
  created int := 0;
  name text;
BEGIN
  FOR i IN 0..months_ahead LOOP
    month_start := (date_trunc('month', now()) + make_interval(months => i))::date;
    name := format('audit_events_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = name) THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)', name, month_start, (month_start + interval '1 month')::date);
        created := created + 1;
      EXCEPTION WHEN check_violation THEN
        RAISE NOTICE 'partition % skipped: rows of that month are in the default partition', name;
      END;
    END IF;
  END LOOP;
  RETURN created;
END
$$;
REVOKE ALL ON FUNCTION audit_ensure_partitions(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_ensure_partitions(int) TO meridian_app;
SELECT audit_ensure_partitions();

INSERT INTO audit_events SELECT * FROM audit_events_unpartitioned;
DROP TABLE audit_events_unpartitioned;

GRANT SELECT, INSERT ON audit_events TO meridian_app;
GRANT UPDATE (log_index) ON audit_events TO meridian_app;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The security-definer lookup of the previous migration reads the new table the same way.
