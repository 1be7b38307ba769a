/*
 * protocol/opening.h
 *    The two system commands of the sealed-bid opening, built by ebidd:
 *
 *    set-opening-key  when bidding opens: a fresh opening key whose
 *                     certificate is issued by the server, its private
 *                     half split k-of-n, one share sealed to each custodian
 *                       <set-opening-key tender=>
 *                         <certificate>b64 DER</certificate>
 *                         <share custodian=>b64 CMS to the custodian</share>...
 *
 *    open-bids        after the deadline, with k shares: every held bid
 *                     decrypted, checked against its commitment and its
 *                     inner signature (signer = the bidder), parsed and
 *                     validated, and reported
 *                       <open-bids tender=>
 *                         <bid-result bidder= commitment= status="opened"
 *                                     total-price=>
 *                           <bid>...</bid>
 *                           <inner>b64 of the inner SignedData</inner>
 *                         </bid-result>
 *                         <bid-result bidder= commitment= status="invalid"
 *                                     cause= fault="bidder|other"/>
 *
 * A custodian's submitted share is x||y sealed (CMS) to the SERVER's
 * certificate, so the log never holds a share in clear; ebidd unseals the
 * shares only to open, and wipes the key afterwards.  The inner DER in the
 * opening record lets an auditor check, without any key, that each opened
 * bid is the one its bidder committed to before the deadline.  The tree
 * open-bids returns holds each <inner> as its DER (doc.h, text held as
 * bytes: eb_doc_b64() reads it), written as its base64.
 *
 * No I/O: callers pass certificates, keys and bytes.
 */
#ifndef EB_OPENING_H
#define EB_OPENING_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/pki.h"
#include "protocol/xml.h"

struct eb_custodian {
	const char *party;
	X509 *cert;              /* borrowed */
};

/* Build set-opening-key (new tree) for 'tender_id'. */
int eb_opening_setup(X509 *issuer_cert, EVP_PKEY *issuer_key,
    const char *tender_id, int64_t now_ms, int64_t until_ms,
    const struct eb_custodian *custodians, size_t n, unsigned k,
    struct eb_doc **cmd, struct eb_error *err) EB_MUSTCHECK;

/* A held bid as the tender's state records it. */
struct eb_held_bid {
	const char *bidder;          /* party id */
	const char *commitment;      /* hex SHA-256 of the inner DER */
	const char *envelope_b64;    /* the sealed envelope, base64, or NULL */
	/* or a stored streamed envelope (protocol/envstream.h, issue 18),
	 * read once through env_read(env_arg) in bounded memory; env_read
	 * NULL with no envelope_b64: not found in the store */
	int (*env_read)(void *arg, uint8_t *p, size_t n, size_t *got,
	    struct eb_error *err);
	void *env_arg;
	uint64_t env_size;
};

/*
 * Build open-bids (new tree): unseal each submitted share with the
 * server's (cert, key), combine k of them into the opening key (refused
 * with EB_ERR_CRYPTO when they do not give the key of 'opening_cert'),
 * open every held bid at instant 'at_ms', and wipe the key.  'schema'
 * validates each bid document (root <bid tender="tender_id">).
 */
int eb_opening_open(const struct eb_trust *t, const struct eb_schema *schema,
    X509 *server_cert, EVP_PKEY *server_key, X509 *opening_cert,
    const char *tender_id, const char *const *sealed_shares_b64,
    size_t nshares, unsigned k, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, struct eb_doc **cmd, struct eb_error *err)
    EB_MUSTCHECK;

/* The same, opened by the pipeline of eb_opening_open_par(). */
int eb_opening_open_n(const struct eb_trust *t, const struct eb_schema *schema,
    X509 *server_cert, EVP_PKEY *server_key, X509 *opening_cert,
    const char *tender_id, const char *const *sealed_shares_b64,
    size_t nshares, unsigned k, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, unsigned threads, struct eb_doc **cmd,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * eb_opening_open() in two halves, for ebidd's privilege separation
 * (engine/server/keyproc.c): the key side recovers the opening key from
 * the shares (sealed to the server's certificate), the network side opens
 * the bids, having each envelope decrypted where that key is.
 */
int eb_opening_key_recover(X509 *server_cert, EVP_PKEY *server_key,
    X509 *opening_cert, const char *const *sealed_shares_b64, size_t nshares,
    unsigned k, EVP_PKEY **key, struct eb_error *err) EB_MUSTCHECK;

/* Decrypt one sealed envelope (DER) to its inner SignedData (free()). */
typedef int (*eb_opening_decrypt_fn)(void *ctx, const uint8_t *env,
    size_t len, uint8_t **inner, size_t *innerlen, struct eb_error *err);

/*
 * Build open-bids (new tree): every bid opened (or found invalid).  A
 * 'decrypt' failing with EB_ERR_INTERNAL (the key process is gone) stops
 * the opening with that error: no bid is blamed for it.
 */
int eb_opening_open_with(const struct eb_trust *t,
    const struct eb_schema *schema, eb_opening_decrypt_fn decrypt,
    void *ctx, const char *tender_id, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, struct eb_doc **cmd, struct eb_error *err)
    EB_MUSTCHECK;

/*
 * eb_opening_open_with() as a pipeline of two stages: the calling thread
 * decrypts the bids in order (so 'decrypt' is only ever called from it,
 * one bid at a time), and 'threads' threads started here check each
 * decrypted bid (commitment, inner signature, signer, the bid's parse and
 * schema check) while the next ones are decrypted, and decode the next
 * envelopes' base64 for it (at most 3 ahead).  At most 2 x threads + 2
 * decrypted bids wait for their check (memory stays bounded); every bid
 * is parsed once.  The check threads run at a priority 5 below the
 * calling thread's (Linux: setpriority per thread).  The records come
 * out in the order of 'bids'.  threads = 0: both stages in the calling
 * thread, bid after bid.
 */
int eb_opening_open_par(const struct eb_trust *t,
    const struct eb_schema *schema, eb_opening_decrypt_fn decrypt,
    void *ctx, const char *tender_id, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, unsigned threads, struct eb_doc **cmd,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * The custodian's side: unseal my share from the opening-key-set record
 * (b64 CMS to me) and re-seal it to the server's certificate for
 * submit-share.  Returns the new base64 (free()).
 */
int eb_share_reseal(X509 *my_cert, EVP_PKEY *my_key, X509 *server_cert,
    const char *sealed_b64, char **out_b64, struct eb_error *err)
    EB_MUSTCHECK;

/*
 * The auditor's side: check one opened bid-result without any key:
 * SHA-256(inner) == commitment, the inner signature verifies at 'at_ms'
 * with signer = 'bidder', and its content parses to the recorded <bid>.
 */
int eb_opening_check_result(const struct eb_trust *t,
    const struct eb_schema *schema, const struct eb_doc *bid_result,
    int64_t at_ms, struct eb_error *err) EB_MUSTCHECK;

#endif
