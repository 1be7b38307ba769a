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
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
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
#define MARK_EVERY ((uint64_t)1 << 20)   /* a prefix digest per MiB */
#define SUMS_SUFFIX ".prefix-sha256"
#define SUMS_MAGIC "ebid-prefix-sha256 1"
#define SUMS_MAX ((size_t)1 << 22)       /* digests: 4 TiB of envelope */
#define SCRATCH ((size_t)1 << 20)        /* run_to()'s reads */

/*
 * The prefix digests of a sealed envelope (docs/bigbids.md, "Upload
 * rate, fourth pass"): d[k] = SHA-256 of the envelope's bytes
 * [0, (k + 1) * every), written by `bid seal` beside the envelope as
 * ENV.prefix-sha256 (text):
 *    ebid-prefix-sha256 1
 *    every 1048576
 *    size N
 *    mtime SECONDS.NANOSECONDS      (the envelope file's, when sealed)
 *    sha256 HEX                     (the whole envelope's)
 *    HEX                            (N / every lines, d[0] first)
 * `bid submit` takes them for each chunk ending at a multiple of 'every'
 * instead of hashing the envelope again, when size, time and hash are the
 * envelope's; otherwise (or if the server finds one wrong) it hashes.
 */
struct sums {
	uint64_t every, size;
	uint8_t (*d)[EB_SHA256_LEN];
	size_t n, cap;
	int overflow;
};

static void
sums_mark(void *arg, uint64_t at, const uint8_t digest[EB_SHA256_LEN])
{
	struct sums *m = arg;

	if (at != (uint64_t)(m->n + 1) * m->every || m->n >= SUMS_MAX) {
		m->overflow = 1;
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 256 : m->cap * 2;
		m->d = eb_realloc(m->d, m->cap * sizeof(*m->d));
	}
	memcpy(m->d[m->n++], digest, EB_SHA256_LEN);
}

static void
sums_path(const char *env_path, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", env_path, SUMS_SUFFIX);
}

/*
 * Write the side file for the envelope just written at 'tmp' (its time
 * is what `bid submit` checks) into 'side' + ".tmp".  0 or -1: the side
 * file only saves time, so a failure leaves none and is not an error.
 */
static int
sums_write(const struct sums *m, const char *tmp, const char *side,
    const uint8_t env_sha256[EB_SHA256_LEN], uint64_t size)
{
	char path[4300], hex[EB_SHA256_HEX];
	struct stat st;
	FILE *f;
	int bad;

	if (m->overflow || m->n != size / m->every || stat(tmp, &st) != 0 ||
	    (uint64_t)st.st_size != size)
		return -1;
	snprintf(path, sizeof(path), "%s.tmp", side);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	eb_hex32(env_sha256, hex);
	fprintf(f, "%s\nevery %llu\nsize %llu\nmtime %lld.%09ld\nsha256 %s\n",
	    SUMS_MAGIC, (unsigned long long)m->every, (unsigned long long)size,
	    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, hex);
	for (size_t i = 0; i < m->n; i++) {
		eb_hex32(m->d[i], hex);
		fprintf(f, "%s\n", hex);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		(void)remove(path);
		return -1;
	}
	return 0;
}

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
	struct sums m = { .every = MARK_EVERY };
	struct eb_envs_marks marks = { .every = MARK_EVERY, .fn = sums_mark,
	    .arg = &m };
	char tmp[4096], side[4200], sidetmp[4300];
	FILE *out = NULL;
	size_t i;
	int rc = EB_OK, have_side = 0;

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
	/* an old side file is never left beside a new envelope */
	sums_path(env_path, side, sizeof(side));
	snprintf(sidetmp, sizeof(sidetmp), "%s.tmp", side);
	(void)remove(side);
	rc = eb_envs_seal_marked(cert, key, opening_cert, xml, len, files,
	    nattach, eb_envs_write_file, out, seal_progress, &pr, &marks,
	    commitment, env_sha256, env_size, err);
	eb_progress_end(&pr);
	if (fflush(out) != 0 || fclose(out) != 0) {
		out = NULL;
		if (rc == EB_OK)
			rc = eb_fail(err, EB_ERR_IO, "cannot-write",
			    "Is the disk full?", "cannot write %s", tmp);
	}
	out = NULL;
	if (rc == EB_OK)
		have_side = sums_write(&m, tmp, side, env_sha256,
		    *env_size) == 0;
	if (rc == EB_OK && rename(tmp, env_path) != 0)
		rc = eb_fail(err, EB_ERR_IO, "cannot-write", NULL,
		    "cannot rename %s: %s", tmp, strerror(errno));
	if (rc == EB_OK && have_side && rename(sidetmp, side) != 0)
		have_side = 0;
	if (rc != EB_OK)
		(void)remove(tmp);
	if (!have_side)
		(void)remove(sidetmp);
