/*
 * protocol/receipt.c
 *    Receipts: RFC 3161 timestamp tokens issued and verified with
 *    OpenSSL's TS API (see receipt.h, docs/crypto.md).
 *
 * Owner: cryptography engineer.
 *
 * Invariants:
 *  - The TSA signs with SHA-256, carries ESSCertIDv2 (SHA-256), policy
 *    EB_TSA_POLICY_OID, accuracy 1 s, clock precision 3 digits (ms).
 *  - genTime is exactly the instant the caller gives (a time callback),
 *    and the serial exactly the caller's (a serial callback): the TSA never
 *    reads a clock nor invents a number, so tests and replay are exact.
 *  - A response is used only when its status is "granted" (0).
 *  - Verification requires policy EB_TSA_POLICY_OID and uses the trust's
 *    timeStamping store (the TSA certificate must carry the critical
 *    timeStamping EKU), checks version, signature,
 *    signer (ESS) and imprint, and checks the imprint algorithm is SHA-256
 *    itself (OpenSSL skips that when only an imprint is set).
 *  - The TSA's certificate chain is checked at the token's own genTime,
 *    as a command's signature is at its entry's time: a receipt stays
 *    valid after the TSA certificate expired (docs/audit.md,
 *    "Certificates and time").  The shared store is never touched: each
 *    verification copies its certificates into a store of its own.
 *  - struct eb_tsa is not shareable between threads (one per thread).
 *
 * INTERFACE
 *    eb_tsa_new(), eb_tsa_free(), eb_tsa_stamp(), eb_receipt_verify()
 */
#include "protocol/receipt.h"
#include "protocol/mem.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

/* The DER of our TimeStampReq: version 1, SHA-256 imprint, certReq; its
 * only varying part is the 32-byte digest (make_request). */
#define REQ_MAX 128

struct eb_tsa {
	TS_RESP_CTX *ctx;
	int64_t at_ms;      /* the instant of the stamp being issued */
	uint64_t serial;    /* its serial */
	/* the request, encoded once (eb_tsa_new): each stamp copies it and
	 * puts its digest at req_digest */
	unsigned char req[REQ_MAX];
	size_t req_len, req_digest;
};

static int request_template(struct eb_tsa *tsa);

static int
fail_ssl(struct eb_error *err, int code, const char *reason,
    const char *hint, const char *what)
{
	eb_fail(err, code, reason, hint, "%s", what);
	eb_crypto_drain(err);
	return code;
}

static int
tsa_time_cb(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
	const struct eb_tsa *tsa = data;

	(void)ctx;
	*sec = (long)(tsa->at_ms / 1000);
	*usec = (long)(tsa->at_ms % 1000) * 1000;
	return 1;
}

static ASN1_INTEGER *
tsa_serial_cb(TS_RESP_CTX *ctx, void *data)
{
	const struct eb_tsa *tsa = data;
	ASN1_INTEGER *s = ASN1_INTEGER_new();

	if (s == NULL || ASN1_INTEGER_set_uint64(s, tsa->serial) != 1) {
		ASN1_INTEGER_free(s);
		TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION,
		    "no serial number available");
		TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
		return NULL;
	}
	return s;
}

struct eb_tsa *
eb_tsa_new(X509 *cert, EVP_PKEY *key, struct eb_error *err)
{
	struct eb_tsa *tsa = NULL;
	ASN1_OBJECT *policy = NULL;

	if (cert == NULL || key == NULL) {
		eb_fail(err, EB_ERR_USAGE, "no-tsa-key", NULL,
		    "the TSA needs a certificate and its key");
		return NULL;
	}
	tsa = eb_calloc(1, sizeof(*tsa));
	if ((tsa->ctx = TS_RESP_CTX_new()) == NULL)
		eb_oom("TS_RESP_CTX_new", 0);
	/* set_signer_cert refuses a certificate without critical EKU
	 * timeStamping; both calls up-ref their argument. */
	if (TS_RESP_CTX_set_signer_cert(tsa->ctx, cert) != 1) {
		fail_ssl(err, EB_ERR_CRYPTO, "tsa-certificate-unfit",
		    "The TSA certificate must have a critical extendedKeyUsage "
		    "of timeStamping only.",
		    "the certificate cannot sign timestamps");
		goto bad;
	}
	if (X509_check_private_key(cert, key) != 1 ||
	    TS_RESP_CTX_set_signer_key(tsa->ctx, key) != 1) {
		fail_ssl(err, EB_ERR_USAGE, "key-does-not-match",
		    "Give the private key of the TSA certificate.",
		    "the TSA key does not match its certificate");
		goto bad;
	}
	policy = OBJ_txt2obj(EB_TSA_POLICY_OID, 1);
	if (policy == NULL ||
	    TS_RESP_CTX_set_def_policy(tsa->ctx, policy) != 1 ||
	    TS_RESP_CTX_set_signer_digest(tsa->ctx, EVP_sha256()) != 1 ||
	    TS_RESP_CTX_set_ess_cert_id_digest(tsa->ctx, EVP_sha256()) != 1 ||
	    TS_RESP_CTX_add_md(tsa->ctx, EVP_sha256()) != 1 ||
	    TS_RESP_CTX_set_accuracy(tsa->ctx, 1, 0, 0) != 1 ||
	    TS_RESP_CTX_set_clock_precision_digits(tsa->ctx, 3) != 1) {
		fail_ssl(err, EB_ERR_CRYPTO, "tsa-setup", NULL,
		    "cannot configure the TSA");
		goto bad;
	}
	TS_RESP_CTX_set_time_cb(tsa->ctx, tsa_time_cb, tsa);
	TS_RESP_CTX_set_serial_cb(tsa->ctx, tsa_serial_cb, tsa);
	(void)request_template(tsa);      /* else encoded at every stamp */
	ASN1_OBJECT_free(policy);
	return tsa;
bad:
	ASN1_OBJECT_free(policy);
	eb_tsa_free(tsa);
	ERR_clear_error();
	return NULL;
}

