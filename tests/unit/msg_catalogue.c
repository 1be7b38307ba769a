/*
 * tests/unit/msg_catalogue.c
 *    The refusals' messages in Chinese: every reason of
 *    protocol/reasons.txt reads as a Chinese sentence on the Chinese desk,
 *    and every figure a sentence names is one the console can fill.
 *
 *    The error reply carries no figures (error.xsd: code, reason, status,
 *    and the English message, detail and hint).  tools/console.c adds to
 *    the flash of a refused action the figures it knows itself (the table
 *    msg_values: the amount its form sent, the tender's or sale's view
 *    read after the refusal); console.xsl ("refusal-zh") shows the
 *    reason's label and the first of <m id="msg:REASON">, msg-else-state,
 *    msg-else, msg-else-bare (msg-none, msg-none-bare without a reason)
 *    in tools/console/strings.xml whose every {NAME} it can fill
 *    (docs/console.md, "Refusals in Chinese"); the sheet check's answer
 *    (console.c msg_zh()) msg:REASON, else msg-check.
 *
 *    Findings:
 *      - an <m> without id or zh, a zh without a Chinese character, two
 *        entries with one id;
 *      - an id that is not msg:REASON or msgd:REASON of a reason in
 *        protocol/reasons.txt (stale: the reason is gone) nor one of the
 *        fallbacks; a fallback missing; msg-else-bare or msg-none-bare
 *        naming a figure (the last of a chain must always fill);
 *        msg-none or msg-none-bare naming {why} (they are for refusals
 *        without a reason);
 *      - a reason with neither its own msg: nor a Chinese why: label (the
 *        fallbacks say the label);
 *      - a {NAME} that is not cmd, why, role or a name of console.c's
 *        msg_values, a {NAME:daxie} of a figure not in fen, another
 *        suffix, a '{' without its '}';
 *      - a figure of msg_values with another kind than fen, at or token,
 *        or that no message names (stale).
 *
 * Usage: msg_catalogue SOURCE_DIR [--list].  Exit 0 when clean, 1 with
 * each finding on stderr.  --list prints each reason and the entry its
 * message reads ("msg:REASON" or "fallback"), then the counts; exit 0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "csource.h"

#define MAX_REASONS 2048
#define MAX_MSGS 1024
#define MAX_VALUES 64

static char *reasons[MAX_REASONS];
static size_t nreasons;

static struct msg {
	char *id, *zh;
	int line;
} msgs[MAX_MSGS];
static size_t nmsgs;

static char *labels[MAX_REASONS];       /* why:TOKEN with Chinese */
static size_t nlabels;

static struct value {
	char name[64], as[16];
	int used;
} values[MAX_VALUES];
static size_t nvalues;

static const char *const fallbacks[] = { "msg-else-state", "msg-else",
    "msg-else-bare", "msg-none", "msg-none-bare", "msg-check" };

static int bad;

/* "strings.xml[:LINE]: " and the finding */
__attribute__((format(printf, 2, 3)))
static void
finding_at(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "strings.xml");
	if (line > 0)
		fprintf(stderr, ":%d", line);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bad = 1;
}
#define finding(fmt, a, b, line) finding_at((line), (fmt), (a), (b))

static int
has_han(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	/* U+4E00..U+9FFF: E4 B8 80 .. E9 BF BF */
	for (; *p; p++)
		if (*p >= 0xE4 && *p <= 0xE9 && p[1] >= 0x80 && p[2] >= 0x80)
			return 1;
	return 0;
}

static int
is_reason(const char *t)
{
	for (size_t i = 0; i < nreasons; i++)
		if (strcmp(reasons[i], t) == 0)
			return 1;
	return 0;
}

static const struct msg *
find_msg(const char *id)
{
	for (size_t i = 0; i < nmsgs; i++)
		if (strcmp(msgs[i].id, id) == 0)
			return &msgs[i];
	return NULL;
}

static int
has_label(const char *t)
{
	for (size_t i = 0; i < nlabels; i++)
		if (strcmp(labels[i], t) == 0)
			return 1;
	return 0;
}

static struct value *
find_value(const char *name)
{
	for (size_t i = 0; i < nvalues; i++)
		if (strcmp(values[i].name, name) == 0)
			return &values[i];
	return NULL;
}

/* protocol/reasons.txt: the first word of each line but comments and
 * section heads */
static void
read_reasons(const char *src)
{
	char path[4096], *text, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/protocol/reasons.txt", src);
	text = slurp(path);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		size_t n = strcspn(line, " \t");

		if (line[0] == '#' || n == 0 || strncmp(line, "Section:", 8) ==
		    0)
			continue;
		if (nreasons == MAX_REASONS)
			exit(2);
		if ((reasons[nreasons] = strndup(line, n)) == NULL)
			exit(2);
		nreasons++;
	}
	free(text);
}

