/*
 * tools/verbs.c
 *    The verb families of `ebid`: see verbs.h and docs/client.md.
 *
 * Each verb either reads (GET a view and print it for a person, or its
 * XML with --xml) or acts (build a command document, sign it with the
 * caller's key, POST it to /v1/commands, print what the server accepted).
 * Sealing a bid and checking a receipt work offline.
 *
 * Ownership: one struct session per run owns the client, the caller's
 * certificate and key, and the schema; everything else is freed in the
 * function that made it.
 */
#include "verbs.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "engine/core/sale.h"
#include "protocol/cms.h"
#include "protocol/errdoc.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "protocol/keysplit.h"
#include "protocol/opening.h"
#include "protocol/pki.h"
#include "protocol/inclusion.h"
#include "protocol/receipt.h"
#include "protocol/xml.h"
#include "tools/bigbid.h"
#include "tools/client.h"
#include "tools/fileio.h"

#ifndef EB_XSD_DEFAULT
#define EB_XSD_DEFAULT "protocol/xsd/ebid.xsd"
#endif

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_TRANSPORT 3
#define EXIT_SERVER 4
#define EXIT_LOCAL 5

#define FILE_MAX ((size_t)64 << 20)
#define MAX_FIELDS 32

struct session {
	const char *url, *ca, *cert_path, *key_path;
	struct eb_client *client;
	X509 *cert;
	EVP_PKEY *key;
	struct eb_schema *schema;
};

/* The options every verb understands. */
struct args {
	const char *id;            /* --tender / --sale / --pool or positional */
	const char *out;           /* -o */
	const char *opening_cert;  /* --opening-cert */
	const char *opening_authority; /* --opening-authority */
	const char *file;          /* a positional FILE */
	const char *amount;        /* a positional AMOUNT */
	const char *pos[4];
	int npos;
	int xml;                   /* --xml */
	int until_closed;          /* --until-closed */
	const char *attr_name[MAX_FIELDS], *attr_value[MAX_FIELDS];
	int nattr;
	const char *child_name[MAX_FIELDS], *child_text[MAX_FIELDS];
	int nchild;
};

static void
print_error(const struct eb_error *e)
{
	eb_client_print_error(stderr, e);
}



static int
need_keys(struct session *s, struct eb_error *e)
{
	if (s->cert != NULL)
		return EB_OK;
	if (s->cert_path == NULL || s->key_path == NULL)
		return eb_fail(e, EB_ERR_USAGE, "no-key",
		    "Give --cert and --key (or EBID_CERT and EBID_KEY).",
		    "this needs your certificate and key");
	if ((s->cert = eb_pem_cert_load(s->cert_path, e)) == NULL)
		return e->code;
	if ((s->key = eb_pem_key_load(s->key_path, e)) == NULL)
		return e->code;
	return EB_OK;
}

static int
need_client(struct session *s, struct eb_error *e)
{
	if (s->client != NULL)
		return EB_OK;
	s->client = eb_client_open(s->url, s->ca, s->cert_path, s->key_path, e);
	return s->client != NULL ? EB_OK : (e->code ? e->code : EB_ERR_IO);
}

static int
need_schema(struct session *s, struct eb_error *e)
{
	const char *p = getenv("EBID_XSD") ? getenv("EBID_XSD") :
	    EB_XSD_DEFAULT;

	if (s->schema == NULL && (s->schema = eb_schema_load(p, e)) == NULL)
		return e->code ? e->code : EB_ERR_IO;
	return EB_OK;
}

static int
exit_for_rc(int rc)
{
	switch (rc) {
	case EB_ERR_USAGE: return EXIT_USAGE;
	case EB_ERR_IO: return EXIT_TRANSPORT;
	default: return EXIT_LOCAL;
	}
}

/*
 * Retrying after a lost reply (docs/client.md): when retryable() says so,
 * wait 0.25 s, then doubling up to 8 s, for at most EBID_RETRY_SECONDS in
 * all (default 60; 0 = never retry).  Returns the wait in seconds, or -1:
 * do not retry.
 */
static double
retry_wait(int attempt, int retry)
{
	static double spent;
	const char *env = getenv("EBID_RETRY_SECONDS");
	double budget = env != NULL ? atof(env) : 60.0, w;

	if (attempt == 1)
		spent = 0;
	if (!retry)
		return -1;
	w = 0.25;
	for (int i = 1; i < attempt && w < 8.0; i++)
		w *= 2;
	if (w > 8.0)
		w = 8.0;
	if (spent + w > budget)
		return -1;
	spent += w;
	return w;
}

/*
 * 1 when sending the same bytes again may help: no reply (EB_ERR_IO), the
 * server unavailable (503), or 409 duplicate-command (two identical
 * creating commands raced: sent again, the loser gets the winner's entry).
 */
static int
retryable(int sent, const struct eb_error *e, int status,
    const struct eb_buf *body)
{
	struct eb_error re;

	if (sent != EB_OK)
		return e->code == EB_ERR_IO;
	if (status == 503)
		return 1;
	if (status != 409)
		return 0;
	eb_error_clear(&re);
	eb_client_reply_error(body, status, &re);
	return strcmp(re.reason, "duplicate-command") == 0;
}

