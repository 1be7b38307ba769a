/*
 * engine/core/sale.c
 *    The sale aggregate: listing, then auction, with a sealed reserve.
 *    See sale.h for the contract and docs/sale.md for the rules.
 *
 * Owns:    struct sale (sale_create()/sale_destroy()), its bidder table,
 *          its party index, its number table and its bid history.
 * Borrows: commands and events (protocol/doc.h trees).
 *
 * Invariants
 *  - s->state is written only by sale_set_state(), and only along the
 *    transitions of sale_next[]; sale_set_state() is called only from
 *    apply (the ap_* functions).  decide (the de_* functions) never
 *    writes the state.
 *  - Every event carries what apply needs (time, actor, figures), so the
 *    log alone rebuilds the state.  Events carry no computed value that
 *    apply recomputes differently: apply takes the figures as decided.
 *  - Bidding numbers are six-digit numbers derived at the deposit's
 *    confirmation from s->chain (a digest of every event applied so far)
 *    and the bidder's party: random to anyone without the log, unrelated
 *    across sales, deterministic on replay (bidding_number()).
 *    s->num_slot is an open-addressing index number -> bidder index + 1
 *    (logs before issue 14 point 11 hold numbers 1, 2, 3 ...: any number
 *    >= 1 not yet held is accepted by apply).
 *  - s->current is the highest accepted quote or bid (0 before the first),
 *    s->leader its bidding number (0 when none).  An accepted quote or bid
 *    is always >= s->current + s->increment (the first quote >= the
 *    starting price), so the history is strictly increasing and "equal
 *    amounts go to the earlier one" holds by construction.
 *  - The auction's countdown ends at s->countdown_from + s->countdown_ms;
 *    a bid received at t is accepted iff t < that end; at t == end the
 *    auction has ended.
 *  - Hot path (quote, auction-bid): decide and apply are O(1) in the
 *    number of bids and bidders (party hash index, number table, history
 *    in a growable array).  Nothing scans the history but view().
 *  - No floating point; money is int64 fen bounded by EB_SALE_FEN_MAX so
 *    current + increment never overflows.
 *  - Every accepted command yields exactly one event, so applying what
 *    decide returned is all or nothing; apply still checks each event
 *    against the state (a foreign or reordered log fails, it is not
 *    folded into a wrong state).
 *
 * INTERFACE (declared in sale.h)
 *    eb_sale_flow            - handles/create/destroy/decide/apply/view/
 *                              state_name/next_timer of kind "sale"
 *    eb_sale_price_text()    - fen as "6,950,000.00"
 *    eb_sale_reserve_hash()  - the reserve commitment
 */
#include "sale.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/subject.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"

#define EB_SALE_FEN_MAX ((int64_t)1000000000000000)   /* 10^13 yuan */
#define EB_SALE_TEXT_MAX 4096
#define EB_SALE_OFFICERS_MAX 32
#define EB_SALE_BIDDERS_MAX 100000
#define EB_SALE_SECONDS_MAX ((int64_t)366 * 86400)
#define DEFAULT_DECLARE_SECONDS 300
#define DEFAULT_PUBLICITY_SECONDS (3 * 86400)

enum sale_state {
	SALE_NEW,
	SALE_REGISTERED,
	SALE_ACCEPTED,
	SALE_LISTING,
	SALE_DECLARING,
	SALE_AUCTION,
	SALE_REVEALING,
	SALE_RESULT,
	SALE_PUBLICITY,
	SALE_VERIFYING,
	SALE_VERIFIED,
	SALE_CLOSED,
	SALE_CANCELLED,
	SALE_SUSPENDED,
	SALE_STATE_COUNT
};

static const char *const sale_state_names[SALE_STATE_COUNT] = {
	[SALE_NEW] = "new",
	[SALE_REGISTERED] = "registered",
	[SALE_ACCEPTED] = "accepted",
	[SALE_LISTING] = "listing",
	[SALE_DECLARING] = "declaring",
	[SALE_AUCTION] = "auction",
	[SALE_REVEALING] = "revealing",
	[SALE_RESULT] = "result",
	[SALE_PUBLICITY] = "publicity",
	[SALE_VERIFYING] = "verifying",
	[SALE_VERIFIED] = "verified",
	[SALE_CLOSED] = "closed",
	[SALE_CANCELLED] = "cancelled",
	[SALE_SUSPENDED] = "suspended",
};

#define S(x) (1u << (x))
/* States from which a sale may be suspended or cancelled. */
#define ACTIVE (S(SALE_REGISTERED) | S(SALE_ACCEPTED) | S(SALE_LISTING) | \
    S(SALE_DECLARING) | S(SALE_AUCTION) | S(SALE_REVEALING) | \
    S(SALE_RESULT) | S(SALE_PUBLICITY) | S(SALE_VERIFYING) | S(SALE_VERIFIED))
#define EXITS (S(SALE_SUSPENDED) | S(SALE_CANCELLED))

static const uint32_t sale_next[SALE_STATE_COUNT] = {
	[SALE_NEW] = S(SALE_REGISTERED),
	[SALE_REGISTERED] = S(SALE_ACCEPTED) | EXITS,
	[SALE_ACCEPTED] = S(SALE_LISTING) | EXITS,
	[SALE_LISTING] = S(SALE_DECLARING) | S(SALE_REVEALING) | EXITS,
	[SALE_DECLARING] = S(SALE_AUCTION) | S(SALE_REVEALING) | EXITS,
	[SALE_AUCTION] = S(SALE_REVEALING) | EXITS,
	[SALE_REVEALING] = S(SALE_RESULT) | EXITS,
	[SALE_RESULT] = S(SALE_PUBLICITY) | EXITS,
	[SALE_PUBLICITY] = S(SALE_VERIFYING) | EXITS,
	[SALE_VERIFYING] = S(SALE_VERIFIED) | EXITS,
	[SALE_VERIFIED] = S(SALE_CLOSED) | EXITS,
	[SALE_CLOSED] = 0,
	[SALE_CANCELLED] = 0,
	[SALE_SUSPENDED] = ACTIVE | S(SALE_CANCELLED),
};

enum bidder_status { BIDDER_APPLIED, BIDDER_QUALIFIED, BIDDER_REJECTED };
enum declaration { DECL_NONE, DECL_YES, DECL_NO };
enum outcome { OUTCOME_NONE, OUTCOME_SOLD, OUTCOME_NO_SALE };
enum phase { PHASE_LISTING, PHASE_AUCTION };

struct sale_bidder {
	char party[EB_ID_MAX];
	char person[EB_ID_MAX];
	char org[EB_NAME_MAX];
	char name[EB_NAME_MAX];
	int64_t applied_at;
	int64_t deposit_paid;
	uint32_t number;              /* 0 until the deposit is confirmed */
	unsigned char status;         /* enum bidder_status */
	unsigned char declared;       /* enum declaration */
	unsigned char quoted;         /* 1 after its first accepted quote */
};

struct sale_bid {
	int64_t time;
	int64_t amount;
	uint32_t number;
	unsigned char phase;          /* enum phase */
};

struct sale_officer {
	char person[EB_ID_MAX];
	char org[EB_NAME_MAX];        /* "" when the event named none */
	enum eb_role role;
};

struct sale {
	char id[EB_ID_MAX];
	enum sale_state state;
	enum sale_state suspended_from;
	int64_t suspended_at;

	/* terms (register-sale) */
	char transferor[EB_ID_MAX];
	char transferor_org[EB_NAME_MAX];   /* "" in logs before it was kept */
	char *asset;
	int64_t start_price, increment, deposit;
	int raise_any;                /* raise="at-least": any amount one
	                               * increment up; 0: whole multiples */
	int64_t listing_start, listing_end;
	int64_t countdown_ms, declare_ms, publicity_ms;

	/* the sealed reserve */
	char reserve_hash[EB_SHA256_HEX];
	int reserve_committed, reserve_countersigned, reserve_revealed;
	int64_t reserve_fen;
	char reserve_salt[EB_SALE_SALT_HEX_MAX + 1];

	/* bidders: table, party index (open addressing), number table */
	struct sale_bidder *bidders;
	size_t nbidders, capbidders;
	uint32_t *index;              /* slot -> bidder index + 1, 0 empty */
	size_t index_cap;             /* power of two, > 2 * nbidders */
	uint32_t *num_slot;           /* number index: bidder index + 1, 0 empty */
	size_t num_cap;               /* power of two, > 2 * numbers */
	uint32_t numbers;             /* numbers handed out */
	uint8_t chain[EB_SHA256_LEN]; /* digest of the events applied so far */

	/* the price */
	int64_t current;
	uint32_t leader;
	uint32_t quoters;             /* bidders with an accepted quote */
	struct sale_bid *hist;
	size_t nhist, caphist;

	/* declaration window */
	int64_t declare_deadline;
	int64_t last_declared_at;
	uint32_t declared, yes_count;

	/* auction */
	int64_t auction_start;
	int64_t countdown_from;       /* auction start or last accepted bid */
	int64_t bidding_ended_at;

	/* result */
	enum outcome outcome;
	int64_t final_price;
	uint32_t winner;
	int result_confirmed;
	int64_t publicity_end;
	char *verification;

	/* exits */
	int cancel_pending;
	char *cancel_reason;
	char *suspend_reason;

	struct sale_officer officers[EB_SALE_OFFICERS_MAX];
	size_t nofficers;
};

/* ---------------------------------------------------------------------- */
/* small helpers                                                          */

static const char *
state_name(enum sale_state st)
{
	if ((unsigned)st >= SALE_STATE_COUNT)
		return "invalid";
	return sale_state_names[st];
}

/*
 * The only writer of s->state.  Returns EB_OK, or EB_ERR_INTERNAL when
 * the transition is not in sale_next[] (an event that does not fit the
 * state: a corrupt or reordered log).
 */
static int
sale_set_state(struct sale *s, enum sale_state to, struct eb_error *err)
{
	if (EB_NEVER((unsigned)s->state >= SALE_STATE_COUNT) ||
	    (unsigned)to >= SALE_STATE_COUNT || !(sale_next[s->state] & S(to)))
		return eb_fail(err, EB_ERR_INTERNAL, "illegal-transition",
		    "The log does not fit this sale; verify it with ebid-audit.",
		    "sale %s cannot go from %s to %s", s->id,
		    state_name(s->state), state_name(to));
	s->state = to;
	return EB_OK;
}

static uint32_t
hash_party(const char *p)
{
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	return h;
}

/* Bidder index for 'party', or -1.  O(1) expected. */
static long
find_bidder(const struct sale *s, const char *party)
{
	size_t mask, i;
	uint32_t v;

	if (s->index_cap == 0)
		return -1;
	mask = s->index_cap - 1;
	for (i = hash_party(party) & mask;; i = (i + 1) & mask) {
		v = s->index[i];
		if (v == 0)
			return -1;
		if (strcmp(s->bidders[v - 1].party, party) == 0)
			return (long)(v - 1);
	}
}

static void
index_put(uint32_t *index, size_t cap, const struct sale_bidder *b,
    uint32_t idx)
{
	size_t mask = cap - 1, i;

	for (i = hash_party(b->party) & mask; index[i] != 0; i = (i + 1) & mask)
		;
	index[i] = idx + 1;
}

/* Append a bidder (copied); returns its index. */
static size_t
add_bidder(struct sale *s, const struct sale_bidder *nb)
{
	size_t i;

	if (s->nbidders == s->capbidders) {
		size_t cap = s->capbidders ? s->capbidders * 2 : 8;
		s->bidders = eb_realloc(s->bidders, cap * sizeof(*s->bidders));
		s->capbidders = cap;
	}
	if (2 * (s->nbidders + 1) >= s->index_cap) {
		size_t cap = s->index_cap ? s->index_cap * 2 : 32;
		uint32_t *ix = eb_calloc(cap, sizeof(*ix));

		for (i = 0; i < s->nbidders; i++)
			index_put(ix, cap, &s->bidders[i], (uint32_t)i);
		free(s->index);
		s->index = ix;
		s->index_cap = cap;
	}
	s->bidders[s->nbidders] = *nb;
	index_put(s->index, s->index_cap, nb, (uint32_t)s->nbidders);
	return s->nbidders++;
}

