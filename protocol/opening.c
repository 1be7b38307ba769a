/*
 * protocol/opening.c
 *    The opening's system commands: see opening.h.
 */
#include "opening.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "protocol/cms.h"
#include "protocol/envstream.h"
#include "protocol/hash.h"
#include "protocol/keysplit.h"
#include "protocol/mem.h"

/* Bid documents are at most this large once decrypted. */
#define EB_BID_MAX ((size_t)8 << 20)

/* A child of 'parent' whose text is the base64 of p[0..n), encoded once
 * and handed to the tree (a 100 KiB bid's inner document is 139 KB of
 * base64: not copied again). */
static void
add_b64(struct eb_doc *parent, const char *name, const uint8_t *p, size_t n)
{
	char *b = NULL;

	if (eb_base64_encode(p, n, &b) == EB_OK)
		eb_doc_add(parent, name)->text = b;
}

int
eb_opening_setup(X509 *issuer_cert, EVP_PKEY *issuer_key,
    const char *tender_id, int64_t now_ms, int64_t until_ms,
    const struct eb_custodian *custodians, size_t n, unsigned k,
    struct eb_doc **cmd, struct eb_error *err)
{
	struct eb_opening_key ok;
	STACK_OF(X509) *sk = NULL;
	struct eb_doc *d = NULL, *s;
	uint8_t *der = NULL;
	size_t i;
	int rc, len;

	*cmd = NULL;
	memset(&ok, 0, sizeof(ok));
	if ((sk = sk_X509_new_null()) == NULL)
		eb_oom("the custodians' certificates", 0);
	for (i = 0; i < n; i++)
		if (!sk_X509_push(sk, custodians[i].cert))
			eb_oom("the custodians' certificates", 0);
	rc = eb_opening_key_create(issuer_cert, issuer_key, tender_id, now_ms,
	    until_ms, sk, k, &ok, err);
	sk_X509_free(sk);
	if (rc != EB_OK)
		return rc;
	if ((len = i2d_X509(ok.cert, &der)) <= 0) {
		rc = eb_fail(err, EB_ERR_CRYPTO, "opening-key", NULL,
		    "cannot encode the opening certificate");
		goto out;
	}
	d = eb_doc_new("set-opening-key");
	eb_doc_set_attr(d, "tender", tender_id);
	add_b64(d, "certificate", der, (size_t)len);
	for (i = 0; i < ok.n && i < n; i++) {
		char *b = NULL;

		if ((rc = eb_base64_encode(ok.sealed[i], ok.sealed_len[i],
		    &b)) != EB_OK)
			goto out;
		s = eb_doc_add_text(d, "share", b);
		eb_doc_set_attr(s, "custodian", custodians[i].party);
		free(b);
	}
	*cmd = d;
	d = NULL;
	rc = EB_OK;
out:
	OPENSSL_free(der);
	eb_doc_free(d);
	eb_opening_key_clear(&ok);
	return rc;
}

/*
 * The key record of a streamed envelope, unwrapped by the opening's
 * 'decrypt' (the key process's, engine/server/keyproc.c): its header is a
 * CMS envelope like a small bid's.  A failure of ours (EB_ERR_INTERNAL:
 * the key process is gone) is kept apart from the bidder's.
 */
struct unwrap_via {
	eb_opening_decrypt_fn decrypt;
	void *ctx;
	int ours;
	struct eb_error err;
};

static int
unwrap_via_decrypt(void *arg, const uint8_t *hdr, size_t hdrlen,
    uint8_t rec[64], size_t *reclen, struct eb_error *err)
{
	struct unwrap_via *uv = arg;
	uint8_t *out = NULL;
	size_t n = 0;
	int rc;

	if ((rc = uv->decrypt(uv->ctx, hdr, hdrlen, &out, &n, err)) !=
	    EB_OK) {
		if (rc == EB_ERR_INTERNAL) {
			uv->ours = 1;
			if (err != NULL)
				uv->err = *err;
		}
		return rc;
	}
	if (n > 64) {
		OPENSSL_cleanse(out, n);
		free(out);
		return eb_fail(err, EB_ERR_FORMAT, "malformed-envelope", NULL,
		    "the key record is %zu bytes", n);
	}
	memcpy(rec, out, n);
	*reclen = n;
	OPENSSL_cleanse(out, n);
	free(out);
	return EB_OK;
}

