-- Replicas cache clients, APIs and signing keys in memory. Every change to
-- those rows, whoever makes it (a replica, the CLI, an administrator with
-- psql), notifies channel gatehouse_invalidate when its transaction
-- commits, with the key of what changed: 'client:<id>', 'api:<id>' or
-- 'keys'. A key too long for a notification payload (8000 bytes) becomes
-- 'all', which makes listeners drop everything.
CREATE FUNCTION gatehouse_notify_invalidate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF TG_ARGV[0] = 'keys' THEN
		k := 'keys';
	ELSIF TG_OP = 'DELETE' THEN
		k := TG_ARGV[0] || ':' || OLD.id;
	ELSE
		k := TG_ARGV[0] || ':' || NEW.id;
	END IF;
	IF octet_length(k) > 1000 THEN
		k := 'all';
	END IF;
	PERFORM pg_notify('gatehouse_invalidate', k);
	RETURN NULL;
END
$$;

CREATE TRIGGER clients_invalidate AFTER INSERT OR UPDATE OR DELETE ON clients
	FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_invalidate('client');
CREATE TRIGGER apis_invalidate AFTER INSERT OR UPDATE OR DELETE ON apis
	FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_invalidate('api');
CREATE TRIGGER signing_keys_invalidate AFTER INSERT OR UPDATE OR DELETE ON signing_keys
	FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_invalidate('keys');
