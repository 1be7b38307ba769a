/*
 * engine/server/board_sanctions.h
 *    The public board's list of sanctions in force (诚信体系,
 *    docs/registries.md): GET /sanctions.  For every trading subject with
 *    a finding, its public view (read as the public, EB_ROLE_NONE, through
 *    eb_reads_submit) is reduced to what the public may read: the
 *    subject's id, name and unified social credit code, and for each
 *    finding in force now (status in-force, from <= now <= to) its number,
 *    kind, sanction, period and evidence references (log and entry).
 *    Never: the finding's text, who recorded it, the objection, or any
 *    person or party id.  board.c renders the list with board.xsl.
 *
 * Owner: the registries engineer.  Loop thread.
 *
 * INTERFACE
 *    eb_board_sanctions() - gather the list; 'done' runs exactly once
 */
#ifndef EB_SERVER_BOARD_SANCTIONS_H
#define EB_SERVER_BOARD_SANCTIONS_H

#include <stdint.h>

struct eb_server;
struct eb_doc;

/* The <sanctions now=> list (the callee owns it: free it), or NULL when
 * the database cannot answer. */
typedef void (*eb_board_sanctions_fn)(void *arg, struct eb_doc *list);

void eb_board_sanctions(struct eb_server *srv, eb_board_sanctions_fn done,
    void *arg);

#endif
