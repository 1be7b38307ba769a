/*
 * engine/server/envelopes_http.c
 *    GET /v1/envelopes/SHA256: see envelopes_http.h.
 *
 * A stream's life: the role check, the query of envelope_refs (joined
 * with the log entry, for its party), the open and fstat of the store's
 * file, evhttp_send_reply_start with Content-Length, then pieces: a
 * worker preads PIECE bytes into the stream's buffer; on the loop the
 * piece is handed to evhttp (copied into the connection's output) once
 * the previous one has been written out (the write-completion callback,
 * checked: see output_empty()), and the next read starts at once.  Once
 * the last piece is out, evhttp_send_reply_end.  The connection's close callback (the client
 * went away, a write timed out) marks the stream gone; it ends when no
 * read is in flight.
 */
#include "engine/server/envelopes_http.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <libpq-fe.h>

#include "engine/server/conns.h"
#include "engine/server/envstore.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "engine/server/workers.h"
#include "protocol/mem.h"

#define PIECE ((size_t)256 << 10)

struct envstream {
	struct eb_req *r;
	struct eb_server *srv;
	char hex[65];
	int fd;
	int64_t size;             /* the envelope's */
	int64_t start, end;       /* the bytes sent: [start, end) */
	int status;               /* 200, or 206 for a range */
	int64_t queued;           /* bytes handed to evhttp */
	int64_t read_at;          /* file offset of the next read */
	uint8_t *buf;             /* PIECE bytes: the piece read ahead */
	size_t have;              /* bytes in buf not yet handed over */
	ssize_t got;              /* the worker's pread result */
	int read_errno;
	int reading;              /* a pread in flight on a worker */
	int writing;              /* a piece handed over, not yet written */
	int gone;                 /* the connection closed under us */
	int ended;                /* the reply was ended or abandoned */
};

static int
is_hash(const char *s)
{
	return s != NULL && strlen(s) == 64 &&
	    strspn(s, "0123456789abcdef") == 64;
}

static void start_read(struct envstream *st);

/* The stream is over: free it and log the request. */
static void
stream_free(struct envstream *st, int complete)
{
	struct eb_req *r = st->r;

	if (st->fd >= 0)
		close(st->fd);
	free(st->buf);
	if (!complete)
		eb_log(EB_LOG_WARN, "req id=%s envelope %s: stream cut after "
		    "%lld of %lld bytes%s", r->id, st->hex,
		    (long long)st->queued, (long long)(st->end - st->start),
		    st->gone ? " (the client went away)" : "");
	eb_reply_streamed(r, st->status, (size_t)st->queued);
	free(st);
}

/*
 * Stop sending: after a read error or a short file, or when the client
 * is gone.  A connection still open is closed so the client sees a short
 * body (Content-Length was sent); a request evhttp detached when its
 * connection failed is freed by evhttp_send_reply_end.
 */
static void
stream_abandon(struct envstream *st)
{
	struct eb_req *r = st->r;

	st->ended = 1;
	if (r->req != NULL) {
		struct evhttp_connection *conn =
		    evhttp_request_get_connection(r->req);

		if (conn != NULL) {
			evhttp_connection_set_closecb(conn, NULL, NULL);
			evhttp_connection_free(conn);   /* frees the request */
		} else {
			evhttp_send_reply_end(r->req);  /* frees it */
		}
		r->req = NULL;
	}
	r->conn = NULL;
	stream_free(st, 0);
}

/*
 * evhttp's write-completion callback means "the connection's output
 * drained at some point": bufferevent_openssl runs it deferred, so it can
 * arrive for an earlier drain after the next piece was added (a stale
 * call).  Each callback therefore checks that the output is empty now;
 * a stale one is ignored (the real one follows when it drains).  Ending
 * the reply on a stale call would let evhttp take the request as done
 * with the last piece unwritten, and turn the connection to reading.
 */
static int
output_empty(const struct envstream *st)
{
	struct evhttp_connection *conn = st->r->req != NULL ?
	    evhttp_request_get_connection(st->r->req) : NULL;
	struct bufferevent *bev = conn != NULL ?
	    evhttp_connection_get_bufferevent(conn) : NULL;

	return bev == NULL || evbuffer_get_length(bufferevent_get_output(bev))
	    == 0;
}

static void written(struct evhttp_connection *conn, void *arg);
static void last_written(struct evhttp_connection *conn, void *arg);