static size_t
num_hash(uint32_t n, size_t cap)
{
	return (size_t)((n * 2654435761u) & (uint32_t)(cap - 1));
}

static struct sale_bidder *
bidder_by_number(const struct sale *s, uint32_t n)
{
	size_t i, mask = s->num_cap - 1;

	if (n == 0 || s->num_cap == 0)
		return NULL;
	for (i = num_hash(n, s->num_cap); s->num_slot[i] != 0;
	    i = (i + 1) & mask)
		if (s->bidders[s->num_slot[i] - 1].number == n)
			return &s->bidders[s->num_slot[i] - 1];
	return NULL;
}

/* Record that bidder index 'bi' holds its number. */
static void
number_put(struct sale *s, uint32_t bi)
{
	size_t i, mask;

	if (2 * (s->numbers + 1) >= s->num_cap) {
		size_t cap = s->num_cap ? s->num_cap * 2 : 32, j;
		uint32_t *ns = eb_calloc(cap, sizeof(*ns));

		for (j = 0; j < s->num_cap; j++) {
			uint32_t v = s->num_slot != NULL ? s->num_slot[j] : 0;

			if (v == 0)
				continue;
			for (i = num_hash(s->bidders[v - 1].number, cap);
			    ns[i] != 0; i = (i + 1) & (cap - 1))
				;
			ns[i] = v;
		}
		free(s->num_slot);
		s->num_slot = ns;
		s->num_cap = cap;
	}
	mask = s->num_cap - 1;
	for (i = num_hash(s->bidders[bi].number, s->num_cap);
	    s->num_slot[i] != 0; i = (i + 1) & mask)
		;
	s->num_slot[i] = bi + 1;
	s->numbers++;
}

/*
 * The bidding number of 'party': the first n in 100000..999999 with
 * n = 100000 + (H_k mod 900000) not held yet, for k = 0, 1, ..., where
 * H_k = the first 8 bytes (big-endian) of SHA-256("ebid-sale-number\0" ||
 * sale id || "\0" || chain || party || "\0" || k as 4 bytes big-endian).
 * The chain digests every event of the sale so far (their instants to
 * the millisecond, actors and persons), so nobody without the log can
 * tell a number from the order of deposits, and one bidder's numbers in
 * two sales are unrelated; the replay computes the same.
 */
static uint32_t
bidding_number(const struct sale *s, const char *party)
{
	uint8_t buf[16 + EB_ID_MAX + 1 + EB_SHA256_LEN + EB_ID_MAX + 1 + 4];
	uint8_t h[EB_SHA256_LEN];
	size_t n, lid = strnlen(s->id, EB_ID_MAX - 1),
	    lp = strnlen(party, EB_ID_MAX - 1);
	uint32_t k, num;
	uint64_t v;
	int i;

	for (k = 0;; k++) {
		n = 0;
		memcpy(buf, "ebid-sale-number", 16);
		n = 16;
		buf[n++] = 0;
		memcpy(buf + n, s->id, lid);
		n += lid;
		buf[n++] = 0;
		memcpy(buf + n, s->chain, EB_SHA256_LEN);
		n += EB_SHA256_LEN;
		memcpy(buf + n, party, lp);
		n += lp;
		buf[n++] = 0;
		buf[n++] = (uint8_t)(k >> 24);
		buf[n++] = (uint8_t)(k >> 16);
		buf[n++] = (uint8_t)(k >> 8);
		buf[n++] = (uint8_t)k;
		eb_sha256(buf, n, h);
		for (v = 0, i = 0; i < 8; i++)
			v = (v << 8) | h[i];
		num = (uint32_t)(100000 + v % 900000);
		if (bidder_by_number(s, num) == NULL)
			return num;
	}
}

/* Fold one applied event into s->chain: its name, instant, actor and
 * person (what bidding_number() draws on). */
static void
chain_event(struct sale *s, const char *name, int64_t time,
    const char *party, const char *person)
{
	uint8_t buf[EB_SHA256_LEN + 64 + 24 + 2 * EB_ID_MAX + 4];
	size_t n = 0, l;
	int i;

	memcpy(buf, s->chain, EB_SHA256_LEN);
	n = EB_SHA256_LEN;
	l = strlen(name);
	if (l > 63)
		l = 63;
	memcpy(buf + n, name, l);
	n += l;
	buf[n++] = 0;
	for (i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)((uint64_t)time >> (8 * i));
	l = strnlen(party, EB_ID_MAX - 1);
	memcpy(buf + n, party, l);
	n += l;
	buf[n++] = 0;
	l = strnlen(person, EB_ID_MAX - 1);
	memcpy(buf + n, person, l);
	n += l;
	buf[n++] = 0;
	eb_sha256(buf, n, s->chain);
}

/* Allocation failure aborts (protocol/mem.h): nothing to return. */
static void
push_bid(struct sale *s, int64_t t, int64_t amount, uint32_t number,
    enum phase ph)
{
	if (s->nhist == s->caphist) {
		size_t cap = s->caphist ? s->caphist * 2 : 64;

		s->hist = eb_realloc(s->hist, cap * sizeof(*s->hist));
		s->caphist = cap;
	}
	s->hist[s->nhist].time = t;
	s->hist[s->nhist].amount = amount;
	s->hist[s->nhist].number = number;
	s->hist[s->nhist].phase = (unsigned char)ph;
	s->nhist++;
}

static char *
dup_text(const char *t)
{
	size_t n = strlen(t);
	return eb_memdup(t, n + 1);
}

static void
copy_id(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static int
is_office(enum eb_role r)
{
	return r == EB_ROLE_REGISTRAR || r == EB_ROLE_SUPERVISOR ||
	    r == EB_ROLE_VERIFIER || r == EB_ROLE_TRANSFEROR;
}

static int
valid_salt(const char *salt)
{
	size_t n, i;

	if (salt == NULL)
		return 0;
	n = strlen(salt);
	if (n < EB_SALE_SALT_HEX_MIN || n > EB_SALE_SALT_HEX_MAX || n % 2)
		return 0;
	for (i = 0; i < n; i++)
		if (!((salt[i] >= '0' && salt[i] <= '9') ||
		    (salt[i] >= 'a' && salt[i] <= 'f')))
			return 0;
	return 1;
}

static int
valid_hash_hex(const char *h)
{
	size_t i;

	if (h == NULL || strlen(h) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		    (h[i] >= 'a' && h[i] <= 'f')))
			return 0;
	return 1;
}

/* ---------------------------------------------------------------------- */
/* public helpers                                                         */

int
eb_sale_price_text(int64_t fen, char *out, size_t cap)
{
	char rev[40];
	size_t n = 0, i, len;
	uint64_t mag, yuan;
	int digits = 0;

	if (out == NULL || cap == 0)
		return EB_ERR_LIMIT;
	out[0] = '\0';
	mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	yuan = mag / 100;
	rev[n++] = (char)('0' + mag % 10);
	rev[n++] = (char)('0' + (mag / 10) % 10);
	rev[n++] = '.';
	do {
		if (digits > 0 && digits % 3 == 0)
			rev[n++] = ',';
		rev[n++] = (char)('0' + yuan % 10);
		yuan /= 10;
		digits++;
	} while (yuan != 0);
	if (fen < 0)
		rev[n++] = '-';
	len = n;
	if (len + 1 > cap)
		return EB_ERR_LIMIT;
	for (i = 0; i < len; i++)
		out[i] = rev[len - 1 - i];
	out[len] = '\0';
	return (int)len;
}

int
eb_sale_price_parse(const char *s, int64_t *fen)
{
	uint64_t v = 0;
	size_t i = 0, group = 0, ngroups = 0, ndec = 0;
	int grouped = 0, big = 0;

	if (s == NULL || fen == NULL)
		return EB_ERR_FORMAT;
	/* integer part: digits, or groups of three after a first of 1..3 */
	for (;; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				big = 1;        /* still check the form */
			else
				v = v * 10 + (uint64_t)(s[i] - '0');
			group++;
			if (grouped && group > 3)
				return EB_ERR_FORMAT;
		} else if (s[i] == ',') {
			if (group == 0 || (ngroups == 0 ? group > 3 : group != 3))
				return EB_ERR_FORMAT;
			grouped = 1;
			ngroups++;
			group = 0;
		} else {
			break;
		}
	}
	if (group == 0 || (grouped && group != 3))
		return EB_ERR_FORMAT;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9' && ndec < 2; i++, ndec++) {
			if (v > (UINT64_MAX - 9) / 10)
				big = 1;
			else
				v = v * 10 + (uint64_t)(s[i] - '0');
		}
		if (ndec == 0)
			return EB_ERR_FORMAT;
	}
	if (s[i] != '\0')
		return EB_ERR_FORMAT;
	for (; ndec < 2 && !big; ndec++) {
		if (v > UINT64_MAX / 10)
			big = 1;
		else
			v *= 10;
	}
	if (big || v > (uint64_t)INT64_MAX)
		return EB_ERR_LIMIT;
	*fen = (int64_t)v;
	return EB_OK;
}

int
eb_sale_reserve_hash(const char *sale_id, int64_t fen, const char *salt,
    char hex[EB_SHA256_HEX])
{
	char buf[EB_ID_MAX + EB_SALE_SALT_HEX_MAX + 48];
	int n;

	hex[0] = '\0';
	if (sale_id == NULL || sale_id[0] == '\0' ||
	    strlen(sale_id) >= EB_ID_MAX || fen < 0 || !valid_salt(salt))
		return EB_ERR_FORMAT;
	n = snprintf(buf, sizeof(buf), "reserve:%s:%lld:%s", sale_id,
	    (long long)fen, salt);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EB_ERR_FORMAT;
	eb_sha256_hex(buf, (size_t)n, hex);
	return EB_OK;
}

/* ---------------------------------------------------------------------- */
/* create / destroy                                                       */

static void *
sale_create(const char *id)
{
	struct sale *s = eb_calloc(1, sizeof(*s));

	copy_id(s->id, sizeof(s->id), id);
	s->state = SALE_NEW;
	return s;
}

static void
sale_destroy(void *st)
{
	struct sale *s = st;

	if (s == NULL)
		return;
	free(s->asset);
	free(s->bidders);
	free(s->index);
	free(s->num_slot);
	free(s->hist);
	free(s->verification);
	free(s->cancel_reason);
	free(s->suspend_reason);
	free(s);
}

static const char *
sale_state_name(const void *st)
{
	return state_name(((const struct sale *)st)->state);
}

/* ---------------------------------------------------------------------- */
/* reading command fields                                                 */

static int
field_i64(const struct eb_cmd *c, const char *name, int64_t lo, int64_t hi,
    int64_t *v, struct eb_error *err)
{
	int rc = eb_doc_attr_i64(c->body, name, v);

	if (rc == EB_ERR_NOTFOUND)
		return eb_fail(err, EB_ERR_FORMAT, "missing-field",
		    "Add the attribute as protocol/xsd/sale.xsd describes.",
		    "%s: attribute '%s' is missing", eb_cmd_name(c), name);
	if (rc != EB_OK)
		return eb_fail(err, EB_ERR_FORMAT, "bad-number",
		    "Write the figure as a whole number (fen or seconds).",
		    "%s: attribute '%s' is not a whole number", eb_cmd_name(c),
		    name);
	if (*v < lo || *v > hi) {
		eb_fail(err, EB_ERR_RULE, "out-of-range",
		    "Correct the figure and send the command again.",
		    "%s: '%s' is out of range", eb_cmd_name(c), name);
		eb_error_detail(err, "%s = %lld; allowed %lld to %lld", name,
		    (long long)*v, (long long)lo, (long long)hi);
		return EB_ERR_RULE;
	}
	return EB_OK;
}

