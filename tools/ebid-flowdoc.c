/*
 * tools/ebid-flowdoc.c
 *    Print the tender flow from its transition table (engine/core/
 *    tender.c): the state diagram as Graphviz DOT or as a text list, and
 *    the role-permission matrix as Markdown.  docs/tender-flow.md pastes
 *    the text and matrix outputs; "check" tells whether that file still
 *    holds exactly what the table generates (run by ctest).
 *
 * Owner: the tender-flow engineer.
 *
 * Usage: ebid-flowdoc dot | text | matrix | check FILE
 * Exit: 0 done / in sync, 1 out of sync, 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/tender.h"
#include "protocol/buf.h"

/* Roles shown in the matrix, in office order. */
static const enum eb_role shown[] = {
	EB_ROLE_REGISTRAR, EB_ROLE_SUPERVISOR, EB_ROLE_VERIFIER,
	EB_ROLE_TENDERER, EB_ROLE_BIDDER, EB_ROLE_EXPERT, EB_ROLE_CUSTODIAN,
	EB_ROLE_SYSTEM,
};
#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

/* A row allowed in this many states or more is drawn from "any". */
#define MANY_STATES 8

static const char *
target_name(int to)
{
	if (to == EB_TS_KEEP)
		return "(stays)";
	if (to == EB_TS_BACK)
		return "(state it was stopped in)";
	if (to == EB_TS_NONE)
		return "";
	return eb_tender_state_name((size_t)to);
}

static int
nstates(uint32_t mask)
{
	return __builtin_popcount(mask);
}

static int
roles_text(struct eb_buf *b, uint32_t roles)
{
	size_t r;
	int first = 1, rc = EB_OK;

	for (r = 1; r < EB_ROLE_COUNT && rc == EB_OK; r++)
		if (roles & EB_ROLE_BIT(r)) {
			rc = eb_buf_printf(b, "%s%s", first ? "" : "|",
			    eb_role_name((enum eb_role)r));
			first = 0;
		}
	return rc;
}

static int
gen_text(struct eb_buf *b)
{
	size_t s, i;
	int rc = EB_OK;

	for (s = 0; s < eb_tender_state_count() && rc == EB_OK; s++) {
		rc = eb_buf_printf(b, "%s (%s)\n", eb_tender_state_name(s),
		    eb_tender_state_stage(s));
		for (i = 0; i < eb_tender_row_count() && rc == EB_OK; i++) {
			int alt = eb_tender_row_alt(i);

			if (!(eb_tender_row_states(i) & EB_TS_BIT(s)))
				continue;
			rc = eb_buf_printf(b, "  %s [", eb_tender_row_command(i));
			if (rc == EB_OK)
				rc = roles_text(b, eb_tender_row_roles(i));
			if (rc == EB_OK)
				rc = eb_buf_printf(b, "] -> %s%s%s\n",
				    target_name(eb_tender_row_to(i)),
				    alt != EB_TS_NONE ? " or " : "",
				    alt != EB_TS_NONE ? target_name(alt) : "");
		}
	}
	return rc;
}

static int
edge(struct eb_buf *b, const char *from, int to, const char *label,
    const char *style)
{
	if (to == EB_TS_KEEP || to == EB_TS_NONE)
		return EB_OK;
	return eb_buf_printf(b, "  \"%s\" -> \"%s\" [label=\"%s\"%s];\n",
	    from, to == EB_TS_BACK ? "(back)" : eb_tender_state_name(
	    (size_t)to), label, style);
}

static int
gen_dot(struct eb_buf *b)
{
	size_t s, i;
	int rc;

	rc = eb_buf_puts(b, "digraph tender {\n  rankdir=TB;\n"
	    "  node [shape=box, style=rounded];\n"
	    "  \"(any live state)\" [shape=plaintext];\n"
	    "  \"(back)\" [shape=plaintext];\n");
	for (s = 0; s < eb_tender_state_count() && rc == EB_OK; s++)
		rc = eb_buf_printf(b, "  \"%s\" [tooltip=\"%s\"%s];\n",
		    eb_tender_state_name(s), eb_tender_state_stage(s),
		    (s == EB_TS_CLOSED || s == EB_TS_FAILED ||
		    s == EB_TS_CANCELLED) ? ", peripheries=2" : "");
	for (i = 0; i < eb_tender_row_count() && rc == EB_OK; i++) {
		uint32_t m = eb_tender_row_states(i);
		const char *cmd = eb_tender_row_command(i);

		if (nstates(m) >= MANY_STATES) {
			rc = edge(b, "(any live state)", eb_tender_row_to(i), cmd,
			    ", style=dashed");
			continue;
		}
		for (s = 0; s < eb_tender_state_count() && rc == EB_OK; s++) {
			if (!(m & EB_TS_BIT(s)))
				continue;
			rc = edge(b, eb_tender_state_name(s),
			    eb_tender_row_to(i), cmd, "");
			if (rc == EB_OK)
				rc = edge(b, eb_tender_state_name(s),
				    eb_tender_row_alt(i), cmd, ", style=dotted");
		}
	}
	if (rc == EB_OK)
		rc = eb_buf_puts(b, "}\n");
	return rc;
}