static void
retry_sleep(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * One exchange: GET 'path' (der NULL) or POST 'der' to /v1/commands, then
 * the reply parsed into *doc on 200.  Returns an exit status; every
 * failure is printed in plain words.
 */
static int
exchange(struct session *s, const char *path, const uint8_t *der,
    size_t len, struct eb_doc **doc)
{
	struct eb_buf body = EB_BUF_INIT;
	struct eb_error e;
	int status = 0, rc = 0, sent;

	eb_error_clear(&e);
	*doc = NULL;
	body.max = FILE_MAX;
	if (need_client(s, &e) != EB_OK) {
		print_error(&e);
		return EXIT_LOCAL;
	}
	for (int attempt = 1;; attempt++) {
		double wait;

		eb_buf_reset(&body);
		eb_error_clear(&e);
		status = 0;
		if (der == NULL)
			sent = eb_client_get(s->client, path, &body, &status,
			    &e);
		else
			sent = eb_client_post(s->client, "/v1/commands",
			    "application/cms", der, len, &body, &status, &e);
		if ((wait = retry_wait(attempt, retryable(sent, &e, status,
		    &body))) < 0)
			break;
		/*
		 * No reply, or the server cannot decide now: send the very
		 * same bytes again.  ebidd keeps one entry per signed
		 * command, so a command that did commit before the reply
		 * was lost is answered with its first entry, never twice.
		 */
		fprintf(stderr, "ebid: %s; sending the same signed %s again "
		    "in %.1f s (attempt %d)\n", sent != EB_OK ? e.primary :
		    status == 503 ? "the server is unavailable" :
		    "the same command was in flight twice", der != NULL ?
		    "command" :
		    "request", wait, attempt + 1);
		retry_sleep(wait);
	}
	if (sent != EB_OK) {
		print_error(&e);
		rc = EXIT_TRANSPORT;
	} else if (status != 200) {
		eb_client_reply_error(&body, status, &e);
		print_error(&e);
		rc = status >= 500 ? EXIT_SERVER : EXIT_REFUSED;
	} else if (eb_xml_parse(NULL, NULL, body.data, body.len, doc, &e) !=
	    EB_OK) {
		print_error(&e);
		rc = EXIT_SERVER;
	}
	eb_buf_free(&body);
	return rc;
}

/* GET 'path' and parse the reply.  Returns an exit status. */
static int
get_doc(struct session *s, const char *path, struct eb_doc **doc)
{
	return exchange(s, path, NULL, 0, doc);
}

/* POST signed bytes; on 200 *reply is the <accepted> tree. */
static int
post_signed(struct session *s, const uint8_t *der, size_t len,
    struct eb_doc **reply)
{
	struct eb_error e;

	/* EBID_KEEP_SIGNED=FILE: the exact bytes, to send again later */
	eb_error_clear(&e);
	*reply = NULL;
	if (getenv("EBID_KEEP_SIGNED") != NULL &&
	    eb_file_write(getenv("EBID_KEEP_SIGNED"), der, len, &e) != EB_OK) {
		print_error(&e);
		return exit_for_rc(e.code);
	}
	return exchange(s, NULL, der, len, reply);
}

/*
 * A creating command (it names no aggregate yet) carries a request id
 * inside its signature (docs/client.md, retrying): a reply lost, the same
 * command sent again -- the same bytes by ebid's own retry, or signed anew
 * by a rerun with EBID_REQUEST_ID -- gets the aggregate the first created
 * and creates nothing.  Returns the id to put on 'cmd', or NULL.
 */
static const char *
request_id_for(const struct eb_doc *cmd, char buf[33])
{
	static const char *const creating[] = { "register-tender",
		"register-sale", "register-subject", "register-expert",
		"open-monitor", NULL };
	const char *env = getenv("EBID_REQUEST_ID");
	uint8_t r[16];
	int i;

	for (i = 0; creating[i] != NULL; i++)
		if (strcmp(cmd->name, creating[i]) == 0)
			break;
	if (creating[i] == NULL || eb_doc_attr(cmd, "request-id") != NULL ||
	    eb_doc_attr(cmd, "pool") != NULL)
		return NULL;
	if (env != NULL && *env != '\0')
		return env;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return NULL;
	for (i = 0; i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", r[i]);
	return buf;
}

/* Sign 'cmd' (its XML) with the caller's key: new DER in *der. */
static int
sign_doc(struct session *s, const struct eb_doc *cmd, uint8_t **der,
    size_t *len, struct eb_error *e)
{
	struct eb_buf xml = EB_BUF_INIT;
	struct eb_doc *copy = NULL;
	const char *rid;
	char buf[33];
	int rc;

	if ((rc = need_keys(s, e)) != EB_OK)
		return rc;
	if ((rid = request_id_for(cmd, buf)) != NULL) {
		copy = eb_doc_clone(cmd);
		eb_doc_set_attr(copy, "request-id", rid);
		cmd = copy;
	}
	if ((rc = eb_xml_write(cmd, 0, &xml)) == EB_OK)
		rc = eb_cms_sign(s->cert, s->key, xml.data, xml.len, der, len, e);
	eb_buf_free(&xml);
	eb_doc_free(copy);
	return rc;
}

static void
print_accepted(const struct eb_doc *reply)
{
	const struct eb_doc *events = eb_doc_child(reply, "events"), *ev;
	struct eb_buf b = EB_BUF_INIT;

	printf("accepted: %s seq %s at %s%s\n",
	    eb_doc_attr(reply, "aggregate") ? eb_doc_attr(reply, "aggregate") :
	    "?", eb_doc_attr(reply, "seq") ? eb_doc_attr(reply, "seq") : "?",
	    eb_doc_attr(reply, "time") ? eb_doc_attr(reply, "time") : "?",
	    eb_doc_attr(reply, "duplicate") != NULL ? " (sent before: the "
	    "first entry, nothing appended)" : "");
	if (events == NULL)
		return;
	for (ev = events->first; ev != NULL; ev = ev->next) {
		printf("  %s", ev->name);
		for (const struct eb_attr *a = ev->attrs; a != NULL; a = a->next)
			if (strcmp(a->name, "at") != 0 && strlen(a->value) <= 80)
				printf(" %s=%s", a->name, a->value);
		putchar('\n');
	}
	if (getenv("EBID_VERBOSE") != NULL &&
	    eb_xml_write(events, 1, &b) == EB_OK)
		fwrite(b.data, 1, b.len, stdout);
	eb_buf_free(&b);
}

/* Sign and send 'cmd'; print the result.  Returns an exit status. */
static int
act(struct session *s, const struct eb_doc *cmd, struct eb_doc **reply_out)
{
	struct eb_doc *reply = NULL;
	struct eb_error e;
	uint8_t *der = NULL;
	size_t len = 0;
	int rc;

	eb_error_clear(&e);
	if (sign_doc(s, cmd, &der, &len, &e) != EB_OK) {
		print_error(&e);
		return exit_for_rc(e.code);
	}
	rc = post_signed(s, der, len, &reply);
	free(der);
	if (rc == 0)
		print_accepted(reply);
	if (reply_out != NULL)
		*reply_out = reply;
	else
		eb_doc_free(reply);
	return rc;
}

/* -- argument parsing --------------------------------------------------- */

static int
parse_args(int argc, char **argv, int first, struct args *a,
    const char *idopt)
{
	memset(a, 0, sizeof(*a));
	for (int i = first; i < argc; i++) {
		const char *v = argv[i];

		if ((strcmp(v, "--tender") == 0 || strcmp(v, "--sale") == 0 ||
		    strcmp(v, "--pool") == 0) && i + 1 < argc) {
			a->id = argv[++i];
		} else if (strcmp(v, "-o") == 0 && i + 1 < argc) {
			a->out = argv[++i];
		} else if (strcmp(v, "--opening-cert") == 0 && i + 1 < argc) {
			a->opening_cert = argv[++i];
		} else if (strcmp(v, "--opening-authority") == 0 &&
		    i + 1 < argc) {
			a->opening_authority = argv[++i];
		} else if (strcmp(v, "--xml") == 0) {
			a->xml = 1;
		} else if (strcmp(v, "--until-closed") == 0) {
			a->until_closed = 1;
		} else if (strncmp(v, "--", 2) == 0 && v[2] != '\0' &&
		    i + 1 < argc) {
			if (a->nchild == MAX_FIELDS)
				return -1;
			a->child_name[a->nchild] = v + 2;
			a->child_text[a->nchild++] = argv[++i];
		} else if (strncmp(v, "--", 2) == 0) {
			return -1;
		} else if (strchr(v, '=') != NULL && v[0] != '=' &&
		    strchr(v, '/') == NULL) {
			if (a->nattr == MAX_FIELDS)
				return -1;
			a->attr_name[a->nattr] = v;
			a->attr_value[a->nattr++] = strchr(v, '=') + 1;
		} else if (a->npos < 4) {
			a->pos[a->npos++] = v;
		} else {
			return -1;
		}
	}
	(void)idopt;
	return 0;
}

/* Yuan as a person types it, to fen: engine/core/sale.h. */
static int
yuan_to_fen(const char *s, int64_t *fen)
{
	return eb_sale_price_parse(s, fen) == EB_OK ? 0 : -1;
}

/*
 * Why 's' is not an amount, in words a person can act on (the parser,
 * eb_sale_price_parse, only says yes or no).  Money typed by a person must
 * never be guessed at: "6,0500,000.00" is refused, not read as 60,500,000.
 */
static const char *
amount_problem(const char *s, char *buf, size_t cap)
{
	size_t i, n = strlen(s), dot = n, digits_after = 0;

	if (n == 0)
		return "no amount given";
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return "remove the spaces around the amount";
	if (s[0] == '+' || s[0] == '-')
		return "an amount has no sign";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return "use the ASCII digits 0-9, ',' and '.' (full-width "
			    "digits and commas are not read)";
		if (c == 'e' || c == 'E')
			return "no exponent: write the amount in full";
		if (!(c >= '0' && c <= '9') && c != ',' && c != '.') {
			snprintf(buf, cap, "'%c' (position %zu) is not part of an "
			    "amount", c, i + 1);
			return buf;
		}
		if (c == '.' && dot == n)
			dot = i;
		else if (c == '.')
			return "more than one '.'";
	}
	for (i = dot + 1; i < n; i++) {
		if (s[i] == ',')
			return "no ',' after the decimal point";
		digits_after++;
	}
	if (dot < n && digits_after == 0)
		return "give the decimals after '.', or leave the '.' out";
	if (digits_after > 2)
		return "at most two decimals (the fen)";
	if (s[0] == ',' || s[0] == '.')
		return "an amount starts with a digit";
	if (memchr(s, ',', dot) != NULL)
		return "group the digits by three from the right, with ',' "
		    "(6,050,000.00) or not at all (6050000.00)";
	return "larger than the largest amount ebid can hold";
}

static void
fen_text(int64_t fen, char *out, size_t cap)
{
	char digits[32], grouped[64];
	int64_t yuan = fen / 100, cents = fen % 100;
	size_t n, i, j = 0;

	if (fen < 0) {
		snprintf(out, cap, "%lld fen", (long long)fen);
		return;
	}
	snprintf(digits, sizeof(digits), "%lld", (long long)yuan);
	n = strlen(digits);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(out, cap, "%.40s.%02lld", grouped, (long long)cents);
}

/* -- generic commands --------------------------------------------------- */

static const struct alias {
	const char *family, *verb, *command;
} aliases[] = {
	{ "tender", "register", "register-tender" },
	{ "tender", "accept", "accept-registration" },
	{ "tender", "return", "return-registration" },
	{ "tender", "resubmit", "resubmit-registration" },
	{ "tender", "publish", "publish-announcement" },
	{ "tender", "cancel", "request-cancellation" },
	{ "sale", "register", "register-sale" },
	{ "sale", "accept", "accept-sale" },
	{ "sale", "publish", "publish-listing" },
	{ "sale", "apply", "apply-for-sale" },
	{ "pool", "configure", "configure-assessment" },
	{ "pool", "rate", "rate-expert" },
	{ "monitor", "open", "open-monitor" },
	{ "monitor", "check", "check-tender" },
	{ "monitor", "close", "close-alert" },
	{ "subject", "register", "register-subject" },
	{ "subject", "qualify", "amend-qualifications" },
	{ "subject", "authorise", "authorise-representative" },
	{ "subject", "revoke", "revoke-representative" },
	{ "subject", "suspend", "suspend-subject" },
	{ "subject", "reinstate", "reinstate-subject" },
	{ "subject", "finding", "record-finding" },
	{ "subject", "object", "object-to-finding" },
	{ "subject", "answer", "answer-finding-objection" },
	{ NULL, NULL, NULL }
};

static const char *
command_for(const char *family, const char *verb)
{
	for (const struct alias *a = aliases; a->family != NULL; a++)
		if (strcmp(a->family, family) == 0 && strcmp(a->verb, verb) == 0)
			return a->command;
	return verb;
}

/* Build <COMMAND attr=ID ...> from the arguments (and FILE.xml). */
static int
build_command(struct session *s, const char *family, const char *command,
    const struct args *a, struct eb_doc **out, struct eb_error *e)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	const char *file = NULL, *id = a->id;
	int i, rc;

	*out = NULL;
	for (i = 0; i < a->npos; i++) {
		size_t n = strlen(a->pos[i]);

		if (n > 4 && strcmp(a->pos[i] + n - 4, ".xml") == 0)
			file = a->pos[i];
		else if (id == NULL)
			id = a->pos[i];
		else
			return eb_fail(e, EB_ERR_USAGE, "extra-argument",
			    "Give attributes as NAME=VALUE and children as "
			    "--NAME TEXT.", "unexpected argument '%s'",
			    a->pos[i]);
	}
	if (file != NULL) {
		if ((rc = eb_file_read(file, FILE_MAX, &b, e)) != EB_OK ||
		    (rc = need_schema(s, e)) != EB_OK ||
		    (rc = eb_xml_parse(NULL, NULL, b.data, b.len, &d, e)) !=
		    EB_OK) {
			eb_buf_free(&b);
			return rc;
		}
		eb_buf_free(&b);
		if (strcmp(d->name, command) != 0) {
			rc = eb_fail(e, EB_ERR_USAGE, "wrong-document",
			    "The file's root element must be the command.",
			    "%s holds <%s>, not <%s>", file, d->name, command);
			eb_doc_free(d);
			return rc;
		}
	} else {
		d = eb_doc_new(command);
	}
	if (id != NULL)
		eb_doc_set_attr(d, family, id);
	for (i = 0; i < a->nattr; i++) {
		char name[64];
		size_t n = (size_t)(a->attr_value[i] - 1 - a->attr_name[i]);

		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, a->attr_name[i], n);
		name[n] = '\0';
		eb_doc_set_attr(d, name, a->attr_value[i]);
	}
	for (i = 0; i < a->nchild; i++)
		eb_doc_add_text(d, a->child_name[i], a->child_text[i]);
	*out = d;
	return EB_OK;
}

