/*
 * engine/core/clearing.h
 *    Automatic bid clearing (清标): the checks run right after the opening,
 *    producing the clearing report (protocol/xsd/clearing.xsd) that the
 *    experts read before scoring.
 *
 * Owner: the clearing engineer.  Callers: the tender flow (after opening),
 * ebid-audit (replay).  Rules, thresholds, defaults and the exact
 * arithmetic of every figure: docs/clearing.md.
 *
 * Invariants: pure (no I/O, no clock, no floating point); deterministic:
 * the same rules and bids (in any order) give the same report bytes.
 * Bids are handled sorted by party id; findings are ordered by rule (the
 * order of the table in docs/clearing.md), then by first bidder, then by
 * the order the rule produced them (line number, item).
 *
 * INTERFACE
 *    eb_clearing_run()        - clear the opened bids of one tender
 *    eb_clearing_rule_name()  - the stable token of a rule by index
 */
#ifndef EB_CLEARING_H
#define EB_CLEARING_H

#include <stddef.h>

#include "protocol/doc.h"
#include "protocol/err.h"

/* At most this many bids per run (EB_ERR_LIMIT above). */
#define EB_CLEARING_MAX_BIDS 1000

/* Defaults of the thresholds of <clearing-rules> (docs/clearing.md). */
#define EB_CLEARING_LOW_VS_MEAN_PERCENT     40
#define EB_CLEARING_LOW_VS_NEXT_PERCENT     30
#define EB_CLEARING_UNBALANCED_BAND_PERCENT 10
#define EB_CLEARING_SIMILARITY_PER_MILLE    800
#define EB_CLEARING_SHINGLE_SIZE            5
#define EB_CLEARING_PRICE_BAND_PER_MILLE    5
#define EB_CLEARING_PRICE_BAND_MIN_BIDS     3
#define EB_CLEARING_UNUSUAL_ROUND_FEN       100

/* Rule indexes, in report order. */
enum eb_clearing_rule {
	EB_CR_BID_FORMAT = 0,
	EB_CR_COMPLETENESS,
	EB_CR_ARITHMETIC_LINE,
	EB_CR_ARITHMETIC_TOTAL,
	EB_CR_CEILING_PRICE,
	EB_CR_LOW_VS_MEAN,
	EB_CR_LOW_VS_NEXT,
	EB_CR_COST_FLOOR,
	EB_CR_UNBALANCED_VS_CONTROL,
	EB_CR_UNBALANCED_VS_AVERAGE,
	EB_CR_SIMILAR_TECHNICAL,
	EB_CR_SAME_FINGERPRINT,
	EB_CR_SAME_METADATA,
	EB_CR_SAME_ERRORS,
	EB_CR_SAME_UNUSUAL_PRICE,
	EB_CR_PRICE_PROGRESSION,
	EB_CR_PRICE_BAND,
	EB_CR_SAME_CONTACT,
	EB_CR_COUNT
};

/* "low-vs-mean" etc.; NULL for an index out of range.  Static string. */
const char *eb_clearing_rule_name(int rule);

/*
 * Clear 'nbids' opened bids.  'rules' is the tender's <clearing-rules>
 * element (NULL: every default, no ceiling, no cost floor, no required
 * items, no control prices).  bids[i] is an <opened-bid bidder="party"
 * org="..."> element whose child is the <bid>; the bidder comes from the
 * verified signature.  A bid that eb_bid_from_doc() refuses is not an
 * error of the run: it gets a "bid-format" finding (invalid).
 *
 * Returns EB_OK with *report = a new <clearing-report> tree (caller owns
 * it: eb_doc_free()), or EB_ERR_FORMAT (malformed rules, an opened-bid
 * without bidder or <bid>, the same bidder twice) or EB_ERR_LIMIT (more
 * than EB_CLEARING_MAX_BIDS bids, rule lists above the limits) with 'err'
 * filled and *report NULL.
 */
int eb_clearing_run(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids, struct eb_doc **report,
    struct eb_error *err) EB_MUSTCHECK;

#endif
