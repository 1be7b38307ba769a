/*
 * tools/bigbid.h
 *    The client's side of large bids (issue 18, docs/bigbids.md):
 *    `ebid bid seal --attach FILE ...` writes the streamed envelope
 *    (protocol/envstream.h) to a file beside the signed command, and
 *    `ebid bid submit` uploads it in chunks to /v1/uploads, resuming from
 *    the server's durable offset after a dropped connection or a restart
 *    of either side, before it sends the signed command.  Seal also
 *    writes ENV.prefix-sha256 (the envelope's SHA-256 at every MiB), which
 *    submit sends as the chunks' prefix-sha256 instead of hashing again.
 *
 * Owns nothing beyond a call.
 *
 * INTERFACE
 *    eb_bigbid_seal()   - seal bid.xml + attachments into ENV_PATH
 *    eb_bigbid_upload() - upload ENV_PATH for the signed command
 *    eb_bigbid_open()   - the bidder opens its own envelope (streamed),
 *                         the attachments written to a folder
 */
#ifndef EB_BIGBID_H
#define EB_BIGBID_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/err.h"
#include "protocol/pki.h"
#include "tools/client.h"

int eb_bigbid_seal(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *xml, size_t len, const char *const *attach,
    size_t nattach, const char *env_path, uint8_t commitment[32],
    uint8_t env_sha256[32], uint64_t *env_size, struct eb_error *err)
    EB_MUSTCHECK;

struct eb_bigbid_opts {
	size_t chunk;            /* bytes per chunk (default 4 MiB) */
	uint64_t stop_after;     /* test aid: stop after sending this many
	                          * bytes in this run (0: never) */
	int retries;             /* transport failures in a row before giving up */
};

/*
 * Upload the envelope at 'env_path' named by the signed command 'cmd'
 * (sha256 hex, size).  EB_OK when the server holds it whole; otherwise
 * the error (EB_ERR_IO for a transport failure that outlived the
 * retries, or the server's refusal).
 */
int eb_bigbid_upload(struct eb_client *c, const uint8_t *cmd, size_t cmdlen,
    const char *hex, uint64_t size, const char *env_path,
    const struct eb_bigbid_opts *o, struct eb_error *err) EB_MUSTCHECK;

/*
 * Open the streamed envelope at 'env_path' with (cert, key), check it
 * against 'commitment' and the inner signature at 'trust', and write each
 * attachment into 'outdir' (NULL: only checked).  On EB_OK *xml is the
 * bid document (free()); on failure every file written is removed.
 */
int eb_bigbid_open(const struct eb_trust *trust, X509 *cert, EVP_PKEY *key,
    const char *env_path, const uint8_t commitment[32], const char *outdir,
    uint8_t **xml, size_t *xmllen, size_t *nattach, struct eb_error *err)
    EB_MUSTCHECK;

#endif
