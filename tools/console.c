/*
 * tools/console.c
 *    `ebid console`: see console.h and docs/console.md.
 *
 *    GET  /?token=T          the one-time token: cookie, 303 to /
 *    GET  /                  who I am, the tenders and sales I opened here
 *    GET  /open?id=ID        a tender (T-...) or a sale: 303 to its desk
 *    GET  /t/ID              the tender's desk for my role (view + duties)
 *    POST /t/ID/do           a command of my duties (cmd=, a.NAME, c.NAME)
 *    POST /t/ID/check        (expert) the draft score sheet checked by the
 *                            core's own rule; answers <problem ok=>
 *                            with the message, detail and hint (their
 *                            Chinese in <message zh=>, <hint zh=>)
 *    POST /t/ID/scores       (expert) the score sheet, signed and sent
 *    POST /t/ID/sign         (expert) sign the committee report [dissent]
 *    POST /t/ID/bid          (bidder) a bid file: sealed, signed, submitted;
 *                            with attachments, in a child process whose
 *                            progress the page shows (see "a bid with
 *                            attachments" below)
 *    GET  /t/ID/bid-progress (bidder) that upload's figures, JSON
 *    POST /t/ID/bid-resume   (bidder) upload an interrupted one again
 *    POST /t/ID/bid-begin, bid-part?kind=&name=&offset=, bid-go
 *                            (bidder) the same bid sent by the page's
 *                            script in pieces (files over the body limit)
 *    GET  /t/ID/receipt      (bidder) the receipt of that submission (DER)
 *    GET  /s/ID              a sale's live page
 *    GET  /s/ID/state        the sale as XML, for the page's script
 *    GET  /daxie?yuan=A      the amount A in 大写 (text), for the script
 *    POST /s/ID/bid          an amount: a confirmation page (大写), then,
 *                            with confirm=yes, the signed auction bid
 *    GET  /static/console.css|console.js
 *    any page: ?lang=en for English (Simplified Chinese otherwise)
 *
 * Every action runs the CLI's verb (eb_verbs_main) with an argv built
 * here, its output captured: what the person sees is what `ebid` prints,
 * a refusal as the server's message, detail and hint (on the Chinese
 * page in Chinese, with the figures of msg_values: docs/console.md,
 * "Refusals in Chinese").  Reads go through
 * this process's own mutual-TLS client (eb_client).  One person, one
 * browser: requests are served one at a time on the event loop.
 *
 * Ownership: one struct console for the run owns the listener, the
 * compiled stylesheet, the strings, the read client, the flash message
 * (shown once, by the next page), the score drafts and the last receipt.
 */
#include "tools/console.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "engine/core/evaluation.h"
#include "protocol/doc.h"
#include "protocol/hash.h"
#include "protocol/pagefn.h"
#include "protocol/xml.h"
#include "tools/client.h"
#include "tools/fileio.h"
#include "tools/verbs.h"
#include "protocol/mem.h"

#ifndef EB_CONSOLE_PAGES
#define EB_CONSOLE_PAGES "tools/console"
#endif
#ifndef EB_XSD_DEFAULT
#define EB_XSD_DEFAULT "protocol/xsd/ebid.xsd"
#endif

#define EXIT_USAGE 2
#define EXIT_LOCAL 4
#define BODY_MAX ((size_t)64 << 20)
#define VIEW_MAX ((size_t)64 << 20)
#define MAX_RECENT 32
#define MAX_DRAFTS 8
#define MAX_NAMES 64
#define MAX_ARGS 80

/* struct bidjob: JOB_STAGING, the page is sending the files in pieces */
enum { JOB_NONE, JOB_STAGING, JOB_RUNNING, JOB_DONE, JOB_FAILED };
#define MAX_ATTACH 32

extern char **environ;

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

struct draft {
	char tender[64];
	struct eb_doc *sheet;     /* <score-sheet>, the last one checked */
};

struct console {
	const char *url, *ca, *cert, *key, *pages;
	struct event_base *base;
	struct evhttp *http;
	int port;
	char token[65], session[65], cookie[48];
	int token_used;
	char host_ip[64], host_name[64], origin_ip[80], origin_name[80];
	xsltStylesheetPtr style;
	xsltSecurityPrefsPtr sec;
	struct eb_doc *strings;            /* strings.xml but its <h>s */
	struct eb_doc *hints;              /* <strings> of its <h>s only */
	struct eb_client *client;
	struct eb_doc *me;                 /* whoami */
	char recent[MAX_RECENT][64];
	int nrecent;
	struct eb_doc *flash;
	struct draft drafts[MAX_DRAFTS];
	char draw_tender[64];              /* request-draw's secret, kept */
	char draw_secret[65];              /* here until draw-experts */
	struct bidjob {                    /* a bid with attachments, sealed
	                                    * and uploaded by a child process */
		pid_t pid;                 /* running, 0: none */
		int state;                 /* JOB_* */
		char tender[64];
		char dir[64];              /* its files (act_bid_job) */
		int sealed;                /* bid.sealed made: resume submits */
		uint64_t stop_after;       /* EBID_CONSOLE_STOP_AFTER, once */
		unsigned long long done, total;   /* the figures at its end */
		char *staged[MAX_ATTACH];  /* JOB_STAGING: attachments' paths */
		int nstaged;
		struct event *reap;        /* waits for the child */
	} job;
	uint8_t *receipt, *sealed;         /* the last bid's, for download */
	size_t receipt_len, sealed_len;
	char receipt_tender[64];
	struct eb_buf css, js;
	struct {                           /* trading subjects' names, read */
		char id[64];               /* once per console run */
		char name[256];
	} names[MAX_NAMES];
	int nnames;
};

/* -- small helpers ------------------------------------------------------ */

static int
valid_id(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' &&
		    s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '-' || s[n] == '_' || s[n] == '.'))
			return 0;
	return n > 0 && n < 64 && s[0] != '.';
}

static void
hex_random(char *out, size_t bytes)
{
	unsigned char r[32];

	if (bytes > sizeof(r) || RAND_bytes(r, (int)bytes) != 1) {
		fprintf(stderr, "ebid console: no randomness (RAND_bytes)\n");
		exit(EXIT_LOCAL);
	}
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	OPENSSL_cleanse(r, sizeof(r));
}

static int
same_secret(const char *a, const char *b)
{
	size_t n = strlen(b);

	return a != NULL && strlen(a) == n && n > 0 &&
	    CRYPTO_memcmp(a, b, n) == 0;
}

/* Chinese capital numerals (大写) of an amount in fen: the one
 * conversion of protocol/pagefn.c, which the pages call too. */
int
eb_console_daxie(int64_t fen, char *out, size_t cap)
{
	char d[24];

	if (fen < 0)
		return -1;
	snprintf(d, sizeof(d), "%lld", (long long)fen);
	return eb_daxie_fen(d, out, cap);
}

/* Yuan as typed ("9,450,000.00", "9450000") to fen; -1 if not money. */
static int
yuan_fen(const char *s, int64_t *fen)
{
	int64_t v = 0;
	int frac = -1, digits = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if ((*s == ',' || *s == ' ') && frac < 0)
			continue;
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || frac >= 2 || v > INT64_MAX / 100)
			return -1;
		v = v * 10 + (*s - '0');
		digits++;
		if (frac >= 0)
			frac++;
	}
	if (digits == 0)
		return -1;
	for (frac = frac < 0 ? 0 : frac; frac < 2; frac++)
		v *= 10;
	*fen = v;
	return 0;
}

static void
fen_yuan(int64_t fen, char *out, size_t cap)
{
	char d[32], g[48];
	size_t n, j = 0;

	snprintf(d, sizeof(d), "%lld", (long long)(fen / 100));
	n = strlen(d);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			g[j++] = ',';
		g[j++] = d[i];
	}
	g[j] = '\0';
	snprintf(out, cap, "%s.%02lld", g, (long long)(fen % 100));
}

/* -- running a verb of the CLI ------------------------------------------ */

/* Append text; a buffer that cannot grow keeps what it has. */
static void
put(struct eb_buf *b, const char *s)
{
	int rc = eb_buf_puts(b, s);

	(void)rc;
}

static void
read_back(FILE *f, struct eb_buf *b)
{
	char chunk[4096];
	size_t n;

	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (eb_buf_append(b, chunk, n) != EB_OK)
			break;
}

/*
 * Run `ebid ARGV...` (a verb family) in this process with stdout and
 * stderr captured; returns its exit status.
 */
static int
run_verb(struct console *c, int argc, const char **argv, struct eb_buf *out,
    struct eb_buf *err)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so, se, rc;

	if (fo == NULL || fe == NULL) {
		if (fo != NULL)
			fclose(fo);
		if (fe != NULL)
			fclose(fe);
		put(err, "error: cannot make a temporary file\n");
		return EXIT_LOCAL;
	}
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	rc = eb_verbs_main(argc, (char **)argv, c->url, c->ca, c->cert,
	    c->key);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	read_back(fo, out);
	read_back(fe, err);
	fclose(fo);
	fclose(fe);
	return rc;
}

/* The flash of an action: ok with what ebid printed, or the refusal. */
static void
set_flash(struct console *c, int rc, const struct eb_buf *out,
    const struct eb_buf *err, const char *what)
{
	struct eb_doc *f = eb_doc_new("flash");
	const char *e = eb_buf_str(err);
	char *copy = eb_strdup(e != NULL ? e : ""), *line, *save = NULL;

	eb_doc_set_attr(f, "kind", rc == 0 ? "ok" : "error");
	eb_doc_set_attr(f, "action", what);
	eb_doc_set_attr_i64(f, "exit", rc);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "error: ", 7) == 0 &&
		    eb_doc_child(f, "message") == NULL)
			eb_doc_add_text(f, "message", line + 7);
		else if (strncmp(line, "  detail: ", 10) == 0 &&
		    eb_doc_child(f, "detail") == NULL)
			eb_doc_add_text(f, "detail", line + 10);
		else if (strncmp(line, "  hint: ", 8) == 0 &&
		    eb_doc_child(f, "hint") == NULL)
			eb_doc_add_text(f, "hint", line + 8);
		else if (strncmp(line, "  code: ", 8) == 0 &&
		    eb_doc_attr(f, "reason") == NULL)
			eb_doc_set_attr(f, "reason", line + 8);
	}
	free(copy);
	if (rc != 0 && eb_doc_child(f, "message") == NULL)
		eb_doc_add_text(f, "message", e != NULL && *e ? e :
		    "the command failed");
	if (out->len > 0)
		eb_doc_add_text(f, "output", eb_buf_str(out));
	eb_doc_free(c->flash);
	c->flash = f;
}

/*
 * The figures a refusal's Chinese message names (strings.xml <m
 * id="msg:REASON" zh="... {NAME} ...">, console.xsl "refusal-zh";
 * docs/console.md, "Refusals in Chinese").  The error reply carries none
 * of them (error.xsd: code, reason, status and English text), so the
 * console adds to the flash of a refused action what it knows itself,
 * as <value name=NAME fen=|at=|token=>: the amount its form sent, and
 * the figures of the tender's or sale's view read right after the
 * refusal.  {cmd}, {why} and {role} the stylesheet fills from the flash
 * (the action, the reason) and whoami.  A message whose figure is not
 * there falls back to the next one (the reason's label and the action).
 * CTest msg_catalogue reads this table: every {NAME} of strings.xml's
 * messages is one of these names (or cmd, why, role), {NAME:daxie} one
 * given in fen.
 */
static const struct msg_value {
	const char *name;       /* {NAME} */
	const char *family;     /* the view read: "tender", "sale"; "form" */
	const char *path;       /* its element below the view's root, or "" */
	const char *attr;       /* its attribute there (the form's field) */
	const char *as;         /* fen, at or token: <value>'s attribute */
} msg_values[] = {
	{ "amount",         "form",   "",             "amount",         "fen" },
	{ "state",          "tender", "",             "state",          "token" },
	{ "deadline",       "tender", "registration/bid-deadline", "at", "at" },
	{ "opening",        "tender", "registration/opening-time", "at", "at" },
	{ "state",          "sale",   "",             "state",          "token" },
	{ "current",        "sale",   "price",        "current",        "fen" },
	{ "minimum",        "sale",   "price",        "minimum",        "fen" },
	{ "increment",      "sale",   "terms",        "increment",      "fen" },
	{ "deposit",        "sale",   "terms",        "deposit",        "fen" },
	{ "listing-start",  "sale",   "terms",        "listing-start",  "at" },
	{ "listing-end",    "sale",   "terms",        "listing-end",    "at" },
	{ "ends",           "sale",   "auction",      "ends",           "at" },
};

static struct eb_doc *fetch(struct console *c, const char *path,
    struct eb_error *e);

/* The element 'path' ("a/b", "" the root itself) below 'd', or NULL. */
static const struct eb_doc *
doc_at(const struct eb_doc *d, const char *path)
{
	char name[64];
	size_t n;

	while (d != NULL && *path != '\0') {
		n = strcspn(path, "/");
		if (n >= sizeof(name))
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		d = eb_doc_child(d, name);
		path += n + (path[n] == '/');
	}
	return d;
}

static void
add_value(struct eb_doc *f, const char *name, const char *as,
    const char *v)
{
	struct eb_doc *x = eb_doc_add(f, "value");

	eb_doc_set_attr(x, "name", name);
	eb_doc_set_attr(x, as, v);
}

/*
 * The flash of a refused action on tender or sale 'id' ('family'; other
 * desks: NULL) gets the figures of msg_values: 'amount_fen' (the form's,
 * or -1) and the view's, read now.  The current price only once there
 * is one (a leader).  Nothing is added to an accepted action's flash.
 */
