/*
 * tools/ebid-load.c
 *    ebid-load: the load generator of the benchmarks (tests/bench/run).
 *    Many concurrent mutual-TLS clients from ONE process on one libevent
 *    loop (evhttp client connections over bufferevent_openssl, keep-alive,
 *    TCP_NODELAY on every socket), each connection presenting its own
 *    party certificate from var/certs, driving ebidd over loopback with
 *    real CMS-signed commands.
 *
 *    ebid-load SCENARIO [options]
 *      hot-auction     set up one sale through real commands, then M
 *                      bidders race on the raise rule (see below): first
 *                      on listing quotes, then (driven clock moved to the
 *                      listing end, ebidd's timers close the listing and
 *                      start the auction) on auction bids
 *      deadline-surge  a tender in bidding through real commands, one
 *                      100 KiB bid sealed per bidder to the opening
 *                      certificate, distinct signed submit-bid commands
 *                      posted as fast as possible (durable, receipts);
 *                      exit 3 when the tender gets no opening key
 *      raw-100k        100 KiB signed commands that ebidd verifies (TLS,
 *                      CMS, XML + XSD) and then refuses (no flow handles
 *                      the root): the intake cost without the append
 *      keepalive       GET --path (default /v1/whoami) on keep-alive
 *                      connections; also runs against the bare libevent
 *                      server tests/bench/https_baseline.c; with an
 *                      http:// --url, the public board (no TLS)
 *      idle            open --conns idle TLS connections, hold them, and
 *                      read ebidd's VmRSS/VmHWM (--pid); the connections
 *                      cycle through 14 party certificates, or with
 *                      --distinct each presents its own (issued in memory);
 *                      it counts the distinct parties ebidd names in the
 *                      whoami replies (parties=N in the result line)
 *      mixed           a day's mix on one sale in its listing: whoami,
 *                      health, quotes, sale views
 *
 * Ownership: everything lives in one struct load; connections, parties
 * and pre-signed bodies are freed at exit.  Bounded: every timed phase
 * stops after --duration seconds or --max requests, in-flight requests
 * get at most 10 s to finish, and the process exits by itself.
 *
 * The race (hot-auction, the quotes of mixed).  Amounts are
 * start + increment * n.  Bidder b of M owns the numbers n = b (mod M):
 * it always bids the smallest of its numbers above the highest accepted n
 * it knows of (= current + increment * k, k in 1..M), so the amounts of
 * different bidders never collide and every body can be signed BEFORE the
 * timed phase (--presign bodies per bidder; beyond that the tool signs on
 * the fly and says how many).  The known leader does not bid (its
 * connections park until someone outbids it).  Refusals "below-minimum"
 * and "already-highest" (a stale view of the race) are counted apart from
 * errors.  The listing phase and the auction phase are reported
 * separately ("phase=listing", "phase=auction"); when ebidd does not get
 * to the auction (no timers, no driven clock) the tool says why and
 * reports the listing phase only.  --pid makes every scenario report the
 * server's CPU time per request (/proc/PID/stat).
 *
 * Output: a human summary, then one line "result: key=value ..." that
 * tests/bench/run parses.
 *
 * Floating point is used for reporting only (this is a tool, not
 * engine/core).
 *
 * INTERFACE: main() (a command-line program; no library interface)
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "protocol/buf.h"
#include "protocol/cms.h"
#include "protocol/err.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "tools/client.h"
#include "protocol/mem.h"

#define MAX_PARTIES 64
#define MAX_ROWS 64
#define MAX_KINDS 4
#define DRAIN_S 10

enum scenario { SC_HOT, SC_SURGE, SC_RAW, SC_KEEPALIVE, SC_IDLE, SC_MIXED };
enum kind { K_CMD = 0, K_WHOAMI, K_HEALTH, K_VIEW };
static const char *const kind_names[MAX_KINDS] = {
	"command", "whoami", "health", "view"
};

struct party {
	char name[32];
	X509 *cert;
	EVP_PKEY *key;
	SSL_CTX *ctx;
	struct eb_client *cli;        /* blocking client for the set-up */
	/* race state (bidders only) */
	int64_t last_n;               /* last number this bidder sent */
	uint8_t **pre;                /* pre-signed bodies, index n / M */
	size_t *pre_len;
	size_t npre;
	uint8_t **req;                /* lean race: the whole HTTP request */
	size_t *req_len;              /* of n / M, instead of pre */
	uint8_t *raw;                 /* raw-100k body */
	size_t raw_len;
};

struct lconn;

struct lat {
	uint32_t *v;                  /* microseconds */
	size_t n, cap;
};

struct row {
	int kind, status;
	char reason[48];
	uint64_t n;
};

struct load {
	enum scenario sc;
	const char *scname;
	struct event_base *base;
	char host[128];
	int plain;             /* http:// (the public board): no TLS */
	int port;
	char url[192];
	char certs[512];
	char ca[600];
	/* options */
	int conns, bidders, per_bidder;
	int duration_s, max_req, hold_s, inflight_open;
	size_t size;
	const char *path, *template_file, *sale, *tender_file;
	long pid;
	int presign;
	/* parties */
	struct party parties[MAX_PARTIES];
	int nparties;
	struct party *bidder[MAX_PARTIES];
	int nbidders;
	/* connections */
	struct lconn *c;
	int nc;
	struct lconn *parked;
	/* phase */
	int64_t t_start, t_stop;
	long long cpu0, cpu1;         /* server's utime+stime, clock ticks */
	long long self0, self1;       /* this tool's, the same way */
	int64_t selfns0, selfns1;     /* this tool's CPU, ns (precise) */
	long long wait0, wait1;       /* server threads' run-queue wait, ns */
	char cpu_kv[400];
	int running, stopping, inflight;
	uint64_t sent, done, transport_err, onthefly;
	struct event *stop_ev, *drain_ev;
	struct lat lat[MAX_KINDS], lat_ok;
	struct row rows[MAX_ROWS];
	int nrows;
	/* the sale */
	char sale_id[64];
	int64_t start_price, increment;
	int64_t listing_end;          /* ms, the server's clock */
	int driven;                   /* the server runs a driven clock */
	const char *race_cmd;         /* "quote" or "auction-bid" */
	int64_t i0;                   /* pre-signed index base (n / M) */
	const char *want_phase;       /* --phase listing|auction|both */
	int64_t high_n;               /* highest accepted n, -1: none */
	int leader;                   /* bidder index of high_n, -1 */
	uint64_t accepted, below_min, already_high, refused_other;
	const char *phase;
	int lean;                     /* --lean: the race without evhttp */
	int split;                    /* lean: headers and body, 2 records */
	int mimic;                    /* lean: evhttp's system calls */
	struct event *reply_ev;       /* mimic: the pass's answers, after */
	struct lconn *pend, **pend_tail;  /* its I/O */
	struct sockaddr_storage sa;   /* the server (lean connections) */
	socklen_t salen;
	/* idle */
	int opened, open_failed, next_open;
	int distinct;                 /* --distinct: one certificate each */
	X509 **dcert;                 /* idle --distinct: per connection */
	EVP_PKEY **dkey;
	char **seen;                  /* idle: the parties whoami named, */
	size_t seen_cap, nseen;       /* a set (open addressing) */
	uint64_t seen_bad;            /* a 200 whoami without a party */
	/* mixed: sale view path */
	char view_path[96];
	int view_ok;
};

struct lconn {
	struct load *L;
	struct party *p;
	int bidder;                   /* index into L->bidder, or -1 */
	int idx;
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	evutil_socket_t fd_seen;
	int64_t t0;
	int busy, kind, in_phase, alive;
	int64_t n;                    /* race: number in flight */
	struct lconn *next_parked;
	int parked;
	/* the lean race connection (L->lean): no bufferevent, no evhttp */
	int fd;
	SSL *ssl;
	struct event *rev, *wev;      /* read: armed for life; write: on need */
	const uint8_t *w_buf;         /* the request being written */
	size_t w_len, w_off, w_split; /* split: 2nd record starts there */
	uint8_t *own;                 /* a request signed on the fly */
	size_t own_cap;
	uint8_t *rb;                  /* reply bytes read, not yet consumed */
	size_t rlen, rcap, hdr_len, clen;
	int status, close_after;
	struct lconn *next_pend;      /* mimic: an answer read, to count */
	int pending;
};

/* This process's CPU time (user + system), ns. */
static int64_t
self_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *fmt, const char *a)
{
	fprintf(stderr, "ebid-load: ");
	fprintf(stderr, "%s", fmt);
	if (a != NULL)
		fprintf(stderr, ": %s", a);
	fputc('\n', stderr);
	exit(1);
}

static void
die_e(const char *what, const struct eb_error *e)
{
	fprintf(stderr, "ebid-load: %s: %s (%s)%s%s\n", what, e->primary,
	    e->reason, e->detail[0] ? ": " : "", e->detail);
	exit(1);
}

/* ---------------------------------------------------------- statistics */

static void
lat_add(struct lat *l, uint32_t us)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;

		l->v = eb_realloc(l->v, cap * sizeof(*l->v));
		l->cap = cap;
	}
	l->v[l->n++] = us;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, in ms. */
static double
pct_ms(const struct lat *l, double p)
{
	size_t i;

	if (l->n == 0)
		return 0.0;
	i = (size_t)(p / 100.0 * (double)l->n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > l->n)
		i = l->n;
	return l->v[i - 1] / 1000.0;
}

static void
count_row(struct load *L, int kind, int status, const char *reason)
{
	for (int i = 0; i < L->nrows; i++) {
		struct row *r = &L->rows[i];

		if (r->kind == kind && r->status == status &&
		    strcmp(r->reason, reason) == 0) {
			r->n++;
			return;
		}
	}
	if (L->nrows < MAX_ROWS) {
		struct row *r = &L->rows[L->nrows++];

		r->kind = kind;
		r->status = status;
		snprintf(r->reason, sizeof(r->reason), "%s", reason);
		r->n = 1;
	}
}

/* The reason="..." attribute of an XML error document, or "-". */
static void
body_reason(struct evbuffer *in, char *out, size_t cap)
{
	size_t n = evbuffer_get_length(in);
	char buf[2048];
	const char *p, *q;

	snprintf(out, cap, "-");
	if (n == 0)
		return;
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	evbuffer_copyout(in, buf, n);
	buf[n] = '\0';
	if ((p = strstr(buf, "reason=\"")) == NULL)
		return;
	p += 8;
	if ((q = strchr(p, '"')) == NULL)
		return;
	snprintf(out, cap, "%.*s", (int)(q - p), p);
}

/*
 * idle: the party="..." of a whoami reply into the set of parties seen,
 * so that the result says how many distinct parties ebidd saw (with
 * --distinct, one per connection: each its own certificate).
 */
static void
idle_seen(struct load *L, struct evbuffer *in)
{
	char buf[3072], party[256];
	size_t n = evbuffer_get_length(in), i;
	uint32_t h = 2166136261u;
	const char *p, *q;

	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	evbuffer_copyout(in, buf, n);
	buf[n] = '\0';
	if ((p = strstr(buf, " party=\"")) == NULL ||
	    (q = strchr(p + 8, '"')) == NULL || q == p + 8 ||
	    (size_t)(q - (p + 8)) >= sizeof(party)) {
		L->seen_bad++;
		return;
	}
	snprintf(party, sizeof(party), "%.*s", (int)(q - (p + 8)), p + 8);
	if (L->seen_cap == 0) {
		L->seen_cap = 64;
		while (L->seen_cap < 2 * (size_t)L->conns)
			L->seen_cap *= 2;
		L->seen = eb_calloc(L->seen_cap, sizeof(*L->seen));
	}
	for (p = party; *p != '\0'; p++)   /* FNV-1a */
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (i = h & (L->seen_cap - 1); L->seen[i] != NULL;
	    i = (i + 1) & (L->seen_cap - 1))
		if (strcmp(L->seen[i], party) == 0)
			return;
	if (L->nseen + 1 >= L->seen_cap)   /* more answers than --conns */
		return;
	L->seen[i] = eb_malloc(strlen(party) + 1);
	memcpy(L->seen[i], party, strlen(party) + 1);
	L->nseen++;
}

