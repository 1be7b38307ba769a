/*
 * engine/server/rebuild.c
 *    Rebuild the read models from the log: see rebuild.h.
 *
 * One blocking libpq connection, one transaction: read each aggregate's
 * stored events in seq order, fold them through its flow's apply (the
 * engine/core code ebidd and ebid-audit run), and upsert aggregate_state.
 * A fold that fails names the aggregate and the entry and changes nothing.
 */
#include "engine/server/rebuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/core/flows.h"
#include "protocol/xml.h"

static int
db_fail(struct eb_error *e, PGconn *c, const char *what)
{
	return eb_fail(e, EB_ERR_DB, "database", NULL, "%s: %s", what,
	    PQerrorMessage(c));
}

static int
exec_ok(PGconn *c, const char *sql, struct eb_error *e)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;

	PQclear(r);
	return ok ? EB_OK : db_fail(e, c, sql);
}

/* Fold aggregate 'id' of 'kind' and write its read model. */
static int
rebuild_one(PGconn *c, const char *id, const char *kind, struct eb_error *e)
{
	const struct eb_flow_entry *fe = eb_flow_for_kind(kind);
	const char *params[1] = { id };
	PGresult *r = NULL, *w = NULL;
	void *st = NULL;
	char seq[24] = "0", at[24] = "0";
	int rc = EB_OK, i;

	if (fe == NULL)
		return eb_fail(e, EB_ERR_FORMAT, "unknown-kind", NULL,
		    "aggregate %s has an unknown kind %s", id, kind);
	st = fe->ops->create(id);
	r = PQexecParams(c, "SELECT seq, time_ms, convert_from(events, 'UTF8')"
	    "  FROM log WHERE aggregate = $1 ORDER BY seq", 1, NULL, params,
	    NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(e, c, "reading the log");
		goto out;
	}
	for (i = 0; i < PQntuples(r); i++) {
		struct eb_doc *ev = NULL;
		const char *p = PQgetvalue(r, i, 2);

		if (eb_xml_parse_stored_events((const uint8_t *)p, strlen(p), &ev,
		    e) != EB_OK || fe->ops->apply(st, ev, e) != EB_OK) {
			eb_doc_free(ev);
			eb_error_detail(e, "aggregate %s, entry %s", id,
			    PQgetvalue(r, i, 0));
			rc = e->code ? e->code : EB_ERR_INTERNAL;
			goto out;
		}
		eb_doc_free(ev);
		snprintf(seq, sizeof(seq), "%s", PQgetvalue(r, i, 0));
		snprintf(at, sizeof(at), "%s", PQgetvalue(r, i, 1));
	}
	{
		const char *wp[5] = { id, kind, fe->ops->state_name(st), seq, at };

		w = PQexecParams(c,
		    "INSERT INTO aggregate_state (aggregate, kind, state, seq,"
		    " updated_ms) VALUES ($1, $2, $3, $4::int8, $5::int8)"
		    " ON CONFLICT (aggregate) DO UPDATE SET kind = $2, state = $3,"
		    " seq = $4::int8, updated_ms = $5::int8", 5, NULL, wp, NULL,
		    NULL, 0);
		if (PQresultStatus(w) != PGRES_COMMAND_OK)
			rc = db_fail(e, c, "writing aggregate_state");
	}
out:
	PQclear(w);
	PQclear(r);
	fe->ops->destroy(st);
	return rc;
}

int
eb_rebuild_read_models(const char *conninfo, int *n, struct eb_error *err)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = NULL;
	int rc, i;

	*n = 0;
	eb_xml_init();
	if (PQstatus(c) != CONNECTION_OK) {
		rc = db_fail(err, c, "cannot connect");
		goto out;
	}
	if ((rc = exec_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", err)) !=
	    EB_OK)
		goto out;
	r = PQexec(c, "SELECT id, kind FROM aggregates ORDER BY id");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(err, c, "reading aggregates");
		goto rollback;
	}
	for (i = 0; i < PQntuples(r); i++) {
		if ((rc = rebuild_one(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    err)) != EB_OK)
			goto rollback;
		(*n)++;
	}
	PQclear(r);
	r = PQexec(c, "SELECT count(*) FROM aggregate_state s"
	    " JOIN heads h ON h.aggregate = s.aggregate WHERE s.seq <> h.seq");
	if (PQresultStatus(r) != PGRES_TUPLES_OK ||
	    strcmp(PQgetvalue(r, 0, 0), "0") != 0) {
		rc = eb_fail(err, EB_ERR_STATE, "read-model-behind-head",
		    "Stop every ebidd writing to this database, then rebuild.",
		    "a rebuilt read model does not reach its chain head");
		goto rollback;
	}
	rc = exec_ok(c, "COMMIT", err);
	goto out;
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
out:
	PQclear(r);
	PQfinish(c);
	return rc;
}
