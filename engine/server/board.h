/*
 * engine/server/board.h
 *    The public board: ebidd's second listener, plain HTTP without client
 *    certificates (`public_listen`), GET and HEAD only, serving what the
 *    public may read: the tenders and sales on the board, each tender's
 *    public page (announcement, amendments, opening record, candidates
 *    under publicity, result, award), each sale's live board (price,
 *    round, countdown, bidding numbers only) and the signed chain heads.
 *
 * Every page is the core's view of the aggregate for a viewer of role
 * EB_ROLE_NONE (flow->ops->view(state, &public_actor), the same view the
 * API serves), turned into HTML by one XSLT stylesheet run by libxslt
 * (pages_dir/board.xsl); the stylesheet picks the fields it shows, so a
 * field is public only when the view gives it AND the page shows it.
 * Rate-limited per client address, with cache headers and a strict
 * Content-Security-Policy.  See docs/board.md.
 *
 * Owns: struct eb_board (srv->board; eb_board_free()).
 *
 * INTERFACE
 *    eb_board_start()          - load the pages, listen (no-op when off)
 *    eb_board_stop_accepting() - at shutdown
 *    eb_board_free()           - release everything (NULL-safe)
 */
#ifndef EB_SERVER_BOARD_H
#define EB_SERVER_BOARD_H

#include "protocol/err.h"

struct eb_server;

int eb_board_start(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_board_stop_accepting(struct eb_server *srv);
void eb_board_free(struct eb_server *srv);

#endif
