/*
 * protocol/envstream.c
 *    The streamed sealed envelope (see envstream.h and docs/bigbids.md).
 *
 * Why not CMS streaming of the whole bid: OpenSSL 3.0 can write an
 * AuthEnvelopedData with CMS_STREAM, but reads one back only whole
 * (d2i_CMS_bio builds the structure in memory and CMS_decrypt releases
 * plaintext before the single GCM tag at the end is checked).  So CMS
 * keeps what it is good at (the key transport to each recipient, with the
 * policy of cms.c) in a small header, and the bulk is AES-256-GCM by EVP in
 * segments, each authenticated before a byte of it is released.
 *
 * Memory: one segment (64 KiB) of plaintext and ciphertext, the inner
 * SignedData (at most EB_ENVS_INNER_MAX) and the manifest.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include "protocol/cms.h"
#include "protocol/envstream.h"
#include "protocol/mem.h"

#define FLAGS_SIGN (CMS_BINARY | CMS_NOSMIMECAP)
#define KEYREC_LEN (32 + 7 + 4)

static void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
fail_ssl(struct eb_error *err, int code, const char *reason,
    const char *what)
{
	eb_fail(err, code, reason, NULL, "%s", what);
	eb_crypto_drain(err);
	return code;
}

int
eb_envs_is_streamed(const uint8_t *p, size_t n)
{
	return n >= EB_ENVS_MAGIC_LEN &&
	    memcmp(p, EB_ENVS_MAGIC, EB_ENVS_MAGIC_LEN) == 0;
}

int
eb_envs_read_file(void *arg, uint8_t *p, size_t n, size_t *got,
    struct eb_error *err)
{
	FILE *f = arg;

	*got = fread(p, 1, n, f);
	if (*got < n && ferror(f))
		return eb_fail(err, EB_ERR_IO, "read-failed", NULL,
		    "cannot read the envelope");
	return EB_OK;
}

int
eb_envs_write_file(void *arg, const uint8_t *p, size_t n,
    struct eb_error *err)
{
	FILE *f = arg;

	if (n > 0 && fwrite(p, 1, n, f) != n)
		return eb_fail(err, EB_ERR_IO, "write-failed",
		    "Check the free space and the permissions of the output "
		    "file's folder, then seal again.",
		    "cannot write the envelope");
	return EB_OK;
}

/* A name is printable, has no '/' and no space at either end. */
static int
good_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EB_ENVS_NAME_MAX || s[0] == ' ' || s[n - 1] == ' ' ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == '/' || *s == 0x7f ||
		    *s == '\\')
			return 0;
	return 1;
}

/* -- the writer side ------------------------------------------------------ */

struct sealer {
	EVP_CIPHER_CTX *ctx;
	EVP_MD_CTX *envsha;          /* over every byte written */
	uint8_t key[32], prefix[7], aad[EB_SHA256_LEN];
	uint8_t *plain, *ct;         /* one segment each */
	size_t fill;                 /* plaintext bytes in 'plain' */
	uint64_t total, done;        /* payload bytes: all, already sealed */
	uint32_t index;
	uint64_t size;
	eb_envs_write_fn write;
	void *warg;
	const struct eb_envs_marks *marks;   /* NULL: none */
	EVP_MD_CTX *mark;            /* a copy of envsha, finalised */
};

/* Write, and hash what was written (split at each mark). */
static int
emit(struct sealer *s, const uint8_t *p, size_t n, struct eb_error *err)
{
	uint8_t d[EB_SHA256_LEN];
	int rc;

	if ((rc = s->write(s->warg, p, n, err)) != EB_OK)
		return rc;
	while (n > 0) {
		size_t k = n;
		uint64_t to = s->marks != NULL ?
		    s->marks->every - s->size % s->marks->every : 0;

		if (s->marks != NULL && to < k)
			k = (size_t)to;
		if (EVP_DigestUpdate(s->envsha, p, k) != 1)
			return fail_ssl(err, EB_ERR_CRYPTO, "hash-failed",
			    "cannot hash the envelope");
		s->size += k;
		p += k;
		n -= k;
		if (s->marks == NULL || s->size % s->marks->every != 0)
			continue;
		if (EVP_MD_CTX_copy_ex(s->mark, s->envsha) != 1 ||
		    EVP_DigestFinal_ex(s->mark, d, NULL) != 1)
			return fail_ssl(err, EB_ERR_CRYPTO, "hash-failed",
			    "cannot hash the envelope");
		s->marks->fn(s->marks->arg, s->size, d);
	}
	return EB_OK;
}

