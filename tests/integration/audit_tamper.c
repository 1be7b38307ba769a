/*
 * tests/integration/audit_tamper.c
 *    Every kind of tampering an auditor must catch, tried on a real
 *    exported log (made by the integration run through the real ebidd and
 *    client): each must make eb_audit_verify fail naming the right entry.
 *
 *    audit_tamper LOG.xml CA.crt XSD PARTY.crt PARTY.key [SERVER.crt SERVER.key
 *                 [ROGUE.crt ROGUE.key]]
 *
 * PARTY is a valid certificate of the centre's CA whose role is not the
 * one of the entries it re-signs (an attacker holding some real key).
 * ROGUE is a valid certificate of the CA that says OU=system but is not
 * the server's (certs/make-dev-certs.sh rogue-system).
 * Prints CMocka's summary; exit status = failed tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/cmd.h"
#include "engine/core/flows.h"
#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/mem.h"
#include "protocol/pki.h"
#include "protocol/xml.h"
#include "tools/audit_log.h"

static const char *g_log, *g_ca, *g_xsd, *g_cert, *g_key;
static const char *g_server_cert, *g_server_key;
static const char *g_rogue_cert, *g_rogue_key;
static struct eb_schema *g_schema;
static struct eb_trust *g_trust;
static struct eb_doc *g_doc;

static struct eb_audit_log *
fresh(void)
{
	struct eb_audit_log *l = NULL;
	struct eb_error err;

	assert_int_equal(eb_audit_log_from_doc(g_doc, &l, &err), EB_OK);
	return l;
}

/* Verify; return the failed entry (0 when everything holds). */
static int64_t
verify(struct eb_audit_log *l, char *reason, size_t cap)
{
	struct eb_audit_result res;
	struct eb_error err;
	int rc;

	eb_error_clear(&err);
	rc = eb_audit_verify(l, g_trust, g_schema, &res, &err);
	if (reason != NULL)
		snprintf(reason, cap, "%s", err.reason);
	if (rc != EB_OK)
		printf("# caught: %s | %s\n", err.primary, err.detail);
	return rc == EB_OK ? 0 : (res.failed_seq ? res.failed_seq : -1);
}

/* Recompute the chain from entry index 'from' on, as a forger would. */
static void
rechain(struct eb_audit_log *l, size_t from)
{
	struct eb_entry ent;
	size_t i;

	for (i = from; i < l->n; i++) {
		struct eb_audit_entry *e = &l->entries[i];

		if (i > 0)
			memcpy(e->prev, l->entries[i - 1].hash, EB_SHA256_LEN);
		memset(&ent, 0, sizeof(ent));
		ent.aggregate = l->aggregate;
		ent.kind = l->kind;
		ent.seq = e->seq;
		ent.time = e->time;
		ent.actor = &e->actor;
		ent.clock = e->clock;
		ent.rules = e->rules;
		eb_sha256(e->command, e->command_len, ent.command_sha256);
		if (e->receipt != NULL) {
			ent.has_receipt = 1;
			eb_sha256(e->receipt, e->receipt_len, ent.receipt_sha256);
		}
		ent.events = e->events;
		assert_int_equal(eb_entry_hash(&ent, e->prev, e->hash), EB_OK);
	}
}

/* The first attribute value found at depth >= 1 under 'd', or NULL. */
static struct eb_attr *
first_attr(struct eb_doc *d)
{
	struct eb_doc *c;
	struct eb_attr *a;

	for (c = d->first; c != NULL; c = c->next) {
		if (c->attrs != NULL)
			return c->attrs;
		if ((a = first_attr(c)) != NULL)
			return a;
	}
	return NULL;
}

/* Index of the first entry whose events contain an element 'name'. */
static struct eb_doc *
find_el(struct eb_doc *d, const char *name)
{
	struct eb_doc *c, *r;

	for (c = d->first; c != NULL; c = c->next) {
		if (strcmp(c->name, name) == 0)
			return c;
		if ((r = find_el(c, name)) != NULL)
			return r;
	}
	return NULL;
}

