/*
 * protocol/revocation.c
 *    The centre's certificate revocation lists, read into a sorted table
 *    of (serial, issuer, revocation instant).  See revocation.h.
 *
 * INTERFACE
 *    eb_revocations_load(), eb_revocations_free(), eb_revocations_find(),
 *    eb_revocations_count(), eb_revocations_crls(),
 *    eb_revocations_next_update(), eb_revocations_get()
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "protocol/mem.h"
#include "protocol/pki.h"
#include "protocol/revocation.h"

/* A CRL file is small; a centre's whole list in one file stays far below. */
#define EB_CRL_FILE_MAX ((long)64 << 20)
#define EB_CRL_FILES_MAX 4096

struct rev {
	char *serial;            /* upper-case hex, no leading zeros */
	unsigned char *issuer;   /* DER of the issuer's name */
	int issuer_len;
	int64_t revoked_ms;
};

struct eb_revocations {
	struct rev *v;
	size_t n, cap;
	size_t crls;
	int64_t next_update_ms;
};

static int
cmp_rev(const void *a, const void *b)
{
	const struct rev *x = a, *y = b;
	int c = strcmp(x->serial, y->serial);

	if (c != 0)
		return c;
	if (x->issuer_len != y->issuer_len)
		return x->issuer_len < y->issuer_len ? -1 : 1;
	return memcmp(x->issuer, y->issuer, (size_t)x->issuer_len);
}

static int
time_ms(const ASN1_TIME *t, int64_t *ms)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*ms = (int64_t)timegm(&tm) * 1000;
	return 0;
}

static char *
serial_hex(const ASN1_INTEGER *s)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	char *hex, *out;

	if (bn == NULL)
		eb_oom("a serial number", 0);
	hex = BN_bn2hex(bn);
	BN_free(bn);
	if (hex == NULL)
		eb_oom("a serial number", 0);
	out = eb_strdup(hex);
	OPENSSL_free(hex);
	return out;
}

static unsigned char *
name_der(const X509_NAME *n, int *len)
{
	unsigned char *der = NULL, *out;
	int l = i2d_X509_NAME(n, &der);

	if (l <= 0)
		eb_oom("an issuer name", 0);
	out = eb_memdup(der, (size_t)l);
	OPENSSL_free(der);
	*len = l;
	return out;
}

/* The CA of 'cas' whose subject is the CRL's issuer and whose key signed it. */
static int
check_issuer(X509_CRL *crl, X509_STORE *cas, const char *path,
    struct eb_error *err)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(cas);
	const X509_NAME *issuer = X509_CRL_get_issuer(crl);
	int known = 0;

	for (int i = 0; objs != NULL && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		EVP_PKEY *pk;

		if (ca == NULL || X509_NAME_cmp(X509_get_subject_name(ca),
		    issuer) != 0)
			continue;
		known = 1;
		if ((pk = X509_get0_pubkey(ca)) != NULL &&
		    X509_CRL_verify(crl, pk) == 1) {
			ERR_clear_error();
			return EB_OK;
		}
	}
	ERR_clear_error();
	if (!known)
		return eb_fail(err, EB_ERR_DENIED, "crl-unknown-issuer",
		    "Load only the CRLs of the centre's CA (the ca setting).",
		    "%s: the CRL's issuer is not a CA of the trust", path);
	return eb_fail(err, EB_ERR_DENIED, "crl-bad-signature",
	    "Take the CRL as the CA published it; a changed list is refused.",
	    "%s: the CRL's signature does not verify with its CA's key", path);
}

static int
add_crl(struct eb_revocations *r, X509_CRL *crl, X509_STORE *cas,
    const char *path, struct eb_error *err)
{
	STACK_OF(X509_REVOKED) *list;
	int64_t next;
	int rc;

	if ((rc = check_issuer(crl, cas, path, err)) != EB_OK)
		return rc;
	r->crls++;
	if (time_ms(X509_CRL_get0_nextUpdate(crl), &next) == 0 &&
	    (r->next_update_ms == 0 || next < r->next_update_ms))
		r->next_update_ms = next;
	list = X509_CRL_get_REVOKED(crl);
	for (int i = 0; list != NULL && i < sk_X509_REVOKED_num(list); i++) {
		const X509_REVOKED *x = sk_X509_REVOKED_value(list, i);
		struct rev *e;

		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 64;
			r->v = eb_realloc(r->v, r->cap * sizeof(*r->v));
		}
		e = &r->v[r->n];
		if (time_ms(X509_REVOKED_get0_revocationDate(x),
		    &e->revoked_ms) != 0)
			return eb_fail(err, EB_ERR_FORMAT, "crl-malformed",
			    "Take the CRL as the CA published it.",
			    "%s: a revocation without a valid date", path);
		e->serial = serial_hex(X509_REVOKED_get0_serialNumber(x));
		e->issuer = name_der(X509_CRL_get_issuer(crl), &e->issuer_len);
		r->n++;
	}
	return EB_OK;
}

static int
load_file(struct eb_revocations *r, const char *path, X509_STORE *cas,
    struct eb_error *err)
{
	BIO *in = BIO_new_file(path, "rb");
	X509_CRL *crl;
	long size;
	int rc = EB_OK, n = 0;
	char first[16];

