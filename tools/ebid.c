/*
 * tools/ebid.c
 *    ebid: the client every party uses.
 *
 *    ebid [--url URL] [--ca FILE] [--cert FILE] [--key FILE] COMMAND ...
 *      whoami            who the server says you are (from your certificate)
 *      health            the server's and its database's state
 *      send FILE.xml     sign a command document with your key and submit it
 *      help [COMMAND]    this text, or one command's
 *
 * Settings: flags, else EBID_URL EBID_CA EBID_CERT EBID_KEY.
 * Exit codes: 0 done; 1 the server answered with an error (refused, or
 * failed; its error document is printed in plain words); 2 usage; 3
 * cannot reach the server or TLS failed; 4 a local file could not be
 * read, written or signed.
 * The verb families of tools/verbs.h (tender, sale, bid, ...) are run
 * from here when that library is built (EB_HAVE_VERBS).
 *
 * INTERFACE: main()
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/cms.h"
#include "protocol/doc.h"
#include "protocol/mem.h"
#include "protocol/pki.h"
#include "protocol/xml.h"
#include "tools/client.h"
#include "tools/fileio.h"
#ifdef EB_HAVE_VERBS
#include "tools/verbs.h"
#endif
#ifdef EB_HAVE_CONSOLE
#include "tools/console.h"
#endif

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_TRANSPORT 3
#define EXIT_SERVER 1       /* the server failed: also an error reply */
#define EXIT_LOCAL 4
#define SEND_MAX ((size_t)64 << 20)

static int cmd_whoami(struct eb_client *c, const struct eb_client_settings *s,
    const char *arg, const char *receipt_path);
static int cmd_health(struct eb_client *c, const struct eb_client_settings *s,
    const char *arg, const char *receipt_path);
static int cmd_send(struct eb_client *c, const struct eb_client_settings *s,
    const char *file, const char *receipt_path);

/*
 * ebid's own commands, one table (as git.c's commands[]): name, its
 * arguments, handler, its line in `ebid --help` and its `ebid help NAME`.
 * A NULL handler is a command main() runs before the table (console) or
 * is (help).  The verb families (tender, bid, ...) have their own table in
 * tools/verbs.c.
 */
static const struct command {
	const char *name;
	int nargs;           /* positional arguments after the name */
	int (*run)(struct eb_client *c, const struct eb_client_settings *s,
	    const char *arg, const char *receipt_path);
	const char *usage;   /* "send FILE.xml" */
	const char *summary; /* the rest of its --help line */
	const char *synopsis, *text;   /* ebid help NAME; NULL: none */
} commands[] = {
	{ "whoami", 0, cmd_whoami, "whoami", "who the server says you are",
	  "ebid whoami",
	  "Ask the server who you are: party, person, organisation, name and\n"
	  "role, as read from your client certificate.\n" },
	{ "health", 0, cmd_health, "health",
	  "the server's and its database's state", "ebid health",
	  "Ask the server whether it and its database are up, and which clock\n"
	  "it runs on (system, or a test clock).\n" },
	{ "send", 1, cmd_send, "send FILE.xml",
	  "sign a command with your key and submit it", "ebid send FILE.xml",
	  "Sign the command document FILE.xml with your key (CMS SignedData,\n"
	  "the key of --cert/--key) and submit it to POST /v1/commands.  A\n"
	  "FILE already signed (DER, as EBID_KEEP_SIGNED=FILE keeps every\n"
	  "signed command ebid sends) is sent again unchanged: the server\n"
	  "answers a command it already has with its first entry\n"
	  "(duplicate=yes), never twice.  On\n"
	  "success prints the aggregate, sequence number, chain hash, time and\n"
	  "the events the command produced; otherwise the server's error.\n"
	  "When the server issued a receipt (RFC 3161 token), --receipt FILE\n"
	  "saves it (DER).\n" },
	{ "console", 0, NULL, "console", "your desk in your browser (docs/console.md)",
	  NULL, NULL },
	{ "help", 0, NULL, "help [COMMAND]", "this text, or a command's", NULL,
	  NULL },
	{ NULL, 0, NULL, NULL, NULL, NULL, NULL }
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ebid [--url URL] [--ca FILE] [--cert FILE] [--key FILE] "
	    "COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (const struct command *k = commands; k->name != NULL; k++)
		fprintf(f, "  %-15s %s\n", k->usage, k->summary);
	fprintf(f, "\n"
	    "settings (flag, else environment):\n"
	    "  --url URL    EBID_URL   the server, default %s\n"
	    "  --ca FILE    EBID_CA    the centre's CA certificate (PEM)\n"
	    "  --cert FILE  EBID_CERT  your certificate (PEM)\n"
	    "  --key FILE   EBID_KEY   your private key (PEM)\n\n"
	    "exit codes: 0 done, 1 the server answered with an error, 2 usage, "
	    "3 cannot\nreach the server or TLS failed, 4 local file problem.\n",
	    EB_CLIENT_DEFAULT_URL);
#ifdef EB_HAVE_VERBS
	fputc('\n', f);
	eb_verbs_usage(NULL, f);
#endif
}