/* tools/console/strings.xml: the <m>s and the why: labels */
static void
read_strings(const char *src)
{
	char path[4096];
	xmlDocPtr doc;
	xmlNodePtr n;

	snprintf(path, sizeof(path), "%s/tools/console/strings.xml", src);
	if ((doc = xmlReadFile(path, NULL, XML_PARSE_NONET)) == NULL ||
	    xmlDocGetRootElement(doc) == NULL) {
		fprintf(stderr, "%s: not readable XML\n", path);
		exit(2);
	}
	for (n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next) {
		xmlChar *id, *zh;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		id = xmlGetProp(n, (const xmlChar *)"id");
		zh = xmlGetProp(n, (const xmlChar *)"zh");
		if (strcmp((const char *)n->name, "s") == 0 && id != NULL &&
		    strncmp((const char *)id, "why:", 4) == 0 && zh != NULL &&
		    has_han((const char *)zh) && nlabels < MAX_REASONS)
			labels[nlabels++] = strdup((const char *)id + 4);
		if (strcmp((const char *)n->name, "m") == 0) {
			if (nmsgs == MAX_MSGS)
				exit(2);
			msgs[nmsgs].id = strdup(id ? (const char *)id : "");
			msgs[nmsgs].zh = strdup(zh ? (const char *)zh : "");
			msgs[nmsgs].line = (int)xmlGetLineNo(n);
			nmsgs++;
		}
		xmlFree(id);
		xmlFree(zh);
	}
	xmlFreeDoc(doc);
}

/* tools/console.c: msg_values[] = { { "NAME", "FAMILY", "PATH", "ATTR",
 * "AS" }, ... }: the first and the fifth literal of each brace */
static void
read_values(const char *src)
{
	char path[4096], *text;
	struct tok *t;
	size_t n, i, end;

	snprintf(path, sizeof(path), "%s/tools/console.c", src);
	text = slurp(path);
	t = lex(text, &n);
	for (i = 0; i + 4 < n; i++)
		if (is(&t[i], "msg_values") && is(&t[i + 1], "[") &&
		    is(&t[i + 2], "]") && is(&t[i + 3], "="))
			break;
	if (i + 4 >= n || !is(&t[i + 4], "{")) {
		fprintf(stderr, "console.c: no table msg_values[] = { ... }\n");
		exit(2);
	}
	end = close_paren(t, n, i + 4) - 1;
	for (i += 5; i < end; i++) {
		size_t k, close, lit = 0;
		const struct tok *s[5];

		if (!is(&t[i], "{"))
			continue;
		close = close_paren(t, n, i) - 1;
		for (k = i + 1; k < close; k++)
			if (t[k].kind == T_STRING && lit < 5)
				s[lit++] = &t[k];
		if (lit != 5 || nvalues == MAX_VALUES || s[0]->n >= 64 ||
		    s[4]->n >= 16) {
			fprintf(stderr, "console.c:%d: a msg_values entry is "
			    "not { NAME, FAMILY, PATH, ATTR, AS }\n", t[i].line);
			bad = 1;
		} else {
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)s[0]->n,
			    s[0]->s);
			if (find_value(name) != NULL) {   /* state: two views */
				i = close;
				continue;
			}
			snprintf(values[nvalues].name, sizeof(values[0].name),
			    "%s", name);
			snprintf(values[nvalues].as, sizeof(values[0].as),
			    "%.*s", (int)s[4]->n, s[4]->s);
			if (strcmp(values[nvalues].as, "fen") != 0 &&
			    strcmp(values[nvalues].as, "at") != 0 &&
			    strcmp(values[nvalues].as, "token") != 0) {
				fprintf(stderr, "console.c:%d: figure %s is "
				    "given as %s, not fen, at or token\n",
				    t[i].line, values[nvalues].name,
				    values[nvalues].as);
				bad = 1;
			}
			nvalues++;
		}
		i = close;
	}
	free(t);
	free(text);
}