/*
 * One bid between the two stages of the opening: what the decryption
 * stage produced (the inner SignedData, or for a streamed bid the bid
 * document, inner and signer already checked, or the bidder's cause of
 * invalidity), then the bid-result the check stage built from it.
 */
struct opened {
	uint8_t commit[EB_SHA256_LEN];
	uint8_t *env;                /* the envelope's DER, prepared */
	size_t envlen;
	int prep;                    /* 0, 1 being prepared, 2 prepared */
	uint8_t *inner, *xml;
	size_t innerlen, xmllen;
	X509 *scert;
	int checked;                 /* streamed: xml and scert are checked */
	int missing;                 /* ours: the store lost the envelope */
	char cause[sizeof(((struct eb_error *)0)->reason)];
	struct eb_doc *r;            /* the <bid-result>, by the check stage */
};

/*
 * Free what the decryption gave.  'recorded': the bid was opened, its
 * document and inner SignedData are in the record now (public once it
 * is logged), so wiping them protects nothing; an invalid bid's
 * plaintext is wiped.
 */
static void
opened_clear_as(struct opened *o, int recorded)
{
	X509_free(o->scert);
	free(o->env);                /* sealed: nothing to wipe */
	o->env = NULL;
	if (o->xml != NULL && !recorded)
		OPENSSL_cleanse(o->xml, o->xmllen);
	free(o->xml);
	if (o->inner != NULL && !recorded)
		OPENSSL_cleanse(o->inner, o->innerlen);
	free(o->inner);
	o->scert = NULL;
	o->xml = o->inner = NULL;
}

static void
opened_clear(struct opened *o)
{
	opened_clear_as(o, 0);
}

static void
set_cause(struct opened *o, const struct eb_error *e, const char *dflt)
{
	snprintf(o->cause, sizeof(o->cause), "%s",
	    e != NULL && e->reason[0] ? e->reason : dflt);
}

/*
 * What needs no key (any thread, before the decryption): the commitment
 * read, a held envelope's base64 decoded into o->env; or the cause that
 * makes the bid invalid, or 'missing'.  The pipeline's check threads do
 * it ahead of the decrypting thread (140 KB of base64 a 100 KiB bid: a
 * tenth of that thread's work, which bounds the opening's wall time).
 */
static void
prepare_one(const struct eb_held_bid *b, struct opened *o)
{
	if (b->envelope_b64 == NULL && b->env_read == NULL) {
		o->missing = 1;
		return;
	}
	if (eb_unhex32(b->commitment, o->commit) != 0 ||
	    (b->envelope_b64 != NULL && eb_base64_decode(b->envelope_b64,
	    strlen(b->envelope_b64), &o->env, &o->envlen) != EB_OK))
		set_cause(o, NULL, "the sealed bid is not well formed");
}

/*
 * The decryption stage of one bid (where the opening key is: 'decrypt'),
 * prepared (prepare_one).  A decryption failing with EB_ERR_INTERNAL is
 * ours (the key process is gone), not the bidder's: it is returned and
 * the opening stops.
 */
static int
decrypt_one(const struct eb_trust *t, eb_opening_decrypt_fn decrypt,
    void *ctx, const struct eb_held_bid *b, int64_t at_ms, struct opened *o,
    struct eb_error *err)
{
	struct eb_error e;
	int rc;