/* ------------------------------------------------------------- parties */

static int
party_load(struct load *L, const char *name)
{
	struct party *p;
	char certf[700], keyf[700];
	struct eb_error e;
	FILE *f;

	if (L->nparties >= MAX_PARTIES)
		return -1;
	for (int i = 0; i < L->nparties; i++)
		if (strcmp(L->parties[i].name, name) == 0)
			return i;
	p = &L->parties[L->nparties];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(certf, sizeof(certf), "%s/%s.crt", L->certs, name);
	snprintf(keyf, sizeof(keyf), "%s/%s.key", L->certs, name);
	if ((f = fopen(certf, "r")) == NULL)
		return -1;
	p->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if ((f = fopen(keyf, "r")) == NULL)
		return -1;
	p->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (p->cert == NULL || p->key == NULL)
		die("cannot read the certificate or key of", name);
	/* the same context as the tools' (client.h): no trust anchor sent */
	if ((p->ctx = eb_client_tls_ctx(L->ca, certf, keyf, &e)) == NULL)
		die("cannot set up TLS with the certificate of", name);
	return L->nparties++;
}

static struct eb_client *
party_client(struct load *L, struct party *p)
{
	char certf[700], keyf[700];
	struct eb_error e;

	if (p->cli != NULL)
		return p->cli;
	snprintf(certf, sizeof(certf), "%s/%s.crt", L->certs, p->name);
	snprintf(keyf, sizeof(keyf), "%s/%s.key", L->certs, p->name);
	if ((p->cli = eb_client_open(L->url, L->ca, certf, keyf, &e)) == NULL)
		die_e("cannot open a client", &e);
	return p->cli;
}

static void
sign_or_die(struct party *p, const char *xml, size_t n, uint8_t **der,
    size_t *len)
{
	struct eb_error e;

	if (eb_cms_sign(p->cert, p->key, (const uint8_t *)xml, n, der, len,
	    &e) != EB_OK)
		die_e("cannot sign", &e);
}

/* ------------------------------------------- set-up (blocking client) */

/*
 * Sign 'xml' as party 'p' and POST it; returns the HTTP status, the
 * reply in 'reply' (NUL-terminated).  Dies on a transport failure.
 */
static int
setup_cmd(struct load *L, struct party *p, const char *xml,
    struct eb_buf *reply)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int status = 0;
	struct eb_error e;

	sign_or_die(p, xml, strlen(xml), &der, &len);
	eb_buf_reset(reply);
	if (eb_client_post(party_client(L, p), "/v1/commands",
	    "application/cms", der, len, reply, &status, &e) != EB_OK)
		die_e("set-up request failed", &e);
	free(der);
	(void)eb_buf_str(reply);
	return status;
}

static void
setup_ok(struct load *L, struct party *p, const char *xml,
    struct eb_buf *reply)
{
	int status = setup_cmd(L, p, xml, reply);

	if (status != 200) {
		fprintf(stderr, "ebid-load: set-up command refused (HTTP %d) "
		    "as %s:\n  %s\n  reply: %s\n", status, p->name, xml,
		    eb_buf_str(reply));
		exit(1);
	}
}

static int
attr_of(const char *doc, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p, *q;

	snprintf(key, sizeof(key), " %s=\"", name);
	if ((p = strstr(doc, key)) == NULL)
		return -1;
	p += strlen(key);
	if ((q = strchr(p, '"')) == NULL)
		return -1;
	snprintf(out, cap, "%.*s", (int)(q - p), p);
	return 0;
}

/* The server's clock: returns its instant, *driven = 1 for a test clock. */
static int64_t
server_clock(struct load *L, struct party *p, int *driven)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error e;
	char mode[32], t[64];
	int status = 0;
	int64_t ms = 0;

	if (eb_client_get(party_client(L, p), "/v1/health", &b, &status,
	    &e) != EB_OK)
		die_e("GET /v1/health failed", &e);
	if (status != 200 || attr_of(eb_buf_str(&b), "clock", mode,
	    sizeof(mode)) != 0 || attr_of(eb_buf_str(&b), "time", t,
	    sizeof(t)) != 0 || eb_isotime_parse(t, &ms) != 0)
		die("unexpected health reply", eb_buf_str(&b));
	*driven = strcmp(mode, "driven") == 0;
	eb_buf_free(&b);
	return ms;
}

static void
set_clock(struct load *L, struct party *p, int64_t ms)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error e;
	char iso[EB_ISOTIME_LEN];
	int status = 0;

	eb_isotime_format(ms, iso);
	if (eb_client_post(party_client(L, p), "/v1/test/clock",
	    "text/plain", (const uint8_t *)iso, strlen(iso), &b, &status,
	    &e) != EB_OK)
		die_e("POST /v1/test/clock failed", &e);
	if (status != 200)
		die("the test clock refused", eb_buf_str(&b));
	eb_buf_free(&b);
}

/*
 * One sale from register-sale to its listing, every step a real signed
 * command: register (transferor), accept (registrar), commit + countersign
 * the reserve, publish, every bidder applies and gets its deposit
 * confirmed, then the listing starts (driven clock moved, or waited for).
 */
static void
setup_sale(struct load *L)
{
	struct party *reg = &L->parties[party_load(L, "registrar")];
	struct party *sup = &L->parties[party_load(L, "supervisor")];
	struct party *tr = &L->parties[party_load(L, "transferor")];
	struct eb_buf reply = EB_BUF_INIT;
	char xml[1024], s0[EB_ISOTIME_LEN], s1[EB_ISOTIME_LEN];
	char text[256], hex[EB_SHA256_HEX];
	int driven = 0;
	int64_t now, start, t0 = mono_us();

	reply.max = (size_t)64 << 20;
	L->start_price = 100000000;     /* 1,000,000.00 yuan */
	L->increment = 10000;           /* 100.00 yuan */
	now = server_clock(L, reg, &driven);
	start = now + (driven ? 60000 : 3000 + 200 * L->nbidders);
	L->driven = driven;
	L->listing_end = start + 30LL * 86400000;
	eb_isotime_format(start, s0);
	eb_isotime_format(start + 30LL * 86400000, s1);
	snprintf(xml, sizeof(xml), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "\n<register-sale xmlns=\"urn:ebid:1\" starting-price=\"%lld\" "
	    "increment=\"%lld\" deposit=\"1000000\" listing-start=\"%s\" "
	    "listing-end=\"%s\" countdown-seconds=\"300\" "
	    "declare-seconds=\"60\"><asset>ebid-load benchmark lot</asset>"
	    "</register-sale>\n", (long long)L->start_price,
	    (long long)L->increment, s0, s1);
	setup_ok(L, tr, xml, &reply);
	if (attr_of(eb_buf_str(&reply), "aggregate", L->sale_id,
	    sizeof(L->sale_id)) != 0)
		die("no aggregate in the reply to register-sale",
		    eb_buf_str(&reply));
#define CMD(P, ...) do { snprintf(xml, sizeof(xml), __VA_ARGS__); \
	setup_ok(L, (P), xml, &reply); } while (0)
	CMD(reg, "<accept-sale xmlns=\"urn:ebid:1\" sale=\"%s\"/>",
	    L->sale_id);
	snprintf(text, sizeof(text), "reserve:%s:%lld:"
	    "00112233445566778899aabbccddeeff", L->sale_id,
	    (long long)L->start_price * 2);
	eb_sha256_hex(text, strlen(text), hex);
	CMD(tr, "<commit-reserve xmlns=\"urn:ebid:1\" sale=\"%s\" "
	    "commitment=\"%s\"/>", L->sale_id, hex);
	CMD(sup, "<countersign-reserve xmlns=\"urn:ebid:1\" sale=\"%s\" "
	    "commitment=\"%s\"/>", L->sale_id, hex);
	CMD(sup, "<publish-listing xmlns=\"urn:ebid:1\" sale=\"%s\"/>",
	    L->sale_id);
	for (int b = 0; b < L->nbidders; b++) {
		CMD(L->bidder[b], "<apply-for-sale xmlns=\"urn:ebid:1\" "
		    "sale=\"%s\"/>", L->sale_id);
		CMD(reg, "<confirm-sale-deposit xmlns=\"urn:ebid:1\" "
		    "sale=\"%s\" bidder=\"%s\" amount=\"1000000\"/>",
		    L->sale_id, L->bidder[b]->name);
	}
#undef CMD
	if (driven) {
		set_clock(L, reg, start);
	} else {
		int64_t left = start - server_clock(L, reg, &driven);

		if (left > 0)
			usleep((useconds_t)(left + 50) * 1000);
	}
	fprintf(stderr, "ebid-load: sale %s registered, %d bidders with "
	    "deposits, listing open (%s clock); set-up %d commands in %.2f s\n",
	    L->sale_id, L->nbidders, driven ? "driven" : "system",
	    6 + 2 * L->nbidders, (double)(mono_us() - t0) / 1e6);
	eb_buf_free(&reply);
	L->high_n = -1;
	L->leader = -1;
	L->phase = "listing";
	L->race_cmd = "quote";
	L->i0 = 0;
}

/* ------------------------------------------------------------- the race */

/*
 * The bytes evhttp writes for conn_send's POST: the request line, the
 * headers in the order conn_send adds them (Host, Content-Type) and the
 * Content-Length evhttp_make_request appends, then the body.  The lean
 * race connections write this buffer as it is.
 */
static uint8_t *
http_post(struct load *L, const char *path, const uint8_t *body, size_t n,
    size_t *outlen)
{
	char head[512];
	int h = snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Type: application/cms\r\nContent-Length: %zu\r\n\r\n",
	    path, L->host, n);
	uint8_t *out;

	if (h < 0 || (size_t)h >= sizeof(head))
		die("request headers too long", path);
	out = eb_malloc((size_t)h + n);
	memcpy(out, head, (size_t)h);
	memcpy(out + h, body, n);
	*outlen = (size_t)h + n;
	return out;
}

static void
race_body(struct load *L, int b, int64_t n, uint8_t **der, size_t *len,
    int *owned)
{
	struct party *p = L->bidder[b];
	size_t i = (size_t)(n / L->nbidders - L->i0);
	char xml[256];

	if (n / L->nbidders >= L->i0 && i < p->npre) {
		*der = p->pre[i];
		*len = p->pre_len[i];
		*owned = 0;
		return;
	}
	snprintf(xml, sizeof(xml), "<%s xmlns=\"urn:ebid:1\" sale=\"%s\" "
	    "amount=\"%lld\"/>", L->race_cmd, L->sale_id,
	    (long long)(L->start_price + L->increment * n));
	sign_or_die(p, xml, strlen(xml), der, len);
	*owned = 1;
	L->onthefly++;
}

static void
presign(struct load *L)
{
	int64_t t0 = mono_us();
	size_t total = 0;

	for (int b = 0; b < L->nbidders; b++) {
		struct party *p = L->bidder[b];
		size_t cnt = (size_t)L->presign;

		for (size_t i = 0; i < p->npre; i++) {
			free(p->pre[i]);
			if (p->req != NULL)
				free(p->req[i]);
		}
		free(p->pre);
		free(p->pre_len);
		free(p->req);
		free(p->req_len);
		p->req = NULL;
		p->req_len = NULL;
		p->npre = 0;
		p->pre = eb_calloc(cnt, sizeof(*p->pre));
		p->pre_len = eb_calloc(cnt, sizeof(*p->pre_len));
		if (L->lean) {
			p->req = eb_calloc(cnt, sizeof(*p->req));
			p->req_len = eb_calloc(cnt, sizeof(*p->req_len));
		}
		for (size_t i = 0; i < cnt; i++) {
			int64_t n = (L->i0 + (int64_t)i) * L->nbidders + b;
			char xml[256];

			snprintf(xml, sizeof(xml), "<%s xmlns=\"urn:ebid:1\" "
			    "sale=\"%s\" amount=\"%lld\"/>", L->race_cmd,
			    L->sale_id,
			    (long long)(L->start_price + L->increment * n));
			sign_or_die(p, xml, strlen(xml), &p->pre[i],
			    &p->pre_len[i]);
			if (p->req != NULL && p->req_len != NULL) {
				/* lean: the whole request, once */
				p->req[i] = http_post(L, "/v1/commands",
				    p->pre[i], p->pre_len[i], &p->req_len[i]);
				free(p->pre[i]);
				p->pre[i] = NULL;
			}
		}
		p->npre = cnt;
		p->last_n = -1;
		total += cnt;
	}
	if (total > 0)
		fprintf(stderr, "ebid-load: pre-signed %zu %s bodies in "
		    "%.2f s (%.0f signatures/s in this process)\n", total,
		    L->race_cmd,
		    (double)(mono_us() - t0) / 1e6,
		    (double)total * 1e6 / (double)(mono_us() - t0 + 1));
}