static int
command_help(const char *name, FILE *f)
{
	for (const struct command *k = commands; k->name != NULL; k++) {
		if (k->text != NULL && strcmp(k->name, name) == 0) {
			fprintf(f, "usage: %s\n\n%s", k->synopsis, k->text);
			return 0;
		}
	}
	fprintf(stderr, "ebid: no such command: %s (see ebid --help)\n", name);
	return EXIT_USAGE;
}

static int
exit_for(int status)
{
	return status >= 500 ? EXIT_SERVER : EXIT_REFUSED;
}

/* Print a reply's error document; returns the exit code. */
static int
print_reply_error(const struct eb_buf *body, int status)
{
	struct eb_error e;

	eb_error_clear(&e);
	eb_client_reply_error(body, status, &e);
	eb_client_print_error(stderr, &e);
	return exit_for(status);
}

/* GET 'path', parse the reply; *doc on success (caller frees). */
static int
get_doc(struct eb_client *c, const char *path, struct eb_doc **doc)
{
	struct eb_buf body = EB_BUF_INIT;
	struct eb_error e;
	int status = 0, rc;

	eb_error_clear(&e);
	if (eb_client_get(c, path, &body, &status, &e) != EB_OK) {
		eb_client_print_error(stderr, &e);
		rc = EXIT_TRANSPORT;
	} else if (status != 200) {
		rc = print_reply_error(&body, status);
	} else if (eb_xml_parse(NULL, NULL, body.data, body.len, doc, &e) !=
	    EB_OK) {
		eb_client_print_error(stderr, &e);
		rc = EXIT_SERVER;
	} else {
		rc = 0;
	}
	eb_buf_free(&body);
	return rc;
}

static void
print_attrs(const struct eb_doc *d, const char *const *names)
{
	for (; *names != NULL; names++) {
		const char *v = eb_doc_attr(d, *names);
		printf("%s: %s\n", *names, v != NULL ? v : "");
	}
}

static int
cmd_whoami(struct eb_client *c, const struct eb_client_settings *s,
    const char *arg, const char *receipt_path)
{
	static const char *const names[] = { "party", "person", "org", "name",
	    "role", NULL };
	struct eb_doc *d = NULL;
	int rc = get_doc(c, "/v1/whoami", &d);

	if (rc == 0)
		print_attrs(d, names);
	eb_doc_free(d);
	return rc;
}

static int
cmd_health(struct eb_client *c, const struct eb_client_settings *s,
    const char *arg, const char *receipt_path)
{
	static const char *const names[] = { "status", "database", "clock",
	    "time", NULL };
	struct eb_doc *d = NULL;
	int rc = get_doc(c, "/v1/health", &d);

	if (rc == 0) {
		print_attrs(d, names);
		if (strcmp(eb_doc_attr(d, "database") ?
		    eb_doc_attr(d, "database") : "", "ok") != 0)
			rc = EXIT_SERVER;
	}
	eb_doc_free(d);
	return rc;
}