	eb_error_clear(&e);
	if (o->missing || o->cause[0] != '\0')
		return EB_OK;
	if (b->envelope_b64 == NULL) {
		/* a large bid, streamed from the store (envstream.h); only
		 * its key record is unwrapped with the opening key */
		struct unwrap_via uv = { .decrypt = decrypt, .ctx = ctx };

		rc = eb_envs_open(t, unwrap_via_decrypt, &uv, b->env_read,
		    b->env_arg, b->env_size, o->commit, at_ms, NULL, NULL,
		    &o->xml, &o->xmllen, &o->inner, &o->innerlen, &o->scert,
		    NULL, NULL, &e);
		if (uv.ours) {
			if (err != NULL)
				*err = uv.err;
			return EB_ERR_INTERNAL;
		}
		if (rc != EB_OK) {
			opened_clear(o);
			set_cause(o, &e, "cannot-decrypt");
		} else
			o->checked = 1;
		return EB_OK;
	}
	rc = decrypt(ctx, o->env, o->envlen, &o->inner, &o->innerlen, &e);
	free(o->env);
	o->env = NULL;
	if (rc == EB_ERR_INTERNAL) {
		if (err != NULL)
			*err = e;
		return rc;
	}
	if (rc != EB_OK) {
		opened_clear(o);
		set_cause(o, &e, "cannot-decrypt");
	}
	return EB_OK;
}

/*
 * The check stage of one bid (any thread: it reads only 'o', the trust
 * and the schema): commitment and inner signature, the signer, the bid
 * document's parse and schema; builds o->r, a <bid-result> opened or
 * invalid.  Every cause here is in what the bidder sealed
 * (docs/engineering-notes.md: a decryption failure caused by the bidder
 * counts as revoking the bid); a failure of ours never reaches here (the
 * key is checked before any bid is opened).
 */
static void
check_one(const struct eb_trust *t, const struct eb_schema *schema,
    const char *tender_id, const struct eb_held_bid *b, int64_t at_ms,
    struct opened *o)
{
	struct eb_xml_limits lim = { .max_bytes = EB_BID_MAX,
	    .max_depth = 32, .max_elements = 200000 };
	struct eb_doc *bid = NULL, *r;
	struct eb_actor signer;
	struct eb_error e;
	int64_t total;
	const char *cause = NULL, *tattr;

	eb_error_clear(&e);
	r = o->r = eb_doc_new("bid-result");
	eb_doc_set_attr(r, "bidder", b->bidder);
	eb_doc_set_attr(r, "commitment", b->commitment);
	if (o->missing) {
		/* ours: the store lost it (the bidder had it accepted) */
		eb_doc_set_attr(r, "status", "invalid");
		eb_doc_set_attr(r, "cause", "stored-envelope-missing");
		eb_doc_set_attr(r, "fault", "other");
		return;
	}
	if (o->cause[0] != '\0') {
		cause = o->cause;
		goto invalid;
	}
	if (!o->checked && eb_bid_check_inner(t, o->inner, o->innerlen,
	    o->commit, at_ms, &o->xml, &o->xmllen, &o->scert, &e) != EB_OK) {
		cause = e.reason[0] ? e.reason : "cannot-decrypt";
		goto invalid;
	}
	if (eb_actor_from_cert(o->scert, &signer, &e) != EB_OK ||
	    strcmp(signer.party, b->bidder) != 0) {
		cause = "inner-signer-is-not-the-bidder";
		goto invalid;
	}
	if (eb_xml_parse(schema, &lim, o->xml, o->xmllen, &bid, &e) != EB_OK ||
	    strcmp(bid->name, "bid") != 0) {
		cause = "bid-document-invalid";
		goto invalid;
	}
	tattr = eb_doc_attr(bid, "tender");
	if (tattr == NULL || strcmp(tattr, tender_id) != 0) {
		cause = "bid-sealed-for-another-tender";
		goto invalid;
	}
	if (eb_doc_child_i64(bid, "total-price", &total) != EB_OK ||
	    total < 0) {
		cause = "bid-without-total-price";
		goto invalid;
	}
	eb_doc_set_attr(r, "status", "opened");
	eb_doc_set_attr_i64(r, "total-price", total);
	eb_doc_append(r, bid);
	bid = NULL;
	/* the inner SignedData as its DER, handed to the record, which
	 * writes its base64 when it is written (doc.h: text held as bytes;
	 * 105 KB instead of 139 KB a 100 KiB bid, and no encoding here:
	 * docs/performance.md, "Issue 17, tenth pass") */
	eb_doc_set_b64(eb_doc_add(r, "inner"), o->inner, o->innerlen);
	o->inner = NULL;
	opened_clear_as(o, 1);
	return;
invalid:
	eb_doc_set_attr(r, "status", "invalid");
	eb_doc_set_attr(r, "cause", cause);
	eb_doc_set_attr(r, "fault", "bidder");
	eb_doc_free(bid);
	opened_clear(o);
}