static void
test_untouched_log_holds(void **state)
{
	struct eb_audit_log *l = fresh();

	(void)state;
	assert_true(l->n >= 3);
	assert_int_equal(verify(l, NULL, 0), 0);
	eb_audit_log_free(l);
}

static void
test_one_byte_of_every_entry(void **state)
{
	struct eb_audit_log *l;
	struct eb_attr *a;
	size_t i;

	(void)state;
	for (i = 0; i < (l = fresh())->n; i++) {
		a = first_attr(l->entries[i].events);
		if (a == NULL || a->value[0] == '\0') {
			eb_audit_log_free(l);
			continue;
		}
		a->value[0] ^= 1;
		assert_int_equal(verify(l, NULL, 0), l->entries[i].seq);
		eb_audit_log_free(l);
	}
	eb_audit_log_free(l);
}

static void
test_time_and_actor_changed(void **state)
{
	struct eb_audit_log *l = fresh();
	size_t k = l->n / 2;

	(void)state;
	l->entries[k].time += 1;
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_audit_log_free(l);
	l = fresh();
	l->entries[k].actor.party[0] ^= 1;
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_audit_log_free(l);
}

static void
test_command_byte_flipped(void **state)
{
	struct eb_audit_log *l = fresh();
	size_t k = l->n - 1;

	(void)state;
	l->entries[k].command[l->entries[k].command_len / 2] ^= 0x40;
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_audit_log_free(l);
}

static void
test_deleted_entry(void **state)
{
	struct eb_audit_log *l = fresh();
	size_t k = 1;

	(void)state;
	free(l->entries[k].command);
	free(l->entries[k].receipt);
	eb_doc_free(l->entries[k].events);
	memmove(&l->entries[k], &l->entries[k + 1],
	    (l->n - k - 1) * sizeof(l->entries[0]));
	l->n--;
	/* the entry now at index 1 has seq 3: the gap is named there */
	assert_int_equal(verify(l, NULL, 0), 3);
	eb_audit_log_free(l);
}

static void
test_deleted_and_renumbered(void **state)
{
	struct eb_audit_log *l = fresh();
	size_t k = 1, i;

	(void)state;
	free(l->entries[k].command);
	free(l->entries[k].receipt);
	eb_doc_free(l->entries[k].events);
	memmove(&l->entries[k], &l->entries[k + 1],
	    (l->n - k - 1) * sizeof(l->entries[0]));
	l->n--;
	for (i = k; i < l->n; i++)
		l->entries[i].seq = (int64_t)i + 1;
	rechain(l, k);
	/* a forger renumbers and rechains: replay refuses or differs at 2,
	 * or the signed chain head no longer matches */
	assert_true(verify(l, NULL, 0) >= 2);
	eb_audit_log_free(l);
}

static void
test_swapped_entries(void **state)
{
	struct eb_audit_log *l = fresh();
	struct eb_audit_entry tmp;
	size_t k = l->n / 2;

	(void)state;
	tmp = l->entries[k];
	l->entries[k] = l->entries[k + 1];
	l->entries[k + 1] = tmp;
	assert_int_equal(verify(l, NULL, 0), (int64_t)k + 2);
	eb_audit_log_free(l);
}

static void
test_signature_replaced(void **state)
{
	struct eb_audit_log *l = fresh();
	size_t k = l->n / 2;
	uint8_t *p;

	(void)state;
	/* put another entry's signed command in place of this one's */
	p = malloc(l->entries[k - 1].command_len);
	memcpy(p, l->entries[k - 1].command, l->entries[k - 1].command_len);
	free(l->entries[k].command);
	l->entries[k].command = p;
	l->entries[k].command_len = l->entries[k - 1].command_len;
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	/* and with the chain recomputed by the forger */
	rechain(l, k);
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_audit_log_free(l);
}

