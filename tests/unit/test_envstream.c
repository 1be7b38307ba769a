/*
 * tests/unit/test_envstream.c
 *    The streamed sealed envelope (protocol/envstream.c): round trip with
 *    attachments (by the opening key and by the bidder's own), the
 *    commitment equal to eb_bid_seal's meaning, and every tamper refused
 *    with its reason: a flipped bit, a cut at a segment boundary, an
 *    appended segment, a wrong commitment, a stranger's key; the prefix
 *    digests of eb_envs_seal_marked equal to the SHA-256 of each prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "protocol/cms.h"
#include "protocol/envstream.h"
#include "protocol/hash.h"
#include "tests/unit/testpki.h"

static struct eb_testpki pki;
static struct eb_tp_party opening;

static const char bid[] = "<bid tender=\"T-1\"><total-price>100</total-price></bid>";

static int
setup(void **state)
{
	(void)state;
	if (eb_testpki_init(&pki) != 0)
		return -1;
	opening.key = eb_testpki_ec_key();
	opening.cert = eb_testpki_issue(pki.ca.cert, pki.ca.key, opening.key,
	    "/CN=opening key T-1", pki.now_ms - EB_TP_DAY,
	    pki.now_ms + 30 * EB_TP_DAY, EB_TP_PARTY);
	return opening.cert == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(opening.cert);
	EVP_PKEY_free(opening.key);
	eb_testpki_free(&pki);
	return 0;
}

/* A temporary file of 'n' pseudo-random bytes. */
static FILE *
blob(size_t n, unsigned seed)
{
	FILE *f = tmpfile();
	uint32_t x = seed * 2654435761u + 1;

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		fputc((int)(x >> 16) & 0xff, f);
	}
	rewind(f);
	return f;
}

struct sealed {
	uint8_t *p;
	size_t n;
	uint8_t commit[32], sha[32];
	uint64_t size;
};

static void
seal(struct sealed *s, const struct eb_envs_file *files, size_t nfiles)
{
	struct eb_error e;
	char *mem = NULL;
	size_t memn = 0;
	FILE *out = open_memstream(&mem, &memn);
	uint8_t sha[32];

	assert_non_null(out);
	assert_int_equal(eb_envs_seal(pki.bidder.cert, pki.bidder.key,
	    opening.cert, (const uint8_t *)bid, strlen(bid), files, nfiles,
	    eb_envs_write_file, out, NULL, NULL, s->commit, s->sha, &s->size,
	    &e), EB_OK);
	fclose(out);
	s->p = (uint8_t *)mem;
	s->n = memn;
	assert_int_equal(s->size, memn);
	eb_sha256(s->p, s->n, sha);
	assert_memory_equal(sha, s->sha, 32);
}

static int
open_bytes(const uint8_t *p, size_t n, const uint8_t commit[32],
    struct eb_tp_party *who, size_t *natt, uint64_t *attbytes,
    struct eb_error *e)
{
	struct eb_envs_cms_key k = { .cert = who->cert, .key = who->key };
	FILE *in = fmemopen((void *)p, n, "rb");
	uint8_t *xml = NULL, *inner = NULL;
	size_t xl = 0, il = 0, ne = 0;
	struct eb_envs_entry *ents = NULL;
	X509 *signer = NULL;
	int rc;

	assert_non_null(in);
	rc = eb_envs_open(pki.trust, eb_envs_unwrap_cms, &k, eb_envs_read_file,
	    in, n, commit, 0, NULL, NULL, &xml, &xl, &inner, &il, &signer,
	    &ents, &ne, e);
	fclose(in);
	if (rc == EB_OK) {
		uint8_t d[32];

		assert_int_equal(xl, strlen(bid));
		assert_memory_equal(xml, bid, xl);
		eb_sha256(inner, il, d);
		assert_memory_equal(d, commit, 32);
		assert_int_equal(X509_cmp(signer, pki.bidder.cert), 0);
		*natt = ne;
		*attbytes = 0;
		for (size_t i = 0; i < ne; i++)
			*attbytes += ents[i].size;
	} else {
		assert_null(xml);
		assert_null(signer);
	}
	free(xml);
	free(inner);
	free(ents);
	X509_free(signer);
	return rc;
}

static void
test_round_trip(void **state)
{
	FILE *a = blob(200000, 1), *b = blob(65536 * 3, 2);
	struct eb_envs_file files[] = { { .name = "drawings.pdf", .f = a },
	    { .name = "boq.xlsx", .f = b } };
	struct sealed s;
	struct eb_error e;
	size_t natt = 0;
	uint64_t bytes = 0;

	(void)state;
	seal(&s, files, 2);
	assert_true(eb_envs_is_streamed(s.p, s.n));
	assert_int_equal(open_bytes(s.p, s.n, s.commit, &opening, &natt,
	    &bytes, &e), EB_OK);
	assert_int_equal(natt, 2);
	assert_int_equal(bytes, 200000 + 65536 * 3);
	/* the bidder opens its own */
	assert_int_equal(open_bytes(s.p, s.n, s.commit, &pki.bidder, &natt,
	    &bytes, &e), EB_OK);
	/* a stranger cannot */
	assert_int_not_equal(open_bytes(s.p, s.n, s.commit, &pki.bidder_rsa,
	    &natt, &bytes, &e), EB_OK);
	assert_string_equal(e.reason, "not-a-recipient");
	free(s.p);
	fclose(a);
	fclose(b);
}

