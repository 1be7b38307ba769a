/*
 * engine/server/service.h
 *    ebidd as a system service (the packaged systemd unit,
 *    tools/package/debian/ebid-server.ebidd.service): readiness and
 *    stopping told to systemd by the sd_notify protocol (a datagram to
 *    $NOTIFY_SOCKET; no libsystemd), and SIGHUP's part in operations:
 *    reopening the log file after rotation (logrotate's postrotate,
 *    `systemctl reload ebidd`); main.c's SIGHUP handler calls it before
 *    reloading the revocation lists, then notifies READY=1.
 *
 * Owns nothing.
 *
 * INTERFACE
 *    eb_service_notify() - "READY=1", "STOPPING=1"... (no-op without systemd)
 *    eb_service_hup()    - RELOADING=1 and the log file reopened
 */
#ifndef EB_SERVER_SERVICE_H
#define EB_SERVER_SERVICE_H

/* Send 'state' to systemd when it started us with Type=notify. */
void eb_service_notify(const char *state);
/* SIGHUP: tell systemd, reopen log_file (logged either way). */
void eb_service_hup(void);

#endif