/* Hand the piece read ahead to evhttp when the previous one is out. */
static void
pump(struct envstream *st)
{
	struct eb_req *r = st->r;
	struct evbuffer *b;

	if (st->writing || st->ended)
		return;
	if (st->have == 0) {
		if (!st->reading && st->read_at < st->end)
			start_read(st);
		return;
	}
	b = evbuffer_new();
	if (b == NULL || evbuffer_add(b, st->buf, st->have) != 0)
		eb_oom("evbuffer_add", st->have);
	st->queued += (int64_t)st->have;
	st->have = 0;
	st->writing = 1;
	evhttp_send_reply_chunk_with_cb(r->req, b, st->start + st->queued <
	    st->end ? written : last_written, st);
	evbuffer_free(b);
	if (st->start + st->queued < st->end && !st->reading)
		start_read(st);
}

/* The output drained: the next piece. */
static void
written(struct evhttp_connection *conn, void *arg)
{
	struct envstream *st = arg;

	(void)conn;
	if (!output_empty(st))
		return;                      /* a stale call */
	st->writing = 0;
	pump(st);
}

/* The last piece is out: end the reply (evhttp frees the request); the
 * next request's deadline starts. */
static void
last_written(struct evhttp_connection *conn, void *arg)
{
	struct envstream *st = arg;
	struct eb_req *r = st->r;

	(void)conn;
	if (!output_empty(st))
		return;                      /* a stale call */
	st->ended = 1;
	if (r->conn != NULL) {
		evhttp_connection_set_closecb(r->conn, NULL, NULL);
		eb_conns_reply_out(st->srv->conns, r->conn);
	}
	evhttp_send_reply_end(r->req);
	r->req = NULL;
	stream_free(st, 1);
}

static void
read_work(void *arg)
{
	struct envstream *st = arg;
	int64_t left = st->end - st->read_at;
	size_t want = left < (int64_t)PIECE ? (size_t)left : PIECE;

	do
		st->got = pread(st->fd, st->buf, want, (off_t)st->read_at);
	while (st->got < 0 && errno == EINTR);
	st->read_errno = st->got < 0 ? errno : 0;
}

static void
read_done(void *arg)
{
	struct envstream *st = arg;

	st->reading = 0;
	if (st->gone) {
		stream_abandon(st);
		return;
	}
	if (st->got <= 0) {
		eb_log(EB_LOG_ERROR, "envelope %s: cannot read at %lld of %lld "
		    "bytes: %s", st->hex, (long long)st->read_at,
		    (long long)st->size, st->got < 0 ?
		    strerror(st->read_errno) : "the file is shorter");
		stream_abandon(st);
		return;
	}
	st->have = (size_t)st->got;
	st->read_at += st->got;
	pump(st);
}

static void
start_read(struct envstream *st)
{
	if (st->reading)
		return;
	st->reading = 1;
	(void)eb_workers_submit(st->srv->workers, read_work, read_done, st);
}

static void
abandon_later(evutil_socket_t fd, short what, void *arg)
{
	struct envstream *st = arg;

	(void)fd, (void)what;
	if (!st->ended && !st->reading)
		stream_abandon(st);
}

/*
 * The connection is going away (the client closed it, a write failed or
 * timed out).  evhttp has detached our request when it did not finish
 * (then we free it), or frees it with the connection.  Called inside
 * evhttp: the stream ends later, from the loop.
 */
static void
stream_closed(struct evhttp_connection *conn, void *arg)
{
	struct envstream *st = arg;
	struct eb_req *r = st->r;

	(void)conn;
	if (r->req != NULL && evhttp_request_get_connection(r->req) != NULL)
		r->req = NULL;
	r->conn = NULL;
	r->client_gone = 1;
	st->gone = 1;
	if (!st->reading)
		(void)event_base_once(st->srv->base, -1, EV_TIMEOUT,
		    abandon_later, st, NULL);
}

/*
 * Range (RFC 9110 section 14): one range of bytes, "bytes=A-B", "bytes=A-"
 * or "bytes=-N", so that an auditor's download cut in the middle goes on
 * from where it stopped.  1: [*from, *to) to send with 206; 0: send the
 * whole envelope (no Range, several ranges, another unit, a malformed
 * one: a server may ignore Range, 14.2; an If-Range that is not our
 * ETag, 13.1.5); -1: no byte of the range exists (416).
 */