static void
test_resigned_with_wrong_role(void **state)
{
	struct eb_audit_log *l = fresh();
	struct eb_error err;
	struct eb_actor who;
	uint8_t *content = NULL, *sig = NULL;
	size_t clen = 0, siglen = 0, k;
	X509 *signer = NULL, *cert;
	EVP_PKEY *key;
	char reason[64];

	(void)state;
	cert = eb_pem_cert_load(g_cert, &err);
	key = eb_pem_key_load(g_key, &err);
	assert_non_null(cert);
	assert_non_null(key);
	assert_int_equal(eb_actor_from_cert(cert, &who, &err), EB_OK);
	/* the first entry whose actor has another role than the attacker's */
	for (k = 0; k < l->n && l->entries[k].actor.role == who.role; k++)
		;
	assert_true(k < l->n);
	assert_int_equal(eb_cms_verify(g_trust, l->entries[k].command,
	    l->entries[k].command_len, l->entries[k].time, &content, &clen,
	    &signer, &err), EB_OK);
	assert_int_equal(eb_cms_sign(cert, key, content, clen, &sig, &siglen,
	    &err), EB_OK);
	free(l->entries[k].command);
	l->entries[k].command = sig;
	l->entries[k].command_len = siglen;
	rechain(l, k);
	/* recorded actor kept: the signer is not the actor */
	assert_int_equal(verify(l, reason, sizeof(reason)), l->entries[k].seq);
	assert_string_equal(reason, "signer-not-actor");
	/* recorded actor changed to the attacker: the role is refused or
	 * the replay differs */
	l->entries[k].actor = who;
	rechain(l, k);
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	free(content);
	X509_free(signer);
	X509_free(cert);
	EVP_PKEY_free(key);
	eb_audit_log_free(l);
}

/* Change a figure inside the events of the first entry holding 'el'. */
static void
change_figure(const char *el, const char *attr)
{
	struct eb_audit_log *l = fresh();
	struct eb_doc *d = NULL;
	const char *v;
	char nv[64];
	size_t k;

	for (k = 0; k < l->n; k++)
		if ((d = find_el(l->entries[k].events, el)) != NULL &&
		    eb_doc_attr(d, attr) != NULL)
			break;
	if (k == l->n) {
		printf("# no <%s %s=...> in this log\n", el, attr);
		eb_audit_log_free(l);
		fail();
	}
	v = eb_doc_attr(d, attr);
	snprintf(nv, sizeof(nv), "%s1", v);
	eb_doc_set_attr(d, attr, nv);
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	/* and with the chain recomputed: the replay catches it */
	rechain(l, k);
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_audit_log_free(l);
}

static void
test_state_changed_and_rechained(void **state)
{
	struct eb_audit_log *l = fresh();
	struct eb_doc *ev;
	size_t k = l->n / 2;

	(void)state;
	/* add a forged event to a middle entry and recompute the chain */
	ev = eb_doc_add(l->entries[k].events, "forged");
	eb_doc_set_attr(ev, "by", "nobody");
	rechain(l, k);
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_audit_log_free(l);
}

static void
test_amount_changed(void **state)
{
	const char *el = getenv("EBID_TAMPER_AMOUNT_EL");
	const char *at = getenv("EBID_TAMPER_AMOUNT_ATTR");

	(void)state;
	change_figure(el ? el : "quote", at ? at : "amount");
}

/*
 * Someone holding the server's own key forges the opening: an opened bid's
 * amount changed inside open-bids, re-signed with the server's key, the
 * chain recomputed.  The bidder's inner signature and commitment (and the
 * replay) still name that entry.  Needs the server's key (argv 6, 7).
 */
