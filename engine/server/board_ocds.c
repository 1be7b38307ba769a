/*
 * engine/server/board_ocds.c
 *    OCDS packages on the public board (see board_ocds.h).
 */
#include "engine/server/board_ocds.h"

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/server/log.h"
#include "engine/server/server.h"
#include "protocol/logdoc.h"
#include "protocol/mem.h"
#include "protocol/xml.h"
#include "engine/opendata/ocds.h"

struct ocds_req {
	struct eb_server *srv;
	eb_board_ocds_fn done;
	void *arg;
	int record;                 /* record.json, else releases.json */
	char id[EB_ID_MAX];
};

static int
i64_at(const PGresult *r, int i, int col, int64_t *v)
{
	uint64_t be;

	if (PQgetlength(r, i, col) != 8)
		return -1;
	memcpy(&be, PQgetvalue(r, i, col), 8);
	*v = (int64_t)be64toh(be);
	return 0;
}

static void
rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct ocds_req *q = arg;
	struct eb_audit_log *l = NULL;
	struct eb_buf rel = EB_BUF_INIT, rec = EB_BUF_INIT;
	struct eb_ocds_opts o = { .prefix = q->srv->cfg->ocds_prefix,
	    .publisher = q->srv->cfg->ocds_publisher };
	struct eb_error e;
	int status = 503;

	(void)err;
	eb_error_clear(&e);
	if (rc != EB_OK)
		goto out;
	status = 404;
	if (PQntuples(r) == 0)
		goto out;
	status = 503;
	l = eb_audit_log_new(q->id, "");
	snprintf(l->kind, sizeof(l->kind), "%.*s", PQgetlength(r, 0, 3),
	    PQgetvalue(r, 0, 3));
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_audit_entry en;

		memset(&en, 0, sizeof(en));
		if (i64_at(r, i, 0, &en.seq) != 0 ||
		    i64_at(r, i, 1, &en.time) != 0 ||
		    eb_xml_parse_stored_events((const uint8_t *)PQgetvalue(r, i,
		    2), (size_t)PQgetlength(r, i, 2), &en.events, &e) != EB_OK) {
			eb_doc_free(en.events);
			eb_log(EB_LOG_ERROR, "ocds: entry %d of %s cannot be read",
			    i + 1, q->id);
			goto out;
		}
		eb_audit_log_add(l, &en);
	}
	rc = eb_ocds_build(l, &o, &rel, &rec, &e);
	if (rc == EB_ERR_NOTFOUND || rc == EB_ERR_USAGE)
		status = 404;       /* not public yet, or the pool */
	else if (rc == EB_OK)
		status = 200;
	else
		eb_log_e(EB_LOG_ERROR, &e, "ocds: cannot make the packages");
out:
	if (status == 200)
		q->done(q->arg, 200, q->record ? eb_buf_str(&rec) :
		    eb_buf_str(&rel), q->record ? rec.len : rel.len);
	else
		q->done(q->arg, status, NULL, 0);
	eb_buf_free(&rel);
	eb_buf_free(&rec);
	eb_audit_log_free(l);
	free(q);
}

void
eb_board_ocds(struct eb_server *srv, const char *rest, eb_board_ocds_fn done,
    void *arg)
{
	const char *slash = strchr(rest, '/'), *params[1];
	struct ocds_req *q;
	size_t n = slash != NULL ? (size_t)(slash - rest) : 0, i;

	if (slash == NULL || n == 0 || n >= EB_ID_MAX ||
	    (strcmp(slash, "/releases.json") != 0 &&
	    strcmp(slash, "/record.json") != 0)) {
		done(arg, 404, NULL, 0);
		return;
	}
	for (i = 0; i < n; i++)
		if (!((rest[i] >= 'A' && rest[i] <= 'Z') || (rest[i] >= 'a' &&
		    rest[i] <= 'z') || (rest[i] >= '0' && rest[i] <= '9') ||
		    rest[i] == '-' || rest[i] == '_')) {
			done(arg, 404, NULL, 0);
			return;
		}
	q = eb_calloc(1, sizeof(*q));
	q->srv = srv;
	q->done = done;
	q->arg = arg;
	q->record = strcmp(slash, "/record.json") == 0;
	memcpy(q->id, rest, n);
	q->id[n] = '\0';
	params[0] = q->id;
	if (eb_store_select(srv->store,
	    "SELECT l.seq, l.time_ms, l.events, a.kind"
	    " FROM log l JOIN aggregates a ON a.id = l.aggregate"
	    " WHERE l.aggregate = $1 ORDER BY l.seq", 1, params, rows, q) !=
	    EB_OK) {
		free(q);
		done(arg, 503, NULL, 0);
	}
}