static void
seg_nonce(const uint8_t prefix[7], uint32_t index, int last, uint8_t iv[12])
{
	memcpy(iv, prefix, 7);
	be32(iv + 7, index);
	iv[11] = last ? 1 : 0;
}

/* Seal the segment in 'plain' (s->fill bytes). */
static int
seal_segment(struct sealer *s, struct eb_error *err)
{
	uint8_t iv[12];
	int last, n = 0, m = 0;

	s->done += s->fill;
	last = s->done == s->total;
	seg_nonce(s->prefix, s->index, last, iv);
	if (EVP_EncryptInit_ex(s->ctx, NULL, NULL, s->key, iv) != 1 ||
	    EVP_EncryptUpdate(s->ctx, NULL, &n, s->aad, sizeof(s->aad)) != 1 ||
	    (s->fill > 0 && EVP_EncryptUpdate(s->ctx, s->ct, &n, s->plain,
	    (int)s->fill) != 1) ||
	    EVP_EncryptFinal_ex(s->ctx, s->ct + (s->fill > 0 ? n : 0), &m) != 1 ||
	    EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, EB_ENVS_TAG,
	    s->ct + s->fill) != 1)
		return fail_ssl(err, EB_ERR_CRYPTO, "encrypt-failed",
		    "cannot encrypt a segment");
	OPENSSL_cleanse(s->plain, s->fill);
	s->index++;
	n = (int)s->fill;
	s->fill = 0;
	return emit(s, s->ct, (size_t)n + EB_ENVS_TAG, err);
}

/* Append payload bytes; a full segment is sealed (never the last early). */
static int
seal_bytes(struct sealer *s, const uint8_t *p, size_t n, struct eb_error *err)
{
	int rc;

	while (n > 0) {
		size_t k = EB_ENVS_SEGMENT - s->fill;

		if (k > n)
			k = n;
		memcpy(s->plain + s->fill, p, k);
		s->fill += k;
		p += k;
		n -= k;
		if (s->fill == EB_ENVS_SEGMENT &&
		    (rc = seal_segment(s, err)) != EB_OK)
			return rc;
	}
	return EB_OK;
}

/* Sign bid_xml with the manifest as a signed attribute (none: plain). */
static int
sign_inner(X509 *cert, EVP_PKEY *key, const uint8_t *xml, size_t len,
    const char *manifest, uint8_t **out, size_t *outlen,
    struct eb_error *err)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	BIO *in = NULL;
	unsigned char *der = NULL;
	int n, rc = EB_ERR_CRYPTO;

	if (manifest == NULL)
		return eb_cms_sign(cert, key, xml, len, out, outlen, err);
	if (len > INT_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-large", NULL,
		    "%zu bytes is too much to sign", len);
	if (X509_check_private_key(cert, key) != 1)
		return fail_ssl(err, EB_ERR_USAGE, "key-does-not-match",
		    "the private key does not match the certificate");
	if ((in = BIO_new_mem_buf(len > 0 ? xml : (const void *)"",
	    (int)len)) == NULL ||
	    (cms = CMS_sign(cert, key, NULL, NULL, FLAGS_SIGN | CMS_PARTIAL)) ==
	    NULL ||
	    (si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0)) ==
	    NULL ||
	    CMS_signed_add1_attr_by_txt(si, EB_ENVS_MANIFEST_OID,
	    V_ASN1_UTF8STRING, manifest, (int)strlen(manifest)) != 1 ||
	    CMS_final(cms, in, NULL, FLAGS_SIGN) != 1 ||
	    (n = i2d_CMS_ContentInfo(cms, &der)) <= 0) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "sign-failed",
		    "cannot sign the bid with its manifest");
		goto out;
	}
	*out = eb_memdup(der, (size_t)n);
	*outlen = (size_t)n;
	rc = EB_OK;
