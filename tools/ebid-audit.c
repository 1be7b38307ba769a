/*
 * tools/ebid-audit.c
 *    The auditor's tool: export, verify and replay a tender's or a sale's
 *    log.  With only an exported log and the centre's CA certificate,
 *    anyone can check that every step happened, by whom, when, and that the
 *    result follows from the inputs (docs/audit.md).
 *
 *    ebid-audit export (--tender ID | --sale ID | --all) -o FILE|DIR
 *        [--envelopes DIR | --fetch-envelopes]
 *    ebid-audit verify FILE --ca ca.crt [--server-cert F]... [--head F]...
 *        [--crl F] [--jobs N]
 *    ebid-audit verify --db CONNINFO (--tender ID | --sale ID) --ca ca.crt
 *        [--server-cert F]... [--head F]... [--crl F] [--jobs N]
 *    ebid-audit replay FILE --ca ca.crt [--unverified] [--server-cert F]...
 *        [--head F]... [--crl F]
 *
 * verify never needs the server; export talks to ebidd with an auditor's
 * certificate.  replay verifies first and prints a timeline only of a log
 * that holds.  Exit codes: 0 verified (export: written), 1 anything else
 * that is not a usage error: a check failed (the first entry that does
 * not hold is named), the file cannot be read or is not an export of a
 * format this tool checks, the server refused; 2 usage only.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/errdoc.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"
#include "protocol/pki.h"
#include "protocol/revocation.h"
#include "protocol/xml.h"
#include "tools/audit_checks.h"
#include "tools/audit_db.h"
#include "tools/audit_log.h"
#include "tools/client.h"
#include "tools/fileio.h"
#include "engine/opendata/ocds.h"

#ifndef EB_XSD_DEFAULT
#define EB_XSD_DEFAULT "protocol/xsd/ebid.xsd"
#endif

#define AUDIT_MAX_FILE ((size_t)1 << 30)

/*
 * What a run still holds when it ends -- the verified log (tens of
 * thousands of entries, several allocations each), the trust, the
 * schema -- is left to the kernel, which takes the whole heap back at
 * once: freed piece by piece it took the main thread, alone, after the
 * verdict, about 5 k instructions per entry (issue 17, eighth pass).
 * Kept reachable here, so that a leak checker reports it as such; a
 * sanitized build (EB_SANITIZE) frees everything, so that its leak check
 * at exit still covers every path.
 */
static struct {
	struct eb_audit_log *log;
	struct eb_trust *trust;
	struct eb_schema *schema;
} left_at_exit;

static void
end_log(struct eb_audit_log *log)
{
	if (EB_SANITIZED || left_at_exit.log != NULL) {
		eb_audit_log_free(log);
		return;
	}
	left_at_exit.log = log;
}

static void
usage(FILE *f)
{
	fputs(
	    "usage:\n"
	    "  ebid-audit export (--tender ID | --sale ID | --pool ID | --subject ID |\n"
	    "         --monitor ID) -o FILE [--envelopes DIR | --fetch-envelopes]\n"
	    "  ebid-audit export --all [--kind tender|sale|pool] [--since T] [--until T] -o DIR\n"
	    "         [--envelopes DIR | --fetch-envelopes]\n"
	    "  ebid-audit export --ocds FILE... --ca ca.crt [--ocid-prefix P]\n"
	    "         [--publisher NAME] -o DIR\n"
	    "  ebid-audit verify FILE --ca ca.crt [--server-cert F]... [--head F]...\n"
	    "         [--crl F] [--jobs N] [--envelopes DIR]\n"
	    "  ebid-audit verify --db CONNINFO (--tender ID | --sale ID | --pool ID |\n"
	    "         --subject ID | --monitor ID) --ca ca.crt\n"
	    "         [--server-cert F]... [--head F]... [--crl F] [--jobs N]\n"
	    "  ebid-audit replay FILE --ca ca.crt [--unverified] [--server-cert F]...\n"
	    "         [--head F]... [--crl F]\n"
	    "\n"
	    "export   fetch a log from ebidd with an auditor's certificate\n"
	    "         (--url --ca --cert --key or EBID_URL EBID_CA EBID_CERT EBID_KEY)\n"
	    "         --envelopes DIR  copy the large bids' envelopes the log names\n"
	    "         from DIR (a copy of envelope_dir) into FILE.envelopes/\n"
	    "         --fetch-envelopes  the same, fetched from ebidd\n"
	    "         (GET /v1/envelopes/HASH); each is checked against the\n"
	    "         log's SHA-256 and size before it is kept\n"
	    "         --ocds: verify each exported log, then write its OCDS 1.1.5\n"
	    "         open data to DIR: ID.releases.json and ID.record.json\n"
	    "         (docs/ocds.md)\n"
	    "verify   check every link, signature, receipt and signed chain head,\n"
	    "         then replay the log through the engine from nothing; exit 0\n"
	    "         when everything holds, 1 naming the first entry that does not\n"
	    "         --server-cert F  pin the centre's published server certificate\n"
	    "         (repeatable): only these may sign system entries and heads\n"
	    "         (default: the ones the log records)\n"
	    "         --head F  a signed chain head kept outside the log (a bidder's\n"
	    "         RECEIPT.proof, a saved GET /v1/heads/ID): the log must hold it\n"
	    "         --crl F  the CA's revocation lists (a CRL file or folder):\n"
	    "         a signature made at or after its certificate's revocation\n"
	    "         fails; the revocations are listed first\n"
	    "         --jobs N  threads checking signatures, receipts and opened\n"
	    "         bids ahead of the in-order replay (default: one per core);\n"
	    "         the result and exit code are the same for every N\n"
	    "replay   verify, then print a readable timeline and the final result;\n"
	    "         a log that does not hold prints only its failing entry\n"
	    "         --unverified  print the timeline of whatever the file says,\n"
	    "         every line marked UNVERIFIED, then verify it\n"
	    "exit: 0 verified, 1 a check failed or the log cannot be read,\n"
	    "      2 usage\n"
	    "options: --xsd FILE  the master schema (default $EBID_XSD or the\n"
	    "         source tree's protocol/xsd/ebid.xsd)\n", f);
}

static void
print_error(const struct eb_error *e)
{
	fprintf(stderr, "ebid-audit: %s\n", e->primary[0] ? e->primary :
	    eb_strerror(e->code));
	if (e->detail[0])
		fprintf(stderr, "  detail: %s\n", e->detail);
	if (e->hint[0])
		fprintf(stderr, "  hint: %s\n", e->hint);
}