/*
 * The pipeline (eb_opening_open_par): the calling thread decrypts the
 * bids in order, at most 'window' ahead of the checks finished; the check
 * threads prepare (prepare_one) the next envelopes the decrypting thread
 * will need, at most PREP_AHEAD ahead of it, and check the decrypted bids
 * in order.  Under 'mu': next_dec (bids [0, next_dec) decrypted),
 * next_check, next_prep, finished, stop, each o[i].prep, and who waits.
 * The decrypting thread is the pipeline's serial stage (issue 17, seventh
 * pass: it bounded the opening's wall time while a core was idle): it
 * only decrypts, check threads wake it only when it waits, and they run
 * CHECK_NICE below its priority, so that with more threads than cores
 * the scheduler does not share its core with them equally.  In ebidd the
 * decryption is the key process's (nice 0) and this thread a worker's
 * (nice 10: engine/server/workers.c).
 */
#define PREP_AHEAD 3
#define CHECK_NICE 5

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t work;         /* check threads wait here */
	pthread_cond_t room;         /* the decrypting thread waits here */
	const struct eb_trust *t;
	const struct eb_schema *schema;
	const char *tender_id;
	const struct eb_held_bid *bids;
	struct opened *o;
	size_t n, next_dec, next_check, next_prep, finished, window;
	int64_t at_ms;
	int stop, dec_waiting, nice;
	unsigned check_waiting;
};

/* A check thread's priority: CHECK_NICE below its creator's (Linux: nice
 * is per thread); where that cannot be set, as it is. */
static void
lower_priority(int base)
{
#ifdef __linux__
	int want = base + CHECK_NICE;

	if (want > 19)
		want = 19;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), want);
#else
	(void)base;
#endif
}

static void *
checker_main(void *arg)
{
	struct pipe *p = arg;
	size_t i;

	lower_priority(p->nice);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->stop || p->next_check >= p->n)
			break;
		/* the decrypting thread's next envelopes first: it is
		 * the serial stage */
		if (p->next_prep < p->n &&
		    p->next_prep < p->next_dec + PREP_AHEAD) {
			i = p->next_prep++;
			p->o[i].prep = 1;
			pthread_mutex_unlock(&p->mu);
			prepare_one(&p->bids[i], &p->o[i]);
			pthread_mutex_lock(&p->mu);
			p->o[i].prep = 2;
			if (p->dec_waiting)
				pthread_cond_signal(&p->room);
			continue;
		}
		if (p->next_check < p->next_dec) {
			i = p->next_check++;
			pthread_mutex_unlock(&p->mu);
			check_one(p->t, p->schema, p->tender_id, &p->bids[i],
			    p->at_ms, &p->o[i]);
			pthread_mutex_lock(&p->mu);
			p->finished++;
			if (p->dec_waiting)
				pthread_cond_signal(&p->room);
			continue;
		}
		p->check_waiting++;
		pthread_cond_wait(&p->work, &p->mu);
		p->check_waiting--;
	}
	pthread_cond_broadcast(&p->work);   /* the others see the end too */
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The decrypting thread's wait for bid i: room in the window, and bid i
 * prepared (or taken to be prepared here: 1 returned). */