static int
field_opt_i64(const struct eb_cmd *c, const char *name, int64_t lo,
    int64_t hi, int64_t def, int64_t *v, struct eb_error *err)
{
	if (eb_doc_attr(c->body, name) == NULL) {
		*v = def;
		return EB_OK;
	}
	return field_i64(c, name, lo, hi, v, err);
}

static int
field_instant(const struct eb_cmd *c, const char *name, int64_t *v,
    struct eb_error *err)
{
	const char *t = eb_doc_attr(c->body, name);

	if (t == NULL || eb_isotime_parse(t, v) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-instant",
		    "Write instants as YYYY-MM-DDTHH:MM:SS.mmmZ (UTC).",
		    "%s: attribute '%s' is missing or not an instant",
		    eb_cmd_name(c), name);
	return EB_OK;
}

static int
field_attr(const struct eb_cmd *c, const char *name, const char **v,
    struct eb_error *err)
{
	*v = eb_doc_attr(c->body, name);
	if (*v == NULL || (*v)[0] == '\0' || strlen(*v) >= EB_ID_MAX)
		return eb_fail(err, EB_ERR_FORMAT, "missing-field",
		    "Add the attribute as protocol/xsd/sale.xsd describes.",
		    "%s: attribute '%s' is missing, empty or too long",
		    eb_cmd_name(c), name);
	return EB_OK;
}

/* Child text 'name': required non-empty when 'required'. */
static int
field_text(const struct eb_cmd *c, const char *name, int required,
    const char **v, struct eb_error *err)
{
	const char *t = eb_doc_child_text(c->body, name);

	if (t == NULL)
		t = "";
	if ((required && t[0] == '\0') || strlen(t) > EB_SALE_TEXT_MAX)
		return eb_fail(err, EB_ERR_FORMAT, "bad-text",
		    "Write the text (at most 4096 bytes) in the child element.",
		    "%s: element <%s> is missing, empty or too long",
		    eb_cmd_name(c), name);
	*v = t;
	return EB_OK;
}

/* ---------------------------------------------------------------------- */
/* events                                                                 */

static void
set_instant(struct eb_doc *d, const char *name, int64_t ms)
{
	char t[EB_ISOTIME_LEN];

	eb_isotime_format(ms, t);
	eb_doc_set_attr(d, name, t);
}

/* A new event under 'evs' stamped with the command's time and actor. */
static struct eb_doc *
ev_add(struct eb_doc *evs, const char *name, const struct eb_cmd *c)
{
	struct eb_doc *e = eb_doc_add(evs, name);

	set_instant(e, "time", c->time);
	eb_doc_set_attr(e, "actor", c->actor.party);
	eb_doc_set_attr(e, "person", c->actor.person);
	eb_doc_set_attr(e, "role", eb_role_name(c->actor.role));
	/* the organisation: the conflict rules compare it (de_apply) */
	if (c->actor.org[0] != '\0')
		eb_doc_set_attr(e, "org", c->actor.org);
	return e;
}

/* ---------------------------------------------------------------------- */
/* decide: one function per command                                      */

typedef int (*decide_fn)(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err);

static int
de_register(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	int64_t sp, inc, dep, ls, le, cd, dc, pb;
	const char *asset, *raise;
	struct eb_doc *e;
	int rc;

	if ((rc = field_text(c, "asset", 1, &asset, err)) != EB_OK ||
	    (rc = field_i64(c, "starting-price", 1, EB_SALE_FEN_MAX, &sp,
	    err)) != EB_OK ||
	    (rc = field_i64(c, "increment", 1, EB_SALE_FEN_MAX, &inc,
	    err)) != EB_OK ||
	    (rc = field_i64(c, "deposit", 0, EB_SALE_FEN_MAX, &dep,
	    err)) != EB_OK ||
	    (rc = field_instant(c, "listing-start", &ls, err)) != EB_OK ||
	    (rc = field_instant(c, "listing-end", &le, err)) != EB_OK ||
	    (rc = field_i64(c, "countdown-seconds", 1, 86400, &cd,
	    err)) != EB_OK ||
	    (rc = field_opt_i64(c, "declare-seconds", 1, 86400,
	    DEFAULT_DECLARE_SECONDS, &dc, err)) != EB_OK ||
	    (rc = field_opt_i64(c, "publicity-seconds", 1, EB_SALE_SECONDS_MAX,
	    DEFAULT_PUBLICITY_SECONDS, &pb, err)) != EB_OK)
		return rc;
	raise = eb_doc_attr(c->body, "raise");
	if (raise == NULL)
		raise = "multiples";
	if (strcmp(raise, "multiples") != 0 && strcmp(raise, "at-least") != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-raise",
		    "Write raise=\"multiples\" (the default: whole multiples of the increment) or raise=\"at-least\" (any amount at least one increment higher).",
		    "register-sale: 'raise' is '%s'", raise);
	if (le <= ls)
		return eb_fail(err, EB_ERR_RULE, "empty-listing",
		    "Set the listing end after the listing start.",
		    "register-sale: the listing ends before it starts");
	if (ls < c->time)
		return eb_fail(err, EB_ERR_TIME, "listing-in-past",
		    "Set a listing start in the future.",
		    "register-sale: the listing would start before now");
	e = ev_add(evs, "sale-registered", c);
	eb_doc_set_attr(e, "sale", s->id);
	eb_doc_set_attr_i64(e, "starting-price", sp);
	eb_doc_set_attr_i64(e, "increment", inc);
	eb_doc_set_attr(e, "raise", raise);
	eb_doc_set_attr_i64(e, "deposit", dep);
	set_instant(e, "listing-start", ls);
	set_instant(e, "listing-end", le);
	eb_doc_set_attr_i64(e, "countdown-seconds", cd);
	eb_doc_set_attr_i64(e, "declare-seconds", dc);
	eb_doc_set_attr_i64(e, "publicity-seconds", pb);
	eb_doc_add_text(e, "asset", asset);
	return EB_OK;
}

static int
de_accept(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	(void)s;
	(void)err;
	ev_add(evs, "sale-accepted", c);
	return EB_OK;
}

static int
de_commit_reserve(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	const char *h = eb_doc_attr(c->body, "commitment");

	if (strcmp(c->actor.party, s->transferor) != 0)
		return eb_fail(err, EB_ERR_DENIED, "not-the-transferor",
		    "Only the transferor that registered the sale enters its reserve.",
		    "commit-reserve: %s is not the transferor of sale %s",
		    c->actor.party, s->id);
	if (s->reserve_countersigned)
		return eb_fail(err, EB_ERR_STATE, "reserve-sealed",
		    "The countersigned commitment is final; cancel the sale to change it.",
		    "commit-reserve: the reserve of sale %s is already countersigned",
		    s->id);
	if (!valid_hash_hex(h))
		return eb_fail(err, EB_ERR_FORMAT, "bad-commitment",
		    "Send the commitment as 64 lower-case hex digits (see docs/sale.md).",
		    "commit-reserve: 'commitment' is not a SHA-256 in hex");
	eb_doc_set_attr(ev_add(evs, "sale-reserve-committed", c), "commitment", h);
	return EB_OK;
}

static int
de_countersign_reserve(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	const char *h = eb_doc_attr(c->body, "commitment");

	if (!s->reserve_committed)
		return eb_fail(err, EB_ERR_STATE, "no-reserve",
		    "Wait for the transferor to commit the reserve price.",
		    "countersign-reserve: sale %s has no reserve commitment", s->id);
	if (s->reserve_countersigned)
		return eb_fail(err, EB_ERR_CONFLICT, "reserve-sealed",
		    "Nothing to do: the reserve is already countersigned.",
		    "countersign-reserve: already countersigned");
	if (h == NULL || strcmp(h, s->reserve_hash) != 0)
		return eb_fail(err, EB_ERR_DENIED, "commitment-mismatch",
		    "Countersign exactly the commitment you witnessed being entered.",
		    "countersign-reserve: the commitment differs from the one entered");
	eb_doc_set_attr(ev_add(evs, "sale-reserve-countersigned", c), "commitment",
	    h);
	return EB_OK;
}

static int
de_publish(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	if (!s->reserve_countersigned)
		return eb_fail(err, EB_ERR_RULE, "reserve-not-sealed",
		    "The transferor commits the reserve and the supervisor countersigns it before the listing is published.",
		    "publish-listing: sale %s has no countersigned reserve", s->id);
	if (c->time > s->listing_start)
		return eb_fail(err, EB_ERR_TIME, "too-late-to-publish",
		    "Suspend and reschedule: the announcement must precede the listing start.",
		    "publish-listing: the listing start has passed");
	ev_add(evs, "sale-listing-published", c);
	return EB_OK;
}

/*
 * The conflict rules of tenders, for a buyer (竞买人): nobody of the
 * transferor's organisation bids on its sale (a shill raises the price
 * for the seller), nor anybody of the organisation of an officer who
 * acted on the sale.  Organisations come from the certificates (O=).
 */
static int
buyer_conflict(const struct sale *s, const struct eb_cmd *c,
    struct eb_error *err)
{
	const char *org = c->actor.org;
	size_t i;

	if (org[0] == '\0')
		return EB_OK;
	if (strcmp(org, s->transferor_org) == 0)
		return eb_fail(err, EB_ERR_DENIED, "conflict-of-interest",
		    "A party of the transferor's organisation may not bid on its sale.",
		    "apply-for-sale: %s belongs to %s, the transferor of sale %s",
		    c->actor.party, org, s->id);
	for (i = 0; i < s->nofficers; i++)
		if (strcmp(org, s->officers[i].org) == 0)
			return eb_fail(err, EB_ERR_DENIED, "conflict-of-interest",
			    "A party of an officer's organisation may not bid on the sale.",
			    "apply-for-sale: %s belongs to %s, the organisation "
			    "of the %s of sale %s", c->actor.party, org,
			    eb_role_name(s->officers[i].role), s->id);
	return EB_OK;
}

static int
de_apply(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	struct eb_doc *e;
	size_t i;
	int rc;

	if (c->time >= s->listing_end)
		return eb_fail(err, EB_ERR_TIME, "listing-closed",
		    "Applications close with the listing.",
		    "apply-for-sale: the listing of sale %s has ended", s->id);
	if (find_bidder(s, c->actor.party) >= 0)
		return eb_fail(err, EB_ERR_CONFLICT, "already-applied",
		    "Wait for the registrar's decision on your application.",
		    "apply-for-sale: %s has already applied", c->actor.party);
	if (s->nbidders >= EB_SALE_BIDDERS_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-bidders", NULL,
		    "apply-for-sale: sale %s has the maximum of bidders", s->id);
	if ((rc = buyer_conflict(s, c, err)) != EB_OK)
		return rc;
	for (i = 0; i < s->nbidders; i++)
		if (s->bidders[i].status != BIDDER_REJECTED &&
		    strcmp(s->bidders[i].person, c->actor.person) == 0)
			return eb_fail(err, EB_ERR_DENIED, "same-person",
			    "One natural person may stand behind one bidder of a sale only.",
			    "apply-for-sale: person %s already stands behind bidder %s",
			    c->actor.person, s->bidders[i].party);
	e = ev_add(evs, "sale-application-received", c);
	eb_doc_set_attr(e, "name", c->actor.name);
	eb_doc_set_attr(e, "org", c->actor.org);
	/* registries (subject.h): a named subject is checked */
	return eb_subject_admit(NULL, s->listing_end, "sale", NULL, c, e,
	    err);
}