void
eb_tsa_free(struct eb_tsa *tsa)
{
	if (tsa == NULL)
		return;
	TS_RESP_CTX_free(tsa->ctx);
	free(tsa);
}

/*
 * The DER of a TimeStampReq over 'digest' (SHA-256), asking for the cert,
 * into 'out' (REQ_MAX bytes); its length, or 0.
 */
static size_t
make_request(const uint8_t digest[32], unsigned char out[REQ_MAX])
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	unsigned char *p = NULL;
	int n = 0;

	if (req == NULL || mi == NULL || alg == NULL ||
	    TS_REQ_set_version(req, 1) != 1 ||
	    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL,
	    NULL) != 1 ||
	    TS_MSG_IMPRINT_set_algo(mi, alg) != 1 ||
	    TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, 32) != 1 ||
	    TS_REQ_set_msg_imprint(req, mi) != 1 ||
	    TS_REQ_set_cert_req(req, 1) != 1)
		goto out;
	if ((n = i2d_TS_REQ(req, &p)) <= 0 || n > REQ_MAX)
		n = 0;
	else
		memcpy(out, p, (size_t)n);
	OPENSSL_free(p);
out:
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return (size_t)n;
}

/*
 * The request encoded once, with where its digest goes: encoded over two
 * different digests, the one place they differ is 32 bytes long, and the
 * rest is the same (the request's lengths do not depend on the digest's
 * bytes).  0 when it is not so (then every stamp encodes its request).
 */
static int
request_template(struct eb_tsa *tsa)
{
	uint8_t d0[32], d1[32];
	unsigned char r1[REQ_MAX];
	size_t n0, n1, first = 0, last = 0;

	memset(d0, 0x00, sizeof(d0));
	memset(d1, 0xff, sizeof(d1));
	n0 = make_request(d0, tsa->req);
	n1 = make_request(d1, r1);
	if (n0 == 0 || n0 != n1)
		return 0;
	while (first < n0 && tsa->req[first] == r1[first])
		first++;
	last = n0;
	while (last > first && tsa->req[last - 1] == r1[last - 1])
		last--;
	if (last - first != 32)
		return 0;
	tsa->req_len = n0;
	tsa->req_digest = first;
	return 1;
}

int
eb_tsa_stamp(struct eb_tsa *tsa, const uint8_t digest[32],
    int64_t at_ms, uint64_t serial, uint8_t **token, size_t *toklen,
    struct eb_error *err)
{
	BIO *reqbio = NULL;
	TS_RESP *resp = NULL;
	const ASN1_INTEGER *status;
	PKCS7 *tok;
	unsigned char *p, req[REQ_MAX];
	size_t reqlen = tsa != NULL ? tsa->req_len : 0;
	int n, rc = EB_ERR_CRYPTO;