static int
pipe_wait(struct pipe *p, size_t i)
{
	int here = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->next_dec - p->finished < p->window &&
		    p->o[i].prep != 1)
			break;
		p->dec_waiting = 1;
		pthread_cond_wait(&p->room, &p->mu);
		p->dec_waiting = 0;
	}
	if (p->o[i].prep == 0) {
		/* no check thread came to it: prepared here */
		p->o[i].prep = 1;
		if (p->next_prep <= i)
			p->next_prep = i + 1;
		here = 1;
	}
	pthread_mutex_unlock(&p->mu);
	return here;
}

#define EB_OPENING_THREADS_MAX 16

int
eb_opening_open_par(const struct eb_trust *t,
    const struct eb_schema *schema, eb_opening_decrypt_fn decrypt,
    void *ctx, const char *tender_id, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, unsigned threads, struct eb_doc **cmd,
    struct eb_error *err)
{
	struct pipe p = { .t = t, .schema = schema, .tender_id = tender_id,
	    .bids = bids, .n = nbids, .at_ms = at_ms };
	pthread_t th[EB_OPENING_THREADS_MAX];
	unsigned started = 0;
	struct eb_doc *d;
	size_t i;
	int rc = EB_OK;

	*cmd = NULL;
	if (threads > EB_OPENING_THREADS_MAX)
		threads = EB_OPENING_THREADS_MAX;
	p.o = eb_calloc(nbids + 1, sizeof(*p.o));
	/* decrypted bids waiting for a check: bounded (each up to 8 MiB) */
	p.window = 2 * (size_t)threads + 2;
	errno = 0;
	p.nice = getpriority(PRIO_PROCESS, 0);
	if (p.nice == -1 && errno != 0)
		p.nice = 0;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.room, NULL);
	for (; started < threads; started++)
		if (pthread_create(&th[started], NULL, checker_main, &p) != 0)
			break;
	for (i = 0; i < nbids; i++) {
		if (started == 0 || pipe_wait(&p, i))
			prepare_one(&bids[i], &p.o[i]);
		if ((rc = decrypt_one(t, decrypt, ctx, &bids[i], at_ms, &p.o[i],
		    err)) != EB_OK)
			break;
		if (started == 0) {      /* no thread: check it here */
			check_one(t, schema, tender_id, &bids[i], at_ms, &p.o[i]);
			p.next_dec = p.next_check = ++p.finished;
			continue;
		}
		pthread_mutex_lock(&p.mu);
		p.o[i].prep = 2;
		p.next_dec = i + 1;
		/* one new check and one more envelope to prepare */
		if (p.check_waiting > 1)
			pthread_cond_broadcast(&p.work);
		else if (p.check_waiting > 0)
			pthread_cond_signal(&p.work);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	if (rc != EB_OK)
		p.stop = 1;      /* the checks taken finish; no more start */
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	while (started > 0)
		pthread_join(th[--started], NULL);
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.room);
	pthread_mutex_destroy(&p.mu);
	d = rc == EB_OK ? eb_doc_new("open-bids") : NULL;
	if (d != NULL)
		eb_doc_set_attr(d, "tender", tender_id);
	for (i = 0; i < nbids; i++) {
		if (d != NULL && p.o[i].r != NULL)
			eb_doc_append(d, p.o[i].r);
		else
			eb_doc_free(p.o[i].r);
		opened_clear(&p.o[i]);
	}
	free(p.o);
	*cmd = d;
	return rc;
}

