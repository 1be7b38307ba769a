/*
 * tests/bench/opening_bench.c
 *    Opening N sealed 100 KiB bids (issue 9): wall time of the opening as
 *    ebidd runs it (protocol/opening.c: combine the shares, then for every
 *    bid decrypt, check the commitment and the inner signature, parse and
 *    validate the bid) on 1 thread, on 2 threads each opening half the
 *    bids, and as ebidd's pipeline (eb_opening_open_par: this thread
 *    decrypts, 2 threads check the bids decrypted meanwhile), against the
 *    summed CPU cost of the crypto alone (eb_bid_open per bid) divided over
 *    the 2 cores.  The process CPU time of each run is printed too: on a
 *    shared machine it says what the wall time cannot.
 *
 *    opening_bench [N]        (default 10000; everything made in memory)
 *
 *    OB_PARSE_ONLY=1: only the parse + XSD of the bid, N times (for a
 *    profiler: callgrind without the crypto), parse_only_us printed.
 *    OB_RUNS=1hp (default): which openings to run (1 thread, halves,
 *    pipeline); OB_NO_HOLD=1: no room held in the trust's cache of
 *    verified signers (as ebidd before the fourth pass of issue 17: with
 *    more bidders than the cache holds, every opening verifies every
 *    bidder's chain again).  The per-bid stages of the crypto pass
 *    (stage_*_us: base64, decryption, commitment + inner signature +
 *    chain; then, not summed into the crypto, the parse + XSD, and the
 *    base64 of the inner DER, which the record's writer makes since the
 *    tenth pass, not the opening) and the cache's hits and misses are
 *    printed, and
 *    the ratios against the crypto with every chain cached
 *    (crypto_cached_sum_s, *_cached: the crypto the openings pay; the
 *    row's ratio sums each chain's verification into the crypto).
 *    What the run shared the machine with: for the crypto pass and each
 *    opening, the kernel's part (sys_*_s, minflt_*, us_per_fault_*: the
 *    records' page faults), the CPU other processes used meanwhile
 *    (others_cpu_*_s, from /proc/stat), and the cached crypto of up to
 *    2,000 bids timed again after the openings (crypto_drift: the
 *    machine moved between the baseline and the openings).
 *    The pipeline's record in pages a bid (record_pages_per_bid:
 *    mallinfo2's bytes in use when its opening returned, the faults it
 *    cannot avoid) beside its faults a bid (minflt_per_bid_2threads),
 *    and the process's VmRSS once every record is freed (rss_after_kib:
 *    what malloc kept).  lean_compile_ms: the first parse of the bid,
 *    which makes the lean schema's lazy compile (xml.h), untimed.
 *
 * Prints key=value lines for tests/bench/run and a small table.  Not a
 * CTest.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocol/certcache.h"
#include "protocol/cms.h"
#include "protocol/hash.h"
#include "protocol/keysplit.h"
#include "protocol/opening.h"
#include "protocol/xml.h"
#include "tests/unit/testpki.h"

#define TENDER "T-BENCH-0001"

static double
now_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
load_bid(const struct eb_schema *schema, size_t *len)
{
	char path[1024];
	struct eb_buf b = EB_BUF_INIT, out = EB_BUF_INIT, pad = EB_BUF_INIT;
	struct eb_doc *d = NULL, *tech;
	struct eb_error err;
	FILE *f;
	char chunk[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/bids/bid-1-quancheng.xml",
	    EB_SRC_DIR);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (eb_buf_append(&b, chunk, n) != EB_OK)
			break;
	fclose(f);
	if (eb_xml_parse(schema, NULL, b.data, b.len, &d, &err) != EB_OK) {
		fprintf(stderr, "opening_bench: %s: %s\n", path, err.primary);
		return NULL;
	}
	eb_doc_set_attr(d, "tender", TENDER);
	/* pad the technical response to make the document about 100 KiB */
	tech = eb_doc_child(d, "technical");
	if (tech != NULL) {
		if (eb_buf_puts(&pad, eb_doc_text(tech)) != EB_OK)
			return NULL;
		while (pad.len < 96 * 1024)
			if (eb_buf_puts(&pad, " The pipeline is renewed in "
			    "sections with temporary supply kept for every "
			    "household during the works.") != EB_OK)
				return NULL;
		eb_doc_set_text(tech, eb_buf_str(&pad));
	}
	if (eb_xml_write(d, 0, &out) != EB_OK)
		return NULL;
	eb_doc_free(d);
	eb_buf_free(&b);
	eb_buf_free(&pad);
	return (char *)eb_buf_steal(&out, len);
}