static int
pending_applicant(const struct sale *s, const struct eb_cmd *c,
    const char **party, struct eb_error *err)
{
	long bi;
	int rc;

	if ((rc = field_attr(c, "bidder", party, err)) != EB_OK)
		return rc;
	if ((bi = find_bidder(s, *party)) < 0)
		return eb_fail(err, EB_ERR_NOTFOUND, "no-application",
		    "Check the bidder's party id.",
		    "%s: %s has not applied to sale %s", eb_cmd_name(c), *party,
		    s->id);
	if (s->bidders[bi].status != BIDDER_APPLIED)
		return eb_fail(err, EB_ERR_CONFLICT, "already-decided",
		    "An application is decided once.",
		    "%s: the application of %s is already decided",
		    eb_cmd_name(c), *party);
	return EB_OK;
}

static int
de_confirm_deposit(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	const char *party;
	int64_t paid;
	struct eb_doc *e;
	int rc;

	if ((rc = pending_applicant(s, c, &party, err)) != EB_OK ||
	    (rc = field_i64(c, "amount", 0, EB_SALE_FEN_MAX, &paid, err)) !=
	    EB_OK)
		return rc;
	if (c->time >= s->listing_end)
		return eb_fail(err, EB_ERR_TIME, "listing-closed",
		    "Qualify bidders before the listing closes.",
		    "confirm-sale-deposit: the listing has ended");
	if (paid < s->deposit) {
		eb_fail(err, EB_ERR_RULE, "deposit-short",
		    "Confirm only a deposit that covers the requirement, or reject the application.",
		    "confirm-sale-deposit: the deposit is short");
		eb_error_detail(err, "paid %lld fen, required %lld fen",
		    (long long)paid, (long long)s->deposit);
		return EB_ERR_RULE;
	}
	e = ev_add(evs, "sale-deposit-confirmed", c);
	eb_doc_set_attr(e, "bidder", party);
	eb_doc_set_attr_i64(e, "amount", paid);
	eb_doc_set_attr_i64(e, "number", bidding_number(s, party));
	return EB_OK;
}

static int
de_reject_application(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	const char *party, *reason;
	struct eb_doc *e;
	int rc;

	if ((rc = pending_applicant(s, c, &party, err)) != EB_OK ||
	    (rc = field_text(c, "reason", 1, &reason, err)) != EB_OK)
		return rc;
	e = ev_add(evs, "sale-application-rejected", c);
	eb_doc_set_attr(e, "bidder", party);
	eb_doc_add_text(e, "reason", reason);
	return EB_OK;
}

/* The acting bidder, qualified (with a number); NULL and 'err' when not. */
static const struct sale_bidder *
acting_bidder(const struct sale *s, const struct eb_cmd *c,
    struct eb_error *err)
{
	long bi = find_bidder(s, c->actor.party);

	if (bi < 0 || s->bidders[bi].status != BIDDER_QUALIFIED) {
		eb_fail(err, EB_ERR_DENIED, "not-qualified",
		    "Apply, lodge the deposit and wait for your bidding number.",
		    "%s: %s holds no bidding number in sale %s", eb_cmd_name(c),
		    c->actor.party, s->id);
		return NULL;
	}
	return &s->bidders[bi];
}

/* The raise rule shared by quotes and auction bids. */
static int
check_raise(const struct sale *s, const struct eb_cmd *c,
    const struct sale_bidder *b, int64_t amount, struct eb_error *err)
{
	int64_t min = s->leader == 0 ? s->start_price : s->current + s->increment;
	char a[40], m[40];

	if (s->leader != 0 && s->leader == b->number)
		return eb_fail(err, EB_ERR_RULE, "already-highest",
		    "You hold the highest price; wait for another bidder to raise it.",
		    "%s: No. %u already holds the highest price", eb_cmd_name(c),
		    b->number);
	if (amount < min) {
		eb_sale_price_text(amount, a, sizeof(a));
		eb_sale_price_text(min, m, sizeof(m));
		eb_fail(err, EB_ERR_RULE, "below-minimum",
		    s->leader == 0 ?
		    "The first price must reach the starting price." :
		    "Raise by at least the increment over the current price; an equal amount loses to the earlier one.",
		    "%s: %s yuan is below the minimum of %s yuan", eb_cmd_name(c),
		    a, m);
		eb_error_detail(err, "amount %lld fen, current %lld fen, "
		    "increment %lld fen, minimum %lld fen", (long long)amount,
		    (long long)s->current, (long long)s->increment,
		    (long long)min);
		return EB_ERR_RULE;
	}
	/* whole multiples of the increment above the starting price (no
	 * price yet) or above the current price */
	if (!s->raise_any &&
	    (amount - (s->leader == 0 ? s->start_price : s->current)) %
	    s->increment != 0) {
		int64_t base = s->leader == 0 ? s->start_price : s->current;
		int64_t k = (amount - base) / s->increment;
		char lo[40], hi[40], inc[40];

		eb_sale_price_text(amount, a, sizeof(a));
		eb_sale_price_text(base + k * s->increment, lo, sizeof(lo));
		eb_sale_price_text(base + (k + 1) * s->increment, hi,
		    sizeof(hi));
		eb_sale_price_text(s->increment, inc, sizeof(inc));
		eb_fail(err, EB_ERR_RULE, "not-a-multiple",
		    "Raise by a whole number of increments: the nearest valid amounts are in the detail.",
		    "%s: %s yuan is not a whole multiple of the increment (%s yuan) above %s",
		    eb_cmd_name(c), a, inc, s->leader == 0 ?
		    "the starting price" : "the current price");
		eb_error_detail(err, "nearest valid amounts %s and %s yuan",
		    lo, hi);
		return EB_ERR_RULE;
	}
	return EB_OK;
}

static int
de_quote(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	const struct sale_bidder *b;
	int64_t amount;
	struct eb_doc *e;
	int rc;

	if ((b = acting_bidder(s, c, err)) == NULL)
		return EB_ERR_DENIED;
	if (c->time < s->listing_start)
		return eb_fail(err, EB_ERR_TIME, "listing-not-started",
		    "Quote once the listing has started.",
		    "quote: the listing of sale %s has not started", s->id);
	if (c->time >= s->listing_end) {
		char t[EB_ISOTIME_LEN];

		eb_isotime_format(s->listing_end, t);
		return eb_fail(err, EB_ERR_TIME, "listing-closed",
		    "The listing is over; no quote counts after its end.",
		    "quote: the listing of sale %s closed at %s", s->id, t);
	}
	if ((rc = field_i64(c, "amount", 1, EB_SALE_FEN_MAX, &amount, err)) !=
	    EB_OK || (rc = check_raise(s, c, b, amount, err)) != EB_OK)
		return rc;
	e = ev_add(evs, "sale-quote-accepted", c);
	eb_doc_set_attr_i64(e, "number", b->number);
	eb_doc_set_attr_i64(e, "amount", amount);
	return EB_OK;
}

static int
de_listing_closed(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	struct eb_doc *e;

	if (c->time < s->listing_end)
		return eb_fail(err, EB_ERR_TIME, "listing-open",
		    "The listing closes at its end instant.",
		    "listing-closed: the listing of sale %s is still open", s->id);
	e = ev_add(evs, "sale-listing-closed", c);
	eb_doc_set_attr_i64(e, "quoters", s->quoters);
	/*
	 * Rules 2: a listing without a quote has no price and no leader
	 * (absent, never "0", like a no-sale's winner).  Rules 1 wrote
	 * price="0" leader="0"; kept so that its logs replay (cmd.h).
	 */
	if (s->quoters > 0 || eb_cmd_rules(c) < 2) {
		eb_doc_set_attr_i64(e, "price", s->current);
		eb_doc_set_attr_i64(e, "leader", s->leader);
	}
	if (s->quoters >= 2) {
		eb_doc_set_attr(e, "next", "declaring");
		set_instant(e, "declare-until", c->time + s->declare_ms);
	} else {
		eb_doc_set_attr(e, "next", "revealing");
	}
	return EB_OK;
}

static int
de_declare(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	const struct sale_bidder *b;
	const char *v = eb_doc_attr(c->body, "continue");
	struct eb_doc *e;

	if ((b = acting_bidder(s, c, err)) == NULL)
		return EB_ERR_DENIED;
	if (!b->quoted)
		return eb_fail(err, EB_ERR_DENIED, "no-listing-quote",
		    "Only bidders with a valid listing quote may go on to the auction.",
		    "declare-continue: No. %u made no quote in the listing",
		    b->number);
	if (b->declared != DECL_NONE)
		return eb_fail(err, EB_ERR_CONFLICT, "already-declared",
		    "A declaration is made once.",
		    "declare-continue: No. %u has already declared", b->number);
	if (c->time >= s->declare_deadline)
		return eb_fail(err, EB_ERR_TIME, "declaration-closed",
		    "The declaration window is over.",
		    "declare-continue: the declaration window of sale %s has ended",
		    s->id);
	if (v == NULL || (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0))
		return eb_fail(err, EB_ERR_FORMAT, "bad-declaration",
		    "Set continue=\"yes\" or continue=\"no\".",
		    "declare-continue: 'continue' must be yes or no");
	e = ev_add(evs, "sale-continue-declared", c);
	eb_doc_set_attr_i64(e, "number", b->number);
	eb_doc_set_attr(e, "continue", v);
	return EB_OK;
}

static int
de_start_auction(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	struct eb_doc *e;

	if (c->time < s->declare_deadline && s->declared < s->quoters)
		return eb_fail(err, EB_ERR_TIME, "declaration-open",
		    "Wait for the declaration deadline or for every declaration.",
		    "start-auction: bidders of sale %s may still declare", s->id);
	if (s->yes_count >= 2) {
		e = ev_add(evs, "sale-auction-started", c);
		eb_doc_set_attr_i64(e, "price", s->current);
		eb_doc_set_attr_i64(e, "leader", s->leader);
		eb_doc_set_attr_i64(e, "bidders", s->yes_count);
		set_instant(e, "ends", c->time + s->countdown_ms);
	} else {
		e = ev_add(evs, "sale-auction-skipped", c);
		eb_doc_set_attr_i64(e, "continuing", s->yes_count);
		eb_doc_set_attr_i64(e, "price", s->current);
		eb_doc_set_attr_i64(e, "leader", s->leader);
	}
	return EB_OK;
}

static int
de_auction_bid(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	const struct sale_bidder *b;
	int64_t amount, end = s->countdown_from + s->countdown_ms;
	struct eb_doc *e;
	int rc;

	if ((b = acting_bidder(s, c, err)) == NULL)
		return EB_ERR_DENIED;
	if (b->declared != DECL_YES)
		return eb_fail(err, EB_ERR_DENIED, "not-in-auction",
		    "Only bidders who declared to go on take part in the auction.",
		    "auction-bid: No. %u did not declare to go on", b->number);
	if (c->time >= end) {
		char t[EB_ISOTIME_LEN];

		eb_isotime_format(end, t);
		return eb_fail(err, EB_ERR_TIME, "auction-ended",
		    "The countdown ran out before your bid was received.",
		    "auction-bid: the auction of sale %s ended at %s", s->id, t);
	}
	if ((rc = field_i64(c, "amount", 1, EB_SALE_FEN_MAX, &amount, err)) !=
	    EB_OK || (rc = check_raise(s, c, b, amount, err)) != EB_OK)
		return rc;
	e = ev_add(evs, "sale-bid-accepted", c);
	eb_doc_set_attr_i64(e, "number", b->number);
	eb_doc_set_attr_i64(e, "amount", amount);
	set_instant(e, "ends", (c->time > s->countdown_from ? c->time :
	    s->countdown_from) + s->countdown_ms);
	return EB_OK;
}

