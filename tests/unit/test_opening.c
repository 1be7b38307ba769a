/*
 * tests/unit/test_opening.c
 *    The opening's system commands (protocol/opening.c): key set-up with
 *    shares sealed to custodians, custodians re-sealing to the server,
 *    opening k-of-n, every cause of an invalid bid, and the auditor's
 *    keyless check of each opened bid.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/cms.h"
#include "protocol/hash.h"
#include "protocol/opening.h"
#include "protocol/xml.h"
#include "tests/unit/testpki.h"

#define TENDER "T-2026-0042"

struct fx {
	struct eb_testpki pki;
	struct eb_tp_party server, bidder3;
	struct eb_schema *schema;
	struct eb_doc *setup;
	X509 *opening_cert;
};

static char *
read_sample(const char *name, const char *tender)
{
	char path[1024];
	struct eb_buf b = EB_BUF_INIT, out = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	struct eb_error err;
	FILE *f;
	char chunk[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/bids/%s", EB_SRC_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(eb_buf_append(&b, chunk, n), EB_OK);
	fclose(f);
	assert_int_equal(eb_xml_parse(NULL, NULL, b.data, b.len, &d, &err),
	    EB_OK);
	eb_doc_set_attr(d, "tender", tender);
	assert_int_equal(eb_xml_write(d, 0, &out), EB_OK);
	eb_doc_free(d);
	eb_buf_free(&b);
	return (char *)eb_buf_steal(&out, NULL);
}

/* Seal 'xml' as 'who'; return the envelope (b64) and commitment (hex). */
static void
seal(struct fx *f, struct eb_tp_party *who, const char *xml, char **env_b64,
    char commit_hex[EB_SHA256_HEX])
{
	uint8_t *env = NULL, commit[EB_SHA256_LEN];
	size_t envlen = 0;
	struct eb_error err;

	assert_int_equal(eb_bid_seal(who->cert, who->key, f->opening_cert,
	    (const uint8_t *)xml, strlen(xml), &env, &envlen, commit, &err),
	    EB_OK);
	assert_int_equal(eb_base64_encode(env, envlen, env_b64), EB_OK);
	eb_hex32(commit, commit_hex);
	free(env);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct eb_custodian cus[3];
	struct eb_error err;
	const char *cb64;
	uint8_t *der = NULL;
	const uint8_t *p;
	size_t len = 0;
	int i;

	if (f == NULL || eb_testpki_init(&f->pki) != 0)
		return -1;
	f->server.key = eb_testpki_ec_key();
	f->server.cert = eb_testpki_issue(f->pki.ca.cert, f->pki.ca.key,
	    f->server.key, "/O=Centre/OU=system/UID=ebidd/serialNumber=SYS-1/"
	    "CN=ebidd", f->pki.now_ms - EB_TP_DAY, f->pki.now_ms + EB_TP_DAY,
	    EB_TP_PARTY);
	f->bidder3.key = eb_testpki_ec_key();
	f->bidder3.cert = eb_testpki_issue(f->pki.ca.cert, f->pki.ca.key,
	    f->bidder3.key, "/O=Gamma Ltd/OU=bidder/UID=bidder3/"
	    "serialNumber=P-1003/CN=Gamma", f->pki.now_ms - EB_TP_DAY,
	    f->pki.now_ms + EB_TP_DAY, EB_TP_PARTY);
	eb_xml_init();
	eb_xml_lean_schema(1);            /* as ebidd loads it */
	f->schema = eb_schema_load(EB_SRC_DIR "/protocol/xsd/ebid.xsd", &err);
	if (f->server.cert == NULL || f->bidder3.cert == NULL ||
	    f->schema == NULL)
		return -1;
	for (i = 0; i < 3; i++) {
		cus[i].party = i == 0 ? "custodian1" : i == 1 ? "custodian2" :
		    "custodian3";
		cus[i].cert = f->pki.custodian[i].cert;
	}
	if (eb_opening_setup(f->server.cert, f->server.key, TENDER,
	    f->pki.now_ms, f->pki.now_ms + 30 * EB_TP_DAY, cus, 3, 2,
	    &f->setup, &err) != EB_OK) {
		fprintf(stderr, "setup: %s\n", err.primary);
		return -1;
	}
	cb64 = eb_doc_child_text(f->setup, "certificate");
	if (cb64 == NULL ||
	    eb_base64_decode(cb64, strlen(cb64), &der, &len) != EB_OK)
		return -1;
	p = der;
	f->opening_cert = d2i_X509(NULL, &p, (long)len);
	free(der);
	*state = f;
	return f->opening_cert != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	eb_doc_free(f->setup);
	X509_free(f->opening_cert);
	X509_free(f->server.cert);
	EVP_PKEY_free(f->server.key);
	X509_free(f->bidder3.cert);
	EVP_PKEY_free(f->bidder3.key);
	eb_schema_free(f->schema);
	eb_testpki_free(&f->pki);
	free(f);
	return 0;
}

