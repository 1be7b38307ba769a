/*
 * engine/server/upload.h
 *    Resumable, chunked upload of a large bid's sealed envelope (issue 18,
 *    docs/bigbids.md):
 *
 *    POST /v1/uploads              body: the signed submit-bid naming the
 *                                  envelope (<envelope-ref sha256= size=>),
 *                                  application/cms: opens (or finds) the
 *                                  upload of that envelope for its signer
 *    GET  /v1/uploads/SHA256       the durable offset
 *    POST /v1/uploads/SHA256?offset=N&sha256=CHUNKHASH
 *                                  body: the bytes [N, N+len) of the
 *                                  envelope, application/octet-stream
 *    each answered <upload sha256= size= offset= complete= deadline= now=/>.
 *
 * A chunk is written at its offset in DIR/uploads/SHA256.part on a worker
 * thread, hashed as it goes, fdatasync'ed, and its end recorded in
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
 *    eb_uploads_route()         - the three requests above
 *    eb_uploads_check_command() - submit-bid with envelope-ref: stored?
 *    eb_uploads_gc()            - delete partial uploads past deadline
 */
#ifndef EB_SERVER_UPLOAD_H
#define EB_SERVER_UPLOAD_H

#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;

int eb_uploads_init(struct eb_server *srv, struct eb_error *err) EB_MUSTCHECK;
void eb_uploads_free(struct eb_server *srv);
/* 1 when 'path' is an upload path (the request is then answered). */
int eb_uploads_route(struct eb_req *r, int is_post, const char *path,
    const char *query);
/* EB_OK, or the refusal of a submit-bid whose envelope is not stored. */
int eb_uploads_check_command(struct eb_server *srv, const struct eb_doc *cmd,
    struct eb_error *err) EB_MUSTCHECK;
/* Delete every partial upload whose deadline has passed. */
void eb_uploads_gc(struct eb_server *srv);

#endif