out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}

/* Pass 1: size and SHA-256 of each attachment; the manifest text. */
static int
hash_files(const struct eb_envs_file *files, size_t nfiles,
    struct eb_envs_entry *ents, char **manifest, uint64_t *sum,
    eb_envs_progress_fn progress, void *parg, struct eb_error *err)
{
	uint8_t *buf = NULL;
	size_t cap = 1, used = 0, i, n;
	char *m = NULL, hex[EB_SHA256_HEX];
	EVP_MD_CTX *md = NULL;
	int rc = EB_OK;

	*manifest = NULL;
	*sum = 0;
	if (nfiles == 0)
		return EB_OK;
	buf = eb_malloc(EB_ENVS_SEGMENT);
	if ((md = EVP_MD_CTX_new()) == NULL)
		eb_oom("EVP_MD_CTX_new", 0);
	for (i = 0; i < nfiles; i++) {
		uint64_t size = 0;

		if (!good_name(files[i].name)) {
			rc = eb_fail(err, EB_ERR_USAGE, "bad-attachment-name",
			    "Name an attachment with printable characters, no "
			    "'/' or '\\', at most 200 bytes.",
			    "attachment %zu has an unusable name", i + 1);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(files[j].name, files[i].name) == 0) {
				rc = eb_fail(err, EB_ERR_USAGE,
				    "duplicate-attachment",
				    "Give each attachment once.",
				    "two attachments are named %s",
				    files[i].name);
				goto out;
			}
		rewind(files[i].f);
		if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
			rc = fail_ssl(err, EB_ERR_CRYPTO, "hash-failed",
			    "cannot hash");
			goto out;
		}
		while ((n = fread(buf, 1, EB_ENVS_SEGMENT, files[i].f)) > 0) {
			EVP_DigestUpdate(md, buf, n);
			size += n;
			*sum += n;
			if (progress != NULL)
				progress(parg, "hashing", *sum, 0);
		}
		if (ferror(files[i].f)) {
			rc = eb_fail(err, EB_ERR_IO, "read-failed", NULL,
			    "cannot read attachment %s", files[i].name);
			goto out;
		}
		EVP_DigestFinal_ex(md, ents[i].sha256, NULL);
		ents[i].size = size;
		snprintf(ents[i].name, sizeof(ents[i].name), "%s",
		    files[i].name);
		cap += EB_SHA256_HEX + 24 + strlen(files[i].name) + 2;
	}
	m = eb_malloc(cap);
	for (i = 0; i < nfiles; i++) {
		eb_hex32(ents[i].sha256, hex);
		used += (size_t)snprintf(m + used, cap - used, "%s %llu %s\n",
		    hex, (unsigned long long)ents[i].size, ents[i].name);
	}
	*manifest = m;
	m = NULL;
out:
	free(m);
	free(buf);
	EVP_MD_CTX_free(md);
	return rc;
}

int
eb_envs_seal(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *bid_xml, size_t len, const struct eb_envs_file *files,
    size_t nfiles, eb_envs_write_fn write, void *warg,
    eb_envs_progress_fn progress, void *parg, uint8_t commitment[32],
    uint8_t env_sha256[32], uint64_t *env_size, struct eb_error *err)
{
	return eb_envs_seal_marked(cert, key, opening_cert, bid_xml, len,
	    files, nfiles, write, warg, progress, parg, NULL, commitment,
	    env_sha256, env_size, err);
}