static const char *
share_of(struct fx *f, const char *custodian)
{
	struct eb_doc *s;

	eb_doc_foreach(s, f->setup, "share")
		if (strcmp(eb_doc_attr(s, "custodian"), custodian) == 0)
			return eb_doc_text(s);
	return NULL;
}

static void
test_setup_names_every_custodian_once(void **state)
{
	struct fx *f = *state;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *back = NULL;
	struct eb_error err;

	assert_string_equal(f->setup->name, "set-opening-key");
	assert_string_equal(eb_doc_attr(f->setup, "tender"), TENDER);
	assert_int_equal(eb_doc_count(f->setup, "share"), 3);
	assert_non_null(share_of(f, "custodian1"));
	assert_non_null(share_of(f, "custodian3"));
	/* the command is valid against the tender family's schema */
	assert_int_equal(eb_xml_write(f->setup, 0, &b), EB_OK);
	assert_int_equal(eb_xml_parse(f->schema, NULL, b.data, b.len, &back,
	    &err), EB_OK);
	eb_doc_free(back);
	eb_buf_free(&b);
}

static void
test_open_two_of_three_with_every_cause(void **state)
{
	struct fx *f = *state;
	char *xml1 = read_sample("bid-1-quancheng.xml", TENDER);
	char *xml2 = read_sample("bid-2-huayu.xml", TENDER);
	char *xml3 = read_sample("bid-3-jinlu.xml", "T-OTHER");
	char *env[4] = { NULL }, com[4][EB_SHA256_HEX];
	char *sh[2] = { NULL };
	struct eb_held_bid held[4];
	struct eb_doc *cmd = NULL, *r;
	struct eb_error err;
	int opened = 0;

	seal(f, &f->pki.bidder, xml1, &env[0], com[0]);
	seal(f, &f->pki.bidder_rsa, xml2, &env[1], com[1]);
	seal(f, &f->bidder3, xml3, &env[2], com[2]);      /* other tender */
	seal(f, &f->bidder3, xml1, &env[3], com[3]);
	held[0] = (struct eb_held_bid){ .bidder = "bidder1", .commitment = com[0], .envelope_b64 = env[0] };
	held[1] = (struct eb_held_bid){ .bidder = "bidder2", .commitment = com[1], .envelope_b64 = env[1] };
	held[2] = (struct eb_held_bid){ .bidder = "bidder3", .commitment = com[2], .envelope_b64 = env[2] };
	/* bidder3's envelope held under bidder9's name: wrong signer */
	held[3] = (struct eb_held_bid){ .bidder = "bidder9", .commitment = com[3], .envelope_b64 = env[3] };

	assert_int_equal(eb_share_reseal(f->pki.custodian[0].cert,
	    f->pki.custodian[0].key, f->server.cert, share_of(f, "custodian1"),
	    &sh[0], &err), EB_OK);
	/* custodian2 cannot open custodian3's share */
	assert_int_not_equal(eb_share_reseal(f->pki.custodian[1].cert,
	    f->pki.custodian[1].key, f->server.cert, share_of(f, "custodian3"),
	    &sh[1], &err), EB_OK);
	assert_int_equal(eb_share_reseal(f->pki.custodian[2].cert,
	    f->pki.custodian[2].key, f->server.cert, share_of(f, "custodian3"),
	    &sh[1], &err), EB_OK);

	/* one share is not enough */
	assert_int_not_equal(eb_opening_open(f->pki.trust, f->schema,
	    f->server.cert, f->server.key, f->opening_cert, TENDER,
	    (const char *const *)sh, 1, 2, held, 4, f->pki.now_ms, &cmd, &err),
	    EB_OK);
	assert_null(cmd);

	assert_int_equal(eb_opening_open(f->pki.trust, f->schema,
	    f->server.cert, f->server.key, f->opening_cert, TENDER,
	    (const char *const *)sh, 2, 2, held, 4, f->pki.now_ms, &cmd, &err),
	    EB_OK);
	assert_int_equal(eb_doc_count(cmd, "bid-result"), 4);
	eb_doc_foreach(r, cmd, "bid-result") {
		const char *who = eb_doc_attr(r, "bidder");

		if (strcmp(who, "bidder1") == 0) {
			assert_string_equal(eb_doc_attr(r, "status"), "opened");
			assert_string_equal(eb_doc_attr(r, "total-price"),
			    "570368000");
			assert_int_equal(eb_opening_check_result(f->pki.trust,
			    f->schema, r, f->pki.now_ms, &err), EB_OK);
			opened++;
		} else if (strcmp(who, "bidder2") == 0) {
			assert_string_equal(eb_doc_attr(r, "status"), "opened");
			assert_int_equal(eb_opening_check_result(f->pki.trust,
			    f->schema, r, f->pki.now_ms, &err), EB_OK);
			/* change the recorded amount: the auditor sees it */
			eb_doc_set_text(eb_doc_child(eb_doc_child(r, "bid"),
			    "total-price"), "1");
			assert_int_equal(eb_opening_check_result(f->pki.trust,
			    f->schema, r, f->pki.now_ms, &err), EB_ERR_DENIED);
			assert_string_equal(err.reason, "opened-bid-differs");
			/* change the commitment: caught too */
			eb_doc_set_attr(r, "commitment", com[0]);
			assert_int_equal(eb_opening_check_result(f->pki.trust,
			    f->schema, r, f->pki.now_ms, &err), EB_ERR_DENIED);
			assert_string_equal(err.reason, "commitment-mismatch");
			opened++;
		} else if (strcmp(who, "bidder3") == 0) {
			assert_string_equal(eb_doc_attr(r, "status"), "invalid");
			assert_string_equal(eb_doc_attr(r, "cause"),
			    "bid-sealed-for-another-tender");
			assert_string_equal(eb_doc_attr(r, "fault"), "bidder");
		} else {
			assert_string_equal(who, "bidder9");
			assert_string_equal(eb_doc_attr(r, "status"), "invalid");
			assert_string_equal(eb_doc_attr(r, "cause"),
			    "inner-signer-is-not-the-bidder");
		}
	}
	assert_int_equal(opened, 2);
	eb_doc_free(cmd);
	free(sh[0]);
	free(sh[1]);
	for (int i = 0; i < 4; i++)
		free(env[i]);
	free(xml1);
	free(xml2);
	free(xml3);
}