/*
 * verify --db / replay --db: the schema compiles on a thread of its own
 * (tools/audit_checks.h, eb_audit_schema_start) while the trust loads,
 * the log's first rows arrive and the checks start (issue 17, eighth
 * pass).  Whatever prints waits for it first (schema_failed), so that a
 * schema that does not compile is reported as before: alone, first.
 */
static struct eb_audit_schema_job *schema_job;
static int schema_reported;

/* 1 when the schema compiled here failed (its error printed, once). */
static int
schema_failed(void)
{
	struct eb_error e;

	if (schema_job == NULL)
		return 0;
	eb_error_clear(&e);
	if (eb_audit_schema_wait(schema_job, &e) != NULL)
		return 0;
	if (!schema_reported)
		print_error(&e);
	schema_reported = 1;
	return 1;
}

/* 's', or the schema compiled here (once it is). */
static const struct eb_schema *
schema_now(const struct eb_schema *s)
{
	return s != NULL ? s : eb_audit_schema_wait(schema_job, NULL);
}



static int
load_export(const char *path, const struct eb_schema *schema,
    struct eb_audit_log **log, struct eb_error *err)
{
	struct eb_xml_limits lim = { .max_bytes = AUDIT_MAX_FILE,
	    .max_depth = 64, .max_elements = 50000000 };
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	int rc;

	if ((rc = eb_file_read(path, AUDIT_MAX_FILE, &b, err)) == EB_OK &&
	    (rc = eb_xml_parse(schema, &lim, b.data, b.len, &d, err)) == EB_OK)
		rc = eb_audit_log_from_doc(d, log, err);
	eb_doc_free(d);
	eb_buf_free(&b);
	return rc;
}

#define MAX_PINS 16

struct opts {
	const char *ca, *xsd, *out, *db, *tender, *sale, *pool, *kind;
	const char *subject;            /* --subject: kept in 'pool' too */
	const char *monitor;            /* --monitor: kept in 'pool' too */
	const char *subject_logs[MAX_PINS];
	int nsubject_logs;
	const char *url, *cert, *key;
	const char *since, *until, *crl;
	const char *ocid_prefix, *publisher;
	int all, ocds, unverified;
	const char *server_certs[MAX_PINS];
	int nserver_certs;
	const char *heads[MAX_PINS];
	int nheads;
	const char *envelopes;          /* --envelopes DIR (docs/bigbids.md) */
	int fetch_envelopes;            /* --fetch-envelopes: from ebidd */
};

/* --server-cert and --head: what the auditor brings from outside. */
static int
add_outside(const struct opts *o, struct eb_audit_log *log,
    struct eb_error *err)
{
	int i, rc;

	if (o->nserver_certs > 0) {
		eb_audit_log_clear_servers(log);
		log->servers_pinned = 1;
	}
	for (i = 0; i < o->nserver_certs; i++) {
		X509 *x = eb_pem_cert_load(o->server_certs[i], err);
		uint8_t *der = NULL;
		int len;

		if (x == NULL)
			return err->code ? err->code : EB_ERR_IO;
		len = i2d_X509(x, &der);
		X509_free(x);
		if (len <= 0)
			return eb_fail(err, EB_ERR_FORMAT, "bad-certificate",
			    NULL, "%s cannot be encoded", o->server_certs[i]);
		rc = eb_audit_log_add_server(log, der, (size_t)len);
		OPENSSL_free(der);
		if (rc != EB_OK)
			return eb_fail(err, rc, "too-many-servers", NULL,
			    "too many server certificates");
	}
	for (i = 0; i < o->nheads; i++)
		if ((rc = eb_audit_add_heads_file(log, o->heads[i], err)) !=
		    EB_OK)
			return rc;
	return EB_OK;
}

static const char *
envor(const char *v, const char *name)
{
	return v != NULL ? v : getenv(name);
}

/*
 * The verdict of a log that does not hold, on stdout: the failing entry
 * as recorded and why, nothing else (the reason token in brackets).
 */
static void
print_failure(const struct eb_audit_log *log, const char *file,
    const struct eb_audit_result *res, const struct eb_error *err)
{
	const struct eb_audit_entry *e = NULL;
	char when[EB_ISOTIME_LEN];

	if (log == NULL) {
		printf("FAILED: %s cannot be verified: %s [%s]\n",
		    file != NULL ? file : "the log", err->primary[0] ?
		    err->primary : eb_strerror(err->code), err->reason);
	} else {
		if (res->failed_seq >= 1 && (size_t)res->failed_seq <= log->n &&
		    log->entries[res->failed_seq - 1].seq == res->failed_seq)
			e = &log->entries[res->failed_seq - 1];
		if (res->failed_seq > 0)
			printf("FAILED: %s %s, entry %lld does not hold "
			    "(%lld of %zu entries checked)\n", log->kind,
			    log->aggregate, (long long)res->failed_seq,
			    (long long)res->entries_checked, log->n);
		else
			printf("FAILED: %s %s does not hold\n", log->kind,
			    log->aggregate);
		if (e != NULL) {
			eb_isotime_format(e->time, when);
			printf("  entry %lld as recorded: %s by %s (%s, %s)\n",
			    (long long)e->seq, when, e->actor.party,
			    eb_role_name(e->actor.role), e->actor.person);
		}
		printf("  reason: %s [%s]\n", err->primary[0] ? err->primary :
		    eb_strerror(err->code), err->reason);
	}
	if (err->detail[0])
		printf("  detail: %s\n", err->detail);
	if (err->hint[0])
		printf("  hint: %s\n", err->hint);
}

/*
 * Load the log (the export FILE or the database), add what the auditor
 * brings (--server-cert, --head) and run every check.  EB_OK with *logp
 * and *res when the log holds; otherwise the failure is printed
 * (print_failure) and the error returned.
 */
/*
 * verify --db / replay --db: the log is read from PostgreSQL on a thread
 * of its own (tools/audit_db.h, the streamed load), started with the
 * schema's compile, before the trust is loaded; the checks take
 * each entry as soon as it is read (issue 17, sixth pass).  A load that
 * fails is the verdict, as when the whole log was read first.
 */
static struct eb_audit_db_stream *stream;

/* The streamed log's header (a stream now when none was started). */
static int
db_open(const char *conninfo, const char *id, struct eb_audit_log **log,
    struct eb_error *err)
{
	if (stream == NULL)
		stream = eb_audit_db_stream_start(conninfo, id);
	return eb_audit_db_stream_log(stream, log, err);
}

/*
 * The end of the streamed load: when it failed, its error replaces
 * 'err' and *rc (the log could not be read: nothing else counts).
 * Returns 1 when it failed.
 */
