-- schema/0012_subject_codes.sql
--    One trading subject per unified social credit code, decided by the
--    database (docs/registries.md "One subject per credit code").
--
-- ebidd looks for a subject holding the code before it gives a new one
-- an id (engine/server/registry.c), but two registrations of one code
-- in flight at once (two ebidd on one database, or two clients on one
-- ebidd) both pass that look-up.  So the code is also a read model
-- written in the transaction that appends the subject's first entry,
-- under a primary key: the second append fails.
--
--   subject_codes  code -> the subject registered with it; written by
--                  the log's insert trigger for the first entry of every
--                  subject (its <subject-registered code=>), never
--                  updated or deleted (codes stay with the subject that
--                  registered them, as its log does).
--   eb_batch_entry() wraps 0011's (renamed eb_batch_entry_log): the
--                  first entry of a subject whose code is taken is not
--                  appended and gets status 'c' (credit-code-registered):
--                  only its own aggregate's run ends, as with 'd' and
--                  'm', and the other entries of the batch still commit.

CREATE TABLE subject_codes (
    code    text PRIMARY KEY,
    subject text NOT NULL UNIQUE REFERENCES aggregates (id)
);

-- the code a subject's first entry records (NULL if none)
CREATE FUNCTION eb_subject_code_of(p_events bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT substring(convert_from(p_events, 'UTF8')
                     FROM '<subject-registered[^>]* code="([^"]+)"');
$$;

-- the subjects registered before this migration
INSERT INTO subject_codes (code, subject)
     SELECT DISTINCT ON (eb_subject_code_of(l.events))
            eb_subject_code_of(l.events), l.aggregate
       FROM log l JOIN aggregates a ON a.id = l.aggregate
      WHERE a.kind = 'subject' AND l.seq = 1
        AND eb_subject_code_of(l.events) IS NOT NULL
      ORDER BY eb_subject_code_of(l.events), l.time_ms, l.aggregate;

-- SECURITY DEFINER: the row is written only this way (ebid_app may read
-- subject_codes, not write it)
CREATE FUNCTION eb_subject_code_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE c text;
BEGIN
    IF NEW.seq = 1 AND EXISTS (SELECT 1 FROM aggregates
                                WHERE id = NEW.aggregate AND kind = 'subject') THEN
        c := eb_subject_code_of(NEW.events);
        IF c IS NOT NULL THEN
            INSERT INTO subject_codes (code, subject) VALUES (c, NEW.aggregate);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER log_subject_code AFTER INSERT ON log
    FOR EACH ROW WHEN (NEW.seq = 1) EXECUTE FUNCTION eb_subject_code_row();

-- 0011's eb_batch_entry() stays as it is, under the name
-- eb_batch_entry_log(); eb_batch_entry() (what eb_append_batch() calls)
-- runs a subject's first entry in a subtransaction (one per new subject,
-- not one per entry), so a taken code undoes only that entry (its
-- aggregates and heads rows too) and answers 'c'.
ALTER FUNCTION eb_batch_entry(text, text, bigint, bigint, text,
    text, text, bytea, bytea, bytea, text, bytea, bytea, bytea, bytea,
    smallint, text) RENAME TO eb_batch_entry_log;

CREATE FUNCTION eb_batch_entry(
    p_aggregate text, p_kind text, p_seq bigint, p_time_ms bigint,
    p_party text, p_role text, p_person text,
    p_command bytea, p_command_sha256 bytea, p_events bytea, p_clock text,
    p_receipt bytea, p_prev bytea, p_hash bytea, p_head_signature bytea,
    p_rules smallint, p_request_id text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
    IF p_seq = 1 AND p_kind = 'subject' THEN
        BEGIN
            RETURN eb_batch_entry_log(p_aggregate, p_kind, p_seq,
                p_time_ms, p_party, p_role, p_person, p_command,
                p_command_sha256, p_events, p_clock, p_receipt, p_prev,
                p_hash, p_head_signature, p_rules, p_request_id);
        EXCEPTION WHEN unique_violation THEN
            GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
            IF c IS DISTINCT FROM 'subject_codes_pkey' THEN
                RAISE;      -- a request id's: eb_append_batch() decides
            END IF;
            RETURN 'c';
        END;
    END IF;
    RETURN eb_batch_entry_log(p_aggregate, p_kind, p_seq, p_time_ms,
        p_party, p_role, p_person, p_command, p_command_sha256, p_events,
        p_clock, p_receipt, p_prev, p_hash, p_head_signature, p_rules,
        p_request_id);
END $$;

REVOKE ALL ON FUNCTION eb_batch_entry(text, text, bigint, bigint, text,
    text, text, bytea, bytea, bytea, text, bytea, bytea, bytea, bytea,
    smallint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_batch_entry(text, text, bigint, bigint, text,
    text, text, bytea, bytea, bytea, text, bytea, bytea, bytea, bytea,
    smallint, text) TO ebid_app;

-- ebidd (ebid_app) reads it for its look-up; the trigger writes it;
-- nobody updates or deletes it
REVOKE ALL ON subject_codes FROM PUBLIC;
GRANT SELECT ON subject_codes TO ebid_app;
REVOKE ALL ON FUNCTION eb_subject_code_row() FROM PUBLIC;