static void
test_opening_forged_with_server_key(void **state)
{
	struct eb_audit_log *l;
	struct eb_error err;
	struct eb_doc *cmd = NULL, *r, *tp;
	struct eb_buf xml = EB_BUF_INIT;
	uint8_t *content = NULL, *sig = NULL;
	size_t clen = 0, siglen = 0, k;
	X509 *signer = NULL, *cert = NULL;
	EVP_PKEY *key = NULL;

	(void)state;
	if (g_server_cert == NULL)
		skip();
	l = fresh();
	for (k = 0; k < l->n; k++) {
		free(content);
		content = NULL;
		X509_free(signer);
		signer = NULL;
		if (eb_cms_verify(g_trust, l->entries[k].command,
		    l->entries[k].command_len, l->entries[k].time, &content,
		    &clen, &signer, &err) == EB_OK && clen > 0 &&
		    memmem(content, clen, "<open-bids", 10) != NULL)
			break;
	}
	if (k == l->n) {
		printf("# no opening in this log\n");
		free(content);
		X509_free(signer);
		eb_audit_log_free(l);
		skip();
		return;      /* skip() does not return; says so to the analyzer */
	}
	assert_int_equal(eb_xml_parse(NULL, NULL, content, clen, &cmd, &err),
	    EB_OK);
	r = eb_doc_child(cmd, "bid-result");
	while (r != NULL && (eb_doc_attr(r, "status") == NULL ||
	    strcmp(eb_doc_attr(r, "status"), "opened") != 0))
		r = eb_doc_next(r, "bid-result");
	assert_non_null(r);
	tp = eb_doc_path(r, "bid/total-price");
	assert_non_null(tp);
	eb_doc_set_text(tp, "100");
	eb_doc_set_attr(r, "total-price", "100");
	cert = eb_pem_cert_load(g_server_cert, &err);
	key = eb_pem_key_load(g_server_key, &err);
	assert_non_null(cert);
	assert_non_null(key);
	assert_int_equal(eb_xml_write(cmd, 0, &xml), EB_OK);
	assert_int_equal(eb_cms_sign(cert, key, xml.data, xml.len, &sig,
	    &siglen, &err), EB_OK);
	free(l->entries[k].command);
	l->entries[k].command = sig;
	l->entries[k].command_len = siglen;
	rechain(l, k);
	assert_int_equal(verify(l, NULL, 0), l->entries[k].seq);
	eb_buf_free(&xml);
	eb_doc_free(cmd);
	free(content);
	X509_free(signer);
	X509_free(cert);
	EVP_PKEY_free(key);
	eb_audit_log_free(l);
}

static void
test_truncated_file(void **state)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	struct eb_error err;
	struct eb_xml_limits lim = { .max_bytes = (size_t)1 << 30,
	    .max_depth = 64, .max_elements = 50000000 };

	(void)state;
	assert_int_equal(eb_xml_write(g_doc, 0, &b), EB_OK);
	/* cut in the middle: not a document any more */
	assert_int_not_equal(eb_xml_parse(g_schema, &lim, b.data, b.len / 2,
	    &d, &err), EB_OK);
	eb_buf_free(&b);
}

static void
test_truncated_at_entry(void **state)
{
	struct eb_audit_log *l = fresh();
	size_t keep = 2, i;

	(void)state;
	if (l->nheads == 0) {
		eb_audit_log_free(l);
		skip();
	}
	for (i = keep; i < l->n; i++) {
		free(l->entries[i].command);
		free(l->entries[i].receipt);
		eb_doc_free(l->entries[i].events);
	}
	l->n = keep;
	/* the server's signed chain heads past the cut no longer match */
	assert_true(verify(l, NULL, 0) > (int64_t)keep);
	eb_audit_log_free(l);
}

/* Free entries from index 'keep' on and the heads at or past seq keep+1. */
static void
cut_tail(struct eb_audit_log *l, size_t keep)
{
	size_t i, j = 0;

	for (i = keep; i < l->n; i++) {
		free(l->entries[i].command);
		free(l->entries[i].receipt);
		eb_doc_free(l->entries[i].events);
	}
	l->n = keep;
	for (i = 0; i < l->nheads; i++) {
		if (l->heads[i].seq > (int64_t)keep) {
			free(l->heads[i].signature);
			continue;
		}
		l->heads[j++] = l->heads[i];
	}
	l->nheads = j;
}

/*
 * Issue 20.3: a certificate of the CA that merely says OU=system signs a
 * system command, and ebidd (before the fix) appended it with its events
 * and signed heads.  Forged here as ebidd would have recorded it: the log
 * cut before the first system entry after the opening key, the rogue's
 * command appended with the events the engine decides for it, the chain
 * and a head recomputed.  Only the server certificate check catches it.
 */
