/*
 * engine/core/evaluation.h
 *    Score sheets, price formulas, evaluation methods, trimming, deviation
 *    alerts, ranking and ties (评标): the arithmetic of a tender's rules.
 *
 * Everything is exact: money is int64 fen, scores and ratios are fixed
 * values (engine/core/fixed.h, 8 internal decimals), every rounding
 * happens at a point the rules name.  The element schemas are in
 * protocol/xsd/evaluation.xsd; docs/evaluation.md walks through examples.
 *
 * RULES  <evaluation-rules> (a child of the tender's <rules>)
 *    method="comprehensive|lowest-evaluated-price"
 *    price-weight="1"            fixed; multiplies the price score (default 1)
 *    candidates="3"              how many top bids are candidates (1..10)
 *    trim-extremes="yes|no"      drop each criterion's highest and lowest
 *    trim-min-experts="5"        ... only with at least this many experts
 *    deviation-band="20"         = <deviation-rule band="20"/>; absent = off
 *    tie-break="price technical" the tie levels after the primary key, in
 *                                order (default as shown; "" = straight to
 *                                the draw); the draw always comes last
 *  <price-formula kind="lowest-benchmark|average-benchmark" max="30" min="0"
 *      deduct-above="1" deduct-below="0.5"     points per 1 % (average)
 *      drop-extremes="yes" drop-extremes-min-bids="5"
 *      reference-price="fen" reference-share="1" reference-weight="0"
 *      drawn-coefficient="0.97">
 *    <coefficient>0.95</coefficient>...       the list drawn from at opening
 *    <trim-tier bids-from="6" drop-highest="1" drop-lowest="0"/>...
 *                                  trimming by the number of valid bids
 *  </price-formula>                (comprehensive only)
 *  <criterion id name max min="0" step="0.5" weight="1"
 *      reason-below="x" reason-above="y"/>     expert-scored criteria
 *  <rounding point="deviation-percent|benchmark|price-score|expert-criterion|
 *      criterion-average|total" mode="half-up|down|up" decimals="2"
 *      partial-percent-as-whole="yes|no"/>    (the last on deviation-percent)
 *  <validity-band reference="fen" above="5" below="10"   percents
 *      above-bound="inclusive|strict" below-bound="inclusive|strict"/>
 *  <compliance-item id name/>        (lowest evaluated price: pass/fail)
 *  <deviation-rule band="20" reference="others|all" scope="criterion|total"
 *      measure="max|mean"/>          the expert-deviation rule (last child)
 *  <adjustment id kind="completion" target-days="365" per="day|month"
 *      credit="fen" charge="fen" partial-month-as-whole="yes|no"
 *      if-missing="invalid|worst"/>
 *  <adjustment id kind="per-unit" amount="fen" direction="charge|credit"
 *      if-no-factor="zero|invalid"/>
 *  <adjustment id kind="percent" direction="charge|credit"
 *      if-no-factor="zero|invalid"/>
 *  <lots award="separate|lowest-total" evaluate="undiscounted|discounted"
 *      min-bids="3"><lot id name/>...</lots>     a tender in lots (below)
 *
 * ARITHMETIC (in this order; "point X" = the <rounding point="X">, which
 * by default rounds half-up to 8 decimals, i.e. keeps the exact value
 * whenever it has at most 8 decimals; 'benchmark' defaults to the fen)
 *  0. Missing factor: under a completion adjustment with if-missing=
 *     "invalid" (the default) a bid without completion-days is invalid:
 *     reason "missing-completion-days"; with "worst" it counts with the
 *     most completion-days any bid given states (assumed-days= on its
 *     <adjustment>).
 *  1. Validity band: a bid with price*100 > reference*(100+above), or
 *     price*100 < reference*(100-below), is invalid (exact comparison, no
 *     rounding): reason "above-validity-band" / "below-validity-band".
 *     A bound is valid itself by default (inclusive); with
 *     above-bound="strict" a price exactly at reference*(100+above)/100
 *     is invalid too (超出标底不满5%), likewise below-bound="strict".
 *     Invalid bids get no price score and no rank; the scored set is
 *     eb_evaluation_scored_bids().
 *  2. Benchmark (comprehensive):
 *     lowest-benchmark: B = the lowest valid price.
 *     average-benchmark: the valid prices, without the trimmed ones;
 *       A = their average.  Trimming: the <trim-tier> with the largest
 *       bids-from <= the number of valid bids leaves out its drop-highest
 *       highest and drop-lowest lowest prices (among equal prices the
 *       later bid in input order is the higher); no tier applies below
 *       the first bids-from.  drop-extremes="yes" is the single tier
 *       {drop-extremes-min-bids (default 5), 1, 1}.  A trimmed bid still
 *       gets a price score (in-benchmark="no" on its <price-score>).
 *       B = K * (w * s * R + (1 - w) * A) with K the drawn coefficient
 *       (1 when there is no list), R reference-price, s reference-share
 *       (default 1), w reference-weight (default 0; 1 = the benchmark is a
 *       share of the reference price, 标底).  B is computed exactly and
 *       rounded once at point 'benchmark', whose decimals count decimals
 *       of the yuan (0..2; 2 = to the fen).
 *  3. Price score (comprehensive):
 *     lowest-benchmark: max * B / price, rounded at 'price-score'.
 *     average-benchmark: d = (price - B) * 100 / B exactly; with
 *       partial-percent-as-whole="yes" |d| is rounded UP to a whole
 *       percent (2.1 % counts as 3 %), otherwise d is rounded at
 *       'deviation-percent'.  score = max - |d| * deduct-above (d > 0) or
 *       max - |d| * deduct-below (d < 0), not below 'min', rounded at
 *       'price-score'.
 *     The weighted price part is score * price-weight (8 decimals).
 *  4. Expert scores: each expert's value * criterion weight, rounded at
 *     'expert-criterion'.  With trim-extremes="yes" and at least
 *     trim-min-experts sheets, for each bid and criterion one highest and
 *     one lowest are dropped (marked trimmed="yes"; among equal values the
 *     highest dropped is the last expert in party byte order, the lowest
 *     dropped the first).  The criterion score is the average of the
 *     rest, rounded at 'criterion-average'.
 *  5. technical = sum of criterion scores; total = price part +
 *     technical, rounded at 'total'.
 *  Lowest evaluated price instead: a bid passes a compliance item when
 *     strictly more than half of the experts say yes, and is compliant
 *     when it passes every item; evaluated price = price + each
 *     adjustment, each rounded half-up to the fen:
 *       completion: diff = target-days - completion-days; per day, or per
 *         month = diff / 30 (exact; rounded UP to whole months when
 *         partial-month-as-whole="yes"); diff > 0 gives -diff*credit,
 *         diff < 0 gives +|diff|*charge;
 *       per-unit: quantity * amount; percent: price * quantity / 100;
 *         charge adds, credit subtracts; the quantity of factor F for a
 *         bid is the bid's own <factor id="F" quantity="2"/> (bid.xsd),
 *         else <adjustment factor="F" quantity="2"/> in its <opened-bid>;
 *         absent = 0, or with if-no-factor="invalid" the bid is invalid
 *         (reason "missing-factor", in the scored set too).
 *  6. Ranking: comprehensive by total, higher first; lowest evaluated
 *     price by evaluated price, lower first (compliant bids only).  Ties,
 *     in the rules' tie-break order (default): lower bid price, then
 *     higher technical score, then always a verifiable draw: ascending
 *     SHA-256(tie_seed || bidder id).  Each rank records
 *     tie-break="none|price|technical|draw": the deepest level needed to
 *     place it against its neighbours.  Candidates: the first
 *     'candidates' (default 3) ranks.
 *
 * LOTS (<lots>, docs/evaluation.md "Lots and linked discounts"): each lot
 *    is evaluated by steps 0-6 on the <opened-bid>s that price it in
 *    <bid><lots><lot id>: the lot's total-price (less, with
 *    evaluate="discounted", the bid's linked discounts on it whose
 *    if-won lots it ranks first in undiscounted), its completion-days
 *    and factors (else the bid's); the sheets count for every lot a bid
 *    prices.  A lot priced by fewer than min-bids of the bids given (the
 *    tender gives those valid after clearing), or with no valid
 *    bid, fails on its own.  The award plan: each lot to its first
 *    candidate (separate), or the combination of the lots' candidates of
 *    least cost = sum of lot prices - the linked discounts it triggers
 *    (<linked-discount lot if-won percent>: percent of the lot price,
 *    half-up to the fen, when the bidder is awarded the lot and every
 *    if-won lot); ties: the smaller sum of positions, then the earlier
 *    lots' better ranks.  The scored set is the bids one lot keeps
 *    (reason of the others: their first lot's, or "no-lot-priced").
 *
 * DEVIATION ALERTS: with a band p and at least 2 sheets, expert e's value
 * v of bid b (its raw score on criterion c, or with scope="total" the sum
 * of its raw scores of b) is flagged when |v - M| > p % of the measure,
 * M being the mean of the other experts' values (reference="others") or
 * of all (reference="all"), the measure c's max (or the sum of the maxes)
 * or M itself (measure="mean"); exact.  A flagged value needs a
 * <reason> on its score (criterion scope) or an <explanation bid
 * criterion?> in e's sheet (the tender's explain-deviation); until it has
 * one the result is refused with EB_ERR_RULE "deviation-reason-required".
 *
 * SCORE SHEET  <score-sheet expert="party" tender="T1">
 *    <score bid="bidder" criterion="id" value="35.5"><reason>..</reason></score>
 *    <compliance bid="bidder" item="id" pass="yes|no"><reason>..</reason>
 *    </compliance>
 *  Every valid bid is scored on every criterion exactly once and judged on
 *  every compliance item exactly once; a value lies in [min, max] on the
 *  step grid from min; a reason is required when value < reason-below or
 *  value > reason-above, and for every pass="no".
 *
 * RESULT  <evaluation-result method benchmark coefficient valid-bids>
 *    <bid bidder org price valid="yes|no" [invalid-reason]>
 *      <price-score deviation-percent deviation-exact in-benchmark="no"?
 *        value weighted/>                                  (comprehensive)
 *      <criterion id score> <expert-score expert value weighted trimmed/>
 *      </criterion>...
 *      <technical-score value/> <total value/>
 *      <compliance item yes no pass/>... <adjustment factor amount/>...
 *      <evaluated-price value/>                             (lowest price)
 *    </bid>...   (in input order)
 *    <alert expert bid criterion value others-mean reason="yes"/>...
 *    <ranking><rank position bidder price total|evaluated-price
 *      tie-break/>...</ranking>
 *    <candidates><candidate position bidder/>...</candidates>
 *  In lots:  <evaluation-result method lots award evaluate>
 *    <lot id name bids [failed="fewer-bids|no-valid-bid"]>
 *      <evaluated-discount bidder amount/>...  <evaluation-result lot=>
 *    </lot>...
 *    <award-plan basis cost separate-cost><award lot bidder position price
 *      discount cost><discount if-won percent amount/>...</award>...
 *    </award-plan>
 *    <candidates><candidate lot position bidder/>...</candidates>
 *  All decimals are written with eb_fix_format(v, 4) (at least 4).
 *
 * Pure: libc, fixed.c, draw.c (the stream), protocol/hash.h.
 *
 * INTERFACE
 *    eb_score_sheet_check()   - one expert's sheet against the rules
 *    eb_evaluation_alerts()   - the deviation alerts of a set of sheets
 *    eb_evaluation_result()   - scores, totals, ranking and candidates
 *    eb_evaluation_draw_coefficient() - draw K from the rules' list
 */