static void
flash_values(struct console *c, const char *family, const char *id,
    int64_t amount_fen)
{
	struct eb_doc *view = NULL;
	const struct eb_doc *at;
	const char *v;
	struct eb_error e;
	char path[160], fen[32];
	size_t i;

	if (c->flash == NULL || eb_doc_attr(c->flash, "reason") == NULL ||
	    strcmp(eb_doc_attr(c->flash, "kind"), "error") != 0)
		return;
	if (amount_fen >= 0) {
		snprintf(fen, sizeof(fen), "%lld", (long long)amount_fen);
		add_value(c->flash, "amount", "fen", fen);
	}
	if (family == NULL || (strcmp(family, "tender") != 0 &&
	    strcmp(family, "sale") != 0))
		return;
	eb_error_clear(&e);
	snprintf(path, sizeof(path), "/v1/%ss/%s", family, id);
	if ((view = fetch(c, path, &e)) == NULL)
		return;
	for (i = 0; i < sizeof(msg_values) / sizeof(msg_values[0]); i++) {
		if (strcmp(msg_values[i].family, family) != 0 ||
		    (at = doc_at(view, msg_values[i].path)) == NULL ||
		    (v = eb_doc_attr(at, msg_values[i].attr)) == NULL)
			continue;
		if (strcmp(msg_values[i].name, "current") == 0 &&
		    ((v = eb_doc_attr(at, "leader")) == NULL ||
		    strcmp(v, "0") == 0))
			continue;
		add_value(c->flash, msg_values[i].name, msg_values[i].as,
		    eb_doc_attr(at, msg_values[i].attr));
	}
	eb_doc_free(view);
}

/* -- reads -------------------------------------------------------------- */

/* GET 'path' from ebidd: the tree, or NULL with *status and 'e'. */
static struct eb_doc *
fetch(struct console *c, const char *path, struct eb_error *e)
{
	static const struct eb_xml_limits lim = { .max_bytes = VIEW_MAX,
	    .max_depth = 64, .max_elements = 1000000 };
	struct eb_buf body = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	int status = 0;

	body.max = VIEW_MAX;
	if (c->client == NULL &&
	    (c->client = eb_client_open(c->url, c->ca, c->cert, c->key, e)) ==
	    NULL)
		return NULL;
	if (eb_client_get(c->client, path, &body, &status, e) != EB_OK) {
		/* a dropped keep-alive: once more on a new connection */
		eb_client_close(c->client);
		eb_error_clear(e);
		if ((c->client = eb_client_open(c->url, c->ca, c->cert, c->key,
		    e)) == NULL || eb_client_get(c->client, path, &body,
		    &status, e) != EB_OK) {
			eb_buf_free(&body);
			return NULL;
		}
	}
	if (status != 200)
		eb_client_reply_error(&body, status, e);
	else if (eb_xml_parse(NULL, &lim, body.data, body.len, &d, e) != EB_OK)
		d = NULL;
	eb_buf_free(&body);
	return d;
}

/*
 * The Chinese of the English hint 'en' (strings.xml <h en= zh=>, the exact
 * text as key: docs/console.md, "Hints in Chinese"), or NULL.  For the
 * check's answer, which the page's script shows; the pages look hints up
 * in console.xsl.
 */
static const char *
hint_zh(const struct console *c, const char *en)
{
	const struct eb_doc *h;
	const char *v;

	if (en == NULL)
		return NULL;
	eb_doc_foreach(h, c->hints, "h")
		if ((v = eb_doc_attr(h, "en")) != NULL && strcmp(v, en) == 0 &&
		    (v = eb_doc_attr(h, "zh")) != NULL && v[0] != '\0')
			return v;
	return NULL;
}

/* The Chinese label strings.xml gives "K:TOKEN", or NULL. */
static const char *
label_zh(const struct console *c, const char *k, const char *token)
{
	const struct eb_doc *s;
	const char *id;
	size_t n = strlen(k);

	if (token == NULL)
		return NULL;
	eb_doc_foreach(s, c->strings, "s")
		if ((id = eb_doc_attr(s, "id")) != NULL &&
		    strncmp(id, k, n) == 0 && id[n] == ':' &&
		    strcmp(id + n + 1, token) == 0)
			return eb_doc_attr(s, "zh");
	return NULL;
}

/*
 * The Chinese message of the sheet check's refusal for reason 'why' (the
 * answer of POST /t/ID/check, which the page's script shows; nothing was
 * sent, so not the centre's fallbacks): the first of msg:REASON,
 * msg-check naming only {cmd} ('cmd'), {why} and {role}, filled with
 * their labels (console.xsl's "refusal-zh" does the same with the
 * figures); 0, or -1 when none fits.
 */
static int
msg_zh(const struct console *c, const char *cmd, const char *why,
    struct eb_buf *out)
{
	char id[96];
	const char *ids[2] = { id, "msg-check" };
	const struct eb_doc *m;
	size_t i;

	snprintf(id, sizeof(id), "msg:%s", why != NULL ? why : "");
	for (i = 0; i < 2; i++) {
		const char *t = NULL, *v, *p, *o, *e;
		int fits = 1;

		eb_doc_foreach(m, c->hints, "m")
			if ((v = eb_doc_attr(m, "id")) != NULL &&
			    strcmp(v, ids[i]) == 0)
				t = eb_doc_attr(m, "zh");
		if (t == NULL || t[0] == '\0')
			continue;
		out->len = 0;
		for (p = t; fits && (o = strchr(p, '{')) != NULL &&
		    (e = strchr(o, '}')) != NULL; p = e + 1) {
			char name[32];

			snprintf(name, sizeof(name), "%.*s", (int)(e - o - 1),
			    o + 1);
			v = strcmp(name, "cmd") == 0 ? label_zh(c, "cmd", cmd) :
			    strcmp(name, "why") == 0 ? label_zh(c, "why",
			    why) : strcmp(name, "role") == 0 && c->me != NULL ?
			    label_zh(c, "role", eb_doc_attr(c->me, "role")) :
			    NULL;
			if (v == NULL)
				fits = 0;
			else if (eb_buf_append(out, p, (size_t)(o - p)) != EB_OK ||
			    eb_buf_puts(out, v) != EB_OK)
				return -1;
		}
		if (fits && eb_buf_puts(out, p) == EB_OK)
			return 0;
	}
	return -1;
}

static struct eb_doc *
problem_doc(const struct eb_error *e)
{
	struct eb_doc *p = eb_doc_new("problem");

	eb_doc_set_attr(p, "reason", e->reason);
	eb_doc_add_text(p, "message", e->primary[0] ? e->primary :
	    "the server could not be read");
	if (e->detail[0])
		eb_doc_add_text(p, "detail", e->detail);
	if (e->hint[0])
		eb_doc_add_text(p, "hint", e->hint);
	return p;
}

static char letter_of(const char *family);

static void
remember(struct console *c, const char *kind, const char *id)
{
	char key[64];

	snprintf(key, sizeof(key), "%c%s", letter_of(kind), id);
	for (int i = 0; i < c->nrecent; i++)
		if (strcmp(c->recent[i], key) == 0)
			return;
	if (c->nrecent == MAX_RECENT) {
		memmove(c->recent[0], c->recent[1],
		    sizeof(c->recent[0]) * (MAX_RECENT - 1));
		c->nrecent--;
	}
	snprintf(c->recent[c->nrecent++], sizeof(c->recent[0]), "%s", key);
}

static struct draft *
draft_for(struct console *c, const char *tender, int create)
{
	for (int i = 0; i < MAX_DRAFTS; i++)
		if (strcmp(c->drafts[i].tender, tender) == 0)
			return &c->drafts[i];
	if (!create)
		return NULL;
	for (int i = 0; i < MAX_DRAFTS; i++)
		if (c->drafts[i].tender[0] == '\0') {
			snprintf(c->drafts[i].tender,
			    sizeof(c->drafts[i].tender), "%s", tender);
			return &c->drafts[i];
		}
	eb_doc_free(c->drafts[0].sheet);
	c->drafts[0].sheet = NULL;
	snprintf(c->drafts[0].tender, sizeof(c->drafts[0].tender), "%s",
	    tender);
	return &c->drafts[0];
}

/* -- the fields of a command, from the schema ---------------------------- */

static xmlNodePtr
xs_child(xmlNodePtr n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

static int
xs_is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static char *
xs_attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* A top-level xs:element or xs:complexType named 'name' in 'doc'. */
static xmlNodePtr
xs_top(xmlDocPtr doc, const char *kind, const char *name)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	const char *colon = strchr(name, ':');

	if (colon != NULL)
		name = colon + 1;
	for (n = root != NULL ? root->children : NULL; n != NULL; n = n->next) {
		char *nm;
		int hit;

		if (!xs_is(n, kind))
			continue;
		nm = xs_attr(n, "name");
		hit = nm != NULL && strcmp(nm, name) == 0;
		xmlFree(nm);
		if (hit)
			return n;
	}
	return NULL;
}

static void fields_of_type(xmlDocPtr *docs, int ndocs, xmlNodePtr type,
    struct eb_doc *out, int depth);

static xmlNodePtr
find_type(xmlDocPtr *docs, int ndocs, const char *name)
{
	xmlNodePtr t = NULL;

	for (int i = 0; i < ndocs && t == NULL; i++)
		t = xs_top(docs[i], "complexType", name);
	return t;
}

static void
fields_of_seq(xmlDocPtr *docs, int ndocs, xmlNodePtr seq, struct eb_doc *out)
{
	for (xmlNodePtr n = seq->children; n != NULL; n = n->next) {
		char *nm, *min, *max, *type;
		struct eb_doc *f;

		if (xs_is(n, "sequence") || xs_is(n, "choice")) {
			fields_of_seq(docs, ndocs, n, out);
			continue;
		}
		if (!xs_is(n, "element") || (nm = xs_attr(n, "name")) == NULL)
			continue;
		min = xs_attr(n, "minOccurs");
		max = xs_attr(n, "maxOccurs");
		type = xs_attr(n, "type");
		f = eb_doc_add(out, "child");
		eb_doc_set_attr(f, "name", nm);
		eb_doc_set_attr(f, "required", min != NULL &&
		    strcmp(min, "0") == 0 ? "no" : "yes");
		eb_doc_set_attr(f, "many", max != NULL && strcmp(max, "1") != 0 ?
		    "yes" : "no");
		if (xs_child(n, "complexType") != NULL ||
		    (type != NULL && find_type(docs, ndocs, type) != NULL))
			eb_doc_set_attr(f, "complex", "yes");
		xmlFree(nm);
		xmlFree(min);
		xmlFree(max);
		xmlFree(type);
	}
}

static void
fields_of_type(xmlDocPtr *docs, int ndocs, xmlNodePtr type, struct eb_doc *out,
    int depth)
{
	xmlNodePtr n, ext;

	if (type == NULL || depth > 4)
		return;
	if ((n = xs_child(type, "complexContent")) != NULL &&
	    (ext = xs_child(n, "extension")) != NULL) {
		char *base = xs_attr(ext, "base");

		if (base != NULL)
			fields_of_type(docs, ndocs, find_type(docs, ndocs, base),
			    out, depth + 1);
		xmlFree(base);
		type = ext;
	}
	for (n = type->children; n != NULL; n = n->next) {
		if (xs_is(n, "sequence") || xs_is(n, "choice") ||
		    xs_is(n, "all")) {
			fields_of_seq(docs, ndocs, n, out);
		} else if (xs_is(n, "attribute")) {
			char *nm = xs_attr(n, "name"), *use = xs_attr(n, "use");

			if (nm != NULL && strcmp(nm, "tender") != 0 &&
			    strcmp(nm, "sale") != 0 && strcmp(nm, "pool") != 0) {
				struct eb_doc *f = eb_doc_add(out, "attr");

				xmlNodePtr st = xs_child(n, "simpleType"), x;

				eb_doc_set_attr(f, "name", nm);
				eb_doc_set_attr(f, "required", use != NULL &&
				    strcmp(use, "required") == 0 ? "yes" : "no");
				/* an enumeration: the form offers its values */
				x = st != NULL ? xs_child(st, "restriction") : NULL;
				for (x = x != NULL ? x->children : NULL;
				    x != NULL; x = x->next) {
					char *v;

					if (!xs_is(x, "enumeration") ||
					    (v = xs_attr(x, "value")) == NULL)
						continue;
					eb_doc_set_attr(eb_doc_add(f, "enum"),
					    "value", v);
					xmlFree(v);
				}
			}
			xmlFree(nm);
			xmlFree(use);
		}
	}
}

/*
 * <fields command=NAME><attr name required/>...<child name required many
 * complex?/>...</fields> for each command in 'duties', read from the
 * schema's files (the folder of EBID_XSD or the built-in path).
 */
static void
add_fields(struct eb_doc *desk, const struct eb_doc *duties)
{
	static const char *const files[] = { "tender.xsd", "sale.xsd",
	    "pool.xsd", "common.xsd", "ebid.xsd" };
	const char *env = getenv("EBID_XSD");
	const char *xsd = env != NULL ? env : EB_XSD_DEFAULT;
	xmlDocPtr docs[8];
	int ndocs = 0;
	char dir[1024], path[1200];
	const char *slash = strrchr(xsd, '/');
	const struct eb_doc *d;

	if (duties == NULL)
		return;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - xsd) : 1,
	    slash ? xsd : ".");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct eb_buf b = EB_BUF_INIT;
		struct eb_error e;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (eb_file_read(path, (size_t)4 << 20, &b, &e) == EB_OK &&
		    (docs[ndocs] = xmlReadMemory((const char *)b.data,
		    (int)b.len, files[i], NULL, XML_PARSE_NONET |
		    XML_PARSE_NOBLANKS)) != NULL)
			ndocs++;
		eb_buf_free(&b);
	}
	for (d = duties->first; d != NULL; d = d->next) {
		const char *cmd = eb_doc_attr(d, "command");
		xmlNodePtr el = NULL, type;
		struct eb_doc *f;
		char *tn;

		if (cmd == NULL || strcmp(d->name, "may") != 0)
			continue;
		for (int i = 0; i < ndocs && el == NULL; i++)
			el = xs_top(docs[i], "element", cmd);
		f = eb_doc_add(desk, "fields");
		eb_doc_set_attr(f, "command", cmd);
		if (el == NULL)
			continue;
		type = xs_child(el, "complexType");
		if (type == NULL && (tn = xs_attr(el, "type")) != NULL) {
			type = find_type(docs, ndocs, tn);
			xmlFree(tn);
		}
		fields_of_type(docs, ndocs, type, f, 0);
	}
	for (int i = 0; i < ndocs; i++)
		xmlFreeDoc(docs[i]);
}

/* -- pages -------------------------------------------------------------- */

static void
add_header(struct evhttp_request *req, const char *k, const char *v)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), k, v);
}

