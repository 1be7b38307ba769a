/*
 * engine/server/upload.c
 *    Resumable chunked uploads of sealed envelopes (upload.h).
 *
 * Files of one upload, in DIR/uploads (DIR = envelope_dir):
 *    SHA.part   the bytes received, [0, offset) durable
 *    SHA.meta   "ebid-upload 1\nowner=P\ntender=T\nsize=N\ndeadline=MS\n"
 *               then "offset=%020lld\n", rewritten in place (fixed width)
 * Memory: the open uploads' records, a running SHA-256 each, and the one
 * chunk in flight per upload (at most max_body), moved out of the request
 * (evbuffer_add_buffer: no copy) and written from its own buffers
 * (pwritev).
 *
 * Threads: the chunks go to upload_threads threads of their own (each a
 * one-thread pool, workers.h, at the normal priority; the least loaded
 * takes the next chunk), apart from the workers that verify and parse
 * commands: chunks of different uploads are hashed, written and flushed
 * in parallel, while one upload has at most one chunk in flight.  (Each
 * chunk waits for two flushes; on the one big-lane worker at nice +10
 * they were serialised behind each other, docs/bigbids.md.)
 *
 * Several ebidd on one envelope_dir (docs/bigbids.md section 4): the
 * state of an upload is its files, not this process's memory.  A chunk is
 * written under an exclusive flock() of the part file, taken without
 * waiting (another process holding it: 409 upload-busy), and under it the
 * durable offset is read back from the meta file: a chunk for an offset
 * another ebidd has moved past is refused (upload-offset-mismatch) and
 * this process takes the disk's offset (the running hash is then rebuilt).
 * Every look-up of an upload on the loop does the same without the lock,
 * and forgets an upload whose part file is gone (finished or deleted by
 * another process).  The cut of a part back to its offset at load is made
 * only under the lock (never under another process's running chunk).
 *
 * Hashing: each byte once.  A chunk sent with prefix-sha256 (the SHA-256
 * of the envelope's bytes [0, offset + length), what `ebid bid submit`
 * sends) is checked by a copy of the running hash: the chunk's check and
 * the envelope's hash are the same pass.  chunk-sha256 (the chunk's own
 * hash, the first form) still works at the cost of a second pass.
 */
#include "engine/server/upload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "engine/core/tender.h"
#include "engine/server/envstore.h"
#include "engine/server/log.h"
#include "engine/server/reads.h"
#include "engine/server/server.h"
#include "engine/server/workers.h"
#include "engine/store/store.h"
#include "protocol/cms.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"

#define GC_EVERY_S 60
#define META_MAX 1024
#define POOLS_MAX 16
#define POOLS_STOP_MS 5000
#define SWEEP_EVERY_S 600        /* the store's sweep (system clock) */
#define SWEEP_MAX 4096           /* candidates per sweep */

struct upl {
	char hex[EB_SHA256_HEX];
	char owner[EB_ID_MAX], tender[EB_ID_MAX];
	int64_t size, offset, deadline;
	size_t off_pos;              /* where "offset=" starts in the meta */
	EVP_MD_CTX *md;              /* SHA-256 of [0, offset); NULL: rebuild */
	int fd, mfd;
	int busy;                    /* a chunk is being written */
	int gone;                    /* removed while busy: free when done */
	struct upl *next;
};

struct eb_uploads {
	struct eb_server *srv;
	struct upl *list;
	struct event *gc;
	int prepared;
	struct eb_workers *pool[POOLS_MAX];   /* upload_threads, one each */
	int npool;
	int sweeping;                /* a sweep of the store is running */
	time_t last_sweep;
};

/* A chunk on its way through a worker. */
struct chunk {
	struct eb_uploads *us;
	struct upl *u;
	struct eb_req *r;
	struct evbuffer *buf;        /* the chunk's bytes (moved, not copied) */
	size_t n;
	uint8_t want[EB_SHA256_LEN];
	int prefix;                  /* 'want' is of [0, offset + n) */
	int64_t disk_off;            /* >= 0: the disk's offset differed */
	int forget;                  /* the part is gone: forget the upload */
	int rc;
	struct eb_error err;
};

/* An upload being opened (waits for the tender's view). */
struct opening_req {
	struct eb_uploads *us;
	struct eb_req *r;
	char hex[EB_SHA256_HEX];
	char tender[EB_ID_MAX];
	int64_t size;
};

static const char *
dir_of(const struct eb_uploads *us)
{
	return us->srv->cfg->envelope_dir;
}

static void
paths(const struct eb_uploads *us, const char *hex, char *part, char *meta,
    size_t cap)
{
	snprintf(part, cap, "%s/%s/%s.part", dir_of(us), EB_ENVSTORE_UPLOADS,
	    hex);
	snprintf(meta, cap, "%s/%s/%s.meta", dir_of(us), EB_ENVSTORE_UPLOADS,
	    hex);
}

static int
prepare(struct eb_uploads *us, struct eb_error *e)
{
	int rc;

	if (us->prepared)
		return EB_OK;
	if ((rc = eb_envstore_prepare(dir_of(us), e)) == EB_OK)
		us->prepared = 1;
	return rc;
}

static void
upl_close(struct upl *u)
{
	if (u->fd >= 0)
		close(u->fd);
	if (u->mfd >= 0)
		close(u->mfd);
	u->fd = u->mfd = -1;
	EVP_MD_CTX_free(u->md);
	u->md = NULL;
}

static void
unlink_list(struct eb_uploads *us, struct upl *u)
{
	for (struct upl **pp = &us->list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
}

/* Forget an upload and delete its files (nothing of it is kept). */
static void
upl_remove(struct eb_uploads *us, struct upl *u, const char *why)
{
	char part[1024], meta[1024];

	paths(us, u->hex, part, meta, sizeof(part));
	(void)unlink(part);
	(void)unlink(meta);
	eb_log(EB_LOG_INFO, "upload %s of %s (tender %s) deleted: %s", u->hex,
	    u->owner, u->tender, why);
	unlink_list(us, u);
	if (u->busy) {
		u->gone = 1;
		return;
	}
	upl_close(u);
	free(u);
}

/* Write the offset record and fdatasync the meta file. */
static int
meta_offset(struct upl *u, int64_t offset)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "offset=%020lld\n",
	    (long long)offset);

	if (pwrite(u->mfd, line, (size_t)n, (off_t)u->off_pos) != n ||
	    fdatasync(u->mfd) != 0)
		return -1;
	return 0;
}

static struct upl *
find(struct eb_uploads *us, const char *hex)
{
	for (struct upl *u = us->list; u != NULL; u = u->next)
		if (strcmp(u->hex, hex) == 0)
			return u;
	return NULL;
}

static int rehash(struct upl *u, struct eb_error *e);