/* ---------------------------------------------------- connections/HTTP */

static void on_reply(struct evhttp_request *req, void *arg);
static void lean_send(struct lconn *c, int kind, const uint8_t *req,
    size_t n);
static void finish_reply(struct lconn *c, int status, const char *reason,
    int64_t us);
static int64_t next_number(struct load *L, int b);
static void next_request(struct lconn *c);

static void
conn_open(struct lconn *c)
{
	struct load *L = c->L;
	SSL *ssl;

	if (L->plain) {   /* the public board: plain HTTP, no certificate */
		c->bev = bufferevent_socket_new(L->base, -1,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		if (c->bev == NULL)
			die("bufferevent_socket_new failed", NULL);
	} else {
		if ((ssl = SSL_new(c->p->ctx)) == NULL)
			die("SSL_new failed", NULL);
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), L->host);
		c->bev = bufferevent_openssl_socket_new(L->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		if (c->bev == NULL)
			die("bufferevent_openssl_socket_new failed", NULL);
		bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	}
	c->evcon = evhttp_connection_base_bufferevent_new(L->base, NULL,
	    c->bev, L->host, (unsigned short)L->port);
	if (c->evcon == NULL)
		die("evhttp_connection_base_bufferevent_new failed", NULL);
	evhttp_connection_set_retries(c->evcon, 0);
	evhttp_connection_set_timeout(c->evcon, 60);
	c->fd_seen = -1;
}

/* Send one request; 'body' is borrowed until the reply when 'owned' is 0. */
static void
conn_send(struct lconn *c, int kind, enum evhttp_cmd_type m,
    const char *path, const uint8_t *body, size_t n, int owned)
{
	struct load *L = c->L;
	struct evhttp_request *req = evhttp_request_new(on_reply, c);
	struct evkeyvalq *h;
	evutil_socket_t fd;
	int one = 1;

	if (req == NULL)
		die("evhttp_request_new failed", NULL);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", L->host);
	if (body != NULL) {
		evhttp_add_header(h, "Content-Type", "application/cms");
		if (owned)
			evbuffer_add(evhttp_request_get_output_buffer(req), body,
			    n);
		else
			evbuffer_add_reference(
			    evhttp_request_get_output_buffer(req), body, n,
			    NULL, NULL);
	}
	c->kind = kind;
	c->busy = 1;
	c->in_phase = L->running && !L->stopping;
	c->t0 = mono_us();
	L->inflight++;
	L->sent++;
	if (evhttp_make_request(c->evcon, req, m, path) != 0)
		die("evhttp_make_request failed", NULL);
	/* engineering-notes, TLS: the socket exists now (no DNS base); Nagle off. */
	fd = bufferevent_getfd(c->bev);
	if (fd >= 0 && fd != c->fd_seen) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd_seen = fd;
	}
}

/* ------------------------------------------- the lean race connection */

/*
 * hot-auction's race with --lean: each connection is one TLS
 * session over a non-blocking socket of its own, without bufferevent or
 * evhttp.  A request is the buffer http_post() built before the phase
 * (the same bytes evhttp sends) written by ONE SSL_write: one TLS record,
 * one write(2).  evhttp writes the headers and the body as two records
 * (bufferevent_openssl calls SSL_write once per evbuffer chain), and
 * re-arms the socket's write event (epoll_ctl) around every request;
 * here the read event stays armed for the connection's life and the
 * write event is armed only when a write would block.  The reply is
 * read with SSL_read (read-ahead on) into the connection's buffer and
 * framed by its Content-Length; only the status and, for a refusal, the
 * reason="..." of the error document are looked at.  --split writes
 * the headers and the body as two records, as evhttp does (to measure
 * what the one record saves the server).  Not the default: it halves the
 * tool's CPU per request, but the race then sends about 3.0 requests per
 * accepted bid instead of 2.3 (more bids at stale prices), and ebidd
 * spends on them more than the tool saved (docs/performance.md, issue
 * 17, ninth pass).  The race's requests per accepted bid move with the
 * client's system calls (tenth pass: evhttp with libevent's epoll
 * changelist, the same calls but 2 epoll_ctl per request instead of 6,
 * sends 3.9 instead of 2.2), so --mimic makes evhttp's calls without
 * evhttp: per request the read interest dropped and re-added and the
 * write event added (DEL, ADD, DEL, ADD, MOD), the write when epoll says
 * writable (then MOD), headers and body as two records, the reply read
 * without read-ahead (a record's header, then its body), and the
 * answers of one loop pass counted, and the next requests chosen, after
 * its I/O (evhttp's deferred callbacks).
 */
static void lean_cb(evutil_socket_t fd, short what, void *arg);

static void
lean_close(struct lconn *c)
{
	if (c->rev != NULL)
		event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	c->rev = c->wev = NULL;
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rlen = c->hdr_len = c->clen = 0;
	c->w_buf = NULL;
	c->w_len = c->w_off = 0;
	ERR_clear_error();
}

/* A TLS connection being opened: the first SSL_write does the handshake. */
static int
lean_open(struct lconn *c)
{
	struct load *L = c->L;
	int one = 1;

	c->fd = socket(L->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&L->sa, L->salen) != 0 &&
	    errno != EINPROGRESS)
		return -1;
	if ((c->ssl = SSL_new(c->p->ctx)) == NULL)
		die("SSL_new failed", NULL);
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), L->host);
	/* mimic: a record header, then its body, as bufferevent_openssl */
	SSL_set_read_ahead(c->ssl, L->mimic ? 0 : 1);
	if (SSL_set_fd(c->ssl, c->fd) != 1)
		die("SSL_set_fd failed", NULL);
	SSL_set_connect_state(c->ssl);
	c->rev = event_new(L->base, c->fd, EV_READ | EV_PERSIST, lean_cb, c);
	c->wev = event_new(L->base, c->fd, EV_WRITE, lean_cb, c);
	if (c->rev == NULL || c->wev == NULL || event_add(c->rev, NULL) != 0)
		die("event_new failed", NULL);
	if (c->rb == NULL) {
		c->rcap = 16384;
		c->rb = eb_malloc(c->rcap);
	}
	return 0;
}

/* The failure of the request in flight (or of an idle connection). */
static void
lean_fail(struct lconn *c, const char *why)
{
	unsigned long e, last = 0;
	char reason[48];

	while ((e = ERR_get_error()) != 0)
		last = e;
	snprintf(reason, sizeof(reason), "%s", last != 0 &&
	    ERR_reason_error_string(last) != NULL ?
	    ERR_reason_error_string(last) : why);
	lean_close(c);
	if (c->busy)
		finish_reply(c, 0, reason, mono_us() - c->t0);
}

/* Write what is left of the request: 0 done or waiting, -1 failed. */
static int
lean_flush(struct lconn *c)
{
	while (c->w_off < c->w_len) {
		size_t end = c->w_split > c->w_off ? c->w_split : c->w_len;
		int r = SSL_write(c->ssl, c->w_buf + c->w_off,
		    (int)(end - c->w_off));

		if (r > 0) {
			c->w_off += (size_t)r;
			continue;
		}
		switch (SSL_get_error(c->ssl, r)) {
		case SSL_ERROR_WANT_WRITE:
			event_add(c->wev, NULL);
			return 0;
		case SSL_ERROR_WANT_READ:   /* the read event is armed */
			return 0;
		default:
			return -1;
		}
	}
	c->w_buf = NULL;
	c->w_len = c->w_off = c->w_split = 0;
	return 0;
}

/* Send one request (borrowed until it is written) on a lean connection. */
static void
lean_send(struct lconn *c, int kind, const uint8_t *req, size_t n)
{
	struct load *L = c->L;

	c->kind = kind;
	c->busy = 1;
	c->in_phase = L->running && !L->stopping;
	c->t0 = mono_us();
	L->inflight++;
	L->sent++;
	if (c->ssl == NULL && lean_open(c) != 0) {
		lean_fail(c, "connection-failed");
		return;
	}
	c->w_buf = req;
	c->w_len = n;
	c->w_off = 0;
	c->w_split = 0;
	if (L->split || L->mimic) {
		const uint8_t *e = memmem(req, n < 512 ? n : 512, "\r\n\r\n", 4);

		if (e != NULL)
			c->w_split = (size_t)(e - req) + 4;
	}
	if (L->mimic) {
		/* evhttp's interest changes for a request, one epoll_ctl
		 * each (DEL, ADD, DEL, ADD, MOD); written when epoll says
		 * writable, in the next loop pass */
		event_del(c->rev);
		event_add(c->rev, NULL);
		event_del(c->rev);
		event_add(c->wev, NULL);
		event_add(c->rev, NULL);
		return;
	}
	if (lean_flush(c) != 0)
		lean_fail(c, "connection-failed");
}

static void lean_reply(struct lconn *c);

/* --mimic: the answers read in this loop pass, counted (and the next
 * requests chosen) after its I/O, as evhttp's deferred callbacks are */
static void
reply_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load *L = arg;
	struct lconn *c = L->pend, *nx;

	(void)fd;
	(void)what;
	L->pend = NULL;
	L->pend_tail = &L->pend;
	for (; c != NULL; c = nx) {
		nx = c->next_pend;
		c->next_pend = NULL;
		c->pending = 0;
		if (c->ssl != NULL && c->hdr_len > 0)
			lean_reply(c);
	}
}

/*
 * The reply at the start of c->rb: 1 when it is complete (c->status,
 * c->hdr_len, c->clen set), 0 when more bytes are needed, -1 when it
 * cannot be framed (no Content-Length, chunked, not HTTP).
 */
static int
lean_parse(struct lconn *c)
{
	if (c->hdr_len == 0) {
		const char *b = (const char *)c->rb, *e, *l;
		int have_len = 0;

		if ((e = memmem(b, c->rlen, "\r\n\r\n", 4)) == NULL)
			return c->rlen > 65536 ? -1 : 0;
		if (c->rlen < 12 || memcmp(b, "HTTP/1.", 7) != 0)
			return -1;
		c->status = atoi(b + 9);
		c->close_after = b[7] == '0';
		for (l = memchr(b, '\n', (size_t)(e - b)); l != NULL && l < e;
		    l = memchr(l + 1, '\n', (size_t)(e - l))) {
			const char *h = l + 1;

			if (strncasecmp(h, "Content-Length:", 15) == 0) {
				c->clen = strtoull(h + 15, NULL, 10);
				have_len = 1;
			} else if (strncasecmp(h, "Transfer-Encoding:", 18) ==
			    0) {
				return -1;
			} else if (strncasecmp(h, "Connection:", 11) == 0) {
				const char *v = h + 11;

				while (*v == ' ')
					v++;
				c->close_after = strncasecmp(v, "close", 5) ==
				    0;
			}
		}
		if (!have_len && c->status != 204 && c->status != 304)
			return -1;
		c->hdr_len = (size_t)(e - b) + 4;
	}
	return c->rlen >= c->hdr_len + c->clen;
}

