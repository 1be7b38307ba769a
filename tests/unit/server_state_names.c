/*
 * tests/unit/server_state_names.c
 *    ebidd decides nothing by state: no tender or sale state name appears
 *    quoted ("bidding" or 'bidding') in the code of engine/server (issue
 *    16).  The names come from the core (eb_tender_state_name,
 *    eb_sale_state_name over all states); comments are skipped.  Also
 *    checks that every name in the core's state lists (flow.h:
 *    final_states, unlisted_states, public_head_states) is a state of its
 *    kind, since ebidd builds SQL from them.
 *
 * Usage: server_state_names SOURCE_DIR.  Exit 0 when clean, 1 with each
 * occurrence on stderr.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/flows.h"
#include "engine/core/sale.h"
#include "engine/core/tender.h"

/*
 * Quoted words that are a state's name but mean something else here:
 * the exact code around them, and why.  Keep this short.
 */
static const struct {
	const char *code;
	const char *why;
} allowed[] = {
	{ "eb_doc_new(\"accepted\")", "the reply element <accepted>" },
	{ "eb_doc_set_attr(d, \"closed\", closed)",
	    "the watch reply's attribute closed=" },
	{ "why : \"failed\")", "a word in a start-up message" },
};

static int bad;

static const char *
kind_state(const char *kind, size_t i)
{
	if (strcmp(kind, "tender") == 0)
		return i < eb_tender_state_count() ? eb_tender_state_name(i) :
		    NULL;
	if (strcmp(kind, "sale") == 0)
		return i < eb_sale_state_count() ? eb_sale_state_name(i) : NULL;
	return NULL;
}

static void
check_list(const char *kind, const char *what, const char *const *l)
{
	for (; l != NULL && *l != NULL; l++) {
		size_t i;
		const char *s;

		for (i = 0; (s = kind_state(kind, i)) != NULL; i++)
			if (strcmp(s, *l) == 0)
				break;
		if (s == NULL) {
			fprintf(stderr, "%s %s: \"%s\" is no %s state\n", kind,
			    what, *l, kind);
			bad = 1;
		}
	}
}

/* 'src' with comments blanked (string and character literals kept). */
static void
strip_comments(char *src)
{
	char *p = src, q = 0;

	while (*p != '\0') {
		if (q != 0) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == q)
				q = 0;
			p++;
		} else if (*p == '"' || *p == '\'') {
			q = *p++;
		} else if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");
			char *end = e != NULL ? e + 2 : p + strlen(p);

			for (; p < end; p++)
				if (*p != '\n')
					*p = ' ';
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p != '\0' && *p != '\n'; p++)
				*p = ' ';
		} else {
			p++;
		}
	}
}

static int
is_allowed(const char *text, const char *hit)
{
	for (size_t a = 0; a < sizeof(allowed) / sizeof(allowed[0]); a++) {
		size_t n = strlen(allowed[a].code);

		for (const char *c = strstr(text, allowed[a].code); c != NULL;
		    c = strstr(c + 1, allowed[a].code))
			if (hit >= c && hit < c + n)
				return 1;
	}
	return 0;
}

static void
scan(const char *path, const char *name)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (text = calloc(1, (size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	strip_comments(text);
	for (size_t k = 0; k < 2; k++) {
		const char *kind = k == 0 ? "tender" : "sale";
		const char *s;

		for (size_t i = 0; (s = kind_state(kind, i)) != NULL; i++) {
			for (const char *quote = "\"'"; *quote; quote++) {
				char pat[80];
				const char *hit;

				snprintf(pat, sizeof(pat), "%c%s%c", *quote, s,
				    *quote);
				for (hit = strstr(text, pat); hit != NULL;
				    hit = strstr(hit + 1, pat)) {
					int line = 1;

					if (is_allowed(text, hit))
						continue;
					for (const char *c = text; c < hit; c++)
						line += *c == '\n';
					fprintf(stderr, "engine/server/%s:%d: %s "
					    "state name %s\n", name, line, kind,
					    pat);
					bad = 1;
				}
			}
		}
	}
	free(text);
}

int
main(int argc, char **argv)
{
	char dir[4096], path[8192];
	const struct eb_flow_entry *fe;
	struct dirent *de;
	DIR *d;
	int files = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: server_state_names SOURCE_DIR\n");
		return 2;
	}
	for (size_t i = 0; (fe = eb_flow_at(i)) != NULL; i++) {
		check_list(fe->kind, "final_states", fe->ops->final_states);
		check_list(fe->kind, "unlisted_states",
		    fe->ops->unlisted_states);
		check_list(fe->kind, "public_head_states",
		    fe->ops->public_head_states);
	}
	snprintf(dir, sizeof(dir), "%s/engine/server", argv[1]);
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "cannot open %s\n", dir);
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 3 || (strcmp(de->d_name + n - 2, ".c") != 0 &&
		    strcmp(de->d_name + n - 2, ".h") != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		scan(path, de->d_name);
		files++;
	}
	closedir(d);
	if (files == 0) {
		fprintf(stderr, "no source in %s\n", dir);
		return 2;
	}
	if (bad)
		return 1;
	printf("engine/server: %d files, no tender or sale state name\n",
	    files);
	return 0;
}