int
eb_envs_seal_marked(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *bid_xml, size_t len, const struct eb_envs_file *files,
    size_t nfiles, eb_envs_write_fn write, void *warg,
    eb_envs_progress_fn progress, void *parg,
    const struct eb_envs_marks *marks, uint8_t commitment[32],
    uint8_t env_sha256[32], uint64_t *env_size, struct eb_error *err)
{
	struct sealer s = { .write = write, .warg = warg,
	    .marks = marks != NULL && marks->every > 0 && marks->fn != NULL ?
	    marks : NULL };
	struct eb_envs_entry *ents = NULL;
	STACK_OF(X509) *recips = NULL;
	uint8_t rec[KEYREC_LEN], lenb[4], *inner = NULL, *hdr = NULL;
	size_t innerlen = 0, hdrlen = 0, i, n;
	uint64_t sum = 0, sealed = 0;
	char *manifest = NULL;
	EVP_MD_CTX *aad = NULL;
	int rc;

	*env_size = 0;
	if (nfiles > EB_ENVS_FILES_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-attachments",
		    "Put the files in fewer attachments (an archive).",
		    "%zu attachments (at most %d)", nfiles, EB_ENVS_FILES_MAX);
	ents = eb_calloc(nfiles + 1, sizeof(*ents));
	s.plain = eb_malloc(EB_ENVS_SEGMENT);
	s.ct = eb_malloc(EB_ENVS_SEGMENT + EB_ENVS_TAG);
	if ((s.ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    (s.envsha = EVP_MD_CTX_new()) == NULL ||
	    (s.mark = EVP_MD_CTX_new()) == NULL ||
	    (aad = EVP_MD_CTX_new()) == NULL)
		eb_oom("the sealing contexts", 0);
	if ((rc = hash_files(files, nfiles, ents, &manifest, &sum, progress,
	    parg, err)) != EB_OK)
		goto out;
	if ((rc = sign_inner(cert, key, bid_xml, len, manifest, &inner,
	    &innerlen, err)) != EB_OK)
		goto out;
	eb_sha256(inner, innerlen, commitment);
	/* the key record, sealed to both recipients */
	if (RAND_bytes(s.key, sizeof(s.key)) != 1 ||
	    RAND_bytes(s.prefix, sizeof(s.prefix)) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "random-failed",
		    "no randomness for the content key");
		goto out;
	}
	memcpy(rec, s.key, 32);
	memcpy(rec + 32, s.prefix, 7);
	be32(rec + 39, EB_ENVS_SEGMENT);
	if ((recips = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(recips, opening_cert) || !sk_X509_push(recips, cert))
		eb_oom("the recipients", 0);
	if ((rc = eb_cms_encrypt(recips, rec, sizeof(rec), 0, &hdr, &hdrlen,
	    err)) != EB_OK)
		goto out;
	be32(lenb, (uint32_t)hdrlen);
	if (EVP_DigestInit_ex(s.envsha, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(aad, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(aad, EB_ENVS_MAGIC, EB_ENVS_MAGIC_LEN) != 1 ||
	    EVP_DigestUpdate(aad, lenb, 4) != 1 ||
	    EVP_DigestUpdate(aad, hdr, hdrlen) != 1 ||
	    EVP_DigestFinal_ex(aad, s.aad, NULL) != 1 ||
	    EVP_EncryptInit_ex(s.ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(s.ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "encrypt-failed",
		    "cannot set up AES-256-GCM");
		goto out;
	}
	if ((rc = emit(&s, (const uint8_t *)EB_ENVS_MAGIC, EB_ENVS_MAGIC_LEN,
	    err)) != EB_OK || (rc = emit(&s, lenb, 4, err)) != EB_OK ||
	    (rc = emit(&s, hdr, hdrlen, err)) != EB_OK)
		goto out;
	/* pass 2: the payload */
	s.total = 4 + innerlen + sum;
	be32(lenb, (uint32_t)innerlen);
	if ((rc = seal_bytes(&s, lenb, 4, err)) != EB_OK ||
	    (rc = seal_bytes(&s, inner, innerlen, err)) != EB_OK)
		goto out;
	for (i = 0; i < nfiles; i++) {
		uint8_t rb[16384];
		uint64_t left = ents[i].size;

		rewind(files[i].f);
		while (left > 0) {
			n = fread(rb, 1, left < sizeof(rb) ? (size_t)left :
			    sizeof(rb), files[i].f);
			if (n == 0) {
				rc = eb_fail(err, EB_ERR_IO, "attachment-changed",
				    "Do not change the files while sealing.",
				    "attachment %s became shorter while it "
				    "was sealed", files[i].name);
				goto out;
			}
			if ((rc = seal_bytes(&s, rb, n, err)) != EB_OK)
				goto out;
			left -= n;
			sealed += n;
			if (progress != NULL)
				progress(parg, "sealing", sealed, sum);
		}
		OPENSSL_cleanse(rb, sizeof(rb));
	}
	if (s.fill > 0 || s.index == 0) {
		if ((rc = seal_segment(&s, err)) != EB_OK)
			goto out;
	}
	if (EVP_DigestFinal_ex(s.envsha, env_sha256, NULL) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "hash-failed",
		    "cannot hash the envelope");
		goto out;
	}
	*env_size = s.size;
	rc = EB_OK;
out:
	OPENSSL_cleanse(s.key, sizeof(s.key));
	OPENSSL_cleanse(rec, sizeof(rec));
	if (s.plain != NULL)
		OPENSSL_cleanse(s.plain, EB_ENVS_SEGMENT);
	if (inner != NULL)
		OPENSSL_cleanse(inner, innerlen);
	free(inner);
	free(hdr);
	free(manifest);
	free(ents);
	free(s.plain);
	free(s.ct);
	sk_X509_free(recips);
	EVP_CIPHER_CTX_free(s.ctx);
	EVP_MD_CTX_free(s.envsha);
	EVP_MD_CTX_free(s.mark);
	EVP_MD_CTX_free(aad);
	return rc;
}

/* -- the reader side ------------------------------------------------------ */

int
eb_envs_unwrap_cms(void *arg, const uint8_t *hdr, size_t hdrlen,
    uint8_t rec[64], size_t *reclen, struct eb_error *err)
{
	const struct eb_envs_cms_key *k = arg;
	uint8_t *out = NULL;
	size_t n = 0;
	int rc;

	if ((rc = eb_cms_decrypt(k->cert, k->key, hdr, hdrlen, &out, &n,
	    err)) != EB_OK)
		return rc;
	if (n > 64) {
		OPENSSL_cleanse(out, n);
		free(out);
		return eb_fail(err, EB_ERR_FORMAT, "malformed-envelope", NULL,
		    "the key record is %zu bytes", n);
	}
	memcpy(rec, out, n);
	*reclen = n;
	OPENSSL_cleanse(out, n);
	free(out);
	return EB_OK;
}

struct opener {
	EVP_CIPHER_CTX *ctx;
	uint8_t key[32], prefix[7], aad[EB_SHA256_LEN];
	uint32_t segsize, index;
	uint8_t *plain, *ct;
	size_t have, pos;          /* plaintext in 'plain', next byte */
	uint64_t left;             /* envelope bytes not yet read */
	eb_envs_read_fn read;
	void *rarg;
};

/* Read and authenticate the next segment. */
static int
next_segment(struct opener *o, struct eb_error *err)
{
	size_t want, got = 0;
	int last, n = 0, m = 0, rc;
	uint8_t iv[12];

	if (o->left == 0)
		return eb_fail(err, EB_ERR_DENIED, "envelope-truncated",
		    "The stored envelope is shorter than what was sealed.",
		    "the payload ends before its declared contents");
	want = o->left < (uint64_t)o->segsize + EB_ENVS_TAG ?
	    (size_t)o->left : (size_t)o->segsize + EB_ENVS_TAG;
	if (want < EB_ENVS_TAG)
		return eb_fail(err, EB_ERR_DENIED, "envelope-truncated", NULL,
		    "a segment shorter than its tag");
	if ((rc = o->read(o->rarg, o->ct, want, &got, err)) != EB_OK)
		return rc;
	if (got != want)
		return eb_fail(err, EB_ERR_DENIED, "envelope-truncated", NULL,
		    "the envelope ends %llu bytes early",
		    (unsigned long long)(o->left - got));
	o->left -= want;
	last = o->left == 0;
	seg_nonce(o->prefix, o->index, last, iv);
	want -= EB_ENVS_TAG;
	if (EVP_DecryptInit_ex(o->ctx, NULL, NULL, o->key, iv) != 1 ||
	    EVP_DecryptUpdate(o->ctx, NULL, &n, o->aad, sizeof(o->aad)) != 1 ||
	    (want > 0 && EVP_DecryptUpdate(o->ctx, o->plain, &n, o->ct,
	    (int)want) != 1) ||
	    EVP_CIPHER_CTX_ctrl(o->ctx, EVP_CTRL_GCM_SET_TAG, EB_ENVS_TAG,
	    o->ct + want) != 1 ||
	    EVP_DecryptFinal_ex(o->ctx, o->plain + (want > 0 ? n : 0), &m) != 1) {
		OPENSSL_cleanse(o->plain, o->segsize);
		ERR_clear_error();
		return eb_fail(err, EB_ERR_CRYPTO, "segment-auth-failed",
		    "The envelope was altered, cut or reordered after it was "
		    "sealed.", "segment %u fails its GCM tag", o->index);
	}
	o->index++;
	o->have = want;
	o->pos = 0;
	return EB_OK;
}

/* Take exactly 'n' plaintext bytes (to 'p' when not NULL). */
static int
take(struct opener *o, uint8_t *p, size_t n, const uint8_t **view,
    size_t *viewn, struct eb_error *err)
{
	int rc;

	if (view != NULL) {          /* at most n bytes, in place */
		if (o->pos == o->have && (rc = next_segment(o, err)) != EB_OK)
			return rc;
		*viewn = o->have - o->pos < n ? o->have - o->pos : n;
		*view = o->plain + o->pos;
		o->pos += *viewn;
		return EB_OK;
	}
	while (n > 0) {
		size_t k;

		if (o->pos == o->have && (rc = next_segment(o, err)) != EB_OK)
			return rc;
		k = o->have - o->pos < n ? o->have - o->pos : n;
		memcpy(p, o->plain + o->pos, k);
		o->pos += k;
		p += k;
		n -= k;
	}
	return EB_OK;
}

int
eb_envs_manifest(const uint8_t *inner, size_t innerlen,
    struct eb_envs_entry **out, size_t *n, struct eb_error *err)
{
	const unsigned char *p = inner;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_OBJECT *oid = NULL;
	ASN1_UTF8STRING *v;
	struct eb_envs_entry *e = NULL;
	const char *s, *end;
	size_t count = 0, cap = 0;
	int rc = EB_OK;

	*out = NULL;
	*n = 0;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)innerlen)) == NULL ||
	    (si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0)) ==
	    NULL || (oid = OBJ_txt2obj(EB_ENVS_MANIFEST_OID, 1)) == NULL) {
		rc = fail_ssl(err, EB_ERR_FORMAT, "bad-manifest",
		    "cannot read the inner signature's attributes");
		goto out;
	}
	if (CMS_signed_get_attr_by_OBJ(si, oid, -1) < 0)
		goto out;   /* no attachments */
	v = CMS_signed_get0_data_by_OBJ(si, oid, -3, V_ASN1_UTF8STRING);
	if (v == NULL || CMS_signed_get_attr_count(si) < 0) {
		rc = fail_ssl(err, EB_ERR_FORMAT, "bad-manifest",
		    "the attachment manifest is not one UTF8String");
		goto out;
	}
	s = (const char *)ASN1_STRING_get0_data(v);
	end = s + ASN1_STRING_length(v);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		char line[EB_SHA256_HEX + 24 + EB_ENVS_NAME_MAX + 4], hex[65];
		unsigned long long size;
		int off = 0;

		if (nl == NULL || (size_t)(nl - s) >= sizeof(line) ||
		    count >= EB_ENVS_FILES_MAX) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-manifest", NULL,
			    "the attachment manifest has a bad line");
			goto out;
		}
		memcpy(line, s, (size_t)(nl - s));
		line[nl - s] = '\0';
		if (count == cap) {
			cap = cap ? 2 * cap : 8;
			e = eb_realloc(e, cap * sizeof(*e));
		}
		if (sscanf(line, "%64s %llu %n", hex, &size, &off) != 2 ||
		    off == 0 || eb_unhex32(hex, e[count].sha256) != 0 ||
		    !good_name(line + off)) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-manifest", NULL,
			    "the attachment manifest has a bad line");
			goto out;
		}
		e[count].size = size;
		snprintf(e[count].name, sizeof(e[count].name), "%s",
		    line + off);
		count++;
		s = nl + 1;
	}
	*out = e;
	*n = count;
	e = NULL;
