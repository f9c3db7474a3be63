-- The role the application should run as on PostgreSQL (README, "Database roles"): it reads and
-- writes the case tables, but may only add to and read the audit trail, and only read the chain's
-- head. It cannot update, delete or truncate audit events, nor drop their triggers (only the
-- owner, who runs migrations, can). An operator grants it to a login role:
--   CREATE ROLE silver_api LOGIN PASSWORD '...' IN ROLE silver_app;
-- Where the migrating user may not create roles (or on the embedded database, where there is one
-- superuser anyway), this is skipped without failing the migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'silver_app') THEN
    BEGIN
      CREATE ROLE silver_app NOLOGIN;
    EXCEPTION
      -- Roles belong to the whole server: another database's migration may create it meanwhile.
      WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO silver_app', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO silver_app', current_schema());
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO silver_app', current_schema());
  REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEvent" FROM silver_app;
  REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "AuditChainHead" FROM silver_app;
  -- (Absent where migrations are replayed on a shadow database to compute a diff.)
  IF to_regclass('_prisma_migrations') IS NOT NULL THEN
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM silver_app;
  END IF;
  -- Tables later migrations create are the application's to use as well.
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO silver_app', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO silver_app', current_schema());
EXCEPTION
  WHEN insufficient_privilege THEN
    RAISE NOTICE 'silver_app role not set up: the migrating user may not create or grant roles';
END;
$$;
