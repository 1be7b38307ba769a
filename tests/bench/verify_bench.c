/*
 * tests/bench/verify_bench.c
 *    What a signed command's verification costs, and what the cache of
 *    verified signers (protocol/certcache.h) saves (issue 17 point 2):
 *    eb_cms_verify with the cache flushed before every call (the cost
 *    before the cache: the embedded certificate decoded and its chain
 *    checked every time), with the cache warm, the experiment of signing
 *    by reference (SignerIdentifier = subject key identifier, no
 *    certificate embedded, the verifier holding the certificate), and
 *    the floor: SHA-256 + one ECDSA P-256 verify; and the unchecked read
 *    of the content that the early refusal of a stale raise does instead
 *    (eb_cms_peek_content, issue 17 ninth pass).  A report, not a test.
 *
 * Owner: cryptography engineer.  CPU time of this single-threaded
 * process per operation.
 *
 * Usage: verify_bench [iterations [cold|warm|byref|raw|peek|all [size]]]
 *    (default 2000 all 1024): one mode alone is for `perf record`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/evp.h>

#include "protocol/cms.h"
#include "protocol/hash.h"
#include "tests/unit/testpki.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
die(const char *what, const struct eb_error *err)
{
	fprintf(stderr, "verify_bench: %s: %s %s %s\n", what,
	    err != NULL ? err->reason : "", err != NULL ? err->primary : "",
	    err != NULL ? err->detail : "");
	exit(1);
}

static struct eb_testpki pki;
static uint8_t *content, *embedded, *byref;
static size_t clen, elen, rlen;

static double
run_verify(int n, int flush)
{
	struct eb_error err;
	uint8_t *out;
	size_t outlen;
	X509 *s;
	double t0 = now_us();

	for (int i = 0; i < n; i++) {
		if (flush)
			eb_trust_set_revocations(pki.trust, NULL);
		if (eb_cms_verify(pki.trust, embedded, elen, 0, &out, &outlen,
		    &s, &err) != EB_OK)
			die("verify", &err);
		free(out);
		X509_free(s);
	}
	return (now_us() - t0) / n;
}

/* Signed by reference: the verifier holds the signer's certificate. */
static double
run_byref(int n)
{
	struct eb_error err;
	STACK_OF(X509) *certs = sk_X509_new_null();
	double t0;

	sk_X509_push(certs, pki.bidder.cert);
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		const unsigned char *p = byref;
		CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p,
		    (long)rlen);
		BIO *bo = BIO_new(BIO_s_mem());

		if (cms == NULL || CMS_verify(cms, certs, NULL, NULL, bo,
		    CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1)
			die("by-reference CMS_verify", NULL);
		if (eb_trust_check_chain(pki.trust, pki.bidder.cert, NULL, 0,
		    &err) != EB_OK)
			die("by-reference chain", &err);
		BIO_free(bo);
		CMS_ContentInfo_free(cms);
	}
	sk_X509_free(certs);
	return (now_us() - t0) / n;
}

/* SHA-256 of the content + one ECDSA P-256 verify (of a 32-byte digest). */
static double
run_raw(int n)
{
	EVP_PKEY *pub = X509_get0_pubkey(pki.bidder.cert);
	uint8_t dg[32], sig[128];
	size_t siglen = sizeof(sig);
	EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new(pki.bidder.key, NULL);
	double t0;

	eb_sha256(content, clen, dg);
	if (sctx == NULL || EVP_PKEY_sign_init(sctx) != 1 ||
	    EVP_PKEY_sign(sctx, sig, &siglen, dg, 32) != 1)
		die("raw sign", NULL);
	EVP_PKEY_CTX_free(sctx);
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		EVP_PKEY_CTX *v = EVP_PKEY_CTX_new(pub, NULL);

		eb_sha256(content, clen, dg);
		if (v == NULL || EVP_PKEY_verify_init(v) != 1 ||
		    EVP_PKEY_verify(v, sig, siglen, dg, 32) != 1)
			die("raw verify", NULL);
		EVP_PKEY_CTX_free(v);
	}
	return (now_us() - t0) / n;
}

/* The early refusal's unchecked read of the same bytes. */
static double
run_peek(int n)
{
	const uint8_t *pc;
	size_t plen;
	double t0 = now_us();

	for (int i = 0; i < n; i++)
		if (eb_cms_peek_content(embedded, elen, &pc, &plen) != EB_OK ||
		    plen != clen)
			die("peek", NULL);
	return (now_us() - t0) / n;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	const char *mode = argc > 2 ? argv[2] : "all";
	size_t size = argc > 3 ? (size_t)atol(argv[3]) : 1024;
	int all = strcmp(mode, "all") == 0;
	struct eb_error err;
	BIO *in;
	CMS_ContentInfo *cms;
	unsigned char *p = NULL;
	int len;

	if (n <= 0 || size < 16 || eb_testpki_init(&pki) != 0)
		die("setup", NULL);
	clen = size;
	content = malloc(clen);
	for (size_t i = 0; i < clen; i++)
		content[i] = (uint8_t)("<amount>12345</amount>\n"[i % 23]);
	if (eb_cms_sign(pki.bidder.cert, pki.bidder.key, content, clen,
	    &embedded, &elen, &err) != EB_OK)
		die("sign", &err);
	in = BIO_new_mem_buf(content, (int)clen);
	cms = CMS_sign(pki.bidder.cert, pki.bidder.key, NULL, in, CMS_BINARY |
	    CMS_NOSMIMECAP | CMS_NOCERTS | CMS_USE_KEYID);
	if (cms == NULL || (len = i2d_CMS_ContentInfo(cms, &p)) <= 0)
		die("sign by reference", NULL);
	byref = p;
	rlen = (size_t)len;
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	printf("content %zu bytes; SignedData %zu bytes embedded, %zu by "
	    "reference\n", clen, elen, rlen);
	if (all || strcmp(mode, "cold") == 0)
		printf("eb_cms_verify, cache flushed each time (before) %8.1f us\n",
		    run_verify(n, 1));
	if (all || strcmp(mode, "warm") == 0) {
		(void)run_verify(1, 0);
		printf("eb_cms_verify, signer cached (after)            %8.1f us\n",
		    run_verify(n, 0));
	}
	if (all || strcmp(mode, "byref") == 0)
		printf("signed by reference: d2i + CMS_verify + cached chain %6.1f us\n",
		    run_byref(n));
	if (all || strcmp(mode, "raw") == 0)
		printf("floor: SHA-256 + ECDSA P-256 verify             %8.1f us\n",
		    run_raw(n));
	if (all || strcmp(mode, "peek") == 0)
		printf("eb_cms_peek_content (unchecked, early refusal)  %8.3f us\n",
		    run_peek(n * 100));
	free(content);
	free(embedded);
	OPENSSL_free(byref);
	eb_testpki_free(&pki);
	return 0;
}