int
eb_opening_key_recover(X509 *server_cert, EVP_PKEY *server_key,
    X509 *opening_cert, const char *const *sealed_shares_b64, size_t nshares,
    unsigned k, EVP_PKEY **key, struct eb_error *err)
{
	uint8_t *shares[EB_SHARES_MAX] = { NULL };
	size_t lens[EB_SHARES_MAX] = { 0 }, i, got = 0;
	int rc = EB_OK;

	*key = NULL;
	if (nshares > EB_SHARES_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-shares", NULL,
		    "%zu shares (at most %d)", nshares, EB_SHARES_MAX);
	for (i = 0; i < nshares; i++) {
		uint8_t *sealed = NULL;
		size_t slen = 0;

		if ((rc = eb_base64_decode(sealed_shares_b64[i],
		    strlen(sealed_shares_b64[i]), &sealed, &slen)) != EB_OK) {
			rc = eb_fail(err, EB_ERR_FORMAT, "share-not-base64", NULL,
			    "submitted share %zu is not base64", i + 1);
			goto out;
		}
		rc = eb_cms_decrypt(server_cert, server_key, sealed, slen,
		    &shares[got], &lens[got], err);
		free(sealed);
		if (rc != EB_OK)
			goto out;
		got++;
	}
	if ((*key = eb_shares_combine(opening_cert,
	    (const uint8_t *const *)shares, lens, got, k, err)) == NULL)
		rc = err != NULL && err->code ? err->code : EB_ERR_CRYPTO;
out:
	for (i = 0; i < got; i++) {
		OPENSSL_cleanse(shares[i], lens[i]);
		free(shares[i]);
	}
	return rc;
}

int
eb_opening_open_with(const struct eb_trust *t,
    const struct eb_schema *schema, eb_opening_decrypt_fn decrypt,
    void *ctx, const char *tender_id, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, struct eb_doc **cmd, struct eb_error *err)
{
	return eb_opening_open_par(t, schema, decrypt, ctx, tender_id, bids,
	    nbids, at_ms, 0, cmd, err);
}

struct local_key {
	X509 *cert;
	EVP_PKEY *key;
};

static int
local_decrypt(void *ctx, const uint8_t *env, size_t len, uint8_t **inner,
    size_t *innerlen, struct eb_error *err)
{
	struct local_key *lk = ctx;

	return eb_cms_decrypt(lk->cert, lk->key, env, len, inner, innerlen,
	    err);
}

int
eb_opening_open_n(const struct eb_trust *t, const struct eb_schema *schema,
    X509 *server_cert, EVP_PKEY *server_key, X509 *opening_cert,
    const char *tender_id, const char *const *sealed_shares_b64,
    size_t nshares, unsigned k, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, unsigned threads, struct eb_doc **cmd,
    struct eb_error *err)
{
	struct local_key lk = { .cert = opening_cert };
	int rc;

	*cmd = NULL;
	if ((rc = eb_opening_key_recover(server_cert, server_key,
	    opening_cert, sealed_shares_b64, nshares, k, &lk.key, err)) !=
	    EB_OK)
		return rc;
	rc = eb_opening_open_par(t, schema, local_decrypt, &lk, tender_id,
	    bids, nbids, at_ms, threads, cmd, err);
	EVP_PKEY_free(lk.key);   /* the opening key is wiped with it */
	return rc;
}

int
eb_opening_open(const struct eb_trust *t, const struct eb_schema *schema,
    X509 *server_cert, EVP_PKEY *server_key, X509 *opening_cert,
    const char *tender_id, const char *const *sealed_shares_b64,
    size_t nshares, unsigned k, const struct eb_held_bid *bids,
    size_t nbids, int64_t at_ms, struct eb_doc **cmd, struct eb_error *err)
{
	return eb_opening_open_n(t, schema, server_cert, server_key,
	    opening_cert, tender_id, sealed_shares_b64, nshares, k, bids,
	    nbids, at_ms, 0, cmd, err);
}