/*
 * An upload found whole on disk (ebidd stopped between the last chunk's
 * record and the rename into the store): finish it now, or delete it when
 * its bytes are not the signed hash.  Blocking, on the loop: only after a
 * crash at that moment.
 */
static void
finish_loaded(struct eb_uploads *us, struct upl *u)
{
	uint8_t md[EB_SHA256_LEN];
	char hex[EB_SHA256_HEX], part[1024], meta[1024];
	struct eb_error e;

	eb_error_clear(&e);
	paths(us, u->hex, part, meta, sizeof(part));
	if (rehash(u, &e) == EB_OK &&
	    EVP_DigestFinal_ex(u->md, md, NULL) == 1) {
		eb_hex32(md, hex);
		if (strcmp(hex, u->hex) == 0 &&
		    eb_envstore_commit(dir_of(us), u->fd, part, u->hex, &e) ==
		    EB_OK) {
			(void)unlink(meta);
			eb_log(EB_LOG_INFO, "upload %s of %s found whole at "
			    "start: stored", u->hex, u->owner);
			unlink_list(us, u);
			upl_close(u);
			free(u);
			return;
		}
	}
	upl_remove(us, u, "found whole at start but not the signed hash");
}

/* The durable offset the meta file holds now (any process's); -1: none. */
static int64_t
disk_offset(const struct upl *u)
{
	char line[40];
	long long off;
	ssize_t n = pread(u->mfd, line, sizeof(line) - 1, (off_t)u->off_pos);

	if (n <= 0)
		return -1;
	line[n] = '\0';
	if (sscanf(line, "offset=%lld", &off) != 1 || off < 0 || off > u->size)
		return -1;
	return (int64_t)off;
}