static void
test_no_attachment(void **state)
{
	struct sealed s;
	struct eb_error e;
	size_t natt = 9;
	uint64_t bytes = 0;

	(void)state;
	seal(&s, NULL, 0);
	assert_int_equal(open_bytes(s.p, s.n, s.commit, &opening, &natt,
	    &bytes, &e), EB_OK);
	assert_int_equal(natt, 0);
	free(s.p);
}

static void
test_tamper(void **state)
{
	FILE *a = blob(65536 * 2 + 100, 3);
	struct eb_envs_file files[] = { { .name = "a.bin", .f = a } };
	struct sealed s;
	struct eb_error e;
	size_t natt = 0, hdr;
	uint64_t bytes = 0;
	uint8_t *c, wrong[32];

	(void)state;
	seal(&s, files, 1);
	hdr = 12 + ((size_t)s.p[8] << 24 | (size_t)s.p[9] << 16 |
	    (size_t)s.p[10] << 8 | s.p[11]);
	c = malloc(s.n + 65536 + 16);
	assert_non_null(c);
	/* one flipped bit in the second segment */
	memcpy(c, s.p, s.n);
	c[hdr + 65536 + 16 + 5] ^= 1;
	assert_int_equal(open_bytes(c, s.n, s.commit, &opening, &natt, &bytes,
	    &e), EB_ERR_CRYPTO);
	assert_string_equal(e.reason, "segment-auth-failed");
	/* cut after two whole segments: the new last one was not last */
	assert_int_equal(open_bytes(s.p, hdr + 2 * (65536 + 16), s.commit,
	    &opening, &natt, &bytes, &e), EB_ERR_CRYPTO);
	assert_string_equal(e.reason, "segment-auth-failed");
	/* a copy of the first segment appended */
	memcpy(c, s.p, s.n);
	memcpy(c + s.n, s.p + hdr, 65536 + 16);
	assert_int_not_equal(open_bytes(c, s.n + 65536 + 16, s.commit,
	    &opening, &natt, &bytes, &e), EB_OK);
	/* a commitment to something else */
	memcpy(wrong, s.commit, 32);
	wrong[0] ^= 0x80;
	assert_int_equal(open_bytes(s.p, s.n, wrong, &opening, &natt, &bytes,
	    &e), EB_ERR_DENIED);
	assert_string_equal(e.reason, "commitment-mismatch");
	/* not an envelope at all */
	memcpy(c, s.p, s.n);
	c[0] = 'X';
	assert_int_equal(open_bytes(c, s.n, s.commit, &opening, &natt, &bytes,
	    &e), EB_ERR_FORMAT);
	assert_string_equal(e.reason, "malformed-envelope");
	free(c);
	free(s.p);
	fclose(a);
}

static void
test_bad_names(void **state)
{
	FILE *a = blob(10, 4);
	struct eb_envs_file f1[] = { { .name = "../etc", .f = a } };
	struct eb_envs_file f2[] = { { .name = "x", .f = a },
	    { .name = "x", .f = a } };
	uint8_t c[32], h[32];
	uint64_t n;
	struct eb_error e;
	FILE *out = tmpfile();

	(void)state;
	assert_int_equal(eb_envs_seal(pki.bidder.cert, pki.bidder.key,
	    opening.cert, (const uint8_t *)bid, strlen(bid), f1, 1,
	    eb_envs_write_file, out, NULL, NULL, c, h, &n, &e), EB_ERR_USAGE);
	assert_string_equal(e.reason, "bad-attachment-name");
	assert_int_equal(eb_envs_seal(pki.bidder.cert, pki.bidder.key,
	    opening.cert, (const uint8_t *)bid, strlen(bid), f2, 2,
	    eb_envs_write_file, out, NULL, NULL, c, h, &n, &e), EB_ERR_USAGE);
	assert_string_equal(e.reason, "duplicate-attachment");
	fclose(out);
	fclose(a);
}

struct marks_seen {
	uint64_t at[64];
	uint8_t d[64][32];
	size_t n;
};

static void
mark_seen(void *arg, uint64_t at, const uint8_t digest[32])
{
	struct marks_seen *m = arg;

	assert_true(m->n < 64);
	m->at[m->n] = at;
	memcpy(m->d[m->n++], digest, 32);
}

/* Every 'every' bytes, the SHA-256 of the envelope so far; none else. */
static void
test_marks(void **state)
{
	FILE *a = blob(300000, 5);
	struct eb_envs_file f[] = { { .name = "a.bin", .f = a } };
	const uint64_t every = 10000;
	struct marks_seen seen = { .n = 0 };
	struct eb_envs_marks marks = { .every = every, .fn = mark_seen,
	    .arg = &seen };
	uint8_t c[32], h[32], d[32];
	uint64_t n = 0;
	struct eb_error e;
	char *mem = NULL;
	size_t memn = 0;
	FILE *out = open_memstream(&mem, &memn);

	(void)state;
	assert_non_null(out);
	assert_int_equal(eb_envs_seal_marked(pki.bidder.cert, pki.bidder.key,
	    opening.cert, (const uint8_t *)bid, strlen(bid), f, 1,
	    eb_envs_write_file, out, NULL, NULL, &marks, c, h, &n, &e), EB_OK);
	fclose(out);
	assert_int_equal(n, memn);
	assert_true(memn > 300000);
	assert_int_equal(seen.n, memn / every);
	for (size_t i = 0; i < seen.n; i++) {
		assert_int_equal(seen.at[i], (i + 1) * every);
		eb_sha256((const uint8_t *)mem, (size_t)seen.at[i], d);
		assert_memory_equal(d, seen.d[i], 32);
	}
	eb_sha256((const uint8_t *)mem, memn, d);
	assert_memory_equal(d, h, 32);
	free(mem);
	fclose(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_attachment),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_marks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