static int
print_doc(const struct eb_doc *d)
{
	struct eb_buf b = EB_BUF_INIT;
	int rc = eb_xml_write(d, 1, &b);

	if (rc == EB_OK)
		fwrite(b.data, 1, b.len, stdout);
	eb_buf_free(&b);
	return rc == EB_OK ? 0 : EXIT_LOCAL;
}

static int
show(struct session *s, const char *what, const char *id, const char *sub)
{
	char path[256];
	struct eb_doc *d = NULL;
	int rc;

	if (id == NULL) {
		fprintf(stderr, "ebid: which %s? (give its id)\n", what);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/%ss/%s%s%s", what, id,
	    sub ? "/" : "", sub ? sub : "");
	if ((rc = get_doc(s, path, &d)) == 0)
		rc = print_doc(d);
	eb_doc_free(d);
	return rc;
}

static int
family_generic(struct session *s, const char *family, int argc, char **argv)
{
	struct eb_doc *cmd = NULL, *reply = NULL;
	struct eb_error e;
	struct args a;
	const char *command;
	int rc;

	eb_error_clear(&e);
	if (argc < 2 || parse_args(argc, argv, 2, &a, family) != 0) {
		eb_verbs_usage(family, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "show") == 0)
		return show(s, family, a.id ? a.id : a.pos[0], NULL);
	if (strcmp(argv[1], "duties") == 0)
		return show(s, family, a.id ? a.id : a.pos[0], "duties");
	command = command_for(family, argv[1]);
	if (build_command(s, family, command, &a, &cmd, &e) != EB_OK) {
		print_error(&e);
		return exit_for_rc(e.code);
	}
	rc = act(s, cmd, &reply);
	if (rc == 0 && eb_doc_attr(cmd, family) == NULL)
		printf("%s %s registered\n", family,
		    eb_doc_attr(reply, "aggregate"));
	eb_doc_free(reply);
	eb_doc_free(cmd);
	return rc;
}

/* -- bids --------------------------------------------------------------- */

/* The tender's opening certificate: from a file or the public view. */
static X509 *
opening_cert(struct session *s, const struct args *a, struct eb_error *e)
{
	struct eb_doc *view = NULL, *c;
	uint8_t *der = NULL;
	const uint8_t *p;
	const char *b64;
	size_t len = 0;
	char path[256];
	X509 *x = NULL;

	if (a->opening_cert != NULL)
		return eb_pem_cert_load(a->opening_cert, e);
	snprintf(path, sizeof(path), "/v1/tenders/%s", a->id);
	if (get_doc(s, path, &view) != 0) {
		eb_fail(e, EB_ERR_IO, "cannot-fetch-tender",
		    "Give --opening-cert FILE to seal offline.",
		    "cannot fetch tender %s", a->id);
		return NULL;
	}
	c = eb_doc_path(view, "opening-key/certificate");
	if (c == NULL)
		c = eb_doc_path(view, "opening/certificate");
	b64 = c != NULL ? eb_doc_text(c) : NULL;
	if (b64 == NULL || *b64 == '\0' ||
	    eb_base64_decode(b64, strlen(b64), &der, &len) != EB_OK) {
		eb_fail(e, EB_ERR_STATE, "no-opening-certificate",
		    "Bids can be sealed once bidding is open.",
		    "tender %s has no opening certificate yet", a->id);
	} else {
		p = der;
		x = d2i_X509(NULL, &p, (long)len);
	}
	free(der);
	eb_doc_free(view);
	return x;
}

/*
 * Before sealing: the opening certificate must be the tender's, issued by
 * the centre's opening authority under its CA, valid now
 * (eb_opening_cert_check).  The authority comes from --opening-authority
 * FILE, EBID_OPENING_AUTHORITY, or GET /v1/opening-authority; its trust
 * comes from the path to the CA, not from where it was read.
 */
static int
check_opening_cert(struct session *s, const struct args *a, X509 *oc,
    struct eb_error *e)
{
	const char *file = a->opening_authority != NULL ?
	    a->opening_authority : getenv("EBID_OPENING_AUTHORITY");
	struct eb_trust *t = NULL;
	struct eb_doc *d = NULL;
	X509 *auth = NULL;
	int64_t at = 0;
	int rc;

	if (file != NULL) {
		auth = eb_pem_cert_load(file, e);
	} else if (get_doc(s, "/v1/opening-authority", &d) == 0) {
		const char *b64 = eb_doc_child_text(d, "certificate");
		uint8_t *der = NULL;
		size_t len = 0;

		if (b64 != NULL && eb_base64_decode(b64, strlen(b64), &der,
		    &len) == EB_OK) {
			const uint8_t *p = der;

			auth = d2i_X509(NULL, &p, (long)len);
		}
		free(der);
	}
	eb_doc_free(d);
	d = NULL;
	if (auth == NULL) {
		if (e->code == 0)
			eb_fail(e, EB_ERR_DENIED, "opening-cert-untrusted",
			    "Give --opening-authority FILE (the centre "
			    "publishes it beside its CA certificate).",
			    "cannot get the centre's opening authority to "
			    "check the opening certificate");
		return e->code;
	}
	if ((t = eb_trust_load(s->ca, e)) == NULL) {
		X509_free(auth);
		return e->code;
	}
	/*
	 * "Valid now" is the server's now when it runs a test clock (the
	 * opening certificate is dated by that clock); the real time
	 * otherwise, and offline.
	 */
	if (a->opening_cert == NULL && get_doc(s, "/v1/health", &d) == 0) {
		const char *clock = eb_doc_attr(d, "clock");
		const char *now = eb_doc_attr(d, "time");

		if (clock != NULL && strcmp(clock, "system") != 0 &&
		    now != NULL && eb_isotime_parse(now, &at) != EB_OK)
			at = 0;
		else if (clock == NULL || strcmp(clock, "system") == 0)
			at = 0;
	}
	eb_doc_free(d);
	rc = eb_opening_cert_check(t, oc, auth, a->id, at, e);
	eb_trust_free(t);
	X509_free(auth);
	return rc;
}

/* The text of every --NAME option given (e.g. --attach), in order. */
static size_t
children(const struct args *a, const char *name, const char **out,
    size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < a->nchild && n < cap; i++)
		if (strcmp(a->child_name[i], name) == 0)
			out[n++] = a->child_text[i];
	return n;
}

static const char *
child_or(const struct args *a, const char *name, const char *dflt)
{
	const char *v = NULL;

	return children(a, name, &v, 1) == 1 ? v : dflt;
}

