/*
 * engine/core/draw.h
 *    The verifiable expert draw (专家抽取): seed, committee, replacement.
 *
 * Nothing here is random: the randomness is a 32-byte seed derived from
 * the tender's log head and the officers' revealed secrets (commit-reveal),
 * and everything after it is a pure function of the seed, the pool view
 * and the request.  An auditor with the log recomputes the same committee
 * byte for byte (docs/engineering-notes.md, the log).
 *
 * Seed (eb_draw_seed):
 *    seed = SHA-256( log_head[32] || for each reveal, sorted by byte
 *                    order: be32(strlen(reveal)) || reveal bytes )
 *    The length prefix makes the concatenation unambiguous; sorting makes
 *    the seed independent of the order the officers revealed in.  Each
 *    officer committed SHA-256(reveal) (lower-case hex) before the draw;
 *    eb_draw_check_reveal() checks one reveal against its commitment.
 *
 * Stream: block k (k = 0, 1, ...) = SHA-256(seed || "ebid-draw" ||
 *    be64(k)); its 32 bytes are read as four big-endian uint64 words, in
 *    order.  eb_draw_uniform(n) takes words r and rejects r < 2^64 mod n
 *    (unbiased), then returns r mod n.
 *
 * Committee (eb_draw_committee):
 *    For each <seats> of the request, in request order: the candidates are
 *    the pool's experts of that specialty, sorted by party id (byte
 *    order), minus the conflicted ones (below; one person, one seat).  A
 *    partial Fisher-Yates shuffle drawn from the stream (one shared
 *    stream, continuing across specialties) picks count + reserve of
 *    them: the first 'count' are members, the rest the reserve list in
 *    reserve order.
 *    Conflicts, checked in this order, the first that applies is the
 *    reason written: "suspended" (status not active), "employer-is-bidder"
 *    (org equals a <bidder-org>), "employer-is-tenderer" (org equals
 *    <tenderer-org>), "avoidance-list" (person or party in <avoid>),
 *    "drawn-too-often" (max-recent > 0 and at least max-recent
 *    appointments in (now - recent-days, now]), "rating-below-threshold"
 *    and "unexplained-deviations" (the pool view's <assessment><draw-rule
 *    period-days min-percent max-unexplained/>, pool.h: over the
 *    expert's <rating>s in (now - period-days, now], the mean score
 *    below min-percent * 100 basis points, or more unexplained
 *    deviations than max-unexplained), "already-drawn" (the
 *    same person holds a seat or reserve place of an earlier specialty),
 *    "duplicate-person" (a second certificate of the same person in this
 *    specialty: only the first by party order stays a candidate).  Org
 *    comparison is exact byte equality of the registered org names.
 *
 * Request (<draw-request>; XSD in protocol/xsd/evaluation.xsd):
 *    <draw-request tender="T1" recent-days="90" max-recent="3" reserve="1">
 *      <seats specialty="civil" count="5" reserve="2"/>   (reserve optional,
 *                                   defaults to the root's 'reserve', or 0)
 *      <bidder-org>Acme Ltd</bidder-org> ...
 *      <tenderer-org>City Water</tenderer-org>
 *      <avoid person="P9"/> <avoid party="exp7"/>
 *    </draw-request>
 *
 * Pool view (<pool>, from eb_pool_flow.view; see pool.h):
 *    <expert party person name org specialty status="active|suspended">
 *      <appointment tender="T0" at="2026-01-02T03:04:05.000Z"/> ...
 *
 * Committee (output, canonical):
 *    <committee tender="T1" seed="hex" at="iso">
 *      <member party person name org specialty order="1"/> ...
 *      <reserve party person name org specialty order="1"/> ...
 *      <excluded party specialty reason="employer-is-bidder"/> ...
 *    </committee>
 *    Members appear grouped by specialty in request order and draw order;
 *    'order' counts from 1 within the specialty.  A reserve list shorter
 *    than requested is allowed and recorded as reserve-short="n" on the
 *    root; fewer candidates than 'count' is an error.
 *
 * Pure: protocol/hash.h (SHA-256) and libc.
 *
 * INTERFACE
 *    eb_draw_seed()         - seed from the log head and the reveals
 *    eb_draw_check_reveal() - does a reveal match its commitment
 *    eb_draw_uniform()      - the k-th unbiased index in [0, n) (stream)
 *    eb_draw_committee()    - the committee, reserve and exclusions
 *    eb_draw_replace()      - a member refuses: next reserve of the specialty
 */
#ifndef EB_DRAW_H
#define EB_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/doc.h"
#include "protocol/err.h"

/* A stream position over a seed (see above); start with eb_draw_stream_init. */
struct eb_draw_stream {
	uint8_t seed[32];
	uint64_t block;     /* next block index */
	uint8_t buf[32];
	unsigned used;      /* words of buf consumed (0..4) */
};

/*
 * seed = SHA-256(log_head || sorted, length-prefixed reveals).  Returns
 * EB_OK, EB_ERR_USAGE when n is 0 or a reveal is NULL or empty, or
 * EB_ERR_LIMIT when n exceeds 64 or a reveal exceeds 1024 bytes.
 */
int eb_draw_seed(const uint8_t log_head[32], const char *const *commit_reveals,
    size_t n, uint8_t seed[32]);

/* 1 when SHA-256(reveal) equals the hex commitment (either case), else 0. */
int eb_draw_check_reveal(const char *commit_hex, const char *reveal);

void eb_draw_stream_init(struct eb_draw_stream *s, const uint8_t seed[32]);
/*
 * The next unbiased index in [0, n) from the stream.  n must be >= 1
 * (returns 0 for n <= 1 without consuming the stream).
 */
uint64_t eb_draw_uniform(struct eb_draw_stream *s, uint64_t n);

/*
 * Draw the committee.  'pool_view' is a <pool> view, 'draw_request' a
 * <draw-request>, 'now' the command's instant (ms).  Returns EB_OK and a
 * new <committee> in *committee (caller frees with eb_doc_free), or
 * EB_ERR_FORMAT (malformed request or view), EB_ERR_RULE with reason
 * "not-enough-experts" (detail names the specialty, needed and
 * available), with 'err' filled and *committee NULL.
 */
int eb_draw_committee(const struct eb_doc *pool_view,
    const struct eb_doc *draw_request, const uint8_t seed[32], int64_t now,
    struct eb_doc **committee, struct eb_error *err);

/*
 * Member 'party' refuses (or cannot serve): returns EB_OK and in *updated
 * a new copy of 'committee' where that member is moved to
 * <refused party ... order=> and the first <reserve> of the same specialty
 * becomes a <member> (order = the refused one's order, attribute
 * replaces="party").  Errors: EB_ERR_NOTFOUND "not-a-member",
 * EB_ERR_RULE "reserve-exhausted" (no reserve of that specialty left).
 * The conclusions of a replaced member are void: the caller drops its
 * score sheet.
 */
int eb_draw_replace(const struct eb_doc *committee, const char *party,
    struct eb_doc **updated, struct eb_error *err);

#endif
