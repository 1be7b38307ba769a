/*
 * engine/core/fixed.h
 *    Fixed-point decimal arithmetic with explicit rounding (scores,
 *    percentages, coefficients).  No floating point anywhere.
 *
 * A fixed value is an int64_t holding the number times EB_FIX_ONE (10^8):
 * eight decimals internally, so a tender may round to any 0..8 decimals.
 * Money is NOT a fixed value: it stays int64 fen (protocol rule); the
 * functions below that take plain integers (fen, counts) say so.
 *
 * Rounding modes act on the magnitude, symmetrically for negatives (the
 * usual reading of 四舍五入 / 去尾 / 进一 in tender documents):
 *    EB_ROUND_HALF_UP  half away from zero:  2.5 -> 3, -2.5 -> -3
 *    EB_ROUND_DOWN     toward zero (truncate): 2.9 -> 2, -2.9 -> -2
 *    EB_ROUND_UP       away from zero:         2.1 -> 3, -2.1 -> -3
 * Every quotient is computed exactly (in __int128) and rounded once, at
 * the point the caller names; nothing is rounded silently except where a
 * function says "to 8 decimals".
 *
 * Overflow: every function checks it and returns EB_ERR_LIMIT (the value
 * of *out is then unspecified).  The range is about +-9.2e10 points.
 *
 * Text form: an optional '-', digits, optionally '.' and 1..8 digits
 * ("12", "-0.5", "3.14159265").  No '+', no spaces, no exponent.
 *
 * Pure: libc only.
 *
 * INTERFACE
 *    eb_fix_parse()     - decimal text -> fixed (exact, or EB_ERR_FORMAT)
 *    eb_fix_format()    - fixed -> decimal text (exact, never rounds)
 *    eb_fix_from_int()  - integer -> fixed
 *    eb_fix_round()     - round a fixed value to 0..8 decimals
 *    eb_fix_add(), eb_fix_sub() - checked sum and difference
 *    eb_fix_mul()       - product of two fixed values, rounded
 *    eb_fix_ratio()     - the rational num/den (plain __int128) as fixed
 *    eb_round_div()     - the rational num/den rounded to an integer
 *    eb_round_parse(), eb_round_name() - mode names "half-up|down|up"
 */
#ifndef EB_FIXED_H
#define EB_FIXED_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/err.h"

#define EB_FIX_DECIMALS 8
#define EB_FIX_ONE ((int64_t)100000000)
/* Longest text: '-', 11 integer digits, '.', 8 decimals, NUL (+ margin). */
#define EB_FIX_TEXT 40

enum eb_round { EB_ROUND_HALF_UP, EB_ROUND_DOWN, EB_ROUND_UP };

/*
 * Parse decimal text 's' into *v.  Returns EB_OK, EB_ERR_FORMAT when 's'
 * is not of the text form above (including more than 8 decimals), or
 * EB_ERR_LIMIT when it is out of range.
 */
int eb_fix_parse(const char *s, int64_t *v) EB_MUSTCHECK;

/*
 * Exact decimal text of 'v' into 'out' (EB_FIX_TEXT bytes): trailing zero
 * decimals are dropped but at least 'min_decimals' (0..8) are written, so
 * eb_fix_format(1.5, 4) is "1.5000" and eb_fix_format(1.23456, 2) is
 * "1.23456".  Returns 'out'.
 */
char *eb_fix_format(int64_t v, int min_decimals, char out[EB_FIX_TEXT]);

/* n as a fixed value; EB_ERR_LIMIT when out of range. */
int eb_fix_from_int(int64_t n, int64_t *out) EB_MUSTCHECK;

/*
 * Round 'v' to 'decimals' (0..8) with 'mode'.  Returns EB_OK,
 * EB_ERR_USAGE for decimals out of range, EB_ERR_LIMIT on overflow.
 */
int eb_fix_round(int64_t v, int decimals, enum eb_round mode, int64_t *out)
    EB_MUSTCHECK;

/* a + b, a - b; EB_ERR_LIMIT on overflow. */
int eb_fix_add(int64_t a, int64_t b, int64_t *out) EB_MUSTCHECK;
int eb_fix_sub(int64_t a, int64_t b, int64_t *out) EB_MUSTCHECK;

/* a * b (both fixed) rounded to 'decimals' (0..8) with 'mode'. */
int eb_fix_mul(int64_t a, int64_t b, int decimals, enum eb_round mode,
    int64_t *out) EB_MUSTCHECK;

/*
 * The exact rational num/den (plain numbers, not scaled) rounded to
 * 'decimals' (0..8) with 'mode', as a fixed value.  Example:
 * eb_fix_ratio(2, 3, 4, EB_ROUND_HALF_UP) = 0.6667.  den must not be 0
 * (EB_ERR_USAGE).  A fixed numerator is passed with den multiplied by
 * EB_FIX_ONE.  EB_ERR_LIMIT when num*10^decimals overflows or the
 * result is out of range.
 */
int eb_fix_ratio(__int128 num, __int128 den, int decimals,
    enum eb_round mode, int64_t *out) EB_MUSTCHECK;

/* The rational num/den rounded to an integer (e.g. fen) with 'mode'. */
int eb_round_div(__int128 num, __int128 den, enum eb_round mode,
    int64_t *out) EB_MUSTCHECK;

/* "half-up", "down", "up" <-> mode.  parse returns EB_ERR_FORMAT. */
int eb_round_parse(const char *s, enum eb_round *mode) EB_MUSTCHECK;
const char *eb_round_name(enum eb_round mode);

#endif