static void
common_headers(struct evhttp_request *req, const char *type)
{
	add_header(req, "Content-Type", type);
	add_header(req, "Content-Security-Policy", csp);
	add_header(req, "X-Content-Type-Options", "nosniff");
	add_header(req, "X-Frame-Options", "DENY");
	add_header(req, "Referrer-Policy", "same-origin");
	add_header(req, "Cache-Control", "no-store");
	add_header(req, "Cross-Origin-Opener-Policy", "same-origin");
	add_header(req, "Cross-Origin-Resource-Policy", "same-origin");
}

static void
send_bytes(struct evhttp_request *req, int status, const char *type,
    const void *p, size_t n)
{
	struct evbuffer *b = evbuffer_new();

	common_headers(req, type);
	if (b != NULL)
		evbuffer_add(b, p, n);
	evhttp_send_reply(req, status, status == 200 ? "OK" : status == 303 ?
	    "See Other" : status == 403 ? "Forbidden" : status == 404 ?
	    "Not Found" : status == 400 ? "Bad Request" : "Error", b);
	if (b != NULL)
		evbuffer_free(b);
}

/* A guard's refusal: plain text, no page, no cookie. */
static void
refuse(struct evhttp_request *req, int status, const char *why)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "ebid console: %s\n", why);

	send_bytes(req, status, "text/plain; charset=utf-8", msg, (size_t)n);
}

static void
redirect(struct evhttp_request *req, const char *to)
{
	add_header(req, "Location", to);
	send_bytes(req, 303, "text/plain; charset=utf-8", "", 0);
}

static int
want_en(struct evhttp_request *req)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *q = u != NULL ? evhttp_uri_get_query(u) : NULL;

	return q != NULL && strstr(q, "lang=en") != NULL;
}

/*
 * Render <page lang path port><strings/><me/><flash/>CONTENT</page>
 * through console.xsl; takes 'content'.  The flash is shown once.
 */
static void
render(struct console *c, struct evhttp_request *req, int status,
    struct eb_doc *content)
{
	struct eb_doc *page = eb_doc_new("page"), *strings;
	struct eb_buf xml = EB_BUF_INIT;
	const char *params[3] = { "lang", NULL, NULL };
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	xmlDocPtr in = NULL, res = NULL;
	xsltTransformContextPtr ctx = NULL;
	xmlChar *html = NULL;
	int len = 0, en = want_en(req);

	eb_doc_set_attr(page, "lang", en ? "en" : "zh");
	eb_doc_set_attr(page, "path", u != NULL && evhttp_uri_get_path(u) ?
	    evhttp_uri_get_path(u) : "/");
	eb_doc_set_attr_i64(page, "port", c->port);
	strings = eb_doc_clone(c->strings);
	/* the refusals' Chinese (hints and messages) only on a page that
	 * shows a refusal or a hint: they are more than half of strings.xml's
	 * bytes (3.0 ms of CPU a page with the hints, 1.4 without:
	 * docs/console.md, "Hints in Chinese") */
	if ((c->flash != NULL && (eb_doc_child(c->flash, "hint") != NULL ||
	    eb_doc_child(c->flash, "message") != NULL)) ||
	    (content != NULL && (eb_doc_child(content, "hint") != NULL ||
	    strcmp(content->name, "problem") == 0))) {
		const struct eb_doc *h;

		eb_doc_foreach(h, c->hints, NULL)
			eb_doc_append(strings, eb_doc_clone(h));
	}
	eb_doc_append(page, strings);
	if (c->me != NULL)
		eb_doc_append(page, eb_doc_clone(c->me));
	if (c->flash != NULL) {
		eb_doc_append(page, c->flash);
		c->flash = NULL;
	}
	eb_doc_append(page, content);
	params[1] = en ? "'en'" : "'zh'";
	if (eb_xml_write(page, 0, &xml) != EB_OK ||
	    (in = xmlReadMemory((const char *)xml.data, (int)xml.len,
	    "page.xml", "UTF-8", XML_PARSE_NONET)) == NULL ||
	    (ctx = xsltNewTransformContext(c->style, in)) == NULL ||
	    xsltSetCtxtSecurityPrefs(c->sec, ctx) != 0 ||
	    eb_pagefn_register(ctx) != 0 ||
	    (res = xsltApplyStylesheetUser(c->style, in, params, NULL, NULL,
	    ctx)) == NULL ||
	    xsltSaveResultToString(&html, &len, res, c->style) != 0 ||
	    html == NULL) {
		refuse(req, 500, "the page could not be made (console.xsl)");
	} else {
		send_bytes(req, status, "text/html; charset=utf-8", html,
		    (size_t)len);
	}
	xmlFree(html);
	xmlFreeDoc(res);
	if (ctx != NULL)
		xsltFreeTransformContext(ctx);
	xmlFreeDoc(in);
	eb_buf_free(&xml);
	eb_doc_free(page);
}

static void
page_problem(struct console *c, struct evhttp_request *req, int status,
    const struct eb_error *e)
{
	render(c, req, status, problem_doc(e));
}

/* -- the guard ---------------------------------------------------------- */

static const char *
header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

static const char *
cookie_value(struct console *c, struct evhttp_request *req, char *out,
    size_t cap)
{
	const char *h = header(req, "Cookie"), *p;
	size_t n = strlen(c->cookie), i = 0;

	for (p = h; p != NULL && (p = strstr(p, c->cookie)) != NULL; p += n) {
		if ((p != h && p[-1] != ' ' && p[-1] != ';') || p[n] != '=')
			continue;
		p += n + 1;
		while (p[i] != '\0' && p[i] != ';' && p[i] != ' ' && i + 1 < cap) {
			out[i] = p[i];
			i++;
		}
		out[i] = '\0';
		return out;
	}
	return NULL;
}

/*
 * Host, Origin, token and cookie.  Returns 1 when the request may go on;
 * otherwise it has been answered.
 */
static int
guard(struct console *c, struct evhttp_request *req, const char *path,
    const char *query)
{
	const char *host = header(req, "Host"), *origin = header(req, "Origin");
	const char *site = header(req, "Sec-Fetch-Site");
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	char got[80];
	struct evkeyvalq q;
	const char *tok;

	if (host == NULL || (strcmp(host, c->host_ip) != 0 &&
	    strcmp(host, c->host_name) != 0)) {
		refuse(req, 403, "wrong Host: this console answers only to "
		    "127.0.0.1 and localhost on its own port (DNS rebinding "
		    "guard)");
		return 0;
	}
	if (m == EVHTTP_REQ_POST && ((origin != NULL &&
	    strcmp(origin, c->origin_ip) != 0 &&
	    strcmp(origin, c->origin_name) != 0) ||
	    (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0))) {
		refuse(req, 403, "a form from another site may not act here "
		    "(Origin is not this console)");
		return 0;
	}
	if (strcmp(path, "/") == 0 && query != NULL &&
	    strstr(query, "token=") != NULL) {
		memset(&q, 0, sizeof(q));
		TAILQ_INIT(&q);
		evhttp_parse_query_str(query, &q);
		tok = evhttp_find_header(&q, "token");
		if (!c->token_used && same_secret(tok, c->token)) {
			char set[200];

			c->token_used = 1;
			OPENSSL_cleanse(c->token, sizeof(c->token));
			hex_random(c->session, 32);
			snprintf(set, sizeof(set), "%s=%s; Path=/; HttpOnly; "
			    "SameSite=Strict", c->cookie, c->session);
			add_header(req, "Set-Cookie", set);
			evhttp_clear_headers(&q);
			redirect(req, "/");
			return 0;
		}
		evhttp_clear_headers(&q);
		refuse(req, 403, "this link is not valid (wrong, or already "
		    "used): start `ebid console` again for a new one");
		return 0;
	}
	if (!c->token_used || cookie_value(c, req, got, sizeof(got)) == NULL ||
	    !same_secret(got, c->session)) {
		refuse(req, 403, "no session: open the URL that `ebid console` "
		    "printed");
		return 0;
	}
	return 1;
}

/* -- form bodies -------------------------------------------------------- */

static char *
body_text(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	char *s = eb_malloc(n + 1);

	evbuffer_copyout(in, s, n);
	s[n] = '\0';
	return s;
}

/* The urlencoded form of a POST in 'q' (evhttp_clear_headers()). */
static int
form(struct evhttp_request *req, struct evkeyvalq *q)
{
	char *s = body_text(req);
	struct evkeyvalq raw;
	struct evkeyval *kv;
	int rc;

	TAILQ_INIT(q);
	TAILQ_INIT(&raw);
	if (s == NULL)
		return -1;
	rc = evhttp_parse_query_str(s, &raw);
	free(s);
	/* evhttp decodes the values only: the names too ("v%3Ab%3Ac") */
	TAILQ_FOREACH(kv, &raw, next) {
		char *k = evhttp_uridecode(kv->key, 1, NULL);

		if (k == NULL || evhttp_add_header(q, k, kv->value) != 0)
			rc = -1;
		free(k);
	}
	evhttp_clear_headers(&raw);
	return rc;
}

/* -- the pages ---------------------------------------------------------- */

/* -- the registers: subjects, the expert pool, the monitor ------------- */

/* The family of a page letter, and back (t s o p m). */
static const char *
family_of(char k)
{
	switch (k) {
	case 't': return "tender";
	case 'o': return "subject";
	case 'p': return "pool";
	case 'm': return "monitor";
	default: return "sale";
	}
}

static char
letter_of(const char *family)
{
	return strcmp(family, "subject") == 0 ? 'o' : family[0];
}

/* The page letter of an id by its prefix: T- S- O- P- M- (else a sale's,
 * as before the registers). */
static char
letter_of_id(const char *id)
{
	static const char prefixes[] = "TSOPM", letters[] = "tsopm";
	const char *p = strchr(prefixes, id[0]);

	return id[0] != '\0' && id[1] == '-' && p != NULL ?
	    letters[p - prefixes] : 's';
}

/*
 * GET /o/ID, /p/ID, /m/ID: a trading subject's record, the expert pool
 * (an expert: its own ratings; the supervisor: the rating form; the
 * officers and an agency's representatives: the agencies' ratings; the
 * tenderer and the supervisor: the agency's rating form), the
 * process monitor (the supervisor: the alerts, each open one with its
 * close form), as the server shows them to this party.
 */
static void
page_registry(struct console *c, struct evhttp_request *req, char kind,
    const char *id)
{
	struct eb_doc *desk, *view;
	struct eb_error e;
	char path[160];

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "/v1/%ss/%s", family_of(kind), id);
	if ((view = fetch(c, path, &e)) == NULL) {
		page_problem(c, req, 200, &e);
		return;
	}
	remember(c, family_of(kind), id);
	desk = eb_doc_new("desk");
	eb_doc_set_attr(desk, "kind", family_of(kind));
	eb_doc_set_attr(desk, "id", id);
	eb_doc_append(desk, view);
	render(c, req, 200, desk);
}

static void
page_home(struct console *c, struct evhttp_request *req)
{
	struct eb_doc *h = eb_doc_new("home");

	for (int i = c->nrecent - 1; i >= 0; i--) {
		struct eb_doc *r = eb_doc_add(h, "recent");

		eb_doc_set_attr(r, "kind", family_of(c->recent[i][0]));
		eb_doc_set_attr(r, "id", c->recent[i] + 1);
	}
	render(c, req, 200, h);
}

/*
 * The registered names of the trading subjects the bidders of 'view'
 * act for (sign-up@subject, the opening record's
 * bid-result/signed-up-as@subject), as
 * <names><subject-name id= name=/></names> in 'desk': the pages name a
 * bidder by its subject's registered name, else by its certificate's
 * organisation (org=), else by its party id.  Each subject is read once
 * per console run (the hall's page is fetched each second).
 */
static int
has_name(const struct eb_doc *names, const char *id)
{
	const struct eb_doc *n;

	eb_doc_foreach(n, names, "subject-name")
		if (strcmp(eb_doc_attr(n, "id"), id) == 0)
			return 1;
	return 0;
}

static void
add_names(struct console *c, struct eb_doc *desk, const struct eb_doc *view)
{
	static const char *const lists[][2] = {
		{ "sign-ups", "sign-up" }, { "opening-record", "bid-result" },
	};
	struct eb_doc *names = NULL, *n, *v;
	const struct eb_doc *r;
	struct eb_error e;
	char path[160], name[256];
	int i;

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		eb_doc_foreach(r, eb_doc_child(view, lists[l][0]),
		    lists[l][1]) {
			const char *s = eb_doc_attr(l == 0 ? r :
			    eb_doc_child(r, "signed-up-as"), "subject");

			if (s == NULL || !valid_id(s) || has_name(names, s))
				continue;
			for (i = 0; i < c->nnames &&
			    strcmp(c->names[i].id, s) != 0; i++)
				;
			if (i < c->nnames) {
				snprintf(name, sizeof(name), "%s",
				    c->names[i].name);
			} else {
				snprintf(path, sizeof(path), "/v1/subjects/%s",
				    s);
				eb_error_clear(&e);
				if ((v = fetch(c, path, &e)) == NULL)
					continue;
				if (eb_doc_attr(v, "name") == NULL) {
					eb_doc_free(v);
					continue;
				}
				snprintf(name, sizeof(name), "%s",
				    eb_doc_attr(v, "name"));
				eb_doc_free(v);
				if (c->nnames < MAX_NAMES) {
					snprintf(c->names[c->nnames].id,
					    sizeof(c->names[0].id), "%s", s);
					snprintf(c->names[c->nnames].name,
					    sizeof(c->names[0].name), "%s",
					    name);
					c->nnames++;
				}
			}
			if (names == NULL)
				names = eb_doc_add(desk, "names");
			n = eb_doc_add(names, "subject-name");
			eb_doc_set_attr(n, "id", s);
			eb_doc_set_attr(n, "name", name);
		}
}

/*
 * GET /t/ID/hall: the opening hall (countdown to the deadline, the
 * custodians' shares as they arrive, each bid opened or invalid with its
 * cause, the clearing report), from the tender's view for this party;
 * its script fetches the page again each second and swaps the hall in.
 */