static int
db_close(int *rc, struct eb_error *err)
{
	struct eb_error lerr;
	int lrc;

	if (stream == NULL)
		return 0;
	eb_error_clear(&lerr);
	lrc = eb_audit_db_stream_end(stream, &lerr);
	eb_audit_db_stream_free(stream);
	stream = NULL;
	if (lrc == EB_OK)
		return 0;
	*rc = lrc;
	*err = lerr;
	return 1;
}

static int
load_and_verify(const struct opts *o, const char *file,
    const struct eb_schema *schema, const struct eb_trust *t,
    struct eb_audit_log **logp, struct eb_audit_result *res)
{
	struct eb_audit_log *log = NULL;
	struct eb_error err;
	int rc;

	memset(res, 0, sizeof(*res));
	eb_error_clear(&err);
	*logp = NULL;
	if (o->db != NULL)
		rc = db_open(o->db, o->tender ? o->tender : o->sale ?
		    o->sale : o->pool, &log, &err);
	else
		rc = load_export(file, schema, &log, &err);
	if (rc == EB_OK)
		rc = add_outside(o, log, &err);
	if (rc != EB_OK) {
		db_close(&rc, &err);
		if (schema_failed()) {
			eb_audit_log_free(log);
			return EB_ERR_FORMAT;
		}
		print_error(&err);
		print_failure(NULL, o->db != NULL ? "the database's log" : file,
		    res, &err);
		eb_audit_log_free(log);
		return rc;
	}
	if (o->db != NULL) {
		int lfail;

		rc = eb_audit_verify_fed(log, eb_audit_db_stream_wait, stream,
		    t, schema, res, &err);
		lfail = db_close(&rc, &err);
		if (schema_failed()) {
			memset(res, 0, sizeof(*res));
			eb_audit_log_free(log);
			return EB_ERR_FORMAT;
		}
		if (lfail) {
			memset(res, 0, sizeof(*res));
			print_error(&err);
			print_failure(NULL, "the database's log", res, &err);
			eb_audit_log_free(log);
			return rc;
		}
	} else {
		rc = eb_audit_verify(log, t, schema, res, &err);
	}
	if (rc != EB_OK) {
		print_error(&err);
		print_failure(log, file, res, &err);
		eb_audit_log_free(log);
		return rc;
	}
	*logp = log;
	return EB_OK;
}

/*
 * Large bids' envelopes (docs/bigbids.md section 6).  The log names each
 * by SHA-256 and size (bid-submitted envelope-stored="true").
 *
 * verify --envelopes DIR: every one found in DIR as ebidd's store keeps
 * it (DIR/ab/abcd...) or flat (DIR/abcd...) must have exactly that
 * SHA-256 and size; one absent is reported, not a failure (the log stands
 * without it); one altered is.  An export made with `export --envelopes`
 * carries its copies in FILE.envelopes/ beside it: verify FILE checks
 * them without the option, and there an absent one fails too (the export
 * said it had them).
 *
 * export --envelopes DIR: each one the exported log names is copied from
 * DIR into FILE.envelopes/HASH, checked while it is copied; one absent
 * from DIR or altered there fails the export.  export --fetch-envelopes
 * takes them from ebidd instead (GET /v1/envelopes/HASH with the
 * auditor's certificate, engine/server/envelopes_http.h), streamed to
 * FILE.envelopes/HASH.tmp and hashed as they arrive: renamed to HASH only
 * when SHA-256 and size are the log's, else removed and the export fails.
 */
struct env_ref {
	int64_t seq, size;
	const char *hex;
};

/* The next envelope the log names (entry *ei, its event after the *k
 * seen); 0 when none is left. */
static int
next_envelope(const struct eb_audit_log *log, size_t *ei, size_t *k,
    struct env_ref *ref)
{
	for (; *ei < log->n; (*ei)++, *k = 0) {
		const struct eb_doc *ev;
		size_t j = 0;

		eb_doc_foreach(ev, log->entries[*ei].events, "bid-submitted") {
			const char *hex = eb_doc_attr(ev, "envelope-sha256");
			const char *st = eb_doc_attr(ev, "envelope-stored");

			if (j++ < *k)
				continue;
			(*k)++;
			if (st == NULL || strcmp(st, "true") != 0 ||
			    hex == NULL || strlen(hex) != 64 ||
			    strspn(hex, "0123456789abcdef") != 64 ||
			    eb_doc_attr_i64(ev, "envelope-size", &ref->size) !=
			    EB_OK)
				continue;
			ref->hex = hex;
			ref->seq = log->entries[*ei].seq;
			return 1;
		}
	}
	return 0;
}

static FILE *
open_envelope(const char *dir, const char *hex, char *path, size_t cap)
{
	FILE *f;

	if ((size_t)snprintf(path, cap, "%s/%.2s/%s", dir, hex, hex) >= cap)
		return NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		if ((size_t)snprintf(path, cap, "%s/%s", dir, hex) >= cap)
			return NULL;
		f = fopen(path, "rb");
	}
	return f;
}

/* SHA-256 (hex) and size of 'in', copied to 'out' when not NULL. */
static int
hash_copy(FILE *in, FILE *out, char hex[EB_SHA256_HEX], int64_t *n)
{
	unsigned char buf[65536], md[EB_SHA256_LEN];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t k;
	int rc = 0;

	*n = 0;
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	while ((k = fread(buf, 1, sizeof(buf), in)) > 0) {
		EVP_DigestUpdate(ctx, buf, k);
		*n += (int64_t)k;
		if (out != NULL && fwrite(buf, 1, k, out) != k)
			rc = -1;
	}
	if (ferror(in))
		rc = -1;
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	eb_hex32(md, hex);
	return rc;
}

/* Returns the number that fail (-1: out of memory). */
static int
check_envelopes(const struct eb_audit_log *log, const char *dir, int strict)
{
	int64_t checked = 0, absent = 0, bad = 0;
	struct env_ref ref;
	size_t ei = 0, k = 0;

	while (next_envelope(log, &ei, &k, &ref)) {
		char path[4096], got[EB_SHA256_HEX];
		int64_t n = 0;
		FILE *f = open_envelope(dir, ref.hex, path, sizeof(path));

		if (f == NULL) {
			absent++;
			if (strict)
				printf("FAILED: entry %lld: the envelope %s is not "
				    "in %s, the export's copy\n",
				    (long long)ref.seq, ref.hex, dir);
			continue;
		}
		if (hash_copy(f, NULL, got, &n) != 0) {
			fclose(f);
			printf("FAILED: entry %lld: cannot read the envelope "
			    "%s\n", (long long)ref.seq, path);
			bad++;
			continue;
		}
		fclose(f);
		checked++;
		if (n != ref.size || strcmp(got, ref.hex) != 0) {
			bad++;
			printf("FAILED: entry %lld: the envelope %s in %s "
			    "has %lld bytes and SHA-256 %s, not the %lld "
			    "bytes and hash the log records\n",
			    (long long)ref.seq, ref.hex, dir, (long long)n, got,
			    (long long)ref.size);
		}
	}
	printf("envelopes: %lld checked against the log, %lld altered, %lld "
	    "not in %s\n", (long long)checked, (long long)bad,
	    (long long)absent, dir);
	return (int)(bad + (strict ? absent : 0));
}

