/*
 * engine/core/registers.c
 *    What the register aggregates share: see registers.h.
 */
#include "engine/core/registers.h"

#include <string.h>

int
eb_registers_officer(const struct eb_actor *viewer)
{
	return viewer != NULL && (viewer->role == EB_ROLE_REGISTRAR ||
	    viewer->role == EB_ROLE_SUPERVISOR ||
	    viewer->role == EB_ROLE_VERIFIER ||
	    viewer->role == EB_ROLE_AUDITOR ||
	    viewer->role == EB_ROLE_SYSTEM);
}

int
eb_registers_need_role(const struct eb_cmd *cmd, unsigned roles,
    struct eb_error *err)
{
	int r;

	if ((roles & EB_ROLE_BIT(cmd->actor.role)) != 0)
		return EB_OK;
	for (r = 0; r < EB_ROLE_COUNT; r++)
		if (roles == EB_ROLE_BIT(r))
			return eb_fail(err, EB_ERR_DENIED, "role-not-allowed",
			    "Sign this command with the certificate of the "
			    "office named.",
			    "%s may be done only by the %s, not by a %s",
			    eb_cmd_name(cmd), eb_role_name((enum eb_role)r),
			    eb_role_name(cmd->actor.role));
	return eb_fail(err, EB_ERR_DENIED, "role-not-allowed",
	    "Sign this command with the certificate of the office named.",
	    "%s may not be done by a %s", eb_cmd_name(cmd),
	    eb_role_name(cmd->actor.role));
}

const char *
eb_registers_need_attr(const struct eb_doc *d, const char *name, size_t max,
    struct eb_error *err, int *rc)
{
	const char *v = eb_doc_attr(d, name);

	if (v == NULL || v[0] == '\0' || strlen(v) >= max) {
		*rc = eb_fail(err, EB_ERR_FORMAT, "bad-command",
		    "Give every required attribute, within its length limit.",
		    "<%s>: attribute %s is missing, empty or too long",
		    d->name, name);
		return NULL;
	}
	return v;
}

int
eb_registers_no_timer(const void *st, int64_t *at, const char **name)
{
	(void)st;
	(void)at;
	(void)name;
	return 0;
}
