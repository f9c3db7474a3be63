-- API processes keep the keys they have checked in memory (services/key-cache.ts) and forget one
-- when PostgreSQL says it changed: every change that can make a key work or stop working, or
-- change who it names, notifies the channel `silver_keys` with "key:<id>" or "user:<id>" ("*"
-- for a truncation). A trigger, not the application, sends it, so a change made by any process
-- or by an operator's SQL reaches every cache. NOTIFY is delivered at commit, and not at all when
-- the transaction rolls back. lastUsedAt is not watched: it changes nothing a key may do.
CREATE FUNCTION "notify_key_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('silver_keys', '*');
  ELSE
    PERFORM pg_notify('silver_keys', TG_ARGV[0] || ':' || OLD."id");
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "ApiKey_changed"
  AFTER UPDATE OF "revokedAt", "expiresAt", "userId", "hash" OR DELETE ON "ApiKey"
  FOR EACH ROW EXECUTE FUNCTION "notify_key_change"('key');

CREATE TRIGGER "ApiKey_truncated"
  AFTER TRUNCATE ON "ApiKey"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_key_change"();

CREATE TRIGGER "User_changed"
  AFTER UPDATE OF "disabledAt", "role", "country", "name" OR DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION "notify_key_change"('user');

CREATE TRIGGER "User_truncated"
  AFTER TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_key_change"();
