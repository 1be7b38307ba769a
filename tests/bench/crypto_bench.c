/*
 * tests/bench/crypto_bench.c
 *    Microseconds per operation of eb_crypto on a 100 KiB bid, printed next
 *    to raw OpenSSL figures for the same sizes so the overhead of CMS,
 *    ASN.1 and our checks is visible as a ratio.  A report, not a test.
 *
 * Owner: cryptography engineer.
 *
 * Times are CPU time of this (single-threaded) process per operation,
 * so other load on the shared 2-core machine inflates them less than
 * wall-clock time would (cache and frequency effects remain).
 *
 * Usage: crypto_bench [iterations]   (default 300)
 * Uses the in-memory test PKI (EC P-256 bidder, opening key and TSA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/evp.h>

#include "protocol/cms.h"
#include "protocol/hash.h"
#include "protocol/receipt.h"
#include "tests/unit/testpki.h"

#define BID_LEN (100 * 1024)

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
	fprintf(stderr, "crypto_bench: %s: %s %s %s\n", what,
	    err != NULL ? err->reason : "", err != NULL ? err->primary : "",
	    err != NULL ? err->detail : "");
	exit(1);
}

static void
row(const char *name, double us, const char *raw_name, double raw_us)
{
	if (raw_name != NULL)
		printf("%-44s %9.1f   %-34s %8.1f   x%.1f\n", name, us, raw_name,
		    raw_us, us / raw_us);
	else
		printf("%-44s %9.1f\n", name, us);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300, i;
	struct eb_testpki pki;
	struct eb_tp_party opening;
	struct eb_error err;
	uint8_t *bid, *env = NULL, *cmd = NULL, *signedcmd = NULL, *out, c[32];
	uint8_t *tok = NULL, *inner, dg[32], md[64], sig[80];
	size_t envlen, cmdlen, signedlen, outlen, toklen, siglen, innerlen;
	char *b64 = NULL;
	X509 *s;
	struct eb_tsa *tsa;
	double t0, seal, verify, open, stamp, rverify, sha100, sha140, gcm,
	    ecsign, ecverify, rawcms, b64dec;
	EVP_MD_CTX *mctx;
	EVP_CIPHER_CTX *cctx;
	unsigned char key[32] = { 1 }, iv[12] = { 2 }, tag[16], *ct;
	int outl;
	int64_t at;
	uint64_t sn;

	if (n < 1)
		n = 1;
	if (eb_testpki_init(&pki) != 0)
		die("test PKI", NULL);
	opening.key = eb_testpki_ec_key();
	opening.cert = eb_testpki_issue(pki.ca.cert, pki.ca.key, opening.key,
	    "/CN=opening key T-bench", pki.now_ms - EB_TP_DAY,
	    pki.now_ms + EB_TP_DAY, EB_TP_PARTY);
	bid = malloc(BID_LEN);
	ct = malloc(BID_LEN);
	for (i = 0; i < BID_LEN; i++)
		bid[i] = (uint8_t)("<item>12345</item>\n"[i % 19]);

	/* eb_bid_seal */
	t0 = now_us();
	for (i = 0; i < n; i++) {
		free(env);
		if (eb_bid_seal(pki.bidder.cert, pki.bidder.key, opening.cert,
		    bid, BID_LEN, &env, &envlen, c, &err) != EB_OK)
			die("seal", &err);
	}
	seal = (now_us() - t0) / n;

	/* the <sealed-bid> command: envelope in base64, about 140 KiB */
	if (eb_base64_encode(env, envlen, &b64) != EB_OK)
		die("base64", NULL);
	cmdlen = strlen(b64) + 200;
	cmd = malloc(cmdlen);
	cmdlen = (size_t)snprintf((char *)cmd, cmdlen,
	    "<sealed-bid tender=\"T-bench\" commitment=\"x\"><envelope>%s"
	    "</envelope></sealed-bid>", b64);
	if (eb_cms_sign(pki.bidder.cert, pki.bidder.key, cmd, cmdlen,
	    &signedcmd, &signedlen, &err) != EB_OK)
		die("sign", &err);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_cms_verify(pki.trust, signedcmd, signedlen, 0, &out,
		    &outlen, &s, &err) != EB_OK)
			die("verify", &err);
		free(out);
		X509_free(s);
	}
	verify = (now_us() - t0) / n;

	/* raw CMS_verify of the same bytes (purpose ANY store, now) */
	t0 = now_us();
	for (i = 0; i < n; i++) {
		const unsigned char *p = signedcmd;
		CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p,
		    (long)signedlen);
		BIO *bo = BIO_new(BIO_s_mem());

		if (CMS_verify(cms, NULL, eb_trust_store(pki.trust), NULL, bo,
		    CMS_BINARY) != 1)
			die("raw CMS_verify", NULL);
		BIO_free(bo);
		CMS_ContentInfo_free(cms);
	}
	rawcms = (now_us() - t0) / n;

	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_base64_decode(b64, strlen(b64), &out, &outlen) != EB_OK)
			die("base64 decode", NULL);
		free(out);
	}
	b64dec = (now_us() - t0) / n;

	/* eb_bid_open with the opening key */
	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_bid_open(pki.trust, opening.cert, opening.key, env,
		    envlen, c, 0, &out, &outlen, &inner, &innerlen, &s,
		    &err) != EB_OK)
			die("open", &err);
		free(out);
		free(inner);
		X509_free(s);
	}
	open = (now_us() - t0) / n;

	/* receipts */
	eb_sha256(signedcmd, signedlen, dg);
	if ((tsa = eb_tsa_new(pki.tsa.cert, pki.tsa.key, &err)) == NULL)
		die("tsa", &err);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		free(tok);
		if (eb_tsa_stamp(tsa, dg, pki.now_ms + i, (uint64_t)i + 1, &tok,
		    &toklen, &err) != EB_OK)
			die("stamp", &err);
	}
	stamp = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (eb_receipt_verify(pki.trust, tok, toklen, dg, &at, &sn,
		    &err) != EB_OK)
			die("receipt verify", &err);
	rverify = (now_us() - t0) / n;

	/* raw OpenSSL figures */
	t0 = now_us();
	for (i = 0; i < n; i++)
		EVP_Digest(bid, BID_LEN, md, NULL, EVP_sha256(), NULL);
	sha100 = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		EVP_Digest(signedcmd, signedlen, md, NULL, EVP_sha256(), NULL);
	sha140 = (now_us() - t0) / n;
	cctx = EVP_CIPHER_CTX_new();
	t0 = now_us();
	for (i = 0; i < n; i++) {
		EVP_EncryptInit_ex(cctx, EVP_aes_256_gcm(), NULL, key, iv);
		EVP_EncryptUpdate(cctx, ct, &outl, bid, BID_LEN);
		EVP_EncryptFinal_ex(cctx, ct, &outl);
		EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
	}
	gcm = (now_us() - t0) / n;
	EVP_CIPHER_CTX_free(cctx);
	mctx = EVP_MD_CTX_new();
	t0 = now_us();
	for (i = 0; i < n; i++) {
		siglen = sizeof(sig);
		EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL,
		    pki.bidder.key);
		EVP_DigestSign(mctx, sig, &siglen, dg, 32);
	}
	ecsign = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		EVP_DigestVerifyInit(mctx, NULL, EVP_sha256(), NULL,
		    X509_get0_pubkey(pki.bidder.cert));
		if (EVP_DigestVerify(mctx, sig, siglen, dg, 32) != 1)
			die("raw verify", NULL);
	}
	ecverify = (now_us() - t0) / n;
	EVP_MD_CTX_free(mctx);

	printf("crypto_bench: %d iterations, bid %d bytes, envelope %zu, "
	    "signed command %zu, token %zu bytes\n", n, BID_LEN, envlen,
	    signedlen, toklen);
	printf("%-44s %9s   %-34s %8s   %s\n", "operation (CPU time)", "us/op",
	    "raw OpenSSL reference", "us/op", "ratio");
	row("eb_bid_seal (sign + GCM to 2 EC recipients)", seal,
	    "SHA-256 100 KiB + AES-GCM 100 KiB", sha100 + gcm);
	row("eb_cms_verify (signed 140 KiB command)", verify,
	    "SHA-256 140 KiB + ECDSA verify", sha140 + ecverify);
	row("  raw CMS_verify of the same bytes", rawcms,
	    "SHA-256 140 KiB + ECDSA verify", sha140 + ecverify);
	row("eb_base64_decode (envelope text)", b64dec, NULL, 0);
	row("eb_bid_open (ECDH + GCM + SHA + verify)", open,
	    "SHA-256 100 KiB x2 + GCM + ECDSA vfy", 2 * sha100 + gcm +
	    ecverify);
	row("eb_tsa_stamp", stamp, "EVP_DigestSign P-256", ecsign);
	row("eb_receipt_verify", rverify, "EVP_DigestVerify P-256", ecverify);
	row("  SHA-256 of 100 KiB", sha100, NULL, 0);
	row("  AES-256-GCM of 100 KiB", gcm, NULL, 0);

	free(tok);
	eb_tsa_free(tsa);
	free(b64);
	free(cmd);
	free(signedcmd);
	free(env);
	free(bid);
	free(ct);
	X509_free(opening.cert);
	EVP_PKEY_free(opening.key);
	eb_testpki_free(&pki);
	return 0;
}
