-- schema/0009_rules_request_id.sql
--    Two columns of the log (issue 13 points 3 and 6):
--
--    rules       the rules version that decided the entry (engine/core/
--                cmd.h EB_RULES_CURRENT when ebidd wrote it); part of the
--                entry's hashed form (protocol/entry.h, docs/audit.md
--                "Rules versions").  NULL on rows written before versions
--                were recorded: they were decided by version 1 and are
--                hashed without the attribute.
--    request_id  the request-id a creating command (register-tender,
--                register-sale, register-subject...) carries inside its
--                signature: a client whose reply was lost sends it again,
--                even signed anew, and gets the aggregate it created
--                (docs/server.md, retrying).  Once per (party, request_id).
--
--    eb_append() takes both (default NULL: a call of the old form still
--    works); the old signature is dropped (and its grant with it), the
--    new one granted to ebid_app.

ALTER TABLE log ADD COLUMN rules smallint CHECK (rules >= 1);
ALTER TABLE log ADD COLUMN request_id text
    CHECK (request_id IS NULL OR (seq = 1 AND length(request_id) BETWEEN 1 AND 64));

CREATE UNIQUE INDEX log_request_id ON log (party, request_id)
    WHERE request_id IS NOT NULL;

DROP FUNCTION eb_append(text, text, bigint, bigint, text, text, text, bytea,
    bytea, bytea, text, bytea, bytea, bytea, text, bytea);

CREATE FUNCTION eb_append(
    p_aggregate text, p_kind text, p_seq bigint, p_time_ms bigint,
    p_party text, p_role text, p_person text,
    p_command bytea, p_command_sha256 bytea, p_events bytea, p_clock text,
    p_receipt bytea, p_prev bytea, p_hash bytea,
    p_state text, p_head_signature bytea,
    p_rules smallint DEFAULT NULL, p_request_id text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE h heads%ROWTYPE;
BEGIN
    -- the same signed bytes once per aggregate, and a creating command
    -- once at all (its retry finds the aggregate it made); a creating
    -- command's request id once per party, whatever its signature
    IF EXISTS (SELECT 1 FROM log
                WHERE command_sha256 = p_command_sha256
                  AND (aggregate = p_aggregate OR (p_seq = 1 AND seq = 1)))
       OR (p_request_id IS NOT NULL AND EXISTS (SELECT 1 FROM log
                WHERE party = p_party AND request_id = p_request_id)) THEN
        RAISE EXCEPTION 'duplicate-command' USING ERRCODE = 'EBDUP';
    END IF;
    IF p_seq = 1 THEN
        INSERT INTO aggregates (id, kind) VALUES (p_aggregate, p_kind)
            ON CONFLICT (id) DO NOTHING;
        INSERT INTO heads (aggregate, seq, hash)
            VALUES (p_aggregate, 0, decode(repeat('00', 32), 'hex'))
            ON CONFLICT (aggregate) DO NOTHING;
    END IF;
    SELECT * INTO h FROM heads WHERE aggregate = p_aggregate FOR UPDATE;
    IF NOT FOUND OR h.seq <> p_seq - 1 OR h.hash <> p_prev THEN
        RAISE EXCEPTION 'head-moved' USING ERRCODE = 'EB409';
    END IF;
    IF p_request_id IS NULL THEN
        INSERT INTO log (aggregate, seq, time_ms, party, role, person,
                         command, command_sha256, events, clock, receipt,
                         prev_hash, hash, rules)
             VALUES (p_aggregate, p_seq, p_time_ms, p_party, p_role,
                     p_person, p_command, p_command_sha256, p_events,
                     p_clock, p_receipt, p_prev, p_hash, p_rules);
    ELSE
        -- two ebidd creating with one request id at once: the unique
        -- index decides, the loser hears duplicate-command
        BEGIN
            INSERT INTO log (aggregate, seq, time_ms, party, role, person,
                             command, command_sha256, events, clock,
                             receipt, prev_hash, hash, rules, request_id)
                 VALUES (p_aggregate, p_seq, p_time_ms, p_party, p_role,
                         p_person, p_command, p_command_sha256, p_events,
                         p_clock, p_receipt, p_prev, p_hash, p_rules,
                         p_request_id);
        EXCEPTION WHEN unique_violation THEN
            RAISE EXCEPTION 'duplicate-command' USING ERRCODE = 'EBDUP';
        END;
    END IF;
    UPDATE heads SET seq = p_seq, hash = p_hash WHERE aggregate = p_aggregate;
    INSERT INTO aggregate_state (aggregate, kind, state, seq, updated_ms)
         VALUES (p_aggregate, p_kind, p_state, p_seq, p_time_ms)
    ON CONFLICT (aggregate) DO UPDATE
         SET state = EXCLUDED.state, seq = EXCLUDED.seq,
             updated_ms = EXCLUDED.updated_ms;
    IF p_head_signature IS NOT NULL THEN
        INSERT INTO chain_heads_signed (aggregate, seq, hash, signature)
             VALUES (p_aggregate, p_seq, p_hash, p_head_signature);
    END IF;
    RETURN p_seq;
END $$;

REVOKE ALL ON FUNCTION eb_append(text, text, bigint, bigint, text, text,
    text, bytea, bytea, bytea, text, bytea, bytea, bytea, text, bytea,
    smallint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_append(text, text, bigint, bigint, text, text,
    text, bytea, bytea, bytea, text, bytea, bytea, bytea, text, bytea,
    smallint, text) TO ebid_app;
