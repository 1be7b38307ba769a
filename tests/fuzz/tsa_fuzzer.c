/*
 * tests/fuzz/tsa_fuzzer.c
 *    Fuzz target: untrusted bytes into eb_receipt_verify() (a receipt a
 *    bidder or auditor presents), against a fixed in-memory trust and a
 *    fixed digest.
 *
 * Owner: cryptography engineer.
 *
 * The trust is the "ebid Fuzz CA" (as in cms_fuzzer.c).  The corpus's
 * valid token is over SHA-256("ebid fuzz receipt"), issued at
 * 2025-11-25T19:29:33.310Z with serial 4242.  Invariants (abort on
 * violation): success gives a time and the checks are repeatable;
 * failure leaves *at_ms and *serial zero and names a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "protocol/hash.h"
#include "protocol/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
static uint8_t digest[32];

static struct eb_trust *
fuzz_trust(void)
{
	BIO *b;
	X509 *ca;

	if (trust != NULL)
		return trust;
	eb_sha256("ebid fuzz receipt", 17, digest);
	b = BIO_new_mem_buf(fuzz_ca_pem, -1);
	ca = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	trust = ca != NULL ? eb_trust_from_cert(ca, NULL) : NULL;
	X509_free(ca);
	BIO_free(b);
	if (trust == NULL)
		abort();
	return trust;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_error err;
	int64_t at = -1, at2 = -1;
	uint64_t serial = 1, serial2 = 0;
	int rc;

	rc = eb_receipt_verify(fuzz_trust(), data, size, digest, &at, &serial,
	    &err);
	if (rc != EB_OK && (at != 0 || serial != 0 || err.reason[0] == '\0'))
		abort();
	if (rc == EB_OK) {
		if (eb_receipt_verify(trust, data, size, digest, &at2, &serial2,
		    &err) != EB_OK || at2 != at || serial2 != serial)
			abort();
	}
	return 0;
}
