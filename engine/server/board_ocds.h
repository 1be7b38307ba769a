/*
 * engine/server/board_ocds.h
 *    The public board's open data: OCDS 1.1.5 packages of a tender or a
 *    sale (docs/ocds.md), served as
 *
 *        GET /public/ocds/ID/releases.json   the release package
 *        GET /public/ocds/ID/record.json     the record package
 *
 *    made from the aggregate's log in the database by tools/ocds.c, the
 *    same code as `ebid-audit export --ocds` (which verifies an exported
 *    log first; here the log is ebidd's own).  Only the public view goes
 *    in; a tender not yet announced or a sale not yet listed is 404.
 *    board.c hands it the path and gets the reply back (a callback).
 *
 * Owns: its query's state until the callback.  Loop thread.
 *
 * INTERFACE
 *    eb_board_ocds() - answer one /public/ocds/ path
 */
#ifndef EB_SERVER_BOARD_OCDS_H
#define EB_SERVER_BOARD_OCDS_H

#include <stddef.h>

struct eb_server;

/* status 200 with the JSON, or 404 / 503 with body NULL */
typedef void (*eb_board_ocds_fn)(void *arg, int status, const char *body,
    size_t n);

/* 'rest': the path after "/public/ocds/"; 'done' runs exactly once. */
void eb_board_ocds(struct eb_server *srv, const char *rest,
    eb_board_ocds_fn done, void *arg);

#endif
