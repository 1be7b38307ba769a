/*
 * protocol/ocsp.c
 *    OCSP requests and the check of a responder's answer: see ocsp.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "protocol/ocsp.h"

int
eb_ocsp_request(X509 *cert, X509 *issuer, int nonce, unsigned char **der,
    size_t *len)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
	int n = -1;

	*der = NULL;
	*len = 0;
	if (req == NULL || id == NULL || OCSP_request_add0_id(req, id) ==
	    NULL) {
		OCSP_CERTID_free(id);
		goto out;
	}
	if (nonce && OCSP_request_add1_nonce(req, NULL, -1) != 1)
		goto out;
	if ((n = i2d_OCSP_REQUEST(req, der)) <= 0) {
		*der = NULL;
		n = -1;
		goto out;
	}
	*len = (size_t)n;
out:
	OCSP_REQUEST_free(req);
	ERR_clear_error();
	return n > 0 ? 0 : -1;
}

static int64_t
ms_of(const ASN1_GENERALIZEDTIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return INT64_MIN;
	return (int64_t)timegm(&tm) * 1000;
}

static enum eb_ocsp_status
invalid(struct eb_ocsp_answer *out, const char *why)
{
	out->status = EB_OCSP_INVALID;
	snprintf(out->why, sizeof(out->why), "%s", why);
	return EB_OCSP_INVALID;
}

enum eb_ocsp_status
eb_ocsp_check(const uint8_t *der, size_t len, X509 *cert, X509 *issuer,
    X509_STORE *store, int64_t now_ms, struct eb_ocsp_answer *out)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	STACK_OF(X509) *untrusted = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int st = -1, reason = -1;
	enum eb_ocsp_status rc;

	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0 || len > EB_OCSP_MAX) {
		rc = invalid(out, len > EB_OCSP_MAX ? "the response is too "
		    "large" : "an empty response");
		goto out;
	}
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		rc = invalid(out, "the response is not one DER OCSPResponse");
		goto out;
	}
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		char why[96];

		snprintf(why, sizeof(why), "the responder answered \"%s\"",
		    OCSP_response_status_str(OCSP_response_status(resp)));
		rc = invalid(out, why);
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		rc = invalid(out, "the response is not a basic response");
		goto out;
	}
	/* the signer: the issuer itself, or a responder it delegated (in
	 * the response's certificates); its chain ends in 'store' */
	if ((untrusted = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(untrusted, issuer) ||
	    OCSP_basic_verify(bs, untrusted, store, 0) <= 0) {
		rc = invalid(out, "the response's signature or signer does not "
		    "verify against the trusted CA");
		goto out;
	}
	if ((id = OCSP_cert_to_id(NULL, cert, issuer)) == NULL ||
	    OCSP_resp_find_status(bs, id, &st, &reason, &rev, &thisupd,
	    &nextupd) != 1) {
		rc = invalid(out, "the response does not name the certificate");
		goto out;
	}
	out->this_ms = ms_of(thisupd);
	out->next_ms = nextupd != NULL ? ms_of(nextupd) : 0;
	if (out->this_ms == INT64_MIN || out->next_ms == INT64_MIN ||
	    (nextupd != NULL && out->next_ms < out->this_ms)) {
		rc = invalid(out, "the response's update times are malformed");
		goto out;
	}
	if (out->this_ms > now_ms + EB_OCSP_SKEW_MS) {
		rc = invalid(out, "the response is dated in the future");
		goto out;
	}
	if (nextupd != NULL && out->next_ms < now_ms - EB_OCSP_SKEW_MS) {
		rc = invalid(out, "the response is stale (nextUpdate passed)");
		goto out;
	}
	switch (st) {
	case V_OCSP_CERTSTATUS_GOOD:
		rc = out->status = EB_OCSP_GOOD;
		break;
	case V_OCSP_CERTSTATUS_REVOKED:
		if ((out->revoked_ms = ms_of(rev)) == INT64_MIN) {
			rc = invalid(out, "the revocation time is malformed");
			break;
		}
		rc = out->status = EB_OCSP_REVOKED;
		break;
	default:
		rc = out->status = EB_OCSP_UNKNOWN;
		break;
	}
out:
	sk_X509_free(untrusted);
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return rc;
}