static int
de_countdown_expired(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	struct eb_doc *e;

	if (c->time < s->countdown_from + s->countdown_ms)
		return eb_fail(err, EB_ERR_TIME, "countdown-running",
		    "The auction ends when the countdown runs out with no new bid.",
		    "countdown-expired: the countdown of sale %s is still running",
		    s->id);
	e = ev_add(evs, "sale-auction-ended", c);
	eb_doc_set_attr_i64(e, "price", s->current);
	eb_doc_set_attr_i64(e, "leader", s->leader);
	return EB_OK;
}

static int
de_reveal(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	const char *salt = eb_doc_attr(c->body, "salt");
	char hex[EB_SHA256_HEX];
	int64_t fen;
	struct eb_doc *e;
	int rc, sold;

	if (c->actor.role == EB_ROLE_TRANSFEROR &&
	    strcmp(c->actor.party, s->transferor) != 0)
		return eb_fail(err, EB_ERR_DENIED, "not-the-transferor",
		    "Only the sale's transferor or a supervisor reveals the reserve.",
		    "reveal-reserve: %s is not the transferor of sale %s",
		    c->actor.party, s->id);
	if ((rc = field_i64(c, "fen", 0, EB_SALE_FEN_MAX, &fen, err)) != EB_OK)
		return rc;
	if (eb_sale_reserve_hash(s->id, fen, salt, hex) != EB_OK)
		return eb_fail(err, EB_ERR_FORMAT, "bad-salt",
		    "Send the salt as 32 to 128 lower-case hex digits, as committed.",
		    "reveal-reserve: the salt is malformed");
	if (strcmp(hex, s->reserve_hash) != 0) {
		eb_fail(err, EB_ERR_RULE, "reserve-mismatch",
		    "Send exactly the reserve price and salt that were committed.",
		    "reveal-reserve: the price and salt do not match the commitment");
		eb_error_detail(err, "commitment %s, computed %s",
		    s->reserve_hash, hex);
		return EB_ERR_RULE;
	}
	sold = s->leader != 0 && s->current >= fen;
	e = ev_add(evs, "sale-reserve-revealed", c);
	eb_doc_set_attr_i64(e, "fen", fen);
	eb_doc_set_attr(e, "salt", salt);
	eb_doc_set_attr(e, "outcome", sold ? "sold" : "no-sale");
	eb_doc_set_attr_i64(e, "price", s->current);
	/* a no-sale has no winner: the attribute is absent, never "0" */
	if (sold)
		eb_doc_set_attr_i64(e, "winner", s->leader);
	return EB_OK;
}

static int
de_confirm_result(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	const struct sale_bidder *w = bidder_by_number(s, s->winner);
	struct eb_doc *e;

	(void)err;
	e = ev_add(evs, "sale-result-confirmed", c);
	eb_doc_set_attr(e, "outcome",
	    s->outcome == OUTCOME_SOLD ? "sold" : "no-sale");
	eb_doc_set_attr_i64(e, "price", s->final_price);
	if (w != NULL) {
		eb_doc_set_attr_i64(e, "winner", s->winner);
		eb_doc_set_attr(e, "winner-party", w->party);
		eb_doc_set_attr(e, "winner-name", w->name);
	}
	set_instant(e, "publicity-until", c->time + s->publicity_ms);
	return EB_OK;
}

static int
de_publicity_ended(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	if (c->time < s->publicity_end)
		return eb_fail(err, EB_ERR_TIME, "publicity-running",
		    "The publicity period has not ended yet.",
		    "sale-publicity-ended: the publicity of sale %s is running",
		    s->id);
	ev_add(evs, "sale-publicity-closed", c);
	return EB_OK;
}

static int
de_verify(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	const char *rec;
	int rc;

	(void)s;
	if ((rc = field_text(c, "record", 1, &rec, err)) != EB_OK)
		return rc;
	eb_doc_add_text(ev_add(evs, "sale-verified", c), "record", rec);
	return EB_OK;
}

static int
de_close(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	(void)s;
	(void)err;
	ev_add(evs, "sale-closed", c);
	return EB_OK;
}

static int
de_cancel(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	const char *reason;
	int rc;

	if (s->cancel_pending)
		return eb_fail(err, EB_ERR_CONFLICT, "cancel-pending",
		    "A cancellation already waits for the verifier's countersignature.",
		    "cancel-sale: sale %s already has a pending cancellation", s->id);
	if ((rc = field_text(c, "reason", 1, &reason, err)) != EB_OK)
		return rc;
	eb_doc_add_text(ev_add(evs, "sale-cancel-requested", c), "reason", reason);
	return EB_OK;
}

static int
de_countersign_cancel(const struct sale *s, const struct eb_cmd *c,
    struct eb_doc *evs, struct eb_error *err)
{
	if (!s->cancel_pending)
		return eb_fail(err, EB_ERR_STATE, "no-cancel-pending",
		    "A supervisor requests the cancellation first.",
		    "countersign-cancel-sale: sale %s has no pending cancellation",
		    s->id);
	ev_add(evs, "sale-cancelled", c);
	return EB_OK;
}

static int
de_suspend(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	const char *reason;
	int rc;

	(void)s;
	if ((rc = field_text(c, "reason", 1, &reason, err)) != EB_OK)
		return rc;
	eb_doc_add_text(ev_add(evs, "sale-suspended", c), "reason", reason);
	return EB_OK;
}

static int
de_resume(const struct sale *s, const struct eb_cmd *c, struct eb_doc *evs,
    struct eb_error *err)
{
	struct eb_doc *e;

	(void)err;
	e = ev_add(evs, "sale-resumed", c);
	eb_doc_set_attr(e, "to", state_name(s->suspended_from));
	eb_doc_set_attr_i64(e, "suspended-ms",
	    c->time > s->suspended_at ? c->time - s->suspended_at : 0);
	return EB_OK;
}

#define R(x) EB_ROLE_BIT(EB_ROLE_##x)

struct sale_cmd_def {
	const char *name;
	uint32_t roles;
	uint32_t states;
	decide_fn fn;
};

/* The permission table: who may send what, in which states. */
static const struct sale_cmd_def sale_cmds[] = {
	/* hot commands first */
	{ "auction-bid", R(BIDDER), S(SALE_AUCTION), de_auction_bid },
	{ "quote", R(BIDDER), S(SALE_LISTING), de_quote },
	{ "register-sale", R(TRANSFEROR), S(SALE_NEW), de_register },
	{ "accept-sale", R(REGISTRAR), S(SALE_REGISTERED), de_accept },
	{ "commit-reserve", R(TRANSFEROR), S(SALE_ACCEPTED), de_commit_reserve },
	{ "countersign-reserve", R(SUPERVISOR), S(SALE_ACCEPTED),
	    de_countersign_reserve },
	{ "publish-listing", R(SUPERVISOR), S(SALE_ACCEPTED), de_publish },
	{ "apply-for-sale", R(BIDDER), S(SALE_LISTING), de_apply },
	{ "confirm-sale-deposit", R(REGISTRAR), S(SALE_LISTING),
	    de_confirm_deposit },
	{ "reject-sale-application", R(REGISTRAR), S(SALE_LISTING),
	    de_reject_application },
	{ "listing-closed", R(SYSTEM), S(SALE_LISTING), de_listing_closed },
	{ "declare-continue", R(BIDDER), S(SALE_DECLARING), de_declare },
	{ "start-auction", R(SYSTEM), S(SALE_DECLARING), de_start_auction },
	{ "countdown-expired", R(SYSTEM), S(SALE_AUCTION), de_countdown_expired },
	{ "reveal-reserve", R(TRANSFEROR) | R(SUPERVISOR), S(SALE_REVEALING),
	    de_reveal },
	{ "confirm-sale-result", R(SUPERVISOR), S(SALE_RESULT),
	    de_confirm_result },
	{ "sale-publicity-ended", R(SYSTEM), S(SALE_PUBLICITY),
	    de_publicity_ended },
	{ "verify-sale", R(VERIFIER), S(SALE_VERIFYING), de_verify },
	{ "close-sale", R(REGISTRAR), S(SALE_VERIFIED), de_close },
	{ "cancel-sale", R(SUPERVISOR), ACTIVE | S(SALE_SUSPENDED), de_cancel },
	{ "countersign-cancel-sale", R(VERIFIER), ACTIVE | S(SALE_SUSPENDED),
	    de_countersign_cancel },
	{ "suspend-sale", R(SUPERVISOR), ACTIVE, de_suspend },
	{ "resume-sale", R(SUPERVISOR), S(SALE_SUSPENDED), de_resume },
};
#define NCMDS (sizeof(sale_cmds) / sizeof(sale_cmds[0]))

static const struct sale_cmd_def *
cmd_def(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NCMDS; i++)
		if (strcmp(sale_cmds[i].name, name) == 0)
			return &sale_cmds[i];
	return NULL;
}

static int
sale_handles(const char *name)
{
	return cmd_def(name) != NULL;
}

/* The commands the caller's office may send in the sale's state. */
static void
allowed_now(const struct sale *s, enum eb_role role, char *out, size_t cap)
{
	size_t i, n = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < NCMDS; i++) {
		if (!(sale_cmds[i].states & S(s->state)) ||
		    !(sale_cmds[i].roles & EB_ROLE_BIT(role)))
			continue;
		w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "",
		    sale_cmds[i].name);
		if (w < 0 || (size_t)w >= cap - n)
			break;
		n += (size_t)w;
	}
	if (n == 0)
		snprintf(out, cap, "nothing for a %s (the sale is %s)",
		    eb_role_name(role), state_name(s->state));
}

/*
 * A quote or an auction bid that comes after its phase has ended: say
 * that it ended and when (the person typed it a moment too late), rather
 * than the state machine's "not allowed in state".  EB_OK when the
 * command is not such a late one.
 */
static int
late_price(const struct sale *s, const struct sale_cmd_def *d,
    struct eb_error *err)
{
	char t[EB_ISOTIME_LEN];

	if (d->fn == de_quote && s->state != SALE_NEW &&
	    s->state != SALE_REGISTERED &&
	    s->state != SALE_ACCEPTED && s->state != SALE_SUSPENDED &&
	    s->state != SALE_CANCELLED) {
		eb_isotime_format(s->listing_end, t);
		return eb_fail(err, EB_ERR_TIME, "listing-closed",
		    "The listing is over; no quote counts after its end.",
		    "quote: the listing of sale %s closed at %s", s->id, t);
	}
	if (d->fn == de_auction_bid && s->auction_start != 0 &&
	    s->state != SALE_AUCTION && s->state != SALE_SUSPENDED &&
	    s->state != SALE_CANCELLED) {
		eb_isotime_format(s->countdown_from + s->countdown_ms, t);
		return eb_fail(err, EB_ERR_TIME, "auction-ended",
		    "The countdown has run out; no bid counts after it.",
		    "auction-bid: the auction of sale %s ended at %s", s->id, t);
	}
	return EB_OK;
}

/*
 * Separation of duties on this sale: one natural person holds one office;
 * no officer bids.  O(officers) for office commands and applications; the
 * hot bidder commands skip it (their person was checked at application).
 */
static int
check_person(const struct sale *s, const struct eb_cmd *c,
    struct eb_error *err)
{
	size_t i;
	int known = 0;