static void
page_hall(struct console *c, struct evhttp_request *req, const char *id)
{
	struct eb_doc *desk, *view;
	struct eb_error e;
	char path[160];

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "/v1/tenders/%s", id);
	if ((view = fetch(c, path, &e)) == NULL) {
		page_problem(c, req, 200, &e);
		return;
	}
	desk = eb_doc_new("desk");
	eb_doc_set_attr(desk, "kind", "hall");
	eb_doc_set_attr(desk, "id", id);
	eb_doc_append(desk, view);
	add_names(c, desk, view);
	render(c, req, 200, desk);
}

static void desk_bid_job(struct console *c, struct eb_doc *desk,
    const char *id);

static void
page_tender(struct console *c, struct evhttp_request *req, const char *id)
{
	struct eb_doc *desk, *view, *duties;
	struct draft *dr;
	struct eb_error e;
	char path[160];

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "/v1/tenders/%s", id);
	if ((view = fetch(c, path, &e)) == NULL) {
		page_problem(c, req, 200, &e);
		return;
	}
	remember(c, "tender", id);
	desk = eb_doc_new("desk");
	eb_doc_set_attr(desk, "kind", "tender");
	eb_doc_set_attr(desk, "id", id);
	eb_doc_append(desk, view);
	add_names(c, desk, view);
	snprintf(path, sizeof(path), "/v1/tenders/%s/duties", id);
	eb_error_clear(&e);
	if ((duties = fetch(c, path, &e)) != NULL) {
		add_fields(desk, duties);
		eb_doc_append(desk, duties);
	}
	if ((dr = draft_for(c, id, 0)) != NULL && dr->sheet != NULL) {
		struct eb_doc *d = eb_doc_add(desk, "draft");

		eb_doc_append(d, eb_doc_clone(dr->sheet));
	}
	if (strcmp(c->receipt_tender, id) == 0 && c->receipt != NULL)
		eb_doc_set_attr_i64(desk, "receipt-bytes",
		    (int64_t)c->receipt_len);
	desk_bid_job(c, desk, id);
	render(c, req, 200, desk);
}

/*
 * The office steps of a sale by role and stage.  ebidd has no duties
 * read for a sale: this mirrors the permission table of
 * engine/core/sale.c (sale_cmds[]) for the forms offered; ebidd still
 * decides, and a refusal shows its message.  The bidder's quote and
 * auction bid are the live page's amount form; the system's steps are
 * ebidd's own.
 */
#define SALE_ACTIVE " registered accepted listing declaring auction " \
    "revealing result publicity verifying verified "
static const struct {
	const char *cmd, *roles, *states;
} sale_steps[] = {
	{ "accept-sale", " registrar ", " registered " },
	{ "commit-reserve", " transferor ", " accepted " },
	{ "countersign-reserve", " supervisor ", " accepted " },
	{ "publish-listing", " supervisor ", " accepted " },
	{ "apply-for-sale", " bidder ", " listing " },
	{ "confirm-sale-deposit", " registrar ", " listing " },
	{ "reject-sale-application", " registrar ", " listing " },
	{ "declare-continue", " bidder ", " declaring " },
	{ "reveal-reserve", " transferor supervisor ", " revealing " },
	{ "confirm-sale-result", " supervisor ", " result " },
	{ "verify-sale", " verifier ", " verifying " },
	{ "close-sale", " registrar ", " verified " },
	{ "suspend-sale", " supervisor ", SALE_ACTIVE },
	{ "resume-sale", " supervisor ", " suspended " },
	{ "cancel-sale", " supervisor ", SALE_ACTIVE "suspended " },
	{ "countersign-cancel-sale", " verifier ", SALE_ACTIVE "suspended " },
};

static int
word_in(const char *list, const char *w)
{
	char k[64];

	snprintf(k, sizeof(k), " %s ", w != NULL ? w : "");
	return strstr(list, k) != NULL;
}

/* <duties><may command/>...</duties> of this party on a sale now. */
static struct eb_doc *
sale_duties(const struct console *c, const struct eb_doc *view)
{
	struct eb_doc *d = eb_doc_new("duties");
	const char *role = c->me != NULL ? eb_doc_attr(c->me, "role") : NULL;
	const char *st = eb_doc_attr(view, "state");

	for (size_t i = 0; i < sizeof(sale_steps) / sizeof(sale_steps[0]);
	    i++)
		if (word_in(sale_steps[i].roles, role) &&
		    word_in(sale_steps[i].states, st))
			eb_doc_set_attr(eb_doc_add(d, "may"), "command",
			    sale_steps[i].cmd);
	return d;
}

static void
page_sale(struct console *c, struct evhttp_request *req, const char *id,
    int xml_only)
{
	struct eb_doc *duties;
	struct eb_doc *desk, *view;
	struct eb_error e;
	char path[160];

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "/v1/sales/%s", id);
	if ((view = fetch(c, path, &e)) == NULL) {
		if (xml_only)
			refuse(req, 502, e.primary);
		else
			page_problem(c, req, 200, &e);
		return;
	}
	if (xml_only) {
		struct eb_buf b = EB_BUF_INIT;

		if (eb_xml_write(view, 0, &b) == EB_OK)
			send_bytes(req, 200, "application/xml; charset=utf-8",
			    b.data, b.len);
		else
			refuse(req, 500, "cannot write the view");
		eb_buf_free(&b);
		eb_doc_free(view);
		return;
	}
	remember(c, "sale", id);
	desk = eb_doc_new("desk");
	eb_doc_set_attr(desk, "kind", "sale");
	eb_doc_set_attr(desk, "id", id);
	duties = sale_duties(c, view);
	eb_doc_append(desk, view);
	add_fields(desk, duties);
	eb_doc_append(desk, duties);
	render(c, req, 200, desk);
}

/* -- actions ------------------------------------------------------------ */

static void
back_to(struct console *c, struct evhttp_request *req, const char *kind,
    const char *id)
{
	char to[160];

	(void)c;
	snprintf(to, sizeof(to), "/%s/%s%s", kind, id,
	    want_en(req) ? "?lang=en" : "");
	redirect(req, to);
}

/* A refusal found here, before any verb ran, as the flash. */
static void
flash_problem(struct console *c, const char *what, const struct eb_error *e)
{
	struct eb_buf o = EB_BUF_INIT, er = EB_BUF_INIT;

	put(&er, "error: ");
	put(&er, e->primary[0] ? e->primary : "the form cannot be sent");
	put(&er, "\n");
	if (e->detail[0]) {
		put(&er, "  detail: ");
		put(&er, e->detail);
		put(&er, "\n");
	}
	if (e->reason[0]) {
		put(&er, "  code: ");
		put(&er, e->reason);
		put(&er, "\n");
	}
	if (e->hint[0]) {
		put(&er, "  hint: ");
		put(&er, e->hint);
		put(&er, "\n");
	}
	set_flash(c, 1, &o, &er, what);
	eb_buf_free(&o);
	eb_buf_free(&er);
}

/* 'd' into a new temporary FILE.xml (the verbs take a command's file
 * by its suffix); 0 and the path, or -1. */
static int
doc_to_file(const struct eb_doc *d, char *path, size_t cap)
{
	char tmpl[] = "/tmp/ebid-console-XXXXXX";
	struct eb_buf b = EB_BUF_INIT;
	int fd = mkstemp(tmpl), ok = 0;

	if (fd < 0)
		return -1;
	if (eb_xml_write(d, 1, &b) == EB_OK &&
	    write(fd, b.data, b.len) == (ssize_t)b.len) {
		snprintf(path, cap, "%s.xml", tmpl);
		ok = rename(tmpl, path) == 0;
	}
	close(fd);
	if (!ok)
		unlink(tmpl);
	eb_buf_free(&b);
	return ok ? 0 : -1;
}

