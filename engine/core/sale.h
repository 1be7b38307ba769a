/*
 * engine/core/sale.h
 *    Listing-then-auction sales (挂牌 then 拍卖) of an asset: the "sale"
 *    aggregate of the core (engine/core/flow.h).
 *
 * A sale runs registration (受理) -> organization (组织) -> confirmation
 * (确认): the transferor registers it, the registrar accepts it, the
 * transferor commits a sealed reserve price that the supervisor
 * countersigns, the supervisor publishes the listing; bidders apply and
 * the registrar confirms their deposits and hands out bidding numbers;
 * qualified bidders quote during the listing; at its close the bidders
 * that quoted declare whether to go on, and with two or more "yes" the
 * sale goes to a countdown auction; then the reserve is revealed and
 * checked against its commitment, the supervisor confirms the result
 * (transaction confirmation), the publicity runs, the verifier records
 * the verification and the registrar closes the file.  docs/sale.md has
 * the state diagram, every command, every event and every rule.
 *
 * Ownership: eb_sale_flow.create() returns a state the caller frees with
 * eb_sale_flow.destroy().  decide() borrows the state and the command and
 * returns a new <events> tree (caller frees with eb_doc_free()); apply()
 * borrows the events; view() returns a new tree.
 *
 * Pure: libc, protocol/doc.h, protocol/hash.h, protocol/isotime.h only.
 * No floating point: money is int64 fen.
 *
 * INTERFACE
 *    eb_sale_flow            - the flow operations of kind "sale"
 *    eb_sale_price_text()    - fen as people read it: "6,950,000.00"
 *    eb_sale_price_parse()   - yuan as a person types it, to fen
 *    eb_sale_reserve_hash()  - the reserve commitment hash
 *    eb_sale_event_public()  - may the live watch show an event to all
 *    eb_sale_hint_fill()     - the raise rule's inputs of a sale's state
 *    eb_sale_hint_refuses()  - will the raise rule certainly refuse this?
 */
#ifndef EB_SALE_H
#define EB_SALE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/flow.h"
#include "protocol/hash.h"

extern const struct eb_flow_ops eb_sale_flow;

/* The states: "listing", ...; "?" when out of range.  Static strings. */
size_t eb_sale_state_count(void);
const char *eb_sale_state_name(size_t s);

/* Salt of a reserve commitment: 16 to 64 bytes, as lower-case hex. */
#define EB_SALE_SALT_HEX_MIN 32
#define EB_SALE_SALT_HEX_MAX 128

/*
 * Write 'fen' as yuan with thousands separators and two decimals into
 * 'out' ("6,950,000.00", "-0.05", "0.00").  Returns the length written
 * (without the NUL), or EB_ERR_LIMIT when 'cap' is too small (out then
 * holds "" if cap > 0).  Handles INT64_MIN.
 */
int eb_sale_price_text(int64_t fen, char *out, size_t cap);

/*
 * Parse yuan as a person types it into fen, exactly: digits, optionally
 * grouped by thousands with ',' (then every group: "6,950,000"), then
 * optionally '.' and one or two decimals: "6950000", "6,950,000.00",
 * "0.05", "12.5".  No sign, no spaces, no lone or trailing '.', no ','
 * after the '.'; "1,5" is refused (it is not a thousands grouping), so a
 * decimal comma cannot turn 1.5 yuan into 15.  Returns EB_OK with *fen,
 * EB_ERR_FORMAT when 's' is not of that form, EB_ERR_LIMIT over INT64_MAX
 * fen.  eb_sale_price_parse(eb_sale_price_text(x)) == x for every x >= 0.
 */
int eb_sale_price_parse(const char *s, int64_t *fen);

/*
 * The reserve commitment: lower-case hex of SHA-256 over the canonical
 * string "reserve:<sale id>:<fen>:<salt hex>" (fen in decimal without
 * leading zeros, salt as given: 32..128 lower-case hex digits) into 'hex'.
 * Returns EB_OK, or EB_ERR_FORMAT when the salt is malformed, fen is
 * negative or the id is empty or too long.
 */
int eb_sale_reserve_hash(const char *sale_id, int64_t fen, const char *salt,
    char hex[EB_SHA256_HEX]);

/*
 * Whether the live watch (GET /v1/sales/ID/watch, the board's watch) shows
 * an event of this name to everyone: the accepted quotes and bids (number
 * and amount) and the sale's phases.  Applications, deposits, rejections
 * and declarations are not shown: they would tell a bidder how many others
 * applied, paid or are still in (issue 14 point 11).  1 or 0.
 */
int eb_sale_event_public(const char *event_name);

/*
 * The "floor hint" of a sale (issue 17, ninth pass): what the raise rule
 * (quote in the listing, auction-bid in the auction) compares a price
 * with, copied out of a state so that a thread other than the one that
 * owns the state can guess, before a command's signature is checked,
 * that the command will be refused below-minimum or already-highest.
 * A guess only: ebidd decides every command on the state itself, and
 * whatever the guess, a command whose decision is anything else than
 * those two refusals has its signature checked before it counts
 * (engine/server/commands.c).
 */
enum eb_sale_hint_phase {
	EB_SALE_HINT_NONE = 0,        /* no raise rule applies now */
	EB_SALE_HINT_LISTING,         /* quotes */
	EB_SALE_HINT_AUCTION          /* auction bids */
};

struct eb_sale_hint {
	int phase;                    /* enum eb_sale_hint_phase */
	int64_t current;              /* fen, the price to beat (leader) */
	int64_t increment;            /* fen */
	int64_t start_price;          /* fen: the floor without a leader */
	char leader[EB_ID_MAX];       /* the leader's party; "" none */
	int64_t pending;              /* fen: the highest raise whose
	                               * signature held on its way to be
	                               * decided (0 none; ebidd's, not the
	                               * state's: a guess that it wins) */
};

/*
 * Fill 'h' from the sale state 'state' (an eb_sale_flow state; NULL
 * gives phase NONE).  Pure, O(1).
 */
void eb_sale_hint_fill(const void *state, struct eb_sale_hint *h);

/* eb_sale_hint_refuses()'s guesses. */
#define EB_SALE_GUESS_BELOW 1         /* below-minimum */
#define EB_SALE_GUESS_LEADS 2         /* already-highest */

/*
 * Nonzero when the raise rule certainly refuses command 'cmd' (its root:
 * quote or auction-bid, amount=) from party 'party' on a sale whose hint
 * is 'h': the amount is below the floor (the starting price, or the
 * current price plus the increment) in the phase the command belongs
 * to, so that it stays below it however the price moves before the
 * command is decided: EB_SALE_GUESS_LEADS when the party leads (the core
 * says already-highest), else EB_SALE_GUESS_BELOW (below-minimum).  0
 * for anything else: another command or phase, an amount that does not
 * read, a price that may pass, the leader's raise over the floor (the
 * lead may have changed hands by then).  With h->pending set, the floor
 * is also that raise plus the increment: then it is a guess (the pending
 * raise may be refused), no longer certain.  Never looks at the sale=
 * attribute: the caller finds the hint by it.
 */
int eb_sale_hint_refuses(const struct eb_sale_hint *h,
    const struct eb_doc *cmd, const char *party);

#endif
