/*
 * engine/core/cmd.c
 *    Commands and rules versions: see cmd.h.
 */
#include "cmd.h"

#include <string.h>

const char *
eb_cmd_name(const struct eb_cmd *c)
{
	return c->body != NULL ? c->body->name : "";
}

int
eb_cmd_rules(const struct eb_cmd *c)
{
	return c->rules != 0 ? c->rules : EB_RULES_CURRENT;
}

int
eb_cmd_check_rules(const struct eb_cmd *c, struct eb_error *err)
{
	int v = eb_cmd_rules(c);

	if (v >= EB_RULES_FIRST && v <= EB_RULES_CURRENT)
		return EB_OK;
	return eb_fail(err, EB_ERR_FORMAT, "rules-unknown",
	    "Replay this log with a later ebid-audit, one that knows this rules version.",
	    "%s: decided by rules version %d; this engine keeps versions %d to %d",
	    eb_cmd_name(c), v, EB_RULES_FIRST, EB_RULES_CURRENT);
}
