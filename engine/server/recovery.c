/*
 * engine/server/recovery.c
 *    After a (re)start: every live tender and sale reloaded; see
 *    recovery.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "engine/core/flows.h"
#include "engine/server/log.h"
#include "engine/server/reads.h"
#include "engine/server/recovery.h"
#include "engine/server/server.h"
#include "engine/server/states.h"
#include "protocol/mem.h"

/* The SQL condition "not in a final state" and the whole query. */
#define RECOVERY_LIVE_MAX 1024
#define RECOVERY_SQL_MAX 1200

struct eb_recovery {
	char sql[RECOVERY_SQL_MAX];   /* from the core's final states */
};

static void
recover_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_server *srv = arg;
	int i, n = 0;

	if (rc != EB_OK) {
		eb_log_e(EB_LOG_ERROR, err, "recovery: cannot list live aggregates; "
		    "their timers arm at their next command");
		return;
	}
	for (i = 0; i < PQntuples(r); i++) {
		const struct eb_flow_entry *fe = eb_flow_for_kind(PQgetvalue(r, i,
		    1));

		if (fe == NULL)
			continue;
		eb_reads_poke(srv, PQgetvalue(r, i, 0), fe);
		n++;
	}
	eb_log(EB_LOG_INFO, "recovery: %d live tenders and sales reloaded, "
	    "their timers armed", n);
}

/*
 * After a (re)start nothing is armed: load every tender and sale that is
 * not finished, so its due timers (a deadline passed while ebidd was
 * down, say) fire and its next steps (an opening, a clearing) are taken.
 */
void
eb_recovery_start(struct eb_server *srv)
{
	struct eb_recovery *rv;
	char live[RECOVERY_LIVE_MAX];
	int n;

	if (srv->recovery == NULL)
		srv->recovery = eb_calloc(1, sizeof(*srv->recovery));
	rv = srv->recovery;
	/* every kind the core gives final states, not in one of them (the
	 * store keeps the text's pointer: it lives in srv->recovery) */
	if (eb_states_sql(live, sizeof(live), "kind", "state",
	    EB_STATES_FINAL, 1) != 0 || (n = snprintf(rv->sql,
	    sizeof(rv->sql), "SELECT aggregate, kind FROM "
	    "aggregate_state WHERE %s ORDER BY aggregate", live)) < 0 ||
	    (size_t)n >= sizeof(rv->sql)) {
		eb_log(EB_LOG_ERROR, "recovery: the final states do not fit");
		return;
	}
	if (eb_store_select_text(srv->store, rv->sql, 0, NULL,
	    recover_rows, srv) != EB_OK)
		eb_log(EB_LOG_ERROR, "recovery: cannot queue the list of live "
		    "aggregates");
}

void
eb_recovery_free(struct eb_server *srv)
{
	free(srv->recovery);
	srv->recovery = NULL;
}
