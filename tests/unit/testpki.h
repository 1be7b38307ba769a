/*
 * tests/unit/testpki.h
 *    An in-memory test PKI for unit tests, fuzzers and benchmarks: a CA,
 *    a second (foreign) CA, party certificates with the subject fields of
 *    protocol/pki.h, an expired certificate, a TSA certificate (critical
 *    EKU timeStamping) and one issued by the foreign CA.  No files.
 *
 * Owner: cryptography engineer.  Test code only (target eb_testpki).
 *
 * INTERFACE
 *    eb_testpki_init(), eb_testpki_free()
 *    eb_testpki_ec_key(), eb_testpki_rsa_key(), eb_testpki_issue()
 */
#ifndef EB_TESTPKI_H
#define EB_TESTPKI_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/pki.h"

enum eb_tp_kind {
	EB_TP_CA,        /* basicConstraints CA:TRUE, keyCertSign */
	EB_TP_PARTY,     /* clientAuth,emailProtection; signing + encryption */
	EB_TP_TSA,       /* critical EKU timeStamping only */
	EB_TP_TSA_WEAK,  /* EKU timeStamping but NOT critical (refused) */
};

struct eb_tp_party {
	X509 *cert;
	EVP_PKEY *key;
};

#define EB_TP_DAY ((int64_t)86400000)

struct eb_testpki {
	int64_t now_ms;                 /* wall clock when made */
	struct eb_tp_party ca;          /* "CN=ebid Test CA" */
	struct eb_tp_party other_ca;    /* "CN=Other CA" (not trusted) */
	struct eb_tp_party bidder;      /* EC, bidder1, person P-1001 */
	struct eb_tp_party bidder_rsa;  /* RSA-2048, bidder2, person P-1002 */
	struct eb_tp_party expert;      /* EC, expert1, title civil-works */
	struct eb_tp_party custodian[3];/* EC, RSA, EC: custodian1..3 */
	struct eb_tp_party expired;     /* EC bidder3, valid now-30d..now-1d */
	struct eb_tp_party foreign;     /* EC bidder9 issued by other_ca */
	struct eb_tp_party tsa;         /* EC TSA, critical timeStamping */
	struct eb_tp_party foreign_tsa; /* EC TSA issued by other_ca */
	struct eb_tp_party weak_tsa;    /* EC, non-critical timeStamping */
	struct eb_trust *trust;         /* trusts 'ca' only */
};

/* Make everything; returns 0, or -1 (and frees what was made). */
int eb_testpki_init(struct eb_testpki *p);
void eb_testpki_free(struct eb_testpki *p);

/* New keys (EVP_PKEY_free()). */
EVP_PKEY *eb_testpki_ec_key(void);
EVP_PKEY *eb_testpki_rsa_key(void);

/*
 * Issue a certificate for 'key' with 'subject' in "/K=V/K=V" form (e.g.
 * "/O=ACME/OU=bidder/UID=bidder1/serialNumber=P-1001/CN=Bidder One"),
 * valid [nb_ms, na_ms], signed by (issuer, issuer_key); issuer NULL makes
 * it self-signed.  Returns the certificate (X509_free()) or NULL.
 */
X509 *eb_testpki_issue(X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key,
    const char *subject, int64_t nb_ms, int64_t na_ms, enum eb_tp_kind kind);

#endif
