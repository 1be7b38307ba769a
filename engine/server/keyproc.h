/*
 * engine/server/keyproc.h
 *    ebidd's key process (privilege separation, as OpenSSH's monitor):
 *    forked at start, before any thread and before the network process
 *    drops its privileges, it alone reads and holds the private keys that
 *    sign and decrypt for the centre:
 *      - the server's signing key (signing_key, else key): chain heads,
 *        ebidd's own commands, exports; and the shares custodians seal
 *        to the server's signing certificate;
 *      - the TSA key (tsa_key): the receipts' RFC 3161 tokens;
 *      - the opening authority's key (opening_authority_key): the
 *        tenders' opening certificates; and each tender's opening key
 *        while it is made (set-opening-key) and while its bids are opened.
 *    The network process (everything else: TLS, HTTP, XML, CMS
 *    verification, the database) asks it over two socketpairs in the
 *    frames of protocol/keyframe.h: one channel for the loop (sign, stamp,
 *    opening key), one for the opening's workers (open-begin, open-bid,
 *    open-end), each used by one caller at a time (a mutex).  The key
 *    process parses nothing but those frames, certificates' DER and
 *    sealed shares; a frame it cannot parse ends it (and ebidd with it).
 *
 *    Either process ending ends the other: the key process dies with its
 *    parent (PR_SET_PDEATHSIG) or on the channel's end of file; the
 *    network process hears SIGCHLD and stops (main.c), exit status 1.
 *
 * Ownership: struct eb_keyproc (eb_keyproc_free()) holds the channels
 * and the child's pid; every result returned is the caller's (free()).
 *
 * INTERFACE
 *    eb_keyproc_start()       - fork the key process, wait for its READY
 *    eb_keyproc_pid()         - its pid (SIGCHLD, the tests)
 *    eb_keyproc_sign()        - CMS SignedData with the server's signing key
 *    eb_keyproc_stamp()       - an RFC 3161 token with the TSA key
 *    eb_keyproc_opening_key() - set-opening-key, made where the keys are
 *    eb_keyproc_open_begin/bid/end() - the opening of one tender's bids
 *    eb_keyproc_free()        - close the channels, reap the child
 */
#ifndef EB_SERVER_KEYPROC_H
#define EB_SERVER_KEYPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/x509.h>

#include "protocol/err.h"

struct eb_config;
struct eb_custodian;
struct eb_doc;
struct eb_schema;
struct eb_keyproc;

/*
 * Fork the key process; it loads the keys the configuration names,
 * checks each against its certificate and answers READY (or the failure,
 * returned here with its reason: the child has then ended).  Call it
 * before any thread exists.
 */
struct eb_keyproc *eb_keyproc_start(const struct eb_config *cfg,
    struct eb_error *err);
pid_t eb_keyproc_pid(const struct eb_keyproc *kp);
/* The child was reaped already (SIGCHLD): eb_keyproc_free() won't wait. */
void eb_keyproc_forget(struct eb_keyproc *kp);
void eb_keyproc_free(struct eb_keyproc *kp);

/* eb_cms_sign() with the server's signing certificate and key. */
int eb_keyproc_sign(struct eb_keyproc *kp, const uint8_t *data, size_t len,
    uint8_t **out, size_t *outlen, struct eb_error *err) EB_MUSTCHECK;

/* eb_tsa_stamp() with the TSA's key. */
int eb_keyproc_stamp(struct eb_keyproc *kp, const uint8_t digest[32],
    int64_t at_ms, uint64_t serial, uint8_t **token, size_t *toklen,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * eb_opening_setup() in the key process (the opening authority's key, or
 * the server's signing key when none is configured); the command comes
 * back as XML and is parsed here against 'schema'.
 */
int eb_keyproc_opening_key(struct eb_keyproc *kp,
    const struct eb_schema *schema, const char *tender_id, int64_t now_ms,
    int64_t until_ms, const struct eb_custodian *custodians, size_t n,
    unsigned k, struct eb_doc **cmd, struct eb_error *err) EB_MUSTCHECK;

/*
 * The opening: begin recovers the tender's opening key from k sealed
 * shares in the key process and names it by *handle; bid decrypts one
 * envelope with it (the inner SignedData comes back: commitment, inner
 * signature and parsing happen here); end wipes the key.  Any failure of
 * the channel itself is EB_ERR_INTERNAL "key-process-gone".
 */
int eb_keyproc_open_begin(struct eb_keyproc *kp, X509 *opening_cert,
    const char *const *sealed_shares_b64, size_t nshares, unsigned k,
    uint64_t *handle, struct eb_error *err) EB_MUSTCHECK;
int eb_keyproc_open_bid(struct eb_keyproc *kp, uint64_t handle,
    const uint8_t *env, size_t len, uint8_t **inner, size_t *innerlen,
    struct eb_error *err) EB_MUSTCHECK;
void eb_keyproc_open_end(struct eb_keyproc *kp, uint64_t handle);

#endif
