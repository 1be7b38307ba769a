/*
 * engine/server/privdrop.h
 *    The network process gives up what it does not need, once every
 *    listener is bound, the TLS key read, the database pool opened and
 *    the pid file written (main.c), before the loop runs:
 *      - started as root: setgroups, setgid, setuid to the `user` setting
 *        (default ebid; its own group only), and checks that root cannot
 *        be regained; the log file is handed to that user so that SIGHUP
 *        can reopen it.  Started as any other user, it stays that user
 *        (the service manager chose it) and only the rest applies;
 *      - PR_SET_NO_NEW_PRIVS (no setuid program, no file capability);
 *      - a seccomp allow-list (libseccomp) of the system calls libevent,
 *        libpq, OpenSSL, libxml2 and glibc make for a running server,
 *        applied to every thread.  A call outside it is loud: the SIGSYS
 *        handler writes the call's number to the log and to stderr, and
 *        the process ends (exit status 159, as a SIGSYS death).  The
 *        sanitizer builds log such calls instead (their runtime traces
 *        threads at exit).  `syscall_filter = 0` turns the filter off for
 *        a diagnosis.
 *    The key process (keyproc.c) keeps its privileges: it reads nothing
 *    after start and only answers its channels.
 *
 * INTERFACE
 *    eb_privdrop()  - all of the above; EB_OK or a start-up failure
 */
#ifndef EB_SERVER_PRIVDROP_H
#define EB_SERVER_PRIVDROP_H

#include "protocol/err.h"

struct eb_config;

int eb_privdrop(const struct eb_config *cfg, struct eb_error *err)
    EB_MUSTCHECK;

#endif