#ifndef EB_EVALUATION_H
#define EB_EVALUATION_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/doc.h"
#include "protocol/err.h"

#define EB_EVAL_MAX_CRITERIA 64
#define EB_EVAL_MAX_ITEMS 64
#define EB_EVAL_MAX_ADJUSTMENTS 32
#define EB_EVAL_MAX_BIDS 1000
#define EB_EVAL_MAX_SHEETS 101
#define EB_EVAL_MAX_LOTS 64
#define EB_EVAL_MAX_COMBINATIONS 100000

/*
 * Check one <score-sheet> against <evaluation-rules> for the bidders
 * 'valid_bidders[0..n)'.  Returns EB_OK, EB_ERR_FORMAT ("bad-rules",
 * "bad-score-sheet", "bad-score") or EB_ERR_RULE with reason
 * "score-out-of-bounds", "score-off-step", "reason-required",
 * "score-missing", "score-duplicate", "unknown-bid", "unknown-criterion",
 * "unknown-compliance-item"; 'err' names the bid and criterion.
 * Borrows everything.
 */
int eb_score_sheet_check(const struct eb_doc *rules, const struct eb_doc *sheet,
    const char *const *valid_bidders, size_t n, struct eb_error *err);

/*
 * The deviation alerts of 'sheets' (see above).  Returns EB_OK and a new
 * <deviation-alerts> with one <alert expert bid criterion value
 * others-mean reason="yes|no"/> per flagged score (caller frees; empty
 * when the rules set no band), or EB_ERR_FORMAT.  Sheets are not
 * otherwise checked: run eb_score_sheet_check() on each first.
 */
