/*
 * engine/server/export.c
 *    GET /v1/log (the aggregates whose log starts in a period) and
 *    GET /v1/log/ID (one aggregate's whole log, its signed chain heads and
 *    the server certificates, as protocol/logdoc.h writes it for
 *    ebid-audit): see export.h.
 *
 * Ownership: a struct export holds the request and the log document being
 * built until its one reply; loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/server/export.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/isotime.h"
#include "protocol/logdoc.h"
#include "protocol/mem.h"
#include "protocol/xml.h"

struct export {
	struct eb_req *r;
	struct eb_audit_log *log;
};

/* The server certificates (table servers) end the export. */
static void
export_servers(int rc, const struct eb_error *err,
    const struct pg_result *res, void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct export *x = arg;
	struct eb_doc *d;
	char now[EB_ISOTIME_LEN];

	if (rc != EB_OK) {
		eb_reply_error(x->r, err);
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++)
		if (eb_audit_log_add_server(x->log,
		    (const uint8_t *)PQgetvalue(r, i, 0),
		    (size_t)PQgetlength(r, i, 0)) != EB_OK)
			break;
	eb_isotime_format(eb_clock_now(&x->r->srv->clock), now);
	d = eb_audit_log_to_doc(x->log, now);
	eb_reply_doc(x->r, 200, d);
	eb_doc_free(d);
out:
	eb_audit_log_free(x->log);
	free(x);
}

static void
last_head_stored(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	if (rc != EB_OK)
		eb_log_e(EB_LOG_ERROR, e, "cannot store the export's signed head");
}

/* Sign the head of the export's last entry, add it, and store it. */
static int
sign_last(struct export *x, struct eb_error *e)
{
	const struct eb_audit_entry *last = &x->log->entries[x->log->n - 1];
	struct eb_server *srv = x->r->srv;
	struct eb_buf text = EB_BUF_INIT;
	struct eb_audit_head h;

	memset(&h, 0, sizeof(h));
	eb_error_clear(e);
	h.seq = last->seq;
	memcpy(h.hash, last->hash, EB_SHA256_LEN);
	if (eb_chain_head_text(x->log->aggregate, h.seq, h.hash, &text) !=
	    EB_OK || eb_keyproc_sign(srv->kp, text.data, text.len,
	    &h.signature, &h.signature_len, e) != EB_OK ||
	    eb_store_sign_head(srv->store, x->log->aggregate, h.seq, h.hash,
	    h.signature, h.signature_len, last_head_stored, NULL) != EB_OK) {
		free(h.signature);
		eb_buf_free(&text);
		return eb_fail(e, EB_ERR_INTERNAL, "export-incomplete", NULL,
		    "the export's last chain head cannot be signed");
	}
	eb_audit_log_add_head(x->log, &h);
	eb_buf_free(&text);
	return EB_OK;
}

static void
export_heads(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct export *x = arg;
	struct eb_error e;

	if (rc != EB_OK) {
		eb_reply_error(x->r, err);
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_audit_head h;
		uint64_t be;

		memset(&h, 0, sizeof(h));
		memcpy(&be, PQgetvalue(r, i, 0), 8);
		h.seq = (int64_t)be64toh(be);
		if (PQgetlength(r, i, 1) == EB_SHA256_LEN)
			memcpy(h.hash, PQgetvalue(r, i, 1), EB_SHA256_LEN);
		h.signature_len = (size_t)PQgetlength(r, i, 2);
		h.signature = eb_memdup(PQgetvalue(r, i, 2), h.signature_len);
		eb_audit_log_add_head(x->log, &h);
	}
	/* the export ends on a head the server signs now if none covers its
	 * last entry yet: a cut of its tail is then always caught (issue 13.7);
	 * the head is stored too, so the board publishes it */
	if (x->log->n > 0 && (x->log->nheads == 0 ||
	    x->log->heads[x->log->nheads - 1].seq !=
	    x->log->entries[x->log->n - 1].seq) && sign_last(x, &e) != EB_OK) {
		eb_reply_error(x->r, &e);
		goto out;
	}
	if (eb_store_select(x->r->srv->store,
	    "SELECT certificate FROM servers ORDER BY first_seen, fingerprint",
	    0, NULL, export_servers, x) == EB_OK)
		return;
	eb_error_clear(&e);
	eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
	    "cannot queue the export");
	eb_reply_error(x->r, &e);
