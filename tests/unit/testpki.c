/*
 * tests/unit/testpki.c
 *    The in-memory test PKI (see testpki.h).  Test code: failures return
 *    NULL / -1 and the caller's assertion reports them.
 *
 * Owner: cryptography engineer.
 */
#include "tests/unit/testpki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

EVP_PKEY *
eb_testpki_ec_key(void)
{
	return EVP_EC_gen("P-256");
}

EVP_PKEY *
eb_testpki_rsa_key(void)
{
	return EVP_RSA_gen(2048);
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* "/K=V/K=V" into a new X509_NAME. */
static X509_NAME *
parse_name(const char *subject)
{
	X509_NAME *n = X509_NAME_new();
	char buf[512], *p, *next, *eq;

	if (n == NULL || strlen(subject) >= sizeof(buf) || subject[0] != '/')
		goto bad;
	strcpy(buf, subject);
	for (p = buf + 1; p != NULL && *p != '\0'; p = next) {
		next = strchr(p, '/');
		if (next != NULL)
			*next++ = '\0';
		if ((eq = strchr(p, '=')) == NULL)
			goto bad;
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(n, p, MBSTRING_UTF8,
		    (const unsigned char *)(eq + 1), -1, -1, 0))
			goto bad;
	}
	return n;
bad:
	X509_NAME_free(n);
	return NULL;
}

X509 *
eb_testpki_issue(X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key,
    const char *subject, int64_t nb_ms, int64_t na_ms, enum eb_tp_kind kind)
{
	X509 *x = X509_new();
	X509_NAME *name = parse_name(subject);
	unsigned char rnd[12];
	BIGNUM *bn = NULL;
	int ok = 0, rsa = EVP_PKEY_is_a(key, "RSA");

	if (x == NULL || name == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] = (unsigned char)((rnd[0] & 0x3f) | 0x10);
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto out;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(nb_ms / 1000)) ==
	    NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(na_ms / 1000)) ==
	    NULL ||
	    !X509_set_pubkey(x, key) ||
	    !add_ext(x, issuer, NID_subject_key_identifier, "hash"))
		goto out;
	switch (kind) {
	case EB_TP_CA:
		ok = add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:TRUE") &&
		    add_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
		break;
	case EB_TP_PARTY:
		ok = add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:FALSE") &&
		    add_ext(x, issuer, NID_key_usage, rsa ?
		    "critical,digitalSignature,nonRepudiation,keyEncipherment" :
		    "critical,digitalSignature,nonRepudiation,keyAgreement") &&
		    add_ext(x, issuer, NID_ext_key_usage,
		    "clientAuth,emailProtection");
		break;
	case EB_TP_TSA:
	case EB_TP_TSA_WEAK:
		ok = add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:FALSE") &&
		    add_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature,nonRepudiation") &&
		    add_ext(x, issuer, NID_ext_key_usage,
		    kind == EB_TP_TSA ? "critical,timeStamping" :
		    "timeStamping");
		break;
	}
	if (!ok)
		goto out;
	ok = 0;
	if (issuer != NULL &&
	    !add_ext(x, issuer, NID_authority_key_identifier, "keyid:always"))
		goto out;
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		ERR_print_errors_fp(stderr);
		X509_free(x);
		x = NULL;
	}
	return x;
}

static int
party(struct eb_tp_party *pt, const struct eb_tp_party *ca, int rsa,
    const char *subject, int64_t nb, int64_t na, enum eb_tp_kind kind)
{
	pt->key = rsa ? eb_testpki_rsa_key() : eb_testpki_ec_key();
	if (pt->key == NULL)
		return -1;
	pt->cert = eb_testpki_issue(ca != NULL ? ca->cert : NULL,
	    ca != NULL ? ca->key : pt->key, pt->key, subject, nb, na, kind);
	return pt->cert == NULL ? -1 : 0;
}

