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
 *    The key process (keyproc.c) switches to `key_user` (when set and
 *    started as root) before it reads its keys, and installs an
 *    allow-list of its own, much narrower, through eb_privdrop_filter(),
 *    once they are loaded.
 *
 * INTERFACE
 *    eb_privdrop()        - all of the above; EB_OK or a start-up failure
 *    eb_privdrop_switch() - setgroups, setgid, setuid to one user (the
 *                           network process's `user`, the key process's
 *                           `key_user`), root not to be regained
 *    eb_privdrop_filter() - install one allow-list (struct eb_filter) on
 *                           every thread of the calling process; a call
 *                           outside it is logged and ends the process
 */
#ifndef EB_SERVER_PRIVDROP_H
#define EB_SERVER_PRIVDROP_H

#include <stddef.h>

#include "protocol/err.h"

struct eb_config;

/*
 * One allow-list: the calls 'allowed' with any arguments, and the calls
 * 'at_calls' only when their first argument is the descriptor 'at_fd'
 * (-1: none).  'who' and 'where' name the list in the SIGSYS message.
 */
struct eb_filter {
	const char *who;
	const char *where;
	const char *const *allowed;
	size_t n;
	const char *const *at_calls;
	size_t nat;
	int at_fd;
};

/* log_fd >= 0: the log file handed to the user (fchown) first */
int eb_privdrop_switch(const char *user, const char *who, int log_fd,
    struct eb_error *err) EB_MUSTCHECK;

int eb_privdrop_filter(const struct eb_filter *f, struct eb_error *err)
    EB_MUSTCHECK;

int eb_privdrop(const struct eb_config *cfg, struct eb_error *err)
    EB_MUSTCHECK;

#endif
