/*
 * tests/fuzz/cms_fuzzer.c
 *    Fuzz target: untrusted bytes into eb_cms_verify() (the parser every
 *    signed request body goes through) and eb_base64_decode() (the sealed
 *    bid's envelope text), against a fixed in-memory trust.
 *
 * Owner: cryptography engineer.
 *
 * The trust is the "ebid Fuzz CA" below (EC P-256, valid 2025-2036; its
 * private key was thrown away after issuing the corpus's signer), made
 * once.  Verification runs at the fixed instant FUZZ_AT_MS so the corpus
 * replays the same forever.  Invariants checked on every input (abort on
 * violation): success returns content and signer, failure returns
 * neither and names a reason; the answer with the last good input's
 * signer cached is the answer with the cache flushed (the cached path
 * against the full one); eb_cms_peek_content() (the early refusal's
 * unchecked read) gives bytes inside the input, and when verification
 * succeeds and the peek does, the peek's bytes are the verified content;
 * base64 success re-encodes to the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "protocol/cms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_AT_MS 1764098973310LL   /* 2025-11-25T19:29:33.310Z */

static const char fuzz_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBiTCCAS6gAwIBAgIMN2+jHGFE4nwm3ZS4MAoGCCqGSM49BAMCMCYxDTALBgNV\n"
    "BAoMBGViaWQxFTATBgNVBAMMDGViaWQgRnV6eiBDQTAeFw0yNTAxMDEwMDAwMDBa\n"
    "Fw0zNjAxMDEwMDAwMDBaMCYxDTALBgNVBAoMBGViaWQxFTATBgNVBAMMDGViaWQg\n"
    "RnV6eiBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABB/bIsRMsqUbF5WfV9J1\n"
    "WGRbCA0v61xjEwONZHEciNIvNOWjZCQvnPeNd74QlsI6X3EZL2ujeR/KguHashoE\n"
    "fSijQjBAMB0GA1UdDgQWBBT9ng6GwDpj1QRlxXmFxSAHY3M2cDAPBgNVHRMBAf8E\n"
    "BTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNJADBGAiEAvpfzfDMz\n"
    "IkLu/R1dhj1LurS4eganSLT/ScP3nRP1wl8CIQCmDhOdIowPv7d6H9OaKYm8zPLs\n"
    "IBHNmvy/wkkmUOM2tw==\n"
    "-----END CERTIFICATE-----\n";

static struct eb_trust *trust;

static struct eb_trust *
fuzz_trust(void)
{
	BIO *b;
	X509 *ca;

	if (trust != NULL)
		return trust;
	b = BIO_new_mem_buf(fuzz_ca_pem, -1);
	ca = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	trust = ca != NULL ? eb_trust_from_cert(ca, NULL) : NULL;
	X509_free(ca);
	BIO_free(b);
	if (trust == NULL)
		abort();
	return trust;
}

/*
 * The last input that verified, verified again before each input so that
 * its signer is cached: inputs embedding that certificate then take the
 * cached path (protocol/cms.c, verify_cached/verify_exact).
 */
static uint8_t *good;
static size_t goodlen;

static void
warm_cache(void)
{
	struct eb_error err;
	uint8_t *c = NULL;
	size_t n = 0;
	X509 *s = NULL;

	if (good != NULL && eb_cms_verify(fuzz_trust(), good, goodlen,
	    FUZZ_AT_MS, &c, &n, &s, &err) != EB_OK)
		abort();
	free(c);
	X509_free(s);
}

/*
 * The cached path answers as the full one: the same input verified
 * again with the cache flushed gives the same code and reason, or the
 * same content and signer.
 */
static void
same_as_full_path(const uint8_t *data, size_t size, int rc,
    const struct eb_error *err, const uint8_t *content, size_t clen,
    X509 *signer)
{
	struct eb_error e2;
	uint8_t *c2 = NULL;
	size_t n2 = 0;
	X509 *s2 = NULL;
	int rc2;

	eb_trust_set_revocations(fuzz_trust(), NULL);    /* flush */
	rc2 = eb_cms_verify(fuzz_trust(), data, size, FUZZ_AT_MS, &c2, &n2,
	    &s2, &e2);
	if (rc2 != rc || (rc != EB_OK && strcmp(e2.reason, err->reason) != 0))
		abort();
	if (rc == EB_OK && (n2 != clen || (clen > 0 && memcmp(c2, content,
	    clen) != 0) || X509_cmp(s2, signer) != 0))
		abort();
	free(c2);
	X509_free(s2);
	if (rc == EB_OK && (good == NULL || goodlen != size ||
	    memcmp(good, data, size) != 0)) {
		free(good);
		good = malloc(size);
		if (good == NULL)
			abort();
		memcpy(good, data, size);
		goodlen = size;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_error err;
	uint8_t *content = NULL, *raw = NULL;
	size_t clen = 0, rawlen = 0;
	X509 *signer = NULL;
	char *again = NULL;
	int rc;

	warm_cache();
	rc = eb_cms_verify(fuzz_trust(), data, size, FUZZ_AT_MS, &content,
	    &clen, &signer, &err);
	if (rc == EB_OK && (content == NULL || signer == NULL))
		abort();
	if (rc != EB_OK && (content != NULL || signer != NULL ||
	    err.reason[0] == '\0'))
		abort();
	same_as_full_path(data, size, rc, &err, content, clen, signer);
	{
		const uint8_t *pc = NULL;
		size_t plen = 0;

		if (eb_cms_peek_content(data, size, &pc, &plen) == EB_OK) {
			if (pc == NULL || pc < data || plen > size ||
			    (size_t)(pc - data) > size - plen)
				abort();
			if (rc == EB_OK && (plen != clen || (clen > 0 &&
			    memcmp(pc, content, clen) != 0)))
				abort();
		} else if (pc != NULL || plen != 0) {
			abort();
		}
	}
	free(content);
	X509_free(signer);

	if (eb_base64_decode((const char *)data, size, &raw, &rawlen) ==
	    EB_OK) {
		if (eb_base64_encode(raw, rawlen, &again) != EB_OK ||
		    strlen(again) != size || memcmp(again, data, size) != 0)
			abort();
		free(again);
		free(raw);
	}
	return 0;
}
