/*
 * engine/server/heads.c
 *    Signed chain heads: the ones signed on time (every
 *    head_every_seconds, each aggregate whose last entry has no signed
 *    head yet) and GET /v1/heads/ID: see heads.h.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "engine/server/heads.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"
#include "protocol/xml.h"

/* At most this many heads are signed in one round. */
#define HEADS_PER_ROUND 1000
#define STR_(x) #x
#define STR(x) STR_(x)

struct eb_heads {
	struct eb_server *srv;
	struct event *ev;            /* every head_every_seconds */
	int busy;                    /* a round of head signing runs */
};

/* -- chain heads signed on time ------------------------------------------ */

static void
head_stored(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	if (rc != EB_OK)
		eb_log_e(EB_LOG_ERROR, e, "cannot store a signed chain head");
}

/*
 * Every aggregate whose last entry has no signed head yet: sign it now,
 * so a cut of the log's tail is never more than head_every_seconds
 * away from a head the server vouched for.
 */
static void
heads_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_heads *hs = arg;
	struct eb_server *srv = hs->srv;
	int i, n = 0;

	hs->busy = 0;
	if (rc != EB_OK) {
		eb_log_e(EB_LOG_ERROR, err, "head signing: cannot list the "
		    "unsigned heads");
		return;
	}
	for (i = 0; i < PQntuples(r); i++) {
		char id[EB_ID_MAX];
		int64_t seq;
		uint64_t be;
		uint8_t hash[EB_SHA256_LEN], *sig = NULL;
		size_t siglen = 0;
		struct eb_buf text = EB_BUF_INIT;
		struct eb_error e;

		if (PQgetlength(r, i, 0) >= (int)sizeof(id) ||
		    PQgetlength(r, i, 1) != 8 ||
		    PQgetlength(r, i, 2) != EB_SHA256_LEN)
			continue;
		snprintf(id, sizeof(id), "%.*s", PQgetlength(r, i, 0),
		    PQgetvalue(r, i, 0));
		memcpy(&be, PQgetvalue(r, i, 1), 8);
		seq = (int64_t)be64toh(be);
		memcpy(hash, PQgetvalue(r, i, 2), EB_SHA256_LEN);
		eb_error_clear(&e);
		if (eb_chain_head_text(id, seq, hash, &text) == EB_OK &&
		    eb_keyproc_sign(srv->kp, text.data, text.len, &sig,
		    &siglen, &e) == EB_OK &&
		    eb_store_sign_head(srv->store, id, seq, hash, sig, siglen,
		    head_stored, NULL) == EB_OK)
			n++;
		free(sig);
		eb_buf_free(&text);
	}
	if (n > 0)
		eb_log(EB_LOG_INFO, "signed %d chain heads on time", n);
}

static void
heads_timer(evutil_socket_t fd, short what, void *arg)
{
	struct eb_heads *hs = arg;

	(void)fd;
	(void)what;
	if (hs->busy || hs->srv->stopping)
		return;
	hs->busy = 1;
	if (eb_store_select(hs->srv->store,
	    "SELECT h.aggregate, h.seq, h.hash FROM heads h"
	    " WHERE h.seq > 0 AND NOT EXISTS (SELECT 1 FROM chain_heads_signed c"
	    "  WHERE c.aggregate = h.aggregate AND c.seq = h.seq)"
	    " ORDER BY h.aggregate LIMIT " STR(HEADS_PER_ROUND), 0, NULL,
	    heads_rows, hs) != EB_OK)
		hs->busy = 0;
}

/* -- the public board: signed heads of an aggregate ---------------------- */

static int64_t
be64_of(const PGresult *r, int i, int col)
{
	uint64_t be;

	if (PQgetlength(r, i, col) != 8)
		return 0;
	memcpy(&be, PQgetvalue(r, i, col), 8);
	return (int64_t)be64toh(be);
}

static void
board_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_req *req = arg;
	struct eb_doc *d, *h;
	struct eb_error e;
	char hex[EB_SHA256_HEX], when[EB_ISOTIME_LEN], id[EB_ID_MAX];

	if (rc != EB_OK) {
		eb_reply_error(req, err);
		return;
	}
	if (PQntuples(r) == 0) {
		eb_error_clear(&e);
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate",
		    "Check the id: it is given in the reply that created it.",
		    "no signed chain heads for this id");
		eb_reply_error(req, &e);
		return;
	}
	d = eb_doc_new("chain-heads");
	snprintf(id, sizeof(id), "%.*s", PQgetlength(r, 0, 0),
	    PQgetvalue(r, 0, 0));
	eb_doc_set_attr(d, "aggregate", id);
	for (int i = 0; i < PQntuples(r); i++) {
		char *b64 = NULL;

		if (PQgetlength(r, i, 2) != EB_SHA256_LEN)
			continue;
		h = eb_doc_add(d, "chain-head");
		eb_doc_set_attr_i64(h, "seq", be64_of(r, i, 1));
		eb_hex32((const uint8_t *)PQgetvalue(r, i, 2), hex);
		eb_doc_set_attr(h, "hash", hex);
		eb_isotime_format(be64_of(r, i, 4), when);
		eb_doc_set_attr(h, "signed-at", when);
		if (eb_base64_encode((const uint8_t *)PQgetvalue(r, i, 3),
		    (size_t)PQgetlength(r, i, 3), &b64) == EB_OK)
			eb_doc_add_text(h, "signature", b64);
		free(b64);
	}
	eb_reply_doc(req, 200, d);
	eb_doc_free(d);
}

/*
 * GET /v1/heads/ID: every chain head the server signed for an aggregate,
 * for the public board (any party of the centre may read them: they
 * reveal hashes, never content).
 */
void
eb_handle_heads(struct eb_req *r, const char *id)
{
	struct eb_error e;
	const char *params[1] = { id };

	eb_error_clear(&e);
	if (id == NULL || *id == '\0' || strlen(id) >= EB_ID_MAX) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate", NULL,
		    "give the id of a tender, a sale or a pool");
		eb_reply_error(r, &e);
		return;
	}
	if (eb_store_select(r->srv->store,
	    "SELECT aggregate, seq, hash, signature,"
	    " (extract(epoch FROM written) * 1000)::int8"
	    " FROM chain_heads_signed WHERE aggregate = $1 ORDER BY seq",
	    1, params, board_rows, r) != EB_OK) {
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the read");
		eb_reply_error(r, &e);
	}
}

/* -- lifetime ----------------------------------------------------------- */

int
eb_heads_init(struct eb_server *srv, struct eb_error *err)
{
	struct eb_heads *hs = eb_calloc(1, sizeof(*hs));
	struct timeval tv = { (time_t)srv->cfg->head_every_seconds, 0 };

	hs->srv = srv;
	srv->heads = hs;
	if ((hs->ev = event_new(srv->base, -1, EV_PERSIST, heads_timer,
	    hs)) == NULL)
		eb_oom("event_new", 0);
	if (event_add(hs->ev, &tv) != 0) {
		eb_heads_free(srv);
		return eb_fail(err, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot arm the chain head timer");
	}
	return EB_OK;
}

void
eb_heads_free(struct eb_server *srv)
{
	struct eb_heads *hs = srv->heads;

	if (hs == NULL)
		return;
	if (hs->ev != NULL)
		event_free(hs->ev);
	free(hs);
	srv->heads = NULL;
}