	if (c->actor.role == EB_ROLE_SYSTEM || c->actor.person[0] == '\0')
		return EB_OK;
	for (i = 0; i < s->nofficers; i++) {
		if (strcmp(s->officers[i].person, c->actor.person) != 0)
			continue;
		if (s->officers[i].role != c->actor.role)
			return eb_fail(err, EB_ERR_DENIED, "two-offices",
			    "Another person must act: one person holds one office on a sale.",
			    "%s: person %s already acted on sale %s as %s",
			    eb_cmd_name(c), c->actor.person, s->id,
			    eb_role_name(s->officers[i].role));
		known = 1;
	}
	if (is_office(c->actor.role)) {
		if (c->actor.role != EB_ROLE_TRANSFEROR &&
		    c->actor.org[0] != '\0' &&
		    strcmp(c->actor.org, s->transferor_org) == 0)
			return eb_fail(err, EB_ERR_DENIED, "separation-of-duties",
			    "An officer of the transferor's organisation may not act on its sale.",
			    "%s: %s %s belongs to %s, the transferor of sale %s",
			    eb_cmd_name(c), eb_role_name(c->actor.role),
			    c->actor.party, c->actor.org, s->id);
		for (i = 0; i < s->nbidders; i++)
			if (strcmp(s->bidders[i].person, c->actor.person) == 0)
				return eb_fail(err, EB_ERR_DENIED, "two-offices",
				    "Another person must act: a bidder holds no office on its sale.",
				    "%s: person %s is behind bidder %s",
				    eb_cmd_name(c), c->actor.person,
				    s->bidders[i].party);
		if (!known && s->nofficers >= EB_SALE_OFFICERS_MAX)
			return eb_fail(err, EB_ERR_LIMIT, "too-many-officers",
			    NULL, "%s: sale %s has too many officers",
			    eb_cmd_name(c), s->id);
	}
	return EB_OK;
}

static int
sale_decide(const void *st, const struct eb_cmd *c, struct eb_doc **events,
    struct eb_error *err)
{
	const struct sale *s = st;
	const struct sale_cmd_def *d;
	struct eb_doc *evs = NULL;
	char allowed[512];
	int rc;

	*events = NULL;
	if ((rc = eb_cmd_check_rules(c, err)) != EB_OK)
		return rc;
	if (c->body == NULL || (d = cmd_def(eb_cmd_name(c))) == NULL)
		return eb_fail(err, EB_ERR_NOTFOUND, "unknown-command",
		    "See docs/sale.md for the commands of a sale.",
		    "'%s' is not a sale command", eb_cmd_name(c));
	if (c->target[0] != '\0' && strcmp(c->target, s->id) != 0)
		return eb_fail(err, EB_ERR_NOTFOUND, "wrong-sale", NULL,
		    "%s: addressed to sale %s, not %s", d->name, c->target, s->id);
	if (!(d->roles & EB_ROLE_BIT(c->actor.role)))
		return eb_fail(err, EB_ERR_DENIED, "wrong-role",
		    "Send the command with the certificate of the office that owns it (docs/sale.md).",
		    "%s: a %s may not send it", d->name,
		    eb_role_name(c->actor.role));
	if (!(d->states & S(s->state))) {
		if ((rc = late_price(s, d, err)) != EB_OK)
			return rc;
		allowed_now(s, c->actor.role, allowed, sizeof(allowed));
		eb_fail(err, EB_ERR_STATE, "not-allowed-in-state",
		    "Send one of the commands allowed now, or wait for the sale to reach the stage.",
		    "%s refused: sale %s is %s", d->name, s->id,
		    state_name(s->state));
		eb_error_detail(err, "allowed now: %s", allowed);
		return EB_ERR_STATE;
	}
	if (d->fn != de_auction_bid && d->fn != de_quote &&
	    (rc = check_person(s, c, err)) != EB_OK)
		return rc;
	evs = eb_doc_new("events");
	eb_doc_set_attr(evs, "sale", s->id);
	if ((rc = d->fn(s, c, evs, err)) != EB_OK) {
		eb_doc_free(evs);
		return rc;
	}
	*events = evs;
	return EB_OK;
}

/* ---------------------------------------------------------------------- */
/* apply: one function per event                                          */

struct ev_ctx {
	int64_t time;
	const char *party, *person, *org;
	enum eb_role role;
};

typedef int (*apply_fn)(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err);

static int
bad_event(const struct eb_doc *e, const char *what, struct eb_error *err)
{
	return eb_fail(err, EB_ERR_FORMAT, "bad-event",
	    "The log does not fit this sale; verify it with ebid-audit.",
	    "event <%s>: %s", e->name, what);
}

static int
ev_i64(const struct eb_doc *e, const char *name, int64_t *v,
    struct eb_error *err)
{
	if (eb_doc_attr_i64(e, name, v) != EB_OK)
		return bad_event(e, name, err);
	return EB_OK;
}

static int
ev_instant(const struct eb_doc *e, const char *name, int64_t *v,
    struct eb_error *err)
{
	const char *t = eb_doc_attr(e, name);

	if (t == NULL || eb_isotime_parse(t, v) != 0)
		return bad_event(e, name, err);
	return EB_OK;
}

static int
ev_number(const struct sale *s, const struct eb_doc *e, const char *name,
    int allow_zero, uint32_t *n, struct eb_error *err)
{
	int64_t v;

	if (eb_doc_attr_i64(e, name, &v) != EB_OK || v < 0 || v > 999999 ||
	    (v == 0 && !allow_zero) ||
	    (v != 0 && bidder_by_number(s, (uint32_t)v) == NULL))
		return bad_event(e, name, err);
	*n = (uint32_t)v;
	return EB_OK;
}

static int
set_text(char **dst, const char *t, struct eb_error *err)
{
	char *p = dup_text(t != NULL ? t : "");

	(void)err;
	free(*dst);
	*dst = p;
	return EB_OK;
}

static int
ap_registered(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	int64_t cd, dc, pb;
	const char *r;
	int rc;

	if ((rc = ev_i64(e, "starting-price", &s->start_price, err)) ||
	    (rc = ev_i64(e, "increment", &s->increment, err)) ||
	    (rc = ev_i64(e, "deposit", &s->deposit, err)) ||
	    (rc = ev_instant(e, "listing-start", &s->listing_start, err)) ||
	    (rc = ev_instant(e, "listing-end", &s->listing_end, err)) ||
	    (rc = ev_i64(e, "countdown-seconds", &cd, err)) ||
	    (rc = ev_i64(e, "declare-seconds", &dc, err)) ||
	    (rc = ev_i64(e, "publicity-seconds", &pb, err)))
		return rc;
	/* a log written before the raise rule existed was checked with "at
	 * least one increment": replay keeps it */
	r = eb_doc_attr(e, "raise");
	if (r == NULL || strcmp(r, "at-least") == 0)
		s->raise_any = 1;
	else if (strcmp(r, "multiples") == 0)
		s->raise_any = 0;
	else
		return bad_event(e, "raise", err);
	s->countdown_ms = cd * 1000;
	s->declare_ms = dc * 1000;
	s->publicity_ms = pb * 1000;
	copy_id(s->transferor, sizeof(s->transferor), x->party);
	copy_id(s->transferor_org, sizeof(s->transferor_org), x->org);
	if ((rc = set_text(&s->asset, eb_doc_child_text(e, "asset"), err)))
		return rc;
	return sale_set_state(s, SALE_REGISTERED, err);
}

static int
ap_accepted(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	return sale_set_state(s, SALE_ACCEPTED, err);
}

static int
ap_reserve_committed(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	const char *h = eb_doc_attr(e, "commitment");

	if (!valid_hash_hex(h))
		return bad_event(e, "commitment", err);
	copy_id(s->reserve_hash, sizeof(s->reserve_hash), h);
	s->reserve_committed = 1;
	return EB_OK;
}

static int
ap_reserve_countersigned(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	const char *h = eb_doc_attr(e, "commitment");

	if (!s->reserve_committed || h == NULL ||
	    strcmp(h, s->reserve_hash) != 0)
		return bad_event(e, "commitment", err);
	s->reserve_countersigned = 1;
	return EB_OK;
}

static int
ap_published(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	return sale_set_state(s, SALE_LISTING, err);
}

static int
ap_application(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	struct sale_bidder b;

	memset(&b, 0, sizeof(b));
	if (x->party[0] == '\0' || find_bidder(s, x->party) >= 0)
		return bad_event(e, "actor", err);
	copy_id(b.party, sizeof(b.party), x->party);
	copy_id(b.person, sizeof(b.person), x->person);
	copy_id(b.name, sizeof(b.name), eb_doc_attr(e, "name"));
	copy_id(b.org, sizeof(b.org), eb_doc_attr(e, "org"));
	b.applied_at = x->time;
	b.status = BIDDER_APPLIED;
	(void)add_bidder(s, &b);
	return EB_OK;
}

static struct sale_bidder *
ev_applicant(struct sale *s, const struct eb_doc *e)
{
	const char *p = eb_doc_attr(e, "bidder");
	long bi = p != NULL ? find_bidder(s, p) : -1;

	if (bi < 0 || s->bidders[bi].status != BIDDER_APPLIED)
		return NULL;
	return &s->bidders[bi];
}

static int
ap_deposit(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	struct sale_bidder *b = ev_applicant(s, e);
	int64_t n, paid;
	int rc;

	if (b == NULL)
		return bad_event(e, "bidder", err);
	if ((rc = ev_i64(e, "number", &n, err)) ||
	    (rc = ev_i64(e, "amount", &paid, err)))
		return rc;
	if (n < 1 || n > 999999 || bidder_by_number(s, (uint32_t)n) != NULL)
		return bad_event(e, "number", err);
	b->number = (uint32_t)n;
	b->deposit_paid = paid;
	b->status = BIDDER_QUALIFIED;
	number_put(s, (uint32_t)(b - s->bidders));
	return EB_OK;
}

static int
ap_rejected(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	struct sale_bidder *b = ev_applicant(s, e);

	if (b == NULL)
		return bad_event(e, "bidder", err);
	b->status = BIDDER_REJECTED;
	return EB_OK;
}

/* Shared by quote-accepted and bid-accepted. */
static int
ap_price(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    enum phase ph, struct eb_error *err)
{
	struct sale_bidder *b;
	uint32_t n = 0;
	int64_t amount;
	int rc;

	if ((rc = ev_number(s, e, "number", 0, &n, err)) ||
	    (rc = ev_i64(e, "amount", &amount, err)))
		return rc;
	b = bidder_by_number(s, n);
	push_bid(s, x->time, amount, n, ph);
	if (ph == PHASE_LISTING && !b->quoted) {
		b->quoted = 1;
		s->quoters++;
	}
	s->current = amount;
	s->leader = n;
	return EB_OK;
}

static int
ap_quote(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	return ap_price(s, e, x, PHASE_LISTING, err);
}

static int
ap_bid(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	int rc = ap_price(s, e, x, PHASE_AUCTION, err);

	if (rc == EB_OK && x->time > s->countdown_from)
		s->countdown_from = x->time;
	return rc;
}

/* Bidding is over: the price and leader stand as the result to reveal. */
static int
end_bidding(struct sale *s, const struct ev_ctx *x, struct eb_error *err)
{
	s->bidding_ended_at = x->time;
	s->final_price = s->current;
	return sale_set_state(s, SALE_REVEALING, err);
}

static int
ap_listing_closed(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	const char *next = eb_doc_attr(e, "next");
	int rc;

	if (next != NULL && strcmp(next, "declaring") == 0) {
		if ((rc = ev_instant(e, "declare-until", &s->declare_deadline,
		    err)))
			return rc;
		return sale_set_state(s, SALE_DECLARING, err);
	}
	if (next == NULL || strcmp(next, "revealing") != 0)
		return bad_event(e, "next", err);
	return end_bidding(s, x, err);
}

static int
ap_declared(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	const char *v = eb_doc_attr(e, "continue");
	struct sale_bidder *b;
	uint32_t n = 0;
	int rc;

	if ((rc = ev_number(s, e, "number", 0, &n, err)))
		return rc;
	b = bidder_by_number(s, n);
	if (v == NULL || b->declared != DECL_NONE)
		return bad_event(e, "continue", err);
	b->declared = strcmp(v, "yes") == 0 ? DECL_YES : DECL_NO;
	if (b->declared == DECL_YES)
		s->yes_count++;
	s->declared++;
	s->last_declared_at = x->time;
	return EB_OK;
}