	*token = NULL;
	*toklen = 0;
	if (tsa == NULL || at_ms < 0)
		return eb_fail(err, EB_ERR_USAGE, "bad-stamp-request", NULL,
		    "a timestamp needs a TSA and an instant after 1970");
	tsa->at_ms = at_ms;
	tsa->serial = serial;
	if (reqlen > 0) {                 /* the template, this digest */
		memcpy(req, tsa->req, reqlen);
		memcpy(req + tsa->req_digest, digest, 32);
	} else {
		reqlen = make_request(digest, req);
	}
	if (reqlen == 0 ||
	    (reqbio = BIO_new_mem_buf(req, (int)reqlen)) == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "tsa-request", NULL,
		    "cannot build the timestamp request");
		goto out;
	}
	if ((resp = TS_RESP_create_response(tsa->ctx, reqbio)) == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "tsa-failed", NULL,
		    "the TSA produced no response");
		goto out;
	}
	status = TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp));
	if (status == NULL || ASN1_INTEGER_get(status) != TS_STATUS_GRANTED ||
	    (tok = TS_RESP_get_token(resp)) == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "tsa-rejected", NULL,
		    "the TSA did not grant the timestamp");
		goto out;
	}
	p = NULL;
	if ((n = i2d_PKCS7(tok, &p)) <= 0) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "tsa-encode", NULL,
		    "cannot encode the timestamp token");
		goto out;
	}
	*token = eb_memdup(p, (size_t)n);
	*toklen = (size_t)n;
	OPENSSL_free(p);
	rc = EB_OK;
out:
	ERR_clear_error();
	TS_RESP_free(resp);
	BIO_free(reqbio);
	return rc;
}

