/*
 * engine/server/ocspclient.h
 *    ebidd's OCSP client (RFC 6960; issue 21 point 3): is this client
 *    certificate, or this command's signer, revoked?  Asked of the
 *    centre's responder (`ocsp_responder`) or of the URL in each
 *    certificate's Authority Information Access (`ocsp = aia`), with an
 *    evhttp client request on the loop (POST application/ocsp-request,
 *    plain HTTP: the answer is signed), never blocking it.  The request is
 *    built and the answer checked by protocol/ocsp.h (signer, chain,
 *    CertID, freshness).
 *
 *    One query per certificate at a time: a check of a certificate whose
 *    query is in flight waits on that query.  Each answer is kept, by the
 *    certificate's (issuer, serial) (the SHA-256 of its OCSP CertID),
 *    until its nextUpdate, or `ocsp_max_age` seconds when it names none;
 *    a failure (unreachable, timed out, an answer that does not count) is
 *    kept EB_OCSPC_RETRY_MS so that a dead responder costs one timeout,
 *    not one per request.  At most `ocsp_cache_entries` answers: the
 *    least recently used goes first (queries in flight are never evicted).
 *
 *    The verdict at an instant, as the CRL's (protocol/pki.h): revoked
 *    at or before it: 403 certificate-revoked (serial, revocation time);
 *    an instant before the revocation stands (a command signed before).
 *    "unknown": 403 ocsp-unknown-certificate.  No answer that counts:
 *    503 ocsp-unavailable, or, with `ocsp_soft_fail = yes`, allowed with
 *    a warning line and the metric ebid_ocsp_soft_fail_total.
 *
 * Ownership: struct eb_ocspc hangs from srv->ocsp (NULL when OCSP is
 * off); eb_ocspc_free() answers the checks still waiting (ocsp-unavailable)
 * and frees the rest.  Loop thread only.
 *
 * INTERFACE
 *    eb_ocspc_init()   - from the settings (fatal at start-up on error)
 *    eb_ocspc_free()
 *    eb_ocspc_check()  - the verdict now (cache) or later (callback)
 *    eb_ocspc_flush()  - SIGHUP: forget every kept answer
 *    eb_ocspc_render() - Prometheus lines for metrics.c
 */
#ifndef EB_SERVER_OCSPCLIENT_H
#define EB_SERVER_OCSPCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "protocol/buf.h"
#include "protocol/err.h"

struct eb_server;
struct eb_ocspc;

#define EB_OCSPC_WAIT 1                /* eb_ocspc_check(): see below */
#define EB_OCSPC_RETRY_MS ((int64_t)5000) /* a failure is kept this long */

/* The verdict for a check that waited: EB_OK, or an error with 'e'. */
typedef void (*eb_ocspc_done_fn)(void *arg, int rc,
    const struct eb_error *e);

/* srv->ocsp from srv->cfg (NULL when off).  EB_OK or 'err' (start-up). */
int eb_ocspc_init(struct eb_server *srv, struct eb_error *err) EB_MUSTCHECK;
void eb_ocspc_free(struct eb_server *srv);

/*
 * The status of 'cert' at 'at_ms' (ms UTC; 0 = now).  EB_OK: it stands
 * (or OCSP is off, or soft-fail allowed it); an EB_ERR_* with 'e': refused
 * now; EB_OCSPC_WAIT: a query is in flight and done(arg, ...) will be
 * called exactly once, later, on the loop ('cert' is not kept).
 */
int eb_ocspc_check(struct eb_server *srv, X509 *cert, int64_t at_ms,
    struct eb_error *e, eb_ocspc_done_fn done, void *arg);

/* The ebid_ocsp_* metrics (none when OCSP is off). */
void eb_ocspc_render(const struct eb_server *srv, struct eb_buf *b);
/* SIGHUP: drop every kept answer (queries in flight stay); how many. */
size_t eb_ocspc_flush(struct eb_server *srv);

#endif