/* The form's field NAME, or NAME.I.SUB when i > 0; NULL when empty. */
static const char *
field(struct evkeyvalq *q, const char *name, int i, const char *sub)
{
	char key[64];
	const char *v;

	if (i > 0)
		snprintf(key, sizeof(key), "%s.%d%s%s", name, i, sub ? "." : "",
		    sub ? sub : "");
	else
		snprintf(key, sizeof(key), "%s", name);
	v = evhttp_find_header(q, key);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * The structured part of a command whose fields are not all simple, as
 * the <COMMAND> document the verb reads from FILE.xml (the form's
 * NAME=VALUE and --CHILD TEXT go beside it, as on the command line):
 *   rate-expert       <score criterion value> from s.CRITERION, <text>
 *                     from remark (the pool desk's rating form)
 *   rate-agency       the same (the pool desk's form for a tender's
 *                     agency: the tenderer or a supervisor)
 *   request-draw      <commitment> SHA-256 of a secret made here and
 *                     kept in this console, <seats specialty count
 *                     reserve> from seats.N.*
 *   draw-experts      <reveal> (the kept secret unless typed) and the
 *                     pool's view, read from ebidd (pool=ID)
 *   close-evaluation  <candidate rank bidder> from cand.N (optional)
 * NULL with e->code == EB_OK: nothing structured to add.
 */
static struct eb_doc *
structured(struct console *c, const char *cmd, const char *id,
    struct evkeyvalq *q, struct eb_error *e)
{
	struct eb_doc *d = NULL, *x;
	const char *v, *w;
	char hex[EB_SHA256_HEX], path[160];

	if (strcmp(cmd, "request-draw") == 0) {
		d = eb_doc_new(cmd);
		hex_random(c->draw_secret, 32);
		snprintf(c->draw_tender, sizeof(c->draw_tender), "%s", id);
		eb_sha256_hex(c->draw_secret, strlen(c->draw_secret), hex);
		eb_doc_add_text(d, "commitment", hex);
		for (int i = 1; i <= 4; i++) {
			if ((v = field(q, "seats", i, "specialty")) == NULL)
				continue;
			x = eb_doc_add(d, "seats");
			eb_doc_set_attr(x, "specialty", v);
			if ((w = field(q, "seats", i, "count")) != NULL)
				eb_doc_set_attr(x, "count", w);
			if ((w = field(q, "seats", i, "reserve")) != NULL)
				eb_doc_set_attr(x, "reserve", w);
		}
		return d;
	}
	if (strcmp(cmd, "draw-experts") == 0) {
		struct eb_doc *pool;

		v = field(q, "pool", 0, NULL);
		w = field(q, "reveal", 0, NULL);
		if (v == NULL || !valid_id(v)) {
			eb_fail(e, EB_ERR_FORMAT, "missing-field",
			    "Give the number of the expert pool to draw from.",
			    "draw-experts: which pool?");
			return NULL;
		}
		if (w == NULL && strcmp(c->draw_tender, id) == 0)
			w = c->draw_secret;
		if (w == NULL) {
			eb_fail(e, EB_ERR_FORMAT, "missing-field",
			    "Type the secret whose SHA-256 you committed to in "
			    "request-draw (this console did not make it).",
			    "draw-experts: no secret to reveal");
			return NULL;
		}
		snprintf(path, sizeof(path), "/v1/pools/%s", v);
		if ((pool = fetch(c, path, e)) == NULL)
			return NULL;
		d = eb_doc_new(cmd);
		eb_doc_add_text(d, "reveal", w);
		eb_doc_append(d, pool);
		return d;
	}
	if (strcmp(cmd, "rate-expert") == 0 ||
	    strcmp(cmd, "rate-agency") == 0) {
		/* the pool's rating forms: s.CRITERION = value, remark */
		struct evkeyval *kv;

		d = eb_doc_new(cmd);
		TAILQ_FOREACH(kv, q, next)
			if (strncmp(kv->key, "s.", 2) == 0 &&
			    valid_id(kv->key + 2) && kv->value[0] != '\0') {
				x = eb_doc_add(d, "score");
				eb_doc_set_attr(x, "criterion", kv->key + 2);
				eb_doc_set_attr(x, "value", kv->value);
			}
		if ((v = evhttp_find_header(q, "remark")) != NULL &&
		    v[0] != '\0')
			eb_doc_add_text(d, "text", v);
		return d;
	}
	if (strcmp(cmd, "close-evaluation") == 0) {
		for (int i = 1; i <= 3; i++) {
			char rank[8];

			if ((v = field(q, "cand", i, NULL)) == NULL)
				continue;
			if (d == NULL)
				d = eb_doc_new(cmd);
			x = eb_doc_add(d, "candidate");
			snprintf(rank, sizeof(rank), "%d", i);
			eb_doc_set_attr(x, "rank", rank);
			eb_doc_set_attr(x, "bidder", v);
		}
	}
	return d;
}

/*
 * POST /t/ID/do, /s/ID/do: cmd=COMMAND a.NAME=VALUE c.NAME=TEXT (and the
 * structured fields above): `ebid tender|sale COMMAND ID NAME=VALUE
 * --CHILD TEXT [FILE.xml]`; submit-share is `ebid opening share`.
 */
static void
act_command(struct console *c, struct evhttp_request *req,
    const char *family, const char *id)
{
	struct evkeyvalq q;
	struct evkeyval *kv;
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT;
	const char *argv[MAX_ARGS], *cmd;
	char attrs[MAX_ARGS][512], file[64] = "";
	struct eb_doc *doc;
	struct eb_error e;
	int argc = 0, na = 0, rc;

	if (form(req, &q) != 0 || (cmd = evhttp_find_header(&q, "cmd")) ==
	    NULL || !valid_id(cmd)) {
		evhttp_clear_headers(&q);
		refuse(req, 400, "which command? (cmd=)");
		return;
	}
	eb_error_clear(&e);
	if (strcmp(family, "tender") == 0 && strcmp(cmd, "submit-share") ==
	    0) {
		/* the custodian's share: decrypted and signed by the verb */
		const char *share[] = { "opening", "share", "--tender", id,
		    NULL };

		rc = run_verb(c, 4, share, &out, &err);
		set_flash(c, rc, &out, &err, cmd);
		flash_values(c, family, id, -1);
		goto done;
	}
	argv[argc++] = family;
	argv[argc++] = cmd;
	argv[argc++] = id;
	TAILQ_FOREACH(kv, &q, next) {
		if (argc + 3 >= MAX_ARGS || na >= MAX_ARGS)
			break;
		if (kv->value[0] == '\0')
			continue;
		if (strncmp(kv->key, "a.", 2) == 0 && valid_id(kv->key + 2)) {
			snprintf(attrs[na], sizeof(attrs[na]), "%s=%s",
			    kv->key + 2, kv->value);
			argv[argc++] = attrs[na++];
		} else if (strncmp(kv->key, "c.", 2) == 0 &&
		    valid_id(kv->key + 2)) {
			snprintf(attrs[na], sizeof(attrs[na]), "--%s",
			    kv->key + 2);
			argv[argc++] = attrs[na++];
			argv[argc++] = kv->value;
		}
	}
	doc = structured(c, cmd, id, &q, &e);
	if (doc == NULL && e.code != EB_OK) {
		flash_problem(c, cmd, &e);
		goto done;
	}
	if (doc != NULL && doc_to_file(doc, file, sizeof(file)) != 0) {
		eb_doc_free(doc);
		eb_fail(&e, EB_ERR_IO, "cannot-write", NULL,
		    "cannot write the command's file");
		flash_problem(c, cmd, &e);
		goto done;
	}
	eb_doc_free(doc);
	if (file[0] != '\0')
		argv[argc++] = file;
	argv[argc] = NULL;
	rc = run_verb(c, argc, argv, &out, &err);
	if (file[0] != '\0')
		unlink(file);
	set_flash(c, rc, &out, &err, cmd);
	flash_values(c, family, id, -1);
done:
	evhttp_clear_headers(&q);
	eb_buf_free(&out);
	eb_buf_free(&err);
	{
		char k[2] = { letter_of(family), '\0' };

		back_to(c, req, k, id);
	}
}

/*
 * The score sheet of a form: v:BIDDER:CRITERION = value, r:BIDDER:CRITERION
 * = reason.  Returns a new <score-sheet>.
 */
static struct eb_doc *
sheet_from_form(struct console *c, struct evkeyvalq *q, const char *id)
{
	struct eb_doc *sh = eb_doc_new("score-sheet");
	struct evkeyval *kv;

	eb_doc_set_attr(sh, "expert", c->me != NULL &&
	    eb_doc_attr(c->me, "party") ? eb_doc_attr(c->me, "party") : "");
	eb_doc_set_attr(sh, "tender", id);
	TAILQ_FOREACH(kv, q, next) {
		char bid[64], crit[64], rkey[160];
		const char *p, *reason;
		struct eb_doc *s;
		size_t n;

		if (strncmp(kv->key, "v:", 2) != 0 ||
		    (p = strchr(kv->key + 2, ':')) == NULL)
			continue;
		n = (size_t)(p - kv->key - 2);
		if (n == 0 || n >= sizeof(bid) || strlen(p + 1) >= sizeof(crit))
			continue;
		memcpy(bid, kv->key + 2, n);
		bid[n] = '\0';
		snprintf(crit, sizeof(crit), "%s", p + 1);
		s = eb_doc_add(sh, "score");
		eb_doc_set_attr(s, "bid", bid);
		eb_doc_set_attr(s, "criterion", crit);
		eb_doc_set_attr(s, "value", kv->value);
		snprintf(rkey, sizeof(rkey), "r:%s:%s", bid, crit);
		if ((reason = evhttp_find_header(q, rkey)) != NULL &&
		    reason[0] != '\0')
			eb_doc_add_text(s, "reason", reason);
	}
	return sh;
}

/* The valid bidders and rules of a tender view, for the core's check. */
static int
check_sheet(const struct eb_doc *view, const struct eb_doc *sheet,
    struct eb_error *e)
{
	const struct eb_doc *given = eb_doc_path(view,
	    "registration/rules/evaluation-rules"), *b;
	const struct eb_doc *k = eb_doc_child(view, "coefficient-drawn");
	struct eb_doc *rules, *f;
	const char *bidders[1000];
	size_t n = 0;
	int rc;

	if (given == NULL)
		return eb_fail(e, EB_ERR_STATE, "no-rules", NULL,
		    "this tender has no evaluation rules to score by");
	/* as the server applies them: with the coefficient drawn written in */
	rules = eb_doc_clone(given);
	if (k != NULL && (f = eb_doc_child(rules, "price-formula")) != NULL)
		eb_doc_set_attr(f, "drawn-coefficient", eb_doc_attr(k, "value"));
	eb_doc_foreach(b, eb_doc_child(view, "clearing-report"), "bid-summary")
		if (n < 1000 && eb_doc_attr(b, "status") != NULL &&
		    strcmp(eb_doc_attr(b, "status"), "valid") == 0 &&
		    eb_doc_attr(b, "bidder") != NULL)
			bidders[n++] = eb_doc_attr(b, "bidder");
	rc = eb_score_sheet_check(rules, sheet, bidders, n, e);
	eb_doc_free(rules);
	return rc;
}

/*
 * POST /t/ID/check (the page's script, as the expert types) and
 * POST /t/ID/scores (the form's submit: checked the same way, then
 * signed and sent by `ebid score submit`).
 */
static void
act_scores(struct console *c, struct evhttp_request *req, const char *id,
    int submit)
{
	struct evkeyvalq q;
	struct eb_doc *sheet, *view, *res;
	struct draft *dr;
	struct eb_error e;
	char path[160];
	struct eb_buf b = EB_BUF_INIT;

	eb_error_clear(&e);
	if (form(req, &q) != 0) {
		refuse(req, 400, "unreadable form");
		return;
	}
	sheet = sheet_from_form(c, &q, id);
	evhttp_clear_headers(&q);
	dr = draft_for(c, id, 1);
	eb_doc_free(dr->sheet);
	dr->sheet = eb_doc_clone(sheet);
	snprintf(path, sizeof(path), "/v1/tenders/%s", id);
	if ((view = fetch(c, path, &e)) == NULL || check_sheet(view, sheet,
	    &e) != EB_OK) {
		if (!submit) {
			struct eb_doc *h;
			const char *zh;

			res = problem_doc(&e);
			eb_doc_set_attr(res, "ok", "no");
			/* <hint zh=>: the script shows it on the Chinese page */
			if ((h = eb_doc_child(res, "hint")) != NULL &&
			    (zh = hint_zh(c, eb_doc_text(h))) != NULL)
				eb_doc_set_attr(h, "zh", zh);
			/* <message zh=>: the refusal in Chinese, its label
			 * first (docs/console.md, "Refusals in Chinese") */
			if ((h = eb_doc_child(res, "message")) != NULL &&
			    msg_zh(c, "submit-scores", e.reason, &b) == 0) {
				struct eb_buf l = EB_BUF_INIT;
				const char *w = label_zh(c, "why", e.reason);

				if ((w == NULL || (eb_buf_puts(&l, w) == EB_OK &&
				    eb_buf_puts(&l, "：") == EB_OK)) &&
				    eb_buf_append(&l, b.data, b.len) == EB_OK)
					eb_doc_set_attr(h, "zh", eb_buf_str(&l));
				eb_buf_free(&l);
				b.len = 0;
			}
			if (eb_xml_write(res, 0, &b) == EB_OK)
				send_bytes(req, 200,
				    "application/xml; charset=utf-8", b.data,
				    b.len);
			eb_doc_free(res);
		} else {
			flash_problem(c, "submit-scores", &e);
			back_to(c, req, "t", id);
		}
		goto out;
	}
	if (!submit) {
		static const char okdoc[] =
		    "<problem xmlns=\"urn:ebid:1\" ok=\"yes\"/>";

		send_bytes(req, 200, "application/xml; charset=utf-8", okdoc,
		    sizeof(okdoc) - 1);
		goto out;
	}
	{
		char file[] = "/tmp/ebid-console-XXXXXX";
		int fd = mkstemp(file);
		struct eb_buf o = EB_BUF_INIT, er = EB_BUF_INIT;
		const char *argv[] = { "score", "submit", "--tender", id, NULL,
		    NULL };
		char named[64];
		int rc = 1;

		if (fd >= 0 && eb_xml_write(sheet, 1, &b) == EB_OK &&
		    write(fd, b.data, b.len) == (ssize_t)b.len) {
			/* `ebid score submit` wants FILE.xml */
			snprintf(named, sizeof(named), "%s.xml", file);
			if (rename(file, named) == 0) {
				argv[4] = named;
				rc = run_verb(c, 5, argv, &o, &er);
				unlink(named);
			}
		} else {
			put(&er, "error: cannot write the sheet\n");
		}
		if (fd >= 0)
			close(fd);
		unlink(file);
		set_flash(c, rc, &o, &er, "submit-scores");
		flash_values(c, "tender", id, -1);
		eb_buf_free(&o);
		eb_buf_free(&er);
		back_to(c, req, "t", id);
	}
out:
	eb_buf_free(&b);
	eb_doc_free(view);
	eb_doc_free(sheet);
}

/* POST /t/ID/sign: `ebid result sign --tender ID [--dissent TEXT]` */
static void
act_sign(struct console *c, struct evhttp_request *req, const char *id)
{
	struct evkeyvalq q;
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT;
	const char *argv[7] = { "result", "sign", "--tender", id, NULL, NULL,
	    NULL }, *dissent;
	int argc = 4;

	if (form(req, &q) != 0) {
		refuse(req, 400, "unreadable form");
		return;
	}
	if ((dissent = evhttp_find_header(&q, "dissent")) != NULL &&
	    dissent[0] != '\0') {
		argv[argc++] = "--dissent";
		argv[argc++] = dissent;
	}
	set_flash(c, run_verb(c, argc, argv, &out, &err), &out, &err,
	    "sign-report");
	flash_values(c, "tender", id, -1);
	evhttp_clear_headers(&q);
	eb_buf_free(&out);
	eb_buf_free(&err);
	back_to(c, req, "t", id);
}

/* "subject=ID" when this party's sign-up on tender 'id' names a trading
 * subject, else "" */
static void
bid_subject(struct console *c, const char *id, char *out, size_t cap)
{
	struct eb_doc *v;
	const struct eb_doc *su;
	struct eb_error e;
	char path[160];
	const char *me = eb_doc_attr(c->me, "party"), *s;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/v1/tenders/%s", id);
	eb_error_clear(&e);
	if (me == NULL || (v = fetch(c, path, &e)) == NULL)
		return;
	eb_doc_foreach(su, eb_doc_child(v, "sign-ups"), "sign-up")
		if ((s = eb_doc_attr(su, "bidder")) != NULL &&
		    strcmp(s, me) == 0 &&
		    (s = eb_doc_attr(su, "subject")) != NULL && valid_id(s))
			snprintf(out, cap, "subject=%s", s);
	eb_doc_free(v);
}

typedef int (*part_fn)(const char *name, const char *filename,
    const uint8_t *p, size_t n, void *arg);
static int multipart_each(struct evhttp_request *req, part_fn fn,
    void *arg);
static int has_attach(const char *name, const char *filename,
    const uint8_t *p, size_t n, void *arg);
static int multipart_file(struct evhttp_request *req, struct eb_buf *out);
static void act_bid_job(struct console *c, struct evhttp_request *req,
    const char *id);

/*
 * POST /t/ID/bid (multipart, the bid's XML file): `ebid bid seal` then
 * `ebid bid submit -o RECEIPT`, in this process; the receipt is kept for
 * GET /t/ID/receipt.
 */
static void
act_bid(struct console *c, struct evhttp_request *req, const char *id)
{
	char dir[] = "/tmp/ebid-console-XXXXXX", in[96], sealed[96], rec[96];
	struct eb_buf file = EB_BUF_INIT, out = EB_BUF_INIT, err = EB_BUF_INIT;
	struct eb_buf r = EB_BUF_INIT, sb = EB_BUF_INIT;
	struct eb_error e;
	int rc = 1;

	eb_error_clear(&e);
	{
		int att = 0;

		(void)multipart_each(req, has_attach, &att);
		if (att) {                  /* a large bid: in the background */
			act_bid_job(c, req, id);
			return;
		}
	}
	if (multipart_file(req, &file) != 0 || file.len == 0) {
		put(&err, "error: choose your bid's XML file\n");
		set_flash(c, 2, &out, &err, "submit-bid");
		goto done;
	}
	if (mkdtemp(dir) == NULL) {
		put(&err, "error: cannot make a folder\n");
		set_flash(c, 4, &out, &err, "submit-bid");
		goto done;
	}
	snprintf(in, sizeof(in), "%s/bid.xml", dir);
	snprintf(sealed, sizeof(sealed), "%s/bid.sealed", dir);
	snprintf(rec, sizeof(rec), "%s/bid.receipt", dir);
	if (eb_file_write(in, file.data, file.len, &e) == EB_OK) {
		const char *seal[] = { "bid", "seal", "--tender", id, in, "-o",
		    sealed, NULL, NULL };
		const char *sub[] = { "bid", "submit", "--tender", id, sealed,
		    "-o", rec, NULL };
		char subject[96] = "";

		/* signed up for a trading subject: the bid names it too
		 * (docs/registries.md), as `ebid bid seal ... subject=ID` */
		bid_subject(c, id, subject, sizeof(subject));
		if (subject[0] != '\0')
			seal[7] = subject;
		rc = run_verb(c, subject[0] != '\0' ? 8 : 7, seal, &out, &err);
		if (rc == 0)
			rc = run_verb(c, 7, sub, &out, &err);
		if (rc == 0 && eb_file_read(rec, (size_t)1 << 20, &r, &e) ==
		    EB_OK && r.len > 0 && eb_file_read(sealed, BODY_MAX * 2,
		    &sb, &e) == EB_OK) {
			/* both, for `ebid receipt verify RECEIPT SEALED` */
			free(c->receipt);
			free(c->sealed);
			c->receipt = eb_buf_steal(&r, &c->receipt_len);
			c->sealed = eb_buf_steal(&sb, &c->sealed_len);
			snprintf(c->receipt_tender, sizeof(c->receipt_tender),
			    "%s", id);
		}
	}
	set_flash(c, rc, &out, &err, "submit-bid");
	flash_values(c, "tender", id, -1);
	unlink(in);
	unlink(sealed);
	unlink(rec);
	rmdir(dir);
done:
	eb_buf_free(&file);
	eb_buf_free(&out);
	eb_buf_free(&err);
	eb_buf_free(&r);
	eb_buf_free(&sb);
	back_to(c, req, "t", id);
}

/* -- a bid with attachments: sealed and uploaded with progress -----------
 *
 * POST /t/ID/bid with attachments (the form's "attach" files) runs
 * `ebid bid seal --attach ...` and `ebid bid submit` (tools/bigbid.c: the
 * resumable chunked upload) in a child process, so the desk keeps
 * answering while a large bid goes out: the child reports its figures
 * through EBID_PROGRESS_FILE (tools/progress.h), the page polls
 * GET /t/ID/bid-progress (JSON: state, phase, done, total, rate, left),
 * and a timer here reaps the child: its output becomes the flash, its
 * receipt the one offered for download.  An upload that failed (the
 * connection dropped beyond the client's retries, ebidd away) keeps its
 * sealed files: POST /t/ID/bid-resume runs `ebid bid submit` again, which
 * resumes at the server's durable offset.  One job at a time.
 * EBID_CONSOLE_STOP_AFTER=N (a test aid, as `bid submit --stop-after`):
 * the console's first upload stops after N bytes.
 */

/* A header parameter's quoted value (name="..."), or "" when absent. */
static void
part_param(const unsigned char *h, size_t hlen, const char *key, char *out,
    size_t cap)
{
	size_t klen = strlen(key);
	const unsigned char *p = h, *end = h + hlen, *q;

	out[0] = '\0';
	while ((q = memmem(p, (size_t)(end - p), key, klen)) != NULL) {
		/* whole parameter: after ';' or a space ("filename=" also
		 * ends in "name=") */
		if (q > h && (q[-1] == ';' || q[-1] == ' ') &&
		    q + klen < end && q[klen] == '"') {
			const unsigned char *v = q + klen + 1, *e;

			e = memchr(v, '"', (size_t)(end - v));
			if (e != NULL && (size_t)(e - v) < cap) {
				memcpy(out, v, (size_t)(e - v));
				out[e - v] = '\0';
			}
			return;
		}
		p = q + klen;
	}
}

/* Each part of a multipart/form-data body; 0, or -1 (malformed, or 'fn'
 * said stop). */
static int
multipart_each(struct evhttp_request *req, part_fn fn, void *arg)
{
	const char *ct = header(req, "Content-Type"), *b;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in), blen;
	char bound[120], name[128], fname[256];
	unsigned char *s, *p, *end, *hend, *next;

	if (ct == NULL || strncmp(ct, "multipart/form-data", 19) != 0 ||
	    (b = strstr(ct, "boundary=")) == NULL)
		return -1;
	b += 9;
	if (*b == '"')
		b++;
	blen = (size_t)snprintf(bound, sizeof(bound), "\r\n--%.*s",
	    (int)strcspn(b, "\";"), b);
	if (blen >= sizeof(bound) || (s = evbuffer_pullup(in, -1)) == NULL)
		return -1;
	end = s + n;
	p = memmem(s, n, bound + 2, blen - 2);
	while (p != NULL) {
		p += blen - 2;                     /* after --boundary */
		if (p + 2 <= end && p[0] == '-' && p[1] == '-')
			return 0;
		if ((hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) ==
		    NULL ||
		    (next = memmem(hend + 4, (size_t)(end - hend - 4), bound,
		    blen)) == NULL)
			return -1;
		part_param(p, (size_t)(hend - p), "name=", name, sizeof(name));
		part_param(p, (size_t)(hend - p), "filename=", fname,
		    sizeof(fname));
		if (memmem(p, (size_t)(hend - p), "filename=", 9) == NULL)
			fname[0] = '\0';
		if (fn(name, memmem(p, (size_t)(hend - p), "filename=", 9) !=
		    NULL ? fname : NULL, hend + 4, (size_t)(next - hend - 4),
		    arg) != 0)
			return -1;
		p = next + 2;                      /* at --boundary */
	}
	return -1;
}

/* The first file part of a multipart/form-data body (multipart_each). */
struct first_file {
	struct eb_buf *out;
	int found;
};

static int
first_file_part(const char *name, const char *filename, const uint8_t *p,
    size_t n, void *arg)
{
	struct first_file *f = arg;

	(void)name;
	if (filename == NULL)
		return 0;
	f->found = eb_buf_append(f->out, p, n) == EB_OK ? 1 : -1;
	return 1;                           /* stop at the first file */
}

/* Its bytes into 'out': 0, or -1 (none, malformed before it, no memory). */
static int
multipart_file(struct evhttp_request *req, struct eb_buf *out)
{
	struct first_file f = { .out = out, .found = 0 };

	(void)multipart_each(req, first_file_part, &f);
	return f.found == 1 ? 0 : -1;
}

static int att_name_ok(const char *name, char *why, size_t cap);

struct bidform {
	const char *dir;
	int have_bid, natt;
	char *att[MAX_ATTACH];
	char why[256];
};

/* A bid form's part: the bid file, or an attachment into DIR/att/. */
static int
bidform_part(const char *name, const char *filename, const uint8_t *p,
    size_t n, void *arg)
{
	struct bidform *f = arg;
	struct eb_error e;
	char path[512];

	eb_error_clear(&e);
	if (filename == NULL)
		return 0;
	if (strcmp(name, "file") == 0) {
		snprintf(path, sizeof(path), "%s/bid.xml", f->dir);
		if (n == 0)
			return 0;
		f->have_bid = 1;
	} else if (strcmp(name, "attach") == 0) {
		if (filename[0] == '\0' && n == 0)   /* none chosen */
			return 0;
		if (att_name_ok(filename, f->why, sizeof(f->why)) != 0)
			return -1;
		if (f->natt == MAX_ATTACH) {
			snprintf(f->why, sizeof(f->why), "error: at most %d "
			    "attachments\n", MAX_ATTACH);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/att/%s", f->dir, filename);
		f->att[f->natt++] = eb_strdup(path);
	} else {
		return 0;
	}
	if (eb_file_write(path, p, n, &e) != EB_OK) {
		snprintf(f->why, sizeof(f->why), "error: cannot keep %.60s: "
		    "%.120s\n", filename, e.primary);
		return -1;
	}
	return 0;
}

static void
job_path(const struct console *c, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", c->job.dir, name);
}

/* Remove a job's folder and everything in it (one level of att/). */
static void
dir_clean(const char *dir)
{
	static const char *const names[] = { "bid.xml", "bid.sealed",
	    "bid.sealed.env", "bid.sealed.env.tmp", "bid.receipt", "out",
	    "err", "progress", "progress.tmp" };
	char path[512];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/att", dir);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char f[800];

			if (de->d_name[0] == '.')
				continue;
			snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
			unlink(f);
		}
		closedir(d);
	}
	rmdir(path);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void
job_clean(struct console *c)
{
	if (c->job.dir[0] != '\0')
		dir_clean(c->job.dir);
	c->job.dir[0] = '\0';
	for (int i = 0; i < c->job.nstaged; i++)
		free(c->job.staged[i]);
	c->job.nstaged = 0;
}

/* An attachment's name as the bid's manifest will carry it: a plain
 * file name.  0, or -1 with the reason in 'why'. */
static int
att_name_ok(const char *name, char *why, size_t cap)
{
	if (name[0] == '\0' || name[0] == '.' || strpbrk(name, "/\\") != NULL ||
	    strlen(name) > 200) {
		snprintf(why, cap, "error: the attachment name \"%.80s\" cannot "
		    "be used\n", name);
		return -1;
	}
	for (const char *q = name; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			snprintf(why, cap, "error: an attachment name has a "
			    "control character\n");
			return -1;
		}
	return 0;
}

/* The child's last figures (its progress file): 1, or 0 when none. */
static int
job_read_figures(struct console *c, char label[32],
    unsigned long long *done, unsigned long long *total, double *rate)
{
	char path[512];
	FILE *pf;
	int ok = 0;

	label[0] = '\0';
	if (c->job.dir[0] == '\0')
		return 0;
	job_path(c, "progress", path, sizeof(path));
	if ((pf = fopen(path, "r")) != NULL) {
		ok = fscanf(pf, "%31s %llu %llu %lf", label, done, total,
		    rate) == 4;
		fclose(pf);
	}
	if (!ok)
		label[0] = '\0';
	return ok;
}

/* The child: seal (unless done before), then upload and submit. */
static void __attribute__((noreturn))
job_child(struct console *c, char **att, int natt, const char *subject)
{
	const char *argv[MAX_ATTACH * 2 + 16];
	char in[512], sealed[512], rec[512], out[512], err[512], prog[512];
	char stop[32];
	int n = 0, fd, rc = 0;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* none of the console's sockets: the page's connection must close
	 * when the console closes it, not when this child ends */
	{
		long max = sysconf(_SC_OPEN_MAX);

		for (int k = 3; k < (max > 0 && max < 65536 ? max : 65536); k++)
			(void)close(k);
	}
	job_path(c, "bid.xml", in, sizeof(in));
	job_path(c, "bid.sealed", sealed, sizeof(sealed));
	job_path(c, "bid.receipt", rec, sizeof(rec));
	job_path(c, "out", out, sizeof(out));
	job_path(c, "err", err, sizeof(err));
	job_path(c, "progress", prog, sizeof(prog));
	if ((fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
		dup2(fd, 1);
		close(fd);
	}
	if ((fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	setenv("EBID_PROGRESS_FILE", prog, 1);
	if (!c->job.sealed) {
		argv[n++] = "bid";
		argv[n++] = "seal";
		argv[n++] = "--tender";
		argv[n++] = c->job.tender;
		argv[n++] = in;
		for (int i = 0; i < natt; i++) {
			argv[n++] = "--attach";
			argv[n++] = att[i];
		}
		argv[n++] = "-o";
		argv[n++] = sealed;
		if (subject[0] != '\0')
			argv[n++] = subject;
		argv[n] = NULL;
		rc = eb_verbs_main(n, (char **)argv, c->url, c->ca, c->cert,
		    c->key);
	}
	if (rc == 0) {
		n = 0;
		argv[n++] = "bid";
		argv[n++] = "submit";
		argv[n++] = "--tender";
		argv[n++] = c->job.tender;
		argv[n++] = sealed;
		argv[n++] = "-o";
		argv[n++] = rec;
		if (c->job.stop_after > 0) {
			snprintf(stop, sizeof(stop), "%llu",
			    (unsigned long long)c->job.stop_after);
			argv[n++] = "--stop-after";
			argv[n++] = stop;
		}
		argv[n] = NULL;
		rc = eb_verbs_main(n, (char **)argv, c->url, c->ca, c->cert,
		    c->key);
	}
	fflush(stdout);
	fflush(stderr);
	_exit(rc);
}

static void job_reap(evutil_socket_t fd, short what, void *arg);

/* EBID_CONSOLE_STOP_AFTER (the test aid): the console's first upload. */
static uint64_t
stop_once(const char *stop)
{
	static int used;

	if (stop == NULL || used)
		return 0;
	used = 1;
	return strtoull(stop, NULL, 10);
}

/* Start the child; 0, or -1 with the reason in 'err'. */
static int
job_start(struct console *c, char **att, int natt, const char *subject,
    struct eb_buf *err)
{
	struct timeval tv = { 0, 100000 };
	char path[512];
	pid_t pid;

	job_path(c, "progress", path, sizeof(path));
	unlink(path);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		put(err, "error: cannot start the upload (fork)\n");
		return -1;
	}
	if (pid == 0)
		job_child(c, att, natt, subject);
	c->job.pid = pid;
	c->job.state = JOB_RUNNING;
	c->job.stop_after = 0;              /* the test aid: the first run */
	if (c->job.reap == NULL)
		c->job.reap = event_new(c->base, -1, EV_PERSIST, job_reap, c);
	event_add(c->job.reap, &tv);
	return 0;
}

/* The child ended: the flash, the receipt, the folder. */
static void
job_ended(struct console *c, int status)
{
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT, r = EB_BUF_INIT;
	struct eb_buf sb = EB_BUF_INIT;
	struct eb_error e;
	char path[512], env[512];
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_LOCAL;
	struct stat st;

	eb_error_clear(&e);
	c->job.pid = 0;
	event_del(c->job.reap);
	job_path(c, "out", path, sizeof(path));
	if (eb_file_read(path, (size_t)1 << 20, &out, &e) != EB_OK)
		eb_error_clear(&e);           /* nothing printed */
	job_path(c, "err", path, sizeof(path));
	if (eb_file_read(path, (size_t)1 << 20, &err, &e) != EB_OK)
		eb_error_clear(&e);
	job_path(c, "bid.receipt", path, sizeof(path));
	if (rc == 0 && eb_file_read(path, (size_t)1 << 20, &r, &e) == EB_OK &&
	    r.len > 0) {
		job_path(c, "bid.sealed", path, sizeof(path));
		if (eb_file_read(path, BODY_MAX, &sb, &e) == EB_OK) {
			free(c->receipt);
			free(c->sealed);
			c->receipt = eb_buf_steal(&r, &c->receipt_len);
			c->sealed = eb_buf_steal(&sb, &c->sealed_len);
			snprintf(c->receipt_tender, sizeof(c->receipt_tender),
			    "%s", c->job.tender);
		}
	}
	{
		char label[32];
		double rate = 0;

		c->job.done = c->job.total = 0;
		(void)job_read_figures(c, label, &c->job.done,
		    &c->job.total, &rate);
	}
	if (rc == 0 && err.len > 0) {
		/* what ebid told along the way ("resuming the upload at
		 * byte N"): shown with its result */
		char *copy = eb_strdup(eb_buf_str(&err)), *line, *save = NULL;

		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			if (strncmp(line, "ebid: ", 6) == 0) {
				put(&out, line);
				put(&out, "\n");
			}
		free(copy);
	}
	set_flash(c, rc, &out, &err, "submit-bid");
	job_path(c, "bid.sealed", path, sizeof(path));
	job_path(c, "bid.sealed.env", env, sizeof(env));
	c->job.sealed = stat(path, &st) == 0 && stat(env, &st) == 0;
	if (rc == 0) {
		c->job.state = JOB_DONE;
		job_clean(c);
	} else {
		c->job.state = JOB_FAILED;
		/* the next run's output alone */
		job_path(c, "out", path, sizeof(path));
		unlink(path);
		job_path(c, "err", path, sizeof(path));
		unlink(path);
		if (!c->job.sealed)
			job_clean(c);
	}
	eb_buf_free(&out);
	eb_buf_free(&err);
	eb_buf_free(&r);
	eb_buf_free(&sb);
}

static void
job_reap(evutil_socket_t fd, short what, void *arg)
{
	struct console *c = arg;
	int status = 0;

	(void)fd, (void)what;
	if (c->job.pid > 0 && waitpid(c->job.pid, &status, WNOHANG) ==
	    c->job.pid)
		job_ended(c, status);
}

/*
 * The job's figures: state (none running done failed), phase (sealing
 * uploading receipt done failed), bytes done and total of the phase,
 * rate (bytes/s), seconds left (-1: not known yet), resumable.
 */
struct jobfig {
	const char *state, *phase;
	unsigned long long done, total;
	double rate;
	long left;
	int resumable;
};

static void
job_figures(struct console *c, const char *id, struct jobfig *f)
{
	char label[32] = "";

	*f = (struct jobfig){ .state = "none", .phase = "none", .left = -1 };
	if (c->job.state == JOB_NONE || c->job.state == JOB_STAGING ||
	    strcmp(c->job.tender, id) != 0)
		return;
	job_reap(-1, 0, c);           /* a poll sees an ended child at once */
	f->state = c->job.state == JOB_RUNNING ? "running" :
	    c->job.state == JOB_DONE ? "done" : "failed";
	f->resumable = c->job.state == JOB_FAILED && c->job.sealed;
	if (c->job.state != JOB_RUNNING) {
		f->done = c->job.done;       /* the figures at its end */
		f->total = c->job.total;
	} else {
		(void)job_read_figures(c, label, &f->done,
		    &f->total, &f->rate);
	}
	if (c->job.state == JOB_DONE) {
		f->phase = "done";
	} else if (strcmp(label, "upload") == 0) {
		f->phase = f->total > 0 && f->done >= f->total &&
		    c->job.state == JOB_RUNNING ? "receipt" : "uploading";
	} else if (label[0] != '\0') {
		f->phase = "sealing";                /* hashing, sealing */
	} else {
		f->phase = c->job.sealed ? "uploading" : "sealing";
	}
	if (c->job.state == JOB_FAILED)
		f->phase = "failed";
	if (f->rate > 0 && f->total >= f->done)
		f->left = (long)((double)(f->total - f->done) / f->rate);
}

/* GET /t/ID/bid-progress */
static void
page_bid_progress(struct console *c, struct evhttp_request *req,
    const char *id)
{
	struct jobfig f;
	char js[512];
	int n;

	job_figures(c, id, &f);
	n = snprintf(js, sizeof(js), "{\"state\":\"%s\",\"phase\":\"%s\","
	    "\"done\":%llu,\"total\":%llu,\"rate\":%.0f,\"left\":%ld,"
	    "\"resumable\":%s}\n", f.state, f.phase, f.done, f.total, f.rate,
	    f.left, f.resumable ? "true" : "false");
	send_bytes(req, 200, "application/json", js, (size_t)n);
}

/* The job on the tender's desk: <bid-job state phase done total .../> */
static void
desk_bid_job(struct console *c, struct eb_doc *desk, const char *id)
{
	struct jobfig f;
	struct eb_doc *j;

	job_figures(c, id, &f);
	if (strcmp(f.state, "none") == 0)
		return;
	j = eb_doc_add(desk, "bid-job");
	eb_doc_set_attr(j, "state", f.state);
	eb_doc_set_attr(j, "phase", f.phase);
	eb_doc_set_attr_i64(j, "done", (int64_t)f.done);
	eb_doc_set_attr_i64(j, "total", (int64_t)f.total);
	if (f.resumable)
		eb_doc_set_attr(j, "resumable", "yes");
}

/* POST /t/ID/bid with attachments: the folder, the files, the child. */
static void
act_bid_job(struct console *c, struct evhttp_request *req, const char *id)
{
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT;
	struct bidform f = { .have_bid = 0 };
	char dir[] = "/tmp/ebid-console-XXXXXX", att[600], subject[96] = "";
	const char *stop = getenv("EBID_CONSOLE_STOP_AFTER");

	if (c->job.state == JOB_RUNNING) {
		put(&err, "error: a bid is being sent already: wait for its "
		    "receipt\n");
		goto flash;
	}
	if (mkdtemp(dir) == NULL) {
		put(&err, "error: cannot make a folder\n");
		goto flash;
	}
	snprintf(att, sizeof(att), "%s/att", dir);
	f.dir = dir;
	if (mkdir(att, 0700) != 0 || multipart_each(req, bidform_part, &f) !=
	    0 || !f.have_bid) {
		put(&err, f.why[0] ? f.why : !f.have_bid ?
		    "error: choose your bid's XML file\n" :
		    "error: the form cannot be read\n");
		dir_clean(dir);
		goto flash;
	}
	job_clean(c);                /* a new bid replaces an interrupted one */
	c->job.state = JOB_NONE;
	snprintf(c->job.dir, sizeof(c->job.dir), "%s", dir);
	snprintf(c->job.tender, sizeof(c->job.tender), "%s", id);
	c->job.sealed = 0;
	c->job.stop_after = stop_once(stop);
	bid_subject(c, id, subject, sizeof(subject));
	if (job_start(c, f.att, f.natt, subject, &err) != 0) {
		job_clean(c);
		goto flash;
	}
	goto done;
flash:
	set_flash(c, 2, &out, &err, "submit-bid");
done:
	for (int i = 0; i < f.natt; i++)
		free(f.att[i]);
	eb_buf_free(&out);
	eb_buf_free(&err);
	back_to(c, req, "t", id);
}

/*
 * The page's way for files over the console's body limit (console.js):
 * POST /t/ID/bid-begin (a new staging folder), POST /t/ID/bid-part?
 * kind=bid|attach&name=NAME&offset=N (the bytes [N, N+len) of a file,
 * application/octet-stream, N its size so far), POST /t/ID/bid-go (the
 * staged files sealed and uploaded as a form's would be).  Memory: one
 * piece (the page sends 8 MiB).
 */
static void
act_bid_begin(struct console *c, struct evhttp_request *req, const char *id)
{
	char dir[] = "/tmp/ebid-console-XXXXXX", att[64];

	if (c->job.state == JOB_RUNNING) {
		refuse(req, 409, "a bid is being sent already: wait for its "
		    "receipt");
		return;
	}
	if (mkdtemp(dir) == NULL) {
		refuse(req, 500, "cannot make a folder");
		return;
	}
	snprintf(att, sizeof(att), "%s/att", dir);
	if (mkdir(att, 0700) != 0) {
		dir_clean(dir);
		refuse(req, 500, "cannot make a folder");
		return;
	}
	job_clean(c);
	c->job.state = JOB_STAGING;
	snprintf(c->job.dir, sizeof(c->job.dir), "%s", dir);
	snprintf(c->job.tender, sizeof(c->job.tender), "%s", id);
	c->job.sealed = 0;
	send_bytes(req, 204, "text/plain", "", 0);
}

static void
act_bid_part(struct console *c, struct evhttp_request *req, const char *id,
    const char *query)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq q;
	const char *kind, *name, *off;
	char path[600], why[256];
	struct stat st;
	unsigned long long at;
	size_t n = evbuffer_get_length(in);
	int fd, isbid;

	TAILQ_INIT(&q);
	evhttp_parse_query_str(query != NULL ? query : "", &q);
	kind = evhttp_find_header(&q, "kind");
	name = evhttp_find_header(&q, "name");
	off = evhttp_find_header(&q, "offset");
	isbid = kind != NULL && strcmp(kind, "bid") == 0;
	if (c->job.state != JOB_STAGING || strcmp(c->job.tender, id) != 0) {
		refuse(req, 409, "no bid is being staged for this tender "
		    "(bid-begin first)");
		goto out;
	}
	if (kind == NULL || (!isbid && strcmp(kind, "attach") != 0) ||
	    off == NULL || strspn(off, "0123456789") != strlen(off) ||
	    *off == '\0' || (!isbid && name == NULL)) {
		refuse(req, 400, "kind=bid|attach, name= and offset= are "
		    "needed");
		goto out;
	}
	if (!isbid && att_name_ok(name, why, sizeof(why)) != 0) {
		refuse(req, 400, why);
		goto out;
	}
	if (isbid)
		job_path(c, "bid.xml", path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/att/%s", c->job.dir, name);
	at = strtoull(off, NULL, 10);
	if (stat(path, &st) != 0)
		st.st_size = 0;
	if ((unsigned long long)st.st_size != at) {
		refuse(req, 409, "the piece does not start at the file's end");
		goto out;
	}
	if (at == 0 && !isbid) {
		if (c->job.nstaged == MAX_ATTACH) {
			refuse(req, 413, "too many attachments");
			goto out;
		}
		for (int i = 0; i < c->job.nstaged; i++)
			if (strcmp(c->job.staged[i], path) == 0) {
				refuse(req, 400, "two attachments have the "
				    "same name");
				goto out;
			}
		c->job.staged[c->job.nstaged++] = eb_strdup(path);
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) < 0) {
		refuse(req, 500, "cannot write the file");
		goto out;
	}
	while (evbuffer_get_length(in) > 0)
		if (evbuffer_write(in, fd) <= 0)
			break;
	if (close(fd) != 0 || evbuffer_get_length(in) > 0) {
		refuse(req, 500, "cannot write the file");
		goto out;
	}
	(void)n;
	send_bytes(req, 204, "text/plain", "", 0);
out:
	evhttp_clear_headers(&q);
}

static void
act_bid_go(struct console *c, struct evhttp_request *req, const char *id)
{
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT;
	const char *stop = getenv("EBID_CONSOLE_STOP_AFTER");
	char path[600], subject[96] = "";
	struct stat st;

	job_path(c, "bid.xml", path, sizeof(path));
	if (c->job.state != JOB_STAGING || strcmp(c->job.tender, id) != 0 ||
	    stat(path, &st) != 0 || st.st_size == 0) {
		put(&err, "error: choose your bid's XML file\n");
		set_flash(c, 2, &out, &err, "submit-bid");
	} else {
		c->job.stop_after = stop_once(stop);
		bid_subject(c, id, subject, sizeof(subject));
		if (job_start(c, c->job.staged, c->job.nstaged, subject,
		    &err) != 0) {
			job_clean(c);
			c->job.state = JOB_NONE;
			set_flash(c, 4, &out, &err, "submit-bid");
		}
	}
	eb_buf_free(&out);
	eb_buf_free(&err);
	back_to(c, req, "t", id);
}

/* POST /t/ID/bid-resume: upload the failed job's sealed bid again. */
static void
act_bid_resume(struct console *c, struct evhttp_request *req,
    const char *id)
{
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT;

	if (c->job.state != JOB_FAILED || !c->job.sealed ||
	    strcmp(c->job.tender, id) != 0) {
		put(&err, "error: there is no interrupted upload of a bid for "
		    "this tender\n");
		set_flash(c, 2, &out, &err, "submit-bid");
	} else if (job_start(c, NULL, 0, "", &err) != 0) {
		set_flash(c, 4, &out, &err, "submit-bid");
	}
	eb_buf_free(&out);
	eb_buf_free(&err);
	back_to(c, req, "t", id);
}

/* Does the form carry an attachment (a part "attach" with a file)? */
static int
has_attach(const char *name, const char *filename, const uint8_t *p,
    size_t n, void *arg)
{
	(void)p;
	if (strcmp(name, "attach") == 0 && filename != NULL &&
	    (filename[0] != '\0' || n > 0))
		*(int *)arg = 1;
	return 0;
}

/*
 * POST /s/ID/bid: amount=YUAN.  Without confirm=yes: the confirmation
 * page with the amount in figures and in 大写.  With it: `ebid auction
 * bid --sale ID AMOUNT`.
 */
static void
act_sale_bid(struct console *c, struct evhttp_request *req, const char *id)
{
	struct evkeyvalq q;
	const char *amount, *confirm, *kind;
	struct eb_buf out = EB_BUF_INIT, err = EB_BUF_INIT;
	int64_t fen;
	char dx[256], yuan[64], fentext[32];

	if (form(req, &q) != 0) {
		refuse(req, 400, "unreadable form");
		return;
	}
	amount = evhttp_find_header(&q, "amount");
	confirm = evhttp_find_header(&q, "confirm");
	kind = evhttp_find_header(&q, "kind");
	kind = kind != NULL && strcmp(kind, "quote") == 0 ? "quote" : "bid";
	if (amount == NULL || yuan_fen(amount, &fen) != 0 ||
	    eb_console_daxie(fen, dx, sizeof(dx)) != 0) {
		put(&err, "error: the amount is not an amount "
		    "in yuan\n  hint: Write it as 9450000 or 9,450,000.00.\n");
		set_flash(c, 2, &out, &err, "auction-bid");
		back_to(c, req, "s", id);
	} else if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		struct eb_doc *cf = eb_doc_new("confirm");

		fen_yuan(fen, yuan, sizeof(yuan));
		snprintf(fentext, sizeof(fentext), "%lld", (long long)fen);
		eb_doc_set_attr(cf, "sale", id);
		eb_doc_set_attr(cf, "kind", kind);
		eb_doc_set_attr(cf, "fen", fentext);
		eb_doc_set_attr(cf, "yuan", yuan);
		eb_doc_set_attr(cf, "daxie", dx);
		render(c, req, 200, cf);
	} else {
		const char *argv[] = { "auction", kind, "--sale", id, NULL,
		    NULL };

		fen_yuan(fen, yuan, sizeof(yuan));
		argv[4] = yuan;
		set_flash(c, run_verb(c, 5, argv, &out, &err), &out, &err,
		    strcmp(kind, "quote") == 0 ? "quote" : "auction-bid");
		flash_values(c, "sale", id, fen);
		back_to(c, req, "s", id);
	}
	evhttp_clear_headers(&q);
	eb_buf_free(&out);
	eb_buf_free(&err);
}

/* -- routing ------------------------------------------------------------ */

static void
serve_static(struct console *c, struct evhttp_request *req, const char *name)
{
	if (strcmp(name, "console.css") == 0)
		send_bytes(req, 200, "text/css; charset=utf-8", c->css.data,
		    c->css.len);
	else if (strcmp(name, "console.js") == 0)
		send_bytes(req, 200, "text/javascript; charset=utf-8",
		    c->js.data, c->js.len);
	else
		refuse(req, 404, "no such file");
}

static void route(struct console *c, struct evhttp_request *req, int post,
    char kind, const char *id, const char *rest);

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct console *c = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	const char *query = u != NULL ? evhttp_uri_get_query(u) : NULL;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	int post = m == EVHTTP_REQ_POST;
	char kind[8], id[64], rest[32];

	if (path == NULL) {
		refuse(req, 400, "malformed request");
		return;
	}
	if (!guard(c, req, path, query))
		return;
	if (strcmp(path, "/favicon.ico") == 0) {
		send_bytes(req, 204, "text/plain", "", 0);
		return;
	}
	if (!post && strncmp(path, "/static/", 8) == 0) {
		serve_static(c, req, path + 8);
		return;
	}
	if (!post && strcmp(path, "/") == 0) {
		page_home(c, req);
		return;
	}
	if (!post && strcmp(path, "/daxie") == 0) {
		/* the amount as typed, in 大写, for the page's script: the
		 * one conversion (protocol/pagefn.c), no second one in JS */
		struct evkeyvalq q;
		const char *v;
		char dx[512];

		TAILQ_INIT(&q);
		evhttp_parse_query_str(query != NULL ? query : "", &q);
		v = evhttp_find_header(&q, "yuan");
		if (v == NULL || eb_daxie_yuan(v, dx, sizeof(dx)) != 0)
			dx[0] = '\0';
		send_bytes(req, 200, "text/plain; charset=utf-8", dx,
		    strlen(dx));
		evhttp_clear_headers(&q);
		return;
	}
	if (!post && strcmp(path, "/open") == 0) {
		struct evkeyvalq q;
		const char *v;
		char to[160];

		TAILQ_INIT(&q);
		evhttp_parse_query_str(query != NULL ? query : "", &q);
		v = evhttp_find_header(&q, "id");
		if (v != NULL && valid_id(v)) {
			snprintf(to, sizeof(to), "/%c/%s%s", letter_of_id(v), v,
			    want_en(req) ? "?lang=en" : "");
			redirect(req, to);
		} else {
			redirect(req, want_en(req) ? "/?lang=en" : "/");
		}
		evhttp_clear_headers(&q);
		return;
	}
	rest[0] = '\0';
	if (sscanf(path, "/%7[tsopm]/%63[A-Za-z0-9_.-]/%31[a-z-]", kind, id,
	    rest) < 2 || !valid_id(id) || strlen(kind) != 1) {
		refuse(req, 404, "no such page");
		return;
	}
	route(c, req, post, kind[0], id, rest);
	/* no connection idles between requests (ebidd may close it) */
	eb_client_close(c->client);
	c->client = NULL;
}