static void
party_free(struct eb_tp_party *pt)
{
	X509_free(pt->cert);
	EVP_PKEY_free(pt->key);
	pt->cert = NULL;
	pt->key = NULL;
}

int
eb_testpki_init(struct eb_testpki *p)
{
	struct timeval tv;
	int64_t now, nb, na;
	struct eb_error err;

	memset(p, 0, sizeof(*p));
	gettimeofday(&tv, NULL);
	now = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	p->now_ms = now;
	nb = now - 10 * EB_TP_DAY;
	na = now + 365 * EB_TP_DAY;
	if (party(&p->ca, NULL, 0, "/O=ebid/CN=ebid Test CA", nb,
	    now + 3650 * EB_TP_DAY, EB_TP_CA) ||
	    party(&p->other_ca, NULL, 0, "/O=elsewhere/CN=Other CA", nb,
	    now + 3650 * EB_TP_DAY, EB_TP_CA) ||
	    party(&p->bidder, &p->ca, 0, "/O=ACME Construction/OU=bidder/"
	    "UID=bidder1/serialNumber=P-1001/CN=Bidder One", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->bidder_rsa, &p->ca, 1, "/O=Beta Works/OU=bidder/"
	    "UID=bidder2/serialNumber=P-1002/CN=Bidder Two", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->expert, &p->ca, 0, "/O=Pool/OU=expert/UID=expert1/"
	    "serialNumber=P-2001/CN=Expert One/title=civil-works", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->custodian[0], &p->ca, 0, "/O=Centre/OU=custodian/"
	    "UID=custodian1/serialNumber=P-3001/CN=Custodian One", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->custodian[1], &p->ca, 1, "/O=Centre/OU=custodian/"
	    "UID=custodian2/serialNumber=P-3002/CN=Custodian Two", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->custodian[2], &p->ca, 0, "/O=Centre/OU=custodian/"
	    "UID=custodian3/serialNumber=P-3003/CN=Custodian Three", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->expired, &p->ca, 0, "/O=Old Co/OU=bidder/UID=bidder3/"
	    "serialNumber=P-1003/CN=Bidder Three", now - 30 * EB_TP_DAY,
	    now - EB_TP_DAY, EB_TP_PARTY) ||
	    party(&p->foreign, &p->other_ca, 0, "/O=Fake/OU=bidder/"
	    "UID=bidder9/serialNumber=P-1009/CN=Bidder Nine", nb, na,
	    EB_TP_PARTY) ||
	    party(&p->tsa, &p->ca, 0, "/O=ebid/CN=ebid Test TSA", nb, na,
	    EB_TP_TSA) ||
	    party(&p->foreign_tsa, &p->other_ca, 0, "/O=elsewhere/CN=Other "
	    "TSA", nb, na, EB_TP_TSA) ||
	    party(&p->weak_tsa, &p->ca, 0, "/O=ebid/CN=Weak TSA", nb, na,
	    EB_TP_TSA_WEAK))
		goto bad;
	if ((p->trust = eb_trust_from_cert(p->ca.cert, &err)) == NULL) {
		fprintf(stderr, "testpki: %s: %s\n", err.reason, err.primary);
		goto bad;
	}
	return 0;
bad:
	eb_testpki_free(p);
	return -1;
}

void
eb_testpki_free(struct eb_testpki *p)
{
	int i;

	if (p == NULL)
		return;
	eb_trust_free(p->trust);
	party_free(&p->ca);
	party_free(&p->other_ca);
	party_free(&p->bidder);
	party_free(&p->bidder_rsa);
	party_free(&p->expert);
	for (i = 0; i < 3; i++)
		party_free(&p->custodian[i]);
	party_free(&p->expired);
	party_free(&p->foreign);
	party_free(&p->tsa);
	party_free(&p->foreign_tsa);
	party_free(&p->weak_tsa);
	memset(p, 0, sizeof(*p));
}
