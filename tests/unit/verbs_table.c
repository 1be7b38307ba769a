/*
 * tests/unit/verbs_table.c
 *    ebid's one verb table (tools/verbs.c, issue 16 point 5): every entry
 *    is reachable (eb_verbs_find() gives it, or its family's generic entry
 *    for a verb that entry runs), no verb is listed twice, and the real
 *    `ebid --help` and `ebid FAMILY --help` print every entry's usage.
 *
 * Usage: verbs_table PATH-TO-EBID.  Exit 0 when all holds, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/verbs.h"

static int bad;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL: " __VA_ARGS__); \
		fputc('\n', stderr); \
		bad = 1; \
	} \
} while (0)

/* The standard output of 'cmd' (caller frees). */
static char *
run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t len = 0, n;
	char buf[4096];

	if (p == NULL) {
		perror(cmd);
		exit(2);
	}
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		char *grown = realloc(out, len + n + 1);

		if (grown == NULL)
			exit(2);
		out = grown;
		memcpy(out + len, buf, n);
		len += n;
	}
	CHECK(pclose(p) == 0, "%s exits 0", cmd);
	if (out == NULL)
		out = calloc(1, 1);
	else
		out[len] = '\0';
	return out;
}

int
main(int argc, char **argv)
{
	const struct eb_verb *v, *w;
	char cmd[4096], *help, *fhelp;
	size_t i, j, n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: verbs_table PATH-TO-EBID\n");
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "'%s' --help", argv[1]);
	help = run(cmd);
	for (i = 0; (v = eb_verbs_at(i)) != NULL; i++, n++) {
		const char *name = v->verb != NULL ? v->verb : "COMMAND";
		char head[128];

		CHECK(eb_verbs_handles(v->family), "ebid runs family %s",
		    v->family);
		snprintf(head, sizeof(head), "  ebid %s %s", v->family, name);
		CHECK(strncmp(v->usage, head, strlen(head)) == 0,
		    "usage of %s %s starts \"%s\"", v->family, name, head);
		CHECK(strstr(help, v->usage) != NULL,
		    "ebid --help shows %s %s", v->family, name);
		w = eb_verbs_find(v->family, v->verb);
		if (v->verb == NULL || v->run == NULL)
			CHECK(w != NULL && w->verb == NULL && w->run == NULL,
			    "%s %s reaches its family's generic entry",
			    v->family, name);
		else
			CHECK(w == v, "%s %s reaches its handler", v->family,
			    name);
		for (j = 0; j < i; j++) {
			const struct eb_verb *u = eb_verbs_at(j);

			CHECK(strcmp(u->family, v->family) != 0 ||
			    (u->verb == NULL) != (v->verb == NULL) ||
			    (u->verb != NULL && strcmp(u->verb, v->verb) != 0),
			    "%s %s is listed once", v->family, name);
		}
		snprintf(cmd, sizeof(cmd), "'%s' %s --help", argv[1],
		    v->family);
		fhelp = run(cmd);
		CHECK(strstr(fhelp, v->usage) != NULL,
		    "ebid %s --help shows %s", v->family, name);
		free(fhelp);
	}
	CHECK(n >= 20, "the table holds the %zu verbs of ebid", n);
	CHECK(eb_verbs_find("bid", "no-such-verb") == NULL,
	    "an unknown verb of a family without a generic entry is refused");
	CHECK(eb_verbs_find("no-such-family", NULL) == NULL &&
	    !eb_verbs_handles("no-such-family"), "an unknown family is no verb");
	free(help);
	if (bad)
		return 1;
	printf("%zu verbs: each reachable, each in ebid --help\n", n);
	return 0;
}