out:
	free(m.d);
	if (out != NULL)
		fclose(out);
	for (i = 0; i < nattach; i++)
		if (files[i].f != NULL)
			fclose(files[i].f);
	free(files);
	return rc;
}

/* -- the upload ----------------------------------------------------------- */

/*
 * Load the side file of the envelope open as 'fd', if it is this
 * envelope's: its size and time those of the file, its hash 'hex' (the
 * signed command's).  0 (m filled) or -1 (none usable: hash instead).
 */
static int
sums_read(const char *env_path, int fd, const char *hex, uint64_t size,
    struct sums *m)
{
	char path[4200], line[128], want[160];
	unsigned long long every = 0, fsize = 0;
	long long sec = 0;
	long nsec = 0;
	struct stat st;
	FILE *f;
	int ok = 0;

	memset(m, 0, sizeof(*m));
	sums_path(env_path, path, sizeof(path));
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != size ||
	    (f = fopen(path, "r")) == NULL)
		return -1;
	snprintf(want, sizeof(want), "sha256 %s\n", hex);
	if (fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, SUMS_MAGIC "\n") != 0 ||
	    fscanf(f, "every %llu\nsize %llu\nmtime %lld.%ld\n", &every,
	    &fsize, &sec, &nsec) != 4 || every == 0 || fsize != size ||
	    sec != (long long)st.st_mtim.tv_sec ||
	    nsec != (long)st.st_mtim.tv_nsec ||
	    size / every > SUMS_MAX ||
	    fgets(line, sizeof(line), f) == NULL || strcmp(line, want) != 0)
		goto out;
	m->every = every;
	m->size = size;
	m->cap = (size_t)(size / every);
	m->d = eb_calloc(m->cap + 1, sizeof(*m->d));
	while (m->n < m->cap && fgets(line, sizeof(line), f) != NULL &&
	    strlen(line) == EB_SHA256_HEX && line[EB_SHA256_HEX - 1] == '\n') {
		line[EB_SHA256_HEX - 1] = '\0';
		if (eb_unhex32(line, m->d[m->n]) != 0)
			break;
		m->n++;
	}
	ok = m->n == m->cap && fgetc(f) == EOF;
out:
	fclose(f);
	if (!ok) {
		free(m->d);
		memset(m, 0, sizeof(*m));
	}
	return ok ? 0 : -1;
}

/*
 * A chunk of the envelope, mapped: TLS encrypts straight from the page
 * cache (a read() into a buffer was a quarter of the client's CPU).  The
 * file must not shrink while mapped (SIGBUS: bus_stop() says so).
 */
struct view {
	void *map;
	size_t len;
	const uint8_t *p;
};

static int
view_map(struct view *v, int fd, uint64_t at, size_t n)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE), base = at - at % pg;
	struct stat st;

	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < at + n)
		return -1;
	v->len = n + (size_t)(at - base);
	v->map = mmap(NULL, v->len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd,
	    (off_t)base);
	if (v->map == MAP_FAILED) {
		v->map = NULL;
		return -1;
	}
	v->p = (const uint8_t *)v->map + (at - base);
	return 0;
}

static void
view_unmap(struct view *v)
{
	if (v->map != NULL)
		(void)munmap(v->map, v->len);
	v->map = NULL;
}

static char bus_msg[512];
static size_t bus_len;

/* The envelope shrank under the mapping: say so and stop (the server
 * keeps what is durable; a new run resumes, with the right file). */
static void
bus_stop(int sig)
{
	(void)sig;
	if (write(2, bus_msg, bus_len) < 0) {
		/* nothing more to do */
	}
	_exit(4);    /* ebid's exit status for a local failure */
}

