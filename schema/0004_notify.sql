-- schema/0004_notify.sql
--    Every appended entry is announced on the channel ebid_log with the
--    payload "<aggregate>:<seq>", after its transaction commits (NOTIFY is
--    transactional), so every ebidd process serving this database wakes the
--    clients watching that aggregate (GET /v1/sales/ID/watch).  Watchers
--    then read the entries themselves: a lost notification only delays
--    them until their long-poll times out.
CREATE FUNCTION eb_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ebid_log', NEW.aggregate || ':' || NEW.seq);
    RETURN NULL;
END $$;

CREATE TRIGGER log_notify AFTER INSERT ON log
    FOR EACH ROW EXECUTE FUNCTION eb_log_notify();
