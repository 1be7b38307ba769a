/*
 * engine/server/service.h
 *    ebidd as a system service (the packaged systemd unit,
 *    tools/package/debian/ebid-server.ebidd.service): readiness and
 *    stopping told to systemd by the sd_notify protocol (a datagram to
 *    $NOTIFY_SOCKET; no libsystemd), and SIGHUP reopening the log file
 *    after rotation (logrotate's postrotate, `systemctl reload ebidd`).
 *
 * Owns: the SIGHUP event it returns (event_free() by the caller).
 *
 * INTERFACE
 *    eb_service_notify() - "READY=1", "STOPPING=1"... (no-op without systemd)
 *    eb_service_hup()    - the SIGHUP event on 'base'
 */
#ifndef EB_SERVER_SERVICE_H
#define EB_SERVER_SERVICE_H

#include <event2/event.h>

/* Send 'state' to systemd when it started us with Type=notify. */
void eb_service_notify(const char *state);
/* SIGHUP: reopen log_file (logged); NULL when it cannot be installed. */
struct event *eb_service_hup(struct event_base *base);

#endif