static int
bid_seal(struct session *s, const struct args *a)
{
	struct eb_buf xml = EB_BUF_INIT;
	struct eb_doc *bid = NULL, *cmd = NULL, *ref;
	struct eb_error e;
	uint8_t *env = NULL, commit[EB_SHA256_LEN], *der = NULL;
	size_t envlen = 0, derlen = 0, nattach;
	char *b64 = NULL, hex[EB_SHA256_HEX], ehex[EB_SHA256_HEX];
	char envpath[4096];
	const char *attach[MAX_FIELDS];
	X509 *oc = NULL;
	int rc = EXIT_LOCAL;

	eb_error_clear(&e);
	if (a->id == NULL || a->npos != 1 || a->out == NULL) {
		eb_verbs_usage("bid", stderr);
		return EXIT_USAGE;
	}
	if (eb_file_read(a->pos[0], FILE_MAX, &xml, &e) != EB_OK ||
	    need_schema(s, &e) != EB_OK ||
	    eb_xml_parse(s->schema, NULL, xml.data, xml.len, &bid, &e) !=
	    EB_OK)
		goto fail;
	if (strcmp(bid->name, "bid") != 0 || eb_doc_attr(bid, "tender") == NULL ||
	    strcmp(eb_doc_attr(bid, "tender"), a->id) != 0) {
		eb_fail(&e, EB_ERR_USAGE, "bid-for-another-tender",
		    "Set the bid's tender attribute to the tender you bid on.",
		    "%s is a bid for tender %s, not %s", a->pos[0],
		    eb_doc_attr(bid, "tender") ? eb_doc_attr(bid, "tender") : "?",
		    a->id);
		goto fail;
	}
	if (need_keys(s, &e) != EB_OK || (oc = opening_cert(s, a, &e)) == NULL ||
	    check_opening_cert(s, a, oc, &e) != EB_OK)
		goto fail;
	nattach = children(a, "attach", attach, MAX_FIELDS);
	if (nattach > 0 || child_or(a, "envelope", NULL) != NULL) {
		/* a large bid: the streamed envelope beside the command */
		uint8_t esha[EB_SHA256_LEN];
		uint64_t esize = 0;

		snprintf(envpath, sizeof(envpath), "%s.env", a->out);
		if (eb_bigbid_seal(s->cert, s->key, oc, xml.data, xml.len,
		    attach, nattach, child_or(a, "envelope", envpath), commit,
		    esha, &esize, &e) != EB_OK)
			goto fail;
		eb_hex32(commit, hex);
		eb_hex32(esha, ehex);
		cmd = eb_doc_new("submit-bid");
		eb_doc_set_attr(cmd, "tender", a->id);
		ref = eb_doc_add(cmd, "envelope-ref");
		eb_doc_set_attr(ref, "sha256", ehex);
		eb_doc_set_attr_i64(ref, "size", (int64_t)esize);
		printf("envelope %s: %llu bytes, SHA-256 %s (%zu attachments)\n",
		    child_or(a, "envelope", envpath), (unsigned long long)esize,
		    ehex, nattach);
	} else {
		if (eb_bid_seal(s->cert, s->key, oc, xml.data, xml.len, &env,
		    &envlen, commit, &e) != EB_OK ||
		    eb_base64_encode(env, envlen, &b64) != EB_OK)
			goto fail;
		eb_hex32(commit, hex);
		cmd = eb_doc_new("submit-bid");
		eb_doc_set_attr(cmd, "tender", a->id);
		eb_doc_add_text(cmd, "envelope", b64);
	}
	eb_doc_add_text(cmd, "commitment", hex);
	for (int i = 0; i < a->nattr; i++)  /* subject=ID (docs/registries.md) */
		if (strncmp(a->attr_name[i], "subject=", 8) == 0)
			eb_doc_set_attr(cmd, "subject", a->attr_value[i]);
	if (sign_doc(s, cmd, &der, &derlen, &e) != EB_OK ||
	    eb_file_write(a->out, der, derlen, &e) != EB_OK)
		goto fail;
	printf("sealed %s for tender %s: %zu bytes, commitment %s\n",
	    a->pos[0], a->id, derlen, hex);
	printf("nobody can read it before the opening; keep %s to submit it\n",
	    a->out);
	rc = 0;
	goto out;
fail:
	print_error(&e);
	rc = exit_for_rc(e.code);
out:
	X509_free(oc);
	free(der);
	free(b64);
	free(env);
	eb_doc_free(cmd);
	eb_doc_free(bid);
	if (xml.data != NULL)
		memset(xml.data, 0, xml.len);
	eb_buf_free(&xml);
	return rc;
}

/*
 * Keep the server's reply beside the receipt as RECEIPT.proof: with the
 * signed chain head in it, it proves the bid is entry S of the tender's
 * log (protocol/inclusion.h; `ebid receipt verify` checks it).
 */
static int
save_proof(const struct eb_doc *reply, const char *receipt_path)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error e;
	char path[1100];
	int rc = 0;

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "%s.proof", receipt_path);
	if (eb_doc_child(reply, "chain-head") == NULL) {
		/* an entry made before heads were signed at receipts */
		fprintf(stderr, "ebid: warning: the server sent no signed "
		    "chain head: the receipt proves what was received and "
		    "when, not that it is in the log\n");
		return 0;
	}
	if (eb_xml_write(reply, 1, &b) != EB_OK ||
	    eb_file_write(path, b.data, b.len, &e) != EB_OK) {
		print_error(&e);
		rc = EXIT_LOCAL;
	} else {
		printf("proof of inclusion saved to %s (entry %s of %s, "
		    "chain head signed by the server)\n", path,
		    eb_doc_attr(reply, "seq"), eb_doc_attr(reply, "aggregate"));
	}
	eb_buf_free(&b);
	return rc;
}

static int sealed_command(struct session *s, const struct eb_buf *sealed,
    struct eb_doc **cmd, struct eb_error *e);

/*
 * A large bid (its command names the envelope, docs/bigbids.md): upload
 * the envelope first, resuming where the server stands.  0 (also for a
 * bid with its envelope inline) or an exit status.
 */
static int
upload_envelope(struct session *s, const struct args *a,
    const struct eb_buf *sealed)
{
	struct eb_bigbid_opts o = { .chunk = 0 };
	struct eb_doc *cmd = NULL, *ref;
	struct eb_error e;
	char envpath[4096], hexcopy[EB_SHA256_HEX];
	const char *hex, *v;
	int64_t size = 0;
	int rc;

	eb_error_clear(&e);
	if (sealed_command(s, sealed, &cmd, &e) != EB_OK) {
		print_error(&e);
		return exit_for_rc(e.code);
	}
	if ((ref = eb_doc_child(cmd, "envelope-ref")) == NULL) {
		eb_doc_free(cmd);
		return 0;
	}
	hex = eb_doc_attr(ref, "sha256");
	snprintf(hexcopy, sizeof(hexcopy), "%s", hex != NULL ? hex : "?");
	(void)eb_doc_attr_i64(ref, "size", &size);
	snprintf(envpath, sizeof(envpath), "%s.env", a->pos[0]);
	if ((v = child_or(a, "stop-after", NULL)) != NULL)
		o.stop_after = strtoull(v, NULL, 10);
	if ((v = child_or(a, "chunk", NULL)) != NULL)
		o.chunk = (size_t)strtoull(v, NULL, 10);
	if ((rc = need_client(s, &e)) == EB_OK)
		rc = eb_bigbid_upload(s->client, sealed->data, sealed->len,
		    hex != NULL ? hex : "", (uint64_t)size,
		    child_or(a, "envelope", envpath), &o, &e);
	eb_doc_free(cmd);
	if (rc != EB_OK) {
		print_error(&e);
		return e.code == EB_ERR_IO ? EXIT_TRANSPORT : exit_for_rc(e.code);
	}
	printf("envelope uploaded: %lld bytes, SHA-256 %s\n", (long long)size,
	    hexcopy);
	return 0;
}

static int
bid_submit(struct session *s, const struct args *a)
{
	struct eb_buf sealed = EB_BUF_INIT;
	struct eb_doc *reply = NULL;
	struct eb_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	const char *rb64;
	char path[1024];
	int rc;

	eb_error_clear(&e);
	if (a->id == NULL || a->npos != 1) {
		eb_verbs_usage("bid", stderr);
		return EXIT_USAGE;
	}
	if (eb_file_read(a->pos[0], FILE_MAX, &sealed, &e) != EB_OK) {
		print_error(&e);
		return EXIT_LOCAL;
	}
	if ((rc = upload_envelope(s, a, &sealed)) != 0) {
		eb_buf_free(&sealed);
		return rc;
	}
	rc = post_signed(s, sealed.data, sealed.len, &reply);
	if (rc == 0) {
		print_accepted(reply);
		rb64 = eb_doc_child_text(reply, "receipt");
		snprintf(path, sizeof(path), "%s", a->out ? a->out : "");
		if (a->out == NULL)
			snprintf(path, sizeof(path), "%s.receipt", a->pos[0]);
		if (rb64 == NULL || eb_base64_decode(rb64, strlen(rb64), &tok,
		    &toklen) != EB_OK) {
			fprintf(stderr, "ebid: the server sent no receipt\n");
			rc = EXIT_SERVER;
		} else if (eb_file_write(path, tok, toklen, &e) != EB_OK) {
			print_error(&e);
			rc = EXIT_LOCAL;
		} else {
			printf("receipt saved to %s (RFC 3161 timestamp token "
			    "over SHA-256 of the %zu bytes sent)\n", path,
			    sealed.len);
			rc = save_proof(reply, path);
		}
	}
	free(tok);
	eb_doc_free(reply);
	eb_buf_free(&sealed);
	return rc;
}

/* RECEIPT.proof, when kept: the bid is entry S of the log (inclusion.h). */
static int
proof_verify(const struct eb_trust *t, const char *receipt_path,
    const struct eb_buf *tok, const struct eb_buf *sealed)
{
	struct eb_xml_limits lim = { .max_bytes = (size_t)64 << 20,
	    .max_depth = 64, .max_elements = 1000000 };
	struct eb_buf pb = EB_BUF_INIT;
	struct eb_doc *proof = NULL;
	struct eb_inclusion inc;
	struct eb_error e;
	char path[1100], hex[EB_SHA256_HEX];
	int rc = EXIT_REFUSED;

	eb_error_clear(&e);
	snprintf(path, sizeof(path), "%s.proof", receipt_path);
	if (access(path, R_OK) != 0) {
		printf("no proof of inclusion (%s): only the receipt was "
		    "checked\n", path);
		return 0;
	}
	if (eb_file_read(path, (size_t)64 << 20, &pb, &e) != EB_OK ||
	    eb_xml_parse(NULL, &lim, pb.data, pb.len, &proof, &e) != EB_OK) {
		print_error(&e);
		rc = EXIT_LOCAL;
		goto out;
	}
	if (eb_inclusion_verify(t, proof, sealed->data, sealed->len, tok->data,
	    tok->len, NULL, 0, &inc, &e) != EB_OK) {
		print_error(&e);
		printf("proof of inclusion does NOT hold (%s)\n", path);
		goto out;
	}
	eb_hex32(inc.hash, hex);
	printf("inclusion OK: the bid is entry %lld of %s (hash %s); the "
	    "server (%s) signed that chain head: a log without this entry "
	    "was cut or rewritten\n", (long long)inc.seq, inc.aggregate, hex,
	    inc.head_signer.party);
	rc = 0;
out:
	eb_doc_free(proof);
	eb_buf_free(&pb);
	return rc;
}