static int
ap_auction_started(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	s->auction_start = x->time;
	s->countdown_from = x->time;
	return sale_set_state(s, SALE_AUCTION, err);
}

static int
ap_auction_skipped(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	return end_bidding(s, x, err);
}

static int
ap_auction_ended(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	return end_bidding(s, x, err);
}

static int
ap_revealed(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	const char *salt = eb_doc_attr(e, "salt"), *o = eb_doc_attr(e, "outcome");
	uint32_t w = 0;
	int rc;

	if ((rc = ev_i64(e, "fen", &s->reserve_fen, err)) ||
	    (eb_doc_attr(e, "winner") != NULL &&   /* absent: no winner */
	    (rc = ev_number(s, e, "winner", 1, &w, err))))
		return rc;
	if (!valid_salt(salt) || o == NULL)
		return bad_event(e, "salt", err);
	copy_id(s->reserve_salt, sizeof(s->reserve_salt), salt);
	s->reserve_revealed = 1;
	s->outcome = strcmp(o, "sold") == 0 ? OUTCOME_SOLD : OUTCOME_NO_SALE;
	s->winner = w;
	return sale_set_state(s, SALE_RESULT, err);
}

static int
ap_result(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	int rc;

	if ((rc = ev_instant(e, "publicity-until", &s->publicity_end, err)))
		return rc;
	s->result_confirmed = 1;
	return sale_set_state(s, SALE_PUBLICITY, err);
}

static int
ap_publicity_ended(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	return sale_set_state(s, SALE_VERIFYING, err);
}

static int
ap_verified(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	int rc;

	if ((rc = set_text(&s->verification, eb_doc_child_text(e, "record"),
	    err)))
		return rc;
	return sale_set_state(s, SALE_VERIFIED, err);
}

static int
ap_closed(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	return sale_set_state(s, SALE_CLOSED, err);
}

static int
ap_cancel_requested(struct sale *s, const struct eb_doc *e,
    const struct ev_ctx *x, struct eb_error *err)
{
	s->cancel_pending = 1;
	return set_text(&s->cancel_reason, eb_doc_child_text(e, "reason"), err);
}

static int
ap_cancelled(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	s->cancel_pending = 0;
	return sale_set_state(s, SALE_CANCELLED, err);
}

static int
ap_suspended(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	int rc;

	if ((rc = set_text(&s->suspend_reason, eb_doc_child_text(e, "reason"),
	    err)))
		return rc;
	s->suspended_from = s->state;
	s->suspended_at = x->time;
	return sale_set_state(s, SALE_SUSPENDED, err);
}

/*
 * Resume: every pending instant of the state we return to moves by the
 * time spent suspended, so nobody loses listing, declaration, countdown
 * or publicity time to a suspension.
 */
static int
ap_resumed(struct sale *s, const struct eb_doc *e, const struct ev_ctx *x,
    struct eb_error *err)
{
	const char *to = eb_doc_attr(e, "to");
	int64_t d;
	int rc;

	if ((rc = ev_i64(e, "suspended-ms", &d, err)))
		return rc;
	if (to == NULL || strcmp(to, state_name(s->suspended_from)) != 0 ||
	    d < 0)
		return bad_event(e, "to", err);
	switch (s->suspended_from) {
	case SALE_LISTING:
		s->listing_start += d;
		s->listing_end += d;
		break;
	case SALE_DECLARING:
		s->declare_deadline += d;
		if (s->last_declared_at != 0)
			s->last_declared_at += d;
		break;
	case SALE_AUCTION:
		s->countdown_from += d;
		break;
	case SALE_PUBLICITY:
		s->publicity_end += d;
		break;
	default:
		break;
	}
	free(s->suspend_reason);
	s->suspend_reason = NULL;
	return sale_set_state(s, s->suspended_from, err);
}

struct sale_ev_def {
	const char *name;
	apply_fn fn;
};

static const struct sale_ev_def sale_evs[] = {
	{ "sale-bid-accepted", ap_bid },
	{ "sale-quote-accepted", ap_quote },
	{ "sale-registered", ap_registered },
	{ "sale-accepted", ap_accepted },
	{ "sale-reserve-committed", ap_reserve_committed },
	{ "sale-reserve-countersigned", ap_reserve_countersigned },
	{ "sale-listing-published", ap_published },
	{ "sale-application-received", ap_application },
	{ "sale-deposit-confirmed", ap_deposit },
	{ "sale-application-rejected", ap_rejected },
	{ "sale-listing-closed", ap_listing_closed },
	{ "sale-continue-declared", ap_declared },
	{ "sale-auction-started", ap_auction_started },
	{ "sale-auction-skipped", ap_auction_skipped },
	{ "sale-auction-ended", ap_auction_ended },
	{ "sale-reserve-revealed", ap_revealed },
	{ "sale-result-confirmed", ap_result },
	{ "sale-publicity-closed", ap_publicity_ended },
	{ "sale-verified", ap_verified },
	{ "sale-closed", ap_closed },
	{ "sale-cancel-requested", ap_cancel_requested },
	{ "sale-cancelled", ap_cancelled },
	{ "sale-suspended", ap_suspended },
	{ "sale-resumed", ap_resumed },
};

static void
note_officer(struct sale *s, const struct ev_ctx *x)
{
	size_t i;

	if (!is_office(x->role) || x->person[0] == '\0')
		return;
	for (i = 0; i < s->nofficers; i++)
		if (s->officers[i].role == x->role &&
		    strcmp(s->officers[i].person, x->person) == 0)
			return;
	if (s->nofficers < EB_SALE_OFFICERS_MAX) {
		copy_id(s->officers[s->nofficers].person,
		    sizeof(s->officers[0].person), x->person);
		copy_id(s->officers[s->nofficers].org,
		    sizeof(s->officers[0].org), x->org);
		s->officers[s->nofficers].role = x->role;
		s->nofficers++;
	}
}

static int
sale_apply(void *st, const struct eb_doc *events, struct eb_error *err)
{
	struct sale *s = st;
	const struct eb_doc *e;
	const char *sid = events != NULL ? eb_doc_attr(events, "sale") : NULL;
	struct ev_ctx x;
	size_t i;
	int rc;

	if (events == NULL || strcmp(events->name, "events") != 0 ||
	    (sid != NULL && strcmp(sid, s->id) != 0))
		return eb_fail(err, EB_ERR_FORMAT, "bad-event",
		    "Pass the <events> tree that decide() returned for this sale.",
		    "apply: not an <events> tree of sale %s", s->id);
	for (e = events->first; e != NULL; e = e->next) {
		const char *role = eb_doc_attr(e, "role");

		for (i = 0; i < sizeof(sale_evs) / sizeof(sale_evs[0]); i++)
			if (strcmp(sale_evs[i].name, e->name) == 0)
				break;
		if (i == sizeof(sale_evs) / sizeof(sale_evs[0]))
			return bad_event(e, "unknown event", err);
		x.party = eb_doc_attr(e, "actor");
		x.person = eb_doc_attr(e, "person");
		x.org = eb_doc_attr(e, "org") != NULL ? eb_doc_attr(e, "org") :
		    "";
		if (x.party == NULL || x.person == NULL || role == NULL ||
		    eb_role_parse(role, &x.role) != EB_OK)
			return bad_event(e, "actor", err);
		if ((rc = ev_instant(e, "time", &x.time, err)) != EB_OK)
			return rc;
		if ((rc = sale_evs[i].fn(s, e, &x, err)) != EB_OK)
			return rc;
		note_officer(s, &x);
		chain_event(s, e->name, x.time, x.party, x.person);
	}
	return EB_OK;
}

/* ---------------------------------------------------------------------- */
/* view                                                                   */

/*
 * Who sees what of a bidder (竞买人).  One table: for each field of a
 * <bidder> entry, the audiences that see it.  The audience of a viewer
 * for one entry: SA_OWN when the entry is the viewer's own, SA_OFFICIAL
 * for the registrar, supervisor, verifier, auditor and ebidd, SA_WINNER
 * for everybody once the result naming this entry is confirmed, SA_ANY
 * for everybody else (the public, EB_ROLE_NONE, the transferor, other
 * buyers).  The entry itself: officials see every application, a buyer
 * its own; the others see a qualified buyer's number once it quoted, or
 * once the listing is over (before that, nobody learns how many were
 * qualified: a count of rivals is a bidder's secret like in a tender).
 */
enum sale_aud { SA_ANY, SA_WINNER, SA_OWN, SA_OFFICIAL, SA_COUNT };
#define SA(x) (1u << SA_##x)
#define SA_ALL ((1u << SA_COUNT) - 1)

static const struct {
	const char *attr;
	uint32_t who;
} bidder_vis[] = {
	{ "number", SA_ALL },
	{ "status", SA_ALL },
	{ "continue", SA_ALL },   /* others see entries only after bidding */
	{ "party", SA(WINNER) | SA(OWN) | SA(OFFICIAL) },
	{ "name", SA(WINNER) | SA(OWN) | SA(OFFICIAL) },
	{ "org", SA(WINNER) | SA(OWN) | SA(OFFICIAL) },
	{ "deposit-paid", SA(OWN) | SA(OFFICIAL) },
	{ "applied", SA(OWN) | SA(OFFICIAL) },
	{ "you", SA(OWN) },
};

static int
sees_names(enum eb_role r)
{
	return r == EB_ROLE_REGISTRAR || r == EB_ROLE_SUPERVISOR ||
	    r == EB_ROLE_VERIFIER || r == EB_ROLE_AUDITOR ||
	    r == EB_ROLE_SYSTEM;
}

static enum sale_aud
bidder_audience(const struct sale *s, const struct sale_bidder *b,
    const struct eb_actor *viewer)
{
	if (sees_names(viewer->role))
		return SA_OFFICIAL;
	if (viewer->role == EB_ROLE_BIDDER &&
	    strcmp(viewer->party, b->party) == 0)
		return SA_OWN;
	if (s->result_confirmed && s->winner != 0 && b->number == s->winner)
		return SA_WINNER;
	return SA_ANY;
}

/* 'name' in fen and 'name'-text as people read it. */
static void
view_price(struct eb_doc *d, const char *name, int64_t fen)
{
	char t[40], an[64];

	eb_doc_set_attr_i64(d, name, fen);
	if (eb_sale_price_text(fen, t, sizeof(t)) > 0) {
		snprintf(an, sizeof(an), "%s-text", name);
		eb_doc_set_attr(d, an, t);
	}
}

static int
cmp_number(const void *a, const void *b)
{
	uint32_t x = (*(const struct sale_bidder *const *)a)->number;
	uint32_t y = (*(const struct sale_bidder *const *)b)->number;

	return x < y ? -1 : x > y;
}

static const char *const bidder_status_names[] = {
	"applied", "qualified", "rejected"
};
static const char *const decl_names[] = { "none", "yes", "no" };