/* Is u->fd still the file at the part's path (not finished elsewhere)? */
static int
same_part(const struct eb_uploads *us, const struct upl *u)
{
	char part[1024], meta[1024];
	struct stat a, b;

	paths(us, u->hex, part, meta, sizeof(part));
	return fstat(u->fd, &a) == 0 && stat(part, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Cut a part back to its durable offset, unless a chunk is being written
 * (another process holds the lock: what it writes is beyond the offset). */
static int
cut_to(int fd, int64_t off)
{
	int rc;

	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		return errno == EWOULDBLOCK ? 0 : -1;
	rc = ftruncate(fd, (off_t)off);
	(void)flock(fd, LOCK_UN);
	return rc;
}

/* Read a meta file left by an earlier run; the part is cut to its offset. */
static struct upl *
load(struct eb_uploads *us, const char *hex)
{
	char part[1024], meta[1024], buf[META_MAX + 1], *p;
	struct upl *u;
	ssize_t n;
	int fd;
	long long size, dl, off;

	paths(us, hex, part, meta, sizeof(part));
	if ((fd = open(meta, O_RDWR | O_CLOEXEC)) < 0)
		return NULL;
	n = read(fd, buf, META_MAX);
	if (n <= 0) {
		close(fd);
		return NULL;
	}
	u = eb_calloc(1, sizeof(*u));
	buf[n] = '\0';
	u->mfd = fd;
	u->fd = -1;
	snprintf(u->hex, sizeof(u->hex), "%s", hex);
	p = strstr(buf, "offset=");
	if (strncmp(buf, "ebid-upload 1\n", 14) != 0 || p == NULL ||
	    sscanf(buf + 14, "owner=%63s\ntender=%63s\nsize=%lld\n"
	    "deadline=%lld\n", u->owner, u->tender, &size, &dl) != 4 ||
	    sscanf(p, "offset=%lld", &off) != 1 || off < 0 || off > size ||
	    (u->fd = open(part, O_RDWR | O_CLOEXEC)) < 0 ||
	    cut_to(u->fd, (int64_t)off) != 0) {
		eb_log(EB_LOG_WARN, "upload %s: unreadable record, ignored",
		    hex);
		upl_close(u);
		free(u);
		return NULL;
	}
	u->size = size;
	u->deadline = dl;
	u->offset = off;
	u->off_pos = (size_t)(p - buf);
	u->next = us->list;
	us->list = u;
	if (u->offset == u->size) {
		finish_loaded(us, u);
		return NULL;
	}
	return u;
}

/*
 * Bring an upload known here up to its files (another ebidd may have
 * moved it on): 0, or -1 when it was forgotten (its part is gone).
 */
static int
refresh(struct eb_uploads *us, struct upl *u)
{
	int64_t off;

	if (u->busy)
		return 0;
	if (!same_part(us, u)) {
		unlink_list(us, u);
		upl_close(u);
		free(u);
		return -1;
	}
	if ((off = disk_offset(u)) >= 0 && off != u->offset) {
		u->offset = off;
		EVP_MD_CTX_free(u->md);     /* rebuilt by the next chunk */
		u->md = NULL;
	}
	return 0;
}

static struct upl *
lookup(struct eb_uploads *us, const char *hex)
{
	struct upl *u = find(us, hex);

	if (u != NULL && refresh(us, u) == 0)
		return u;
	return load(us, hex);
}

/* A new upload's files; 'offset' 0. */
static struct upl *
create(struct eb_uploads *us, const char *hex, const char *owner,
    const char *tender, int64_t size, int64_t deadline, struct eb_error *e)
{
	char part[1024], meta[1024], head[META_MAX];
	struct upl *u = eb_calloc(1, sizeof(*u));
	int n;

	paths(us, hex, part, meta, sizeof(part));
	snprintf(u->hex, sizeof(u->hex), "%s", hex);
	snprintf(u->owner, sizeof(u->owner), "%s", owner);
	snprintf(u->tender, sizeof(u->tender), "%s", tender);
	u->size = size;
	u->deadline = deadline;
	n = snprintf(head, sizeof(head), "ebid-upload 1\nowner=%s\ntender=%s\n"
	    "size=%lld\ndeadline=%lld\n", owner, tender, (long long)size,
	    (long long)deadline);
	u->off_pos = (size_t)n;
	n += snprintf(head + n, sizeof(head) - (size_t)n, "offset=%020lld\n",
	    0LL);
	u->fd = -1;
	/* the meta is made exclusively (another ebidd may open the same
	 * upload at this moment) and whole in one write */
	if ((u->mfd = open(meta, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) < 0 && errno == EEXIST) {
		eb_fail(e, EB_ERR_CONFLICT, "upload-busy",
		    "Try again in a moment: the upload is being opened.",
		    "another ebidd of the centre is opening this upload");
		free(u);
		return NULL;
	}
	if (u->mfd >= 0)
		u->fd = open(part, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0640);
	if ((u->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(u->md, EVP_sha256(), NULL) != 1 ||
	    u->fd < 0 || u->mfd < 0 ||
	    write(u->mfd, head, (size_t)n) != n || fdatasync(u->mfd) != 0 ||
	    fsync(u->fd) != 0) {
		eb_fail(e, EB_ERR_IO, errno == ENOSPC ? "disk-full" :
		    "upload-failed", "Try again later; tell the centre if it "
		    "lasts.", "cannot create the upload: %s", strerror(errno));
		upl_close(u);
		(void)unlink(part);
		(void)unlink(meta);
		free(u);
		return NULL;
	}
	u->next = us->list;
	us->list = u;
	return u;
}

static void
reply_state(struct eb_req *r, const char *hex, int64_t size, int64_t offset,
    int complete, int64_t deadline)
{
	struct eb_doc *d = eb_doc_new("upload");
	char iso[EB_ISOTIME_LEN];
	int64_t now = eb_clock_now(&r->srv->clock);

	eb_doc_set_attr(d, "sha256", hex);
	eb_doc_set_attr_i64(d, "size", size);
	eb_doc_set_attr_i64(d, "offset", offset);
	eb_doc_set_attr(d, "complete", complete ? "true" : "false");
	if (deadline > 0) {
		eb_isotime_format(deadline, iso);
		eb_doc_set_attr(d, "deadline", iso);
		eb_doc_set_attr_i64(d, "deadline-ms", deadline);
	}
	eb_doc_set_attr_i64(d, "now-ms", now);
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
}

/* Bytes free for us on the store's disk. */
static int64_t
disk_free(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir, &v) != 0)
		return -1;
	return (int64_t)v.f_bavail * (int64_t)v.f_frsize;
}

static int
check_disk(struct eb_uploads *us, int64_t need, struct eb_error *e)
{
	int64_t f = disk_free(dir_of(us));

	if (f >= 0 && f - need < us->srv->cfg->upload_min_free)
		return eb_fail(e, EB_ERR_LIMIT, "disk-full",
		    "The centre's disk is full; try again later and tell the "
		    "centre.", "%lld bytes free, %lld needed beyond the "
		    "reserve of %lld", (long long)f, (long long)need,
		    (long long)us->srv->cfg->upload_min_free);
	return EB_OK;
}

/* -- a chunk --------------------------------------------------------------- */

/* Rebuild the running hash of [0, offset) from the part file. */
static int
rehash(struct upl *u, struct eb_error *e)
{
	uint8_t buf[65536];
	int64_t at = 0;
	ssize_t n;

	if ((u->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(u->md, EVP_sha256(), NULL) != 1)
		eb_oom("a SHA-256 context", 0);
	while (at < u->offset) {
		size_t want = u->offset - at < (int64_t)sizeof(buf) ?
		    (size_t)(u->offset - at) : sizeof(buf);

		if ((n = pread(u->fd, buf, want, (off_t)at)) <= 0) {
			EVP_MD_CTX_free(u->md);    /* rebuilt next time */
			u->md = NULL;
			return eb_fail(e, EB_ERR_IO, "upload-failed", NULL,
			    "cannot read the partial upload back");
		}
		EVP_DigestUpdate(u->md, buf, (size_t)n);
		at += n;
	}
	return EB_OK;
}

/* Feed the chunk's bytes to 'md' (no copy: its chains as they are). */
static int
hash_buf(EVP_MD_CTX *md, const struct iovec *v, int nv)
{
	for (int i = 0; i < nv; i++)
		if (EVP_DigestUpdate(md, v[i].iov_base, v[i].iov_len) != 1)
			return -1;
	return 0;
}

/* The chains of 'b' as iovecs (malloc'ed; *nv of them), NULL if empty. */
static struct iovec *
buf_vecs(struct evbuffer *b, int *nv)
{
	int n = evbuffer_peek(b, -1, NULL, NULL, 0);
	struct evbuffer_iovec *ev;
	struct iovec *v;

	*nv = 0;
	if (n <= 0)
		return NULL;
	ev = eb_calloc((size_t)n, sizeof(*ev));
	v = eb_calloc((size_t)n, sizeof(*v));
	n = evbuffer_peek(b, -1, NULL, ev, n);
	for (int i = 0; i < n; i++)
		v[i] = (struct iovec){ .iov_base = ev[i].iov_base,
		    .iov_len = ev[i].iov_len };
	free(ev);
	*nv = n;
	return v;
}

/* pwritev all of 'v' at 'at' (the vectors are consumed); -1 + errno. */
static int
write_vecs(int fd, struct iovec *v, int nv, off_t at)
{
	int i = 0;

	while (i < nv) {
		int k = nv - i > IOV_MAX ? IOV_MAX : nv - i;
		ssize_t w = pwritev(fd, v + i, k, at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		at += w;
		while (w > 0 && i < nv) {
			if ((size_t)w >= v[i].iov_len) {
				w -= (ssize_t)v[i].iov_len;
				i++;
			} else {
				v[i].iov_base = (uint8_t *)v[i].iov_base + w;
				v[i].iov_len -= (size_t)w;
				w = 0;
			}
		}
		while (i < nv && v[i].iov_len == 0)
			i++;
	}
	return 0;
}

/* OpenSSL's SHA-256 failed on a context it gave (not the client's doing) */
static int
hash_failed(struct chunk *c)
{
	return c->rc = eb_fail(&c->err, EB_ERR_INTERNAL, "internal",
	    "Report this to the centre's operators.",
	    "internal error: the SHA-256 of the chunk could not be computed");
}

/*
 * On an upload thread: check, write, sync; complete when the last byte is
 * in.  The check comes first: a chunk that is not the one announced
 * writes nothing.  The running hash moves on only once the chunk is
 * durable.
 */
static void
chunk_work(void *arg)
{
	struct chunk *c = arg;
	struct upl *u = c->u;
	const char *dir = dir_of(c->us);
	uint8_t got[EB_SHA256_LEN];
	char part[1024], meta[1024], hex[EB_SHA256_HEX];
	EVP_MD_CTX *next = NULL, *fin = NULL;
	struct iovec *v = NULL;
	int nv = 0;

	eb_error_clear(&c->err);
	c->disk_off = -1;
	/* one writer per upload across every ebidd of the store */
	if (flock(u->fd, LOCK_EX | LOCK_NB) != 0) {
		c->rc = eb_fail(&c->err, EB_ERR_CONFLICT, "upload-busy",
		    "Send one chunk at a time, from one `ebid bid submit`; "
		    "try again in a moment.", "another ebidd of the centre is "
		    "writing a chunk of this upload: %s", errno == EWOULDBLOCK ?
		    "its lock is held" : strerror(errno));
		goto out_unlocked;
	}
	if (!same_part(c->us, u) || (c->disk_off = disk_offset(u)) < 0) {
		c->forget = 1;
		c->rc = eb_fail(&c->err, EB_ERR_CONFLICT,
		    "upload-offset-mismatch", "Ask for the durable offset "
		    "(GET) and go on from there.", "the upload was finished "
		    "or deleted by another ebidd of the centre");
		goto out;
	}
	if (c->disk_off != u->offset) {
		c->rc = eb_fail(&c->err, EB_ERR_CONFLICT,
		    "upload-offset-mismatch",
		    "Ask for the durable offset (GET) and go on from there.",
		    "the durable offset is %lld (moved by another ebidd of the "
		    "centre), not %lld", (long long)c->disk_off,
		    (long long)u->offset);
		EVP_MD_CTX_free(u->md);   /* rebuilt from the disk */
		u->md = NULL;
		goto out;
	}
	c->disk_off = -1;
	if (u->md == NULL && (c->rc = rehash(u, &c->err)) != EB_OK)
		goto out;
	if ((next = EVP_MD_CTX_new()) == NULL ||
	    (fin = EVP_MD_CTX_new()) == NULL ||
	    EVP_MD_CTX_copy_ex(next, u->md) != 1)
		eb_oom("SHA-256 contexts", 0);
	v = buf_vecs(c->buf, &nv);
	if (c->prefix) {            /* one pass: the prefix's hash */
		if (hash_buf(next, v, nv) != 0 ||
		    EVP_MD_CTX_copy_ex(fin, next) != 1 ||
		    EVP_DigestFinal_ex(fin, got, NULL) != 1) {
			hash_failed(c);
			goto out;
		}
	} else if (EVP_DigestInit_ex(fin, EVP_sha256(), NULL) != 1 ||
	    hash_buf(fin, v, nv) != 0 ||
	    EVP_DigestFinal_ex(fin, got, NULL) != 1 ||
	    hash_buf(next, v, nv) != 0) {
		hash_failed(c);
		goto out;
	}
	if (CRYPTO_memcmp(got, c->want, sizeof(got)) != 0) {
		eb_hex32(got, hex);
		c->rc = eb_fail(&c->err, EB_ERR_FORMAT, "chunk-hash-mismatch",
		    "Send the chunk again: it was damaged on the way.",
		    "the chunk at %lld (%zu bytes) gives %s %s, not the one "
		    "given", (long long)u->offset, c->n,
		    c->prefix ? "the prefix SHA-256" : "SHA-256", hex);
		goto out;
	}
	if (write_vecs(u->fd, v, nv, (off_t)u->offset) != 0) {
		int en = errno;

		(void)ftruncate(u->fd, (off_t)u->offset);
		c->rc = eb_fail(&c->err, en == ENOSPC ? EB_ERR_LIMIT :
		    EB_ERR_IO, en == ENOSPC ? "disk-full" : "upload-failed",
		    "Try again later; tell the centre if it lasts.",
		    "cannot write the chunk: %s", strerror(en));
		goto out;
	}
	evbuffer_free(c->buf);       /* written: its memory goes now */
	c->buf = NULL;
	if (fdatasync(u->fd) != 0 ||
	    meta_offset(u, u->offset + (int64_t)c->n) != 0) {
		c->rc = eb_fail(&c->err, EB_ERR_IO, "upload-failed", NULL,
		    "cannot make the chunk durable: %s", strerror(errno));
		(void)ftruncate(u->fd, (off_t)u->offset);
		goto out;
	}
	EVP_MD_CTX_free(u->md);      /* durable: the hash moves on */
	u->md = next;
	next = NULL;
	c->rc = EB_OK;
	if (u->offset + (int64_t)c->n < u->size)
		goto out;
	/* the last byte: the whole envelope must be the signed one */
	EVP_DigestFinal_ex(u->md, got, NULL);
	EVP_MD_CTX_free(u->md);
	u->md = NULL;
	eb_hex32(got, hex);
	if (strcmp(hex, u->hex) != 0) {
		c->rc = eb_fail(&c->err, EB_ERR_DENIED, "envelope-hash-mismatch",
		    "Seal the bid again (`ebid bid seal`) and submit the new "
		    "files together.", "the uploaded envelope's SHA-256 is %s, "
		    "not the %s the signed command names", hex, u->hex);
		goto out;
	}
	paths(c->us, u->hex, part, meta, sizeof(part));
	if ((c->rc = eb_envstore_commit(dir, u->fd, part, u->hex, &c->err)) !=
	    EB_OK)
		goto out;
	(void)unlink(meta);
out:
	(void)flock(u->fd, LOCK_UN);
out_unlocked:
	EVP_MD_CTX_free(next);
	EVP_MD_CTX_free(fin);
	free(v);
	if (c->buf != NULL)
		evbuffer_free(c->buf);
	c->buf = NULL;
}

static void
chunk_done(void *arg)
{
	struct chunk *c = arg;
	struct eb_uploads *us = c->us;
	struct upl *u = c->u;
	int complete = 0;

	u->busy = 0;
	if (c->buf != NULL)
		evbuffer_free(c->buf);
	if (u->gone) {
		upl_close(u);
		free(u);
		eb_fail(&c->err, EB_ERR_RULE, "deadline-passed",
		    "The bid deadline has passed; the upload was deleted.",
		    "the upload was deleted while the chunk was written");
		eb_reply_error(c->r, &c->err);
		free(c);
		return;
	}
	if (c->forget) {               /* finished or deleted elsewhere */
		unlink_list(us, u);
		upl_close(u);
		free(u);
		eb_reply_error(c->r, &c->err);
		free(c);
		return;
	}
	if (c->disk_off >= 0)          /* moved on by another ebidd */
		u->offset = c->disk_off;
	if (c->rc == EB_OK) {
		u->offset += (int64_t)c->n;
		complete = u->offset == u->size;
		reply_state(c->r, u->hex, u->size, u->offset, complete,
		    u->deadline);
		if (complete) {
			eb_log(EB_LOG_INFO, "upload %s of %s (tender %s) "
			    "complete: %lld bytes stored", u->hex, u->owner,
			    u->tender, (long long)u->size);
			unlink_list(us, u);
			upl_close(u);
			free(u);
		}
	} else {
		if (strcmp(c->err.reason, "envelope-hash-mismatch") == 0)
			upl_remove(us, u, "its bytes are not the signed hash");
		eb_reply_error(c->r, &c->err);
	}
	free(c);
}

static int
query_value(const char *query, const char *key, char *out, size_t cap)
{
	struct evkeyvalq q;
	const char *v;
	int rc = -1;

	TAILQ_INIT(&q);
	if (query == NULL || evhttp_parse_query_str(query, &q) != 0)
		return -1;
	if ((v = evhttp_find_header(&q, key)) != NULL && strlen(v) < cap) {
		snprintf(out, cap, "%s", v);
		rc = 0;
	}
	evhttp_clear_headers(&q);
	return rc;
}

/*
 * A connection that sends chunks keeps its TLS buffers: with
 * SSL_MODE_RELEASE_BUFFERS (tls.c, right for the many idle connections)
 * OpenSSL frees and allocates its 16 KiB read buffer around every record,
 * a tenth of the loop's time during an upload.
 */
static void
keep_tls_buffers(struct eb_req *r)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(r->req);
	struct bufferevent *bev = conn != NULL ?
	    evhttp_connection_get_bufferevent(conn) : NULL;
	SSL *ssl = bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;

	if (ssl != NULL && (SSL_get_mode(ssl) & SSL_MODE_RELEASE_BUFFERS))
		SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
}

/* The upload thread with the fewest chunks (the workers without any). */
static struct eb_workers *
pick_pool(struct eb_uploads *us)
{
	struct eb_workers_stats st;
	size_t best = (size_t)-1;
	int bi = 0;

	if (us->npool == 0)
		return us->srv->workers;
	for (int i = 0; i < us->npool; i++) {
		eb_workers_stats(us->pool[i], &st);
		if ((size_t)st.busy + st.queued < best) {
			best = (size_t)st.busy + st.queued;
			bi = i;
		}
	}
	return us->pool[bi];
}

static void
put_chunk(struct eb_uploads *us, struct eb_req *r, const char *hex,
    const char *query)
{
	struct eb_server *srv = us->srv;
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t n = evbuffer_get_length(in);
	char offs[32], sha[EB_SHA256_HEX + 1], path[1024];
	struct eb_error e;
	struct chunk *c;
	struct upl *u;
	int64_t off;

	eb_error_clear(&e);
	if (query_value(query, "offset", offs, sizeof(offs)) != 0 ||
	    eb_parse_i64(offs, &off) != EB_OK ||
	    (query_value(query, "prefix-sha256", sha, sizeof(sha)) != 0 &&
	    query_value(query, "chunk-sha256", sha, sizeof(sha)) != 0)) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-chunk-request",
		    "Send ?sha256=ENVELOPE&offset=N&prefix-sha256=HEX (the "
		    "SHA-256 of the envelope's bytes up to the chunk's end; "
		    "ebid bid submit does).",
		    "a chunk needs its offset and a SHA-256");
		eb_reply_error(r, &e);
		return;
	}
	c = eb_calloc(1, sizeof(*c));
	c->prefix = query_value(query, "prefix-sha256", sha, sizeof(sha)) == 0;
	if (eb_unhex32(sha, c->want) != 0) {
		free(c);
		eb_fail(&e, EB_ERR_FORMAT, "bad-chunk-request", NULL,
		    "the chunk's SHA-256 is not 64 hex digits");
		eb_reply_error(r, &e);
		return;
	}
	if ((u = lookup(us, hex)) == NULL &&
	    eb_envstore_path(dir_of(us), hex, path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0) {
		/* finished meanwhile (by another ebidd of the centre) */
		free(c);
		eb_fail(&e, EB_ERR_CONFLICT, "upload-offset-mismatch",
		    "Ask for the durable offset (GET): the upload is complete.",
		    "the upload of %s is complete already", hex);
		eb_reply_error(r, &e);
		return;
	}
	if (u == NULL) {
		free(c);
		eb_fail(&e, EB_ERR_NOTFOUND, "no-such-upload",
		    "Open the upload first (POST /v1/uploads with the signed "
		    "command).", "no upload of %s in progress", hex);
		eb_reply_error(r, &e);
		return;
	}
	if (strcmp(u->owner, r->actor.party) != 0) {
		free(c);
		eb_fail(&e, EB_ERR_DENIED, "not-your-upload", NULL,
		    "upload %s belongs to another party", hex);
		eb_reply_error(r, &e);
		return;
	}
	if (eb_clock_now(&srv->clock) >= u->deadline) {
		free(c);
		upl_remove(us, u, "chunk after the bid deadline");
		eb_fail(&e, EB_ERR_RULE, "deadline-passed",
		    "The bid deadline has passed: the upload was deleted and "
		    "no bid was received.", "a chunk arrived after the bid "
		    "deadline of tender %s", u->tender);
		eb_reply_error(r, &e);
		return;
	}
	if (u->busy) {
		free(c);
		eb_fail(&e, EB_ERR_CONFLICT, "upload-busy",
		    "Send one chunk at a time.",
		    "a chunk of this upload is being written");
		eb_reply_error(r, &e);
		return;
	}
	if (off != u->offset) {
		free(c);
		eb_fail(&e, EB_ERR_CONFLICT, "upload-offset-mismatch",
		    "Ask for the durable offset (GET) and go on from there.",
		    "the durable offset is %lld, not %lld",
		    (long long)u->offset, (long long)off);
		eb_reply_error(r, &e);
		return;
	}
	if (n == 0 || n > (size_t)srv->cfg->max_body ||
	    (int64_t)n > u->size - u->offset) {
		free(c);
		eb_fail(&e, EB_ERR_LIMIT, "bad-chunk-size",
		    "Send chunks of at most max_body bytes, within the "
		    "envelope's size.", "a chunk of %zu bytes at %lld of %lld",
		    n, (long long)off, (long long)u->size);
		eb_reply_error(r, &e);
		return;
	}
	keep_tls_buffers(r);
	/* the chunk's chains move to the job: no copy */
	if ((c->buf = evbuffer_new()) == NULL)
		eb_oom("evbuffer_new", 0);
	if (evbuffer_add_buffer(c->buf, in) != 0) {   /* a frozen buffer */
		evbuffer_free(c->buf);
		free(c);
		eb_fail(&e, EB_ERR_INTERNAL, "internal",
		    "Report this to the centre's operators.",
		    "internal error: the chunk's bytes cannot be taken");
		eb_reply_error(r, &e);
		return;
	}
	c->n = n;
	c->us = us;
	c->u = u;
	c->r = r;
	u->busy = 1;
	(void)eb_workers_submit(pick_pool(us), chunk_work, chunk_done, c);
}

static void
get_state(struct eb_uploads *us, struct eb_req *r, const char *hex)
{
	struct upl *u = lookup(us, hex);
	struct eb_error e;
	char path[1024];
	struct stat st;

	eb_error_clear(&e);
	if (u != NULL) {
		if (strcmp(u->owner, r->actor.party) != 0) {
			eb_fail(&e, EB_ERR_DENIED, "not-your-upload", NULL,
			    "upload %s belongs to another party", hex);
			eb_reply_error(r, &e);
			return;
		}
		reply_state(r, u->hex, u->size, u->offset, 0, u->deadline);
		return;
	}
	if (eb_envstore_path(dir_of(us), hex, path, sizeof(path)) == 0 &&
	    stat(path, &st) == 0) {
		reply_state(r, hex, (int64_t)st.st_size, (int64_t)st.st_size, 1,
		    0);
		return;
	}
	eb_fail(&e, EB_ERR_NOTFOUND, "no-such-upload",
	    "Open the upload first (POST /v1/uploads with the signed command).",
	    "no upload of %s", hex);
	eb_reply_error(r, &e);
}

/* -- opening an upload ------------------------------------------------------ */

/* The bid deadline a tender's view shows (the latest amendment's). */
static int64_t
view_deadline(const struct eb_doc *v)
{
	const struct eb_doc *x, *n;
	int64_t dl = 0;
	const char *s;

	eb_doc_foreach(x, v, NULL) {
		const struct eb_doc *b = eb_doc_child(x, "bid-deadline");

		if (b != NULL && (s = eb_doc_attr(b, "at")) != NULL)
			(void)eb_isotime_parse(s, &dl);
		eb_doc_foreach(n, x, NULL)
			if ((s = eb_doc_attr(n, "bid-deadline")) != NULL)
				(void)eb_isotime_parse(s, &dl);
	}
	return dl;
}

static int64_t
tender_open_bytes(const struct eb_uploads *us, const char *tender)
{
	int64_t sum = 0;

	for (const struct upl *u = us->list; u != NULL; u = u->next)
		if (strcmp(u->tender, tender) == 0)
			sum += u->size;
	return sum;
}

static void
open_done(void *arg, int rc, const struct eb_error *err,
    const struct eb_doc *view)
{
	struct opening_req *o = arg;
	struct eb_uploads *us = o->us;
	struct eb_server *srv = us->srv;
	struct eb_error e;
	struct upl *u;
	int64_t dl, now = eb_clock_now(&srv->clock);
	const char *state;

	eb_error_clear(&e);
	if (rc != EB_OK) {
		eb_reply_error(o->r, err);
		goto out;
	}
	dl = view_deadline(view);
	state = eb_doc_attr(view, "state");
	if (dl > 0 && now >= dl) {
		eb_fail(&e, EB_ERR_RULE, "deadline-passed",
		    "The bid deadline has passed: no bid was received.",
		    "tender %s's bid deadline has passed", o->tender);
		eb_reply_error(o->r, &e);
		goto out;
	}
	if (dl <= 0 || state == NULL ||
	    strcmp(state, eb_tender_state_name(EB_TS_BIDDING)) != 0) {
		eb_fail(&e, EB_ERR_STATE, "not-accepting-bids",
		    "Submit while the tender is open for bids.",
		    "tender %s is %s", o->tender, state ? state : "unknown");
		eb_reply_error(o->r, &e);
		goto out;
	}
	if ((u = lookup(us, o->hex)) != NULL) {   /* raced with itself */
		reply_state(o->r, u->hex, u->size, u->offset, 0, u->deadline);
		goto out;
	}
	if (tender_open_bytes(us, o->tender) + o->size >
	    srv->cfg->upload_tender_quota) {
		eb_fail(&e, EB_ERR_LIMIT, "tender-upload-quota",
		    "Try again when other uploads have finished, or tell the "
		    "centre.", "tender %s has %lld bytes of uploads open; the "
		    "quota is %lld", o->tender,
		    (long long)tender_open_bytes(us, o->tender),
		    (long long)srv->cfg->upload_tender_quota);
		eb_reply_error(o->r, &e);
		goto out;
	}
	if (check_disk(us, o->size, &e) != EB_OK ||
	    (u = create(us, o->hex, o->r->actor.party, o->tender, o->size, dl,
	    &e)) == NULL) {
		eb_reply_error(o->r, &e);
		goto out;
	}
	eb_log(EB_LOG_INFO, "upload %s of %s (tender %s, %lld bytes) opened",
	    u->hex, u->owner, u->tender, (long long)u->size);
	reply_state(o->r, u->hex, u->size, 0, 0, dl);
out:
	free(o);
}

static void
open_upload(struct eb_uploads *us, struct eb_req *r)
{
	struct eb_server *srv = us->srv;
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t n = evbuffer_get_length(in);
	uint8_t *der = NULL, *content = NULL;
	size_t clen = 0;
	X509 *signer = NULL;
	struct eb_doc *cmd = NULL, *ref;
	struct eb_cms_window w;
	struct eb_xml_limits lim;
	struct opening_req *o = NULL;
	struct eb_error e;
	const char *hex, *tender;
	int64_t size = 0;
	char path[1024];
	struct stat st;
	struct upl *u;

	eb_error_clear(&e);
	if (n == 0 || n > (size_t)srv->cfg->max_body) {
		eb_fail(&e, EB_ERR_FORMAT, "empty-body",
		    "Send the signed submit-bid (ebid bid submit does).",
		    "the request has no usable body");
		goto fail;
	}
	der = eb_malloc(n);
	evbuffer_remove(in, der, n);
	eb_config_signing_window(srv->cfg, eb_clock_now(&srv->clock),
	    srv->clock.mode != EB_CLOCK_SYSTEM ? eb_clock_real_ms() : 0, &w);
	eb_config_xml_limits(srv->cfg, &lim);
	if (eb_cms_verify_command(srv->trust, der, n, &w, &content, &clen,
	    &signer, NULL, &e) != EB_OK ||
	    eb_xml_parse(srv->schema, &lim, content, clen, &cmd, &e) != EB_OK)
		goto fail;
	if (X509_cmp(signer, r->peer) != 0) {
		eb_fail(&e, EB_ERR_DENIED, "signer-not-peer",
		    "Sign the command with the key of the certificate you "
		    "connect with.", "the command is signed by another "
		    "certificate than the connection's");
		goto fail;
	}
	ref = eb_doc_child(cmd, "envelope-ref");
	hex = ref != NULL ? eb_doc_attr(ref, "sha256") : NULL;
	tender = eb_doc_attr(cmd, "tender");
	if (strcmp(cmd->name, "submit-bid") != 0 || hex == NULL ||
	    tender == NULL || strlen(tender) >= EB_ID_MAX ||
	    eb_doc_attr_i64(ref, "size", &size) != EB_OK || size < 1) {
		eb_fail(&e, EB_ERR_FORMAT, "not-an-upload",
		    "Upload the envelope named by a signed submit-bid "
		    "(<envelope-ref sha256= size=>).",
		    "the command is not a submit-bid naming its envelope");
		goto fail;
	}
	if (size > srv->cfg->upload_max_size) {
		eb_fail(&e, EB_ERR_LIMIT, "upload-too-large",
		    "Make the attachments smaller; the limit is the centre's "
		    "upload_max_size.", "the envelope is %lld bytes, over the "
		    "limit of %lld", (long long)size,
		    (long long)srv->cfg->upload_max_size);
		goto fail;
	}
	if (prepare(us, &e) != EB_OK)
		goto fail;
	/* stored already (complete earlier), or in progress */
	if (eb_envstore_path(dir_of(us), hex, path, sizeof(path)) == 0 &&
	    stat(path, &st) == 0 && (int64_t)st.st_size == size) {
		reply_state(r, hex, size, size, 1, 0);
		goto out;
	}
	if ((u = lookup(us, hex)) == NULL &&
	    eb_envstore_has(dir_of(us), hex, size) == 1) {
		reply_state(r, hex, size, size, 1, 0);   /* finished at load */
		goto out;
	}
	if (u != NULL) {
		if (strcmp(u->owner, r->actor.party) != 0 || u->size != size) {
			eb_fail(&e, EB_ERR_CONFLICT, "upload-conflict", NULL,
			    "another upload of %s is open", hex);
			goto fail;
		}
		if (eb_clock_now(&srv->clock) >= u->deadline && !u->busy) {
			upl_remove(us, u, "resumed after the bid deadline");
			eb_fail(&e, EB_ERR_RULE, "deadline-passed",
			    "The bid deadline has passed: the upload was "
			    "deleted and no bid was received.",
			    "the bid deadline of tender %s has passed", tender);
			goto fail;
		}
		reply_state(r, u->hex, u->size, u->offset, 0, u->deadline);
		goto out;
	}
	o = eb_calloc(1, sizeof(*o));
	o->us = us;
	o->r = r;
	o->size = size;
	snprintf(o->hex, sizeof(o->hex), "%s", hex);
	snprintf(o->tender, sizeof(o->tender), "%s", tender);
	if (eb_reads_submit(srv, "tender", tender, &r->actor, EB_READ_VIEW,
	    open_done, o) != EB_OK) {       /* an id eb_reads cannot name */
		free(o);
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate",
		    "Name the tender in the submit-bid.",
		    "no tender \"%s\"", tender);
		goto fail;
	}
	goto out;
fail:
	eb_reply_error(r, &e);
out:
	free(der);
	free(content);
	X509_free(signer);
	eb_doc_free(cmd);
}

/* The envelope's SHA-256 from the query, and the store made ready. */
static int
upload_of(struct eb_uploads *us, struct eb_req *r, const char *query,
    char hex[EB_SHA256_HEX])
{
	struct eb_error e;

	eb_error_clear(&e);
	if (us == NULL) {
		eb_fail(&e, EB_ERR_IO, "upload-failed", NULL,
		    "uploads are not set up");
		eb_reply_error(r, &e);
		return -1;
	}
	if (query_value(query, "sha256", hex, EB_SHA256_HEX) != 0 ||
	    strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-chunk-request",
		    "Name the upload by its envelope's SHA-256: ?sha256= and "
		    "64 lower-case hex digits.", "no envelope hash in the query");
		eb_reply_error(r, &e);
		return -1;
	}
	if (prepare(us, &e) != EB_OK) {
		eb_reply_error(r, &e);
		return -1;
	}
	return 0;
}