	if (in == NULL) {
		ERR_clear_error();
		return eb_fail(err, EB_ERR_IO, "crl-unreadable",
		    "Check the crl setting and the file's permissions.",
		    "cannot read CRL file %s: %s", path, strerror(errno));
	}
	size = BIO_read(in, first, sizeof(first));
	if (size <= 0) {
		BIO_free(in);
		return eb_fail(err, EB_ERR_FORMAT, "crl-malformed",
		    "Give a CRL in PEM or DER.", "%s is empty", path);
	}
	(void)BIO_reset(in);
	if (size >= 5 && memcmp(first, "-----", 5) == 0) {
		while ((crl = PEM_read_bio_X509_CRL(in, NULL, NULL, NULL)) !=
		    NULL) {
			rc = add_crl(r, crl, cas, path, err);
			X509_CRL_free(crl);
			n++;
			if (rc != EB_OK)
				break;
		}
		/* the end of the file reads as "no start line" */
		ERR_clear_error();
	} else if ((crl = d2i_X509_CRL_bio(in, NULL)) != NULL) {
		rc = add_crl(r, crl, cas, path, err);
		X509_CRL_free(crl);
		n++;
	}
	BIO_free(in);
	if (rc == EB_OK && n == 0) {
		ERR_clear_error();
		rc = eb_fail(err, EB_ERR_FORMAT, "crl-malformed",
		    "Give a CRL in PEM (-----BEGIN X509 CRL-----) or DER.",
		    "%s holds no CRL", path);
	}
	return rc;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_dir(struct eb_revocations *r, const char *path, X509_STORE *cas,
    struct eb_error *err)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL, full[4096];
	size_t n = 0;
	int rc = EB_OK;

	if (d == NULL)
		return eb_fail(err, EB_ERR_IO, "crl-unreadable",
		    "Check the crl setting and the folder's permissions.",
		    "cannot open CRL folder %s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !(ends_with(de->d_name, ".crl") ||
		    ends_with(de->d_name, ".pem")))
			continue;
		if (n == EB_CRL_FILES_MAX) {
			rc = eb_fail(err, EB_ERR_LIMIT, "crl-too-large",
			    "Keep one CRL file per CA in the folder.",
			    "%s holds more than %d CRL files", path,
			    EB_CRL_FILES_MAX);
			break;
		}
		names = eb_realloc(names, (n + 1) * sizeof(*names));
		names[n++] = eb_strdup(de->d_name);
	}
	closedir(d);
	if (rc == EB_OK && n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; rc == EB_OK && i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		rc = load_file(r, full, cas, err);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

struct eb_revocations *
eb_revocations_load(const char *path, X509_STORE *cas, struct eb_error *err)
{
	struct eb_revocations *r = eb_calloc(1, sizeof(*r));
	struct stat st;
	int rc;

	if (stat(path, &st) != 0)
		rc = eb_fail(err, EB_ERR_IO, "crl-unreadable",
		    "Check the crl setting: a CRL file or a folder of them.",
		    "cannot read %s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = load_dir(r, path, cas, err);
	else if (st.st_size > EB_CRL_FILE_MAX)
		rc = eb_fail(err, EB_ERR_LIMIT, "crl-too-large",
		    "A CRL file should be far smaller; check the path.",
		    "%s is larger than 64 MiB", path);
	else
		rc = load_file(r, path, cas, err);
	if (rc != EB_OK) {
		eb_revocations_free(r);
		return NULL;
	}
	if (r->n > 0)
		qsort(r->v, r->n, sizeof(*r->v), cmp_rev);
	return r;
}

void
eb_revocations_free(struct eb_revocations *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].serial);
		free(r->v[i].issuer);
	}
	free(r->v);
	free(r);
}

size_t
eb_revocations_count(const struct eb_revocations *r)
{
	return r != NULL ? r->n : 0;
}

size_t
eb_revocations_crls(const struct eb_revocations *r)
{
	return r != NULL ? r->crls : 0;
}

int64_t
eb_revocations_next_update(const struct eb_revocations *r)
{
	return r != NULL ? r->next_update_ms : 0;
}

int
eb_revocations_find(const struct eb_revocations *r, X509 *cert,
    int64_t *revoked_ms)
{
	struct rev key;
	const struct rev *hit;
	int found = 0;

	if (r == NULL || r->n == 0 || cert == NULL)
		return 0;
	key.serial = serial_hex(X509_get0_serialNumber(cert));
	key.issuer = name_der(X509_get_issuer_name(cert), &key.issuer_len);
	key.revoked_ms = 0;
	hit = bsearch(&key, r->v, r->n, sizeof(*r->v), cmp_rev);
	if (hit != NULL) {
		/* a serial listed twice (two CRLs): the earliest date counts */
		const struct rev *first = hit;
		int64_t when = hit->revoked_ms;

		while (first > r->v && cmp_rev(first - 1, &key) == 0)
			first--;
		for (const struct rev *p = first; p < r->v + r->n &&
		    cmp_rev(p, &key) == 0; p++)
			if (p->revoked_ms < when)
				when = p->revoked_ms;
		*revoked_ms = when;
		found = 1;
	}
	free(key.serial);
	free(key.issuer);
	return found;
}

void
eb_revocations_get(const struct eb_revocations *r, size_t i, char *serial,
    size_t serial_len, char *issuer, size_t issuer_len, int64_t *revoked_ms)
{
	const struct rev *e = &r->v[i];
	const unsigned char *p = e->issuer;
	X509_NAME *n = d2i_X509_NAME(NULL, &p, e->issuer_len);

	snprintf(serial, serial_len, "%s", e->serial);
	if (n == NULL || X509_NAME_oneline(n, issuer, (int)issuer_len) == NULL)
		snprintf(issuer, issuer_len, "?");
	X509_NAME_free(n);
	*revoked_ms = e->revoked_ms;
}