/* The {NAME}s of message 'm': each a name the console fills. */
static void
check_names(const struct msg *m, int fallback_last, int no_reason)
{
	const char *p = m->zh, *o, *c;
	char name[128], *suffix;
	struct value *v;

	while ((o = strchr(p, '{')) != NULL) {
		if ((c = strchr(o, '}')) == NULL || memchr(o + 1, '{',
		    (size_t)(c - o - 1)) != NULL) {
			finding("%s: a '{' without its '}'%s", m->id, "",
			    m->line);
			return;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(c - o - 1), o + 1);
		p = c + 1;
		if ((suffix = strchr(name, ':')) != NULL)
			*suffix++ = '\0';
		if (fallback_last) {
			finding("%s: the last of a chain names {%s}: it must "
			    "always fill", m->id, name, m->line);
			continue;
		}
		if (strcmp(name, "cmd") == 0 || strcmp(name, "role") == 0 ||
		    strcmp(name, "why") == 0) {
			if (no_reason && strcmp(name, "why") == 0)
				finding("%s: names {why}, but it is for a "
				    "refusal without a reason%s", m->id, "",
				    m->line);
			if (suffix != NULL)
				finding("%s: {%s:...}: only a figure in fen "
				    "takes :daxie", m->id, name, m->line);
			continue;
		}
		if ((v = find_value(name)) == NULL) {
			finding("%s: {%s} is no figure the console fills "
			    "(console.c msg_values, cmd, why, role)", m->id,
			    name, m->line);
			continue;
		}
		v->used = 1;
		if (suffix != NULL && (strcmp(suffix, "daxie") != 0 ||
		    strcmp(v->as, "fen") != 0))
			finding("%s: {%s:...}: the only suffix is :daxie, "
			    "on a figure in fen", m->id, name, m->line);
	}
	if (strchr(p, '}') != NULL)
		finding("%s: a '}' without its '{'%s", m->id, "", m->line);
}

int
main(int argc, char **argv)
{
	int list = argc > 2 && strcmp(argv[2], "--list") == 0;
	size_t i, j, own = 0, fell = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: msg_catalogue SOURCE_DIR [--list]\n");
		return 2;
	}
	read_reasons(argv[1]);
	read_strings(argv[1]);
	read_values(argv[1]);

	for (i = 0; i < nmsgs; i++) {
		const struct msg *m = &msgs[i];
		int fb = -1;

		if (m->id[0] == '\0' || m->zh[0] == '\0') {
			finding("an <m> without id or zh (id \"%s\")%s", m->id,
			    "", m->line);
			continue;
		}
		if (!has_han(m->zh))
			finding("%s: no Chinese in zh%s", m->id, "", m->line);
		for (j = 0; j < i; j++)
			if (strcmp(msgs[j].id, m->id) == 0)
				finding("%s: a second entry with this id%s",
				    m->id, "", m->line);
		for (j = 0; j < sizeof(fallbacks) / sizeof(fallbacks[0]); j++)
			if (strcmp(m->id, fallbacks[j]) == 0)
				fb = (int)j;
		if (fb >= 0) {
			check_names(m, strcmp(m->id, "msg-else-bare") == 0 ||
			    strcmp(m->id, "msg-none-bare") == 0 ||
			    strcmp(m->id, "msg-check") == 0,
			    strncmp(m->id, "msg-none", 8) == 0);
			continue;
		}
		if (strncmp(m->id, "msg:", 4) == 0 ||
		    strncmp(m->id, "msgd:", 5) == 0) {
			const char *t = strchr(m->id, ':') + 1;

			if (!is_reason(t))
				finding("%s: stale: %s is no reason of "
				    "protocol/reasons.txt", m->id, t, m->line);
			check_names(m, 0, 0);
			continue;
		}
		finding("%s: not msg:REASON, msgd:REASON nor a fallback%s",
		    m->id, "", m->line);
	}
	for (j = 0; j < sizeof(fallbacks) / sizeof(fallbacks[0]); j++)
		if (find_msg(fallbacks[j]) == NULL)
			finding("the fallback %s is missing%s", fallbacks[j],
			    "", 0);
	for (i = 0; i < nreasons; i++) {
		char id[128];

		snprintf(id, sizeof(id), "msg:%s", reasons[i]);
		if (find_msg(id) != NULL)
			own++;
		else if (has_label(reasons[i]))
			fell++;
		else
			finding("reason %s has neither %s nor a Chinese why: "
			    "label for the fallback", reasons[i], id, 0);
		if (list)
			printf("%s\t%s\n", reasons[i], find_msg(id) != NULL ?
			    id : "fallback");
	}
	for (i = 0; i < nvalues; i++)
		if (!values[i].used) {
			fprintf(stderr, "console.c: figure %s of msg_values "
			    "is named by no message (stale)\n",
			    values[i].name);
			bad = 1;
		}
	if (list) {
		printf("%zu reasons: %zu with their own message, %zu through "
		    "the fallbacks; %zu figures\n", nreasons, own, fell,
		    nvalues);
		return 0;
	}
	return bad;
}