void
eb_handle_upload_open(struct eb_req *r)
{
	struct eb_error e;

	if (r->srv->uploads == NULL) {
		eb_error_clear(&e);
		eb_fail(&e, EB_ERR_IO, "upload-failed", NULL,
		    "uploads are not set up");
		eb_reply_error(r, &e);
		return;
	}
	open_upload(r->srv->uploads, r);
}

void
eb_handle_upload_offset(struct eb_req *r, const char *query)
{
	char hex[EB_SHA256_HEX];

	if (upload_of(r->srv->uploads, r, query, hex) == 0)
		get_state(r->srv->uploads, r, hex);
}

void
eb_handle_upload_chunk(struct eb_req *r, const char *query)
{
	char hex[EB_SHA256_HEX];

	if (upload_of(r->srv->uploads, r, query, hex) == 0)
		put_chunk(r->srv->uploads, r, hex, query);
}

/* -- the submit-bid check, garbage collection ---------------------------- */

int
eb_uploads_check_command(struct eb_server *srv, const struct eb_doc *cmd,
    struct eb_error *err)
{
	const struct eb_doc *ref;
	const char *hex;
	int64_t size = 0;

	if (strcmp(cmd->name, "submit-bid") != 0 ||
	    (ref = eb_doc_child(cmd, "envelope-ref")) == NULL)
		return EB_OK;
	hex = eb_doc_attr(ref, "sha256");
	/* touched first: the sweep (below) leaves an envelope alone for
	 * envelope_grace after a command named it, and re-reads its time
	 * after moving it aside (the sweep runs on this thread too) */
	if (hex != NULL && eb_envstore_touch(srv->cfg->envelope_dir, hex) != 0 &&
	    errno != ENOENT)
		eb_log(EB_LOG_WARN, "envelope %s: cannot renew its time: %s",
		    hex, strerror(errno));
	if (hex == NULL || eb_doc_attr_i64(ref, "size", &size) != EB_OK ||
	    eb_envstore_has(srv->cfg->envelope_dir, hex, size) != 1)
		return eb_fail(err, EB_ERR_STATE, "envelope-not-uploaded",
		    "Upload the envelope first: `ebid bid submit` uploads it, "
		    "then sends the command.",
		    "no stored envelope %s of %lld bytes", hex ? hex : "?",
		    (long long)size);
	return EB_OK;
}

