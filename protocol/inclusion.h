/*
 * protocol/inclusion.h
 *    Proof that a command is in an aggregate's log: what a bidder keeps
 *    beside its RFC 3161 receipt, and what `ebid receipt verify` and
 *    `ebid-audit verify --head` check.
 *
 * The proof is ebidd's <accepted> reply to the command, kept as received:
 *
 *    <accepted aggregate="T-.." kind="tender" seq="S" time=".." clock=".."
 *              rules="2" prev-hash="<hex>" hash="<hex>">
 *      <events>...</events>
 *      <receipt>base64 RFC 3161 token</receipt>
 *      <chain-head seq="S" hash="<hex>"><signature>base64 CMS</signature></chain-head>
 *    </accepted>
 *
 * The token cannot hold the head (it is over SHA-256 of the bytes
 * received, made before the entry exists), so the server signs the head
 * separately: the CMS SignedData over "ebid-chain-head:A:S:H"
 * (protocol/entry.h eb_chain_head_text) says "entry S of aggregate A has
 * hash H".  With the command's own bytes, the token and the events, the
 * holder recomputes H = link(prev-hash, S, entry) (protocol/entry.h): so
 * the signed head commits to exactly this command, at exactly seq S.  A
 * log that lacks it, or has another entry at S, was cut or rewritten.
 *
 * INTERFACE
 *    eb_inclusion_verify()  - check a proof against the command and token
 */
#ifndef EB_INCLUSION_H
#define EB_INCLUSION_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/hash.h"
#include "protocol/pki.h"

struct eb_inclusion {
	char aggregate[EB_ID_MAX];
	int64_t seq;
	int64_t time;                   /* the entry's (and receipt's) time */
	uint8_t hash[EB_SHA256_LEN];
	struct eb_actor actor;          /* the command's signer */
	struct eb_actor head_signer;    /* who signed the chain head */
};

/*
 * Check 'proof' (an <accepted> tree) for the signed 'command' (DER, as
 * sent) and its RFC 3161 'token' (may be NULL when the command had no
 * receipt): the command's signature, the token over the command at the
 * entry's time, the entry hash recomputed from prev-hash, and the chain
 * head signed by a system certificate of the CA (and, when 'servers' is
 * not empty, by one of them) naming that hash at that seq.  Returns EB_OK
 * and fills 'out', or EB_ERR_DENIED / EB_ERR_CRYPTO / EB_ERR_FORMAT with
 * 'err' naming what does not hold.
 */
int eb_inclusion_verify(const struct eb_trust *t, const struct eb_doc *proof,
    const uint8_t *command, size_t command_len, const uint8_t *token,
    size_t token_len, X509 *const *servers, size_t nservers,
    struct eb_inclusion *out, struct eb_error *err) EB_MUSTCHECK;

/*
 * Verify one signed chain head: 'sig' is a CMS SignedData over
 * eb_chain_head_text(aggregate, seq, hash) by a system certificate of
 * the CA valid at 'at_ms' and, when nservers > 0, equal to one of
 * 'servers'.  Fills *signer (may be NULL).
 */
int eb_chain_head_verify(const struct eb_trust *t, const char *aggregate,
    int64_t seq, const uint8_t hash[EB_SHA256_LEN], const uint8_t *sig,
    size_t sig_len, int64_t at_ms, X509 *const *servers, size_t nservers,
    struct eb_actor *signer, struct eb_error *err) EB_MUSTCHECK;

#endif
