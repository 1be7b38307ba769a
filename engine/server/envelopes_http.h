/*
 * engine/server/envelopes_http.h
 *    GET /v1/envelopes/SHA256: a stored envelope of a large bid served to
 *    those who check the log (issue 18, docs/bigbids.md section 6), so
 *    that `ebid-audit export --fetch-envelopes` takes the envelopes from
 *    ebidd as it takes the log.
 *
 * Who: the roles that may export logs (auditor, supervisor, verifier:
 * export.c) fetch any envelope a committed log entry names; a bidder
 * fetches only the envelopes of its own bids (the entry that first named
 * it was signed by its party), as the tender's view shows a bidder its
 * own bids and only those (engine/core/tender_view.c, "bids"); every
 * other role is refused (403 role-not-allowed).  Which envelopes: only
 * one a committed log entry names (table envelope_refs,
 * schema/0013_envelope_refs.sql, filled in the append's transaction):
 * anything else is 404 envelope-not-logged, even when the store holds it
 * (an upload whose submit-bid never came is nobody's to read).
 *
 * How: 200 with Content-Length (the stored file's size), ETag "SHA256"
 * (the content's hash: the name is the content), Content-Type
 * application/octet-stream; the body is streamed (evhttp_send_reply_start
 * / evhttp_send_reply_chunk_with_cb): a worker reads the next 256 KiB
 * piece with pread while the previous one is being written, so a stream
 * holds at most two pieces whatever the envelope's size.  HEAD gives the
 * headers only.  The server does not re-hash what it sends (the upload
 * checked it; the store never changes a file): the reader checks the
 * hash and size against its copy of the log, which is the point of
 * fetching it.  A read error or a file shorter than it was at the start
 * cuts the connection, so the client sees a short body, never a whole
 * wrong one.
 *
 * Owns: one struct envstream per streamed reply (its file descriptor and
 * piece buffer), freed when the reply ends or the client goes away.
 * Loop thread, except the pread on a worker (workers.h).
 *
 * INTERFACE
 *    eb_handle_envelope() - GET/HEAD /v1/envelopes/SHA256 (http.c)
 */
#ifndef EB_SERVER_ENVELOPES_HTTP_H
#define EB_SERVER_ENVELOPES_HTTP_H

struct eb_req;

/* Answer 'r' for the envelope named 'hex' (the path's last segment). */
void eb_handle_envelope(struct eb_req *r, const char *hex);

#endif