/* The complete reply at the start of c->rb: count it, drop its bytes. */
static void
lean_reply(struct lconn *c)
{
	size_t total = c->hdr_len + c->clen;
	char reason[48];
	int status = c->status, close_after = c->close_after;

	snprintf(reason, sizeof(reason), "ok");
	if (status >= 300) {
		const char *body = (const char *)c->rb + c->hdr_len, *p, *q;
		size_t bn = c->clen < 2048 ? c->clen : 2048;

		snprintf(reason, sizeof(reason), "-");
		if ((p = memmem(body, bn, "reason=\"", 8)) != NULL &&
		    (q = memchr(p + 8, '"', (size_t)(body + bn - (p + 8)))) !=
		    NULL)
			snprintf(reason, sizeof(reason), "%.*s",
			    (int)(q - (p + 8)), p + 8);
	}
	memmove(c->rb, c->rb + total, c->rlen - total);
	c->rlen -= total;
	c->hdr_len = c->clen = 0;
	if (close_after)   /* the next request opens a new connection */
		lean_close(c);
	if (c->busy)
		finish_reply(c, status, reason, mono_us() - c->t0);
}

static void
lean_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lconn *c = arg;
	int r, pr;

	(void)fd;
	if (c->w_len > c->w_off && lean_flush(c) != 0) {
		lean_fail(c, "connection-failed");
		return;
	}
	/* mimic: the write event only writes; an answer queued waits */
	if (c->pending || (c->L->mimic && !(what & EV_READ)))
		return;
	while (c->ssl != NULL) {
		if (c->rlen == c->rcap) {
			c->rcap *= 2;
			if (c->rcap > ((size_t)64 << 20)) {
				lean_fail(c, "reply-too-large");
				return;
			}
			c->rb = eb_realloc(c->rb, c->rcap);
		}
		r = SSL_read(c->ssl, c->rb + c->rlen, (int)(c->rcap - c->rlen));
		if (r <= 0) {
			switch (SSL_get_error(c->ssl, r)) {
			case SSL_ERROR_WANT_READ:
				return;
			case SSL_ERROR_WANT_WRITE:
				event_add(c->wev, NULL);
				return;
			default:   /* closed by the server, or a failure */
				lean_fail(c, "connection-closed");
				return;
			}
		}
		c->rlen += (size_t)r;
		while (c->ssl != NULL && (pr = lean_parse(c)) != 0) {
			if (pr < 0) {
				lean_fail(c, "unframed-reply");
				return;
			}
			if (!c->busy) {   /* a reply nobody asked for */
				lean_fail(c, "unexpected-reply");
				return;
			}
			if (c->L->mimic) {
				struct load *L = c->L;

				c->pending = 1;
				c->next_pend = NULL;
				*L->pend_tail = c;
				L->pend_tail = &c->next_pend;
				if (L->pend == c)
					event_active(L->reply_ev, EV_TIMEOUT, 0);
				return;
			}
			lean_reply(c);
		}
		/* a reply just ended with nothing left over: the next bytes
		 * come with the next event (the read event is level-
		 * triggered), not from a read(2) that would say EAGAIN */
		if (c->ssl != NULL && c->rlen == 0 && c->busy &&
		    c->w_len == 0 && !SSL_has_pending(c->ssl))
			return;
	}
}

/* utime + stime of 'pid' in clock ticks (/proc/PID/stat), -1 if none. */
static long long
proc_cpu_ticks(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "(comm)": state is field 3; utime, stime are 14 and 15 */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/*
 * The time the threads of process 'pid' spent runnable but waiting for a
 * CPU (ns, the second field of /proc/PID/task/TID/schedstat, summed), or
 * -1: on a shared machine, whether the server waited for the cores.
 */
static long long
proc_runq_wait_ns(long pid)
{
	char path[96];
	struct dirent *de;
	long long sum = 0;
	DIR *d;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		unsigned long long run = 0, wait = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%.20s/schedstat",
		    pid, de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%llu %llu", &run, &wait) == 2)
			sum += (long long)wait;
		fclose(f);
	}
	closedir(d);
	return sum;
}

static void
maybe_finish(struct load *L)
{
	if (L->stopping && L->inflight == 0)
		event_base_loopbreak(L->base);
}

static void
unpark_all(struct load *L)
{
	struct lconn *list = L->parked, *c;

	L->parked = NULL;
	while ((c = list) != NULL) {
		list = c->next_parked;
		c->next_parked = NULL;
		c->parked = 0;
		next_request(c);
	}
}

/* The race: the next number of this connection's bidder, or park. */
static void
race_send(struct lconn *c)
{
	struct load *L = c->L;
	struct party *p = L->bidder[c->bidder];
	int64_t n;
	uint8_t *der;
	size_t len;
	int owned;

	if (L->leader == c->bidder) {
		c->parked = 1;
		c->next_parked = L->parked;
		L->parked = c;
		return;
	}
	n = next_number(L, c->bidder);
	p->last_n = n;
	c->n = n;
	if (L->lean) {
		size_t i = (size_t)(n / L->nbidders - L->i0);

		if (n / L->nbidders >= L->i0 && i < p->npre) {
			lean_send(c, K_CMD, p->req[i], p->req_len[i]);
			return;
		}
		race_body(L, c->bidder, n, &der, &len, &owned);
		free(c->own);
		c->own = http_post(L, "/v1/commands", der, len, &c->own_cap);
		free(der);
		lean_send(c, K_CMD, c->own, c->own_cap);
		return;
	}
	race_body(L, c->bidder, n, &der, &len, &owned);
	conn_send(c, K_CMD, EVHTTP_REQ_POST, "/v1/commands", der, len, owned);
	if (owned)
		free(der);
}

static void
race_done(struct lconn *c, int status, const char *reason)
{
	struct load *L = c->L;

	if (status == 200) {
		L->accepted++;
		if (c->n > L->high_n) {
			L->high_n = c->n;
			if (L->leader != c->bidder) {
				L->leader = c->bidder;
				unpark_all(L);
			}
		}
	} else if (strcmp(reason, "below-minimum") == 0) {
		L->below_min++;
	} else if (strcmp(reason, "already-highest") == 0) {
		L->already_high++;
	} else {
		L->refused_other++;
	}
}

static void
next_request(struct lconn *c)
{
	struct load *L = c->L;
	unsigned r;

	if (L->stopping || c->parked || !c->alive)
		return;
	if (L->max_req > 0 && L->sent >= (uint64_t)L->max_req) {
		return;
	}
	switch (L->sc) {
	case SC_HOT:
		race_send(c);
		break;
	case SC_RAW:
		conn_send(c, K_CMD, EVHTTP_REQ_POST, "/v1/commands", c->p->raw,
		    c->p->raw_len, 0);
		break;
	case SC_SURGE:
		if ((size_t)c->p->last_n < c->p->npre) {
			size_t i = (size_t)c->p->last_n++;

			conn_send(c, K_CMD, EVHTTP_REQ_POST, "/v1/commands",
			    c->p->pre[i], c->p->pre_len[i], 0);
		} else {
			uint8_t *der = NULL;
			size_t len = 0;

			/* beyond the pre-signed ones: sign now (counted) */
			sign_or_die(c->p, (const char *)c->p->raw,
			    c->p->raw_len, &der, &len);
			L->onthefly++;
			conn_send(c, K_CMD, EVHTTP_REQ_POST, "/v1/commands",
			    der, len, 1);
			free(der);
		}
		break;
	case SC_KEEPALIVE:
		conn_send(c, K_WHOAMI, EVHTTP_REQ_GET, L->path, NULL, 0, 0);
		break;
	case SC_MIXED:
		if (c->bidder >= 0) {
			race_send(c);
			break;
		}
		r = (unsigned)(L->sent * 2654435761u) % 100;
		if (r < 55 || (!L->view_ok && r >= 80))
			conn_send(c, K_WHOAMI, EVHTTP_REQ_GET, "/v1/whoami",
			    NULL, 0, 0);
		else if (r < 80)
			conn_send(c, K_HEALTH, EVHTTP_REQ_GET, "/v1/health",
			    NULL, 0, 0);
		else
			conn_send(c, K_VIEW, EVHTTP_REQ_GET, L->view_path, NULL,
			    0, 0);
		break;
	case SC_IDLE:
		break;
	}
}

static void idle_open_more(struct load *L);
static void stop_cb(evutil_socket_t fd, short what, void *arg);

static void
on_reply(struct evhttp_request *req, void *arg)
{
	struct lconn *c = arg;
	int64_t us = mono_us() - c->t0;
	int status = req != NULL ? evhttp_request_get_response_code(req) : 0;
	char reason[48];

	if (status == 0) {
		unsigned long err = 0, e2;
		struct bufferevent *bev = c->bev;

		while ((e2 = bufferevent_get_openssl_error(bev)) != 0)
			err = e2;
		snprintf(reason, sizeof(reason), "%s",
		    err ? ERR_reason_error_string(err) ?
		    ERR_reason_error_string(err) : "tls" : "connection-failed");
	} else if (status >= 300) {
		body_reason(evhttp_request_get_input_buffer(req), reason,
		    sizeof(reason));
	} else {
		snprintf(reason, sizeof(reason), "ok");
		if (c->L->sc == SC_IDLE)
			idle_seen(c->L, evhttp_request_get_input_buffer(req));
	}
	finish_reply(c, status, reason, us);
}

/*
 * One answer (evhttp or lean): count it, then the connection's next
 * request.  'status' 0: a transport failure, the connection is dead.
 */
static void
finish_reply(struct lconn *c, int status, const char *reason, int64_t us)
{
	struct load *L = c->L;

	c->busy = 0;
	L->inflight--;
	L->done++;
	if (status == 0) {
		L->transport_err++;
		c->alive = 0;
	}
	if (c->in_phase) {
		lat_add(&L->lat[c->kind], (uint32_t)(us > 0xffffffffLL ?
		    0xffffffffLL : us));
		count_row(L, c->kind, status, reason);
	}
	if (c->bidder >= 0 && c->kind == K_CMD)
		race_done(c, status, reason);
	if (c->in_phase && c->bidder >= 0 && c->kind == K_CMD &&
	    status == 200)
		lat_add(&L->lat_ok, (uint32_t)us);
	if (L->sc == SC_IDLE) {
		if (status == 200) {
			L->opened++;
		} else {
			L->open_failed++;
			c->alive = 0;
		}
		idle_open_more(L);
		return;
	}
	if (!L->stopping)
		next_request(c);
	/* --max reached and answered: the phase ends now, not at --duration */
	if (L->running && !L->stopping && L->max_req > 0 &&
	    L->sent >= (uint64_t)L->max_req && L->inflight == 0) {
		evtimer_del(L->stop_ev);
		stop_cb(-1, 0, L);
	}
	maybe_finish(L);
}

/* ------------------------------------------------------------- phases */

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load *L = arg;

	(void)fd;
	(void)what;
	fprintf(stderr, "ebid-load: %d requests still in flight after %d s: "
	    "giving up on them\n", L->inflight, DRAIN_S);
	event_base_loopbreak(L->base);
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load *L = arg;
	struct timeval tv = { DRAIN_S, 0 };

	(void)fd;
	(void)what;
	L->stopping = 1;
	L->t_stop = mono_us();
	L->cpu1 = proc_cpu_ticks(L->pid);
	L->self1 = proc_cpu_ticks((long)getpid());
	L->selfns1 = self_cpu_ns();
	L->wait1 = proc_runq_wait_ns(L->pid);
	L->drain_ev = evtimer_new(L->base, drain_cb, L);
	evtimer_add(L->drain_ev, &tv);
	maybe_finish(L);
}

/* Run the timed phase over every connection (all opened lazily). */
static void
run_phase(struct load *L)
{
	struct timeval tv = { L->duration_s, 0 };

	L->stop_ev = evtimer_new(L->base, stop_cb, L);
	evtimer_add(L->stop_ev, &tv);
	L->running = 1;
	L->t_start = mono_us();
	L->cpu0 = proc_cpu_ticks(L->pid);
	L->self0 = proc_cpu_ticks((long)getpid());
	L->selfns0 = self_cpu_ns();
	L->wait0 = proc_runq_wait_ns(L->pid);
	for (int i = 0; i < L->nc; i++)
		next_request(&L->c[i]);
	event_base_dispatch(L->base);
	if (L->t_stop == 0) {
		L->t_stop = mono_us();
		L->cpu1 = proc_cpu_ticks(L->pid);
		L->self1 = proc_cpu_ticks((long)getpid());
		L->selfns1 = self_cpu_ns();
		L->wait1 = proc_runq_wait_ns(L->pid);
	}
	L->running = 0;
}

