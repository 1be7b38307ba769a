/*
 * protocol/pagefn.h
 *    What the people's pages show in the reader's own terms, written once
 *    for the console (tools/console.c) and the public board
 *    (engine/server/board.c): an amount in Chinese capital numerals
 *    (人民币大写) and an instant in Beijing time (UTC+8); and the XSLT
 *    extension functions through which both stylesheets call them.
 *
 * Owner: the desks engineer (docs/console.md, docs/board.md).
 *
 * 大写 follows the People's Bank rules for writing amounts on payment
 * instruments (《正确填写票据和结算凭证的基本规定》): 壹拾 is written out,
 * 整 after 元 when there is no 角 or 分 (none after 角 or 分), 零 for
 * each run of zeros inside the yuan (壹万零伍元整, 壹拾万零柒仟元), none
 * where the yuan end in zeros before 角 (壹仟陆佰捌拾元叁角贰分), 零
 * between 元 and 分 when 角 is zero (壹元零伍分), 亿 whenever anything
 * stands above it (壹万亿元整).  Exact: decimal digits in, no arithmetic
 * on the amount, never floating point; up to 9,999,9999,9999,9999.99 元.
 *
 * Pure conversions (libc, protocol/isotime.h); eb_pagefn_register()
 * needs libxslt.
 *
 * INTERFACE
 *    eb_daxie_fen()      - 大写 of an amount in fen, as decimal digits
 *    eb_daxie_yuan()     - 大写 of "1,234,567.89" (yuan, as typed)
 *    eb_beijing_time()   - "YYYY-MM-DD HH:MM:SS" in UTC+8 of an instant
 *    eb_pagefn_register()- the functions ebf:daxie(fen) and
 *                          ebf:beijing(instant) (xmlns:ebf=EB_PAGEFN_NS)
 *                          in one transformation
 */
#ifndef EB_PAGEFN_H
#define EB_PAGEFN_H

#include <stddef.h>

#define EB_PAGEFN_NS "urn:ebid:pagefn"

/*
 * 'fen': decimal digits only (leading zeros allowed), at most 18 after
 * them.  Writes the capital numerals (without the 人民币 prefix) to out;
 * returns 0, or -1 when 'fen' is not such digits or out is too small.
 * 0 -> 零元整.
 */
int eb_daxie_fen(const char *fen, char *out, size_t cap);

/*
 * 'yuan': digits with optional ',' grouping before the point and at
 * most two digits after it ("1,234,567.89", "10005", "0.5").  As
 * eb_daxie_fen().
 */
int eb_daxie_yuan(const char *yuan, char *out, size_t cap);

/*
 * 'instant': the project's instant text (protocol/isotime.h).  Writes
 * the same instant in Beijing time (UTC+8, no daylight saving) as
 * "YYYY-MM-DD HH:MM:SS" to out (at least 20 bytes); returns 0, or -1
 * when 'instant' is not an instant.
 */
int eb_beijing_time(const char *instant, char *out, size_t cap);

/* Register ebf:daxie and ebf:beijing in transformation 'ctx' (a
 * xsltTransformContextPtr); each returns "" for an argument it cannot
 * read.  Returns 0, or -1. */
int eb_pagefn_register(void *ctx);

#endif