out:
	free(e);
	ASN1_OBJECT_free(oid);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

int
eb_envs_open(const struct eb_trust *t, eb_envs_unwrap_fn unwrap,
    void *uarg, eb_envs_read_fn read, void *rarg, uint64_t env_size,
    const uint8_t commitment[32], int64_t at_ms, eb_envs_sink_fn sink,
    void *sarg, uint8_t **bid_xml, size_t *bidlen, uint8_t **inner,
    size_t *innerlen, X509 **signer, struct eb_envs_entry **entries,
    size_t *nentries, struct eb_error *err)
{
	struct opener o = { .read = read, .rarg = rarg };
	struct eb_envs_entry *ents = NULL;
	uint8_t pre[EB_ENVS_MAGIC_LEN + 4], *hdr = NULL, rec[64];
	uint8_t *in = NULL, digest[EB_SHA256_LEN], lenb[4];
	size_t got = 0, reclen = 0, nents = 0, i;
	uint32_t hdrlen, inlen;
	EVP_MD_CTX *md = NULL;
	int rc;

	*bid_xml = NULL;
	*bidlen = 0;
	*signer = NULL;
	if (inner != NULL) {
		*inner = NULL;
		*innerlen = 0;
	}
	if (entries != NULL) {
		*entries = NULL;
		*nentries = 0;
	}
	if ((rc = read(rarg, pre, sizeof(pre), &got, err)) != EB_OK)
		return rc;
	if (got != sizeof(pre) || !eb_envs_is_streamed(pre, got) ||
	    (hdrlen = get_be32(pre + EB_ENVS_MAGIC_LEN)) == 0 ||
	    hdrlen > EB_ENVS_HEADER_MAX ||
	    env_size < sizeof(pre) + (uint64_t)hdrlen + EB_ENVS_TAG)
		return eb_fail(err, EB_ERR_FORMAT, "malformed-envelope",
		    "Seal the bid with `ebid bid seal`.",
		    "not a streamed envelope (magic, header length)");
	hdr = eb_malloc(hdrlen);
	o.plain = eb_malloc(EB_ENVS_SEGMENT);
	o.ct = eb_malloc(EB_ENVS_SEGMENT + EB_ENVS_TAG);
	if ((o.ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL)
		eb_oom("the opening contexts", 0);
	if ((rc = read(rarg, hdr, hdrlen, &got, err)) != EB_OK)
		goto out;
	if (got != hdrlen) {
		rc = eb_fail(err, EB_ERR_DENIED, "envelope-truncated", NULL,
		    "the envelope ends inside its key header");
		goto out;
	}
	if ((rc = unwrap(uarg, hdr, hdrlen, rec, &reclen, err)) != EB_OK)
		goto out;
	if (reclen != KEYREC_LEN || get_be32(rec + 39) == 0 ||
	    get_be32(rec + 39) > EB_ENVS_SEGMENT) {
		rc = eb_fail(err, EB_ERR_FORMAT, "malformed-envelope", NULL,
		    "the key record is not key||prefix||segment size");
		goto out;
	}
	memcpy(o.key, rec, 32);
	memcpy(o.prefix, rec + 32, 7);
	o.segsize = get_be32(rec + 39);
	o.left = env_size - sizeof(pre) - hdrlen;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, pre, sizeof(pre)) != 1 ||
	    EVP_DigestUpdate(md, hdr, hdrlen) != 1 ||
	    EVP_DigestFinal_ex(md, o.aad, NULL) != 1 ||
	    EVP_DecryptInit_ex(o.ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(o.ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "decrypt-failed",
		    "cannot set up AES-256-GCM");
		goto out;
	}
	/* the inner SignedData: the commitment and the signature */
	if ((rc = take(&o, lenb, 4, NULL, NULL, err)) != EB_OK)
		goto out;
	inlen = get_be32(lenb);
	if (inlen == 0 || inlen > EB_ENVS_INNER_MAX) {
		rc = eb_fail(err, EB_ERR_FORMAT, "malformed-envelope", NULL,
		    "the inner bid is %u bytes", inlen);
		goto out;
	}
	in = eb_malloc(inlen);
	if ((rc = take(&o, in, inlen, NULL, NULL, err)) != EB_OK)
		goto out;
	eb_sha256(in, inlen, digest);
	if (CRYPTO_memcmp(digest, commitment, EB_SHA256_LEN) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "commitment-mismatch",
		    "The envelope is not the one the bidder committed to at "
		    "submission.",
		    "SHA-256 of the decrypted bid differs from the commitment");
		goto out;
	}
	if ((rc = eb_cms_verify(t, in, inlen, at_ms, bid_xml, bidlen, signer,
	    err)) != EB_OK) {
		if (err != NULL && strcmp(err->reason, "bad-signature") == 0)
			snprintf(err->reason, sizeof(err->reason),
			    "bad-inner-signature");
		goto out;
	}
	if ((rc = eb_envs_manifest(in, inlen, &ents, &nents, err)) != EB_OK)
		goto out;
	/* each attachment, checked against the signed manifest */
	for (i = 0; i < nents; i++) {
		uint64_t left = ents[i].size;

		if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
			rc = fail_ssl(err, EB_ERR_CRYPTO, "hash-failed",
			    "cannot hash");
			goto out;
		}
		while (left > 0) {
			const uint8_t *v = NULL;
			size_t vn = 0;

			if ((rc = take(&o, NULL, left > SIZE_MAX ? SIZE_MAX :
			    (size_t)left, &v, &vn, err)) != EB_OK)
				goto out;
			EVP_DigestUpdate(md, v, vn);
			if (sink != NULL && (rc = sink(sarg, i, ents[i].name, v,
			    vn, err)) != EB_OK)
				goto out;
			left -= vn;
		}
		EVP_DigestFinal_ex(md, digest, NULL);
		if (CRYPTO_memcmp(digest, ents[i].sha256, EB_SHA256_LEN) != 0) {
			rc = eb_fail(err, EB_ERR_DENIED, "attachment-mismatch",
			    "The attachment is not the one the bidder signed.",
			    "attachment %s differs from its signed SHA-256",
			    ents[i].name);
			goto out;
		}
	}
	if (o.pos != o.have || o.left != 0) {
		rc = eb_fail(err, EB_ERR_FORMAT, "malformed-envelope", NULL,
		    "bytes follow the last attachment");
		goto out;
	}
	if (inner != NULL) {
		*inner = in;
		*innerlen = inlen;
		in = NULL;
	}
	if (entries != NULL) {
		*entries = ents;
		*nentries = nents;
		ents = NULL;
	}
	rc = EB_OK;
out:
	if (rc != EB_OK) {
		free(*bid_xml);
		*bid_xml = NULL;
		*bidlen = 0;
		X509_free(*signer);
		*signer = NULL;
	}
	OPENSSL_cleanse(o.key, sizeof(o.key));
	OPENSSL_cleanse(rec, sizeof(rec));
	if (o.plain != NULL)
		OPENSSL_cleanse(o.plain, EB_ENVS_SEGMENT);
	if (in != NULL)
		OPENSSL_cleanse(in, inlen);
	free(in);
	free(ents);
	free(hdr);
	free(o.plain);
	free(o.ct);
	EVP_CIPHER_CTX_free(o.ctx);
	EVP_MD_CTX_free(md);
	return rc;
}
