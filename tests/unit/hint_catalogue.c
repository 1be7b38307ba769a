/*
 * tests/unit/hint_catalogue.c
 *    The desks' hints in Chinese: every hint the code can give has a
 *    translation in tools/console/strings.xml, and every translation
 *    there still translates a hint the code gives.
 *
 *    A hint is the advice of a refusal (error.xsd <hint>): the 4th
 *    argument of eb_fail(err, code, "reason", "HINT", fmt, ...).  The
 *    scan (comments skipped) reads the C sources of engine/, protocol/
 *    and tools/ and takes as a hint:
 *      - each string literal (adjacent literals joined, as the compiler
 *        does) in the hint argument of a call to a function whose
 *        declaration names a parameter "char *hint": eb_fail() and the
 *        other functions of the headers, and the file's own helpers that
 *        pass a hint on (fail_ssl(), expert_in(), ...: a static helper of
 *        one name may take it at another place in another file); a
 *        conditional "a ? "X" : "Y"" gives both;
 *      - each literal assigned to a variable or member named hint
 *        (hint = "..."; .hint = "..."; hint[] = "...");
 *      - in tools/, the text after "  hint: " up to the line's end inside
 *        a literal (what a verb prints itself and the console shows).
 *    A hint argument that is neither a literal, NULL, nor a variable or
 *    member named hint (a formatted buffer, a call) is a finding: hints
 *    are literal sentences, so that each has one translation.  So is a
 *    hint with a '%' (it is never formatted), and one of 256 bytes or
 *    more (struct eb_error keeps 255: it would reach the desk cut).
 *
 *    The catalogue is the <h en="HINT" zh="..."/> elements of
 *    tools/console/strings.xml (console.xsl shows zh on the Chinese desk
 *    when en is the hint exactly).  Findings: a hint without an entry,
 *    an entry with an empty zh or without a Chinese character, two
 *    entries for one hint, an entry whose en no code gives (stale).
 *
 * Usage: hint_catalogue SOURCE_DIR [--list | --todo].  Exit 0 when clean,
 * 1 with each finding on stderr.  --list prints every hint with where it
 * is; --todo prints an <h en="..." zh=""/> line for each hint without an
 * entry (fill in zh and paste it into strings.xml) and names the stale
 * entries; both exit 0.  (`cmake --build build --target hints-todo`.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "csource.h"

struct hint {
	char *text;             /* unescaped, UTF-8 */
	char where[300];
};

static struct hint *hints;
static size_t nhints, caphints;
static struct fn fns[64];
static size_t nfns;
static int bad;

static const char *const produced_dirs[] = { "engine", "protocol", "tools" };

static void
add_hint(const char *text, const char *rel, int line)
{
	if (text[0] == '\0')
		return;
	if (nhints == caphints) {
		struct hint *grown;

		caphints = caphints ? caphints * 2 : 512;
		if ((grown = realloc(hints, caphints * sizeof(*hints))) == NULL)
			exit(2);
		hints = grown;
	}
	hints[nhints].text = strdup(text);
	snprintf(hints[nhints].where, sizeof(hints[nhints].where), "%s:%d",
	    rel, line);
	if (hints[nhints].text == NULL)
		exit(2);
	if (strchr(text, '%') != NULL) {
		fprintf(stderr, "%s: the hint \"%s\" has a '%%': hints are "
		    "never formatted (give the figures in the message)\n",
		    hints[nhints].where, text);
		bad = 1;
	}
	if (strlen(text) >= 256) {
		fprintf(stderr, "%s: the hint \"%.60s...\" has %zu bytes: "
		    "struct eb_error keeps 255, the desk would show it cut\n",
		    hints[nhints].where, text, strlen(text));
		bad = 1;
	}
	nhints++;
}