static int
receipt_verify(struct session *s, const struct args *a)
{
	struct eb_buf tok = EB_BUF_INIT, sealed = EB_BUF_INIT;
	struct eb_trust *t = NULL;
	struct eb_error e;
	uint8_t dg[EB_SHA256_LEN];
	char when[EB_ISOTIME_LEN], hex[EB_SHA256_HEX];
	int64_t at = 0;
	uint64_t serial = 0;
	int rc = EXIT_REFUSED;

	eb_error_clear(&e);
	if (a->npos != 2) {
		eb_verbs_usage("receipt", stderr);
		return EXIT_USAGE;
	}
	if (s->ca == NULL) {
		fprintf(stderr, "ebid: give --ca (or EBID_CA): the centre's CA\n");
		return EXIT_USAGE;
	}
	if (eb_file_read(a->pos[0], FILE_MAX, &tok, &e) != EB_OK ||
	    eb_file_read(a->pos[1], FILE_MAX, &sealed, &e) != EB_OK ||
	    (t = eb_trust_load(s->ca, &e)) == NULL) {
		print_error(&e);
		rc = EXIT_LOCAL;
		goto out;
	}
	eb_sha256(sealed.data, sealed.len, dg);
	if (eb_receipt_verify(t, tok.data, tok.len, dg, &at, &serial, &e) !=
	    EB_OK) {
		print_error(&e);
		printf("receipt does NOT match %s\n", a->pos[1]);
		goto out;
	}
	eb_isotime_format(at, when);
	eb_hex32(dg, hex);
	printf("receipt OK: the centre received exactly %s (%zu bytes, "
	    "SHA-256 %s) at %s, serial %llu\n", a->pos[1], sealed.len, hex,
	    when, (unsigned long long)serial);
	rc = proof_verify(t, a->pos[0], &tok, &sealed);
out:
	eb_trust_free(t);
	eb_buf_free(&tok);
	eb_buf_free(&sealed);
	return rc;
}

/* The submit-bid document inside a .sealed file (signature checked). */
static int
sealed_command(struct session *s, const struct eb_buf *sealed,
    struct eb_doc **cmd, struct eb_error *e)
{
	struct eb_trust *t = NULL;
	uint8_t *content = NULL;
	size_t clen = 0;
	X509 *signer = NULL;
	int rc;

	if (s->ca == NULL)
		return eb_fail(e, EB_ERR_USAGE, "no-ca", "Give --ca or EBID_CA.",
		    "checking a sealed bid needs the centre's CA");
	if ((t = eb_trust_load(s->ca, e)) == NULL)
		return e->code;
	rc = eb_cms_verify(t, sealed->data, sealed->len, 0, &content, &clen,
	    &signer, e);
	if (rc == EB_OK)
		rc = eb_xml_parse(NULL, NULL, content, clen, cmd, e);
	X509_free(signer);
	free(content);
	eb_trust_free(t);
	return rc;
}

static int
opening_decrypt(struct session *s, const struct args *a)
{
	struct eb_buf sealed = EB_BUF_INIT;
	struct eb_doc *cmd = NULL;
	struct eb_trust *t = NULL;
	struct eb_error e;
	uint8_t *env = NULL, *xml = NULL, commit[EB_SHA256_LEN];
	size_t envlen = 0, xmllen = 0;
	X509 *signer = NULL;
	const char *b64, *hex;
	int rc = EXIT_REFUSED;

	eb_error_clear(&e);
	if (a->npos != 1) {
		eb_verbs_usage("opening", stderr);
		return EXIT_USAGE;
	}
	if (eb_file_read(a->pos[0], FILE_MAX, &sealed, &e) != EB_OK ||
	    need_keys(s, &e) != EB_OK ||
	    sealed_command(s, &sealed, &cmd, &e) != EB_OK)
		goto fail;
	b64 = eb_doc_child_text(cmd, "envelope");
	hex = eb_doc_child_text(cmd, "commitment");
	if (b64 == NULL && eb_doc_child(cmd, "envelope-ref") != NULL &&
	    hex != NULL && eb_unhex32(hex, commit) == 0) {
		/* a large bid: the streamed envelope beside it */
		char envpath[4096];
		size_t natt = 0;

		snprintf(envpath, sizeof(envpath), "%s.env", a->pos[0]);
		if ((t = eb_trust_load(s->ca, &e)) == NULL ||
		    eb_bigbid_open(t, s->cert, s->key,
		    child_or(a, "envelope", envpath), commit, a->out, &xml,
		    &xmllen, &natt, &e) != EB_OK)
			goto fail;
		printf("decrypted with your own key; it matches the commitment "
		    "%s; %zu attachments match their signed SHA-256%s%s\n", hex,
		    natt, a->out != NULL ? ", written to " : "",
		    a->out != NULL ? a->out : "");
		fwrite(xml, 1, xmllen, stdout);
		rc = 0;
		goto out;
	}
	if (b64 == NULL || hex == NULL || eb_unhex32(hex, commit) != 0 ||
	    eb_base64_decode(b64, strlen(b64), &env, &envlen) != EB_OK) {
		eb_fail(&e, EB_ERR_FORMAT, "not-a-sealed-bid", NULL,
		    "%s is not a sealed bid", a->pos[0]);
		goto fail;
	}
	if ((t = eb_trust_load(s->ca, &e)) == NULL ||
	    eb_bid_open(t, s->cert, s->key, env, envlen, commit, 0, &xml,
	    &xmllen, NULL, NULL, &signer, &e) != EB_OK)
		goto fail;
	printf("decrypted with your own key; it matches the commitment %s\n",
	    hex);
	fwrite(xml, 1, xmllen, stdout);
	rc = 0;
	goto out;
fail:
	print_error(&e);
out:
	X509_free(signer);
	free(xml);
	free(env);
	eb_trust_free(t);
	eb_doc_free(cmd);
	eb_buf_free(&sealed);
	return rc;
}

static int
opening_share(struct session *s, const struct args *a)
{
	struct eb_doc *view = NULL, *sh, *cmd = NULL;
	struct eb_error e;
	char path[256], *b64 = NULL;
	const char *mine = NULL;
	X509 *server = NULL;
	int rc;

	eb_error_clear(&e);
	if (a->id == NULL) {
		eb_verbs_usage("opening", stderr);
		return EXIT_USAGE;
	}
	if (need_keys(s, &e) != EB_OK || need_client(s, &e) != EB_OK) {
		print_error(&e);
		return EXIT_LOCAL;
	}
	snprintf(path, sizeof(path), "/v1/tenders/%s", a->id);
	if ((rc = get_doc(s, path, &view)) != 0)
		return rc;
	/* my sealed share, as the opening-key record shows it to me */
	for (sh = eb_doc_child(eb_doc_child(view, "opening-key"), NULL);
	    sh != NULL; sh = sh->next)
		if (eb_doc_attr(sh, "custodian") != NULL && s->cert != NULL &&
		    strcmp(sh->name, "sealed-share") == 0) {
			struct eb_actor me;

			if (eb_actor_from_cert(s->cert, &me, &e) == EB_OK &&
			    strcmp(eb_doc_attr(sh, "custodian"), me.party) == 0)
				mine = eb_doc_text(sh);
		}
	if (mine == NULL) {
		eb_fail(&e, EB_ERR_NOTFOUND, "no-share",
		    "Only the custodians named by the tender hold shares.",
		    "tender %s holds no share for you", a->id);
		goto fail;
	}
	/* the server's signing certificate (its key is in ebidd's key
	 * process); the TLS peer's from a server without the path */
	if (getenv("EBID_SERVER_CERT") != NULL) {
		server = eb_pem_cert_load(getenv("EBID_SERVER_CERT"), &e);
	} else {
		struct eb_doc *sc = NULL;
		const char *c64;
		uint8_t *der = NULL;
		size_t len = 0;

		if (get_doc(s, "/v1/server-certificate", &sc) == 0 &&
		    (c64 = eb_doc_child_text(sc, "certificate")) != NULL &&
		    eb_base64_decode(c64, strlen(c64), &der, &len) == EB_OK) {
			const uint8_t *p = der;

			server = d2i_X509(NULL, &p, (long)len);
		}
		free(der);
		eb_doc_free(sc);
		if (server == NULL)
			server = eb_client_peer_cert(s->client);
	}
	if (server == NULL) {
		eb_fail(&e, EB_ERR_CRYPTO, "no-server-certificate", NULL,
		    "cannot read the server's certificate");
		goto fail;
	}
	if (eb_share_reseal(s->cert, s->key, server, mine, &b64, &e) != EB_OK)
		goto fail;
	cmd = eb_doc_new("submit-share");
	eb_doc_set_attr(cmd, "tender", a->id);
	eb_doc_add_text(cmd, "share", b64);
	rc = act(s, cmd, NULL);
	goto out;
fail:
	print_error(&e);
	rc = exit_for_rc(e.code);
out:
	X509_free(server);
	free(b64);
	eb_doc_free(cmd);
	eb_doc_free(view);
	return rc;
}

/* -- auctions ----------------------------------------------------------- */

