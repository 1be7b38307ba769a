-- schema/0010_monitor.sql
--    Process monitoring (交易过程监控, engine/core/monitor.h): a fifth
--    aggregate kind in the same log, and its id sequence (M-2026-0001).

ALTER TABLE aggregates DROP CONSTRAINT aggregates_kind_check;
ALTER TABLE aggregates ADD CONSTRAINT aggregates_kind_check
    CHECK (kind IN ('tender', 'sale', 'pool', 'subject', 'monitor'));

CREATE SEQUENCE monitor_id_seq;

-- The next aggregate id of a kind: T-, S-, P-, O- and now M-2026-0001.
CREATE OR REPLACE FUNCTION eb_next_id(p_kind text, p_year int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    IF p_kind = 'tender' THEN
        n := nextval('tender_id_seq'); RETURN format('T-%s-%s', p_year, lpad(n::text, 4, '0'));
    ELSIF p_kind = 'sale' THEN
        n := nextval('sale_id_seq');   RETURN format('S-%s-%s', p_year, lpad(n::text, 4, '0'));
    ELSIF p_kind = 'pool' THEN
        n := nextval('pool_id_seq');   RETURN format('P-%s-%s', p_year, lpad(n::text, 4, '0'));
    ELSIF p_kind = 'subject' THEN
        n := nextval('subject_id_seq'); RETURN format('O-%s-%s', p_year, lpad(n::text, 4, '0'));
    ELSIF p_kind = 'monitor' THEN
        n := nextval('monitor_id_seq'); RETURN format('M-%s-%s', p_year, lpad(n::text, 4, '0'));
    END IF;
    RAISE EXCEPTION 'unknown aggregate kind %', p_kind USING ERRCODE = '22023';
END $$;

REVOKE ALL ON SEQUENCE monitor_id_seq FROM PUBLIC;
GRANT USAGE ON SEQUENCE monitor_id_seq TO ebid_app;
