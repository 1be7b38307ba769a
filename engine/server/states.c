/*
 * engine/server/states.c
 *    The core's state lists as membership tests and SQL: see states.h.
 */
#include <stdio.h>
#include <string.h>

#include "engine/core/flows.h"
#include "engine/server/states.h"

static const char *const *
list_of(const struct eb_flow_entry *fe, enum eb_states_list which)
{
	switch (which) {
	case EB_STATES_FINAL:
		return fe->ops->final_states;
	case EB_STATES_UNLISTED:
		return fe->ops->unlisted_states;
	case EB_STATES_PUBLIC_HEADS:
		return fe->ops->public_head_states;
	}
	return NULL;
}

int
eb_state_in(const char *kind, enum eb_states_list which, const char *state)
{
	const struct eb_flow_entry *fe = eb_flow_for_kind(kind);
	const char *const *l;

	if (fe == NULL || state == NULL || (l = list_of(fe, which)) == NULL)
		return 0;
	for (; *l != NULL; l++)
		if (strcmp(*l, state) == 0)
			return 1;
	return 0;
}

/* Names are [a-z-] (the core's); anything else is never quoted into SQL. */
static int
sql_safe(const char *s)
{
	return *s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz-") ==
	    strlen(s);
}

int
eb_states_sql(char *out, size_t cap, const char *kind_col,
    const char *state_col, enum eb_states_list which, int negate)
{
	const struct eb_flow_entry *fe;
	size_t len = 0, i;
	int n, terms = 0;

#define PUT(...) do {                                                   \
	n = snprintf(out + len, cap - len, __VA_ARGS__);                \
	if (n < 0 || (size_t)n >= cap - len)                            \
		return -1;                                              \
	len += (size_t)n;                                               \
} while (0)
	if (cap == 0)
		return -1;
	out[0] = '\0';
	PUT("(");
	for (i = 0; (fe = eb_flow_at(i)) != NULL; i++) {
		const char *const *l = list_of(fe, which);

		if (l == NULL || l[0] == NULL || !sql_safe(fe->kind))
			continue;
		PUT("%s(%s = '%s' AND %s %sIN (", terms ? " OR " : "",
		    kind_col, fe->kind, state_col, negate ? "NOT " : "");
		for (size_t k = 0; l[k] != NULL; k++) {
			if (!sql_safe(l[k]))
				return -1;
			PUT("%s'%s'", k ? ", " : "", l[k]);
		}
		PUT("))");
		terms++;
	}
	PUT("%s)", terms ? "" : "false");
#undef PUT
	return 0;
}
