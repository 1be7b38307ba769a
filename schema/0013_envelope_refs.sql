-- schema/0013_envelope_refs.sql
--    The stored envelopes the log names (issue 18, docs/bigbids.md
--    section 4): one row per SHA-256 that a log entry's events give as
--    envelope-sha256 of a bid-submitted with envelope-stored="true", with
--    the first entry naming it.  Filled by a trigger on the log's inserts
--    (the WHEN clause keeps every other append free of it) and, for the
--    entries appended before this migration, by the INSERT below.  ebidd's
--    collection of the envelope store (engine/server/upload.c) deletes an
--    envelope past envelope_grace only when no row here names it; the log
--    stays the truth (this table is derived from it and can be rebuilt by
--    the same INSERT).

CREATE TABLE envelope_refs (
    sha256     text   PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    aggregate  text   NOT NULL,
    seq        bigint NOT NULL
);

CREATE FUNCTION eb_envelope_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO envelope_refs (sha256, aggregate, seq)
        SELECT m[1], NEW.aggregate, NEW.seq
        FROM regexp_matches(convert_from(NEW.events, 'UTF8'),
                            'envelope-sha256="([0-9a-f]{64})"', 'g') AS m
        ON CONFLICT (sha256) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER log_envelope_refs AFTER INSERT ON log
    FOR EACH ROW
    WHEN (position('envelope-stored="true"'::bytea IN NEW.events) > 0)
    EXECUTE FUNCTION eb_envelope_refs();

INSERT INTO envelope_refs (sha256, aggregate, seq)
    SELECT DISTINCT ON (m[1]) m[1], l.aggregate, l.seq
    FROM log l,
         regexp_matches(convert_from(l.events, 'UTF8'),
                        'envelope-sha256="([0-9a-f]{64})"', 'g') AS m
    WHERE position('envelope-stored="true"'::bytea IN l.events) > 0
    ORDER BY m[1], l.aggregate, l.seq
    ON CONFLICT (sha256) DO NOTHING;

REVOKE ALL ON envelope_refs FROM PUBLIC;
GRANT SELECT, INSERT ON envelope_refs TO ebid_app;