static void
route(struct console *c, struct evhttp_request *req, int post, char kind,
    const char *id, const char *rest)
{
	if (kind == 'o' || kind == 'p' || kind == 'm') {
		/* the registers (docs/registries.md): a page, and office
		 * steps run by `ebid pool|monitor|subject COMMAND ID` */
		if (!post && rest[0] == '\0')
			page_registry(c, req, kind, id);
		else if (post && strcmp(rest, "do") == 0)
			act_command(c, req, family_of(kind), id);
		else
			refuse(req, 404, "no such page");
		return;
	}
	if (kind == 't') {
		if (!post && rest[0] == '\0')
			page_tender(c, req, id);
		else if (!post && strcmp(rest, "hall") == 0)
			page_hall(c, req, id);
		else if (post && strcmp(rest, "do") == 0)
			act_command(c, req, "tender", id);
		else if (post && strcmp(rest, "check") == 0)
			act_scores(c, req, id, 0);
		else if (post && strcmp(rest, "scores") == 0)
			act_scores(c, req, id, 1);
		else if (post && strcmp(rest, "sign") == 0)
			act_sign(c, req, id);
		else if (post && strcmp(rest, "bid") == 0)
			act_bid(c, req, id);
		else if (!post && strcmp(rest, "bid-progress") == 0)
			page_bid_progress(c, req, id);
		else if (post && strcmp(rest, "bid-resume") == 0)
			act_bid_resume(c, req, id);
		else if (post && strcmp(rest, "bid-begin") == 0)
			act_bid_begin(c, req, id);
		else if (post && strcmp(rest, "bid-part") == 0)
			act_bid_part(c, req, id, evhttp_uri_get_query(
			    evhttp_request_get_evhttp_uri(req)));
		else if (post && strcmp(rest, "bid-go") == 0)
			act_bid_go(c, req, id);
		else if (!post && strcmp(rest, "receipt") == 0 &&
		    c->receipt != NULL && strcmp(c->receipt_tender, id) == 0) {
			char disp[128];

			snprintf(disp, sizeof(disp), "attachment; filename=\"%s."
			    "receipt\"", id);
			add_header(req, "Content-Disposition", disp);
			send_bytes(req, 200, "application/timestamp-reply",
			    c->receipt, c->receipt_len);
		} else if (!post && strcmp(rest, "sealed") == 0 &&
		    c->sealed != NULL && strcmp(c->receipt_tender, id) == 0) {
			char disp[128];

			snprintf(disp, sizeof(disp), "attachment; filename=\"%s."
			    "sealed\"", id);
			add_header(req, "Content-Disposition", disp);
			send_bytes(req, 200, "application/octet-stream",
			    c->sealed, c->sealed_len);
		} else
			refuse(req, 404, "no such page");
	} else {
		if (!post && rest[0] == '\0')
			page_sale(c, req, id, 0);
		else if (!post && strcmp(rest, "state") == 0)
			page_sale(c, req, id, 1);
		else if (post && strcmp(rest, "bid") == 0)
			act_sale_bid(c, req, id);
		else if (post && strcmp(rest, "do") == 0)
			act_command(c, req, "sale", id);
		else
			refuse(req, 404, "no such page");
	}
}

