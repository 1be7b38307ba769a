/*
 * tests/fuzz/crl_fuzzer.c
 *    Fuzz the CRL loader (eb_revocations_load, protocol/revocation.h):
 *    the file named by ebidd's crl setting and by ebid-audit's --crl,
 *    in PEM (several CRLs) or DER, against a fixed in-memory CA.
 *
 *    The first input byte picks the mode:
 *      bit 0 clear  the rest is the CRL file as is (PEM/DER framing, the
 *                   issuer and signature checks; a refusal must name a
 *                   documented reason);
 *      bit 0 set    the rest is parsed as a DER CRL, its issuer set to
 *                   the fuzz CA, re-signed with the CA's key, and written
 *                   as PEM (bit 1 set; bit 2: twice in the file) or DER,
 *                   so the revoked entries (serials, dates, extensions)
 *                   reach the list itself.
 *    Checks beyond "no crash": a refusal names one of the documented
 *    reasons and returns no list; a re-signed CRL whose entries all have
 *    a valid date is accepted; once loaded, the list holds every entry
 *    (times the copies), every listed serial is found for a certificate of
 *    that issuer and serial, at or before the entry's date, and
 *    eb_revocations_get() gives every entry.
 *
 * The CA is Ed25519 from a fixed seed (deterministic signatures: the
 * corpus replays the same forever); the file is a memfd, nothing touches
 * the disk.
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/crl_corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "protocol/revocation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_ENTRIES 8      /* entries looked up per input */

static EVP_PKEY *ca_key;
static X509 *ca;
static X509_STORE *store;
static int memfd = -1;
static char path[64];

static void
init(void)
{
	static const unsigned char seed[32] = "ebid CRL fuzz CA, fixed seed.";
	X509_NAME *n;

	if (ca != NULL)
		return;
	ca_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof(seed));
	ca = X509_new();
	n = X509_NAME_new();
	if (ca_key == NULL || ca == NULL || n == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"ebid CRL Fuzz CA", -1, -1, 0) != 1 ||
	    X509_set_version(ca, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(ca), 1) != 1 ||
	    X509_set_subject_name(ca, n) != 1 ||
	    X509_set_issuer_name(ca, n) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(ca), 1735689600) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(ca), 2082758400) == NULL ||
	    X509_set_pubkey(ca, ca_key) != 1 ||
	    X509_sign(ca, ca_key, NULL) <= 0)
		abort();
	X509_NAME_free(n);
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, ca) != 1)
		abort();
	if ((memfd = memfd_create("crl", 0)) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
}

static void
put_file(const void *p, size_t n)
{
	if (ftruncate(memfd, 0) != 0 ||
	    (n > 0 && pwrite(memfd, p, n, 0) != (ssize_t)n))
		abort();
}

static int
documented(const char *reason)
{
	static const char *const ok[] = {
		"crl-unreadable", "crl-malformed", "crl-unknown-issuer",
		"crl-bad-signature", "crl-too-large", NULL
	};

	for (size_t i = 0; ok[i] != NULL; i++)
		if (strcmp(reason, ok[i]) == 0)
			return 1;
	return 0;
}

static int64_t
ms_of(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return INT64_MIN;
	return (int64_t)timegm(&tm) * 1000;
}

/* The invariants of a loaded list against the CRL it came from. */
static void
check_list(const struct eb_revocations *r, X509_CRL *crl, int copies)
{
	STACK_OF(X509_REVOKED) *list = X509_CRL_get_REVOKED(crl);
	int n = list != NULL ? sk_X509_REVOKED_num(list) : 0;
	char serial[80], issuer[256];
	int64_t when;

	if (eb_revocations_count(r) != (size_t)n * (size_t)copies ||
	    eb_revocations_crls(r) != (size_t)copies)
		abort();
	for (size_t i = 0; i < eb_revocations_count(r); i++) {
		eb_revocations_get(r, i, serial, sizeof(serial), issuer,
		    sizeof(issuer), &when);
		if (serial[0] == '\0' || strstr(issuer, "ebid CRL Fuzz CA") ==
		    NULL)
			abort();
	}
	for (int i = 0; i < n && i < CHECK_ENTRIES; i++) {
		const X509_REVOKED *x = sk_X509_REVOKED_value(list, i);
		X509 *c = X509_new();

		if (c == NULL || X509_set_issuer_name(c,
		    X509_get_subject_name(ca)) != 1 || X509_set_serialNumber(c,
		    (ASN1_INTEGER *)X509_REVOKED_get0_serialNumber(x)) != 1)
			abort();
		when = INT64_MAX;
		if (eb_revocations_find(r, c, &when) != 1 ||
		    when > ms_of(X509_REVOKED_get0_revocationDate(x)))
			abort();
		X509_free(c);
	}
}

/* Mode 1: the input's CRL, issued and signed by the fuzz CA. */
static void
resigned(const uint8_t *data, size_t size, int pem, int copies)
{
	const unsigned char *p = data;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)size), *back = NULL;
	STACK_OF(X509_REVOKED) *list;
	unsigned char *der = NULL;
	const unsigned char *q;
	BIO *mem = NULL;
	BUF_MEM *bm;
	struct eb_revocations *r;
	struct eb_error e;
	int len, dates_ok = 1;

	if (crl == NULL)
		goto out;
	if (X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    X509_CRL_sign(crl, ca_key, NULL) <= 0 ||
	    (len = i2d_X509_CRL(crl, &der)) <= 0)
		goto out;
	/* what the loader will parse: the bytes written, read back */
	q = der;
	if ((back = d2i_X509_CRL(NULL, &q, len)) == NULL)
		goto out;
	list = X509_CRL_get_REVOKED(back);
	for (int i = 0; list != NULL && i < sk_X509_REVOKED_num(list); i++)
		if (ms_of(X509_REVOKED_get0_revocationDate(
		    sk_X509_REVOKED_value(list, i))) == INT64_MIN)
			dates_ok = 0;
	if (pem) {
		if ((mem = BIO_new(BIO_s_mem())) == NULL)
			abort();
		for (int i = 0; i < copies; i++)
			if (PEM_write_bio_X509_CRL(mem, back) != 1)
				goto out;
		BIO_get_mem_ptr(mem, &bm);
		put_file(bm->data, bm->length);
	} else {
		copies = 1;
		put_file(der, (size_t)len);
	}
	eb_error_clear(&e);
	r = eb_revocations_load(path, store, &e);
	if (r == NULL) {
		if (!documented(e.reason) || dates_ok)
			abort();
	} else {
		if (!dates_ok)
			abort();
		check_list(r, back, copies);
		eb_revocations_free(r);
	}
out:
	BIO_free(mem);
	OPENSSL_free(der);
	X509_CRL_free(back);
	X509_CRL_free(crl);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_revocations *r;
	struct eb_error e;

	init();
	if (size < 1 || size > 65536)
		return 0;
	if (data[0] & 1) {
		resigned(data + 1, size - 1, (data[0] & 2) != 0,
		    (data[0] & 4) ? 2 : 1);
		return 0;
	}
	put_file(data + 1, size - 1);
	eb_error_clear(&e);
	r = eb_revocations_load(path, store, &e);
	if (r == NULL && !documented(e.reason))
		abort();
	eb_revocations_free(r);
	ERR_clear_error();
	return 0;
}