static int
auction_amount(struct session *s, const char *command, const struct args *a)
{
	struct eb_doc *cmd;
	char fen[32];
	int64_t v;
	int rc;

	if (a->id == NULL || a->npos != 1) {
		eb_verbs_usage("auction", stderr);
		return EXIT_USAGE;
	}
	if (yuan_to_fen(a->pos[0], &v) != 0) {
		char why[96];

		fprintf(stderr, "ebid: not an amount: '%s': %s\n"
		    "  hint: Write the amount in yuan with at most two "
		    "decimals, e.g. 6950000.00 or 6,950,000.00; nothing was "
		    "sent.\n", a->pos[0],
		    amount_problem(a->pos[0], why, sizeof(why)));
		return EXIT_USAGE;
	}
	snprintf(fen, sizeof(fen), "%lld", (long long)v);
	cmd = eb_doc_new(command);
	eb_doc_set_attr(cmd, "sale", a->id);
	eb_doc_set_attr(cmd, "amount", fen);
	rc = act(s, cmd, NULL);
	eb_doc_free(cmd);
	return rc;
}

static const char *attr_or(const struct eb_doc *d, const char *name,
    const char *dflt);

static int
auction_watch(struct session *s, const struct args *a)
{
	struct eb_doc *d = NULL, *e;
	char path[256], price[64];
	int64_t after = 0, seq, v;
	int rc = 0, rounds = 0;

	if (a->id == NULL) {
		eb_verbs_usage("auction", stderr);
		return EXIT_USAGE;
	}
	for (;;) {
		snprintf(path, sizeof(path), "/v1/sales/%s/watch?after=%lld",
		    a->id, (long long)after);
		if ((rc = get_doc(s, path, &d)) != 0)
			return rc;
		/* entries hidden from bidders still move 'last' on */
		if (eb_doc_attr_i64(d, "last", &seq) == EB_OK && seq > after)
			after = seq;
		eb_doc_foreach(e, d, "entry") {
			if (eb_doc_attr_i64(e, "seq", &seq) == EB_OK &&
			    seq > after)
				after = seq;
			/* a price and its bidding number, or the phase alone:
			 * never a log sequence where a number is expected */
			if (eb_doc_attr_i64(e, "price", &v) == EB_OK) {
				fen_text(v, price, sizeof(price));
				printf("%s  %-22s No. %s  %s\n",
				    attr_or(e, "time", ""), attr_or(e, "event", ""),
				    attr_or(e, "number", "?"), price);
			} else {
				printf("%s  %s\n", attr_or(e, "time", ""),
				    attr_or(e, "event", ""));
			}
		}
		fflush(stdout);
		if (eb_doc_attr(d, "closed") != NULL &&
		    strcmp(eb_doc_attr(d, "closed"), "yes") == 0 &&
		    (a->until_closed || rounds > 0)) {
			eb_doc_free(d);
			return 0;
		}
		eb_doc_free(d);
		d = NULL;
		if (!a->until_closed && ++rounds >= 1000000)
			return 0;
	}
}

/* -- views for people --------------------------------------------------- */


static int
attr_is_yes(const struct eb_doc *d, const char *name)
{
	const char *v = eb_doc_attr(d, name);

	return v != NULL && strcmp(v, "yes") == 0;
}

static const char *
attr_or(const struct eb_doc *d, const char *name, const char *dflt)
{
	const char *v = eb_doc_attr(d, name);

	return v != NULL ? v : dflt;
}

static void
print_money(const char *fen)
{
	char out[64];
	int64_t v;

	if (fen != NULL && eb_parse_i64(fen, &v) == EB_OK) {
		fen_text(v, out, sizeof(out));
		printf("%16s", out);
	} else {
		printf("%16s", "-");
	}
}

/* The clearing report as a table a person reads in a terminal. */
static int
print_clearing(const struct eb_doc *rep)
{
	const struct eb_doc *b, *f, *who;

	printf("Clearing report (清标) of tender %s: %s bids, %s findings\n\n",
	    attr_or(rep, "tender", "?"), attr_or(rep, "bids", "?"),
	    attr_or(rep, "findings", "?"));
	printf("%-10s %-40s %16s %16s %-8s %s\n", "bidder", "organisation",
	    "submitted", "corrected", "status", "findings");
	eb_doc_foreach(b, rep, "bid-summary") {
		printf("%-10s %-40.40s ", attr_or(b, "bidder", "?"),
		    attr_or(b, "org", ""));
		print_money(eb_doc_attr(b, "submitted-total"));
		putchar(' ');
		print_money(eb_doc_attr(b, "corrected-total"));
		printf(" %-8s %s\n", attr_or(b, "status", "?"),
		    attr_or(b, "findings", "0"));
	}
	printf("\n%-20s %-18s %-24s %s\n", "rule", "severity", "bidders",
	    "finding");
	eb_doc_foreach(f, rep, "finding") {
		char bidders[256] = "";
		size_t n = 0;

		eb_doc_foreach(who, f, "bidder")
			n += (size_t)snprintf(bidders + n,
			    n < sizeof(bidders) ? sizeof(bidders) - n : 0,
			    "%s%s", n ? "," : "", attr_or(who, "party", "?"));
		printf("%-20s %-18s %-24.24s %s\n", attr_or(f, "rule", "?"),
		    attr_or(f, "severity", "?"), bidders,
		    eb_doc_child_text(f, "detail") ? eb_doc_child_text(f,
		    "detail") : "");
	}
	return 0;
}

/* One evaluation (a tender without lots, or one lot) as a table:
 * every score, the ranking, the candidates. */
static int
print_result_one(const struct eb_doc *er)
{
	const struct eb_doc *b, *c, *x, *r, *ps;
	char m[64];
	int64_t v;
	int lep;

	lep = strcmp(attr_or(er, "method", ""), "lowest-evaluated-price") == 0;
	printf("Evaluation result (%s), ", attr_or(er, "method", "?"));
	if (!lep) {
		printf("benchmark price ");
		print_money(eb_doc_attr(er, "benchmark"));
		printf(" yuan (coefficient %s), ",
		    attr_or(er, "coefficient", "1"));
	}
	printf("%s valid bids\n\n", attr_or(er, "valid-bids", "?"));
	/* per bid: what decides its rank (issue 14 point 8) */
	eb_doc_foreach(b, er, "bid") {
		printf("%s (%s): price ", attr_or(b, "bidder", "?"),
		    attr_or(b, "org", ""));
		print_money(eb_doc_attr(b, "price"));
		printf(" yuan\n");
		if (eb_doc_attr(b, "invalid-reason") != NULL) {
			printf("    invalid: %s (no score, no rank)\n",
			    eb_doc_attr(b, "invalid-reason"));
			continue;
		}
		if ((ps = eb_doc_child(b, "price-score")) != NULL) {
			printf("    price score %s", attr_or(ps, "value", "-"));
			if (eb_doc_attr(ps, "deviation-percent") != NULL)
				printf(" (deviation %s %% from the benchmark, "
				    "exactly %s %%)",
				    eb_doc_attr(ps, "deviation-percent"),
				    attr_or(ps, "deviation-exact", "?"));
			printf(", weighted price part %s%s\n",
			    attr_or(ps, "weighted", "-"),
			    attr_is_yes(ps, "in-benchmark") ||
			    eb_doc_attr(ps, "in-benchmark") == NULL ? "" :
			    "; trimmed from the benchmark average");
		}
		eb_doc_foreach(c, b, "criterion") {
			printf("    %-10s %-14s", attr_or(c, "id", "?"),
			    attr_or(c, "score", "-"));
			eb_doc_foreach(x, c, "expert-score")
				printf(" %s=%s%s", attr_or(x, "expert", "?"),
				    attr_or(x, "value", "?"),
				    attr_is_yes(x, "trimmed") ? "(dropped)" : "");
			putchar('\n');
		}
		eb_doc_foreach(c, b, "compliance")
			printf("    compliance %-14s %s yes / %s no: %s\n",
			    attr_or(c, "item", "?"), attr_or(c, "yes", "?"),
			    attr_or(c, "no", "?"),
			    attr_is_yes(c, "pass") ? "pass" : "FAIL");
		eb_doc_foreach(c, b, "adjustment") {
			if (eb_doc_attr_i64(c, "amount", &v) != EB_OK)
				v = 0;
			fen_text(v < 0 ? -v : v, m, sizeof(m));
			printf("    adjustment %-14s %s%s yuan", attr_or(c,
			    "factor", "?"), v < 0 ? "-" : "+", m);
			if (eb_doc_attr(c, "assumed-days") != NULL)
				printf(" (counted with %s days: none stated)",
				    eb_doc_attr(c, "assumed-days"));
			putchar('\n');
		}
		if ((x = eb_doc_child(b, "evaluated-price")) != NULL) {
			printf("    evaluated price ");
			print_money(eb_doc_attr(x, "value"));
			printf(" yuan%s\n", eb_doc_attr(b, "compliant") != NULL &&
			    !attr_is_yes(b, "compliant") ? " (not compliant: "
			    "no rank)" : "");
		}
		if (eb_doc_child(b, "technical-score") != NULL && !lep)
			printf("    technical %s, total %s\n",
			    attr_or(eb_doc_child(b, "technical-score"), "value",
			    "-"), attr_or(eb_doc_child(b, "total"), "value",
			    "-"));
	}
	printf("\n%-9s %-10s %16s %16s %s\n", "position", "bidder", "price",
	    lep ? "evaluated price" : "total", "tie-break");
	eb_doc_foreach(r, eb_doc_child(er, "ranking"), "rank") {
		printf("%-9s %-10s ", attr_or(r, "position", "?"),
		    attr_or(r, "bidder", "?"));
		print_money(eb_doc_attr(r, "price"));
		putchar(' ');
		if (lep)
			print_money(eb_doc_attr(r, "evaluated-price"));
		else
			printf("%16s", attr_or(r, "total", "-"));
		printf(" %s\n", attr_or(r, "tie-break", ""));
	}
	if (eb_doc_child(er, "alert") != NULL) {
		printf("\ndeviation alerts (偏离):\n");
		eb_doc_foreach(x, er, "alert") {
			printf("  %s on %s, %s: %s against the mean %s%s\n",
			    attr_or(x, "expert", "?"), attr_or(x, "bid", "?"),
			    attr_or(x, "criterion", "total"),
			    attr_or(x, "value", "?"),
			    eb_doc_attr(x, "others-mean") != NULL ?
			    eb_doc_attr(x, "others-mean") :
			    attr_or(x, "mean", "?"),
			    eb_doc_attr(x, "others-mean") != NULL ?
			    " of the others" : " of all");
			if (eb_doc_child_text(x, "explanation") != NULL)
				printf("    explained: %s\n",
				    eb_doc_child_text(x, "explanation"));
			else if (attr_is_yes(x, "reason"))
				printf("    reason given on the score sheet\n");
		}
	}
	printf("\ncandidates (中标候选人):");
	eb_doc_foreach(c, eb_doc_child(er, "candidates"), "candidate")
		printf(" %s. %s", attr_or(c, "position", "?"),
		    attr_or(c, "bidder", "?"));
	putchar('\n');
	return 0;
}