out:
	eb_audit_log_free(x->log);
	free(x);
}

static int
be64_at(const PGresult *r, int i, int col, int64_t *v)
{
	uint64_t be;

	if (PQgetlength(r, i, col) != 8)
		return -1;
	memcpy(&be, PQgetvalue(r, i, col), 8);
	*v = (int64_t)be64toh(be);
	return 0;
}

static void
export_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct export *x = arg;
	struct eb_server *srv = x->r->srv;
	const char *params[1] = { x->log->aggregate };
	struct eb_error e;

	eb_error_clear(&e);
	if (rc != EB_OK) {
		eb_reply_error(x->r, err);
		goto fail;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_audit_entry en;
		char role[32];

		memset(&en, 0, sizeof(en));
		if (i == 0)
			snprintf(x->log->kind, sizeof(x->log->kind), "%.*s",
			    PQgetlength(r, i, 11), PQgetvalue(r, i, 11));
		(void)be64_at(r, i, 0, &en.seq);
		(void)be64_at(r, i, 1, &en.time);
		snprintf(en.actor.party, sizeof(en.actor.party), "%.*s",
		    PQgetlength(r, i, 2), PQgetvalue(r, i, 2));
		snprintf(role, sizeof(role), "%.*s", PQgetlength(r, i, 3),
		    PQgetvalue(r, i, 3));
		(void)eb_role_parse(role, &en.actor.role);
		snprintf(en.actor.person, sizeof(en.actor.person), "%.*s",
		    PQgetlength(r, i, 4), PQgetvalue(r, i, 4));
		snprintf(en.clock, sizeof(en.clock), "%.*s",
		    PQgetlength(r, i, 7), PQgetvalue(r, i, 7));
		if (!PQgetisnull(r, i, 12) && PQgetlength(r, i, 12) == 2)
			en.rules = (int)(((unsigned)(uint8_t)PQgetvalue(r, i,
			    12)[0] << 8) | (uint8_t)PQgetvalue(r, i, 12)[1]);
		en.command_len = (size_t)PQgetlength(r, i, 5);
		en.command = eb_memdup(PQgetvalue(r, i, 5), en.command_len);
		if (!PQgetisnull(r, i, 8)) {
			en.receipt_len = (size_t)PQgetlength(r, i, 8);
			en.receipt = eb_memdup(PQgetvalue(r, i, 8),
			    en.receipt_len);
		}
		if (PQgetlength(r, i, 9) == EB_SHA256_LEN)
			memcpy(en.prev, PQgetvalue(r, i, 9), EB_SHA256_LEN);
		if (PQgetlength(r, i, 10) == EB_SHA256_LEN)
			memcpy(en.hash, PQgetvalue(r, i, 10), EB_SHA256_LEN);
		if (eb_xml_parse_stored_events(
		    (const uint8_t *)PQgetvalue(r, i, 6),
		    (size_t)PQgetlength(r, i, 6), &en.events, &e) != EB_OK) {
			free(en.command);
			free(en.receipt);
			eb_doc_free(en.events);
			eb_fail(&e, EB_ERR_INTERNAL, "export-failed", NULL,
			    "entry %lld of %s cannot be exported",
			    (long long)en.seq, x->log->aggregate);
			eb_reply_error(x->r, &e);
			goto fail;
		}
		eb_audit_log_add(x->log, &en);
	}
	if (x->log->n == 0) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate",
		    "Check the id with GET /v1/log.", "no log for %s",
		    x->log->aggregate);
		eb_reply_error(x->r, &e);
		goto fail;
	}
	if (eb_store_select(srv->store,
	    "SELECT seq, hash, signature FROM chain_heads_signed"
	    " WHERE aggregate = $1 ORDER BY seq", 1, params, export_heads,
	    x) == EB_OK)
		return;
	eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
	    "cannot queue the export");
	eb_reply_error(x->r, &e);
