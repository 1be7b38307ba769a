/*
 * engine/core/bid.h
 *    The opened bid: a `<bid>` eb_doc (protocol/xsd/bid.xsd) parsed into a
 *    checked struct that clearing (清标) and scoring read.
 *
 * Owner: the clearing engineer.  Users: engine/core/clearing.c, scoring.
 *
 * Invariants of a struct eb_bid returned by eb_bid_from_doc():
 *  - every money figure is int64 fen in [0, EB_BID_MAX_FEN];
 *  - every quantity is exact integer thousandths in [0, EB_BID_MAX_QTY_MILLI]
 *    (the XML decimal "12.5" is stored as 12500);
 *  - quantity_milli * unit_price never overflows int64 and the corrected
 *    line total eb_bid_line_amount() is at most EB_BID_MAX_FEN (checked),
 *    so sums over 2000 lines fit in int64;
 *  - line numbers are unique, line codes are unique, every string is
 *    non-NULL, NUL-terminated UTF-8 within its size bound;
 *  - counts are within the EB_BID_MAX_* limits below.
 * The bidder's identity is NOT in here: it comes from the verified
 * signature (the `<opened-bid bidder=...>` wrapper), never from bid text.
 *
 * Pure: libc + protocol/doc.h only.  No floating point.
 *
 * INTERFACE
 *    eb_bid_from_doc()     - parse and validate a <bid> tree
 *    eb_bid_free()         - free a bid (NULL-safe)
 *    eb_bid_line_amount()  - quantity x unit price in fen, half-up
 *    eb_bid_parse_quantity() - "12.5" -> 12500 thousandths
 */
#ifndef EB_BID_H
#define EB_BID_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/doc.h"
#include "protocol/err.h"

/* Hard limits: a bid beyond them is refused with EB_ERR_LIMIT. */
#define EB_BID_MAX_LINES        2000
#define EB_BID_MAX_ITEMS        200          /* declarations, sections, documents */
/* Byte limits are 4x the character limits of bid.xsd (UTF-8 takes at
 * most 4 bytes a character), so a schema-valid bid always fits. */
#define EB_BID_MAX_SHORT        1024         /* bytes of a code, name, ref, phone... (256 chars) */
#define EB_BID_MAX_TEXT         (256 * 1024) /* bytes of a section or declaration text (65536 chars) */
#define EB_BID_MAX_TECHNICAL    (1024 * 1024) /* bytes of the technical text (262144 chars) */
#define EB_BID_MAX_FEN          INT64_C(100000000000000)  /* 10^14 fen = 10^12 yuan */
#define EB_BID_MAX_QTY_MILLI    INT64_C(999999999999)     /* 999999999.999 units */
#define EB_BID_MAX_DAYS         36500
#define EB_BID_MAX_FACTORS      32           /* <factor>s of the bid, of a lot */
#define EB_BID_MAX_LOTS         64           /* <lots><lot>: evaluation.h's EB_EVAL_MAX_LOTS */

struct eb_bid_line {
	int64_t no;             /* line number, 1..1000000, unique */
	char *code;             /* bill-of-quantities code, unique */
	char *description;      /* "" when absent */
	char *unit;             /* "m", "m3", "座"... */
	int64_t quantity_milli; /* quantity in thousandths of 'unit' */
	int64_t unit_price;     /* fen per unit */
	int64_t total;          /* line total as submitted, fen */
};

/* A named piece of text: declaration (ref, text), section (name, text),
 * document (name, sha256 in 'text'). */
struct eb_bid_item {
	char *key;
	char *text;
};

struct eb_bid {
	char *tender;                    /* the tender id the bid is for */
	int64_t total_price;             /* as submitted, fen */
	struct eb_bid_line *lines;       /* in document order */
	size_t nlines;
	struct eb_bid_item *declarations;
	size_t ndeclarations;
	struct eb_bid_item *sections;
	size_t nsections;
	struct eb_bid_item *documents;   /* optional <documents> */
	size_t ndocuments;
	char *technical;                 /* the technical proposal text */
	/* <metadata>: written by the bidder's client */
	char *client_version;
	char *machine_fingerprint;
	char *created;
	/* <contact> */
	char *contact_name;
	char *contact_phone;
	char *contact_email;
	char *contact_address;
	int64_t completion_days;         /* -1 when absent */
	/* <factor>s and <lots> (a tender in lots) are checked here and read
	 * by the evaluation from the tree (docs/evaluation.md, Lots) */
	size_t nlots;                    /* lots priced, 0 without <lots> */
};

/*
 * Parse the `<bid>` element 'd' into a new struct eb_bid.
 * Returns EB_OK and sets *out (caller owns it: eb_bid_free()), or
 * EB_ERR_FORMAT (missing/malformed element or value, negative number,
 * duplicate line no or code) or EB_ERR_LIMIT (a count, size or value
 * above the EB_BID_MAX_* limits, or quantity x unit price overflowing),
 * with 'err' naming the element; *out is then NULL.
 */
int eb_bid_from_doc(const struct eb_doc *d, struct eb_bid **out,
    struct eb_error *err) EB_MUSTCHECK;

void eb_bid_free(struct eb_bid *b);

/*
 * The corrected line total: quantity_milli * unit_price / 1000 rounded half
 * up to a whole fen (both factors are >= 0).  Always defined for a line of
 * a parsed bid.
 */
int64_t eb_bid_line_amount(const struct eb_bid_line *l);

/*
 * Parse a quantity: digits, optionally '.' and 1 to 3 digits; no sign,
 * no spaces, no exponent.  Returns EB_OK with *milli, EB_ERR_FORMAT or
 * EB_ERR_LIMIT (above EB_BID_MAX_QTY_MILLI).
 */
int eb_bid_parse_quantity(const char *s, int64_t *milli);

#endif