/* Read exactly 'n' bytes at 'at'; -1 when the file is shorter or fails. */
static int
read_at(int fd, uint8_t *p, size_t n, uint64_t at)
{
	while (n > 0) {
		ssize_t k = pread(fd, p, n, (off_t)at);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		at += (uint64_t)k;
	}
	return 0;
}

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
run_to(struct run *h, int fd, uint8_t *buf, size_t cap, uint64_t to)
{
	if (to < h->at) {
		if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
			return -1;
		h->at = 0;
	}
	while (h->at < to) {
		size_t n = to - h->at < cap ? (size_t)(to - h->at) : cap;

		if (read_at(fd, buf, n, h->at) != 0 ||
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
	uint8_t *buf = NULL, h[EB_SHA256_LEN];   /* buf: run_to()'s */
	struct view v = { .map = NULL };
	struct sigaction sa, old_bus;
	struct run run = { .md = EVP_MD_CTX_new() };
	EVP_MD_CTX *next = EVP_MD_CTX_new(), *fin = EVP_MD_CTX_new();
	char path[256], chex[EB_SHA256_HEX];
	int complete = 0, status = 0, fails = 0, warned = 0, rc;
	int retries = o != NULL && o->retries > 0 ? o->retries : 8;
	struct sums m = { .every = 0 };
	uint8_t whole[EB_SHA256_LEN];
	int fd, use_sums;

	if ((fd = open(env_path, O_RDONLY | O_CLOEXEC)) < 0)
		return eb_fail(err, EB_ERR_IO, "cannot-read",
		    "Keep the .env file `ebid bid seal` wrote beside the "
		    "sealed command.", "cannot open %s: %s", env_path,
		    strerror(errno));
	/* the prefix digests of `bid seal`: no hashing here (chunks of at
	 * least their step, ending on one) */
	use_sums = eb_unhex32(hex, whole) == 0 &&
	    sums_read(env_path, fd, hex, size, &m) == 0 && chunk >= m.every;
	snprintf(bus_msg, sizeof(bus_msg), "error: %s became shorter while it "
	    "was uploaded\n  hint: Keep the .env file unchanged until the bid "
	    "is submitted; run `ebid bid submit` again: it resumes.\n",
	    env_path);
	bus_len = strlen(bus_msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bus_stop;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, &old_bus);
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
		const uint8_t *known = NULL;
		uint64_t end;
		int cut = 0;

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
		if (o != NULL && o->stop_after > 0 && sent + n > o->stop_after) {
			n = (size_t)(o->stop_after - sent);
			cut = 1;
		}
		end = u.offset + n;
		if (use_sums && !cut && end < size && end % m.every != 0 &&
		    end - end % m.every > u.offset) {
			end -= end % m.every;     /* end the chunk on a digest */
			n = (size_t)(end - u.offset);
		}
		if (use_sums && end == size)
			known = whole;
		else if (use_sums && end % m.every == 0)
			known = m.d[end / m.every - 1];
		/* the hash of [0, offset + n): the seal's, or the running one
		 * moved to the server's offset, then the chunk (kept aside
		 * until taken) */
		if (known != NULL)
			memcpy(h, known, sizeof(h));
		else if (buf == NULL)
			buf = eb_malloc(SCRATCH);
		if ((known == NULL &&
		    run_to(&run, fd, buf, SCRATCH, u.offset) != 0) ||
		    view_map(&v, fd, u.offset, n) != 0 || (known == NULL &&
		    (EVP_MD_CTX_copy_ex(next, run.md) != 1 ||
		    EVP_DigestUpdate(next, v.p, n) != 1 ||
		    EVP_MD_CTX_copy_ex(fin, next) != 1 ||
		    EVP_DigestFinal_ex(fin, h, NULL) != 1))) {
			rc = eb_fail(err, EB_ERR_IO, "cannot-read",
			    "Keep the .env file unchanged until the bid is "
			    "submitted.", "cannot read %s at %llu", env_path,
			    (unsigned long long)u.offset);
			goto out;
		}
		eb_hex32(h, chex);
		snprintf(q, sizeof(q), "/v1/uploads/chunk?sha256=%s&offset=%llu"
		    "&prefix-sha256=%s", hex, (unsigned long long)u.offset,
		    chex);
		rc = call(&u, q, "application/octet-stream", v.p, n, &complete,
		    &status, err);
		view_unmap(&v);
		if (rc == EB_OK) {
			EVP_MD_CTX *t = run.md;

			if (known == NULL) {    /* the server took it */
				run.md = next;
				next = t;
				run.at += n;
			}
			sent += n;
			fails = 0;
			eb_progress_update(&pr, u.offset, size);
			check_pace(&u, &pr, &warned);
			continue;
		}
		if (known != NULL && status == 422 &&
		    strcmp(err->reason, "chunk-hash-mismatch") == 0) {
			/* the side file is not this envelope's: hash it */
			eb_progress_end(&pr);
			fprintf(stderr, "ebid: the prefix digests in %s%s do "
			    "not match the envelope; hashing it instead\n",
			    env_path, SUMS_SUFFIX);
			use_sums = 0;
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
	view_unmap(&v);
	(void)sigaction(SIGBUS, &old_bus, NULL);
	free(buf);
	EVP_MD_CTX_free(run.md);
	EVP_MD_CTX_free(next);
	EVP_MD_CTX_free(fin);
	free(m.d);
	close(fd);
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
