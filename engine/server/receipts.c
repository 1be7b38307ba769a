/*
 * engine/server/receipts.c
 *    Which commands get an RFC 3161 receipt, and their serials: see
 *    receipts.h.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/server/keyproc.h"
#include "engine/server/receipts.h"
#include "engine/server/server.h"
#include "protocol/mem.h"
#include "protocol/receipt.h"

struct eb_receipts {
	struct eb_serial_gen serials;   /* eb_receipts_serial() */
};

int
eb_receipts_init(struct eb_server *srv)
{
	srv->receipts = eb_calloc(1, sizeof(*srv->receipts));
	return EB_OK;
}

void
eb_receipts_free(struct eb_server *srv)
{
	free(srv->receipts);
	srv->receipts = NULL;
}

int
eb_receipts_wanted(const char *command)
{
	return strcmp(command, "submit-bid") == 0;
}

/* A unique receipt serial (protocol/receipt.h eb_serial_next). */
uint64_t
eb_receipts_serial(struct eb_server *srv, int64_t time_ms)
{
	return eb_serial_next(&srv->receipts->serials, time_ms, srv->boot_id);
}

int
eb_receipts_stamp(struct eb_server *srv, const uint8_t digest[32],
    int64_t at_ms, uint64_t serial, uint8_t **token, size_t *toklen,
    struct eb_error *err)
{
	return eb_keyproc_stamp(srv->kp, digest, at_ms, serial, token, toklen,
	    err);
}