static int
digits(const unsigned char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * genTime "YYYYMMDDHHMMSS[.f+]Z" (DER: no trailing zero in the fraction,
 * so 3-digit precision may give 0 to 3 digits) to ms since 1970.  Digits
 * beyond milliseconds are truncated.  Returns 0 or -1.
 */
static int
gentime_ms(const ASN1_GENERALIZEDTIME *gt, int64_t *ms)
{
	const unsigned char *s;
	int n, i, y, mo, d, h, mi, sec, frac = 0, fd = 0;
	struct tm tm;
	time_t t;

	if (gt == NULL)
		return -1;
	s = ASN1_STRING_get0_data(gt);
	n = ASN1_STRING_length(gt);
	if (n < 15 || s[n - 1] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 4, 2, &mo) ||
	    digits(s + 6, 2, &d) || digits(s + 8, 2, &h) ||
	    digits(s + 10, 2, &mi) || digits(s + 12, 2, &sec))
		return -1;
	if (n > 15) {
		if (s[14] != '.' || n < 17)
			return -1;
		for (i = 15; i < n - 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			if (fd < 3) {
				frac = frac * 10 + (s[i] - '0');
				fd++;
			}
		}
		while (fd < 3) {
			frac *= 10;
			fd++;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return -1;
	*ms = (int64_t)t * 1000 + frac;
	return 0;
}

uint64_t
eb_serial_next(struct eb_serial_gen *g, int64_t time_ms, uint32_t boot_id)
{
	uint64_t ms = time_ms > 0 ? (uint64_t)time_ms : 0;

	if (ms < g->ms)
		ms = g->ms;                   /* never back */
	if (ms == g->ms && g->used > 0xfff)
		ms++;                         /* this millisecond is used up */
	if (ms != g->ms) {
		g->ms = ms;
		g->used = 0;
	}
	return ((ms & ((UINT64_C(1) << 41) - 1)) << 22) |
	    ((uint64_t)(boot_id & 0x3ff) << 12) | (uint64_t)(g->used++ & 0xfff);
}

/*
 * A timeStampSign store over the certificates of 'shared' that verifies
 * at 'when' (seconds, UTC); NULL on out-of-memory.
 */
static X509_STORE *
store_at(X509_STORE *shared, int64_t when_ms)
{
	X509_STORE *s = X509_STORE_new();
	STACK_OF(X509) *certs = X509_STORE_get1_all_certs(shared);
	int ok = s != NULL && certs != NULL &&
	    X509_STORE_set_purpose(s, X509_PURPOSE_TIMESTAMP_SIGN) == 1;

	for (int i = 0; ok && i < sk_X509_num(certs); i++)
		ok = X509_STORE_add_cert(s, sk_X509_value(certs, i)) == 1;
	if (ok)
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(s),
		    (time_t)(when_ms >= 0 ? when_ms / 1000 :
		    -((-when_ms + 999) / 1000)));
	sk_X509_pop_free(certs, X509_free);
	if (!ok) {
		X509_STORE_free(s);
		return NULL;
	}
	return s;
}

int
eb_receipt_verify(const struct eb_trust *t, const uint8_t *token,
    size_t toklen, const uint8_t digest[32], int64_t *at_ms,
    uint64_t *serial, struct eb_error *err)
{
	const unsigned char *p = token;
	PKCS7 *p7 = NULL;
	TS_TST_INFO *ti = NULL;
	TS_VERIFY_CTX *v = NULL;
	X509_STORE *store;
	unsigned char *imp = NULL;
	const X509_ALGOR *alg;
	const ASN1_OBJECT *algobj = NULL;
	ASN1_OBJECT *policy = NULL;
	uint64_t sn;
	int64_t when;
	int rc = EB_ERR_CRYPTO;

	*at_ms = 0;
	*serial = 0;
	if (t == NULL || token == NULL || toklen == 0 || toklen > LONG_MAX)
		return eb_fail(err, EB_ERR_FORMAT, "malformed-token",
		    "Give the DER of the timestamp token.", "empty token");
	p7 = d2i_PKCS7(NULL, &p, (long)toklen);
	if (p7 == NULL || p != token + toklen ||
	    (ti = PKCS7_to_TS_TST_INFO(p7)) == NULL) {
		rc = fail_ssl(err, EB_ERR_FORMAT, "malformed-token",
		    "Give the DER of the timestamp token, nothing more.",
		    "the receipt is not an RFC 3161 timestamp token");
		goto out;
	}
	alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(ti));
	if (alg != NULL)
		X509_ALGOR_get0(&algobj, NULL, NULL, alg);
	if (algobj == NULL || OBJ_obj2nid(algobj) != NID_sha256) {
		rc = eb_fail(err, EB_ERR_DENIED, "wrong-imprint-algorithm",
		    "Receipts are over SHA-256 only.",
		    "the token's imprint is not SHA-256");
		goto out;
	}
	policy = OBJ_txt2obj(EB_TSA_POLICY_OID, 1);
	if (policy == NULL ||
	    OBJ_cmp(TS_TST_INFO_get_policy_id(ti), policy) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "wrong-policy",
		    "Receipts are issued under the centre's TSA policy only.",
		    "the token's policy is not " EB_TSA_POLICY_OID);
		goto out;
	}
	if (gentime_ms(TS_TST_INFO_get_time(ti), &when) != 0) {
		rc = fail_ssl(err, EB_ERR_FORMAT, "malformed-token", NULL,
		    "the token's time cannot be read");
		goto out;
	}
	/* v owns the store: the chain is checked at the token's time */
	store = store_at(eb_trust_tsa_store(t), when);
	if (store == NULL) {
		rc = fail_ssl(err, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot set up token verification");
		goto out;
	}
	if ((v = TS_VERIFY_CTX_new()) == NULL ||
	    (imp = OPENSSL_memdup(digest, 32)) == NULL)
		eb_oom("token verification", 32);
	TS_VERIFY_CTX_set_store(v, store);        /* v owns it */
	TS_VERIFY_CTX_set_imprint(v, imp, 32);    /* v owns 'imp' */
	imp = NULL;
	TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_SIGNATURE |
	    TS_VFY_SIGNER | TS_VFY_IMPRINT);
	if (TS_RESP_verify_token(v, p7) != 1) {
		unsigned long e = ERR_peek_last_error();

		if (ERR_GET_LIB(e) == ERR_LIB_TS &&
		    ERR_GET_REASON(e) == TS_R_MESSAGE_IMPRINT_MISMATCH)
			rc = fail_ssl(err, EB_ERR_DENIED, "imprint-mismatch",
			    "The receipt is for other bytes than these.",
			    "the token's imprint differs from the digest");
		else if (ERR_GET_LIB(e) == ERR_LIB_TS &&
		    ERR_GET_REASON(e) == TS_R_CERTIFICATE_VERIFY_ERROR)
			rc = fail_ssl(err, EB_ERR_DENIED, "unknown-tsa",
			    "Only receipts of the centre's TSA are accepted.",
			    "the TSA certificate does not verify against the "
			    "centre's CA");
		else
			rc = fail_ssl(err, EB_ERR_DENIED, "bad-token-signature",
			    "The receipt was altered; ask the centre for the "
			    "original.",
			    "the timestamp token does not verify");
		goto out;
	}
	if (gentime_ms(TS_TST_INFO_get_time(ti), &when) != 0 ||
	    ASN1_INTEGER_get_uint64(&sn, TS_TST_INFO_get_serial(ti)) != 1) {
		rc = fail_ssl(err, EB_ERR_FORMAT, "malformed-token", NULL,
		    "the token's time or serial cannot be read");
		goto out;
	}
	*at_ms = when;
	*serial = sn;
	rc = EB_OK;
out:
	ERR_clear_error();
	ASN1_OBJECT_free(policy);
	OPENSSL_free(imp);
	TS_VERIFY_CTX_free(v);
	TS_TST_INFO_free(ti);
	PKCS7_free(p7);
	return rc;
}
