/*
 * engine/server/registry.c
 *    ebidd's checks across the registers: see registry.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/server/registry.h"
#include "engine/server/server.h"
#include "engine/store/store.h"
#include "protocol/buf.h"
#include "protocol/mem.h"

#define MAX_EVIDENCE 64

struct check {
	eb_registry_done_fn done;
	void *arg;
	char what[32];            /* the command */
	char code[32];            /* register-subject's code */
};

int
eb_registry_wants(const struct eb_doc *cmd)
{
	return cmd != NULL && (strcmp(cmd->name, "register-subject") == 0 ||
	    strcmp(cmd->name, "record-finding") == 0);
}

static void
checked(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct check *c = arg;
	struct eb_error e;

	eb_error_clear(&e);
	if (rc != EB_OK) {
		c->done(c->arg, rc, err);
	} else if (PQntuples(r) == 0) {
		c->done(c->arg, EB_OK, NULL);
	} else if (strcmp(c->what, "register-subject") == 0) {
		eb_fail(&e, EB_ERR_CONFLICT, "credit-code-registered",
		    "One organisation, one record: amend the registered "
		    "subject instead.",
		    "credit code %s is registered already as subject %.64s",
		    c->code, PQgetvalue(r, 0, 0));
		c->done(c->arg, e.code, &e);
	} else {
		eb_fail(&e, EB_ERR_NOTFOUND, "evidence-unresolved",
		    "Give as evidence entries of the logs by their sequence "
		    "number and hash (ebid-audit export shows them).",
		    "the evidence names no entry %.32s of %.64s with that hash",
		    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0));
		c->done(c->arg, e.code, &e);
	}
	free(c);
}

/* '{"a","b"}': a text[] literal of 'name' of <tag> children of 'cmd'. */
static int
array_of(const struct eb_doc *cmd, const char *tag, const char *name,
    struct eb_buf *b)
{
	const struct eb_doc *x;
	const char *v;
	int n = 0, rc = eb_buf_puts(b, "{");

	eb_doc_foreach(x, cmd, tag) {
		v = eb_doc_attr(x, name);
		/* the schema allows ids, counts and hex here: no quote or
		 * backslash can reach the literal */
		if (v == NULL || strpbrk(v, "\"\\{},") != NULL)
			return EB_ERR_FORMAT;
		if (rc == EB_OK && n++ > 0)
			rc = eb_buf_puts(b, ",");
		if (rc == EB_OK)
			rc = eb_buf_puts(b, "\"");
		if (rc == EB_OK)
			rc = eb_buf_puts(b, v);
		if (rc == EB_OK)
			rc = eb_buf_puts(b, "\"");
	}
	if (rc == EB_OK)
		rc = eb_buf_puts(b, "}");
	return n > MAX_EVIDENCE ? EB_ERR_LIMIT : rc;
}

int
eb_registry_check(struct eb_server *srv, const struct eb_doc *cmd,
    eb_registry_done_fn done, void *arg)
{
	struct check *c = eb_calloc(1, sizeof(*c));
	int rc;

	c->done = done;
	c->arg = arg;
	snprintf(c->what, sizeof(c->what), "%s", cmd->name);
	if (strcmp(cmd->name, "register-subject") == 0) {
		const char *params[1] = { c->code };
		const char *code = eb_doc_attr(cmd, "code");

		snprintf(c->code, sizeof(c->code), "%s", code ? code : "");
		/* the read model of the codes (schema/0012_subject_codes.sql,
		 * whose key also refuses the second of two in flight) */
		rc = eb_store_select_text(srv->store,
		    "SELECT subject FROM subject_codes WHERE code = $1",
		    1, params, checked, c);
	} else {
		struct eb_buf ag = EB_BUF_INIT, sq = EB_BUF_INIT,
		    hs = EB_BUF_INIT;
		const char *params[3];

		if ((rc = array_of(cmd, "evidence", "aggregate", &ag)) ==
		    EB_OK && (rc = array_of(cmd, "evidence", "seq", &sq)) ==
		    EB_OK && (rc = array_of(cmd, "evidence", "hash", &hs)) ==
		    EB_OK) {
			params[0] = eb_buf_str(&ag);
			params[1] = eb_buf_str(&sq);
			params[2] = eb_buf_str(&hs);
			/* the first piece of evidence no entry matches */
			rc = eb_store_select_text(srv->store,
			    "SELECT e.a, e.s FROM unnest($1::text[],"
			    " $2::bigint[], $3::text[]) WITH ORDINALITY"
			    " AS e(a, s, h, n) WHERE NOT EXISTS (SELECT 1"
			    " FROM log l WHERE l.aggregate = e.a AND"
			    " l.seq = e.s AND l.hash = decode(e.h, 'hex'))"
			    " ORDER BY e.n LIMIT 1", 3, params, checked, c);
		}
		eb_buf_free(&ag);
		eb_buf_free(&sq);
		eb_buf_free(&hs);
	}
	if (rc != EB_OK)
		free(c);
	return rc;
}