static void
test_system_entry_signed_by_other_system_cert(void **state)
{
	struct eb_audit_log *l;
	const struct eb_flow_entry *fe;
	struct eb_error err;
	struct eb_actor rogue;
	struct eb_doc *body = NULL, *events = NULL;
	struct eb_cmd cmd;
	uint8_t *content = NULL, *sig = NULL;
	size_t clen = 0, siglen = 0, k, i;
	X509 *signer = NULL, *cert;
	EVP_PKEY *key;
	char reason[64];
	void *st;

	(void)state;
	if (g_rogue_cert == NULL)
		skip();
	l = fresh();
	fe = eb_flow_for_kind(l->kind);
	assert_non_null(fe);
	/* the last system entry (the latest step only ebidd may take) */
	for (k = l->n; k > 0 && l->entries[k - 1].actor.role !=
	    EB_ROLE_SYSTEM; k--)
		;
	assert_true(k > 1);
	k--;
	cert = eb_pem_cert_load(g_rogue_cert, &err);
	key = eb_pem_key_load(g_rogue_key, &err);
	assert_non_null(cert);
	assert_non_null(key);
	assert_int_equal(eb_actor_from_cert(cert, &rogue, &err), EB_OK);
	assert_int_equal(rogue.role, EB_ROLE_SYSTEM);
	/* the command as ebidd signed it, now signed by the rogue */
	assert_int_equal(eb_cms_verify(g_trust, l->entries[k].command,
	    l->entries[k].command_len, l->entries[k].time, &content, &clen,
	    &signer, &err), EB_OK);
	assert_int_equal(eb_cms_sign(cert, key, content, clen, &sig, &siglen,
	    &err), EB_OK);
	/* the engine's decision for it, after the entries before it */
	st = fe->ops->create(l->aggregate);
	for (i = 0; i < k; i++)
		assert_int_equal(fe->ops->apply(st, l->entries[i].events, &err),
		    EB_OK);
	assert_int_equal(eb_xml_parse(g_schema, NULL, content, clen, &body,
	    &err), EB_OK);
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = body;
	cmd.actor = rogue;
	snprintf(cmd.target, sizeof(cmd.target), "%s", l->aggregate);
	cmd.time = l->entries[k].time;
	assert_int_equal(fe->ops->decide(st, &cmd, &events, &err), EB_OK);
	fe->ops->destroy(st);
	cut_tail(l, k + 1);
	free(l->entries[k].command);
	l->entries[k].command = sig;
	l->entries[k].command_len = siglen;
	l->entries[k].actor = rogue;
	eb_doc_free(l->entries[k].events);
	l->entries[k].events = events;
	free(l->entries[k].receipt);
	l->entries[k].receipt = NULL;
	l->entries[k].receipt_len = 0;
	rechain(l, k);
	cut_tail(l, k + 1);          /* no head past the forged entry */
	for (i = 0; i < l->nheads; i++)
		if (l->heads[i].seq == (int64_t)k + 1) {
			free(l->heads[i].signature);
			l->heads[i] = l->heads[--l->nheads];
			break;
		}
	assert_int_equal(verify(l, reason, sizeof(reason)), (int64_t)k + 1);
	assert_string_equal(reason, "system-not-server");
	eb_doc_free(body);
	free(content);
	X509_free(signer);
	X509_free(cert);
	EVP_PKEY_free(key);
	eb_audit_log_free(l);
}

/*
 * Issue 20.4: the tail is cut behind the last receipted entry and the
 * signed heads past the cut are removed too ("heads fixed").  The bidder
 * of the last receipt kept the head the server signed for its entry: with
 * it, the cut is caught.  (Before heads were signed at receipts there was
 * no such head to keep.)
 */
