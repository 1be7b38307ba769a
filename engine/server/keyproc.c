/*
 * engine/server/keyproc.c
 *    ebidd's key process and the network process's side of its channels:
 *    see keyproc.h.
 *
 * Ownership: the key process owns its keys (struct keys) and the
 * openings in progress (struct keys.open[]); they never leave it.  In
 * the network process, struct eb_keyproc owns the two channel sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "engine/server/config.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/privdrop.h"
#include "protocol/buf.h"
#include "protocol/cms.h"
#include "protocol/keyframe.h"
#include "protocol/keysplit.h"
#include "protocol/mem.h"
#include "protocol/opening.h"
#include "protocol/pki.h"
#include "protocol/receipt.h"
#include "protocol/xml.h"

#define CH_LOOP 0        /* sign, stamp, opening key */
#define CH_OPEN 1        /* the opening's workers */
#define OPEN_MAX 16      /* openings at once (two halves per tender) */
#define OPENING_XML_MAX ((size_t)1 << 20)

struct eb_keyproc {
	pid_t pid;
	struct {
		int fd;
		pthread_mutex_t mu;
	} ch[2];
};

/* ------------------------------------------------------------ framing */

static int
gone(struct eb_error *err, const char *what)
{
	return eb_fail(err, EB_ERR_INTERNAL, "key-process-gone",
	    "ebidd stops: see the log for the key process's last words; the "
	    "service manager restarts it.",
	    "the key process is gone (%s)", what);
}