static void
test_commitment_mismatch_is_the_bidders_fault(void **state)
{
	struct fx *f = *state;
	char *xml = read_sample("bid-4-taishan.xml", TENDER);
	char *env = NULL, com[EB_SHA256_HEX], *sh[2] = { NULL };
	struct eb_held_bid held;
	struct eb_doc *cmd = NULL, *r;
	struct eb_error err;

	seal(f, &f->pki.bidder, xml, &env, com);
	com[0] = com[0] == 'a' ? 'b' : 'a';
	held = (struct eb_held_bid){ .bidder = "bidder1", .commitment = com, .envelope_b64 = env };
	assert_int_equal(eb_share_reseal(f->pki.custodian[1].cert,
	    f->pki.custodian[1].key, f->server.cert, share_of(f, "custodian2"),
	    &sh[0], &err), EB_OK);
	assert_int_equal(eb_share_reseal(f->pki.custodian[2].cert,
	    f->pki.custodian[2].key, f->server.cert, share_of(f, "custodian3"),
	    &sh[1], &err), EB_OK);
	assert_int_equal(eb_opening_open(f->pki.trust, f->schema,
	    f->server.cert, f->server.key, f->opening_cert, TENDER,
	    (const char *const *)sh, 2, 2, &held, 1, f->pki.now_ms, &cmd, &err),
	    EB_OK);
	r = eb_doc_child(cmd, "bid-result");
	assert_string_equal(eb_doc_attr(r, "status"), "invalid");
	assert_string_equal(eb_doc_attr(r, "fault"), "bidder");
	eb_doc_free(cmd);
	free(sh[0]);
	free(sh[1]);
	free(env);
	free(xml);
}

