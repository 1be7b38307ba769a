/*
 * engine/core/cmd.c
 *    Role names: see cmd.h.
 */
#include "cmd.h"

#include <string.h>

const char *
eb_cmd_name(const struct eb_cmd *c)
{
	return c->body != NULL ? c->body->name : "";
}