static void
make_conns(struct load *L, int n, int bidder_conns)
{
	L->c = eb_calloc((size_t)n, sizeof(*L->c));
	L->nc = n;
	for (int i = 0; i < n; i++) {
		struct lconn *c = &L->c[i];

		c->L = L;
		c->idx = i;
		c->alive = 1;
		c->fd = -1;
		if (i < bidder_conns) {
			c->bidder = i % L->nbidders;
			c->p = L->bidder[c->bidder];
		} else {
			c->bidder = -1;
			c->p = &L->parties[i % L->nparties];
		}
		if (!L->lean)   /* lean: opened by its first request */
			conn_open(c);
	}
}

/* -------------------------------------------------------------- report */

static void
report(struct load *L, const char *extra)
{
	double secs = (double)(L->t_stop - L->t_start) / 1e6;
	uint64_t total = 0;

	for (int k = 0; k < MAX_KINDS; k++) {
		if (L->lat[k].n > 0)
			qsort(L->lat[k].v, L->lat[k].n, sizeof(uint32_t),
			    cmp_u32);
		total += L->lat[k].n;
	}
	if (L->lat_ok.n > 0)
		qsort(L->lat_ok.v, L->lat_ok.n, sizeof(uint32_t), cmp_u32);
	if (secs <= 0)
		secs = 1e-6;
	printf("ebid-load %s: %.2f s timed, %d connections, %llu requests "
	    "answered in the phase (%.0f/s), %llu transport failures\n",
	    L->scname, secs, L->nc, (unsigned long long)total,
	    (double)total / secs, (unsigned long long)L->transport_err);
	for (int k = 0; k < MAX_KINDS; k++) {
		struct lat *l = &L->lat[k];

		if (l->n == 0)
			continue;
		printf("  %-8s %8zu  %8.0f/s  p50 %7.2f ms  p99 %7.2f ms  "
		    "p99.9 %7.2f ms  max %7.2f ms\n", kind_names[k], l->n,
		    (double)l->n / secs, pct_ms(l, 50), pct_ms(l, 99),
		    pct_ms(l, 99.9), l->v[l->n - 1] / 1000.0);
	}
	printf("  by status and reason:\n");
	for (int i = 0; i < L->nrows; i++)
		printf("    %-8s %3d %-28s %10llu\n", kind_names[L->rows[i].kind],
		    L->rows[i].status, L->rows[i].reason,
		    (unsigned long long)L->rows[i].n);
	if (L->cpu0 >= 0 && L->cpu1 >= L->cpu0 && L->pid > 0) {
		double cpu = (double)(L->cpu1 - L->cpu0) /
		    (double)sysconf(_SC_CLK_TCK);

		printf("  server pid %ld: %.2f s CPU in the phase = %.0f %% of "
		    "one core, %.3f ms CPU per request answered\n", L->pid, cpu,
		    100.0 * cpu / secs, total ? 1000.0 * cpu / (double)total :
		    0.0);
		snprintf(L->cpu_kv, sizeof(L->cpu_kv), "srv_cpu_pct=%.0f "
		    "srv_cpu_ms_per_req=%.4f", 100.0 * cpu / secs,
		    total ? 1000.0 * cpu / (double)total : 0.0);
	}
	/* the load generator's own CPU: whether the clients are the bound,
	 * and what it takes from the server on the same cores (per request
	 * answered, and per accepted command of the race) */
	if (L->selfns1 > L->selfns0) {
		double cpu = (double)(L->selfns1 - L->selfns0) / 1e9;
		size_t o = strlen(L->cpu_kv);

		printf("  ebid-load itself (%s): %.3f s CPU in the phase = %.0f "
		    "%% of one core, %.4f ms per request answered",
		    L->lean ? (L->mimic ? "lean connections, evhttp's calls" :
		    "lean connections") : "evhttp", cpu,
		    100.0 * cpu / secs, total ? 1000.0 * cpu / (double)total :
		    0.0);
		if (L->accepted > 0)
			printf(", %.4f ms per accepted command",
			    1000.0 * cpu / (double)L->accepted);
		printf("\n");
		snprintf(L->cpu_kv + o, sizeof(L->cpu_kv) - o,
		    "%scli_cpu_pct=%.0f cli_cpu_ms_per_req=%.4f "
		    "cli_cpu_ms_per_acc=%.4f cli_http=%s", o ? " " : "",
		    100.0 * cpu / secs, total ? 1000.0 * cpu / (double)total :
		    0.0, L->accepted ? 1000.0 * cpu / (double)L->accepted : 0.0,
		    L->lean ? (L->mimic ? "lean-mimic" : L->split ?
		    "lean-split" : "lean") : "evhttp");
	}
	if (L->wait0 >= 0 && L->wait1 >= L->wait0) {
		double w = (double)(L->wait1 - L->wait0) / 1e9;
		size_t o = strlen(L->cpu_kv);

		printf("  server threads runnable but waiting for a CPU: %.2f s "
		    "in the phase (%.0f %% of it, summed over threads)\n", w,
		    100.0 * w / secs);
		snprintf(L->cpu_kv + o, sizeof(L->cpu_kv) - o,
		    "%ssrv_runq_wait_pct=%.0f", o ? " " : "", 100.0 * w / secs);
	}
	if (L->sc == SC_HOT || L->sc == SC_MIXED) {
		printf("  race (%s phase, sale %s): accepted %llu (%.0f/s), "
		    "refused below-minimum %llu, already-highest %llu, "
		    "other %llu; final price %lld fen; bodies signed during "
		    "the phase: %llu\n", L->phase, L->sale_id,
		    (unsigned long long)L->accepted,
		    (double)L->accepted / secs,
		    (unsigned long long)L->below_min,
		    (unsigned long long)L->already_high,
		    (unsigned long long)L->refused_other,
		    L->high_n >= 0 ? (long long)(L->start_price +
		    L->increment * L->high_n) : 0LL,
		    (unsigned long long)L->onthefly);
		if (L->lat_ok.n > 0)
			printf("  accepted only: p50 %.2f ms  p99 %.2f ms  "
			    "p99.9 %.2f ms\n", pct_ms(&L->lat_ok, 50),
			    pct_ms(&L->lat_ok, 99), pct_ms(&L->lat_ok, 99.9));
	}
	{
		struct lat *l = &L->lat[L->sc == SC_KEEPALIVE ? K_WHOAMI : K_CMD];
		uint64_t errors = 0;

		for (int i = 0; i < L->nrows; i++) {
			const struct row *r = &L->rows[i];

			if (r->status == 200 || strcmp(r->reason,
			    "below-minimum") == 0 || strcmp(r->reason,
			    "already-highest") == 0 || (L->sc == SC_RAW &&
			    strcmp(r->reason, "unknown-command") == 0))
				continue;
			errors += r->n;
		}
		printf("result: scenario=%s phase=%s secs=%.2f conns=%d "
		    "requests=%zu rate=%.1f accepted=%llu accepted_rate=%.1f "
		    "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f ok_p50_ms=%.3f "
		    "ok_p99_ms=%.3f ok_p999_ms=%.3f below_min=%llu "
		    "already_highest=%llu refused_other=%llu errors=%llu "
		    "onthefly=%llu total_rate=%.1f %s%s%s\n", L->scname, L->phase ? L->phase : "-", secs, L->nc, l->n,
		    (double)l->n / secs, (unsigned long long)L->accepted,
		    (double)L->accepted / secs, pct_ms(l, 50), pct_ms(l, 99),
		    pct_ms(l, 99.9), pct_ms(&L->lat_ok, 50),
		    pct_ms(&L->lat_ok, 99), pct_ms(&L->lat_ok, 99.9),
		    (unsigned long long)L->below_min,
		    (unsigned long long)L->already_high,
		    (unsigned long long)L->refused_other,
		    (unsigned long long)(errors + L->transport_err),
		    (unsigned long long)L->onthefly, (double)total / secs,
		    L->cpu_kv, extra ? " " : "",
		    extra ? extra : "");
	}
}

/* --------------------------------------------------------- scenarios */

static void
load_bidders(struct load *L)
{
	static const char *const names[] = { "bidder1", "bidder2",
		"bidder3", "bidder4", "bidder5", "buyer1", "buyer2" };
	int want = L->bidders;

	if (want < 2 || want > (int)(sizeof(names) / sizeof(names[0])))
		die("--bidders must be 2..7 (the bidder certificates of "
		    "var/certs)", NULL);
	for (int i = 0; i < want; i++) {
		int k = party_load(L, names[i]);

		if (k < 0)
			die("no certificate for", names[i]);
		L->bidder[L->nbidders++] = &L->parties[k];
	}
}

/* Forget one phase's connections and figures (not the race state). */
static void
phase_reset(struct load *L)
{
	for (int i = 0; i < L->nc; i++) {
		struct lconn *c = &L->c[i];

		if (c->evcon != NULL)
			evhttp_connection_free(c->evcon);
		lean_close(c);
		free(c->rb);
		free(c->own);
	}
	free(L->c);
	L->c = NULL;
	L->nc = 0;
	L->parked = NULL;
	L->pend = NULL;
	L->pend_tail = &L->pend;
	for (int k = 0; k < MAX_KINDS; k++)
		L->lat[k].n = 0;
	L->lat_ok.n = 0;
	L->nrows = 0;
	L->sent = L->done = L->transport_err = L->onthefly = 0;
	L->accepted = L->below_min = L->already_high = L->refused_other = 0;
	L->t_start = L->t_stop = 0;
	L->cpu_kv[0] = '\0';
	L->running = L->stopping = L->inflight = 0;
	if (L->stop_ev != NULL)
		event_free(L->stop_ev);
	if (L->drain_ev != NULL)
		event_free(L->drain_ev);
	L->stop_ev = L->drain_ev = NULL;
}

/* The smallest number above the known price that bidder b owns. */
static int64_t
next_number(struct load *L, int b)
{
	int64_t M = L->nbidders, from = L->high_n + 1;

	if (L->bidder[b]->last_n + 1 > from)
		from = L->bidder[b]->last_n + 1;
	return from + ((b - from % M) % M + M) % M;
}

/*
 * From the listing to the auction with real commands: move the driven
 * clock to the listing end (ebidd's timer closes the listing), every
 * bidder declares "yes", then the first auction bid is sent until the
 * auction has started (ebidd's start-auction).  Returns 0 in the
 * auction, -1 (with a message on stdout) when ebidd does not get there.
 */