/*
 * The evaluation result: without lots one table; in lots (标段/分包)
 * each lot's table, then the award plan with the linked discounts
 * (组合优惠) it applies and the cost to the tenderer.
 */
static int
print_result(const struct eb_doc *res)
{
	const struct eb_doc *er = eb_doc_child(res, "evaluation-result");
	const struct eb_doc *l, *plan, *aw, *d;

	if (er == NULL)
		er = res;
	if (eb_doc_child(er, "lot") == NULL)
		return print_result_one(er);
	printf("Tender in %s lots (%s), award %s, lots evaluated on %s "
	    "prices\n", attr_or(er, "lots", "?"), attr_or(er, "method", "?"),
	    attr_or(er, "award", "separate"), attr_or(er, "evaluate",
	    "undiscounted"));
	eb_doc_foreach(l, er, "lot") {
		printf("\n== lot %s %s: %s bid(s)\n", attr_or(l, "id", "?"),
		    attr_or(l, "name", ""), attr_or(l, "bids", "?"));
		if (eb_doc_attr(l, "failed") != NULL) {
			printf("lot failed: %s\n", eb_doc_attr(l, "failed"));
			continue;
		}
		eb_doc_foreach(d, l, "evaluated-discount") {
			printf("evaluated with %s's linked discount of ",
			    attr_or(d, "bidder", "?"));
			print_money(eb_doc_attr(d, "amount"));
			printf(" yuan\n");
		}
		if (eb_doc_child(l, "evaluation-result") != NULL)
			print_result_one(eb_doc_child(l, "evaluation-result"));
	}
	plan = eb_doc_child(er, "award-plan");
	printf("\naward plan (%s): cost to the tenderer ", attr_or(plan,
	    "basis", "?"));
	print_money(eb_doc_attr(plan, "cost"));
	printf(" yuan (each lot to its first candidate: ");
	print_money(eb_doc_attr(plan, "separate-cost"));
	printf(" yuan)\n");
	eb_doc_foreach(aw, plan, "award") {
		printf("  lot %-8s %-10s (rank %s) price ", attr_or(aw, "lot",
		    "?"), attr_or(aw, "bidder", "?"), attr_or(aw, "position",
		    "?"));
		print_money(eb_doc_attr(aw, "price"));
		printf(", linked discount ");
		print_money(eb_doc_attr(aw, "discount"));
		printf(", cost ");
		print_money(eb_doc_attr(aw, "cost"));
		printf(" yuan\n");
		eb_doc_foreach(d, aw, "discount") {
			printf("    linked discount %s %% (if won: %s): ",
			    attr_or(d, "percent", "?"), attr_or(d, "if-won",
			    "?"));
			print_money(eb_doc_attr(d, "amount"));
			printf(" yuan\n");
		}
	}
	return 0;
}