/* export --fetch-envelopes: each piece of GET /v1/envelopes/HASH as it
 * arrives, hashed and written (bounded memory whatever the size).  A
 * resumed download ('from' bytes already in the file and in the hash)
 * asked for the rest with Range: a 206 must start there (its
 * Content-Range); a 200 is the whole envelope again, so the file and the
 * hash start over. */
struct fetch {
	FILE *out;
	EVP_MD_CTX *md;
	int64_t n;                  /* bytes in the file and the hash */
	int64_t from, size;         /* where the resumed request starts */
	const int *status;          /* the answer's, known before any piece */
	const char *content_range;
	int started;
};

static int
fetch_sink(const uint8_t *p, size_t n, void *arg)
{
	struct fetch *f = arg;

	if (!f->started) {
		f->started = 1;
		if (f->from > 0 && *f->status == 206) {
			char want[96];

			snprintf(want, sizeof(want), "bytes %lld-%lld/%lld",
			    (long long)f->from, (long long)f->size - 1,
			    (long long)f->size);
			if (strcmp(f->content_range, want) != 0)
				return -1;     /* not the rest we asked for */
		} else if (f->n > 0) {       /* a 200: the whole again */
			if (fflush(f->out) != 0 || ftruncate(fileno(f->out),
			    0) != 0 || fseeko(f->out, 0, SEEK_SET) != 0 ||
			    EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) != 1)
				return -1;
			f->n = 0;
		}
	}
	f->n += (int64_t)n;
	if (EVP_DigestUpdate(f->md, p, n) != 1)
		return -1;
	return fwrite(p, 1, n, f->out) == n ? 0 : -1;
}

/* A refusal from the server (status not 200): its error document into
 * 'err' when it sent one, else export-refused with the status; returns
 * EB_ERR_DENIED. */
static int
refused(const struct eb_schema *schema, const struct eb_buf *body,
    int status, struct eb_error *err)
{
	struct eb_doc *e = NULL;

	if (eb_xml_parse(schema, NULL, body->data, body->len, &e, err) ==
	    EB_OK)
		(void)eb_errdoc_read(e, err);
	else
		eb_fail(err, EB_ERR_DENIED, "export-refused", NULL,
		    "the server answered %d", status);
	eb_doc_free(e);
	return EB_ERR_DENIED;
}

/*
 * The first 'have' bytes of 'path' into the hash; 0, or -1 when they
 * cannot be read (the partial copy is then not used).
 */
static int
hash_prefix(FILE *in, int64_t have, EVP_MD_CTX *md)
{
	uint8_t buf[65536];
	int64_t left = have;

	while (left > 0) {
		size_t want = left < (int64_t)sizeof(buf) ? (size_t)left :
		    sizeof(buf);

		if (fread(buf, 1, want, in) != want ||
		    EVP_DigestUpdate(md, buf, want) != 1)
			return -1;
		left -= (int64_t)want;
	}
	return 0;
}

#define FETCH_ATTEMPTS 3

/*
 * Fetch the envelope 'ref' from the server into 'tmp', hashing as it
 * arrives: its SHA-256 (hex) and size in got/n.  A download cut in the
 * middle goes on (docs/bigbids.md section 6): what 'tmp' already holds
 * -- left by an earlier export, or by a connection cut in this one (up
 * to FETCH_ATTEMPTS tries) -- is hashed, and only the rest is asked for,
 * "Range: bytes=N-" with "If-Range" the envelope's ETag ("HASH"); a 200
 * (the server or the If-Range said no) starts the file over.  The bytes
 * kept are judged only whole, by the SHA-256 and size the log records:
 * when a resumed copy does not match, it is fetched once more whole.
 * 0, or -1 with the reason printed; *keep is 1 when 'tmp' holds a
 * partial copy worth resuming (the connection failed), else 0.
 * *resumed_at: the byte the last resumed request started at (0: none).
 */