struct slice {
	const struct eb_trust *trust;
	const struct eb_schema *schema;
	X509 *server_cert, *opening_cert;
	EVP_PKEY *server_key;
	const char *const *shares;
	const struct eb_held_bid *bids;
	size_t n;
	unsigned threads;       /* >0: the pipeline, with this many checkers */
	int opened;
	int rc;
	double own_cpu;         /* this thread's CPU (the pipeline's decryptor) */
	size_t heap_after;      /* heap_in_use() with the record still held */
};

/* The bytes malloc has handed out and not had back, every arena and
 * mmapped chunk: before and after an opening (its record still held),
 * the record's own memory, the pages it must fault in at least. */
static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void *
open_slice(void *arg)
{
	struct slice *s = arg;
	struct eb_doc *cmd = NULL, *r;
	struct eb_error err;
	double c0 = now_s(CLOCK_THREAD_CPUTIME_ID);

	s->rc = eb_opening_open_n(s->trust, s->schema, s->server_cert,
	    s->server_key, s->opening_cert, TENDER, s->shares, 2, 2, s->bids,
	    s->n, 0, s->threads, &cmd, &err);
	s->own_cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	s->heap_after = heap_in_use();
	if (s->rc != EB_OK)
		fprintf(stderr, "opening_bench: %s\n", err.primary);
	eb_doc_foreach(r, cmd, "bid-result")
		if (strcmp(eb_doc_attr(r, "status"), "opened") == 0)
			s->opened++;
	eb_doc_free(cmd);
	return NULL;
}

/* Open all bids on 'threads' threads (each a slice; 'pipe' checkers in
 * each); returns the wall time, *cpu the process CPU time. */
static double own_cpu_last;

/* The kernel's share of a run (getrusage): system CPU and minor page
 * faults.  The opening's records grow to gigabytes (10,000 bids: each
 * result holds the bid's tree and its inner SignedData's DER: doc.h, text
 * held as bytes, since issue 17's tenth pass), and on
 * a virtual machine whose freed memory goes back to the host (free page
 * reporting) every first touch of a page is a fault the process pays. */
struct usage {
	double user, sys;
	long minflt;
	double busy, steal;     /* the machine's (/proc/stat), all cores */
};

/* The machine's busy and stolen CPU seconds so far, every core
 * (/proc/stat: user nice system idle iowait irq softirq steal); 0 when
 * unreadable. */
static void
machine_cpu(double *busy, double *steal)
{
	unsigned long long v[8] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");

	*busy = *steal = 0;
	if (f == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8 && hz > 0) {
		*busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
		    (double)hz;
		*steal = (double)v[7] / (double)hz;
	}
	fclose(f);
}

static void
usage_now(int who, struct usage *u)
{
	struct rusage ru;

	machine_cpu(&u->busy, &u->steal);
	getrusage(who, &ru);
	u->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	u->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	u->minflt = ru.ru_minflt;
}

static void
usage_since(int who, const struct usage *u0, struct usage *d)
{
	struct usage u1;

	usage_now(who, &u1);
	d->user = u1.user - u0->user;
	d->sys = u1.sys - u0->sys;
	d->minflt = u1.minflt - u0->minflt;
	d->busy = u1.busy - u0->busy;
	d->steal = u1.steal - u0->steal;
}

/* What a run left to others: the machine's busy CPU beside this
 * process's own (never below 0: the two clocks tick differently). */
static double
usage_others(const struct usage *d)
{
	double o = d->busy - d->user - d->sys;

	return o > 0 ? o : 0;
}

/* The kernel's cost of one page fault of the run, in microseconds. */
static double
usage_us_per_fault(const struct usage *d)
{
	return d->minflt > 0 ? d->sys * 1e6 / (double)d->minflt : 0;
}

static struct usage usage_last;

/* This process's VmRSS or VmHWM in KiB (/proc/self/status), 0 if
 * unreadable. */
static long
status_kib(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}
static size_t heap_before_last, record_bytes_last;