fail:
	eb_audit_log_free(x->log);
	free(x);
}

static void
list_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_req *req = arg;
	struct eb_doc *d;

	if (rc != EB_OK) {
		eb_reply_error(req, err);
		return;
	}
	d = eb_doc_new("logs");
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_doc *a = eb_doc_add(d, "aggregate");

		eb_doc_set_attr(a, "id", PQgetvalue(r, i, 0));
		eb_doc_set_attr(a, "kind", PQgetvalue(r, i, 1));
	}
	eb_reply_doc(req, 200, d);
	eb_doc_free(d);
}

/* The value of 'name' in a query string ("since=...&until=..."). */
static int
query_value(const char *q, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name), len;
	const char *p = q;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			p += n + 1;
			len = strcspn(p, "&");
			if (len >= cap)
				return -1;
			memcpy(out, p, len);
			out[len] = '\0';
			return 1;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return 0;
}

void
eb_handle_log(struct eb_req *r, const char *id, const char *query)
{
	struct eb_server *srv = r->srv;
	struct export *x = NULL;
	struct eb_error e;
	const char *params[1] = { id };

	eb_error_clear(&e);
	if (r->actor.role != EB_ROLE_AUDITOR &&
	    r->actor.role != EB_ROLE_VERIFIER &&
	    r->actor.role != EB_ROLE_SUPERVISOR) {
		eb_fail(&e, EB_ERR_DENIED, "role-not-allowed",
		    "Export logs with an auditor's (or an officer's) certificate.",
		    "a %s may not export logs", eb_role_name(r->actor.role));
		eb_reply_error(r, &e);
		return;
	}
	if (id == NULL || *id == '\0') {
		/* the period: first entries at or after since, before until */
		char since[48] = "", until[48] = "", s_ms[24], u_ms[24];
		const char *pp[2] = { s_ms, u_ms };
		int64_t a = INT64_MIN, b = INT64_MAX;

		if (query_value(query, "since", since, sizeof(since)) < 0 ||
		    query_value(query, "until", until, sizeof(until)) < 0 ||
		    (since[0] && eb_isotime_parse(since, &a) != 0) ||
		    (until[0] && eb_isotime_parse(until, &b) != 0)) {
			eb_fail(&e, EB_ERR_FORMAT, "bad-period",
			    "Give since= and until= as instants, e.g. "
			    "2026-01-01T00:00:00Z.", "the period is malformed");
			eb_reply_error(r, &e);
			return;
		}
		snprintf(s_ms, sizeof(s_ms), "%lld", (long long)a);
		snprintf(u_ms, sizeof(u_ms), "%lld", (long long)b);
		if (eb_store_select_text(srv->store,
		    "SELECT a.id, a.kind FROM aggregates a"
		    "  JOIN log l ON l.aggregate = a.id AND l.seq = 1"
		    " WHERE l.time_ms >= $1::int8 AND l.time_ms < $2::int8"
		    " ORDER BY l.time_ms, a.id", 2, pp, list_rows, r) != EB_OK) {
			eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
			    "cannot queue the list");
			eb_reply_error(r, &e);
		}
		return;
	}
	if (strlen(id) >= EB_ID_MAX) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate", NULL,
		    "no log for %s", id);
		eb_reply_error(r, &e);
		return;
	}
	x = eb_calloc(1, sizeof(*x));
	x->log = eb_audit_log_new(id, "");
	x->r = r;
	if (eb_store_select(srv->store,
	    "SELECT l.seq, l.time_ms, l.party, l.role, l.person, l.command,"
	    " l.events, l.clock, l.receipt, l.prev_hash, l.hash, a.kind,"
	    " l.rules FROM log l JOIN aggregates a ON a.id = l.aggregate"
	    " WHERE l.aggregate = $1 ORDER BY l.seq", 1, params, export_rows,
	    x) != EB_OK) {
		eb_audit_log_free(x->log);
		free(x);
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the export");
		eb_reply_error(r, &e);
	}
}