static int
auction_begin(struct load *L)
{
	struct party *reg = &L->parties[party_load(L, "registrar")];
	struct party *in[MAX_PARTIES], *leader;
	struct eb_buf reply = EB_BUF_INIT;
	char xml[512], reason[64];
	int nin = 0, status = 0, rc = -1, b;
	int64_t until, n;

	reply.max = (size_t)16 << 20;
	if (!L->driven) {
		printf("auction phase: not run (needs ebidd --test-clock=driven "
		    "to end a 30-day listing now)\n");
		return -1;
	}
	leader = L->leader >= 0 ? L->bidder[L->leader] : NULL;
	set_clock(L, reg, L->listing_end);
	for (b = 0; b < L->nbidders; b++) {
		snprintf(xml, sizeof(xml), "<declare-continue xmlns=\"urn:ebid:1\" "
		    "sale=\"%s\" continue=\"yes\"/>", L->sale_id);
		until = mono_us() + 5000000;
		for (;;) {
			status = setup_cmd(L, L->bidder[b], xml, &reply);
			if (attr_of(eb_buf_str(&reply), "reason", reason,
			    sizeof(reason)) != 0)
				reason[0] = '\0';
			if (status == 200 || strcmp(reason,
			    "not-allowed-in-state") != 0 || mono_us() > until)
				break;
			usleep(50000);
		}
		if (status == 200) {
			in[nin++] = L->bidder[b];
		} else if (strcmp(reason, "no-listing-quote") != 0) {
			printf("auction phase: not reached: declare-continue "
			    "answered %d %s%s\n", status, reason,
			    strcmp(reason, "not-allowed-in-state") == 0 ?
			    " for 5 s after the listing end: ebidd did not "
			    "close the listing (no listing-closed timer)" : "");
			goto out;
		}
	}
	if (nin < 2) {
		printf("auction phase: not reached: only %d bidders quoted in "
		    "the listing\n", nin);
		goto out;
	}
	L->nbidders = nin;
	L->leader = -1;
	for (b = 0; b < nin; b++) {
		L->bidder[b] = in[b];
		L->bidder[b]->last_n = L->high_n;
		if (in[b] == leader)
			L->leader = b;
	}
	/* start-auction is due at the last declaration: let the clock move */
	set_clock(L, reg, L->listing_end + 1);
	L->race_cmd = "auction-bid";
	b = L->leader == 0 ? 1 : 0;
	n = next_number(L, b);
	snprintf(xml, sizeof(xml), "<auction-bid xmlns=\"urn:ebid:1\" "
	    "sale=\"%s\" amount=\"%lld\"/>", L->sale_id,
	    (long long)(L->start_price + L->increment * n));
	until = mono_us() + 5000000;
	for (;;) {
		status = setup_cmd(L, L->bidder[b], xml, &reply);
		if (attr_of(eb_buf_str(&reply), "reason", reason,
		    sizeof(reason)) != 0)
			reason[0] = '\0';
		if (status == 200 || strcmp(reason, "not-allowed-in-state") !=
		    0 || mono_us() > until)
			break;
		usleep(50000);
	}
	if (status != 200) {
		printf("auction phase: not reached: the first auction-bid "
		    "answered %d %s%s\n", status, reason,
		    strcmp(reason, "not-allowed-in-state") == 0 ? " for 5 s "
		    "after every bidder declared: ebidd did not start the "
		    "auction (no start-auction timer)" : "");
		goto out;
	}
	L->high_n = n;
	L->leader = b;
	L->bidder[b]->last_n = n;
	L->phase = "auction";
	fprintf(stderr, "ebid-load: auction started with %d bidders (listing "
	    "closed by ebidd's timer, all declared yes)\n", nin);
	rc = 0;
out:
	eb_buf_free(&reply);
	return rc;
}

static void
scenario_hot(struct load *L)
{
	int conns;

	load_bidders(L);
	setup_sale(L);
	conns = L->nbidders * L->per_bidder;
	if (strcmp(L->want_phase, "auction") != 0) {
		presign(L);
		make_conns(L, conns, conns);
		run_phase(L);
		report(L, NULL);
		phase_reset(L);
	} else {
		/* two quotes so that two bidders may go on */
		L->per_bidder = 1;
		L->duration_s = 1;
		L->max_req = 2;
		presign(L);
		make_conns(L, L->nbidders, L->nbidders);
		run_phase(L);
		phase_reset(L);
		L->max_req = 0;
	}
	if (strcmp(L->want_phase, "listing") == 0)
		return;
	fflush(stdout);
	if (auction_begin(L) != 0)
		return;
	L->i0 = (L->high_n + 1) / L->nbidders;
	presign(L);
	conns = L->nbidders * L->per_bidder;
	make_conns(L, conns, conns);
	run_phase(L);
	report(L, NULL);
}

/*
 * A bid-like document of about L->size bytes: the template's <technical>
 * text padded, or a generated <bid> when there is no template.
 */
static char *
raw_document(struct load *L, size_t *outlen)
{
	struct eb_buf b = EB_BUF_INIT;
	static const char para[] = "Construction method statement: trench "
	    "excavation in sections of 50 m, shoring at depths over 1.5 m, "
	    "pipe laying on a 150 mm sand bed, pressure test at 1.5 times "
	    "the working pressure before backfill. 施工组织设计：分段开挖，"
	    "每段五十米。\n";
	char *tpl = NULL, *cut;
	size_t tlen = 0;
	FILE *f = L->template_file ? fopen(L->template_file, "rb") : NULL;
	int rc = EB_OK;

	b.max = (size_t)64 << 20;
	if (f != NULL) {
		tpl = malloc(1 << 20);
		if (tpl != NULL)
			tlen = fread(tpl, 1, (1 << 20) - 1, f);
		fclose(f);
		if (tpl != NULL)
			tpl[tlen] = '\0';
	}
	if (tpl != NULL && (cut = strstr(tpl, "</technical>")) != NULL) {
		rc = eb_buf_append(&b, tpl, (size_t)(cut - tpl));
		while (rc == EB_OK && b.len + (tlen - (size_t)(cut - tpl)) +
		    sizeof(para) < L->size)
			rc = eb_buf_puts(&b, para);
		if (rc == EB_OK)
			rc = eb_buf_puts(&b, cut);
	} else {
		if (L->template_file != NULL)
			die("the template has no <technical> element",
			    L->template_file);
		die("raw-100k needs --template FILE (a bid document, e.g. "
		    "tests/data/bids/bid-1-quancheng.xml)", NULL);
	}
	free(tpl);
	if (rc != EB_OK)
		die("cannot build the document", NULL);
	return (char *)eb_buf_steal(&b, outlen);
}

static void
scenario_raw(struct load *L)
{
	size_t n = 0;
	char *doc = raw_document(L, &n);
	int64_t t0 = mono_us();

	load_bidders(L);
	for (int b = 0; b < L->nbidders; b++)
		sign_or_die(L->bidder[b], doc, n, &L->bidder[b]->raw,
		    &L->bidder[b]->raw_len);
	fprintf(stderr, "ebid-load: %d signed bodies of %zu bytes (document "
	    "%zu bytes) pre-signed in %.3f s\n", L->nbidders,
	    L->bidder[0]->raw_len, n, (double)(mono_us() - t0) / 1e6);
	free(doc);
	make_conns(L, L->conns, 0);   /* the parties are the bidders */
	run_phase(L);
	{
		char extra[96];

		snprintf(extra, sizeof(extra), "body_bytes=%zu",
		    L->bidder[0]->raw_len);
		report(L, extra);
	}
}

static void
scenario_keepalive(struct load *L)
{
	static const char *const names[] = { "bidder1", "bidder2", "bidder3",
		"bidder4", "bidder5", "buyer1", "buyer2", "expert1", "expert2",
		"expert3", "registrar", "supervisor", "verifier", "auditor" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (party_load(L, names[i]) < 0)
			die("no certificate for", names[i]);
	make_conns(L, L->conns, 0);
	run_phase(L);
	report(L, NULL);
}

static long
proc_kb(long pid, const char *key)
{
	char path[64], line[256];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0 &&
		    line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

static long
proc_nofile(long pid)
{
	char path[64], line[256];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%ld/limits", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Max open files", 14) == 0)
			v = strtol(line + 14, NULL, 10);
	fclose(f);
	return v;
}

/*
 * idle --distinct: a certificate of its own for every connection, as
 * 10,000 connections of 10,000 parties present them.  Issued here, in
 * memory, by the CA of --certs (ca.crt, ca.key): a fresh P-256 key, the
 * subject and extensions of the bench's bidder certificates (OU bidder,
 * UID idle-N, serialNumber FC-IDLE-N, basic constraints, key usage,
 * extended key usage and authority key id copied from bidder1.crt, the
 * subject key id computed), valid from an hour ago for a day.  Before
 * the timed part: 10,000 in 7.4-8.6 s on the shared 2-core machine
 * (2,000 in 0.54 s).
 */