int
eb_share_reseal(X509 *my_cert, EVP_PKEY *my_key, X509 *server_cert,
    const char *sealed_b64, char **out_b64, struct eb_error *err)
{
	uint8_t *sealed = NULL, *share = NULL, *again = NULL;
	size_t slen = 0, sharelen = 0, alen = 0;
	STACK_OF(X509) *sk = NULL;
	int rc;

	*out_b64 = NULL;
	if ((rc = eb_base64_decode(sealed_b64, strlen(sealed_b64), &sealed,
	    &slen)) != EB_OK) {
		rc = eb_fail(err, EB_ERR_FORMAT, "share-not-base64", NULL,
		    "the sealed share is not base64");
		goto out;
	}
	if ((rc = eb_share_unseal(my_cert, my_key, sealed, slen, &share,
	    &sharelen, err)) != EB_OK)
		goto out;
	if ((sk = sk_X509_new_null()) == NULL || !sk_X509_push(sk, server_cert))
		eb_oom("the server's certificate", 0);
	if ((rc = eb_cms_encrypt(sk, share, sharelen, 0, &again, &alen,
	    err)) != EB_OK)
		goto out;
	rc = eb_base64_encode(again, alen, out_b64);
out:
	sk_X509_free(sk);
	if (share != NULL)
		OPENSSL_cleanse(share, sharelen);
	free(share);
	free(sealed);
	free(again);
	return rc;
}

int
eb_opening_check_result(const struct eb_trust *t,
    const struct eb_schema *schema, const struct eb_doc *bid_result,
    int64_t at_ms, struct eb_error *err)
{
	const struct eb_doc *inner_el = eb_doc_child(bid_result, "inner");
	const char *inner_b64 = NULL;
	const uint8_t *held;
	const char *bidder = eb_doc_attr(bid_result, "bidder");
	struct eb_xml_limits lim = { .max_bytes = EB_BID_MAX,
	    .max_depth = 32, .max_elements = 200000 };
	uint8_t *inner = NULL, *content = NULL, want[EB_SHA256_LEN];
	uint8_t got[EB_SHA256_LEN];
	size_t ilen = 0, clen = 0;
	struct eb_doc *bid = NULL;
	struct eb_actor signer;
	X509 *scert = NULL;
	int rc;

	if (inner_el != NULL && (held = eb_doc_b64(inner_el, &ilen)) != NULL) {
		/* a record built here holds the DER (doc.h) */
		inner = eb_malloc(ilen);
		memcpy(inner, held, ilen);
	} else if (inner_el != NULL)
		inner_b64 = eb_doc_text(inner_el);
	if ((inner == NULL && inner_b64 == NULL) || bidder == NULL ||
	    eb_unhex32(eb_doc_attr(bid_result, "commitment"), want) != 0) {
		free(inner);
		return eb_fail(err, EB_ERR_FORMAT, "opening-record-incomplete",
		    NULL, "an opened bid lacks its inner document or commitment");
	}
	if (inner == NULL && (rc = eb_base64_decode(inner_b64,
	    strlen(inner_b64), &inner, &ilen)) != EB_OK) {
		rc = eb_fail(err, EB_ERR_FORMAT, "opening-record-incomplete",
		    NULL, "the inner document of %s is not base64", bidder);
		goto out;
	}
	eb_sha256(inner, ilen, got);
	if (CRYPTO_memcmp(got, want, EB_SHA256_LEN) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "commitment-mismatch", NULL,
		    "the opened bid of %s is not the one it committed to",
		    bidder);
		goto out;
	}
	if ((rc = eb_cms_verify(t, inner, ilen, at_ms, &content, &clen, &scert,
	    err)) != EB_OK)
		goto out;
	if ((rc = eb_actor_from_cert(scert, &signer, err)) != EB_OK)
		goto out;
	if (strcmp(signer.party, bidder) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "inner-signer", NULL,
		    "the bid of %s is signed by %s", bidder, signer.party);
		goto out;
	}
	if ((rc = eb_xml_parse(schema, &lim, content, clen, &bid, err)) !=
	    EB_OK)
		goto out;
	if (!eb_doc_equal(bid, eb_doc_child(bid_result, "bid")))
		rc = eb_fail(err, EB_ERR_DENIED, "opened-bid-differs", NULL,
		    "the recorded bid of %s is not the document it signed",
		    bidder);
out:
	eb_doc_free(bid);
	X509_free(scert);
	free(content);
	free(inner);
	return rc;
}