/*
 * The sweep of the store (docs/bigbids.md section 4): an envelope stored
 * longer than envelope_grace ago (its file's time: the upload's end, or
 * the last submit-bid that named it) and named by no log entry
 * (envelope_refs, schema/0013) is deleted.  The listing runs on an upload
 * thread; the database says which are named; the deletion runs on the
 * loop, where eb_uploads_check_command() runs too: each file is renamed
 * aside, its time read again (a command that named it since made it
 * young: it goes back), then unlinked.  A failed query deletes nothing.
 */
struct sweep {
	struct eb_uploads *us;
	time_t now;
	int64_t grace;
	char (*hex)[EB_SHA256_HEX];
	size_t n, stored;
};

static int
is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void
sweep_scan(void *arg)
{
	struct sweep *sw = arg;
	const char *dir = dir_of(sw->us);
	struct dirent *de, *fe;
	char shard[1024];
	struct stat st;
	DIR *d, *f;

	sw->hex = eb_calloc(SWEEP_MAX, sizeof(*sw->hex));
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && sw->n < SWEEP_MAX) {
		if (!is_hex(de->d_name, 2))
			continue;
		snprintf(shard, sizeof(shard), "%s/%s", dir, de->d_name);
		if ((f = opendir(shard)) == NULL)
			continue;
		while ((fe = readdir(f)) != NULL && sw->n < SWEEP_MAX) {
			if (!is_hex(fe->d_name, 64) ||
			    fstatat(dirfd(f), fe->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
				continue;
			sw->stored++;
			if (sw->now - st.st_mtime >= sw->grace)
				memcpy(sw->hex[sw->n++], fe->d_name, 65);
		}
		closedir(f);
	}
	closedir(d);
}

static void
sweep_end(struct sweep *sw)
{
	sw->us->sweeping = 0;
	free(sw->hex);
	free(sw);
}

/* On the loop: delete the unnamed candidates still past their grace. */
static void
sweep_refs(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	struct sweep *sw = arg;
	const char *dir = dir_of(sw->us);
	char path[1024], aside[1024];
	time_t now = time(NULL);
	struct stat st;
	int rows, gone = 0;

	if (rc != EB_OK) {
		eb_log(EB_LOG_WARN, "envelope store sweep: nothing deleted, the "
		    "log could not be asked: %s", err != NULL ? err->primary :
		    "?");
		sweep_end(sw);
		return;
	}
	rows = PQntuples((const PGresult *)res);
	for (int i = 0; i < rows; i++) {
		const char *hex = PQgetvalue((const PGresult *)res, i, 0);

		if (eb_envstore_path(dir, hex, path, sizeof(path)) != 0)
			continue;
		snprintf(aside, sizeof(aside), "%s/%s/%s.sweep", dir,
		    EB_ENVSTORE_UPLOADS, hex);
		if (rename(path, aside) != 0)
			continue;
		if (stat(aside, &st) != 0 || now - st.st_mtime < sw->grace) {
			(void)rename(aside, path);   /* named since: kept */
			continue;
		}
		(void)unlink(aside);
		gone++;
		eb_log(EB_LOG_INFO, "envelope %s deleted: no log entry names "
		    "it, stored %lld s ago (envelope_grace %lld s)", hex,
		    (long long)(now - st.st_mtime), (long long)sw->grace);
	}
	eb_log(EB_LOG_INFO, "envelope store sweep: %zu stored, %zu past "
	    "envelope_grace, %d named by no log entry: deleted", sw->stored,
	    sw->n, gone);
	sweep_end(sw);
}

static void
sweep_listed(void *arg)
{
	static const char sql[] =
	    "SELECT c FROM unnest($1::text[]) AS c "
	    "WHERE NOT EXISTS (SELECT 1 FROM envelope_refs r "
	    "WHERE r.sha256 = c)";
	struct sweep *sw = arg;
	struct eb_server *srv = sw->us->srv;
	char *list;
	const char *params[1];
	size_t at = 0;

	if (sw->n == 0 || srv->store == NULL) {
		eb_log(EB_LOG_INFO, "envelope store sweep: %zu stored, none "
		    "past envelope_grace", sw->stored);
		sweep_end(sw);
		return;
	}
	list = eb_malloc(sw->n * 65 + 3);
	list[at++] = '{';
	for (size_t i = 0; i < sw->n; i++) {
		if (i > 0)
			list[at++] = ',';
		memcpy(list + at, sw->hex[i], 64);
		at += 64;
	}
	list[at++] = '}';
	list[at] = '\0';
	params[0] = list;
	if (eb_store_select_text(srv->store, sql, 1, params, sweep_refs, sw) !=
	    EB_OK) {
		eb_log(EB_LOG_WARN, "envelope store sweep: the query could not "
		    "be queued; nothing deleted");
		sweep_end(sw);
	}
	free(list);
}

static void
sweep_start(struct eb_uploads *us)
{
	struct eb_server *srv = us->srv;
	time_t now = time(NULL);
	struct sweep *sw;

	if (srv->cfg->envelope_grace <= 0 || us->sweeping || !us->prepared ||
	    (srv->clock.mode == EB_CLOCK_SYSTEM &&
	    now - us->last_sweep < SWEEP_EVERY_S))
		return;
	sw = eb_calloc(1, sizeof(*sw));
	sw->us = us;
	sw->now = now;
	sw->grace = srv->cfg->envelope_grace;
	us->sweeping = 1;
	us->last_sweep = now;
	(void)eb_workers_submit(pick_pool(us), sweep_scan, sweep_listed, sw);
}

void
eb_uploads_gc(struct eb_server *srv)
{
	struct eb_uploads *us = srv->uploads;
	char up[1024];
	struct dirent *de;
	DIR *d;
	int64_t now = eb_clock_now(&srv->clock);

	if (us == NULL || !us->prepared)
		return;
	snprintf(up, sizeof(up), "%s/%s", dir_of(us), EB_ENVSTORE_UPLOADS);
	if ((d = opendir(up)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char hex[EB_SHA256_HEX];

		if (n != 64 + 5 || strcmp(de->d_name + 64, ".meta") != 0)
			continue;
		memcpy(hex, de->d_name, 64);
		hex[64] = '\0';
		if (find(us, hex) == NULL)
			(void)load(us, hex);
	}
	closedir(d);
	for (struct upl *u = us->list, *next; u != NULL; u = next) {
		next = u->next;
		if (now >= u->deadline && !u->busy)
			upl_remove(us, u, "abandoned: the bid deadline passed");
	}
	sweep_start(us);
}

static void
gc_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	eb_uploads_gc(arg);
}

int
eb_uploads_init(struct eb_server *srv, struct eb_error *err)
{
	struct eb_uploads *us = eb_calloc(1, sizeof(*us));
	struct timeval tv = { .tv_sec = GC_EVERY_S };
	struct stat st;
	char up[1024];

	us->srv = srv;
	srv->uploads = us;
	for (int i = 0; i < srv->cfg->upload_threads && i < POOLS_MAX; i++) {
		if ((us->pool[i] = eb_workers_new(srv->base, 1, err)) == NULL)
			return EB_ERR_INTERNAL;
		us->npool++;
	}
	/* a store left by an earlier run: its partial uploads are GC'ed.
	 * Only a whole one (the folder and its uploads/) counts as
	 * prepared; otherwise the first upload makes what is missing, as
	 * the network process's user (an envelope_dir made by hand without
	 * uploads/ failed every upload with ENOENT) */
	if (snprintf(up, sizeof(up), "%s/%s", srv->cfg->envelope_dir,
	    EB_ENVSTORE_UPLOADS) < (int)sizeof(up) &&
	    stat(srv->cfg->envelope_dir, &st) == 0 && stat(up, &st) == 0)
		us->prepared = 1;
	/* fails only when libevent cannot allocate */
	if ((us->gc = event_new(srv->base, -1, EV_PERSIST, gc_timer, srv)) ==
	    NULL || event_add(us->gc, &tv) != 0)
		eb_oom("the upload timer", 0);
	return EB_OK;
}

void
eb_uploads_free(struct eb_server *srv)
{
	struct eb_uploads *us = srv->uploads;

	if (us == NULL)
		return;
	if (us->gc != NULL)
		event_free(us->gc);
	for (int i = 0; i < us->npool; i++)
		if (eb_workers_stop(us->pool[i], POOLS_STOP_MS) > 0) {
			/* a chunk is still being written (a stuck disk): it
			 * was not acknowledged; its records stay, the process
			 * ends without them */
			eb_log(EB_LOG_WARN, "shutdown: an upload thread is still "
			    "writing a chunk; exiting without it");
			srv->uploads = NULL;
			return;
		}
	for (int i = 0; i < us->npool; i++)
		eb_workers_free(us->pool[i]);
	while (us->list != NULL) {
		struct upl *u = us->list;

		us->list = u->next;
		upl_close(u);
		free(u);
	}
	free(us);
	srv->uploads = NULL;
}