static int
gen_matrix(struct eb_buf *b)
{
	size_t i, r, s;
	int rc, first;

	rc = eb_buf_puts(b, "| command |");
	for (r = 0; r < NSHOWN && rc == EB_OK; r++)
		rc = eb_buf_printf(b, " %s |", eb_role_name(shown[r]));
	if (rc == EB_OK)
		rc = eb_buf_puts(b, " allowed in | leads to |\n| --- |");
	for (r = 0; r < NSHOWN && rc == EB_OK; r++)
		rc = eb_buf_puts(b, " :-: |");
	if (rc == EB_OK)
		rc = eb_buf_puts(b, " --- | --- |\n");
	for (i = 0; i < eb_tender_row_count() && rc == EB_OK; i++) {
		uint32_t m = eb_tender_row_states(i);
		int alt = eb_tender_row_alt(i);

		rc = eb_buf_printf(b, "| `%s` |", eb_tender_row_command(i));
		for (r = 0; r < NSHOWN && rc == EB_OK; r++) {
			uint32_t bit = EB_ROLE_BIT(shown[r]);

			rc = eb_buf_puts(b, (eb_tender_row_duty_roles(i) & bit) ?
			    " must |" : (eb_tender_row_roles(i) & bit) ?
			    " may |" : " |");
		}
		if (rc == EB_OK && nstates(m) >= MANY_STATES) {
			rc = eb_buf_puts(b, " every live state except");
			first = 1;
			for (s = 1; s < eb_tender_state_count() && rc == EB_OK;
			    s++)
				if (!(m & EB_TS_BIT(s)) && s != EB_TS_CLOSED &&
				    s != EB_TS_FAILED && s != EB_TS_CANCELLED) {
					rc = eb_buf_printf(b, "%s %s",
					    first ? "" : ",",
					    eb_tender_state_name(s));
					first = 0;
				}
		} else {
			first = 1;
			for (s = 0; s < eb_tender_state_count() && rc == EB_OK;
			    s++)
				if (m & EB_TS_BIT(s)) {
					rc = eb_buf_printf(b, "%s %s",
					    first ? "" : ",",
					    eb_tender_state_name(s));
					first = 0;
				}
		}
		if (rc == EB_OK)
			rc = eb_buf_printf(b, " | %s%s%s |\n",
			    target_name(eb_tender_row_to(i)),
			    alt != EB_TS_NONE ? " or " : "",
			    alt != EB_TS_NONE ? target_name(alt) : "");
	}
	return rc;
}

static int
check(const char *path)
{
	struct eb_buf f = EB_BUF_INIT, t = EB_BUF_INIT, m = EB_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");
	int rc = 2;

	if (fp == NULL) {
		perror(path);
		return 2;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (eb_buf_append(&f, chunk, n) != EB_OK)
			goto out;
	if (ferror(fp) || gen_text(&t) != EB_OK || gen_matrix(&m) != EB_OK)
		goto out;
	rc = 0;
	if (strstr(eb_buf_str(&f), eb_buf_str(&t)) == NULL) {
		fprintf(stderr, "%s: the state list differs from the table; "
		    "regenerate it with: ebid-flowdoc text\n", path);
		rc = 1;
	}
	if (strstr(eb_buf_str(&f), eb_buf_str(&m)) == NULL) {
		fprintf(stderr, "%s: the role matrix differs from the table; "
		    "regenerate it with: ebid-flowdoc matrix\n", path);
		rc = 1;
	}
out:
	fclose(fp);
	eb_buf_free(&f);
	eb_buf_free(&t);
	eb_buf_free(&m);
	return rc;
}

int
main(int argc, char **argv)
{
	struct eb_buf b = EB_BUF_INIT;
	int rc;

	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return check(argv[2]);
	if (argc != 2)
		goto usage;
	if (strcmp(argv[1], "dot") == 0)
		rc = gen_dot(&b);
	else if (strcmp(argv[1], "text") == 0)
		rc = gen_text(&b);
	else if (strcmp(argv[1], "matrix") == 0)
		rc = gen_matrix(&b);
	else
		goto usage;
	if (rc != EB_OK || fwrite(b.data, 1, b.len, stdout) != b.len) {
		eb_buf_free(&b);
		fprintf(stderr, "ebid-flowdoc: output failed\n");
		return 2;
	}
	eb_buf_free(&b);
	return 0;
usage:
	fprintf(stderr, "usage: ebid-flowdoc dot | text | matrix | check FILE\n");
	return 2;
}