/* Print (and with 'path', save) the receipt of an accepted reply. */
static int
save_receipt(const struct eb_doc *d, const char *path)
{
	const char *b64 = eb_doc_child_text(d, "receipt");
	uint8_t *der = NULL;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if (b64 == NULL) {
		if (path != NULL)
			fprintf(stderr, "ebid: the server issued no receipt for "
			    "this command; %s not written\n", path);
		return 0;
	}
	if (eb_base64_decode(b64, strlen(b64), &der, &len) != EB_OK) {
		fprintf(stderr, "ebid: the receipt in the reply is not "
		    "base64\n");
		return EXIT_SERVER;
	}
	printf("receipt: RFC 3161 timestamp token, %zu bytes%s%s\n", len,
	    path != NULL ? ", saved to " : "", path != NULL ? path : "");
	if (path != NULL && ((f = fopen(path, "wb")) == NULL ||
	    fwrite(der, 1, len, f) != len || fclose(f) != 0)) {
		fprintf(stderr, "ebid: cannot write %s: %s\n", path,
		    strerror(errno));
		rc = EXIT_LOCAL;
	}
	free(der);
	return rc;
}

static int
cmd_send(struct eb_client *c, const struct eb_client_settings *s,
    const char *file, const char *receipt_path)
{
	struct eb_buf xml = EB_BUF_INIT, body = EB_BUF_INIT, ev = EB_BUF_INIT;
	struct eb_error e;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	uint8_t *der = NULL;
	size_t derlen = 0;
	struct eb_doc *d = NULL;
	int status = 0, rc = EXIT_LOCAL;

	eb_error_clear(&e);
	if (s->cert == NULL || s->key == NULL) {
		eb_fail(&e, EB_ERR_USAGE, "no-key",
		    "Give --cert and --key (or EBID_CERT and EBID_KEY).",
		    "sending a command needs your certificate and key");
		eb_client_print_error(stderr, &e);
		rc = EXIT_USAGE;
		goto out;
	}
	if (eb_file_read(file, SEND_MAX, &xml, &e) != EB_OK) {
		eb_client_print_error(stderr, &e);
		goto out;
	}
	if (xml.len > 0 && (uint8_t)xml.data[0] == 0x30) {
		/* already signed (a DER SignedData kept with EBID_KEEP_SIGNED):
		 * sent again unchanged, ebidd answers with its first entry */
		der = eb_memdup(xml.data, xml.len);
		derlen = xml.len;
	} else if ((cert = eb_pem_cert_load(s->cert, &e)) == NULL ||
	    (key = eb_pem_key_load(s->key, &e)) == NULL ||
	    eb_cms_sign(cert, key, xml.data, xml.len, &der, &derlen, &e) !=
	    EB_OK) {
		eb_client_print_error(stderr, &e);
		goto out;
	}
	if (getenv("EBID_KEEP_SIGNED") != NULL &&
	    eb_file_write(getenv("EBID_KEEP_SIGNED"), der, derlen, &e) !=
	    EB_OK) {
		eb_client_print_error(stderr, &e);
		goto out;
	}
	if (eb_client_post(c, "/v1/commands", "application/cms", der, derlen,
	    &body, &status, &e) != EB_OK) {
		eb_client_print_error(stderr, &e);
		rc = EXIT_TRANSPORT;
		goto out;
	}
	if (status != 200) {
		rc = print_reply_error(&body, status);
		goto out;
	}
	if (eb_xml_parse(NULL, NULL, body.data, body.len, &d, &e) != EB_OK) {
		eb_client_print_error(stderr, &e);
		rc = EXIT_SERVER;
		goto out;
	}
	printf("accepted: aggregate=%s seq=%s hash=%s time=%s%s\n",
	    eb_doc_attr(d, "aggregate") ? eb_doc_attr(d, "aggregate") : "",
	    eb_doc_attr(d, "seq") ? eb_doc_attr(d, "seq") : "",
	    eb_doc_attr(d, "hash") ? eb_doc_attr(d, "hash") : "",
	    eb_doc_attr(d, "time") ? eb_doc_attr(d, "time") : "",
	    eb_doc_attr(d, "duplicate") != NULL ? " duplicate=yes (sent "
	    "before: the first entry)" : "");
	rc = save_receipt(d, receipt_path);
	if (eb_doc_child(d, "events") != NULL &&
	    eb_xml_write(eb_doc_child(d, "events"), 1, &ev) == EB_OK)
		fwrite(ev.data, 1, ev.len, stdout);
out:
	eb_doc_free(d);
	free(der);
	X509_free(cert);
	EVP_PKEY_free(key);
	eb_buf_free(&xml);
	eb_buf_free(&body);
	eb_buf_free(&ev);
	return rc;
}

