/*
 * tests/integration/sign_at.c
 *    Test helper for test_attack_intake.sh: sign a file as an attacker's
 *    tool may, with a chosen signing-time attribute (faketime is not
 *    available, and `openssl cms -sign` always writes the current time).
 *
 *    sign_at CERT KEY IN OUT UNIX-SECONDS
 *
 *    Writes OUT: an attached DER CMS SignedData over IN's bytes (binary,
 *    SHA-256, signer certificate embedded) whose signingTime is
 *    UNIX-SECONDS.  Exit 0, or 1 with a message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

int
main(int argc, char **argv)
{
	BIO *in = NULL, *out = NULL, *cb = NULL, *kb = NULL;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_TIME *t = NULL;
	int rc = 1;

	if (argc != 6) {
		fprintf(stderr, "usage: sign_at CERT KEY IN OUT UNIX-SECONDS\n");
		return 2;
	}
	if ((cb = BIO_new_file(argv[1], "r")) == NULL ||
	    (cert = PEM_read_bio_X509(cb, NULL, NULL, NULL)) == NULL ||
	    (kb = BIO_new_file(argv[2], "r")) == NULL ||
	    (key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)) == NULL ||
	    (in = BIO_new_file(argv[3], "rb")) == NULL)
		goto out;
	if ((cms = CMS_sign(NULL, NULL, NULL, in, CMS_BINARY |
	    CMS_PARTIAL)) == NULL ||
	    (si = CMS_add1_signer(cms, cert, key, EVP_sha256(),
	    CMS_BINARY)) == NULL ||
	    (t = ASN1_TIME_set(NULL, (time_t)strtoll(argv[5], NULL, 10))) ==
	    NULL ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t,
	    -1) != 1 ||
	    CMS_final(cms, in, NULL, CMS_BINARY) != 1 ||
	    (out = BIO_new_file(argv[4], "wb")) == NULL ||
	    i2d_CMS_bio(out, cms) != 1)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		ERR_print_errors_fp(stderr);
	ASN1_TIME_free(t);
	CMS_ContentInfo_free(cms);
	BIO_free(out);
	BIO_free(in);
	BIO_free(cb);
	BIO_free(kb);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}
