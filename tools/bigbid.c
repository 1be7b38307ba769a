/*
 * tools/bigbid.c
 *    Sealing and uploading large bids (bigbid.h).
 */
#include "tools/bigbid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "protocol/buf.h"
#include "protocol/doc.h"
#include "protocol/envstream.h"
#include "protocol/hash.h"
#include "protocol/mem.h"
#include "protocol/xml.h"
#include "tools/progress.h"

#define CHUNK_DEFAULT ((size_t)4 << 20)

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static void
seal_progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	struct eb_progress *p = arg;

	if (p->label == NULL || strcmp(p->label, phase) != 0) {
		eb_progress_end(p);
		eb_progress_start(p, phase, 0);
	}
	eb_progress_update(p, done, total);
}

int
eb_bigbid_seal(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *xml, size_t len, const char *const *attach,
    size_t nattach, const char *env_path, uint8_t commitment[32],
    uint8_t env_sha256[32], uint64_t *env_size, struct eb_error *err)
{
	struct eb_envs_file *files = eb_calloc(nattach + 1, sizeof(*files));
	struct eb_progress pr = { .label = NULL };
	char tmp[4096];
	FILE *out = NULL;
	size_t i;
	int rc = EB_OK;

	for (i = 0; i < nattach; i++) {
		files[i].name = base_name(attach[i]);
		if ((files[i].f = fopen(attach[i], "rb")) == NULL) {
			rc = eb_fail(err, EB_ERR_IO, "cannot-read",
			    "Check the attachment's path.", "cannot open %s: %s",
			    attach[i], strerror(errno));
			goto out;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", env_path);
	if ((out = fopen(tmp, "wb")) == NULL) {
		rc = eb_fail(err, EB_ERR_IO, "cannot-write", NULL,
		    "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = eb_envs_seal(cert, key, opening_cert, xml, len, files, nattach,
	    eb_envs_write_file, out, seal_progress, &pr, commitment,
	    env_sha256, env_size, err);
	eb_progress_end(&pr);
	if (fflush(out) != 0 || fclose(out) != 0) {
		out = NULL;
		if (rc == EB_OK)
			rc = eb_fail(err, EB_ERR_IO, "cannot-write",
			    "Is the disk full?", "cannot write %s", tmp);
	}
	out = NULL;
	if (rc == EB_OK && rename(tmp, env_path) != 0)
		rc = eb_fail(err, EB_ERR_IO, "cannot-write", NULL,
		    "cannot rename %s: %s", tmp, strerror(errno));
	if (rc != EB_OK)
		(void)remove(tmp);
out:
	if (out != NULL)
		fclose(out);
	for (i = 0; i < nattach; i++)
		if (files[i].f != NULL)
			fclose(files[i].f);
	free(files);
	return rc;
}

/* -- the upload ----------------------------------------------------------- */

struct up {
	struct eb_client *c;
	const char *hex;
	uint64_t size, offset;
	int64_t deadline_ms, now_ms;  /* the server's clock */
	double asked_at;              /* our monotonic time of now_ms */
};

/*
 * The running SHA-256 of the envelope's first 'at' bytes: each chunk is
 * sent with the hash of everything up to its end (prefix-sha256), so the
 * server checks the chunk and keeps the envelope's hash in one pass.
 * Moved to 'to' by reading the file (from 0 when 'to' is behind).
 */
struct run {
	EVP_MD_CTX *md;
	uint64_t at;
};

static int
run_to(struct run *h, FILE *f, uint8_t *buf, size_t cap, uint64_t to)
{
	if (to < h->at) {
		if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
			return -1;
		h->at = 0;
	}
	while (h->at < to) {
		size_t n = to - h->at < cap ? (size_t)(to - h->at) : cap;

		if (fseeko(f, (off_t)h->at, SEEK_SET) != 0 ||
		    fread(buf, 1, n, f) != n ||
		    EVP_DigestUpdate(h->md, buf, n) != 1)
			return -1;
		h->at += n;
	}
	return 0;
}

/* Read an <upload> reply. */
static int
read_state(struct up *u, const struct eb_buf *body, int *complete,
    struct eb_error *err)
{
	struct eb_doc *d = NULL;
	int64_t off = 0, size = 0;
	const char *c;
	int rc;

	if ((rc = eb_xml_parse(NULL, NULL, body->data, body->len, &d, err)) !=
	    EB_OK)
		return rc;
	if (strcmp(d->name, "upload") != 0 ||
	    eb_doc_attr_i64(d, "offset", &off) != EB_OK ||
	    eb_doc_attr_i64(d, "size", &size) != EB_OK ||
	    (uint64_t)size != u->size || off < 0 || (uint64_t)off > u->size) {
		eb_doc_free(d);
		return eb_fail(err, EB_ERR_FORMAT, "bad-reply", NULL,
		    "the server's upload state is not for this envelope");
	}
	u->offset = (uint64_t)off;
	(void)eb_doc_attr_i64(d, "deadline-ms", &u->deadline_ms);
	if (eb_doc_attr_i64(d, "now-ms", &u->now_ms) == EB_OK)
		u->asked_at = eb_progress_now();
	c = eb_doc_attr(d, "complete");
	*complete = c != NULL && strcmp(c, "true") == 0;
	eb_doc_free(d);
	return EB_OK;
}

/* One exchange; a non-200 becomes the server's error. */
static int
call(struct up *u, const char *path, const char *ctype, const uint8_t *p,
    size_t n, int *complete, int *status, struct eb_error *err)
{
	struct eb_buf body = EB_BUF_INIT;
	int rc;

	body.max = 1 << 20;
	*status = 0;
	if (ctype == NULL)
		rc = eb_client_get(u->c, path, &body, status, err);
	else
		rc = eb_client_post(u->c, path, ctype, p, n, &body, status,
		    err);
	if (rc == EB_OK && *status != 200)
		rc = eb_client_reply_error(&body, *status, err);
	else if (rc == EB_OK)
		rc = read_state(u, &body, complete, err);
	eb_buf_free(&body);
	return rc;
}

static void
pause_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s,
	    .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Warn once, early, when the upload cannot be complete before the
 * deadline: at the rate seen so far (this run's bytes over its time) the
 * rest needs longer than the time left on the server's clock, for 2 s
 * already, or by more than twice (so one slow first chunk does not warn).
 */
static void
check_pace(struct up *u, struct eb_progress *pr, int *warned)
{
	double el = eb_progress_now() - pr->t0, rate, left_s, need_s;
	double mb = (double)(u->size - u->offset) / 1e6;

	if (*warned || u->deadline_ms <= 0 || u->now_ms <= 0 ||
	    u->offset >= u->size || u->offset <= pr->base || el <= 0)
		return;
	rate = (double)(u->offset - pr->base) / el;
	left_s = (double)(u->deadline_ms - u->now_ms) / 1000.0 -
	    (eb_progress_now() - u->asked_at);
	need_s = (double)(u->size - u->offset) / rate;
	if (need_s <= left_s || (el < 2.0 && need_s <= 2.0 * left_s))
		return;
	eb_progress_end(pr);
	fprintf(stderr, "ebid: warning: %.1f MB still to send, about %.0f s at "
	    "%.1f MB/s, but the bid deadline is in %.0f s: the bid will be "
	    "refused unless the upload is complete before the deadline (use a "
	    "faster connection, or smaller attachments)\n", mb, need_s,
	    rate / 1e6, left_s > 0 ? left_s : 0);
	*warned = 1;
}

int
eb_bigbid_upload(struct eb_client *c, const uint8_t *cmd, size_t cmdlen,
    const char *hex, uint64_t size, const char *env_path,
    const struct eb_bigbid_opts *o, struct eb_error *err)
{
	struct up u = { .c = c, .hex = hex, .size = size };
	struct eb_progress pr;
	size_t chunk = o != NULL && o->chunk > 0 ? o->chunk : CHUNK_DEFAULT;
	uint64_t sent = 0;
	uint8_t *buf = NULL, h[EB_SHA256_LEN];
	struct run run = { .md = EVP_MD_CTX_new() };
	EVP_MD_CTX *next = EVP_MD_CTX_new(), *fin = EVP_MD_CTX_new();
	char path[256], chex[EB_SHA256_HEX];
	int complete = 0, status = 0, fails = 0, warned = 0, rc;
	int retries = o != NULL && o->retries > 0 ? o->retries : 8;
	FILE *f = NULL;

	if ((f = fopen(env_path, "rb")) == NULL)
		return eb_fail(err, EB_ERR_IO, "cannot-read",
		    "Keep the .env file `ebid bid seal` wrote beside the "
		    "sealed command.", "cannot open %s: %s", env_path,
		    strerror(errno));
	buf = eb_malloc(chunk);
	if (run.md == NULL || next == NULL || fin == NULL ||
	    EVP_DigestInit_ex(run.md, EVP_sha256(), NULL) != 1)
		eb_oom("SHA-256 contexts", 0);
	/* open (or find) the upload: the server says where it stands */
	for (;;) {
		rc = call(&u, "/v1/uploads", "application/cms", cmd, cmdlen,
		    &complete, &status, err);
		if (rc == EB_OK || (status != 0 && !(status == 409 &&
		    strcmp(err->reason, "upload-busy") == 0)) ||
		    ++fails > retries)
			break;
		fprintf(stderr, "ebid: %s; trying again\n", err->primary);
		pause_s(0.5 * fails);
	}
	if (rc != EB_OK)
		goto out;
	fails = 0;
	if (u.offset > 0 && !complete)
		fprintf(stderr, "ebid: resuming the upload at byte %llu of "
		    "%llu (durable on the server)\n",
		    (unsigned long long)u.offset, (unsigned long long)size);
	eb_progress_start(&pr, "upload", u.offset);
	snprintf(path, sizeof(path), "/v1/uploads/offset?sha256=%s", hex);
	while (!complete) {
		size_t n = size - u.offset < chunk ? (size_t)(size - u.offset) :
		    chunk;
		char q[sizeof(path) + 128];

		if (o != NULL && o->stop_after > 0 && sent >= o->stop_after) {
			eb_progress_end(&pr);
			rc = eb_fail(err, EB_ERR_IO, "upload-stopped",
			    "Run `ebid bid submit` again: it resumes.",
			    "stopped after %llu bytes (--stop-after); the "
			    "server holds %llu of %llu",
			    (unsigned long long)sent,
			    (unsigned long long)u.offset,
			    (unsigned long long)size);
			goto out;
		}
		if (o != NULL && o->stop_after > 0 && sent + n > o->stop_after)
			n = (size_t)(o->stop_after - sent);
		/* the hash of [0, offset + n): the running one moved to the
		 * server's offset, then the chunk (kept aside until taken) */
		if (run_to(&run, f, buf, chunk, u.offset) != 0 ||
		    fseeko(f, (off_t)u.offset, SEEK_SET) != 0 ||
		    fread(buf, 1, n, f) != n ||
		    EVP_MD_CTX_copy_ex(next, run.md) != 1 ||
		    EVP_DigestUpdate(next, buf, n) != 1 ||
		    EVP_MD_CTX_copy_ex(fin, next) != 1 ||
		    EVP_DigestFinal_ex(fin, h, NULL) != 1) {
			rc = eb_fail(err, EB_ERR_IO, "cannot-read", NULL,
			    "cannot read %s at %llu", env_path,
			    (unsigned long long)u.offset);
			goto out;
		}
		eb_hex32(h, chex);
		snprintf(q, sizeof(q), "/v1/uploads/chunk?sha256=%s&offset=%llu"
		    "&prefix-sha256=%s", hex, (unsigned long long)u.offset,
		    chex);
		rc = call(&u, q, "application/octet-stream", buf, n, &complete,
		    &status, err);
		if (rc == EB_OK) {
			EVP_MD_CTX *t = run.md;

			run.md = next;       /* the server took it */
			next = t;
			run.at += n;
			sent += n;
			fails = 0;
			eb_progress_update(&pr, u.offset, size);
			check_pace(&u, &pr, &warned);
			continue;
		}
		if (status == 409 &&
		    strcmp(err->reason, "upload-offset-mismatch") == 0) {
			/* ask where the server stands */
		} else if (status != 0 && status != 503 &&
		    !(status == 409 && strcmp(err->reason, "upload-busy") == 0)) {
			eb_progress_end(&pr);
			goto out;   /* a refusal: no retry helps */
		} else if (++fails > retries) {
			eb_progress_end(&pr);
			goto out;
		} else {
			eb_progress_end(&pr);
			fprintf(stderr, "ebid: %s; resuming in %.1f s\n",
			    err->primary, 0.5 * fails);
			pause_s(0.5 * fails);
		}
		/* where does the server stand?  (404: it was never opened) */
		if ((rc = call(&u, path, NULL, NULL, 0, &complete, &status,
		    err)) != EB_OK && status == 404)
			rc = call(&u, "/v1/uploads", "application/cms", cmd,
			    cmdlen, &complete, &status, err);
		if (rc != EB_OK && status != 0 && status != 503) {
			eb_progress_end(&pr);
			goto out;
		}
	}
	eb_progress_end(&pr);
	rc = EB_OK;
out:
	OPENSSL_cleanse(buf, chunk);
	free(buf);
	EVP_MD_CTX_free(run.md);
	EVP_MD_CTX_free(next);
	EVP_MD_CTX_free(fin);
	fclose(f);
	return rc;
}

/* -- the bidder opens its own ------------------------------------------- */

struct sink {
	const char *dir;
	FILE *f;
	size_t index;             /* the attachment open in 'f' (+1) */
	char written[EB_ENVS_FILES_MAX][EB_ENVS_NAME_MAX + 1];
	size_t nwritten;
};

static int
sink_write(void *arg, size_t index, const char *name, const uint8_t *p,
    size_t n, struct eb_error *err)
{
	struct sink *k = arg;
	char path[4096];

	if (k->dir == NULL)
		return EB_OK;
	if (k->f == NULL || k->index != index + 1) {
		if (k->f != NULL && fclose(k->f) != 0) {
			k->f = NULL;
			return eb_fail(err, EB_ERR_IO, "write-failed", NULL,
			    "cannot write an attachment");
		}
		snprintf(path, sizeof(path), "%s/%s", k->dir, name);
		if ((k->f = fopen(path, "wbx")) == NULL)
			return eb_fail(err, EB_ERR_IO, "write-failed",
			    "Give -o an empty folder.", "cannot create %s: %s",
			    path, strerror(errno));
		k->index = index + 1;
		if (k->nwritten < EB_ENVS_FILES_MAX)
			snprintf(k->written[k->nwritten++], EB_ENVS_NAME_MAX + 1,
			    "%s", name);
	}
	if (n > 0 && fwrite(p, 1, n, k->f) != n)
		return eb_fail(err, EB_ERR_IO, "write-failed", "Is the disk full?",
		    "cannot write attachment %s", name);
	return EB_OK;
}

int
eb_bigbid_open(const struct eb_trust *trust, X509 *cert, EVP_PKEY *key,
    const char *env_path, const uint8_t commitment[32], const char *outdir,
    uint8_t **xml, size_t *xmllen, size_t *nattach, struct eb_error *err)
{
	struct eb_envs_cms_key ck = { .cert = cert, .key = key };
	struct sink *k = eb_calloc(1, sizeof(*k));
	struct eb_envs_entry *ents = NULL;
	X509 *signer = NULL;
	struct stat st;
	FILE *f = NULL;
	int rc;

	*xml = NULL;
	*xmllen = 0;
	*nattach = 0;
	k->dir = outdir;
	if ((f = fopen(env_path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		rc = eb_fail(err, EB_ERR_IO, "cannot-read",
		    "Give the .env file `ebid bid seal` wrote (--envelope).",
		    "cannot open %s: %s", env_path, strerror(errno));
		goto out;
	}
	rc = eb_envs_open(trust, eb_envs_unwrap_cms, &ck, eb_envs_read_file, f,
	    (uint64_t)st.st_size, commitment, 0, sink_write, k, xml, xmllen,
	    NULL, NULL, &signer, &ents, nattach, err);
	if (k->f != NULL && fclose(k->f) != 0 && rc == EB_OK)
		rc = eb_fail(err, EB_ERR_IO, "write-failed", NULL,
		    "cannot write the last attachment");
	k->f = NULL;
	if (rc != EB_OK && outdir != NULL)
		for (size_t i = 0; i < k->nwritten; i++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", outdir,
			    k->written[i]);
			(void)remove(path);
		}
out:
	if (f != NULL)
		fclose(f);
	if (k->f != NULL)
		fclose(k->f);
	free(k);
	free(ents);
	X509_free(signer);
	return rc;
}