static void
view_bidder(const struct sale *s, struct eb_doc *l,
    const struct sale_bidder *b, const struct eb_actor *viewer)
{
	enum sale_aud a = bidder_audience(s, b, viewer);
	enum sale_state st = s->state == SALE_SUSPENDED ? s->suspended_from :
	    s->state;
	int bidding_over = st >= SALE_REVEALING;
	struct eb_doc *d, *full;
	size_t i;

	/* while bidding goes on, nobody but the officials and the bidder
	 * itself sees an entry: a count of entries would tell how many paid
	 * or are still in (issue 14 point 11) */
	if (a != SA_OFFICIAL && a != SA_OWN &&
	    (b->status != BIDDER_QUALIFIED || !bidding_over))
		return;
	/* every field, then only those the table gives this audience */
	full = eb_doc_new("bidder");
	if (b->number != 0)
		eb_doc_set_attr_i64(full, "number", b->number);
	eb_doc_set_attr(full, "status", bidder_status_names[b->status]);
	if (b->declared != DECL_NONE)
		eb_doc_set_attr(full, "continue", decl_names[b->declared]);
	eb_doc_set_attr(full, "party", b->party);
	eb_doc_set_attr(full, "name", b->name);
	eb_doc_set_attr(full, "org", b->org);
	eb_doc_set_attr_i64(full, "deposit-paid", b->deposit_paid);
	set_instant(full, "applied", b->applied_at);
	eb_doc_set_attr(full, "you", "yes");
	d = eb_doc_add(l, "bidder");
	for (i = 0; i < sizeof(bidder_vis) / sizeof(bidder_vis[0]); i++)
		if ((bidder_vis[i].who & (1u << a)) &&
		    eb_doc_attr(full, bidder_vis[i].attr) != NULL)
			eb_doc_set_attr(d, bidder_vis[i].attr,
			    eb_doc_attr(full, bidder_vis[i].attr));
	eb_doc_free(full);
}

static struct eb_doc *
sale_view(const void *st, const struct eb_actor *viewer)
{
	const struct sale *s = st;
	struct eb_doc *v = eb_doc_new("sale"), *d, *l;
	const struct sale_bidder *b;
	size_t i;

	eb_doc_set_attr(v, "id", s->id);
	eb_doc_set_attr(v, "state", state_name(s->state));
	if (s->state == SALE_SUSPENDED) {
		eb_doc_set_attr(v, "suspended-from", state_name(s->suspended_from));
		if (s->suspend_reason != NULL)
			eb_doc_add_text(v, "suspension", s->suspend_reason);
	}
	if (s->state == SALE_NEW)
		return v;
	eb_doc_add_text(v, "asset", s->asset != NULL ? s->asset : "");
	d = eb_doc_add(v, "terms");
	eb_doc_set_attr(d, "transferor", s->transferor);
	eb_doc_set_attr_i64(d, "starting-price", s->start_price);
	eb_doc_set_attr_i64(d, "increment", s->increment);
	eb_doc_set_attr(d, "raise", s->raise_any ? "at-least" : "multiples");
	eb_doc_set_attr_i64(d, "deposit", s->deposit);
	set_instant(d, "listing-start", s->listing_start);
	set_instant(d, "listing-end", s->listing_end);
	eb_doc_set_attr_i64(d, "countdown-seconds", s->countdown_ms / 1000);
	eb_doc_set_attr_i64(d, "declare-seconds", s->declare_ms / 1000);
	eb_doc_set_attr_i64(d, "publicity-seconds", s->publicity_ms / 1000);

	d = eb_doc_add(v, "reserve");
	eb_doc_set_attr(d, "committed", s->reserve_committed ? "yes" : "no");
	eb_doc_set_attr(d, "countersigned",
	    s->reserve_countersigned ? "yes" : "no");
	if (s->reserve_committed)
		eb_doc_set_attr(d, "commitment", s->reserve_hash);
	if (s->reserve_revealed) {
		eb_doc_set_attr_i64(d, "fen", s->reserve_fen);
		eb_doc_set_attr(d, "salt", s->reserve_salt);
	}

	d = eb_doc_add(v, "price");
	view_price(d, "current", s->current);
	eb_doc_set_attr_i64(d, "leader", s->leader);
	view_price(d, "minimum", s->leader == 0 ? s->start_price :
	    s->current + s->increment);
	eb_doc_set_attr_i64(d, "accepted", (int64_t)s->nhist);

	/*
	 * Qualified bidders in number order; officers (and a bidder for
	 * itself) also see names, deposits and the undecided or rejected
	 * applications.  Everybody sees the winner once the result is
	 * confirmed; losing bidders stay pseudonymous to the public.
	 */
	l = eb_doc_add(v, "bidders");
	if (s->numbers > 0) {
		/* in number order, which says nothing of the deposits' order */
		const struct sale_bidder **by = eb_calloc(s->numbers, sizeof(*by));
		size_t nb = 0;

		for (i = 0; i < s->nbidders; i++)
			if (s->bidders[i].number != 0 && nb < s->numbers)
				by[nb++] = &s->bidders[i];
		qsort(by, nb, sizeof(*by), cmp_number);
		for (i = 0; i < nb; i++)
			view_bidder(s, l, by[i], viewer);
		free(by);
	}
	for (i = 0; i < s->nbidders; i++) {
		b = &s->bidders[i];
		if (b->number == 0)
			view_bidder(s, l, b, viewer);
	}

	l = eb_doc_add(v, "history");
	for (i = 0; i < s->nhist; i++) {
		d = eb_doc_add(l, s->hist[i].phase == PHASE_LISTING ?
		    "quote" : "bid");
		set_instant(d, "time", s->hist[i].time);
		eb_doc_set_attr_i64(d, "number", s->hist[i].number);
		eb_doc_set_attr_i64(d, "amount", s->hist[i].amount);
	}
	if (s->state >= SALE_DECLARING && s->declare_deadline != 0) {
		d = eb_doc_add(v, "declaration");
		set_instant(d, "until", s->declare_deadline);
		/* how many declared and go on: the officials' while bidding */
		if (sees_names(viewer->role) || (s->state >= SALE_REVEALING &&
		    s->state != SALE_SUSPENDED) || (s->state == SALE_SUSPENDED &&
		    s->suspended_from >= SALE_REVEALING)) {
			eb_doc_set_attr_i64(d, "declared", s->declared);
			eb_doc_set_attr_i64(d, "continuing", s->yes_count);
		}
	}
	if (s->auction_start != 0) {
		d = eb_doc_add(v, "auction");
		set_instant(d, "start", s->auction_start);
		set_instant(d, "ends", s->countdown_from + s->countdown_ms);
	}
	if (s->reserve_revealed) {
		d = eb_doc_add(v, "result");
		eb_doc_set_attr(d, "outcome",
		    s->outcome == OUTCOME_SOLD ? "sold" : "no-sale");
		view_price(d, "price", s->final_price);
		if (s->outcome == OUTCOME_SOLD && s->winner != 0)
			eb_doc_set_attr_i64(d, "winner", s->winner);
		eb_doc_set_attr(d, "confirmed", s->result_confirmed ? "yes" : "no");
		if (s->result_confirmed)
			set_instant(d, "publicity-until", s->publicity_end);
	}
	if (s->verification != NULL)
		eb_doc_add_text(v, "verification", s->verification);
	if (s->cancel_pending && s->cancel_reason != NULL)
		eb_doc_add_text(v, "cancel-requested", s->cancel_reason);
	return v;
}

/* ---------------------------------------------------------------------- */
/* timers                                                                 */

static int
sale_next_timer(const void *st, int64_t *at, const char **name)
{
	const struct sale *s = st;

	switch (s->state) {
	case SALE_LISTING:
		*at = s->listing_end;
		*name = "listing-closed";
		return 1;
	case SALE_DECLARING:
		*at = s->declared >= s->quoters && s->last_declared_at <
		    s->declare_deadline ? s->last_declared_at :
		    s->declare_deadline;
		*name = "start-auction";
		return 1;
	case SALE_AUCTION:
		*at = s->countdown_from + s->countdown_ms;
		*name = "countdown-expired";
		return 1;
	case SALE_PUBLICITY:
		*at = s->publicity_end;
		*name = "sale-publicity-ended";
		return 1;
	default:
		return 0;
	}
}

size_t
eb_sale_state_count(void)
{
	return SALE_STATE_COUNT;
}

const char *
eb_sale_state_name(size_t s)
{
	return s < SALE_STATE_COUNT ? sale_state_names[s] : "?";
}

/* names as in sale_state_names[] (tests/unit/server_state_names.c checks) */
static const char *const sale_final_states[] = {
	"closed", "cancelled", NULL
};
/* before the listing, the board neither lists a sale nor shows heads */
static const char *const sale_unlisted_states[] = {
	"new", "registered", "accepted", NULL
};
static const char *const sale_public_head_states[] = {
	"listing", "declaring", "auction", "revealing", "result",
	"publicity", "verifying", "verified", "closed", "cancelled",
	"suspended", NULL
};

const struct eb_flow_ops eb_sale_flow = {
	.kind = "sale",
	.handles = sale_handles,
	.create = sale_create,
	.destroy = sale_destroy,
	.decide = sale_decide,
	.apply = sale_apply,
	.view = sale_view,
	.state_name = sale_state_name,
	.next_timer = sale_next_timer,
	.final_states = sale_final_states,
	.unlisted_states = sale_unlisted_states,
	.public_head_states = sale_public_head_states,
};

int
eb_sale_event_public(const char *name)
{
	static const char *const hidden[] = {
		"sale-application-received", "sale-application-rejected",
		"sale-deposit-confirmed", "sale-continue-declared",
	};
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (strcmp(name, hidden[i]) == 0)
			return 0;
	return 1;
}

/* ---------------------------------------------------------------------- */
/* the floor hint (sale.h): check_raise's inputs, and its certain "no"    */

void
eb_sale_hint_fill(const void *state, struct eb_sale_hint *h)
{
	const struct sale *s = state;
	const struct sale_bidder *b;

	memset(h, 0, sizeof(*h));
	if (s == NULL)
		return;
	h->phase = s->state == SALE_AUCTION ? EB_SALE_HINT_AUCTION :
	    s->state == SALE_LISTING ? EB_SALE_HINT_LISTING : EB_SALE_HINT_NONE;
	h->current = s->current;
	h->increment = s->increment;
	h->start_price = s->start_price;
	if (s->leader != 0 && (b = bidder_by_number(s, s->leader)) != NULL)
		copy_id(h->leader, sizeof(h->leader), b->party);
	else if (s->leader != 0)
		h->phase = EB_SALE_HINT_NONE;   /* a leader without a party */
}

int
eb_sale_hint_refuses(const struct eb_sale_hint *h, const struct eb_doc *cmd,
    const char *party)
{
	int64_t amount, min;

	if (h == NULL || cmd == NULL || party == NULL ||
	    h->phase == EB_SALE_HINT_NONE)
		return 0;
	if (!(h->phase == EB_SALE_HINT_AUCTION &&
	    strcmp(cmd->name, "auction-bid") == 0) &&
	    !(h->phase == EB_SALE_HINT_LISTING &&
	    strcmp(cmd->name, "quote") == 0))
		return 0;
	/* the amount as de_quote / de_auction_bid read it (field_i64) */
	if (eb_doc_attr_i64(cmd, "amount", &amount) != EB_OK || amount < 1 ||
	    amount > EB_SALE_FEN_MAX)
		return 0;
	if (h->leader[0] != '\0') {
		if (h->current > EB_SALE_FEN_MAX || h->increment > EB_SALE_FEN_MAX)
			return 0;
		min = h->current + h->increment;
	} else {
		min = h->start_price;
	}
	/* a checked raise on its way to be decided: if it wins, the floor
	 * is above it (a guess: it may not) */
	if (h->pending > 0 && h->pending <= EB_SALE_FEN_MAX &&
	    h->increment >= 0 && h->increment <= EB_SALE_FEN_MAX &&
	    h->pending + h->increment > min)
		min = h->pending + h->increment;
	/*
	 * Only an amount under the floor: the price only rises in a phase,
	 * so it stays under it whoever leads when the raise is decided (the
	 * leader's is refused already-highest, check_raise's first test,
	 * anyone else's below-minimum).  The leader's raise over the floor
	 * is not guessed: in a race someone else has mostly taken the lead
	 * by the time it is decided (docs/performance.md, ninth pass).
	 */
	if (amount >= min)
		return 0;
	return h->leader[0] != '\0' && strcmp(h->leader, party) == 0 ?
	    EB_SALE_GUESS_LEADS : EB_SALE_GUESS_BELOW;
}