static void
test_tail_cut_heads_fixed(void **state)
{
	struct eb_audit_log *l = fresh();
	struct eb_audit_head kept;
	size_t k, i;
	char reason[64];

	(void)state;
	for (k = l->n; k > 0 && l->entries[k - 1].receipt == NULL; k--)
		;
	if (k <= 1) {
		printf("# no receipted entry in this log\n");
		eb_audit_log_free(l);
		skip();
		return;      /* skip() does not return; says so to the analyzer */
	}
	/* a receipted entry, seq k */
	memset(&kept, 0, sizeof(kept));
	for (i = 0; i < l->nheads; i++)
		if (l->heads[i].seq == (int64_t)k) {
			kept = l->heads[i];
			kept.signature = eb_memdup(l->heads[i].signature,
			    kept.signature_len);
			break;
		}
	if (kept.signature == NULL)
		printf("# no signed head at the receipted entry %zu: the "
		    "bidder has nothing to prove its bid with\n", k);
	assert_non_null(kept.signature);
	/* the forger: cut the receipted entry and all after, fix the heads */
	cut_tail(l, k - 1);
	/* the bidder brings its head: the log lacks the entry it names */
	eb_audit_log_add_head(l, &kept);
	assert_int_equal(verify(l, reason, sizeof(reason)), (int64_t)k);
	assert_string_equal(reason, "chain-head-mismatch");
	eb_audit_log_free(l);
}

/*
 * One verify of 'l' with 'jobs' threads for the per-entry checks: the
 * whole outcome, to compare across thread counts (issue 17 point 3).
 */
struct outcome {
	int rc;
	struct eb_error err;
	struct eb_audit_result res;
};

static void
verify_jobs(struct eb_audit_log *l, int jobs, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	eb_error_clear(&o->err);
	eb_audit_set_jobs(jobs);
	o->rc = eb_audit_verify(l, g_trust, g_schema, &o->res, &o->err);
	eb_audit_set_jobs(0);
}

static void
assert_same_outcome(struct eb_audit_log *l, int64_t want_seq,
    const char *want_reason)
{
	struct outcome one, many;
	static const int jobs[] = { 2, 4, 7 };

	verify_jobs(l, 1, &one);
	printf("# --jobs 1: rc %d seq %lld %s | %s\n", one.rc,
	    (long long)one.res.failed_seq, one.err.reason, one.err.primary);
	assert_int_equal(one.res.failed_seq, want_seq);
	if (want_reason != NULL)
		assert_string_equal(one.err.reason, want_reason);
	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		verify_jobs(l, jobs[i], &many);
		assert_int_equal(many.rc, one.rc);
		assert_int_equal(many.err.code, one.err.code);
		assert_string_equal(many.err.reason, one.err.reason);
		assert_string_equal(many.err.primary, one.err.primary);
		assert_string_equal(many.err.detail, one.err.detail);
		assert_string_equal(many.err.hint, one.err.hint);
		assert_int_equal(many.res.failed_seq, one.res.failed_seq);
		assert_int_equal(many.res.entries_checked,
		    one.res.entries_checked);
		assert_int_equal(many.res.signatures_checked,
		    one.res.signatures_checked);
		assert_int_equal(many.res.receipts_checked,
		    one.res.receipts_checked);
		assert_int_equal(many.res.heads_checked, one.res.heads_checked);
		assert_string_equal(many.res.final_state, one.res.final_state);
	}
}

/*
 * The per-entry checks run on threads ahead of the replay: the outcome
 * (code, every message, the entry named, the counts) is the same for 1,
 * 2, 4 and 7 threads, on the untouched log and on forgeries that fail at
 * the signature, the signer, the receipt and the replay with the chain
 * recomputed (so that the threads' results, not the chain, decide).
 */