/* The bytes of the literal t (escapes undone) appended to 'out'. */
static void
unescape(const struct tok *t, char *out, size_t cap)
{
	size_t o = strlen(out);

	for (size_t i = 0; i < t->n && o + 1 < cap; i++) {
		char c = t->s[i];

		if (c == '\\' && i + 1 < t->n) {
			c = t->s[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		out[o++] = c;
	}
	out[o] = '\0';
}

/* The run of adjacent literals starting at t[i] joined into 'out'; the
 * index past it. */
static size_t
literal_run(const struct tok *t, size_t n, size_t i, char *out, size_t cap)
{
	out[0] = '\0';
	for (; i < n && t[i].kind == T_STRING; i++)
		unescape(&t[i], out, cap);
	return i;
}

/* Every literal run in t[from..to) as a hint. */
static void
runs_as_hints(const struct tok *t, size_t from, size_t to, const char *rel)
{
	static char text[8192];

	for (size_t k = from; k < to;) {
		if (t[k].kind != T_STRING) {
			k++;
			continue;
		}
		int line = t[k].line;

		k = literal_run(t, to, k, text, sizeof(text));
		add_hint(text, rel, line);
	}
}

/*
 * The hint argument t[from..to): after the condition of "c ? ... : ...",
 * if any, only literals, NULL, a variable or member named hint, '?', ':'
 * and parentheses; anything else is a finding.  A parameter's
 * declaration (char * hint) is no argument.
 */
static void
hint_arg(const struct tok *t, size_t from, size_t to, const char *rel)
{
	size_t k;

	for (k = from; k < to; k++)
		if (is(&t[k], "char"))
			return;
	for (k = from; k < to && !is(&t[k], "?"); k++)
		;
	if (k < to)
		from = k + 1;
	for (k = from; k < to; k++) {
		if (t[k].kind == T_STRING || is(&t[k], "NULL") ||
		    is(&t[k], "hint") || is(&t[k], "?") || is(&t[k], ":") ||
		    is(&t[k], "(") || is(&t[k], ")"))
			continue;
		if (k + 2 < to && t[k].kind == T_IDENT &&
		    (is(&t[k + 1], "->") || is(&t[k + 1], ".")) &&
		    is(&t[k + 2], "hint")) {
			k += 2;
			continue;
		}
		fprintf(stderr, "%s:%d: a hint that is not a literal (%.*s): "
		    "write the sentence as a string literal, so that it has "
		    "one translation\n", rel, t[k].line, (int)t[k].n, t[k].s);
		bad = 1;
		return;
	}
	runs_as_hints(t, from, to, rel);
}

/* In tools/: the "  hint: TEXT\n" a verb prints itself. */
static void
printed_hint(const struct tok *t, size_t n, size_t *i, const char *rel)
{
	static char text[8192];
	int line = t[*i].line;
	char *h, *e;

	*i = literal_run(t, n, *i, text, sizeof(text)) - 1;
	for (h = text; (h = strstr(h, "  hint: ")) != NULL; h = e) {
		h += strlen("  hint: ");
		e = h + strcspn(h, "\n");
		if (*e != '\0')
			*e++ = '\0';
		if (strcmp(h, "%s") != 0)       /* the printer of a hint */
			add_hint(h, rel, line);
	}
}

static void
scan_file(const char *path, const char *rel, int produced)
{
	char *text = slurp(path);
	size_t n, i;
	struct tok *t = lex(text, &n);
	int in_tools = strncmp(rel, "tools/", 6) == 0;
	struct fn local[sizeof(fns) / sizeof(fns[0])];
	size_t nlocal = nfns;

	(void)produced;
	/* the headers' functions, and this file's own (static ones of one
	 * name take their hint at different places: fail_ssl()) */
	memcpy(local, fns, nfns * sizeof(fns[0]));
	if (learn(t, n, "hint", local, &nlocal, sizeof(local) /
	    sizeof(local[0])) != 0)
		bad = 1;
	for (i = 0; i < n; i++) {
		if (t[i].kind == T_STRING) {
			if (in_tools)
				printed_hint(t, n, &i, rel);
			continue;
		}
		if (t[i].kind != T_IDENT)
			continue;
		/* hint = "..."; .hint = "..."; hint[] = "..." */
		if (is(&t[i], "hint") && i + 1 < n && (is(&t[i + 1], "=") ||
		    (i + 3 < n && is(&t[i + 1], "[") && is(&t[i + 2], "]") &&
		    is(&t[i + 3], "=")))) {
			size_t j = i + 1, e;

			while (!is(&t[j], "="))
				j++;
			for (e = j + 1; e < n && !is(&t[e], ";") &&
			    !is(&t[e], ",") && !is(&t[e], "}"); e++)
				;
			runs_as_hints(t, j + 1, e, rel);
			i = e;
			continue;
		}
		/* a call to a function that takes a hint */
		if (i + 1 >= n || !is(&t[i + 1], "("))
			continue;
		for (size_t f = 0; f < nlocal; f++) {
			size_t start, end;

			if (!is(&t[i], local[f].name))
				continue;
			if (call_arg(t, n, i + 1, local[f].arg, &start, &end))
				hint_arg(t, start, end, rel);
			break;
		}
	}
	free(t);
	free(text);
}

/* The functions the headers declare with a hint parameter. */
static void
learn_file(const char *path, const char *rel, int produced)
{
	size_t len = strlen(rel), n;
	char *text;
	struct tok *t;

	(void)produced;
	if (len < 2 || strcmp(rel + len - 2, ".h") != 0)
		return;
	text = slurp(path);
	t = lex(text, &n);
	if (learn(t, n, "hint", fns, &nfns, sizeof(fns) / sizeof(fns[0])) != 0)
		bad = 1;
	free(t);
	free(text);
}

static int
cmp_hint(const void *a, const void *b)
{
	return strcmp(((const struct hint *)a)->text,
	    ((const struct hint *)b)->text);
}

static const struct hint *
find_hint(const char *text)
{
	struct hint key = { .text = (char *)text };

	return bsearch(&key, hints, nhints, sizeof(*hints), cmp_hint);
}

/* Does 's' hold a CJK ideograph (U+4E00..U+9FFF: E4 B8 80 .. E9 BF BF)? */
static int
has_han(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (p[0] >= 0xe4 && p[0] <= 0xe9 && p[1] >= 0x80 &&
		    p[1] <= 0xbf && (p[0] != 0xe4 || p[1] >= 0xb8))
			return 1;
	return 0;
}

/* 's' as an XML attribute value ("&<> escaped) on stdout. */
static void
put_attr(const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		default: putchar(*s);
		}
}

int
main(int argc, char **argv)
{
	int list = argc == 3 && strcmp(argv[2], "--list") == 0;
	int todo = argc == 3 && strcmp(argv[2], "--todo") == 0;
	char path[4096];
	xmlDocPtr doc;
	xmlNodePtr root, h;
	size_t i, k, nentries = 0, ndistinct = 0;
	unsigned char *seen;

	if (argc != 2 && !list && !todo) {
		fprintf(stderr, "usage: hint_catalogue SOURCE_DIR "
		    "[--list | --todo]\n");
		return 2;
	}
	for (i = 0; i < 3; i++)
		walk(argv[1], produced_dirs[i], "c", 1, learn_file);
	for (k = 0; k < nfns && strcmp(fns[k].name, "eb_fail") != 0; k++)
		;
	if (k == nfns) {
		fprintf(stderr, "eb_fail() has no hint parameter?\n");
		return 2;
	}
	for (i = 0; i < 3; i++)
		walk(argv[1], produced_dirs[i], "c", 1, scan_file);
	qsort(hints, nhints, sizeof(*hints), cmp_hint);
	if (list) {
		for (k = 0; k < nfns; k++)
			fprintf(stderr, "takes a hint: %s (argument %d)\n",
			    fns[k].name, fns[k].arg);
		for (i = 0; i < nhints; i++)
			printf("%s\t%s\n", hints[i].where, hints[i].text);
		return 0;
	}

	snprintf(path, sizeof(path), "%s/tools/console/strings.xml", argv[1]);
	if ((doc = xmlReadFile(path, NULL, XML_PARSE_NONET)) == NULL ||
	    (root = xmlDocGetRootElement(doc)) == NULL) {
		fprintf(stderr, "%s: not well-formed XML\n", path);
		return 2;
	}
	if ((seen = calloc(nhints + 1, 1)) == NULL)
		return 2;
	for (h = root->children; h != NULL; h = h->next) {
		xmlChar *en, *zh;
		const struct hint *found;

		if (h->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)h->name, "h") != 0)
			continue;
		nentries++;
		en = xmlGetProp(h, (const xmlChar *)"en");
		zh = xmlGetProp(h, (const xmlChar *)"zh");
		if (en == NULL || en[0] == '\0') {
			fprintf(stderr, "tools/console/strings.xml:%ld: an <h> "
			    "without en=\n", xmlGetLineNo(h));
			bad = 1;
		} else if ((found = find_hint((const char *)en)) == NULL) {
			if (todo)
				printf("<!-- stale, line %ld: no code gives "
				    "it -->\n", xmlGetLineNo(h));
			else {
				fprintf(stderr, "tools/console/strings.xml:%ld: "
				    "stale: no code gives the hint \"%s\" "
				    "(remove the entry, or give the changed "
				    "hint its own)\n", xmlGetLineNo(h),
				    (const char *)en);
				bad = 1;
			}
		} else {
			/* every copy of the hint in the sorted list */
			size_t at = (size_t)(found - hints);

			while (at > 0 && strcmp(hints[at - 1].text,
			    (const char *)en) == 0)
				at--;
			if (seen[at]) {
				fprintf(stderr, "tools/console/strings.xml:%ld: "
				    "a second entry for \"%s\"\n",
				    xmlGetLineNo(h), (const char *)en);
				bad = 1;
			}
			if (zh == NULL || !has_han((const char *)zh)) {
				fprintf(stderr, "tools/console/strings.xml:%ld: "
				    "the entry for \"%s\" has no Chinese in "
				    "zh=\n", xmlGetLineNo(h),
				    (const char *)en);
				bad = 1;
			}
			for (; at < nhints && strcmp(hints[at].text,
			    (const char *)en) == 0; at++)
				seen[at] = 1;
		}
		xmlFree(en);
		xmlFree(zh);
	}
	for (i = 0; i < nhints; i++) {
		if (i > 0 && strcmp(hints[i].text, hints[i - 1].text) == 0)
			continue;
		ndistinct++;
		if (seen[i])
			continue;
		if (todo) {
			printf("  <!-- %s -->\n  <h en=\"", hints[i].where);
			put_attr(hints[i].text);
			printf("\" zh=\"\"/>\n");
		} else {
			fprintf(stderr, "%s: the hint \"%s\" has no Chinese "
			    "translation (add <h en=\"...\" zh=\"...\"/> to "
			    "tools/console/strings.xml; `cmake --build build "
			    "--target hints-todo` lists them)\n",
			    hints[i].where, hints[i].text);
			bad = 1;
		}
	}
	free(seen);
	xmlFreeDoc(doc);
	if (todo)
		return 0;
	if (ndistinct < 300) {
		fprintf(stderr, "only %zu hints found: is the scan broken?\n",
		    ndistinct);
		bad = 1;
	}
	if (bad)
		return 1;
	printf("%zu hints (%zu distinct) in engine/, protocol/ and tools/, "
	    "%zu translations: every hint in Chinese, none stale\n", nhints,
	    ndistinct, nentries);
	return 0;
}
