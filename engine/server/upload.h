/*
 * engine/server/upload.h
 *    Resumable, chunked upload of a large bid's sealed envelope (issue 18,
 *    docs/bigbids.md):
 *
 *    POST /v1/uploads              body: the signed submit-bid naming the
 *                                  envelope (<envelope-ref sha256= size=>),
 *                                  application/cms: opens (or finds) the
 *                                  upload of that envelope for its signer
 *    GET  /v1/uploads/offset?sha256=SHA256
 *                                  the durable offset
 *    POST /v1/uploads/chunk?sha256=SHA256&offset=N&prefix-sha256=H
 *                                  body: the bytes [N, N+len) of the
 *                                  envelope, application/octet-stream;
 *                                  H: SHA-256 of the bytes [0, N+len)
 *                                  (chunk-sha256=: of the chunk alone)
 *    each answered <upload sha256= size= offset= complete= deadline= now=/>.
 *    (The envelope's hash is a query parameter: a path segment of
 *    http.c's endpoints[] holds at most 63 bytes, a SHA-256 in hex 64.)
 *
 * A chunk is written at its offset in DIR/uploads/SHA256.part on an upload
 * thread (upload_threads), under a flock of the part (several ebidd may
 * share DIR), hashed as it goes, fdatasync'ed, and its end recorded in
 * SHA256.meta (fdatasync'ed) before it is acknowledged: the offset a
 * client is told is durable, and after a restart of ebidd the upload goes
 * on from there (the part file is cut back to it, the running SHA-256 is
 * rebuilt from the disk).  The last chunk completes the upload only when
 * the whole envelope's SHA-256 and size are the signed ones; the file is
 * then fsync'ed and renamed into the store (envstore.h).  The signed
 * command is then sent to /v1/commands as any other; ebidd accepts it
 * (and issues the receipt) only when the envelope is in the store
 * (eb_uploads_check_command()).
 *
 * Limits: upload_max_size per envelope, upload_tender_quota per tender
 * (the sum of open uploads), upload_min_free bytes left on the disk,
 * max_body per chunk; after the tender's bid deadline a chunk is refused
 * and the partial upload deleted, and a timer deletes abandoned ones.
 *
 * Owns: struct eb_uploads (srv->uploads) and the open uploads.  Loop
 * thread, except the chunk writes (workers.h).
 *
 * INTERFACE
 *    eb_uploads_init(), eb_uploads_free()
 *    eb_handle_upload_open(), eb_handle_upload_offset(),
 *    eb_handle_upload_chunk()   - the three requests above
 *    eb_uploads_check_command() - submit-bid with envelope-ref: stored?
 *    eb_uploads_gc()            - delete partial uploads past deadline;
 *                                 sweep stored envelopes no log entry
 *                                 names after envelope_grace
 */
#ifndef EB_SERVER_UPLOAD_H
#define EB_SERVER_UPLOAD_H

#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;

int eb_uploads_init(struct eb_server *srv, struct eb_error *err) EB_MUSTCHECK;
void eb_uploads_free(struct eb_server *srv);
/* The three requests (http.c endpoints[]); each answers 'r'. */
void eb_handle_upload_open(struct eb_req *r);
void eb_handle_upload_offset(struct eb_req *r, const char *query);
void eb_handle_upload_chunk(struct eb_req *r, const char *query);
/* EB_OK, or the refusal of a submit-bid whose envelope is not stored. */
int eb_uploads_check_command(struct eb_server *srv, const struct eb_doc *cmd,
    struct eb_error *err) EB_MUSTCHECK;
/* Delete every partial upload whose deadline has passed; start a sweep
 * of the store (every 10 min; at each call under a test clock). */
void eb_uploads_gc(struct eb_server *srv);

#endif
