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
 * And the server's files keep their rooms (issue 16 point 2): no two
 * modules of engine/server include each other's headers in a circle
 * (module X depends on Y when X.c or X.h includes "engine/server/Y.h";
 * any cycle is printed), and every function a header X.h declares
 * (eb_NAME( ... )) is defined in X.c.  server.h (the context, the
 * request and http.c's one reply path, which every handler calls) is
 * the one exempt header.
 *
 * Usage: server_state_names SOURCE_DIR.  Exit 0 when clean, 1 with each
 * finding on stderr.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/flows.h"
#include "engine/core/sale.h"
#include "engine/core/tender.h"
#include "tests/unit/csource.h"

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

/* -- the module graph ---------------------------------------------------- */

#define MODS_MAX 128

static struct {
	char name[64];
	int dep[MODS_MAX];
	int ndep;
	int mark;                      /* 0 new, 1 on the path, 2 done */
} mods[MODS_MAX];
static int nmods;

static int
mod_of(const char *name)
{
	for (int i = 0; i < nmods; i++)
		if (strcmp(mods[i].name, name) == 0)
			return i;
	if (nmods == MODS_MAX) {
		fprintf(stderr, "more than %d modules\n", MODS_MAX);
		exit(2);
	}
	snprintf(mods[nmods].name, sizeof(mods[nmods].name), "%s", name);
	return nmods++;
}

static void
add_dep(int from, int to)
{
	for (int i = 0; i < mods[from].ndep; i++)
		if (mods[from].dep[i] == to)
			return;
	mods[from].dep[mods[from].ndep++] = to;
}

static int stack[MODS_MAX], npath;

static void
visit(int m)
{
	mods[m].mark = 1;
	stack[npath++] = m;
	for (int i = 0; i < mods[m].ndep; i++) {
		int d = mods[m].dep[i];

		if (mods[d].mark == 1) {
			int k = npath - 1;

			while (k > 0 && stack[k] != d)
				k--;
			fprintf(stderr, "engine/server: circular include:");
			for (; k < npath; k++)
				fprintf(stderr, " %s ->", mods[stack[k]].name);
			fprintf(stderr, " %s\n", mods[d].name);
			bad = 1;
		} else if (mods[d].mark == 0) {
			visit(d);
		}
	}
	npath--;
	mods[m].mark = 2;
}

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

/* "X.c" / "X.h" -> "X" in 'out'. */
static void
base_of(const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	snprintf(out, cap, "%.*s", (int)(n > 2 ? n - 2 : n), name);
}

static void
scan_includes(const char *text, const char *name)
{
	const char *pfx = "#include \"engine/server/";
	char me[64], dep[64];
	int m;

	base_of(name, me, sizeof(me));
	m = mod_of(me);
	for (const char *p = strstr(text, pfx); p != NULL;
	    p = strstr(p + 1, pfx)) {
		const char *s = p + strlen(pfx), *e = strchr(s, '"');

		if (e == NULL || e - s < 3 || e - s >= (long)sizeof(dep) ||
		    strncmp(e - 2, ".h", 2) != 0)
			continue;
		snprintf(dep, sizeof(dep), "%.*s", (int)(e - s - 2), s);
		if (strcmp(dep, me) != 0)
			add_dep(m, mod_of(dep));
	}
}

/* Every eb_NAME( declared in X.h is defined in X.c ("\neb_NAME("). */
static void
check_decls(const char *text, const char *dir, const char *name)
{
	char cpath[8192], me[64], *c = NULL, *hdr = strdup(text);
	FILE *f;
	long len;

	if (hdr == NULL)
		exit(2);
	base_of(name, me, sizeof(me));
	snprintf(cpath, sizeof(cpath), "%s/%s.c", dir, me);
	if ((f = fopen(cpath, "rb")) == NULL) {
		c = strdup("\n");        /* none: any declaration is bad */
		if (c == NULL)
			exit(2);
	} else if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (c = calloc(1, (size_t)len + 2)) == NULL ||
	    fread(c + 1, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "cannot read %s\n", cpath);
		exit(2);
	} else {
		fclose(f);
		c[0] = '\n';
	}
	/* macros are not declarations: skip #-lines and their continuations */
	for (char *l = hdr; *l != '\0'; ) {
		char *s = l;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#') {
			char prev = 0;

			for (; *s != '\0' && (*s != '\n' || prev == '\\');
			    s++) {
				prev = *s;
				if (*s != '\n')
					*s = ' ';
			}
		}
		l = strchr(s, '\n');
		if (l == NULL)
			break;
		l++;
	}
	for (const char *p = strstr(hdr, "eb_"); p != NULL;
	    p = strstr(p + 1, "eb_")) {
		char fn[128], want[140];
		size_t n = 0;

		if (p > hdr && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_'))
			continue;
		while (n < sizeof(fn) - 1 && (isalnum((unsigned char)p[n]) ||
		    p[n] == '_'))
			n++;
		if (p[n] != '(')
			continue;
		snprintf(fn, sizeof(fn), "%.*s", (int)n, p);
		snprintf(want, sizeof(want), "\n%s(", fn);
		if (strstr(c, want) == NULL) {
			fprintf(stderr, "engine/server/%s declares %s(), which "
			    "%s.c does not define\n", name, fn, me);
			bad = 1;
		}
	}
	free(c);
	free(hdr);
}

static void
scan(const char *path, const char *dir, const char *name)
{
	char *text = slurp(path);     /* csource.h */

	strip_comments(text);
	scan_includes(text, name);
	if (strcmp(name + strlen(name) - 2, ".h") == 0 &&
	    strcmp(name, "server.h") != 0)
		check_decls(text, dir, name);
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
		scan(path, dir, de->d_name);
		files++;
	}
	closedir(d);
	for (int m = 0; m < nmods; m++)
		if (mods[m].mark == 0)
			visit(m);
	if (files == 0) {
		fprintf(stderr, "no source in %s\n", dir);
		return 2;
	}
	if (bad)
		return 1;
	printf("engine/server: %d files in %d modules, no tender or sale "
	    "state name, no circular include, every header's functions in "
	    "its .c\n", files, nmods);
	return 0;
}