static void
idle_issue_certs(struct load *L, int n)
{
	static const int copy_nids[] = { NID_basic_constraints, NID_key_usage,
		NID_ext_key_usage, NID_authority_key_identifier };
	char path[700], uid[32], sn[32], cn[48];
	X509 *ca, *tmpl;
	EVP_PKEY *cakey;
	X509V3_CTX v3;
	FILE *f;
	int64_t t0 = mono_us();

	snprintf(path, sizeof(path), "%s/ca.crt", L->certs);
	if ((f = fopen(path, "r")) == NULL ||
	    (ca = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		die("idle --distinct needs the CA certificate", path);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ca.key", L->certs);
	if ((f = fopen(path, "r")) == NULL ||
	    (cakey = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		die("idle --distinct needs the CA key", path);
	fclose(f);
	snprintf(path, sizeof(path), "%s/bidder1.crt", L->certs);
	if ((f = fopen(path, "r")) == NULL ||
	    (tmpl = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		die("idle --distinct needs a template certificate", path);
	fclose(f);
	L->dcert = eb_calloc((size_t)n, sizeof(*L->dcert));
	L->dkey = eb_calloc((size_t)n, sizeof(*L->dkey));
	for (int i = 0; i < n; i++) {
		X509 *x = X509_new();
		X509_NAME *nm = X509_NAME_new();
		EVP_PKEY *k = EVP_EC_gen("P-256");
		X509_EXTENSION *ext;
		unsigned char serial[16];

		if (x == NULL || nm == NULL || k == NULL)
			die("cannot make a certificate", NULL);
		snprintf(uid, sizeof(uid), "idle-%d", i + 1);
		snprintf(sn, sizeof(sn), "FC-IDLE-%d", i + 1);
		snprintf(cn, sizeof(cn), "Idle Party %d", i + 1);
		X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_UTF8,
		    (const unsigned char *)"Idle Connections Co Ltd", -1, -1, 0);
		X509_NAME_add_entry_by_txt(nm, "OU", MBSTRING_UTF8,
		    (const unsigned char *)"bidder", -1, -1, 0);
		X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
		    (const unsigned char *)cn, -1, -1, 0);
		X509_NAME_add_entry_by_txt(nm, "UID", MBSTRING_UTF8,
		    (const unsigned char *)uid, -1, -1, 0);
		X509_NAME_add_entry_by_txt(nm, "serialNumber", MBSTRING_UTF8,
		    (const unsigned char *)sn, -1, -1, 0);
		if (RAND_bytes(serial, sizeof(serial)) != 1)
			die("RAND_bytes failed", NULL);
		serial[0] &= 0x7f;
		serial[0] |= 0x10;
		{
			BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);

			BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
			BN_free(bn);
		}
		X509_set_version(x, 2);
		X509_set_subject_name(x, nm);
		X509_set_issuer_name(x, X509_get_subject_name(ca));
		X509_gmtime_adj(X509_getm_notBefore(x), -3600);
		X509_gmtime_adj(X509_getm_notAfter(x), 86400);
		X509_set_pubkey(x, k);
		for (size_t j = 0; j < sizeof(copy_nids) / sizeof(copy_nids[0]);
		    j++) {
			int at = X509_get_ext_by_NID(tmpl, copy_nids[j], -1);

			if (at >= 0)
				X509_add_ext(x, X509_get_ext(tmpl, at), -1);
		}
		X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
		if ((ext = X509V3_EXT_conf_nid(NULL, &v3,
		    NID_subject_key_identifier, "hash")) != NULL) {
			X509_add_ext(x, ext, -1);
			X509_EXTENSION_free(ext);
		}
		if (X509_sign(x, cakey, EVP_sha256()) <= 0)
			die("cannot sign a certificate", NULL);
		X509_NAME_free(nm);
		L->dcert[i] = x;
		L->dkey[i] = k;
	}
	fprintf(stderr, "ebid-load: %d certificates issued in %.2f s\n", n,
	    (double)(mono_us() - t0) / 1e6);
	X509_free(ca);
	X509_free(tmpl);
	EVP_PKEY_free(cakey);
}

/* idle --distinct: connection c presents its own certificate (before its
 * handshake: conn_open() only made the SSL). */
static void
idle_use_own_cert(struct load *L, struct lconn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

	if (ssl == NULL || SSL_use_certificate(ssl, L->dcert[c->idx]) != 1 ||
	    SSL_use_PrivateKey(ssl, L->dkey[c->idx]) != 1)
		die("cannot use a connection's own certificate", NULL);
}

static void
idle_open_more(struct load *L)
{
	int target = L->nc;

	while (L->next_open < target &&
	    L->inflight < L->inflight_open) {
		struct lconn *c = &L->c[L->next_open++];

		conn_open(c);
		if (L->distinct)
			idle_use_own_cert(L, c);
		conn_send(c, K_WHOAMI, EVHTTP_REQ_GET, "/v1/whoami", NULL, 0, 0);
	}
	if (L->inflight == 0 && L->next_open >= target)
		event_base_loopbreak(L->base);
}

static void
hold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void
scenario_idle(struct load *L)
{
	static const char *const names[] = { "bidder1", "bidder2", "bidder3",
		"bidder4", "bidder5", "buyer1", "buyer2", "expert1", "expert2",
		"expert3", "expert4", "expert5", "expert6", "custodian1" };
	struct rlimit rl;
	long rss0, hwm0, rss1, hwm1, rss2, self_rss, lim;
	struct timeval tv = { 0, 0 }, open_tv = { L->duration_s, 0 };
	struct event *hold, *deadline;
	char extra[256];

	if (L->pid <= 0)
		die("idle needs --pid PID of ebidd", NULL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)L->conns + 64) {
		rl.rlim_cur = (rlim_t)L->conns + 64;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			perror("ebid-load: setrlimit");
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	lim = proc_nofile(L->pid);
	fprintf(stderr, "ebid-load: open-file limit: ours %llu, ebidd's %ld\n",
	    (unsigned long long)rl.rlim_cur, lim);
	if ((long long)rl.rlim_cur < L->conns + 16 ||
	    (lim >= 0 && lim < L->conns + 16))
		fprintf(stderr, "ebid-load: WARNING: a limit is below %d "
		    "connections; expect failures\n", L->conns);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (party_load(L, names[i]) < 0)
			die("no certificate for", names[i]);
	if (L->distinct)
		idle_issue_certs(L, L->conns);
	rss0 = proc_kb(L->pid, "VmRSS");
	hwm0 = proc_kb(L->pid, "VmHWM");
	L->c = eb_calloc((size_t)L->conns, sizeof(*L->c));
	L->nc = L->conns;
	for (int i = 0; i < L->nc; i++) {
		L->c[i].L = L;
		L->c[i].idx = i;
		L->c[i].bidder = -1;
		L->c[i].alive = 1;
		L->c[i].p = &L->parties[i % L->nparties];
	}
	L->running = 1;
	L->t_start = mono_us();
	deadline = evtimer_new(L->base, hold_cb, L->base);
	evtimer_add(deadline, &open_tv);
	idle_open_more(L);
	event_base_dispatch(L->base);
	evtimer_del(deadline);
	event_free(deadline);
	L->t_stop = mono_us();
	L->running = 0;
	rss1 = proc_kb(L->pid, "VmRSS");
	tv.tv_sec = L->hold_s;
	hold = evtimer_new(L->base, hold_cb, L->base);
	evtimer_add(hold, &tv);
	event_base_dispatch(L->base);
	event_free(hold);
	rss2 = proc_kb(L->pid, "VmRSS");
	hwm1 = proc_kb(L->pid, "VmHWM");
	self_rss = proc_kb((long)getpid(), "VmRSS");
	printf("ebid-load idle: %d of %d TLS connections opened (each one "
	    "GET /v1/whoami, then idle) in %.2f s, %d failed\n", L->opened,
	    L->nc, (double)(L->t_stop - L->t_start) / 1e6, L->open_failed);
	printf("  ebidd pid %ld: VmRSS %ld KiB before, %ld KiB with the "
	    "connections open, %ld KiB after holding %d s; VmHWM %ld -> %ld "
	    "KiB\n", L->pid, rss0, rss1, rss2, L->hold_s, hwm0, hwm1);
	if (L->opened > 0)
		printf("  per connection: %.1f KiB (RSS growth / connections); "
		    "this process: %ld KiB\n",
		    (double)(rss2 - rss0) / L->opened, self_rss);
	printf("  parties ebidd named (whoami): %zu distinct%s%s\n",
	    L->nseen, L->distinct ? ", one certificate per connection" :
	    ", the certificates cycled", L->seen_bad ? "; SOME REPLIES "
	    "NAMED NO PARTY" : "");
	snprintf(extra, sizeof(extra), "distinct=%d opened=%d failed=%d "
	    "parties=%zu unnamed=%llu rss0_kib=%ld "
	    "rss_kib=%ld hwm_kib=%ld per_conn_kib=%.2f open_secs=%.2f",
	    L->distinct, L->opened, L->open_failed, L->nseen,
	    (unsigned long long)L->seen_bad, rss0, rss2, hwm1,
	    L->opened > 0 ? (double)(rss2 - rss0) / L->opened : 0.0,
	    (double)(L->t_stop - L->t_start) / 1e6);
	printf("result: scenario=idle %s\n", extra);
	for (int i = 0; i < L->nc; i++)
		if (L->c[i].evcon != NULL)
			evhttp_connection_free(L->c[i].evcon);
	free(L->c);
	L->c = NULL;
	L->nc = 0;
}

static void
scenario_mixed(struct load *L)
{
	static const char *const names[] = { "registrar", "supervisor",
		"verifier", "auditor", "expert1", "expert2", "transferor" };
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error e;
	int status = 0, bc;

	load_bidders(L);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (party_load(L, names[i]) < 0)
			die("no certificate for", names[i]);
	setup_sale(L);
	snprintf(L->view_path, sizeof(L->view_path), "/v1/sales/%s",
	    L->sale_id);
	if (eb_client_get(party_client(L, L->bidder[0]), L->view_path, &b,
	    &status, &e) != EB_OK)
		die_e("GET the sale view", &e);
	L->view_ok = status == 200;
	if (!L->view_ok)
		fprintf(stderr, "ebid-load: GET %s answers %d (%s): views left "
		    "out of the mix\n", L->view_path, status, eb_buf_str(&b));
	eb_buf_free(&b);
	presign(L);
	bc = L->conns * 30 / 100;
	if (bc < L->nbidders)
		bc = L->nbidders;
	make_conns(L, L->conns > bc ? L->conns : bc + 1, bc);
	run_phase(L);
	report(L, NULL);
}

/* Read a whole file (NUL-terminated, free()); dies when it cannot. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (f == NULL || (p = malloc(1 << 20)) == NULL)
		die("cannot read", path);
	n = fread(p, 1, (1 << 20) - 1, f);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

/* Replace the first 'what' in malloc'd 'doc' by 'with'. */
static char *
replace_once(char *doc, const char *what, const char *with)
{
	char *at = strstr(doc, what), *out;
	size_t a, b, c;

	if (at == NULL)
		return doc;
	a = (size_t)(at - doc);
	b = strlen(with);
	c = strlen(at + strlen(what));
	out = eb_malloc(a + b + c + 1);
	memcpy(out, doc, a);
	memcpy(out + a, with, b);
	memcpy(out + a + b, at + strlen(what), c + 1);
	free(doc);
	return out;
}

/*
 * The tender's opening certificate from its view (GET /v1/tenders/ID,
 * <opening-key><certificate>base64 DER</certificate>), polled for up to
 * 10 s: ebidd sets the opening key after the announcement.
 */
static X509 *
tender_opening_cert(struct load *L, struct party *p, const char *id)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error e;
	char path[128];
	int status = 0;
	int64_t until = mono_us() + 10000000;
	X509 *x = NULL;

	b.max = (size_t)64 << 20;
	snprintf(path, sizeof(path), "/v1/tenders/%s", id);
	while (x == NULL && mono_us() < until) {
		const char *v, *c0, *c1;
		uint8_t *der = NULL;
		const uint8_t *q;
		size_t len = 0;

		eb_buf_reset(&b);
		if (eb_client_get(party_client(L, p), path, &b, &status,
		    &e) != EB_OK)
			die_e("GET the tender view", &e);
		v = eb_buf_str(&b);
		if (status == 200 && (v = strstr(v, "<opening-key")) != NULL &&
		    (c0 = strstr(v, "<certificate>")) != NULL &&
		    (c1 = strstr(c0, "</certificate>")) != NULL &&
		    eb_base64_decode(c0 + 13, (size_t)(c1 - c0 - 13), &der,
		    &len) == EB_OK) {
			q = der;
			x = d2i_X509(NULL, &q, (long)len);
		}
		free(der);
		if (x == NULL)
			usleep(100000);
	}
	eb_buf_free(&b);
	return x;
}

/*
 * A tender in its bidding state through real commands (register, accept,
 * announce; ebidd sets the opening key; every bidder signs up and is
 * confirmed), one ~100 KiB bid document sealed per bidder to the opening
 * certificate, and --presign outer <submit-bid> commands per bidder
 * signed before the timed phase (each a distinct signature, so none is
 * an idempotent resend).  Then every connection submits as fast as it
 * can: each accepted submit-bid is a durable append with an RFC 3161
 * receipt (a replacement of the bidder's earlier bid).
 */
static void
scenario_surge(struct load *L)
{
	struct party *reg = &L->parties[party_load(L, "registrar")];
	struct party *sup = &L->parties[party_load(L, "supervisor")];
	struct party *ten = &L->parties[party_load(L, "tenderer")];
	struct eb_buf reply = EB_BUF_INIT;
	char xml[512], dl[EB_ISOTIME_LEN], id[64], *doc, *tpl, tattr[96];
	size_t n = 0, total = 0;
	int driven = 0;
	int64_t now, t0;
	X509 *oc;

	if (L->template_file == NULL || L->tender_file == NULL)
		die("deadline-surge needs --template BID.xml and --tender "
		    "REGISTER-TENDER.xml (tests/data/bids/bid-1-quancheng.xml, "
		    "tests/data/tender/register-tender.xml)", NULL);
	reply.max = (size_t)64 << 20;
	load_bidders(L);
	t0 = mono_us();
	now = server_clock(L, reg, &driven);
	eb_isotime_format(now + 20LL * 86400000, dl);
	tpl = slurp(L->tender_file, &n);
	while (strstr(tpl, "@DEADLINE@") != NULL)
		tpl = replace_once(tpl, "@DEADLINE@", dl);
	while (strstr(tpl, "@OPENING@") != NULL)
		tpl = replace_once(tpl, "@OPENING@", dl);
	setup_ok(L, ten, tpl, &reply);
	free(tpl);
	if (attr_of(eb_buf_str(&reply), "aggregate", id, sizeof(id)) != 0)
		die("no aggregate in the reply to register-tender",
		    eb_buf_str(&reply));
	snprintf(xml, sizeof(xml), "<accept-registration xmlns=\"urn:ebid:1\" "
	    "tender=\"%s\"/>", id);
	setup_ok(L, reg, xml, &reply);
	snprintf(xml, sizeof(xml), "<publish-announcement xmlns=\"urn:ebid:1\" "
	    "tender=\"%s\"/>", id);
	setup_ok(L, sup, xml, &reply);
	if ((oc = tender_opening_cert(L, sup, id)) == NULL) {
		printf("ebid-load deadline-surge: NOT RUN: tender %s has no "
		    "opening certificate 10 s after its announcement (ebidd "
		    "sets the opening key)\n", id);
		printf("result: scenario=deadline-surge status=not-run "
		    "reason=no-opening-key\n");
		exit(3);
	}
	for (int b = 0; b < L->nbidders; b++) {
		snprintf(xml, sizeof(xml), "<sign-up xmlns=\"urn:ebid:1\" "
		    "tender=\"%s\"/>", id);
		setup_ok(L, L->bidder[b], xml, &reply);
		snprintf(xml, sizeof(xml), "<confirm-sign-up xmlns=\"urn:ebid:1\" "
		    "tender=\"%s\" bidder=\"%s\"/>", id, L->bidder[b]->name);
		setup_ok(L, reg, xml, &reply);
	}
	fprintf(stderr, "ebid-load: tender %s in bidding, %d bidders signed "
	    "up; set-up %.2f s\n", id, L->nbidders,
	    (double)(mono_us() - t0) / 1e6);
	snprintf(L->sale_id, sizeof(L->sale_id), "%s", id);
	snprintf(tattr, sizeof(tattr), "tender=\"%s\"", id);
	t0 = mono_us();
	for (int b = 0; b < L->nbidders; b++) {
		struct party *p = L->bidder[b];
		uint8_t *env = NULL, commit[EB_SHA256_LEN];
		size_t envlen = 0;
		char *b64 = NULL, hex[EB_SHA256_HEX];
		struct eb_buf cmd = EB_BUF_INIT;
		struct eb_error e;

		doc = raw_document(L, &n);
		doc = replace_once(doc, "tender=\"FC-2026-WS-017-L1\"", tattr);
		if (eb_bid_seal(p->cert, p->key, oc, (const uint8_t *)doc,
		    strlen(doc), &env, &envlen, commit, &e) != EB_OK)
			die_e("cannot seal the bid", &e);
		free(doc);
		if (eb_base64_encode(env, envlen, &b64) != EB_OK)
			die("base64 failed", NULL);
		eb_hex32(commit, hex);
		cmd.max = (size_t)64 << 20;
		if (eb_buf_printf(&cmd, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		    "\n<submit-bid xmlns=\"urn:ebid:1\" tender=\"%s\"><envelope>",
		    id) != EB_OK || eb_buf_puts(&cmd, b64) != EB_OK ||
		    eb_buf_printf(&cmd, "</envelope><commitment>%s</commitment>"
		    "</submit-bid>\n", hex) != EB_OK)
			die("out of memory", NULL);
		p->npre = (size_t)L->presign;
		p->pre = eb_calloc(p->npre, sizeof(*p->pre));
		p->pre_len = eb_calloc(p->npre, sizeof(*p->pre_len));
		for (size_t i = 0; i < p->npre; i++)
			sign_or_die(p, (const char *)cmd.data, cmd.len, &p->pre[i],
			    &p->pre_len[i]);
		total += p->npre;
		p->raw = (uint8_t *)eb_buf_steal(&cmd, &p->raw_len);
		p->last_n = 0;
		if (b == 0)
			fprintf(stderr, "ebid-load: sealed bid: document %zu "
			    "bytes, envelope %zu bytes, signed submit-bid %zu "
			    "bytes\n", n, envlen, p->pre_len[0]);
		free(env);
		free(b64);
	}
	X509_free(oc);
	fprintf(stderr, "ebid-load: %d bids sealed and %zu submit-bid commands "
	    "signed in %.2f s (before the timed phase)\n", L->nbidders, total,
	    (double)(mono_us() - t0) / 1e6);
	L->phase = "bidding";
	/* bidder connections: each presents the certificate it signs with */
	make_conns(L, L->nbidders * L->per_bidder,
	    L->nbidders * L->per_bidder);
	run_phase(L);
	{
		char extra[96];

		snprintf(extra, sizeof(extra), "body_bytes=%zu",
		    L->bidder[0]->pre_len[0]);
		report(L, extra);
	}
	eb_buf_free(&reply);
}

/* ---------------------------------------------------------------- main */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ebid-load SCENARIO [options]\n"
	    "  scenarios: hot-auction deadline-surge raw-100k keepalive idle "
	    "mixed\n"
	    "  --url URL          https://127.0.0.1:8473 (default)\n"
	    "  --certs DIR        var/certs (default): ca.crt, PARTY.crt/.key\n"
	    "  --duration S       timed phase, seconds (default 10; idle: "
	    "time to open)\n"
	    "  --max N            at most N requests in the phase (0 = no "
	    "bound)\n"
	    "  --conns N          connections (default 32; idle 10000)\n"
	    "  --bidders M        bidders, 2..7 (default 7)\n"
	    "  --per-bidder K     hot-auction: connections per bidder "
	    "(default 4)\n"
	    "  --presign N        quote bodies pre-signed per bidder (default "
	    "20000)\n"
	    "  --size BYTES       raw-100k document size (default 102400)\n"
	    "  --template FILE    raw-100k, deadline-surge: a bid document to "
	    "pad\n"
	    "  --tender FILE      deadline-surge: the register-tender document "
	    "(@DEADLINE@)\n"
	    "  --path PATH        keepalive: the GET path (default "
	    "/v1/whoami)\n"
	    "                     keepalive with --url http://HOST:PORT: the "
	    "public board\n"
	    "                     (plain HTTP, no certificate), e.g. --path "
	    "/tenders/ID\n"
	    "  --pid PID          the server's pid: its CPU time per request "
	    "(every\n"
	    "                     scenario) and VmRSS (idle)\n"
	    "  --hold S           idle: seconds to hold (default 3)\n"
	    "  --distinct         idle: every connection its own certificate "
	    "(a party\n"
	    "                     each), issued in memory by --certs' ca.key\n"
	    "  --phase P          hot-auction: listing, auction or both "
	    "(default both:\n"
	    "                     the race on listing quotes, then on auction "
	    "bids)\n"
	    "  --lean             hot-auction: the race over lean "
	    "connections, not evhttp:\n"
	    "                     one TLS record per request, the socket's "
	    "read event\n"
	    "                     armed once, about half the CPU per request "
	    "(but more\n"
	    "                     stale-price refusals per accepted bid: "
	    "docs/performance.md)\n"
	    "  --split            with --lean: headers and body as two TLS "
	    "records, as\n"
	    "                     evhttp writes them\n"
	    "  --mimic            with --lean: evhttp's system calls without "
	    "evhttp (its\n"
	    "                     epoll_ctl calls, two records, answers "
	    "counted after the\n"
	    "                     loop pass's I/O): the race's requests per "
	    "accepted bid\n"
	    "                     of the evhttp client at less CPU "
	    "(docs/performance.md)\n");
}

