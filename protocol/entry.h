/*
 * protocol/entry.h
 *    One entry of an aggregate's hash-chained log, and its canonical bytes.
 *
 * The entry is what the chain hashes, in ebidd (engine/store) and in
 * ebid-audit alike, so both build it with this one function:
 *
 *    <entry aggregate="T-2026-0001" kind="tender" seq="3"
 *           time="2026-11-25T19:40:25.123Z" party="registrar"
 *           role="registrar" person="P-REG-1" clock="system"
 *           rules="2"
 *           command-sha256="<hex of SHA-256 of the signed command DER>"
 *           receipt-sha256="<hex, only when a receipt was issued>">
 *      <events>...</events>
 *    </entry>
 *
 * hash_n = eb_chain_link(hash_{n-1}, n, canonical(entry_n)), hash_0 = 32
 * zero bytes (protocol/hash.h).  The signed command bytes and the receipt
 * are stored beside the entry and bound to it by their SHA-256.
 *
 * 'rules' is the version of the core's rules that decided the entry
 * (engine/core/cmd.h EB_RULES_CURRENT when ebidd wrote it): part of the
 * hashed bytes, so nobody can make an entry replay under other rules.
 * Entries written before rules versions were recorded have none (0
 * here, no attribute): they were decided by version 1 (docs/audit.md
 * "Rules versions").
 *
 * Pure: libc + protocol/hash.h.
 */
#ifndef EB_ENTRY_H
#define EB_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/actor.h"
#include "protocol/buf.h"
#include "protocol/doc.h"
#include "protocol/hash.h"

struct eb_entry {
	const char *aggregate;
	const char *kind;               /* "tender", "sale", "pool" */
	int64_t seq;
	int64_t time;                   /* ms UTC, the server's receipt instant */
	const struct eb_actor *actor;
	const char *clock;              /* "system", "driven", "accelerated" */
	int rules;                      /* rules version; 0: not recorded */
	uint8_t command_sha256[EB_SHA256_LEN];
	int has_receipt;
	uint8_t receipt_sha256[EB_SHA256_LEN];
	const struct eb_doc *events;    /* the <events> tree */
};

/* The <entry> tree of 'e' (new; caller frees).  Events are deep-copied. */
struct eb_doc *eb_entry_doc(const struct eb_entry *e);

/* Canonical bytes of the entry appended to 'out'. */
int eb_entry_bytes(const struct eb_entry *e, struct eb_buf *out)
    EB_MUSTCHECK;

/* hash = eb_chain_link(prev, e->seq, canonical(e)). */
int eb_entry_hash(const struct eb_entry *e,
    const uint8_t prev[EB_SHA256_LEN], uint8_t hash[EB_SHA256_LEN])
    EB_MUSTCHECK;

/*
 * The content a chain-head signature covers:
 * "ebid-chain-head:<aggregate>:<seq>:<hash hex>" (no trailing newline).
 */
int eb_chain_head_text(const char *aggregate, int64_t seq,
    const uint8_t hash[EB_SHA256_LEN], struct eb_buf *out) EB_MUSTCHECK;

#endif