int eb_evaluation_alerts(const struct eb_doc *rules,
    const struct eb_doc *const *sheets, size_t nsheets,
    struct eb_doc **alerts, struct eb_error *err);

/*
 * Check a tender's <evaluation-rules> at registration, before any bid:
 * everything eb_evaluation_result would refuse about the rules alone
 * (the coefficient need not be drawn yet), and contradictions: min above
 * max, a reference weight without a reference price, attributes that
 * mean nothing for the method or formula kind (deductions on
 * lowest-benchmark, compliance items under comprehensive,
 * partial-percent-as-whole off deviation-percent), a validity band with
 * neither side, reason thresholds outside min..max, trim-min-experts
 * above 'committee' (the committee size; 0 = unknown).  EB_OK or
 * EB_ERR_FORMAT "bad-rules" whose message names the element, the
 * attribute and why.
 */
int eb_evaluation_rules_check(const struct eb_doc *rules, int64_t committee,
    struct eb_error *err);

/*
 * The bids the committee scores: one definition, used by the scoring
 * form (the tender view), the sheet check (submit-scores) and the close
 * (eb_evaluation_result).  Of 'bids' (<opened-bid>s valid after
 * clearing), those the rules do not make invalid (validity band, a
 * missing factor counted as invalid).  Writes their bidder ids
 * (borrowed from 'bids') in input order to scored[0..*nscored) (room
 * for nbids); when 'reasons' is not NULL, reasons[i] is NULL for a
 * scored bid and the invalid-reason of the result otherwise
 * ("above-validity-band", ...).  Returns EB_OK, or EB_ERR_FORMAT (bad
 * rules or bid) / EB_ERR_RULE ("coefficient-not-drawn").
 */
