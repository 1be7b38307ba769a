-- schema/0008_subjects.sql
--    Trading subjects (交易主体, engine/core/subject.h): a fourth aggregate
--    kind in the same log, and its id sequence (O-2026-0001).
--
-- The subject's record, its representatives and its integrity record are
-- events of the log like a bid; nothing here stores them elsewhere.

ALTER TABLE aggregates DROP CONSTRAINT aggregates_kind_check;
ALTER TABLE aggregates ADD CONSTRAINT aggregates_kind_check
    CHECK (kind IN ('tender', 'sale', 'pool', 'subject'));

CREATE SEQUENCE subject_id_seq;

-- The next aggregate id of a kind: T-, S-, P- and now O-2026-0001.
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
    END IF;
    RAISE EXCEPTION 'unknown aggregate kind %', p_kind USING ERRCODE = '22023';
END $$;

-- ebidd runs as a member of ebid_app (0003_roles.sql): it draws subject
-- ids; eb_next_id keeps its EXECUTE grant through CREATE OR REPLACE.
REVOKE ALL ON SEQUENCE subject_id_seq FROM PUBLIC;
GRANT USAGE ON SEQUENCE subject_id_seq TO ebid_app;