int
main(int argc, char **argv)
{
	static struct load Lstore;
	struct load *L = &Lstore;
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "certs", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max", required_argument, NULL, 'm' },
		{ "conns", required_argument, NULL, 'n' },
		{ "bidders", required_argument, NULL, 'b' },
		{ "per-bidder", required_argument, NULL, 'k' },
		{ "presign", required_argument, NULL, 'P' },
		{ "size", required_argument, NULL, 's' },
		{ "template", required_argument, NULL, 't' },
		{ "path", required_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'H' },
		{ "phase", required_argument, NULL, 'F' },
		{ "tender", required_argument, NULL, 'T' },
		{ "distinct", no_argument, NULL, 'D' },
		{ "lean", no_argument, NULL, 'E' },
		{ "split", no_argument, NULL, 'S' },
		{ "mimic", no_argument, NULL, 'Y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url = "https://127.0.0.1:8473", *sc;
	struct evhttp_uri *u;
	int ch, conns = -1, use_lean = 0;

	signal(SIGPIPE, SIG_IGN);
	snprintf(L->certs, sizeof(L->certs), "var/certs");
	L->duration_s = 10;
	L->bidders = 7;
	L->per_bidder = 4;
	L->presign = 20000;
	L->size = 102400;
	L->path = "/v1/whoami";
	L->hold_s = 3;
	L->inflight_open = 64;
	L->want_phase = "both";
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'c': snprintf(L->certs, sizeof(L->certs), "%s", optarg);
			break;
		case 'd': L->duration_s = atoi(optarg); break;
		case 'm': L->max_req = atoi(optarg); break;
		case 'n': conns = atoi(optarg); break;
		case 'b': L->bidders = atoi(optarg); break;
		case 'k': L->per_bidder = atoi(optarg); break;
		case 'P': L->presign = atoi(optarg); break;
		case 's': L->size = (size_t)atol(optarg); break;
		case 't': L->template_file = optarg; break;
		case 'p': L->path = optarg; break;
		case 'i': L->pid = atol(optarg); break;
		case 'H': L->hold_s = atoi(optarg); break;
		case 'F': L->want_phase = optarg; break;
		case 'T': L->tender_file = optarg; break;
		case 'D': L->distinct = 1; break;
		case 'E': use_lean = 1; break;
		case 'S': L->split = 1; break;
		case 'Y': L->mimic = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	sc = argv[optind];
	if (strcmp(sc, "hot-auction") == 0) L->sc = SC_HOT;
	else if (strcmp(sc, "deadline-surge") == 0) L->sc = SC_SURGE;
	else if (strcmp(sc, "raw-100k") == 0) L->sc = SC_RAW;
	else if (strcmp(sc, "keepalive") == 0) L->sc = SC_KEEPALIVE;
	else if (strcmp(sc, "idle") == 0) L->sc = SC_IDLE;
	else if (strcmp(sc, "mixed") == 0) L->sc = SC_MIXED;
	else {
		usage(stderr);
		return 2;
	}
	L->scname = sc;
	L->conns = conns > 0 ? conns : L->sc == SC_IDLE ? 10000 : 32;
	if (strcmp(L->want_phase, "listing") != 0 &&
	    strcmp(L->want_phase, "auction") != 0 &&
	    strcmp(L->want_phase, "both") != 0)
		die("--phase must be listing, auction or both", L->want_phase);
	if (L->duration_s < 1 || L->duration_s > 600 || L->conns > 100000 ||
	    L->per_bidder < 1 || L->per_bidder > 64 || L->presign < 0 ||
	    L->presign > 1000000 || L->size > ((size_t)8 << 20))
		die("an option is out of range (see --help)", NULL);
	snprintf(L->url, sizeof(L->url), "%s", url);
	snprintf(L->ca, sizeof(L->ca), "%.500s/ca.crt", L->certs);
	if ((u = evhttp_uri_parse(url)) == NULL || evhttp_uri_get_host(u) ==
	    NULL || evhttp_uri_get_port(u) <= 0)
		die("--url must be https://HOST:PORT (or http://HOST:PORT: "
		    "the public board, keepalive only)", url);
	L->plain = evhttp_uri_get_scheme(u) != NULL &&
	    strcmp(evhttp_uri_get_scheme(u), "http") == 0;
	if (L->plain && L->sc != SC_KEEPALIVE)
		die("http:// (the public board) is for the keepalive scenario "
		    "only", url);
	snprintf(L->host, sizeof(L->host), "%s", evhttp_uri_get_host(u));
	L->port = evhttp_uri_get_port(u);
	evhttp_uri_free(u);
	/* the race's connections: evhttp, or lean (see lean_send) */
	if (use_lean && L->sc != SC_HOT)
		die("--lean is for hot-auction's race", NULL);
	L->lean = use_lean;
	if (L->split && !L->lean)
		die("--split is for the lean connections (with --lean)", NULL);
	if (L->mimic && !L->lean)
		die("--mimic is for the lean connections (with --lean)", NULL);
	if (L->mimic && L->split)
		die("--mimic writes two records already (no --split)", NULL);
	if (L->lean) {
		struct addrinfo hints, *ai = NULL;
		char port[16];

		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		snprintf(port, sizeof(port), "%d", L->port);
		if (getaddrinfo(L->host, port, &hints, &ai) != 0 || ai == NULL ||
		    ai->ai_addrlen > sizeof(L->sa))
			die("cannot resolve the host of --url", L->host);
		memcpy(&L->sa, ai->ai_addr, ai->ai_addrlen);
		L->salen = ai->ai_addrlen;
		freeaddrinfo(ai);
	}
	if ((L->base = event_base_new()) == NULL)
		die("event_base_new failed", NULL);
	L->pend_tail = &L->pend;
	if (L->mimic && (L->reply_ev = event_new(L->base, -1, 0, reply_cb,
	    L)) == NULL)
		die("event_new failed", NULL);
	L->high_n = -1;
	L->leader = -1;
	switch (L->sc) {
	case SC_HOT: scenario_hot(L); break;
	case SC_SURGE: scenario_surge(L); break;
	case SC_RAW: scenario_raw(L); break;
	case SC_KEEPALIVE: scenario_keepalive(L); break;
	case SC_IDLE: scenario_idle(L); break;
	case SC_MIXED: scenario_mixed(L); break;
	}
	fflush(stdout);
	/* Exit without tearing down thousands of connections one by one:
	 * the kernel closes the sockets; every buffer dies with the process. */
	_exit(0);
}