static void
test_jobs_same_outcome(void **state)
{
	struct eb_audit_log *l;
	size_t k, r;

	(void)state;
	l = fresh();
	assert_same_outcome(l, 0, "");
	eb_audit_log_free(l);

	/* a byte of a signature, late in the log, chain recomputed */
	l = fresh();
	k = l->n - 2;
	l->entries[k].command[l->entries[k].command_len - 3] ^= 0x01;
	rechain(l, k);
	assert_same_outcome(l, l->entries[k].seq, "bad-signature");
	eb_audit_log_free(l);

	/* two forged entries: the earlier is named, whatever thread saw it */
	l = fresh();
	k = l->n / 2;
	l->entries[k].command[l->entries[k].command_len - 3] ^= 0x01;
	l->entries[l->n - 1].command[l->entries[l->n - 1].command_len - 3] ^=
	    0x01;
	rechain(l, k);
	assert_same_outcome(l, l->entries[k].seq, "bad-signature");
	eb_audit_log_free(l);

	/* a receipt's byte, chain recomputed */
	l = fresh();
	for (r = l->n; r > 0 && l->entries[r - 1].receipt == NULL; r--)
		;
	if (r > 0) {
		r--;
		l->entries[r].receipt[l->entries[r].receipt_len - 3] ^= 0x01;
		rechain(l, r);
		assert_same_outcome(l, l->entries[r].seq, NULL);
	}
	eb_audit_log_free(l);

	/* another entry's command in place of one (signer or replay fails) */
	l = fresh();
	k = l->n / 3 + 1;
	free(l->entries[k].command);
	l->entries[k].command = malloc(l->entries[k - 1].command_len);
	memcpy(l->entries[k].command, l->entries[k - 1].command,
	    l->entries[k - 1].command_len);
	l->entries[k].command_len = l->entries[k - 1].command_len;
	rechain(l, k);
	assert_same_outcome(l, l->entries[k].seq, NULL);
	eb_audit_log_free(l);
}

static int
setup(void **state)
{
	struct eb_error err;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_xml_limits lim = { .max_bytes = (size_t)1 << 30,
	    .max_depth = 64, .max_elements = 50000000 };
	FILE *f;
	char chunk[65536];
	size_t n;

	(void)state;
	eb_xml_init();
	if ((g_schema = eb_schema_load(g_xsd, &err)) == NULL ||
	    (g_trust = eb_trust_load(g_ca, &err)) == NULL) {
		fprintf(stderr, "audit_tamper: %s\n", err.primary);
		return -1;
	}
	if ((f = fopen(g_log, "rb")) == NULL)
		return -1;
	b.max = (size_t)1 << 30;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (eb_buf_append(&b, chunk, n) != EB_OK)
			break;
	fclose(f);
	if (eb_xml_parse(g_schema, &lim, b.data, b.len, &g_doc, &err) != EB_OK) {
		fprintf(stderr, "audit_tamper: %s: %s\n", g_log, err.primary);
		eb_buf_free(&b);
		return -1;
	}
	eb_buf_free(&b);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	eb_doc_free(g_doc);
	eb_trust_free(g_trust);
	eb_schema_free(g_schema);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched_log_holds),
		cmocka_unit_test(test_one_byte_of_every_entry),
		cmocka_unit_test(test_time_and_actor_changed),
		cmocka_unit_test(test_command_byte_flipped),
		cmocka_unit_test(test_deleted_entry),
		cmocka_unit_test(test_deleted_and_renumbered),
		cmocka_unit_test(test_swapped_entries),
		cmocka_unit_test(test_signature_replaced),
		cmocka_unit_test(test_resigned_with_wrong_role),
		cmocka_unit_test(test_state_changed_and_rechained),
		cmocka_unit_test(test_amount_changed),
		cmocka_unit_test(test_opening_forged_with_server_key),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_truncated_at_entry),
		cmocka_unit_test(test_system_entry_signed_by_other_system_cert),
		cmocka_unit_test(test_tail_cut_heads_fixed),
		cmocka_unit_test(test_jobs_same_outcome),
	};

	if (argc != 6 && argc != 8 && argc != 10) {
		fprintf(stderr, "usage: audit_tamper LOG.xml CA.crt XSD "
		    "PARTY.crt PARTY.key [SERVER.crt SERVER.key "
		    "[ROGUE.crt ROGUE.key]]\n");
		return 2;
	}
	if (argc >= 8) {
		g_server_cert = argv[6];
		g_server_key = argv[7];
	}
	if (argc == 10) {
		g_rogue_cert = argv[8];
		g_rogue_key = argv[9];
	}
	g_log = argv[1];
	g_ca = argv[2];
	g_xsd = argv[3];
	g_cert = argv[4];
	g_key = argv[5];
	return cmocka_run_group_tests_name("audit_tamper", tests, setup,
	    teardown);
}