int
main(int argc, char **argv)
{
	struct eb_client_settings s = { NULL, NULL, NULL, NULL };
	const char *cmd = NULL, *args[4] = { NULL }, *receipt = NULL;
	struct eb_client *c = NULL;
	const struct command *k;
	struct eb_error e;
	int nargs = 0, help = 0, rc;

	/* a connection reset under a write (a server killed behind a load
	 * balancer) is an error to retry on, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--url") == 0)
			slot = &s.url;
		else if (strcmp(argv[i], "--ca") == 0)
			slot = &s.ca;
		else if (strcmp(argv[i], "--cert") == 0)
			slot = &s.cert;
		else if (strcmp(argv[i], "--key") == 0)
			slot = &s.key;
		else if (strcmp(argv[i], "--receipt") == 0)
			slot = &receipt;
#ifdef EB_HAVE_CONSOLE
		if (slot == NULL && cmd == NULL &&
		    strcmp(argv[i], "console") == 0) {
			eb_client_settings_env(&s);
			return eb_console_main(argc - i, argv + i, s.url, s.ca,
			    s.cert, s.key);
		}
#endif
#ifdef EB_HAVE_VERBS
		if (slot == NULL && cmd == NULL && argv[i][0] != '-' &&
		    eb_verbs_handles(argv[i])) {
			eb_client_settings_env(&s);
			eb_xml_init();
			return eb_verbs_main(argc - i, argv + i, s.url, s.ca,
			    s.cert, s.key);
		}
#endif
		if (slot != NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ebid: %s needs a value\n",
				    argv[i]);
				return EXIT_USAGE;
			}
			*slot = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			help = 1;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "ebid: unknown option %s (see ebid "
			    "--help)\n", argv[i]);
			return EXIT_USAGE;
		} else if (cmd == NULL) {
			cmd = argv[i];
		} else if (nargs < 4) {
			args[nargs++] = argv[i];
		} else {
			fprintf(stderr, "ebid: too many arguments\n");
			return EXIT_USAGE;
		}
	}
	if (cmd == NULL) {
		usage(help ? stdout : stderr);
		return help ? 0 : EXIT_USAGE;
	}
	if (strcmp(cmd, "help") == 0) {
		if (nargs == 0) {
			usage(stdout);
			return 0;
		}
		return command_help(args[0], stdout);
	}
	if (help)
		return command_help(cmd, stdout);
	for (k = commands; k->name != NULL; k++)
		if (strcmp(k->name, cmd) == 0)
			break;
	if (k->run == NULL)
		return command_help(cmd, stdout);
	if (nargs != k->nargs) {
		command_help(cmd, stderr);
		return EXIT_USAGE;
	}
	eb_client_settings_env(&s);
	eb_xml_init();
	eb_error_clear(&e);
	if ((c = eb_client_open(s.url, s.ca, s.cert, s.key, &e)) == NULL) {
		eb_client_print_error(stderr, &e);
		return e.code == EB_ERR_USAGE ? EXIT_USAGE : EXIT_LOCAL;
	}
	rc = k->run(c, &s, args[0], receipt);
	eb_client_close(c);
	return rc;
}