/* -- start and stop ----------------------------------------------------- */

static int
load_pages(struct console *c)
{
	struct eb_buf xsl = EB_BUF_INIT, str = EB_BUF_INIT;
	struct eb_doc *all;
	const struct eb_doc *s;
	struct eb_error e;
	char path[1024];
	xmlDocPtr doc;
	int ok = 0;

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "%s/console.xsl", c->pages);
	if (eb_file_read(path, (size_t)4 << 20, &xsl, &e) != EB_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/strings.xml", c->pages);
	if (eb_file_read(path, (size_t)4 << 20, &str, &e) != EB_OK ||
	    eb_xml_parse(NULL, NULL, str.data, str.len, &all, &e) != EB_OK)
		goto out;
	/* the labels, and apart the refusals' Chinese: the hints (<h en=
	 * zh=>) and the messages (<m id= zh=>) */
	c->strings = eb_doc_new("strings");
	c->hints = eb_doc_new("strings");
	eb_doc_foreach(s, all, NULL)
		eb_doc_append(strcmp(s->name, "h") == 0 ||
		    strcmp(s->name, "m") == 0 ? c->hints : c->strings,
		    eb_doc_clone(s));
	eb_doc_free(all);
	snprintf(path, sizeof(path), "%s/console.css", c->pages);
	if (eb_file_read(path, (size_t)1 << 20, &c->css, &e) != EB_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/console.js", c->pages);
	if (eb_file_read(path, (size_t)1 << 20, &c->js, &e) != EB_OK)
		goto out;
	doc = xmlReadMemory((const char *)xsl.data, (int)xsl.len,
	    "console.xsl", "UTF-8", XML_PARSE_NONET);
	if (doc == NULL || (c->style = xsltParseStylesheetDoc(doc)) == NULL) {
		xmlFreeDoc(doc);
		eb_fail(&e, EB_ERR_FORMAT, "bad-stylesheet", NULL,
		    "%s/console.xsl is not a valid XSLT 1.0 stylesheet",
		    c->pages);
		goto out;
	}
	if ((c->sec = xsltNewSecurityPrefs()) == NULL ||
	    xsltSetSecurityPrefs(c->sec, XSLT_SECPREF_READ_FILE,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(c->sec, XSLT_SECPREF_WRITE_FILE,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(c->sec, XSLT_SECPREF_CREATE_DIRECTORY,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(c->sec, XSLT_SECPREF_READ_NETWORK,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(c->sec, XSLT_SECPREF_WRITE_NETWORK,
	    xsltSecurityForbid) != 0)
		goto out;
	ok = 1;
out:
	if (!ok) {
		fprintf(stderr, "ebid console: cannot load the pages from %s\n",
		    c->pages);
		if (e.code != EB_OK)
			eb_client_print_error(stderr, &e);
		fprintf(stderr, "  hint: Give --pages DIR, the folder that "
		    "holds console.xsl, or set EBID_CONSOLE_PAGES to it.\n");
	}
	eb_buf_free(&xsl);
	eb_buf_free(&str);
	return ok ? 0 : -1;
}

static void
on_signal(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void
open_browser(const char *url)
{
	char *const argv[] = { "xdg-open", (char *)url, NULL };
	pid_t pid;

	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
		fprintf(stderr, "ebid console: cannot run xdg-open; open the "
		    "URL above yourself\n");
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: ebid [--url URL --ca F --cert F --key F] console "
	    "[--port N] [--open] [--pages DIR]\n"
	    "  your desk in your browser, on 127.0.0.1 only: open the URL it "
	    "prints\n  (docs/console.md); Ctrl-C stops it\n");
}

int
eb_console_main(int argc, char **argv, const char *url, const char *ca,
    const char *cert, const char *key)
{
	struct console c;
	struct evhttp_bound_socket *sock;
	struct event *sigint = NULL, *sigterm = NULL;
	struct eb_error e;
	int open = 0, rc = EXIT_LOCAL;
	long port = 0;
	char link[200];

	memset(&c, 0, sizeof(c));
	c.url = url;
	c.ca = ca;
	c.cert = cert;
	c.key = key;
	c.pages = getenv("EBID_CONSOLE_PAGES") ? getenv("EBID_CONSOLE_PAGES") :
	    EB_CONSOLE_PAGES;
	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = strtol(argv[++i], &end, 10);
			if (*end != '\0' || port < 0 || port > 65535) {
				usage(stderr);
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--pages") == 0 && i + 1 < argc) {
			c.pages = argv[++i];
		} else if (strcmp(argv[i], "--open") == 0) {
			open = 1;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cert == NULL || key == NULL) {
		fprintf(stderr, "ebid console: give --cert and --key (or "
		    "EBID_CERT and EBID_KEY): the console signs with them\n");
		return EXIT_USAGE;
	}
	eb_xml_init();
	signal(SIGPIPE, SIG_IGN);
	eb_error_clear(&e);
	if (load_pages(&c) != 0)
		goto out;
	if ((c.me = fetch(&c, "/v1/whoami", &e)) == NULL) {
		fprintf(stderr, "ebid console: the server does not answer as "
		    "it should:\n");
		eb_client_print_error(stderr, &e);
		rc = 3;
		goto out;
	}
	eb_doc_set_attr(c.me, "server", url);
	if ((c.base = event_base_new()) == NULL ||
	    (c.http = evhttp_new(c.base)) == NULL)
		goto out;
	evhttp_set_allowed_methods(c.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(c.http, (ev_ssize_t)BODY_MAX);
	evhttp_set_max_headers_size(c.http, 16384);
	evhttp_set_gencb(c.http, on_request, &c);
	if ((sock = evhttp_bind_socket_with_handle(c.http, "127.0.0.1",
	    (ev_uint16_t)port)) == NULL) {
		fprintf(stderr, "ebid console: cannot listen on 127.0.0.1:%ld: "
		    "%s\n", port, strerror(errno));
		goto out;
	}
	{
		struct sockaddr_in sin;       /* bound on 127.0.0.1: IPv4 */
		ev_socklen_t sl = sizeof(sin);

		memset(&sin, 0, sizeof(sin));
		if (getsockname(evhttp_bound_socket_get_fd(sock),
		    (struct sockaddr *)&sin, &sl) != 0)
			goto out;
		c.port = ntohs(sin.sin_port);
	}
	snprintf(c.host_ip, sizeof(c.host_ip), "127.0.0.1:%d", c.port);
	snprintf(c.host_name, sizeof(c.host_name), "localhost:%d", c.port);
	snprintf(c.origin_ip, sizeof(c.origin_ip), "http://127.0.0.1:%d",
	    c.port);
	snprintf(c.origin_name, sizeof(c.origin_name), "http://localhost:%d",
	    c.port);
	snprintf(c.cookie, sizeof(c.cookie), "ebid_console_%d", c.port);
	hex_random(c.token, 32);
	snprintf(link, sizeof(link), "http://127.0.0.1:%d/?token=%s", c.port,
	    c.token);
	printf("ebid console for %s (%s) on %s\nopen: %s\n",
	    eb_doc_attr(c.me, "party") ? eb_doc_attr(c.me, "party") : "?",
	    eb_doc_attr(c.me, "role") ? eb_doc_attr(c.me, "role") : "?", url,
	    link);
	fflush(stdout);
	if (open)
		open_browser(link);
	sigint = evsignal_new(c.base, SIGINT, on_signal, c.base);
	sigterm = evsignal_new(c.base, SIGTERM, on_signal, c.base);
	if (sigint == NULL || sigterm == NULL || event_add(sigint, NULL) != 0 ||
	    event_add(sigterm, NULL) != 0)
		goto out;
	event_base_dispatch(c.base);
	rc = 0;
out:
	if (sigint != NULL)
		event_free(sigint);
	if (sigterm != NULL)
		event_free(sigterm);
	if (c.job.pid > 0) {               /* a bid still going out */
		kill(c.job.pid, SIGTERM);
		(void)waitpid(c.job.pid, NULL, 0);
	}
	job_clean(&c);
	if (c.job.reap != NULL)
		event_free(c.job.reap);
	if (c.http != NULL)
		evhttp_free(c.http);
	if (c.base != NULL)
		event_base_free(c.base);
	eb_client_close(c.client);
	eb_doc_free(c.me);
	eb_doc_free(c.strings);
	eb_doc_free(c.hints);
	eb_doc_free(c.flash);
	for (int i = 0; i < MAX_DRAFTS; i++)
		eb_doc_free(c.drafts[i].sheet);
	free(c.receipt);
	free(c.sealed);
	if (c.style != NULL)
		xsltFreeStylesheet(c.style);
	if (c.sec != NULL)
		xsltFreeSecurityPrefs(c.sec);
	eb_buf_free(&c.css);
	eb_buf_free(&c.js);
	return rc;
}
