/*
 * protocol/actor.c
 *    Role names: see actor.h.
 */
#include "actor.h"

#include <string.h>

static const char *const role_names[EB_ROLE_COUNT] = {
	[EB_ROLE_NONE] = "none",
	[EB_ROLE_REGISTRAR] = "registrar",
	[EB_ROLE_SUPERVISOR] = "supervisor",
	[EB_ROLE_VERIFIER] = "verifier",
	[EB_ROLE_AUDITOR] = "auditor",
	[EB_ROLE_TENDERER] = "tenderer",
	[EB_ROLE_BIDDER] = "bidder",
	[EB_ROLE_EXPERT] = "expert",
	[EB_ROLE_CUSTODIAN] = "custodian",
	[EB_ROLE_TRANSFEROR] = "transferor",
	[EB_ROLE_SYSTEM] = "system",
};

const char *
eb_role_name(enum eb_role r)
{
	if ((unsigned)r >= EB_ROLE_COUNT)
		return "none";
	return role_names[r];
}

int
eb_role_parse(const char *s, enum eb_role *r)
{
	int i;

	for (i = 1; s != NULL && i < EB_ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum eb_role)i;
			return EB_OK;
		}
	}
	return EB_ERR_FORMAT;
}