static int
fetch_envelope(struct eb_client *c, const struct eb_schema *schema,
    const struct env_ref *ref, const char *tmp, char got[EB_SHA256_HEX],
    int64_t *n, int *keep, int64_t *resumed_at)
{
	unsigned char md[EB_SHA256_LEN];
	char path[128], etag[80], cr[96];
	int attempt, whole_again = 0;

	*n = 0;
	*keep = 0;
	*resumed_at = 0;
	snprintf(path, sizeof(path), "/v1/envelopes/%s", ref->hex);
	snprintf(etag, sizeof(etag), "\"%s\"", ref->hex);
	for (attempt = 0; attempt < FETCH_ATTEMPTS + whole_again; attempt++) {
		struct fetch f;
		struct eb_buf body = EB_BUF_INIT;
		struct eb_error err;
		struct stat st;
		int64_t have = 0;
		int status = 0, rc;

		memset(&f, 0, sizeof(f));
		eb_error_clear(&err);
		if ((f.md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(f.md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(f.md);
			printf("FAILED: entry %lld: no SHA-256\n",
			    (long long)ref->seq);
			return -1;
		}
		/* a partial copy shorter than the envelope is resumed */
		if (!whole_again && stat(tmp, &st) == 0 && st.st_size > 0 &&
		    st.st_size < ref->size &&
		    (f.out = fopen(tmp, "r+b")) != NULL) {
			if (hash_prefix(f.out, st.st_size, f.md) == 0 &&
			    fseeko(f.out, st.st_size, SEEK_SET) == 0) {
				have = st.st_size;
			} else {
				fclose(f.out);
				f.out = NULL;
				(void)EVP_DigestInit_ex(f.md, EVP_sha256(),
				    NULL);
			}
		}
		if (f.out == NULL && (f.out = fopen(tmp, "wb")) == NULL) {
			printf("FAILED: cannot write %s: %s\n", tmp,
			    strerror(errno));
			EVP_MD_CTX_free(f.md);
			return -1;
		}
		f.n = f.from = have;
		f.size = ref->size;
		f.status = &status;
		f.content_range = cr;
		cr[0] = '\0';
		body.max = (size_t)1 << 20;
		if (have > 0) {
			*resumed_at = have;
			printf("envelope %s: resuming at byte %lld of %lld\n",
			    ref->hex, (long long)have, (long long)ref->size);
			rc = eb_client_get_stream_from(c, path, have, etag, cr,
			    sizeof(cr), fetch_sink, &f, &body, &status, &err);
		} else {
			rc = eb_client_get_stream(c, path, fetch_sink, &f,
			    &body, &status, &err);
		}
		EVP_DigestFinal_ex(f.md, md, NULL);
		EVP_MD_CTX_free(f.md);
		eb_hex32(md, got);
		*n = f.n;
		if (fclose(f.out) != 0 && rc == EB_OK) {
			printf("FAILED: cannot write %s: %s\n", tmp,
			    strerror(errno));
			eb_buf_free(&body);
			return -1;
		}
		if (rc == EB_OK && status == 416 && have > 0) {
			/* the server's envelope is not longer than the copy:
			 * once more whole, and the hash decides */
			eb_buf_free(&body);
			whole_again = 1;
			continue;
		}
		if (rc == EB_OK && status != 200 && status != 206)
			rc = refused(schema, &body, status, &err);
		eb_buf_free(&body);
		if (rc == EB_OK) {
			if (have > 0 && !whole_again && (f.n != ref->size ||
			    strcmp(got, ref->hex) != 0)) {
				printf("envelope %s: the resumed copy does not "
				    "hash to the log's SHA-256: fetched whole "
				    "again\n", ref->hex);
				whole_again = 1;
				continue;
			}
			return 0;
		}
		/* a connection cut (not a refusal): the bytes kept go on */
		if ((err.code == EB_ERR_IO || err.code == EB_ERR_CRYPTO) &&
		    status == 0 && attempt + 1 < FETCH_ATTEMPTS + whole_again) {
			printf("envelope %s: the download stopped at byte %lld "
			    "(%s): going on\n", ref->hex, (long long)f.n,
			    err.primary);
			continue;
		}
		printf("FAILED: entry %lld: the envelope %s could not be "
		    "fetched: %s%s%s%s\n", (long long)ref->seq, ref->hex,
		    err.primary, err.reason[0] ? " (" : "", err.reason,
		    err.reason[0] ? ")" : "");
		*keep = status == 0 && f.n > 0 && f.n < ref->size;
		return -1;
	}
	printf("FAILED: entry %lld: the envelope %s could not be fetched "
	    "whole in %d tries\n", (long long)ref->seq, ref->hex, attempt);
	*keep = 0;
	return -1;
}

/*
 * export --envelopes DIR (from a folder) or --fetch-envelopes (c: from
 * the server): copy into EXPORT.envelopes/.  0, or the number failed.
 */
static int
copy_envelopes(const char *export, const struct eb_schema *schema,
    const char *dir, struct eb_client *c)
{
	struct eb_audit_log *log = NULL;
	struct eb_error err;
	struct env_ref ref;
	char dest[4096];
	size_t ei = 0, k = 0;
	int64_t copied = 0, bytes = 0, resumed = 0;
	int bad = 0;

	eb_error_clear(&err);
	if (load_export(export, schema, &log, &err) != EB_OK) {
		print_error(&err);
		return 1;
	}
	if ((size_t)snprintf(dest, sizeof(dest), "%s.envelopes", export) >=
	    sizeof(dest) - 70) {
		printf("FAILED: the path %s is too long\n", export);
		eb_audit_log_free(log);
		return 1;
	}
	if (mkdir(dest, 0755) != 0 && errno != EEXIST) {
		printf("FAILED: cannot make %s: %s\n", dest, strerror(errno));
		eb_audit_log_free(log);
		return 1;
	}
	while (next_envelope(log, &ei, &k, &ref)) {
		char src[4096], to[4096], tmp[4104], got[EB_SHA256_HEX];
		int64_t n = 0, resumed_at = 0;
		FILE *in = NULL, *out;
		int rc, keep = 0;

		if (c != NULL)
			snprintf(src, sizeof(src), "the server");
		else
			in = open_envelope(dir, ref.hex, src, sizeof(src));

		if ((size_t)snprintf(to, sizeof(to), "%.4000s/%.64s", dest,
		    ref.hex) >= sizeof(to) - 4) {
			printf("FAILED: the path %s is too long\n", dest);
			if (in != NULL)
				fclose(in);
			bad++;
			continue;
		}
		memcpy(tmp, to, strlen(to));
		memcpy(tmp + strlen(to), ".tmp", 5);
		if (in == NULL && c == NULL) {
			printf("FAILED: entry %lld: the envelope %s is not in "
			    "%s\n", (long long)ref.seq, ref.hex, dir);
			bad++;
			continue;
		}
		if (c != NULL) {
			rc = fetch_envelope(c, schema, &ref, tmp, got, &n,
			    &keep, &resumed_at);
			if (rc == 0 && resumed_at > 0)
				resumed++;
		} else if ((out = fopen(tmp, "wb")) == NULL) {
			printf("FAILED: cannot write %s: %s\n", tmp,
			    strerror(errno));
			fclose(in);
			bad++;
			continue;
		} else {
			rc = hash_copy(in, out, got, &n);
			fclose(in);
			if (rc != 0)
				printf("FAILED: cannot copy %s to %s\n", src,
				    tmp);
			if (fclose(out) != 0) {
				printf("FAILED: cannot write %s: %s\n", tmp,
				    strerror(errno));
				rc = -1;
			}
		}
		/* what the log says, or nothing is kept */
		if (rc == 0 && (n != ref.size || strcmp(got, ref.hex) != 0)) {
			printf("FAILED: entry %lld: the envelope %s from %s "
			    "has %lld bytes and SHA-256 %s, not the %lld bytes "
			    "and hash the log records\n", (long long)ref.seq,
			    ref.hex, c != NULL ? src : dir, (long long)n, got,
			    (long long)ref.size);
			rc = -1;
		} else if (rc == 0 && rename(tmp, to) != 0) {
			printf("FAILED: cannot rename %s: %s\n", tmp,
			    strerror(errno));
			rc = -1;
		}
		if (rc != 0) {
			if (keep)     /* a later export goes on from there */
				printf("envelope %s: the %lld bytes received "
				    "are kept in %s for the next export to "
				    "resume\n", ref.hex, (long long)n, tmp);
			else
				(void)remove(tmp);
			bad++;
			continue;
		}
		copied++;
		bytes += n;
	}
	printf("envelopes: %lld %s into %s (%lld bytes), %d failed\n",
	    (long long)copied, c != NULL ? "fetched from the server" :
	    "copied", dest, (long long)bytes, bad);
	if (resumed > 0)
		printf("envelopes: %lld of them resumed from a partial copy "
		    "(Range)\n", (long long)resumed);
	eb_audit_log_free(log);
	return bad;
}

static int
cmd_verify(const struct opts *o, const char *file,
    const struct eb_schema *schema, const struct eb_trust *t)
{
	struct eb_audit_log *log = NULL;
	struct eb_audit_result res;

	char own[4096];
	const char *envdir = o->envelopes;
	struct stat st;

	if (load_and_verify(o, file, schema, t, &log, &res) != EB_OK)
		return 1;
	/* an export made with --envelopes: its copies beside it */
	if (envdir == NULL &&
	    (size_t)snprintf(own, sizeof(own), "%s.envelopes", file) <
	    sizeof(own) - 70 && stat(own, &st) == 0 && S_ISDIR(st.st_mode))
		envdir = own;
	if (envdir != NULL &&
	    check_envelopes(log, envdir, envdir == own) != 0) {
		eb_audit_log_free(log);
		return 1;
	}
	printf("OK: %s %s: %lld entries, %lld signatures, %lld receipts, "
	    "%lld signed chain heads verified; replay gives the recorded "
	    "events; final state %s\n", log->kind, log->aggregate,
	    (long long)res.entries_checked, (long long)res.signatures_checked,
	    (long long)res.receipts_checked, (long long)res.heads_checked,
	    res.final_state);
	end_log(log);
	return 0;
}

/*
 * replay: verify first; a log that does not hold prints only its failing
 * entry (exit 1).  --unverified prints the timeline of whatever the file
 * says, every line marked UNVERIFIED, then verifies it: the exit status
 * is the verdict either way.
 */
static int
cmd_replay(const struct opts *o, const char *file,
    const struct eb_schema *schema, const struct eb_trust *t)
{
	struct eb_audit_log *log = NULL;
	struct eb_audit_result res;
	struct eb_error err;
	int rc;

	eb_error_clear(&err);
	if (o->unverified) {
		if ((rc = load_export(file, schema, &log, &err)) != EB_OK) {
			print_error(&err);
			print_failure(NULL, file, &res, &err);
			return 1;
		}
		rc = eb_audit_timeline(log, t, schema, EB_TIMELINE_UNVERIFIED,
		    stdout, &err);
		eb_audit_log_free(log);
		log = NULL;
		if (rc != EB_OK) {
			print_error(&err);
			return 1;
		}
		fflush(stdout);
		if (load_and_verify(o, file, schema, t, &log, &res) != EB_OK)
			return 1;
		printf("(the log was then verified: it holds)\n");
		eb_audit_log_free(log);
		return 0;
	}
	if (load_and_verify(o, file, schema, t, &log, &res) != EB_OK)
		return 1;
	rc = eb_audit_timeline(log, t, schema_now(schema), 0, stdout, &err);
	eb_audit_log_free(log);
	if (rc != EB_OK) {
		print_error(&err);
		return 1;
	}
	return 0;
}

static int
export_one(struct eb_client *c, const char *kind, const char *id,
    const char *path, const struct eb_schema *schema, const char *envdir,
    int fetch)
{
	struct eb_buf body = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	struct eb_error err;
	char url[256];
	int status = 0, rc;

	eb_error_clear(&err);
	snprintf(url, sizeof(url), "/v1/log/%s", id);
	body.max = AUDIT_MAX_FILE;
	rc = eb_client_get(c, url, &body, &status, &err);
	if (rc == EB_OK && status != 200)
		rc = refused(schema, &body, status, &err);
	/* What we write must be an export we can read back. */
	if (rc == EB_OK) {
		struct eb_xml_limits lim = { .max_bytes = AUDIT_MAX_FILE,
		    .max_depth = 64, .max_elements = 50000000 };

		rc = eb_xml_parse(schema, &lim, body.data, body.len, &d, &err);
	}
	if (rc == EB_OK)
		rc = eb_file_write(path, body.data, body.len, &err);
	if (rc == EB_OK)
		printf("exported %s %s to %s (%zu bytes)\n", kind, id, path,
		    body.len);
	else
		print_error(&err);
	eb_doc_free(d);
	eb_buf_free(&body);
	if (rc == EB_OK && (envdir != NULL || fetch) &&
	    copy_envelopes(path, schema, envdir, fetch ? c : NULL) != 0)
		return 1;
	return rc == EB_OK ? 0 : 1;
}

static int
cmd_export(const struct opts *o, const struct eb_schema *schema)
{
	struct eb_client *c = NULL;
	struct eb_buf body = EB_BUF_INIT;
	struct eb_doc *list = NULL, *it;
	struct eb_error err;
	char path[1024];
	int status = 0, rc = 0;

	eb_error_clear(&err);
	if (o->out == NULL || (!o->all && o->tender == NULL && o->sale == NULL &&
	    o->pool == NULL) || (o->fetch_envelopes && o->envelopes != NULL)) {
		usage(stderr);
		return 2;
	}
	c = eb_client_open(envor(o->url, "EBID_URL"), envor(o->ca, "EBID_CA"),
	    envor(o->cert, "EBID_CERT"), envor(o->key, "EBID_KEY"), &err);
	if (c == NULL) {
		print_error(&err);
		return 1;
	}
	if (!o->all) {
		rc = export_one(c, o->tender ? "tender" : o->sale ? "sale" :
		    o->subject ? "subject" : o->monitor ? "monitor" : "pool",
		    o->tender ? o->tender : o->sale ? o->sale : o->pool, o->out,
		    schema, o->envelopes, o->fetch_envelopes);
		goto out;
	}
	snprintf(path, sizeof(path), "/v1/log?since=%s&until=%s",
	    o->since != NULL ? o->since : "", o->until != NULL ? o->until : "");
	if (eb_client_get(c, path, &body, &status, &err) != EB_OK ||
	    status != 200 ||
	    eb_xml_parse(schema, NULL, body.data, body.len, &list, &err) !=
	    EB_OK) {
		if (err.primary[0] == '\0')
			eb_fail(&err, EB_ERR_DENIED, "export-refused", NULL,
			    "the server answered %d to the list of logs", status);
		print_error(&err);
		rc = 1;
		goto out;
	}
	eb_doc_foreach(it, list, "aggregate") {
		const char *id = eb_doc_attr(it, "id");
		const char *kind = eb_doc_attr(it, "kind");

		if (id == NULL || kind == NULL ||
		    (o->kind != NULL && strcmp(o->kind, kind) != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s.log.xml", o->out, id);
		if (export_one(c, kind, id, path, schema, o->envelopes,
		    o->fetch_envelopes) != 0)
			rc = 1;
	}
out:
	eb_doc_free(list);
	eb_buf_free(&body);
	eb_client_close(c);
	return rc;
}

/*
 * export --ocds: each exported log is verified (as `verify` does), then
 * folded into its OCDS open data (engine/opendata/ocds.c) in o->out.
 */
static int
cmd_export_ocds(const struct opts *o, char **files, int nfiles,
    const struct eb_schema *schema)
{
	struct eb_ocds_opts oo = {
		.prefix = o->ocid_prefix ? o->ocid_prefix : "ocds-ebid00",
		.publisher = o->publisher ? o->publisher : "ebid" };
	struct eb_trust *t = NULL;
	struct eb_error err;
	char path[1024];
	int i, rc = 0;

	eb_error_clear(&err);
	if (nfiles < 1 || o->out == NULL || envor(o->ca, "EBID_CA") == NULL) {
		usage(stderr);
		return 2;
	}
	if ((t = eb_trust_load(envor(o->ca, "EBID_CA"), &err)) == NULL) {
		print_error(&err);
		return 2;
	}
	for (i = 0; i < nfiles; i++) {
		struct eb_audit_log *log = NULL;
		struct eb_audit_result res;
		struct eb_buf rel = EB_BUF_INIT, rec = EB_BUF_INIT;
		int r;

		memset(&res, 0, sizeof(res));
		eb_error_clear(&err);
		if ((r = load_export(files[i], schema, &log, &err)) == EB_OK &&
		    (r = eb_audit_verify(log, t, schema, &res, &err)) == EB_OK)
			r = eb_ocds_build(log, &oo, &rel, &rec, &err);
		if (r == EB_OK) {
			snprintf(path, sizeof(path), "%s/%s.releases.json",
			    o->out, log->aggregate);
			r = eb_file_write(path, rel.data, rel.len, &err);
		}
		if (r == EB_OK) {
			snprintf(path, sizeof(path), "%s/%s.record.json",
			    o->out, log->aggregate);
			r = eb_file_write(path, rec.data, rec.len, &err);
		}
		if (r == EB_OK)
			printf("OCDS of %s %s: %s/%s.releases.json, "
			    "%s/%s.record.json\n", log->kind, log->aggregate,
			    o->out, log->aggregate, o->out, log->aggregate);
		else if (r == EB_ERR_NOTFOUND)
			printf("%s: %s (nothing written)\n", files[i],
			    err.primary);
		else {
			fprintf(stderr, "ebid-audit: %s:\n", files[i]);
			print_error(&err);
			rc = res.failed_seq != 0 ? 1 : 2;
		}
		eb_buf_free(&rel);
		eb_buf_free(&rec);
		eb_audit_log_free(log);
	}
	eb_trust_free(t);
	return rc;
}

/*
 * The revocation lists into the trust, each revocation listed on stderr
 * ("crl: serial S of ISSUER revoked at T"); 0, or 1 with the error shown.
 */
static int
load_crl(struct eb_trust *trust, const char *path)
{
	struct eb_error err;
	struct eb_revocations *r;
	char serial[80], issuer[256], iso[32];

	eb_error_clear(&err);
	if ((r = eb_revocations_load(path, eb_trust_store(trust), &err)) ==
	    NULL) {
		print_error(&err);
		return 1;
	}
	for (size_t i = 0; i < eb_revocations_count(r); i++) {
		int64_t ms;
		time_t secs;
		struct tm tm;

		eb_revocations_get(r, i, serial, sizeof(serial), issuer,
		    sizeof(issuer), &ms);
		secs = (time_t)(ms / 1000);
		gmtime_r(&secs, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "crl: serial %s of %s revoked at %s\n", serial,
		    issuer, iso);
	}
	fprintf(stderr, "crl: %zu revocation(s) in %zu CRL(s) of %s\n",
	    eb_revocations_count(r), eb_revocations_crls(r), path);
	eb_trust_set_revocations(trust, r);
	return 0;
}

/*
 * The trading subjects' logs the replay of a tender or a sale needs
 * (eb_audit_set_subjects, docs/registries.md): the --subject-log files,
 * else from --db; each verified in full before it is used.
 */
static struct subject_source {
	const struct opts *o;
	const struct eb_schema *schema;
	const struct eb_trust *trust;
	struct eb_audit_log *logs[MAX_PINS];
	size_t n;
	/* logs being verified (a finding's evidence in a tender that names
	 * the subject back): given as they are, their own verification
	 * decides */
	struct eb_audit_log *busy[MAX_PINS];
	size_t nbusy;
} subjects;

static const struct eb_audit_log *
subject_log(void *arg, const char *id, struct eb_error *err)
{
	struct subject_source *src = arg;
	const struct eb_schema *schema;
	struct eb_audit_log *l = NULL;
	struct eb_audit_result res;
	int i, rc;

	for (size_t k = 0; k < src->n; k++)
		if (strcmp(src->logs[k]->aggregate, id) == 0)
			return src->logs[k];
	for (size_t k = 0; k < src->nbusy; k++)
		if (strcmp(src->busy[k]->aggregate, id) == 0)
			return src->busy[k];
	if (src->n == MAX_PINS || src->nbusy == MAX_PINS)
		return NULL;
	if ((schema = src->schema) == NULL &&
	    (schema = eb_audit_schema_wait(schema_job, err)) == NULL)
		return NULL;       /* the schema did not compile */
	rc = EB_ERR_NOTFOUND;
	for (i = 0; i < src->o->nsubject_logs && rc != EB_OK; i++) {
		eb_audit_log_free(l);
		l = NULL;
		if ((rc = load_export(src->o->subject_logs[i], schema, &l,
		    err)) != EB_OK)
			return NULL;
		if (strcmp(l->aggregate, id) != 0)
			rc = EB_ERR_NOTFOUND;
	}
	if (rc != EB_OK && src->o->db != NULL) {
		eb_audit_log_free(l);
		l = NULL;
		if ((rc = eb_audit_db_load(src->o->db, id, &l, err)) != EB_OK)
			return NULL;
	}
	if (rc != EB_OK) {
		eb_audit_log_free(l);
		eb_error_clear(err);
		return NULL;
	}
	src->busy[src->nbusy++] = l;
	rc = eb_audit_verify(l, src->trust, schema, &res, err);
	src->nbusy--;
	if (rc != EB_OK) {
		eb_error_detail(err, "in the log of %s %s",
		    strcmp(l->kind, "subject") == 0 ? "trading subject" :
		    l->kind, id);
		eb_audit_log_free(l);
		return NULL;
	}
	src->logs[src->n++] = l;
	return l;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "xsd", required_argument, NULL, 'x' },
		{ "out", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		{ "tender", required_argument, NULL, 't' },
		{ "sale", required_argument, NULL, 's' },
		{ "pool", required_argument, NULL, 'P' },
		{ "subject", required_argument, NULL, 'J' },
		{ "monitor", required_argument, NULL, 'M' },
		{ "subject-log", required_argument, NULL, 'L' },
		{ "kind", required_argument, NULL, 'k' },
		{ "all", no_argument, NULL, 'a' },
		{ "url", required_argument, NULL, 'u' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "server-cert", required_argument, NULL, 'Z' },
		{ "head", required_argument, NULL, 'H' },
		{ "ocds", no_argument, NULL, 'O' },
		{ "ocid-prefix", required_argument, NULL, 'Q' },
		{ "publisher", required_argument, NULL, 'B' },
		{ "unverified", no_argument, NULL, 'V' },
		{ "crl", required_argument, NULL, 'R' },
		{ "envelopes", required_argument, NULL, 'E' },
		{ "fetch-envelopes", no_argument, NULL, 'F' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ocds;
	struct opts o;
	struct eb_schema *schema = NULL;
	struct eb_trust *trust = NULL;
	struct eb_error err;
	const char *verb, *file = NULL;
	int ch, rc = 2;

	memset(&o, 0, sizeof(o));
	eb_error_clear(&err);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	verb = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.ca = optarg; break;
		case 'x': o.xsd = optarg; break;
		case 'o': o.out = optarg; break;
		case 'd': o.db = optarg; break;
		case 't': o.tender = optarg; break;
		case 's': o.sale = optarg; break;
		case 'P': o.pool = optarg; break;
		case 'J': o.pool = o.subject = optarg; break;
		case 'M': o.pool = o.monitor = optarg; break;
		case 'L':
			if (o.nsubject_logs == MAX_PINS) {
				fprintf(stderr, "ebid-audit: at most %d "
				    "--subject-log\n", MAX_PINS);
				return 2;
			}
			o.subject_logs[o.nsubject_logs++] = optarg;
			break;
		case 'k': o.kind = optarg; break;
		case 'a': o.all = 1; break;
		case 'V': o.unverified = 1; break;
		case 'u': o.url = optarg; break;
		case 'C': o.cert = optarg; break;
		case 'K': o.key = optarg; break;
		case 'S': o.since = optarg; break;
		case 'U': o.until = optarg; break;
		case 'Z':
			if (o.nserver_certs == MAX_PINS) {
				fprintf(stderr, "ebid-audit: at most %d "
				    "--server-cert\n", MAX_PINS);
				return 2;
			}
			o.server_certs[o.nserver_certs++] = optarg;
			break;
		case 'H':
			if (o.nheads == MAX_PINS) {
				fprintf(stderr, "ebid-audit: at most %d --head\n",
				    MAX_PINS);
				return 2;
			}
			o.heads[o.nheads++] = optarg;
			break;
		case 'O': o.ocds = 1; break;
		case 'Q': o.ocid_prefix = optarg; break;
		case 'B': o.publisher = optarg; break;
		case 'R': o.crl = optarg; break;
		case 'E': o.envelopes = optarg; break;
		case 'F': o.fetch_envelopes = 1; break;
		case 'j': {
			char *end = NULL;
			long n = strtol(optarg, &end, 10);

			if (end == optarg || *end != '\0' || n < 1 || n > 64) {
				fprintf(stderr, "ebid-audit: --jobs takes a "
				    "number from 1 to 64\n");
				return 2;
			}
			eb_audit_set_jobs((int)n);
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	ocds = strcmp(verb, "export") == 0 && o.ocds;
	if (optind < argc && !ocds)   /* export --ocds takes FILE... */
		file = argv[optind++];
	/* usage errors (exit 2) are all found before anything is read */
	if (strcmp(verb, "export") != 0 && strcmp(verb, "verify") != 0 &&
	    strcmp(verb, "replay") != 0) {
		fprintf(stderr, "ebid-audit: unknown command '%s'\n", verb);
		usage(stderr);
		return 2;
	}
	o.ca = strcmp(verb, "export") == 0 ? o.ca : envor(o.ca, "EBID_CA");
	if ((optind < argc && !ocds) || (ocds && optind == argc) ||
	    (strcmp(verb, "export") != 0 && (o.ca == NULL ||
	    (file == NULL) == (o.db == NULL) ||
	    (o.db != NULL && o.tender == NULL && o.sale == NULL &&
	    o.pool == NULL))) ||
	    (o.unverified && (strcmp(verb, "replay") != 0 || o.db != NULL))) {
		usage(stderr);
		return 2;
	}
	if (o.xsd == NULL)
		o.xsd = getenv("EBID_XSD") ? getenv("EBID_XSD") : EB_XSD_DEFAULT;

	/* from here on, anything that stops the check is a failure (1) */
	rc = 1;
	eb_xml_init();
	/* tens of thousands of small documents per thread (xml.h) */
	eb_xml_reuse_contexts(1);
	if (o.db != NULL && strcmp(verb, "export") != 0) {
		stream = eb_audit_db_stream_start(o.db, o.tender ? o.tender :
		    o.sale ? o.sale : o.pool);
		/* compiled beside the checks (schema_failed, schema_now) */
		schema_job = eb_audit_schema_start(o.xsd);
		eb_audit_set_schema_job(schema_job);
	} else if ((schema = eb_schema_load(o.xsd, &err)) == NULL) {
		print_error(&err);
		goto out;
	}
	if (strcmp(verb, "export") == 0 && o.ocds) {
		rc = cmd_export_ocds(&o, argv + optind, argc - optind, schema);
		goto out;
	}
	if (strcmp(verb, "export") == 0) {
		rc = cmd_export(&o, schema);
		goto out;
	}
	if ((trust = eb_trust_load(o.ca, &err)) == NULL) {
		if (!schema_failed())
			print_error(&err);
		goto out;
	}
	if (o.crl != NULL && (schema_failed() || load_crl(trust, o.crl) != 0)) {
		rc = 1;
		goto out;
	}
	subjects.o = &o;
	subjects.schema = schema;
	subjects.trust = trust;
	eb_audit_set_subjects(subject_log, &subjects);
	if (strcmp(verb, "verify") == 0)
		rc = cmd_verify(&o, file, schema, trust);
	else
		rc = cmd_replay(&o, file, schema, trust);
out:
	eb_audit_db_stream_free(stream);  /* stopped before the log was used */
	if (!EB_SANITIZED) {
		/* the process ends: left to the kernel (see left_at_exit) */
		fflush(stdout);
		left_at_exit.trust = trust;
		left_at_exit.schema = schema;
		/* the compile has ended (waited for before any output) */
		(void)eb_audit_schema_wait(schema_job, NULL);
		return rc;
	}
	eb_audit_schema_free(schema_job);
	eb_audit_log_free(left_at_exit.log);
	for (size_t i = 0; i < subjects.n; i++)
		eb_audit_log_free(subjects.logs[i]);
	eb_trust_free(trust);
	eb_schema_free(schema);
	eb_xml_release_contexts();
	return rc;
}