/* A decrypt that counts its calls and fails as a gone key process at
 * call 'fail_at' (0: never); the thread that calls it is recorded. */
struct counting_key {
	X509 *cert;
	EVP_PKEY *key;
	int calls, fail_at;
	pthread_t caller;
	int other_thread;            /* calls from another thread */
};

static int
counting_decrypt(void *ctx, const uint8_t *env, size_t len, uint8_t **inner,
    size_t *innerlen, struct eb_error *err)
{
	struct counting_key *ck = ctx;

	if (!pthread_equal(pthread_self(), ck->caller))
		ck->other_thread++;
	if (++ck->calls == ck->fail_at)
		return eb_fail(err, EB_ERR_INTERNAL, "key-process-gone", NULL,
		    "the test's key process is gone");
	return eb_cms_decrypt(ck->cert, ck->key, env, len, inner, innerlen,
	    err);
}

/*
 * The pipeline (eb_opening_open_par): with 1, 2 or 3 check threads the
 * record is the sequential one, bid for bid and in order (opened and
 * invalid causes alike, past the window of decrypted bids), each
 * envelope decrypted once; a decryption failing as ours stops the
 * opening with that error and no record.
 */
static void
test_pipeline_gives_the_sequential_record(void **state)
{
	struct fx *f = *state;
	char *xml1 = read_sample("bid-1-quancheng.xml", TENDER);
	char *xml3 = read_sample("bid-3-jinlu.xml", "T-OTHER");
	char *env[3] = { NULL }, com[3][EB_SHA256_HEX], bad[EB_SHA256_HEX];
	char *sh[2] = { NULL };
	const char *cs[2];
	struct eb_held_bid held[20];
	struct eb_doc *seq = NULL, *par = NULL;
	struct counting_key ck = { .cert = f->opening_cert,
	    .caller = pthread_self() };
	struct eb_error err;
	size_t i;

	seal(f, &f->pki.bidder, xml1, &env[0], com[0]);
	seal(f, &f->bidder3, xml3, &env[1], com[1]);      /* other tender */
	seal(f, &f->pki.bidder_rsa, xml1, &env[2], com[2]);
	memcpy(bad, com[0], sizeof(bad));
	bad[0] = bad[0] == 'a' ? 'b' : 'a';
	for (i = 0; i < 20; i++) {
		int k = (int)(i % 4);

		held[i] = (struct eb_held_bid){ .bidder = k == 1 ? "bidder3" :
		    k == 2 ? "bidder2" : "bidder1", .commitment = k == 3 ? bad :
		    com[k], .envelope_b64 = env[k == 3 ? 0 : k] };
	}
	held[7].envelope_b64 = NULL;       /* the store lost it: ours */
	/* not base64, commitment not hex: prepared by a check thread (or
	 * the decrypting one), invalid as in the sequential opening */
	held[10].envelope_b64 = "not*base64";
	held[13].commitment = "0123";
	held[18].envelope_b64 = "QUJD";    /* base64 of "ABC": not CMS */
	assert_int_equal(eb_share_reseal(f->pki.custodian[0].cert,
	    f->pki.custodian[0].key, f->server.cert, share_of(f, "custodian1"),
	    &sh[0], &err), EB_OK);
	assert_int_equal(eb_share_reseal(f->pki.custodian[2].cert,
	    f->pki.custodian[2].key, f->server.cert, share_of(f, "custodian3"),
	    &sh[1], &err), EB_OK);
	cs[0] = sh[0];
	cs[1] = sh[1];
	assert_int_equal(eb_opening_key_recover(f->server.cert, f->server.key,
	    f->opening_cert, cs, 2, 2, &ck.key, &err), EB_OK);
	assert_int_equal(eb_opening_open_par(f->pki.trust, f->schema,
	    counting_decrypt, &ck, TENDER, held, 20, f->pki.now_ms, 0, &seq,
	    &err), EB_OK);
	assert_int_equal(ck.calls, 17);
	assert_int_equal(eb_doc_count(seq, "bid-result"), 20);
	assert_string_equal(eb_doc_attr(eb_doc_child(seq, "bid-result"),
	    "status"), "opened");
	{
		struct eb_doc *r;
		int k = 0, malformed = 0, decrypt = 0;

		eb_doc_foreach(r, seq, "bid-result") {
			const char *c = eb_doc_attr(r, "cause");

			if ((k == 10 || k == 13) && c != NULL && strcmp(c,
			    "the sealed bid is not well formed") == 0)
				malformed++;
			if (k == 18 && c != NULL && strcmp(eb_doc_attr(r,
			    "fault"), "bidder") == 0)
				decrypt++;
			k++;
		}
		assert_int_equal(malformed, 2);
		assert_int_equal(decrypt, 1);
	}
	for (unsigned th = 1; th <= 3; th++) {
		ck.calls = 0;
		assert_int_equal(eb_opening_open_par(f->pki.trust, f->schema,
		    counting_decrypt, &ck, TENDER, held, 20, f->pki.now_ms, th,
		    &par, &err), EB_OK);
		assert_int_equal(ck.calls, 17);
		assert_int_equal(ck.other_thread, 0);
		assert_true(eb_doc_equal(seq, par));
		eb_doc_free(par);
		par = NULL;
	}
	/* the key process goes at the 9th decryption: no record, our error */
	ck.calls = 0;
	ck.fail_at = 9;
	eb_error_clear(&err);
	assert_int_equal(eb_opening_open_par(f->pki.trust, f->schema,
	    counting_decrypt, &ck, TENDER, held, 20, f->pki.now_ms, 2, &par,
	    &err), EB_ERR_INTERNAL);
	assert_null(par);
	assert_string_equal(err.reason, "key-process-gone");
	assert_int_equal(ck.calls, 9);
	EVP_PKEY_free(ck.key);
	eb_doc_free(seq);
	free(sh[0]);
	free(sh[1]);
	for (i = 0; i < 3; i++)
		free(env[i]);
	free(xml1);
	free(xml3);
}

