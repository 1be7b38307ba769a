/*
 * protocol/inclusion.c
 *    Proof that a command is in an aggregate's log: see inclusion.h.
 */
#include "inclusion.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/isotime.h"
#include "protocol/receipt.h"

static int
in_set(X509 *cert, X509 *const *servers, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (X509_cmp(cert, servers[i]) == 0)
			return 1;
	return 0;
}

int
eb_chain_head_verify(const struct eb_trust *t, const char *aggregate,
    int64_t seq, const uint8_t hash[EB_SHA256_LEN], const uint8_t *sig,
    size_t sig_len, int64_t at_ms, X509 *const *servers, size_t nservers,
    struct eb_actor *signer, struct eb_error *err)
{
	struct eb_buf want = EB_BUF_INIT;
	struct eb_actor who;
	uint8_t *content = NULL;
	size_t clen = 0;
	X509 *cert = NULL;
	int rc;

	memset(&who, 0, sizeof(who));
	if ((rc = eb_cms_verify(t, sig, sig_len, at_ms, &content, &clen, &cert,
	    err)) != EB_OK)
		goto out;
	if ((rc = eb_actor_from_cert(cert, &who, err)) != EB_OK)
		goto out;
	if (who.role != EB_ROLE_SYSTEM) {
		rc = eb_fail(err, EB_ERR_DENIED, "chain-head-signer", NULL,
		    "the chain head is signed by %s, not by the server",
		    who.party);
		goto out;
	}
	if (nservers > 0 && !in_set(cert, servers, nservers)) {
		rc = eb_fail(err, EB_ERR_DENIED, "chain-head-not-server",
		    "Only the centre's server certificates sign chain heads.",
		    "the chain head is signed by %s, which claims the system "
		    "role but is not a server certificate", who.party);
		goto out;
	}
	if ((rc = eb_chain_head_text(aggregate, seq, hash, &want)) != EB_OK)
		goto out;
	if (want.len != clen || memcmp(want.data, content, clen) != 0)
		rc = eb_fail(err, EB_ERR_DENIED, "chain-head-content", NULL,
		    "the signed chain head names another chain");
out:
	if (rc == EB_OK && signer != NULL)
		*signer = who;
	eb_buf_free(&want);
	free(content);
	X509_free(cert);
	return rc;
}

static int
hex_attr(const struct eb_doc *d, const char *name, uint8_t out[32],
    struct eb_error *err)
{
	if (eb_unhex32(eb_doc_attr(d, name), out) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-proof",
		    "Give the .proof file ebid saved with the receipt.",
		    "the proof has no valid %s", name);
	return EB_OK;
}

int
eb_inclusion_verify(const struct eb_trust *t, const struct eb_doc *proof,
    const uint8_t *command, size_t command_len, const uint8_t *token,
    size_t token_len, X509 *const *servers, size_t nservers,
    struct eb_inclusion *out, struct eb_error *err)
{
	const struct eb_doc *head, *events;
	const char *agg, *kind, *clock, *sigb64;
	uint8_t prev[EB_SHA256_LEN], hash[EB_SHA256_LEN], h[EB_SHA256_LEN];
	uint8_t head_hash[EB_SHA256_LEN], *sig = NULL, *content = NULL;
	size_t sig_len = 0, clen = 0;
	int64_t seq = 0, head_seq = 0, at = 0, stamped = 0;
	uint64_t serial = 0;
	struct eb_entry ent;
	X509 *cert = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (strcmp(proof->name, "accepted") != 0 ||
	    (agg = eb_doc_attr(proof, "aggregate")) == NULL ||
	    (kind = eb_doc_attr(proof, "kind")) == NULL ||
	    (clock = eb_doc_attr(proof, "clock")) == NULL ||
	    eb_doc_attr_i64(proof, "seq", &seq) != EB_OK || seq < 1 ||
	    eb_isotime_parse(eb_doc_attr(proof, "time"), &at) != 0 ||
	    (events = eb_doc_child(proof, "events")) == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-proof",
		    "Give the .proof file ebid saved with the receipt.",
		    "the proof lacks the entry's aggregate, kind, seq, time, "
		    "clock or events");
	if ((rc = hex_attr(proof, "prev-hash", prev, err)) != EB_OK ||
	    (rc = hex_attr(proof, "hash", hash, err)) != EB_OK)
		return rc;
	if ((head = eb_doc_child(proof, "chain-head")) == NULL ||
	    eb_doc_attr_i64(head, "seq", &head_seq) != EB_OK ||
	    eb_unhex32(eb_doc_attr(head, "hash"), head_hash) != 0 ||
	    (sigb64 = eb_doc_child_text(head, "signature")) == NULL ||
	    eb_base64_decode(sigb64, strlen(sigb64), &sig, &sig_len) != EB_OK)
		return eb_fail(err, EB_ERR_FORMAT, "no-signed-head",
		    "Submit again with a server that signs chain heads at "
		    "receipts.", "the proof holds no signed chain head");
	snprintf(out->aggregate, sizeof(out->aggregate), "%s", agg);
	out->seq = seq;
	out->time = at;
	memcpy(out->hash, hash, EB_SHA256_LEN);

	/* 1. who sent the command */
	if ((rc = eb_cms_verify(t, command, command_len, at, &content, &clen,
	    &cert, err)) != EB_OK ||
	    (rc = eb_actor_from_cert(cert, &out->actor, err)) != EB_OK)
		goto out;
	/* 2. the receipt: over exactly these bytes, at the entry's time */
	memset(&ent, 0, sizeof(ent));
	eb_sha256(command, command_len, ent.command_sha256);
	if (token != NULL) {
		if ((rc = eb_receipt_verify(t, token, token_len,
		    ent.command_sha256, &stamped, &serial, err)) != EB_OK)
			goto out;
		if (stamped != at) {
			rc = eb_fail(err, EB_ERR_DENIED, "receipt-time", NULL,
			    "the receipt's time is not the entry's time");
			goto out;
		}
		ent.has_receipt = 1;
		eb_sha256(token, token_len, ent.receipt_sha256);
	}
	/* 3. the entry: its hash follows from the command and prev-hash */
	ent.aggregate = agg;
	ent.kind = kind;
	ent.seq = seq;
	ent.time = at;
	ent.actor = &out->actor;
	ent.clock = clock;
	if (eb_doc_attr(proof, "rules") != NULL) {
		int64_t v;

		if (eb_doc_attr_i64(proof, "rules", &v) != EB_OK || v < 1 ||
		    v > 32767) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-proof",
			    "Give the .proof file ebid saved with the receipt.",
			    "the proof's rules version is not a number");
			goto out;
		}
		ent.rules = (int)v;
	}
	ent.events = events;
	if ((rc = eb_entry_hash(&ent, prev, h)) != EB_OK)
		goto out;
	if (memcmp(h, hash, EB_SHA256_LEN) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "proof-hash",
		    "The proof is not about this command.",
		    "the entry recomputed from this command does not give the "
		    "proof's hash");
		goto out;
	}
	/* 4. the server vouched for exactly that entry at that seq */
	if (head_seq != seq || memcmp(head_hash, hash, EB_SHA256_LEN) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "proof-head",
		    "The proof is not about this command.",
		    "the signed chain head names entry %lld, not %lld",
		    (long long)head_seq, (long long)seq);
		goto out;
	}
	rc = eb_chain_head_verify(t, agg, seq, hash, sig, sig_len, at, servers,
	    nservers, &out->head_signer, err);
out:
	free(sig);
	free(content);
	X509_free(cert);
	return rc;
}