static int
read_full(int fd, void *p, size_t n)
{
	uint8_t *b = p;
	ssize_t r;

	while (n > 0) {
		r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One frame: header and payload in one sendmsg when they fit. */
static int
send_frame(int fd, uint8_t type, uint8_t status, const uint8_t *p,
    size_t n)
{
	uint8_t h[EB_KF_HEADER];
	struct iovec iov[2];
	struct msghdr mh;
	size_t off = 0, total = EB_KF_HEADER + n;
	ssize_t w;

	if (n > UINT32_MAX)
		return -1;
	eb_kf_header_write(h, type, status, (uint32_t)n);
	while (off < total) {
		memset(&mh, 0, sizeof(mh));
		if (off < EB_KF_HEADER) {
			iov[0].iov_base = h + off;
			iov[0].iov_len = EB_KF_HEADER - off;
			iov[1].iov_base = (void *)p;
			iov[1].iov_len = n;
			mh.msg_iovlen = n > 0 ? 2 : 1;
		} else {
			iov[0].iov_base = (void *)(p + (off - EB_KF_HEADER));
			iov[0].iov_len = total - off;
			mh.msg_iovlen = 1;
		}
		mh.msg_iov = iov;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/*
 * Read one frame (a request when !reply) into *payload (free()) and
 * split it into parts.  Returns EB_OK, or the refusal (a malformed
 * frame), or EB_ERR_IO when the other end is gone.
 */
static int
recv_frame(int fd, int reply, struct eb_kf_header *h, uint8_t **payload,
    struct eb_kf_part parts[EB_KF_PARTS_MAX], size_t *n,
    struct eb_error *err)
{
	uint8_t hb[EB_KF_HEADER];
	int rc;

	*payload = NULL;
	*n = 0;
	if (read_full(fd, hb, sizeof(hb)) != 0)
		return EB_ERR_IO;
	if ((rc = eb_kf_header_parse(hb, reply, h, err)) != EB_OK)
		return rc;
	*payload = eb_malloc(h->len);
	if (h->len > 0 && read_full(fd, *payload, h->len) != 0) {
		free(*payload);
		*payload = NULL;
		return EB_ERR_IO;
	}
	if ((rc = eb_kf_parts(h, reply, *payload, parts, n, err)) != EB_OK) {
		free(*payload);
		*payload = NULL;
	}
	return rc;
}

/* ------------------------------------------------------ the key process */

struct keys {
	X509 *cert;                 /* the server's signing certificate */
	EVP_PKEY *key;
	struct eb_tsa *tsa;         /* NULL without tsa_cert */
	X509 *issuer;               /* of the opening certificates */
	EVP_PKEY *issuer_key;
	uint64_t next_handle;
	struct {
		uint64_t handle;
		X509 *cert;
		EVP_PKEY *key;
	} open[OPEN_MAX];
};

static struct keys K;

static int
load_pair(const char *cert_path, const char *key_path, X509 **cert,
    EVP_PKEY **key, const char *what, struct eb_error *err)
{
	if ((*cert = eb_pem_cert_load(cert_path, err)) == NULL ||
	    (*key = eb_pem_key_load(key_path, err)) == NULL)
		return err->code ? err->code : EB_ERR_IO;
	if (X509_check_private_key(*cert, *key) != 1)
		return eb_fail(err, EB_ERR_USAGE, "key-mismatch",
		    "Give each certificate its own key "
		    "(docs/operations-server.md).",
		    "%s: %s does not match %s", what, key_path, cert_path);
	return EB_OK;
}

static int
load_keys(const struct eb_config *cfg, struct eb_error *err)
{
	const char *sc = *cfg->signing_cert ? cfg->signing_cert : cfg->cert;
	const char *sk = *cfg->signing_key ? cfg->signing_key : cfg->key;
	int rc;

	if ((rc = load_pair(sc, sk, &K.cert, &K.key, "signing key", err)) !=
	    EB_OK)
		return rc;
	if (*cfg->opening_authority_cert != '\0') {
		if ((rc = load_pair(cfg->opening_authority_cert,
		    cfg->opening_authority_key, &K.issuer, &K.issuer_key,
		    "opening authority", err)) != EB_OK)
			return rc;
	} else {
		X509_up_ref(K.cert);
		EVP_PKEY_up_ref(K.key);
		K.issuer = K.cert;
		K.issuer_key = K.key;
	}
	if (*cfg->tsa_cert != '\0') {
		X509 *tc = NULL;
		EVP_PKEY *tk = NULL;

		rc = load_pair(cfg->tsa_cert, cfg->tsa_key, &tc, &tk, "tsa",
		    err);
		if (rc == EB_OK && (K.tsa = eb_tsa_new(tc, tk, err)) == NULL)
			rc = err->code ? err->code : EB_ERR_CRYPTO;
		X509_free(tc);
		EVP_PKEY_free(tk);
		if (rc != EB_OK)
			return rc;
	}
	return EB_OK;
}

/* A part as a NUL-terminated string (free()), NULL if it holds a NUL. */
static char *
part_str(const struct eb_kf_part *p)
{
	if (memchr(p->p, '\0', p->n) != NULL)
		return NULL;
	return eb_strndup((const char *)p->p, p->n);
}

static X509 *
part_cert(const struct eb_kf_part *p)
{
	const unsigned char *q = p->p;
	X509 *c = d2i_X509(NULL, &q, (long)p->n);

	if (c != NULL && q != p->p + p->n) {
		X509_free(c);
		c = NULL;
	}
	return c;
}

static int
bad_part(struct eb_error *err, const char *what)
{
	return eb_fail(err, EB_ERR_FORMAT, "key-frame-invalid", NULL,
	    "key process request: %s", what);
}

static int
do_opening_key(const struct eb_kf_part *parts, size_t n, struct eb_buf *out,
    struct eb_error *err)
{
	struct eb_custodian cus[EB_SHARES_MAX];
	char *tender = part_str(&parts[0]), *party[EB_SHARES_MAX];
	size_t nc = (n - 4) / 2, i;
	struct eb_doc *cmd = NULL;
	uint64_t k = eb_kf_u64(&parts[3]);
	int rc = EB_OK;

	memset(cus, 0, sizeof(cus));
	memset(party, 0, sizeof(party));
	if (tender == NULL || nc > EB_SHARES_MAX || k == 0 || k > nc) {
		rc = bad_part(err, "opening key: tender, k or custodians");
		goto out;
	}
	for (i = 0; i < nc; i++) {
		if ((party[i] = part_str(&parts[4 + 2 * i])) == NULL ||
		    (cus[i].cert = part_cert(&parts[5 + 2 * i])) == NULL) {
			rc = bad_part(err, "opening key: a custodian");
			goto out;
		}
		cus[i].party = party[i];
	}
	if ((rc = eb_opening_setup(K.issuer, K.issuer_key, tender,
	    (int64_t)eb_kf_u64(&parts[1]), (int64_t)eb_kf_u64(&parts[2]), cus,
	    nc, (unsigned)k, &cmd, err)) != EB_OK)
		goto out;
	out->max = OPENING_XML_MAX;
	if (eb_xml_write(cmd, 0, out) != EB_OK)
		rc = eb_fail(err, EB_ERR_LIMIT, "key-frame-too-large", NULL,
		    "set-opening-key exceeds %zu bytes", OPENING_XML_MAX);
out:
	eb_doc_free(cmd);
	for (i = 0; i < EB_SHARES_MAX; i++) {
		X509_free(cus[i].cert);
		free(party[i]);
	}
	free(tender);
	return rc;
}

static int
do_open_begin(const struct eb_kf_part *parts, size_t n, struct eb_buf *out,
    struct eb_error *err)
{
	char *shares[EB_SHARES_MAX];
	size_t ns = n - 2, i, slot = OPEN_MAX;
	X509 *oc = part_cert(&parts[0]);
	EVP_PKEY *key = NULL;
	uint64_t k = eb_kf_u64(&parts[1]);
	int rc = EB_OK;

	memset(shares, 0, sizeof(shares));
	for (i = 0; i < OPEN_MAX; i++)
		if (K.open[i].handle == 0) {
			slot = i;
			break;
		}
	if (oc == NULL || k == 0 || k > EB_SHARES_MAX) {
		rc = bad_part(err, "open: the opening certificate or k");
		goto out;
	}
	if (slot == OPEN_MAX) {
		rc = eb_fail(err, EB_ERR_LIMIT, "key-frame-too-large", NULL,
		    "%d openings in progress already", OPEN_MAX);
		goto out;
	}
	for (i = 0; i < ns; i++)
		if ((shares[i] = part_str(&parts[2 + i])) == NULL) {
			rc = bad_part(err, "open: a share");
			goto out;
		}
	if ((rc = eb_opening_key_recover(K.cert, K.key, oc,
	    (const char *const *)shares, ns, (unsigned)k, &key, err)) != EB_OK)
		goto out;
	K.open[slot].handle = ++K.next_handle;
	K.open[slot].cert = oc;
	K.open[slot].key = key;
	oc = NULL;
	{
		uint8_t x[8];
		uint64_t h = K.open[slot].handle;

		for (i = 0; i < 8; i++)
			x[i] = (uint8_t)(h >> (56 - 8 * i));
		rc = eb_buf_append(out, x, 8);
	}
out:
	X509_free(oc);
	for (i = 0; i < EB_SHARES_MAX; i++)
		free(shares[i]);
	return rc;
}

static int
find_open(uint64_t handle, struct eb_error *err)
{
	int i;

	for (i = 0; i < OPEN_MAX; i++)
		if (handle != 0 && K.open[i].handle == handle)
			return i;
	return eb_fail(err, EB_ERR_STATE, "opening-handle-unknown", NULL,
	    "no opening %llu in the key process", (unsigned long long)handle);
}

/* Serve one request; the reply's payload (one part) goes into 'out'. */
static int
serve(int ch, const struct eb_kf_header *h, const struct eb_kf_part *parts,
    size_t n, struct eb_buf *out, struct eb_error *err)
{
	uint8_t *res = NULL;
	size_t len = 0;
	int rc, i;

	if ((ch == CH_LOOP) != (h->type == EB_KF_SIGN ||
	    h->type == EB_KF_STAMP || h->type == EB_KF_OPENING_KEY))
		return bad_part(err, "request on the wrong channel");
	switch (h->type) {
	case EB_KF_SIGN:
		rc = eb_cms_sign(K.cert, K.key, parts[0].p, parts[0].n, &res,
		    &len, err);
		break;
	case EB_KF_STAMP:
		if (K.tsa == NULL)
			return eb_fail(err, EB_ERR_STATE, "key-process-failed",
			    "Set tsa_cert and tsa_key.", "no TSA configured");
		rc = eb_tsa_stamp(K.tsa, parts[0].p, (int64_t)eb_kf_u64(
		    &parts[1]), eb_kf_u64(&parts[2]), &res, &len, err);
		break;
	case EB_KF_OPENING_KEY:
		return do_opening_key(parts, n, out, err);
	case EB_KF_OPEN_BEGIN:
		return do_open_begin(parts, n, out, err);
	case EB_KF_OPEN_BID:
		if ((i = find_open(eb_kf_u64(&parts[0]), err)) < 0)
			return i;
		rc = eb_cms_decrypt(K.open[i].cert, K.open[i].key, parts[1].p,
		    parts[1].n, &res, &len, err);
		break;
	case EB_KF_OPEN_END:
		if ((i = find_open(eb_kf_u64(&parts[0]), err)) < 0)
			return i;
		EVP_PKEY_free(K.open[i].key);   /* wiped with it */
		X509_free(K.open[i].cert);
		memset(&K.open[i], 0, sizeof(K.open[i]));
		return EB_OK;
	default:
		return bad_part(err, "unknown type");
	}
	if (rc == EB_OK) {
		out->max = len + 1;
		rc = eb_buf_append(out, res, len);
	}
	if (res != NULL)
		OPENSSL_cleanse(res, len);
	free(res);
	return rc;
}

/* Serve one channel until its end of file; a malformed frame ends it. */
static int
serve_channel(int ch, int fd)
{
	struct eb_kf_part parts[EB_KF_PARTS_MAX];
	struct eb_kf_header h;
	struct eb_error e;
	uint8_t *payload;
	size_t n;
	int rc;

	for (;;) {
		struct eb_buf body = EB_BUF_INIT, res = EB_BUF_INIT;

		eb_error_clear(&e);
		rc = recv_frame(fd, 0, &h, &payload, parts, &n, &e);
		if (rc == EB_ERR_IO)
			return 0;                /* the network process closed */
		if (rc != EB_OK) {
			eb_log_e(EB_LOG_ERROR, &e, "key process: refused frame, "
			    "ending");
			free(payload);
			return 1;
		}
		res.max = EB_KF_SIGN_MAX + EB_KF_SMALL_MAX;
		rc = serve(ch, &h, parts, n, &res, &e);
		if (payload != NULL && h.type == EB_KF_OPEN_BEGIN)
			OPENSSL_cleanse(payload, h.len);
		free(payload);
		body.max = EB_KF_SIGN_MAX + EB_KF_SMALL_MAX + 16;
		if (rc == EB_OK) {
			if (h.type == EB_KF_OPEN_END)
				rc = eb_kf_put(&body, NULL, 0);
			else
				rc = eb_kf_put(&body, res.data, res.len);
		}
		if (rc != EB_OK) {
			if (e.reason[0] == '\0')
				eb_fail(&e, rc, "key-process-failed", NULL,
				    "the key process cannot answer (%s)",
				    eb_strerror(rc));
			eb_buf_reset(&body);
			if (eb_kf_error_put(&body, &e) != EB_OK) {
				eb_buf_free(&body);
				eb_buf_free(&res);
				return 1;
			}
		}
		if (res.data != NULL)
			OPENSSL_cleanse(res.data, res.len);
		eb_buf_free(&res);
		if (send_frame(fd, h.type, rc == EB_OK ? EB_KF_OK :
		    EB_KF_FAILED, body.data, body.len) != 0) {
			eb_buf_free(&body);
			return 0;
		}
		eb_buf_free(&body);
	}
}

struct chan_arg {
	int fd;
};

static void *
open_thread(void *arg)
{
	struct chan_arg *a = arg;

	/* the end of file ends the loop channel's thread too, which removes
	 * the pid file; a refused frame ends the process now */
	if (serve_channel(CH_OPEN, a->fd) != 0)
		_exit(1);
	return NULL;
}

/*
 * The pid file, which the network process wrote before it forked us
 * (main.c): once the network process has closed its channels (it
 * stopped), the key process removes it, since the network process may no
 * longer be allowed to (its user cannot write the folder).  Under the
 * system-call filter nothing can be opened: the folder is held open
 * (O_PATH) from the start, the file named by its device and inode, and
 * only fstatat and unlinkat on that folder are allowed.
 */
struct pid_ref {
	int dirfd;                  /* -1: no pid file to remove */
	char base[256];
	dev_t dev;
	ino_t ino;
};

static void
pid_file_hold(const char *path, pid_t parent, struct pid_ref *r)
{
	char buf[32], dir[4096];
	const char *slash;
	struct stat st;
	ssize_t n;
	int fd;

	r->dirfd = -1;
	if (path == NULL || *path == '\0' ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0 || fstat(fd, &st) != 0) {
		close(fd);
		return;
	}
	close(fd);
	buf[n] = '\0';
	if (strtol(buf, NULL, 10) != (long)parent)
		return;                  /* not ours: leave it */
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (snprintf(r->base, sizeof(r->base), "%s", slash ? slash + 1 :
	    path) >= (int)sizeof(r->base))
		return;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
pid_file_remove(const struct pid_ref *r)
{
	struct stat st;

	if (r->dirfd < 0 || fstatat(r->dirfd, r->base, &st,
	    AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != r->dev ||
	    st.st_ino != r->ino)
		return;                  /* gone already, or another file */
	if (unlinkat(r->dirfd, r->base, 0) != 0)
		eb_log(EB_LOG_INFO, "key process: the pid file %s stays (%s: "
		    "its folder is not the key process's; the service "
		    "manager removes it)", r->base, strerror(errno));
}

/*
 * The key process's system-call filter, once its keys are loaded and its
 * second thread runs: it reads and writes its channels (read, sendmsg)
 * and the log (write), allocates memory, locks (futex), draws randomness
 * for signatures and keys (getrandom), reads the clock, and exits, or
 * aborts when out of memory (tgkill: protocol/mem.h).  No
 * open, no socket, no exec, no fork, no set*id.  The pid file's folder
 * alone allows fstatat and unlinkat (pid_file_remove()).
 */
static const char *const key_allowed[] = {
	"read", "write", "sendmsg",
	"brk", "mmap", "munmap", "mremap", "madvise", "mprotect",
	"futex", "set_robust_list", "rseq", "sched_yield",
	"getrandom", "clock_gettime", "gettimeofday", "getpid", "gettid",
	"rt_sigreturn", "rt_sigprocmask", "restart_syscall",
	"exit", "exit_group", "tgkill",
};
static const char *const key_at_pid_dir[] = { "newfstatat", "unlinkat" };

static int
key_filter(const struct eb_config *cfg, const struct pid_ref *pr,
    struct eb_error *err)
{
	struct eb_filter f = { .who = "key process",
	    .where = "engine/server/keyproc.c", .allowed = key_allowed,
	    .n = sizeof(key_allowed) / sizeof(key_allowed[0]),
	    .at_calls = key_at_pid_dir,
	    .nat = sizeof(key_at_pid_dir) / sizeof(key_at_pid_dir[0]),
	    .at_fd = pr->dirfd };
	int rc;

	if (cfg->syscall_filter == 0) {
		eb_log(EB_LOG_WARN, "key process: syscall_filter = 0: no "
		    "system-call filter (diagnosis only)");
		return EB_OK;
	}
	eb_log(EB_LOG_INFO, "key process: keys loaded; installing its "
	    "system-call filter (%zu calls allowed)", f.n + (pr->dirfd >= 0 ?
	    f.nat : 0));
	if ((rc = eb_privdrop_filter(&f, err)) != EB_OK)
		return rc;
	eb_log(EB_LOG_INFO, "key process: system-call filter on");
	return EB_OK;
}

/*
 * Started as root with `key_user` set: become that user before reading
 * any key, so that the key files need be readable by it alone (mode 0600,
 * owned by it) and root needs no capability to read them (the packaged
 * unit bounds root to CAP_SETUID, CAP_SETGID, CAP_CHOWN).
 */
static int
key_user(const struct eb_config *cfg, struct eb_error *err)
{
	if (*cfg->key_user == '\0')
		return EB_OK;
	if (geteuid() != 0) {
		eb_log(EB_LOG_WARN, "key process: started as uid %ld, not root: "
		    "key_user = %s cannot apply", (long)geteuid(), cfg->key_user);
		return EB_OK;
	}
	if (strcmp(cfg->key_user, cfg->user) == 0)
		eb_log(EB_LOG_WARN, "key process: key_user is the network "
		    "process's user (%s): the network process could read the "
		    "keys (docs/operations-server.md)", cfg->user);
	return eb_privdrop_switch(cfg->key_user, "key process", -1, err);
}

static void
keyproc_main(const struct eb_config *cfg, pid_t parent, int fd_loop,
    int fd_open)
{
	struct eb_error e;
	struct eb_buf body = EB_BUF_INIT;
	struct chan_arg oa = { .fd = fd_open };
	struct pid_ref pr = { .dirfd = -1 };
	pthread_t t;
	int rc;

	(void)prctl(PR_SET_NAME, "ebidd-keys", 0, 0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* no core dump, no ptrace or /proc/PID/mem by a process of the same
	 * user (the network process, when the service manager starts both as
	 * one user); no new privileges */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	/* the network process decides when to stop: it closes the channels */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	eb_error_clear(&e);
	pid_file_hold(cfg->pid_file, parent, &pr);
	/* what the filter will forbid, done now: the time zone that glibc's
	 * gmtime_r() reads once (OpenSSL's signing time) */
	tzset();
	if ((rc = key_user(cfg, &e)) != EB_OK ||
	    (rc = load_keys(cfg, &e)) != EB_OK || (rc = pthread_create(&t,
	    NULL, open_thread, &oa)) != 0 || (rc = key_filter(cfg, &pr,
	    &e)) != EB_OK) {
		if (e.reason[0] == '\0')
			eb_fail(&e, EB_ERR_INTERNAL, "key-process-failed", NULL,
			    "cannot start its second thread");
		if (eb_kf_error_put(&body, &e) == EB_OK)
			(void)send_frame(fd_loop, EB_KF_READY, EB_KF_FAILED,
			    body.data, body.len);
		eb_buf_free(&body);
		_exit(1);
	}
	if (send_frame(fd_loop, EB_KF_READY, EB_KF_OK, NULL, 0) != 0)
		_exit(1);
	rc = serve_channel(CH_LOOP, fd_loop);
	if (rc == 0)
		pid_file_remove(&pr);
	_exit(rc);
}

/* ------------------------------------------------ the network process */

struct eb_keyproc *
eb_keyproc_start(const struct eb_config *cfg, struct eb_error *err)
{
	struct eb_keyproc *kp;
	int sv[2][2], i;
	pid_t parent = getpid();

	kp = eb_calloc(1, sizeof(*kp));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[0]) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[1]) != 0) {
		eb_fail(err, EB_ERR_IO, "key-process-failed", NULL,
		    "socketpair: %s", strerror(errno));
		free(kp);
		return NULL;
	}
	fflush(NULL);
	if ((kp->pid = fork()) < 0) {
		eb_fail(err, EB_ERR_IO, "key-process-failed", NULL,
		    "fork: %s", strerror(errno));
		free(kp);
		return NULL;
	}
	if (kp->pid == 0) {
		close(sv[0][0]);
		close(sv[1][0]);
		keyproc_main(cfg, parent, sv[0][1], sv[1][1]);
		_exit(1);
	}
	for (i = 0; i < 2; i++) {
		close(sv[i][1]);
		kp->ch[i].fd = sv[i][0];
		pthread_mutex_init(&kp->ch[i].mu, NULL);
	}
	{
		struct eb_kf_part parts[EB_KF_PARTS_MAX];
		struct eb_kf_header h;
		uint8_t *payload = NULL;
		size_t n = 0;
		int rc = recv_frame(kp->ch[CH_LOOP].fd, 1, &h, &payload, parts,
		    &n, err);

		if (rc == EB_OK && h.type == EB_KF_READY &&
		    h.status == EB_KF_OK) {
			free(payload);
			return kp;
		}
		if (rc == EB_OK && h.status == EB_KF_FAILED)
			eb_kf_error_parse(parts, err);
		else if (rc == EB_OK || rc == EB_ERR_IO)
			gone(err, "it ended at start");
		free(payload);
	}
	eb_keyproc_free(kp);
	return NULL;
}

pid_t
eb_keyproc_pid(const struct eb_keyproc *kp)
{
	return kp != NULL ? kp->pid : -1;
}

void
eb_keyproc_forget(struct eb_keyproc *kp)
{
	if (kp != NULL)
		kp->pid = 0;
}

void
eb_keyproc_free(struct eb_keyproc *kp)
{
	int i, st;

	if (kp == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (kp->ch[i].fd > 0) {
			close(kp->ch[i].fd);
			pthread_mutex_destroy(&kp->ch[i].mu);
		}
	while (kp->pid > 0 && waitpid(kp->pid, &st, 0) < 0 && errno == EINTR)
		;
	free(kp);
}

/*
 * One request and its reply on channel 'ch': on EB_OK *res (free()) and
 * *len are the reply's one part.
 */
static int
call(struct eb_keyproc *kp, int ch, uint8_t type, const struct eb_buf *req,
    uint8_t **res, size_t *len, struct eb_error *err)
{
	struct eb_kf_part parts[EB_KF_PARTS_MAX];
	struct eb_kf_header h = { .type = 0 };
	uint8_t *payload = NULL;
	size_t n = 0;
	int rc;

	*res = NULL;
	*len = 0;
	if (kp == NULL)
		return gone(err, "not started");
	pthread_mutex_lock(&kp->ch[ch].mu);
	if (send_frame(kp->ch[ch].fd, type, EB_KF_OK, req->data, req->len) !=
	    0)
		rc = EB_ERR_IO;
	else
		rc = recv_frame(kp->ch[ch].fd, 1, &h, &payload, parts, &n,
		    err);
	pthread_mutex_unlock(&kp->ch[ch].mu);
	if (rc != EB_OK || h.type != type) {
		free(payload);
		return gone(err, rc == EB_ERR_IO ? "channel closed" :
		    "a malformed reply");
	}
	if (h.status == EB_KF_FAILED) {
		eb_kf_error_parse(parts, err);
		free(payload);
		return err != NULL ? err->code : EB_ERR_CRYPTO;
	}
	*res = eb_memdup(parts[0].p, parts[0].n);
	*len = parts[0].n;
	OPENSSL_cleanse(payload, h.len);
	free(payload);
	return EB_OK;
}

static int
put_fail(int rc, struct eb_error *err)
{
	return eb_fail(err, rc, "key-frame-too-large", NULL,
	    "the request does not fit a key process frame");
}

int
eb_keyproc_sign(struct eb_keyproc *kp, const uint8_t *data, size_t len,
    uint8_t **out, size_t *outlen, struct eb_error *err)
{
	struct eb_buf req = { .max = EB_KF_SIGN_MAX + 8 };
	int rc;

	if ((rc = eb_kf_put(&req, data, len)) == EB_OK)
		rc = call(kp, CH_LOOP, EB_KF_SIGN, &req, out, outlen, err);
	else
		rc = put_fail(rc, err);
	eb_buf_free(&req);
	return rc;
}

int
eb_keyproc_stamp(struct eb_keyproc *kp, const uint8_t digest[32],
    int64_t at_ms, uint64_t serial, uint8_t **token, size_t *toklen,
    struct eb_error *err)
{
	struct eb_buf req = EB_BUF_INIT;
	int rc;

	if ((rc = eb_kf_put(&req, digest, 32)) != EB_OK ||
	    (rc = eb_kf_put_u64(&req, (uint64_t)at_ms)) != EB_OK ||
	    (rc = eb_kf_put_u64(&req, serial)) != EB_OK)
		rc = put_fail(rc, err);
	else
		rc = call(kp, CH_LOOP, EB_KF_STAMP, &req, token, toklen, err);
	eb_buf_free(&req);
	return rc;
}

static int
put_cert(struct eb_buf *b, X509 *c)
{
	unsigned char *der = NULL;
	int len = i2d_X509(c, &der), rc;

	if (len <= 0)
		return EB_ERR_CRYPTO;
	rc = eb_kf_put(b, der, (size_t)len);
	OPENSSL_free(der);
	return rc;
}

int
eb_keyproc_opening_key(struct eb_keyproc *kp,
    const struct eb_schema *schema, const char *tender_id, int64_t now_ms,
    int64_t until_ms, const struct eb_custodian *custodians, size_t n,
    unsigned k, struct eb_doc **cmd, struct eb_error *err)
{
	struct eb_xml_limits lim = { .max_bytes = OPENING_XML_MAX,
	    .max_depth = 8, .max_elements = 1000 };
	struct eb_buf req = EB_BUF_INIT;
	uint8_t *xml = NULL;
	size_t len = 0, i;
	int rc;

	*cmd = NULL;
	rc = eb_kf_put(&req, tender_id, strlen(tender_id));
	if (rc == EB_OK)
		rc = eb_kf_put_u64(&req, (uint64_t)now_ms);
	if (rc == EB_OK)
		rc = eb_kf_put_u64(&req, (uint64_t)until_ms);
	if (rc == EB_OK)
		rc = eb_kf_put_u64(&req, k);
	for (i = 0; rc == EB_OK && i < n; i++)
		if ((rc = eb_kf_put(&req, custodians[i].party,
		    strlen(custodians[i].party))) == EB_OK)
			rc = put_cert(&req, custodians[i].cert);
	if (rc != EB_OK)
		rc = put_fail(rc, err);
	else if ((rc = call(kp, CH_LOOP, EB_KF_OPENING_KEY, &req, &xml, &len,
	    err)) == EB_OK)
		rc = eb_xml_parse(schema, &lim, xml, len, cmd, err);
	eb_buf_free(&req);
	free(xml);
	return rc;
}

int
eb_keyproc_open_begin(struct eb_keyproc *kp, X509 *opening_cert,
    const char *const *sealed_shares_b64, size_t nshares, unsigned k,
    uint64_t *handle, struct eb_error *err)
{
	struct eb_buf req = EB_BUF_INIT;
	struct eb_kf_part p;
	uint8_t *res = NULL;
	size_t len = 0, i;
	int rc;

	*handle = 0;
	if (nshares > EB_SHARES_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-shares", NULL,
		    "%zu shares (at most %d)", nshares, EB_SHARES_MAX);
	rc = put_cert(&req, opening_cert);
	if (rc == EB_OK)
		rc = eb_kf_put_u64(&req, k);
	for (i = 0; rc == EB_OK && i < nshares; i++)
		rc = eb_kf_put(&req, sealed_shares_b64[i],
		    strlen(sealed_shares_b64[i]));
	if (rc != EB_OK)
		rc = put_fail(rc, err);
	else if ((rc = call(kp, CH_OPEN, EB_KF_OPEN_BEGIN, &req, &res, &len,
	    err)) == EB_OK) {
		p.p = res;
		p.n = len;
		if ((*handle = eb_kf_u64(&p)) == 0)
			rc = gone(err, "no handle");
	}
	eb_buf_free(&req);
	free(res);
	return rc;
}

int
eb_keyproc_open_bid(struct eb_keyproc *kp, uint64_t handle,
    const uint8_t *env, size_t len, uint8_t **inner, size_t *innerlen,
    struct eb_error *err)
{
	struct eb_buf req = { .max = EB_KF_ENVELOPE_MAX + 16 };
	int rc;

	if ((rc = eb_kf_put_u64(&req, handle)) != EB_OK ||
	    (rc = eb_kf_put(&req, env, len)) != EB_OK)
		rc = eb_fail(err, EB_ERR_LIMIT, "key-frame-too-large", NULL,
		    "the sealed bid exceeds %zu bytes", EB_KF_ENVELOPE_MAX);
	else
		rc = call(kp, CH_OPEN, EB_KF_OPEN_BID, &req, inner, innerlen,
		    err);
	eb_buf_free(&req);
	return rc;
}

void
eb_keyproc_open_end(struct eb_keyproc *kp, uint64_t handle)
{
	struct eb_buf req = EB_BUF_INIT;
	struct eb_error e;
	uint8_t *res = NULL;
	size_t len = 0;

	eb_error_clear(&e);
	if (handle != 0 && eb_kf_put_u64(&req, handle) == EB_OK &&
	    call(kp, CH_OPEN, EB_KF_OPEN_END, &req, &res, &len, &e) != EB_OK)
		eb_log_e(EB_LOG_WARN, &e, "opening key not wiped");
	free(res);
	eb_buf_free(&req);
}