static int
wanted_range(struct evhttp_request *req, const char *etag, int64_t size,
    int64_t *from, int64_t *to)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *v = evhttp_find_header(in, "Range"), *ir;
	long long a = -1, b = -1;
	int n = 0;

	if (v == NULL || strncmp(v, "bytes=", 6) != 0 ||
	    strchr(v, ',') != NULL)
		return 0;
	if ((ir = evhttp_find_header(in, "If-Range")) != NULL &&
	    strcmp(ir, etag) != 0)
		return 0;
	v += 6;
	if (v[0] == '-') {                          /* the last N bytes */
		if (sscanf(v + 1, "%18lld%n", &b, &n) != 1 || v[1 + n] != '\0' ||
		    !isdigit((unsigned char)v[1]))
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size;
		return 1;
	}
	if (!isdigit((unsigned char)v[0]) ||
	    sscanf(v, "%18lld%n", &a, &n) != 1 || v[n] != '-')
		return 0;
	v += n + 1;
	if (*v != '\0') {
		int m = 0;

		if (!isdigit((unsigned char)*v) ||
		    sscanf(v, "%18lld%n", &b, &m) != 1 || v[m] != '\0' || b < a)
			return 0;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b < 0 || b >= size ? size : b + 1;
	return 1;
}

/* The refs row: authorise, open the file, start the reply. */
static void
got_ref(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *pr = (const PGresult *)res;
	struct envstream *st = arg;
	struct eb_req *r = st->r;
	struct evkeyvalq *h;
	struct eb_error e;
	struct stat sb;
	char path[4096], len[24], etag[80], cr[80];
	int ranged;

	eb_error_clear(&e);
	if (rc != EB_OK) {
		eb_reply_error(r, err);
		free(st);
		return;
	}
	if (PQntuples(pr) == 0) {
		eb_fail(&e, EB_ERR_NOTFOUND, "envelope-not-logged",
		    "Ask for an envelope the log names: its hash is the "
		    "envelope-sha256 of a bid-submitted event.",
		    "no committed log entry names the envelope %s", st->hex);
		goto refuse;
	}
	if (r->actor.role == EB_ROLE_BIDDER &&
	    strcmp(PQgetvalue(pr, 0, 2), r->actor.party) != 0) {
		eb_fail(&e, EB_ERR_DENIED, "not-your-envelope",
		    "A bidder fetches only the envelopes of its own bids; "
		    "auditors and officers fetch any the log names.",
		    "the envelope %s is not one of your bids", st->hex);
		goto refuse;
	}
	if (eb_envstore_path(r->srv->cfg->envelope_dir, st->hex, path,
	    sizeof(path)) != 0 ||
	    (st->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(st->fd, &sb) != 0) {
		int errnum = errno;

		eb_log(EB_LOG_ERROR, "envelope %s named by %s entry %s is not "
		    "readable in the store: %s", st->hex, PQgetvalue(pr, 0, 0),
		    PQgetvalue(pr, 0, 1), strerror(errnum));
		eb_fail(&e, EB_ERR_NOTFOUND, "envelope-not-stored",
		    "The centre's envelope store has lost it: tell its "
		    "operators (the log still holds its hash and size).",
		    "the log names the envelope %s (%s entry %s) but the "
		    "store does not hold it", st->hex, PQgetvalue(pr, 0, 0),
		    PQgetvalue(pr, 0, 1));
		if (st->fd >= 0)
			close(st->fd);
		goto refuse;
	}
	st->size = (int64_t)sb.st_size;
	st->start = 0;
	st->end = st->size;
	st->status = 200;
	if (r->req == NULL || r->client_gone) {   /* gone while we asked */
		close(st->fd);
		if (r->req != NULL)            /* detached: ours to free */
			evhttp_send_reply_end(r->req);
		r->req = NULL;
		eb_reply_streamed(r, 200, 0);
		free(st);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%s\"", st->hex);
	if ((ranged = wanted_range(r->req, etag, st->size, &st->start,
	    &st->end)) < 0) {
		close(st->fd);
		st->fd = -1;
		eb_fail(&e, EB_ERR_LIMIT, "range-not-satisfiable",
		    "Ask for bytes the envelope has: Range: bytes=FROM- with "
		    "FROM below its size (Content-Range gives it).",
		    "the envelope %s has %lld bytes", st->hex,
		    (long long)st->size);
		snprintf(cr, sizeof(cr), "bytes */%lld", (long long)st->size);
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Content-Range", cr);
		eb_reply_error(r, &e);              /* 416 (reasons.txt) */
		free(st);
		return;
	}
	st->buf = eb_malloc(PIECE);
	h = evhttp_request_get_output_headers(r->req);
	snprintf(len, sizeof(len), "%lld", (long long)(st->end - st->start));
	evhttp_add_header(h, "Content-Type", "application/octet-stream");
	evhttp_add_header(h, "Content-Length", len);
	evhttp_add_header(h, "ETag", etag);
	evhttp_add_header(h, "Accept-Ranges", "bytes");
	if (ranged) {
		st->status = 206;
		st->read_at = st->start;
		snprintf(cr, sizeof(cr), "bytes %lld-%lld/%lld",
		    (long long)st->start, (long long)st->end - 1,
		    (long long)st->size);
		evhttp_add_header(h, "Content-Range", cr);
	}
	evhttp_add_header(h, "Cache-Control", "private, max-age=31536000, "
	    "immutable");
	evhttp_add_header(h, "X-Request-Id", r->id);
	if (r->srv->stopping)
		evhttp_add_header(h, "Connection", "close");
	eb_log(EB_LOG_INFO, "req id=%s envelope %s (%lld bytes, %s entry "
	    "%s): streaming %lld-%lld", r->id, st->hex, (long long)st->size,
	    PQgetvalue(pr, 0, 0), PQgetvalue(pr, 0, 1), (long long)st->start,
	    (long long)st->end);
	if (evhttp_request_get_command(r->req) == EVHTTP_REQ_HEAD ||
	    st->end == st->start) {
		if (r->conn != NULL) {
			evhttp_connection_set_closecb(r->conn, NULL, NULL);
			eb_conns_reply_out(r->srv->conns, r->conn);
		}
		evhttp_send_reply_start(r->req, st->status, st->status == 206 ?
		    "Partial Content" : "OK");
		evhttp_send_reply_end(r->req);
		r->req = NULL;
		st->ended = 1;
		stream_free(st, 1);
		return;
	}
	/* from here the stream owns the request: our close callback */
	if (r->conn != NULL)
		evhttp_connection_set_closecb(r->conn, stream_closed, st);
	evhttp_send_reply_start(r->req, st->status, st->status == 206 ?
	    "Partial Content" : "OK");
	start_read(st);
	return;
refuse:
	eb_reply_error(r, &e);
	free(st);
}

void
eb_handle_envelope(struct eb_req *r, const char *hex)
{
	static const char sql[] =
	    "SELECT r.aggregate, r.seq::text, l.party FROM envelope_refs r"
	    " JOIN log l ON l.aggregate = r.aggregate AND l.seq = r.seq"
	    " WHERE r.sha256 = $1";
	struct envstream *st;
	struct eb_error e;
	const char *params[1];

	eb_error_clear(&e);
	switch (r->actor.role) {
	case EB_ROLE_AUDITOR:
	case EB_ROLE_SUPERVISOR:
	case EB_ROLE_VERIFIER:
	case EB_ROLE_BIDDER:
		break;
	default:
		eb_fail(&e, EB_ERR_DENIED, "role-not-allowed",
		    "Fetch envelopes with an auditor's (or an officer's) "
		    "certificate; a bidder fetches its own.",
		    "a %s may not fetch sealed envelopes",
		    eb_role_name(r->actor.role));
		eb_reply_error(r, &e);
		return;
	}
	if (!is_hash(hex)) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-envelope-hash",
		    "Name the envelope by its SHA-256: 64 lower-case hex "
		    "digits, as the log's envelope-sha256 gives it.",
		    "\"%.80s\" is not a SHA-256 in lower-case hex", hex);
		eb_reply_error(r, &e);
		return;
	}
	if (r->srv->store == NULL || r->srv->cfg->envelope_dir == NULL) {
		eb_fail(&e, EB_ERR_NOTFOUND, "envelope-not-stored", NULL,
		    "this server keeps no envelope store");
		eb_reply_error(r, &e);
		return;
	}
	st = eb_calloc(1, sizeof(*st));
	st->r = r;
	st->srv = r->srv;
	st->fd = -1;
	memcpy(st->hex, hex, 65);
	params[0] = st->hex;
	if (eb_store_select_text(r->srv->store, sql, 1, params, got_ref, st) !=
	    EB_OK) {
		free(st);
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the envelope's look-up");
		eb_reply_error(r, &e);
	}
}
