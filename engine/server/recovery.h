/*
 * engine/server/recovery.h
 *    After a (re)start nothing is armed: every tender and sale that is not
 *    in one of its kind's final states (the core's lists, states.h) is
 *    reloaded through commands.c's poke, so the observers of "committed"
 *    (notify.h) see it again: its due timers (a deadline passed while
 *    ebidd was down, say) fire and its next steps are taken.
 *
 * Owns: struct eb_recovery (srv->recovery: the query's text, which the
 * store keeps until it has run; eb_recovery_free()).  Loop thread.
 *
 * INTERFACE
 *    eb_recovery_start()  - queue the reload (once, at start-up)
 *    eb_recovery_free()
 */
#ifndef EB_SERVER_RECOVERY_H
#define EB_SERVER_RECOVERY_H

struct eb_server;

void eb_recovery_start(struct eb_server *srv);
void eb_recovery_free(struct eb_server *srv);

#endif