static int
view_table(struct session *s, const struct args *a, const char *part,
    int (*render)(const struct eb_doc *))
{
	struct eb_doc *d = NULL, *p;
	char path[256];
	int rc;

	if (a->id == NULL) {
		fprintf(stderr, "ebid: give --tender ID\n");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/tenders/%s", a->id);
	if ((rc = get_doc(s, path, &d)) != 0)
		return rc;
	if ((p = eb_doc_path(d, part)) == NULL) {
		fprintf(stderr, "ebid: tender %s has no %s yet (or your role may "
		    "not see it)\n", a->id, part);
		rc = EXIT_REFUSED;
	} else {
		rc = a->xml ? print_doc(p) : render(p);
	}
	eb_doc_free(d);
	return rc;
}

/*
 * What an expert needs to score: the criteria with their bounds and steps,
 * the bids to score (opened, valid after clearing) with their prices, the
 * clearing report, and the expert's own sheets so far.
 */
static int
score_show(struct session *s, const struct args *a)
{
	struct eb_doc *d = NULL, *c, *r, *rep, *sh;
	char path[256];
	int rc;

	if (a->id == NULL) {
		fprintf(stderr, "ebid: give --tender ID\n");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/tenders/%s", a->id);
	if ((rc = get_doc(s, path, &d)) != 0)
		return rc;
	if (a->xml) {
		rc = print_doc(d);
		eb_doc_free(d);
		return rc;
	}
	printf("Tender %s: %s (state %s)\n\nCriteria you score:\n", a->id,
	    eb_doc_child_text(eb_doc_child(d, "registration"), "title") ?
	    eb_doc_child_text(eb_doc_child(d, "registration"), "title") : "",
	    attr_or(d, "state", "?"));
	eb_doc_foreach(c, eb_doc_path(d, "registration/rules/evaluation-rules"),
	    "criterion")
		printf("  %-10s %-28s from %s to %s, step %s\n",
		    attr_or(c, "id", "?"), attr_or(c, "name", ""),
		    attr_or(c, "min", "0"), attr_or(c, "max", "?"),
		    attr_or(c, "step", "any"));
	rep = eb_doc_child(d, "clearing-report");
	printf("\nBids to score (valid after clearing, within the rules):\n");
	eb_doc_foreach(r, rep, "bid-summary") {
		if (eb_doc_attr(r, "not-scored") != NULL)
			printf("  %-10s not scored: %s\n", attr_or(r, "bidder",
			    "?"), eb_doc_attr(r, "not-scored"));
		if (strcmp(attr_or(r, "scored", strcmp(attr_or(r, "status",
		    ""), "valid") == 0 ? "yes" : "no"), "yes") != 0)
			continue;
		printf("  %-10s %-40.40s ", attr_or(r, "bidder", "?"),
		    attr_or(r, "org", ""));
		print_money(eb_doc_attr(r, "submitted-total"));
		printf(" yuan, %s clearing finding(s)\n",
		    attr_or(r, "findings", "0"));
	}
	printf("\n");
	if (rep != NULL)
		print_clearing(rep);
	sh = eb_doc_child(d, "scores");
	if (sh != NULL && sh->first != NULL)
		printf("\nYour score sheet is recorded; you may correct it until "
		    "the evaluation closes.\n");
	eb_doc_free(d);
	return 0;
}

/*
 * A committee member signs the committee report: the SHA-256 of the
 * canonical <result> record it reads, with an optional dissent.
 */
static int
result_sign(struct session *s, const struct args *a)
{
	struct eb_doc *d = NULL, *res, *cmd = NULL;
	struct eb_buf b = EB_BUF_INIT;
	char path[256], hex[EB_SHA256_HEX];
	int rc, i;

	if (a->id == NULL) {
		eb_verbs_usage("result", stderr);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/tenders/%s", a->id);
	if ((rc = get_doc(s, path, &d)) != 0)
		return rc;
	if ((res = eb_doc_child(d, "result")) == NULL ||
	    eb_doc_serialize(res, &b) != EB_OK) {
		fprintf(stderr, "ebid: tender %s has no result to sign yet\n",
		    a->id);
		eb_doc_free(d);
		eb_buf_free(&b);
		return EXIT_REFUSED;
	}
	eb_sha256_hex(b.data, b.len, hex);
	eb_buf_free(&b);
	eb_doc_free(d);
	cmd = eb_doc_new("sign-report");
	eb_doc_set_attr(cmd, "tender", a->id);
	eb_doc_set_attr(cmd, "report-sha256", hex);
	for (i = 0; i < a->nchild; i++)
		if (strcmp(a->child_name[i], "dissent") == 0)
			eb_doc_add_text(cmd, "dissent", a->child_text[i]);
	printf("signing the committee report of %s (result SHA-256 %s)\n",
	    a->id, hex);
	rc = act(s, cmd, NULL);
	eb_doc_free(cmd);
	return rc;
}

static int
score_submit(struct session *s, const struct args *a)
{
	struct eb_doc *cmd = NULL;
	struct eb_error e;
	int rc;

	eb_error_clear(&e);
	if (a->id == NULL || a->npos != 1) {
		eb_verbs_usage("score", stderr);
		return EXIT_USAGE;
	}
	/*
	 * The file is a <score-sheet> (wrapped here in submit-scores) or the
	 * submit-scores command document itself.
	 */
	{
		struct eb_buf b = EB_BUF_INIT;
		struct eb_doc *d = NULL;

		if (eb_file_read(a->pos[0], FILE_MAX, &b, &e) != EB_OK ||
		    eb_xml_parse(NULL, NULL, b.data, b.len, &d, &e) != EB_OK) {
			eb_buf_free(&b);
			print_error(&e);
			return exit_for_rc(e.code);
		}
		eb_buf_free(&b);
		if (strcmp(d->name, "score-sheet") == 0) {
			cmd = eb_doc_new("submit-scores");
			eb_doc_set_attr(cmd, "tender", a->id);
			eb_doc_append(cmd, d);
		} else {
			eb_doc_free(d);
			if (build_command(s, "tender", "submit-scores", a, &cmd,
			    &e) != EB_OK) {
				print_error(&e);
				return exit_for_rc(e.code);
			}
		}
	}
	rc = act(s, cmd, NULL);
	eb_doc_free(cmd);
	return rc;
}

/* -- dispatch ----------------------------------------------------------- */

/* Adapters: a verb whose handler takes more than the session and args. */
static int
bid_withdraw(struct session *s, const struct args *a)
{
	struct eb_doc *cmd = eb_doc_new("withdraw-bid");
	int rc;

	eb_doc_set_attr(cmd, "tender", a->id ? a->id : "");
	rc = a->id ? act(s, cmd, NULL) : EXIT_USAGE;
	eb_doc_free(cmd);
	return rc;
}

static int
auction_quote(struct session *s, const struct args *a)
{
	return auction_amount(s, "quote", a);
}

static int
auction_bid(struct session *s, const struct args *a)
{
	return auction_amount(s, "auction-bid", a);
}

static int
clearing_show(struct session *s, const struct args *a)
{
	return view_table(s, a, "clearing-report", print_clearing);
}

static int
result_show(struct session *s, const struct args *a)
{
	return view_table(s, a, "result", print_result);
}

/*
 * Every verb of `ebid` beyond whoami/health/send, as git.c's commands[]:
 * family, verb, handler, usage.  A NULL verb is the family's generic
 * COMMAND (family_generic(): any command of the schema, and show/duties);
 * a NULL handler a verb that the generic entry of its family runs, listed
 * for its usage.  eb_verbs_usage() prints the usages in this order,
 * eb_verbs_main() runs the entry eb_verbs_find() gives; CTest verbs_table
 * checks that `ebid --help` shows every usage and every entry is found.
 */
static const struct eb_verb verbs[] = {
	{ "tender", NULL, NULL,
	  "  ebid tender COMMAND [ID] [NAME=VALUE ...] [--CHILD TEXT ...] [FILE.xml]\n"
	  "      sign and send a tender command (register, accept, return,\n"
	  "      resubmit, publish, sign-up, confirm-sign-up, clarify, ...: see\n"
	  "      docs/tender-flow.md); NAME=VALUE become attributes, --CHILD TEXT\n"
	  "      child elements, FILE.xml the whole command\n" },
	{ "tender", "show", NULL,
	  "  ebid tender show ID      the tender as your role may see it\n" },
	{ "tender", "duties", NULL,
	  "  ebid tender duties ID    what you may and must do now (权利义务告知)\n" },
	{ "sale", NULL, NULL,
	  "  ebid sale COMMAND [ID] [NAME=VALUE ...] [FILE.xml]   (docs/sale.md)\n" },
	{ "sale", "show", NULL, "  ebid sale show ID\n" },
	{ "pool", NULL, NULL,
	  "  ebid pool COMMAND [ID] [NAME=VALUE ...] [FILE.xml]   (the expert pool):\n"
	  "      register-expert, suspend-expert, reinstate-expert, configure\n"
	  "      (configure-assessment), rate (rate-expert job=TENDER expert=PARTY),\n"
	  "      rate-agency job=TENDER (the tender's agency, docs/registries.md)\n" },
	{ "pool", "show", NULL,
	  "  ebid pool show ID        the pool; an expert sees its own ratings\n" },
	{ "monitor", NULL, NULL,
	  "  ebid monitor COMMAND [ID] [NAME=VALUE ...] [--CHILD TEXT] [FILE.xml]\n"
	  "      process monitoring (supervisor): open, check (job=TENDER),\n"
	  "      close (alert=N --reason TEXT) (docs/registries.md)\n" },
	{ "monitor", "show", NULL,
	  "  ebid monitor show ID     the alerts (officers) and the rules\n" },
	{ "subject", NULL, NULL,
	  "  ebid subject COMMAND [ID] [NAME=VALUE ...] [FILE.xml]   trading subjects:\n"
	  "      register, qualify, authorise, revoke, suspend, reinstate,\n"
	  "      finding, object, answer (docs/registries.md)\n" },
	{ "subject", "show", NULL,
	  "  ebid subject show ID     the subject and its integrity record\n" },
	{ "bid", "seal", bid_seal,
	  "  ebid bid seal --tender ID BID.xml -o BID.sealed [--opening-cert F]\n"
	  "      [--opening-authority F] [subject=ID]\n"
	  "      validate, sign, encrypt to the opening key and to yourself, and\n"
	  "      sign the submission, offline\n"
	  "      [--attach FILE ...] [--envelope ENV]: a large bid: the streamed\n"
	  "      envelope goes to ENV (BID.sealed.env), the command names it\n" },
	{ "bid", "submit", bid_submit,
	  "  ebid bid submit --tender ID BID.sealed [-o RECEIPT]\n"
	  "      [--envelope ENV] [--chunk BYTES] [--stop-after BYTES]: a large\n"
	  "      bid's envelope is uploaded first, resumably (docs/bigbids.md)\n" },
	{ "bid", "withdraw", bid_withdraw, "  ebid bid withdraw --tender ID\n" },
	{ "receipt", "verify", receipt_verify,
	  "  ebid receipt verify RECEIPT BID.sealed\n" },
	{ "opening", "share", opening_share,
	  "  ebid opening share --tender ID       (custodian) submit your share\n" },
	{ "opening", "decrypt", opening_decrypt,
	  "  ebid opening decrypt --tender ID BID.sealed  (bidder) open your own bid\n"
	  "      [--envelope ENV] [-o DIR]: a large bid's attachments, checked,\n"
	  "      written into DIR\n" },
	{ "auction", "quote", auction_quote,
	  "  ebid auction quote --sale ID AMOUNT  a listing quote, in yuan\n" },
	{ "auction", "bid", auction_bid,
	  "  ebid auction bid --sale ID AMOUNT    an auction bid, in yuan\n" },
	{ "auction", "watch", auction_watch,
	  "  ebid auction watch --sale ID [--until-closed]\n" },
	{ "clearing", "show", clearing_show,
	  "  ebid clearing show --tender ID [--xml]\n" },
	{ "score", "show", score_show, "  ebid score show --tender ID\n" },
	{ "score", "submit", score_submit,
	  "  ebid score submit --tender ID SCORES.xml\n" },
	{ "result", "show", result_show,
	  "  ebid result show --tender ID [--xml]\n" },
	{ "result", "sign", result_sign,
	  "  ebid result sign --tender ID [--dissent TEXT]   (expert) sign the\n"
	  "      committee report: exactly the result shown\n" },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

const struct eb_verb *
eb_verbs_at(size_t i)
{
	return i < NVERBS ? &verbs[i] : NULL;
}

/*
 * The entry that runs 'family verb': its own, else the family's generic
 * one (NULL verb), else NULL.  A listed verb without a handler is run by
 * the generic entry.
 */
const struct eb_verb *
eb_verbs_find(const char *family, const char *verb)
{
	const struct eb_verb *generic = NULL;

	for (size_t i = 0; i < NVERBS; i++) {
		if (strcmp(verbs[i].family, family) != 0)
			continue;
		if (verbs[i].verb == NULL)
			generic = &verbs[i];
		else if (verb != NULL && verbs[i].run != NULL &&
		    strcmp(verbs[i].verb, verb) == 0)
			return &verbs[i];
	}
	return generic;
}

int
eb_verbs_handles(const char *family)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].family, family) == 0)
			return 1;
	return 0;
}

void
eb_verbs_usage(const char *family, FILE *f)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (family == NULL || strcmp(family, verbs[i].family) == 0)
			fputs(verbs[i].usage, f);
}

int
eb_verbs_main(int argc, char **argv, const char *url, const char *ca,
    const char *cert, const char *key)
{
	struct session s;
	struct args a;
	const char *fam = argv[0], *verb = argc > 1 ? argv[1] : NULL;
	const struct eb_verb *v;
	int rc = EXIT_USAGE;

	memset(&s, 0, sizeof(s));
	s.url = url;
	s.ca = ca;
	s.cert_path = cert;
	s.key_path = key;
	eb_xml_init();
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			eb_verbs_usage(fam, stdout);
			return 0;
		}
	if ((v = eb_verbs_find(fam, verb)) == NULL) {
		eb_verbs_usage(fam, stderr);
		goto out;
	}
	if (v->verb == NULL) {
		rc = family_generic(&s, fam, argc, argv);
		goto out;
	}
	if (parse_args(argc, argv, 2, &a, NULL) != 0)
		eb_verbs_usage(fam, stderr);
	else
		rc = v->run(&s, &a);
out:
	eb_client_close(s.client);
	X509_free(s.cert);
	EVP_PKEY_free(s.key);
	eb_schema_free(s.schema);
	return rc;
}
