/*
 * engine/server/receipts.h
 *    RFC 3161 receipts at ebidd's end: which commands get one (a bid: the
 *    bidder keeps it as proof of what it sent and when) and the unique
 *    serial each carries (protocol/receipt.h eb_serial_next: never
 *    repeated, a driven clock standing still included).  The token itself
 *    is stamped by the TSA key in ebidd's key process (keyproc.h), through
 *    eb_receipts_stamp(), in commands.c's append.
 *
 * Owns: struct eb_receipts (srv->receipts; eb_receipts_free()).  Loop
 * thread.
 *
 * INTERFACE
 *    eb_receipts_init(), eb_receipts_free()
 *    eb_receipts_wanted()  - does this command get a receipt?
 *    eb_receipts_serial()  - a unique receipt serial
 *    eb_receipts_stamp()   - the token over a digest (eb_tsa_stamp()'s
 *                            arguments; the key process signs it)
 */
#ifndef EB_SERVER_RECEIPTS_H
#define EB_SERVER_RECEIPTS_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/err.h"

struct eb_server;

int eb_receipts_init(struct eb_server *srv) EB_MUSTCHECK;
void eb_receipts_free(struct eb_server *srv);
int eb_receipts_wanted(const char *command);
uint64_t eb_receipts_serial(struct eb_server *srv, int64_t time_ms);
int eb_receipts_stamp(struct eb_server *srv, const uint8_t digest[32],
    int64_t at_ms, uint64_t serial, uint8_t **token, size_t *toklen,
    struct eb_error *err) EB_MUSTCHECK;

#endif