int eb_evaluation_scored_bids(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids, const char **scored,
    size_t *nscored, const char **reasons, struct eb_error *err);

/*
 * Evaluate.  'bids' are <opened-bid bidder= org=> elements with a <bid>
 * child holding <total-price> (fen) and optionally <completion-days>;
 * 'sheets' are the committee's <score-sheet>s (each is checked with
 * eb_score_sheet_check against the bids that pass the validity band).
 * 'tie_seed' feeds the last tie-break.  Returns EB_OK and a new
 * <evaluation-result> in *result (caller frees), or an error with
 * *result NULL: EB_ERR_FORMAT (bad rules, bids or sheets), EB_ERR_RULE
 * "deviation-reason-required" (detail "expert=E bid=B criterion=C"),
 * "coefficient-not-drawn", "no-valid-bid", "no-score-sheets" (the rules
 * have criteria or compliance items but nsheets is 0), or any sheet
 * check reason;
 * EB_ERR_LIMIT on arithmetic overflow ("arithmetic-overflow").
 */
int eb_evaluation_result(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids,
    const struct eb_doc *const *sheets, size_t nsheets,
    const uint8_t tie_seed[32], struct eb_doc **result, struct eb_error *err);

/*
 * Draw the benchmark coefficient at the opening: index =
 * eb_draw_uniform(stream(seed), number of <coefficient>s) (draw.h), the
 * value that <coefficient> holds.  Returns EB_OK with *k (fixed) and
 * *index (0-based), EB_ERR_NOTFOUND when the rules list no coefficient,
 * EB_ERR_FORMAT when one is malformed.  The caller records the value as
 * the price-formula's drawn-coefficient.
 */
int eb_evaluation_draw_coefficient(const struct eb_doc *rules,
    const uint8_t seed[32], int64_t *k, size_t *index,
    struct eb_error *err);

#endif