/*
 * The record holds each opened bid's inner SignedData as its DER (doc.h:
 * text held as bytes), and is written byte for byte as the record whose
 * <inner> is the base64 text, as the opening built it before (issue 17,
 * tenth pass): the same canonical bytes (what is hashed and logged), the
 * same eb_xml_write() (what ebidd signs), read back equal, and the
 * auditor's check passes on the record and on what is read back.
 */
static void
test_record_holds_the_inner_der_written_as_before(void **state)
{
	struct fx *f = *state;
	char *xml1 = read_sample("bid-1-quancheng.xml", TENDER);
	char *xml2 = read_sample("bid-2-huayu.xml", TENDER);
	char *env[2] = { NULL }, com[2][EB_SHA256_HEX];
	char *sh[2] = { NULL };
	const char *cs[2];
	struct eb_held_bid held[3];
	struct counting_key ck = { .cert = f->opening_cert,
	    .caller = pthread_self() };
	struct eb_doc *rec = NULL, *old, *back = NULL, *r, *in;
	struct eb_buf a = EB_BUF_INIT, b = EB_BUF_INIT;
	struct eb_xml_limits lim = { .max_bytes = (size_t)64 << 20,
	    .max_depth = 64, .max_elements = 1000000 };
	struct eb_error err;
	int held_as_der = 0;

	seal(f, &f->pki.bidder, xml1, &env[0], com[0]);
	seal(f, &f->pki.bidder_rsa, xml2, &env[1], com[1]);
	held[0] = (struct eb_held_bid){ .bidder = "bidder1", .commitment = com[0], .envelope_b64 = env[0] };
	held[1] = (struct eb_held_bid){ .bidder = "bidder2", .commitment = com[1], .envelope_b64 = env[1] };
	/* bidder1's envelope under bidder9's name: invalid, no <inner> */
	held[2] = (struct eb_held_bid){ .bidder = "bidder9", .commitment = com[0], .envelope_b64 = env[0] };
	assert_int_equal(eb_share_reseal(f->pki.custodian[0].cert,
	    f->pki.custodian[0].key, f->server.cert, share_of(f, "custodian1"),
	    &sh[0], &err), EB_OK);
	assert_int_equal(eb_share_reseal(f->pki.custodian[2].cert,
	    f->pki.custodian[2].key, f->server.cert, share_of(f, "custodian3"),
	    &sh[1], &err), EB_OK);
	cs[0] = sh[0];
	cs[1] = sh[1];
	assert_int_equal(eb_opening_key_recover(f->server.cert, f->server.key,
	    f->opening_cert, cs, 2, 2, &ck.key, &err), EB_OK);
	assert_int_equal(eb_opening_open_par(f->pki.trust, f->schema,
	    counting_decrypt, &ck, TENDER, held, 3, f->pki.now_ms, 2, &rec,
	    &err), EB_OK);
	/* the record as the opening wrote it before: each <inner> the text
	 * eb_base64_encode() made of the inner DER */
	old = eb_doc_clone(rec);
	eb_doc_foreach(r, old, "bid-result") {
		const uint8_t *der;
		uint8_t got[EB_SHA256_LEN], want[EB_SHA256_LEN];
		size_t n = 0;
		char *t = NULL;

		if ((in = eb_doc_child(r, "inner")) == NULL)
			continue;
		assert_non_null(der = eb_doc_b64(in, &n));
		assert_null(in->text);
		eb_sha256(der, n, got);
		assert_int_equal(eb_unhex32(eb_doc_attr(r, "commitment"), want),
		    0);
		assert_memory_equal(got, want, EB_SHA256_LEN);
		assert_int_equal(eb_base64_encode(der, n, &t), EB_OK);
		eb_doc_set_text(in, t);
		assert_null(eb_doc_b64(in, &n));
		free(t);
		held_as_der++;
	}
	assert_int_equal(held_as_der, 2);
	assert_int_equal(eb_doc_serialize(rec, &a), EB_OK);
	assert_int_equal(eb_doc_serialize(old, &b), EB_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	eb_buf_reset(&a);
	eb_buf_reset(&b);
	assert_int_equal(eb_xml_write(rec, 0, &a), EB_OK);
	assert_int_equal(eb_xml_write(old, 0, &b), EB_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* read back (as an auditor does): the text, the same tree */
	assert_int_equal(eb_xml_parse(NULL, &lim, a.data, a.len, &back, &err),
	    EB_OK);
	assert_true(eb_doc_equal(back, rec));
	assert_true(eb_doc_equal(back, old));
	r = eb_doc_child(back, "bid-result");
	assert_null(eb_doc_b64(eb_doc_child(r, "inner"), NULL));
	assert_int_equal(eb_opening_check_result(f->pki.trust, f->schema, r,
	    f->pki.now_ms, &err), EB_OK);
	r = eb_doc_child(rec, "bid-result");
	assert_int_equal(eb_opening_check_result(f->pki.trust, f->schema, r,
	    f->pki.now_ms, &err), EB_OK);
	/* the DER held is what the check reads: one byte changed, caught */
	{
		size_t n = 0;
		uint8_t *der = (uint8_t *)eb_doc_b64(eb_doc_child(r, "inner"),
		    &n);

		der[n / 2] ^= 1;
		assert_int_equal(eb_opening_check_result(f->pki.trust,
		    f->schema, r, f->pki.now_ms, &err), EB_ERR_DENIED);
		assert_string_equal(err.reason, "commitment-mismatch");
	}
	EVP_PKEY_free(ck.key);
	eb_buf_free(&a);
	eb_buf_free(&b);
	eb_doc_free(rec);
	eb_doc_free(old);
	eb_doc_free(back);
	free(sh[0]);
	free(sh[1]);
	free(env[0]);
	free(env[1]);
	free(xml1);
	free(xml2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_names_every_custodian_once),
		cmocka_unit_test(test_open_two_of_three_with_every_cause),
		cmocka_unit_test(test_commitment_mismatch_is_the_bidders_fault),
		cmocka_unit_test(test_pipeline_gives_the_sequential_record),
		cmocka_unit_test(test_record_holds_the_inner_der_written_as_before),
	};

	return cmocka_run_group_tests_name("opening", tests, setup, teardown);
}