static double
open_all(struct slice *tmpl, size_t n, int threads, unsigned pipe,
    int *opened, double *cpu)
{
	pthread_t th[8];
	struct slice sl[8];
	struct usage u0;
	double c0, t0;

	heap_before_last = heap_in_use();
	usage_now(RUSAGE_SELF, &u0);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now_s(CLOCK_MONOTONIC);
	size_t per = (n + (size_t)threads - 1) / (size_t)threads, off = 0;
	int i;

	*opened = 0;
	for (i = 0; i < threads; i++) {
		sl[i] = *tmpl;
		sl[i].bids = tmpl->bids + off;
		sl[i].n = off + per <= n ? per : n - off;
		sl[i].threads = pipe;
		off += sl[i].n;
		pthread_create(&th[i], NULL, open_slice, &sl[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		*opened += sl[i].opened;
	}
	own_cpu_last = threads > 0 ? sl[0].own_cpu : 0.0;
	/* one slice (the pipeline): its record's bytes */
	record_bytes_last = threads == 1 && sl[0].heap_after > heap_before_last ?
	    sl[0].heap_after - heap_before_last : 0;
	*cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	usage_since(RUSAGE_SELF, &u0, &usage_last);
	return now_s(CLOCK_MONOTONIC) - t0;
}

/*
 * The crypto of bids [0, m) again, every signer's chain cached (the
 * crypto the openings pay): base64, decryption, commitment and inner
 * signature, CPU of this thread; *inner_s gets the commitment + inner
 * signature part.  Run before and after the openings: the two say
 * whether the cores were the same machine for the crypto and for the
 * openings (another session's load, the caches it thrashes, move CPU
 * times too).
 */
static double
crypto_cached_pass(const struct eb_trust *trust, X509 *oc, EVP_PKEY *key,
    char **envs, char (*coms)[EB_SHA256_HEX], size_t m, double *inner_s)
{
	double all = 0;
	size_t i;

	*inner_s = 0;
	for (i = 0; i < m; i++) {
		uint8_t *env = NULL, *bx = NULL, *in = NULL;
		uint8_t commit[EB_SHA256_LEN];
		size_t el = 0, bl = 0, il = 0;
		X509 *signer = NULL;
		struct eb_error err;
		double t0, t1;

		t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
		if (eb_base64_decode(envs[i], strlen(envs[i]), &env, &el) !=
		    EB_OK || eb_unhex32(coms[i], commit) != 0 ||
		    eb_cms_decrypt(oc, key, env, el, &in, &il, &err) != EB_OK)
			exit(2);
		t1 = now_s(CLOCK_THREAD_CPUTIME_ID);
		if (eb_bid_check_inner(trust, in, il, commit, 0, &bx, &bl,
		    &signer, &err) != EB_OK)
			exit(2);
		*inner_s += now_s(CLOCK_THREAD_CPUTIME_ID) - t1;
		all += now_s(CLOCK_THREAD_CPUTIME_ID) - t0;
		free(in);
		free(env);
		free(bx);
		X509_free(signer);
	}
	return all;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 10000;
	struct eb_testpki pki;
	struct eb_tp_party server, *bidders;
	struct eb_custodian cus[3];
	struct eb_held_bid *bids;
	struct eb_doc *setup = NULL, *sh;
	struct eb_schema *schema;
	struct eb_error err;
	struct slice tmpl;
	char **envs, (*coms)[EB_SHA256_HEX], *shares[2] = { NULL, NULL };
	char subj[160];
	uint8_t *der = NULL;
	const uint8_t *p;
	size_t xlen = 0, len = 0, i;
	char *xml;
	X509 *oc;
	double c0, crypto_cpu, seal_cpu, wall1, wall2, wallp;
	double cpu1, cpu2, cpup;
	double st_b64dec = 0, st_decrypt = 0, st_inner = 0, st_parse = 0;
	double st_b64enc = 0, st_inner_cached = 0, crypto_cached;
	size_t ncached;
	double decrypt_cpu = 0;
	size_t record_bytes = 0;
	struct eb_certcache_stats cs0, cs1;
	int o1, o2, op, k = 0;
	struct usage uc0, ucrypto, u1 = { 0 }, uh = { 0 }, up = { 0 };
	double cc_before, cc_after;
	EVP_PKEY *okey = NULL;

	if (n == 0 || eb_testpki_init(&pki) != 0)
		exit(2);
	eb_xml_init();
	eb_xml_lean_schema(1);            /* as ebidd loads it */
	if ((schema = eb_schema_load(EB_SRC_DIR "/protocol/xsd/ebid.xsd",
	    &err)) == NULL || (xml = load_bid(schema, &xlen)) == NULL) {
		fprintf(stderr, "opening_bench: cannot make the bid\n");
		exit(2);
	}
	{
		/* the lean schema's compile is lazy (xml.h): made here by
		 * the first 100 KiB bid, as in ebidd by the sealed bids'
		 * submissions before their opening, not in a timed pass */
		struct eb_doc *bd = NULL;
		double t0 = now_s(CLOCK_THREAD_CPUTIME_ID);

		if (eb_xml_parse(schema, NULL, (const uint8_t *)xml, xlen, &bd,
		    &err) != EB_OK)
			exit(2);
		eb_doc_free(bd);
		printf("lean_compile_ms=%.1f\nlean_compiled=%d\n",
		    (now_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e3,
		    eb_schema_lean_compiled(schema));
	}
	if (getenv("OB_PARSE_ONLY") != NULL) {
		/* the parse + XSD of the bid alone, n times (for a profiler) */
		double t0 = now_s(CLOCK_THREAD_CPUTIME_ID);

		for (i = 0; i < n; i++) {
			struct eb_doc *bd = NULL;

			if (eb_xml_parse(schema, NULL, (const uint8_t *)xml, xlen,
			    &bd, &err) != EB_OK)
				exit(2);
			eb_doc_free(bd);
		}
		printf("parse_only_us=%.1f\n", (now_s(CLOCK_THREAD_CPUTIME_ID) -
		    t0) * 1e6 / (double)n);
		return 0;
	}
	server.key = eb_testpki_ec_key();
	server.cert = eb_testpki_issue(pki.ca.cert, pki.ca.key, server.key,
	    "/O=Centre/OU=system/UID=ebidd/serialNumber=SYS/CN=ebidd",
	    pki.now_ms - EB_TP_DAY, pki.now_ms + EB_TP_DAY, EB_TP_PARTY);
	for (i = 0; i < 3; i++) {
		cus[i].party = i == 0 ? "custodian1" : i == 1 ? "custodian2" :
		    "custodian3";
		cus[i].cert = pki.custodian[i].cert;
	}
	if (eb_opening_setup(server.cert, server.key, TENDER, pki.now_ms,
	    pki.now_ms + EB_TP_DAY, cus, 3, 2, &setup, &err) != EB_OK)
		exit(2);
	if (eb_base64_decode(eb_doc_child_text(setup, "certificate"),
	    strlen(eb_doc_child_text(setup, "certificate")), &der, &len) !=
	    EB_OK)
		exit(2);
	p = der;
	oc = d2i_X509(NULL, &p, (long)len);
	free(der);
	eb_doc_foreach(sh, setup, "share") {
		int c = strcmp(eb_doc_attr(sh, "custodian"), "custodian1") == 0 ?
		    0 : strcmp(eb_doc_attr(sh, "custodian"), "custodian3") == 0 ?
		    2 : -1;

		if (c < 0)
			continue;
		if (eb_share_reseal(pki.custodian[c].cert, pki.custodian[c].key,
		    server.cert, eb_doc_text(sh), &shares[k++], &err) != EB_OK)
			exit(2);
	}
	if (k != 2) {
		fprintf(stderr, "opening_bench: custodian1 and custodian3 hold "
		    "no share of the opening key\n");
		exit(2);
	}
	bidders = calloc(n, sizeof(*bidders));
	bids = calloc(n, sizeof(*bids));
	envs = calloc(n, sizeof(*envs));
	coms = calloc(n, sizeof(*coms));
	if (bidders == NULL || bids == NULL || envs == NULL || coms == NULL)
		exit(2);
	fprintf(stderr, "opening_bench: %zu bidders, bid %zu bytes: making "
	    "certificates and sealing...\n", n, xlen);
	seal_cpu = 0;
	for (i = 0; i < n; i++) {
		uint8_t *env = NULL, commit[EB_SHA256_LEN];
		size_t envlen = 0;

		snprintf(subj, sizeof(subj), "/O=Bidder %zu/OU=bidder/UID=b%zu/"
		    "serialNumber=P-%zu/CN=Bidder %zu", i, i, i, i);
		bidders[i].key = eb_testpki_ec_key();
		bidders[i].cert = eb_testpki_issue(pki.ca.cert, pki.ca.key,
		    bidders[i].key, subj, pki.now_ms - EB_TP_DAY,
		    pki.now_ms + EB_TP_DAY, EB_TP_PARTY);
		c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
		if (eb_bid_seal(bidders[i].cert, bidders[i].key, oc,
		    (const uint8_t *)xml, xlen, &env, &envlen, commit, &err) !=
		    EB_OK || eb_base64_encode(env, envlen, &envs[i]) != EB_OK)
			exit(2);
		seal_cpu += now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
		eb_hex32(commit, coms[i]);
		snprintf(subj, sizeof(subj), "b%zu", i);
		bids[i].bidder = strdup(subj);
		bids[i].commitment = coms[i];
		bids[i].envelope_b64 = envs[i];
		free(env);
	}
	/* the bidders' keys did their work (sealing) */
	for (i = 0; i < n; i++) {
		X509_free(bidders[i].cert);
		EVP_PKEY_free(bidders[i].key);
	}
	free(bidders);
	bidders = NULL;
	/* the crypto alone: eb_bid_open of every bid, one thread, CPU time */
	{
		EVP_PKEY *key = NULL;
		uint8_t *s0 = NULL, *s1 = NULL;
		size_t l0 = 0, l1 = 0;
		const uint8_t *sp[2];
		size_t sl[2];

		/* combine the key once, as the opening does */
		for (int j = 0; j < 2; j++) {
			uint8_t *sealed = NULL;
			size_t slen = 0;

			if (eb_base64_decode(shares[j], strlen(shares[j]), &sealed,
			    &slen) != EB_OK || eb_cms_decrypt(server.cert,
			    server.key, sealed, slen, j ? &s1 : &s0, j ? &l1 : &l0,
			    &err) != EB_OK)
				exit(2);
			free(sealed);
		}
		sp[0] = s0;
		sp[1] = s1;
		sl[0] = l0;
		sl[1] = l1;
		if ((key = eb_shares_combine(oc, sp, sl, 2, 2, &err)) == NULL)
			exit(2);
		/* ebidd's opening holds room for every bidder in the trust's
		 * cache of verified signers (engine/server/opening.c): its
		 * re-verification of the logged submit-bid commands verifies
		 * each bidder's chain, the opening finds it there.  Here the
		 * crypto pass below verifies each chain (cache misses, summed
		 * into the crypto) and the openings find them. */
		if (getenv("OB_NO_HOLD") == NULL)
			eb_trust_cache_hold(pki.trust, n);
		usage_now(RUSAGE_THREAD, &uc0);
		for (i = 0; i < n; i++) {
			uint8_t *env = NULL, *bx = NULL, *in = NULL;
			uint8_t commit[EB_SHA256_LEN];
			size_t el = 0, bl = 0, il = 0;
			X509 *signer = NULL;
			struct eb_doc *bd = NULL;
			char *ib = NULL;
			double t0, t1, t2, t3, t4, t5;

			t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
			if (eb_base64_decode(envs[i], strlen(envs[i]), &env, &el) !=
			    EB_OK || eb_unhex32(coms[i], commit) != 0)
				exit(2);
			t1 = now_s(CLOCK_THREAD_CPUTIME_ID);
			/* eb_bid_open(): decrypt, then commitment and inner
			 * signature (with the signer's chain) */
			if (eb_cms_decrypt(oc, key, env, el, &in, &il, &err) !=
			    EB_OK)
				exit(2);
			t2 = now_s(CLOCK_THREAD_CPUTIME_ID);
			if (eb_bid_check_inner(pki.trust, in, il, commit, 0, &bx,
			    &bl, &signer, &err) != EB_OK)
				exit(2);
			t3 = now_s(CLOCK_THREAD_CPUTIME_ID);
			/* what the opening does beyond the crypto (not summed
			 * into the crypto): the parse + XSD; and the record's
			 * base64, which the record's writer makes now (doc.h:
			 * the pipeline hands the DER over), timed for it */
			if (eb_xml_parse(schema, NULL, bx, bl, &bd, &err) != EB_OK)
				exit(2);
			t4 = now_s(CLOCK_THREAD_CPUTIME_ID);
			if (eb_base64_encode(in, il, &ib) != EB_OK)
				exit(2);
			t5 = now_s(CLOCK_THREAD_CPUTIME_ID);
			st_b64dec += t1 - t0;
			st_decrypt += t2 - t1;
			st_inner += t3 - t2;
			st_parse += t4 - t3;
			st_b64enc += t5 - t4;
			eb_doc_free(bd);
			free(ib);
			free(in);
			free(env);
			free(bx);
			X509_free(signer);
		}
		usage_since(RUSAGE_THREAD, &uc0, &ucrypto);
		crypto_cpu = st_b64dec + st_decrypt + st_inner;
		/* the commitment and inner signature again, each signer's
		 * chain now cached (when the cache has room for them all), on
		 * up to 2,000 bids: the crypto the openings below pay */
		ncached = n < 2000 ? n : 2000;
		cc_before = crypto_cached_pass(pki.trust, oc, key, envs, coms,
		    ncached, &st_inner_cached);
		okey = key;
		free(s0);
		free(s1);
	}
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.trust = pki.trust;
	tmpl.schema = schema;
	tmpl.server_cert = server.cert;
	tmpl.server_key = server.key;
	tmpl.opening_cert = oc;
	tmpl.shares = (const char *const *)shares;
	tmpl.bids = bids;
	eb_trust_cache_stats(pki.trust, &cs0);
	{
		const char *runs = getenv("OB_RUNS");

		if (runs == NULL)
			runs = "1hp";

		wall1 = wall2 = wallp = cpu1 = cpu2 = cpup = 0;
		o1 = o2 = op = (int)n;
		if (strchr(runs, '1')) {
			wall1 = open_all(&tmpl, n, 1, 0, &o1, &cpu1);
			u1 = usage_last;
		}
		if (strchr(runs, 'h')) {
			wall2 = open_all(&tmpl, n, 2, 0, &o2, &cpu2);
			uh = usage_last;
		}
		if (strchr(runs, 'p')) {
			wallp = open_all(&tmpl, n, 1, 2, &op, &cpup);
			decrypt_cpu = own_cpu_last;
			up = usage_last;
			record_bytes = record_bytes_last;
		}
	}
	eb_trust_cache_stats(pki.trust, &cs1);
	{
		double unused;

		cc_after = crypto_cached_pass(pki.trust, oc, okey, envs, coms,
		    ncached, &unused);
	}
	EVP_PKEY_free(okey);
	printf("bids=%zu\n", n);
	printf("stage_b64_decode_us=%.1f\nstage_decrypt_us=%.1f\n"
	    "stage_inner_us=%.1f\nstage_parse_xsd_us=%.1f\n"
	    "stage_b64_encode_us=%.1f\n", st_b64dec * 1e6 / (double)n,
	    st_decrypt * 1e6 / (double)n, st_inner * 1e6 / (double)n,
	    st_parse * 1e6 / (double)n, st_b64enc * 1e6 / (double)n);
	/* the crypto with every chain cached, as the openings find it */
	crypto_cached = crypto_cpu - st_inner + st_inner_cached /
	    (double)ncached * (double)n;
	printf("stage_inner_cached_us=%.1f\n", st_inner_cached * 1e6 /
	    (double)ncached);
	printf("crypto_cached_sum_s=%.3f\n", crypto_cached);
	printf("cpu_ratio_cached=%.2f\n", cpup / crypto_cached);
	printf("ratio_2threads_cached=%.2f\n", wallp / (crypto_cached / 2));
	/* the pipeline's decrypting thread: its critical path on 2 cores
	 * when above half the pipeline's CPU */
	printf("cpu_2threads_decrypt_s=%.3f\n", decrypt_cpu);
	printf("certcache_hits=%llu\ncertcache_misses=%llu\n",
	    (unsigned long long)(cs1.hits - cs0.hits),
	    (unsigned long long)(cs1.misses - cs0.misses));
	printf("bid_bytes=%zu\n", xlen);
	printf("seal_us=%.1f\n", seal_cpu * 1e6 / (double)n);
	printf("crypto_open_us=%.1f\n", crypto_cpu * 1e6 / (double)n);
	printf("crypto_sum_s=%.3f\n", crypto_cpu);
	printf("wall_1thread_s=%.3f\ncpu_1thread_s=%.3f\n", wall1, cpu1);
	printf("wall_halves_s=%.3f\ncpu_halves_s=%.3f\n", wall2, cpu2);
	printf("wall_2threads_s=%.3f\ncpu_2threads_s=%.3f\n", wallp, cpup);
	printf("opened_1=%d\nopened_halves=%d\nopened_2=%d\n", o1, o2, op);
	/* the kernel's part: system CPU and minor faults of the crypto pass
	 * (its thread, the stages' parse and base64 included) and of each
	 * opening (the process) */
	printf("sys_crypto_s=%.3f\nminflt_crypto=%ld\n", ucrypto.sys,
	    ucrypto.minflt);
	printf("sys_1thread_s=%.3f\nminflt_1thread=%ld\nus_per_fault_1thread="
	    "%.2f\n", u1.sys, u1.minflt, usage_us_per_fault(&u1));
	printf("sys_halves_s=%.3f\nminflt_halves=%ld\nus_per_fault_halves="
	    "%.2f\n", uh.sys, uh.minflt, usage_us_per_fault(&uh));
	printf("sys_2threads_s=%.3f\nminflt_2threads=%ld\n"
	    "us_per_fault_2threads=%.2f\n", up.sys, up.minflt,
	    usage_us_per_fault(&up));
	printf("us_per_fault_crypto=%.2f\n", usage_us_per_fault(&ucrypto));
	/* the pipeline's record in pages a bid (mallinfo2: held when its
	 * opening returned), the faults it cannot avoid; the rest of
	 * minflt_2threads is malloc giving memory back and taking it again */
	/* what the process keeps once the records are freed (glibc's
	 * trimming: a malloc setting that keeps freed memory shows here) */
	printf("rss_after_kib=%ld\nhwm_kib=%ld\n", status_kib("VmRSS"),
	    status_kib("VmHWM"));
	printf("record_pages_per_bid=%.1f\nminflt_per_bid_2threads=%.1f\n",
	    (double)record_bytes / 4096.0 / (double)n, (double)up.minflt /
	    (double)n);
	/* the cores this process did not have: what else ran during each
	 * opening (other processes' CPU, and what the host took) */
	printf("others_cpu_1thread_s=%.3f\nothers_cpu_halves_s=%.3f\n"
	    "others_cpu_2threads_s=%.3f\nsteal_2threads_s=%.3f\n",
	    usage_others(&u1), usage_others(&uh), usage_others(&up), up.steal);
	printf("others_cpu_crypto_s=%.3f\n", usage_others(&ucrypto));
	/* the same crypto (chains cached, the first ncached bids) before and
	 * after the openings: far from 1.00, the machine changed between the
	 * crypto the ratios divide by and the openings */
	printf("crypto_cached_before_us=%.1f\ncrypto_cached_after_us=%.1f\n"
	    "crypto_drift=%.2f\n", cc_before * 1e6 / (double)ncached,
	    cc_after * 1e6 / (double)ncached, cc_before > 0 ? cc_after /
	    cc_before : 0);
	printf("ratio_halves=%.2f\n", wall2 / (crypto_cpu / 2));
	printf("ratio_2threads=%.2f\n", wallp / (crypto_cpu / 2));
	printf("cpu_ratio=%.2f\n", cpup / crypto_cpu);
	printf("\n| opening %zu bids | wall | CPU | summed crypto / cores | "
	    "ratio |\n| --- | --- | --- | --- | --- |\n"
	    "| 1 thread | %.2f s | %.2f s | %.2f s | %.2f |\n"
	    "| 2 threads, a half each | %.2f s | %.2f s | %.2f s | %.2f |\n"
	    "| pipeline: decrypt + 2 checkers | %.2f s | %.2f s | %.2f s | "
	    "%.2f |\n", n, wall1, cpu1, crypto_cpu, wall1 / crypto_cpu, wall2,
	    cpu2, crypto_cpu / 2, wall2 / (crypto_cpu / 2), wallp, cpup,
	    crypto_cpu / 2, wallp / (crypto_cpu / 2));
	for (i = 0; i < n; i++) {
		free((void *)bids[i].bidder);
		free(envs[i]);
	}
	free(bids);
	free(envs);
	return o1 == (int)n && o2 == (int)n && op == (int)n ? 0 : 1;
}
