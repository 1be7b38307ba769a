/*
 * engine/server/privdrop.c
 *    The network process drops its privileges: see privdrop.h.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "engine/server/config.h"
#include "engine/server/log.h"
#include "engine/server/privdrop.h"
#include "protocol/mem.h"

/*
 * What a running ebidd calls: the loop (epoll, timers, signals through a
 * socketpair), sockets (TLS, libpq, the key process's channels), memory,
 * threads (workers, futexes), time and randomness, files (the CRL and the
 * log reopened on SIGHUP, the board's pages, the pid file removed).
 * The OCSP client (ocspclient.c: evhttp to the responder, evdns for its
 * name) needs nothing more than libpq's outgoing connections already do:
 * socket, connect, getsockopt (SO_ERROR), getsockname, sendto/recvfrom;
 * test_ocsp_live.sh runs it under this filter.
 * Absent on purpose: execve, ptrace, mount, set*id, kexec, bpf, keyctl...
 */
static const char *const allowed[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close",
	"lseek", "fstat", "newfstatat", "stat", "lstat", "statx", "statfs",
	"fstatfs", "fcntl", "ioctl", "dup", "dup2", "dup3", "pipe", "pipe2",
	"open", "openat", "access", "faccessat", "faccessat2", "readlink",
	"readlinkat", "getdents64", "unlink", "unlinkat", "rename", "renameat",
	"fsync", "fdatasync", "ftruncate", "umask", "getcwd", "sendfile",
	"fadvise64", "flock",
	"pwritev",                /* upload.c: a chunk written from its buffers */
	"utimensat",              /* envstore.c: a named envelope's time renewed */
	"mkdir", "mkdirat",       /* envstore.c, upload.c: the envelope folders */
	"mmap", "munmap", "mprotect", "mremap", "madvise", "brk", "membarrier",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"rt_sigtimedwait", "kill", "tgkill", "tkill",
	"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1",
	"epoll_ctl", "epoll_wait", "epoll_pwait", "eventfd2", "timerfd_create",
	"timerfd_settime", "timerfd_gettime",
	"socket", "socketpair", "connect", "accept", "accept4", "bind",
	"listen", "getsockname", "getpeername", "setsockopt", "getsockopt",
	"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
	"shutdown",
	"futex", "set_robust_list", "get_robust_list", "clone", "clone3",
	"exit", "exit_group", "gettid", "getpid", "getppid", "set_tid_address",
	"rseq", "restart_syscall", "sched_yield", "sched_getaffinity",
	"sched_getparam", "sched_getscheduler", "getpriority",
	"setpriority",            /* workers.c: the big lane's nice */
	"nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
	"gettimeofday", "time", "getrandom",
	"getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
	"getresgid", "uname", "sysinfo", "prlimit64", "getrlimit", "getrusage",
	"wait4", "waitid", "prctl",
};

/* whose allow-list is installed: the SIGSYS handler names it */
static const char *filter_who = "network process";
static const char *filter_where = "engine/server/privdrop.c";

static void
sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[200];
	int n, fd = eb_log_fd();

	(void)uc;
	n = snprintf(msg, sizeof(msg), "ebidd: FATAL: system call %d is not "
	    "in the %s's allow-list (%s; scmp_sys_resolver %d names it): "
	    "stopping\n", si->si_syscall, filter_who, filter_where,
	    si->si_syscall);
	if (n > 0) {
		if (fd != STDERR_FILENO)
			(void)!write(fd, msg, (size_t)n);
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	}
	_exit(128 + sig);
}

int
eb_privdrop_switch(const char *user, const char *who, int log_fd,
    struct eb_error *err)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		return eb_fail(err, EB_ERR_USAGE, "user-unknown",
		    "Create the system user (the package's postinst does: "
		    "adduser --system --group ebid, ebid-keys) or change the "
		    "setting.", "the user \"%s\" (%s) does not exist", user,
		    who);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0)
		return eb_fail(err, EB_ERR_USAGE, "user-unknown",
		    "Name an unprivileged user.", "the user \"%s\" (%s) is "
		    "root", user, who);
	/* the log file stays writable by the user (SIGHUP reopens it after
	 * rotation), and by its group (root's, which created it) with g+rw:
	 * the next start, as root without CAP_DAC_OVERRIDE (the packaged
	 * unit), opens it again */
	if (log_fd >= 0) {
		struct stat st;

		if (fstat(log_fd, &st) == 0 && (st.st_mode & 0060) != 0060 &&
		    fchmod(log_fd, (st.st_mode & 07777) | 0060) != 0)
			eb_log(EB_LOG_WARN, "privileges: cannot make the log "
			    "file group-writable: %s", strerror(errno));
		if (fchown(log_fd, uid, (gid_t)-1) != 0)
			eb_log(EB_LOG_WARN, "privileges: cannot hand the log "
			    "file to %s: %s", user, strerror(errno));
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		return eb_fail(err, EB_ERR_IO, "privilege-drop-failed", NULL,
		    "cannot switch the %s to user %s (%ld:%ld): %s", who, user,
		    (long)uid, (long)gid, strerror(errno));
	if (setuid(0) == 0 || seteuid(0) == 0 || getuid() != uid ||
	    geteuid() != uid)
		return eb_fail(err, EB_ERR_INTERNAL, "privilege-drop-failed",
		    NULL, "root could be regained after switching the %s to %s",
		    who, user);
	eb_log(EB_LOG_INFO, "privileges: the %s runs as %s (%ld:%ld)", who,
	    user, (long)uid, (long)gid);
	return EB_OK;
}

static int
drop_user(const struct eb_config *cfg, struct eb_error *err)
{
	if (geteuid() != 0) {
		eb_log(EB_LOG_INFO, "privileges: started as uid %ld, not root: "
		    "staying so (the key process is separate all the same)",
		    (long)geteuid());
		return EB_OK;
	}
	if (strcmp(cfg->user, "root") == 0) {
		eb_log(EB_LOG_WARN, "privileges: user = root: the network process "
		    "keeps root (tests only; docs/operations-server.md)");
		return EB_OK;
	}
	return eb_privdrop_switch(cfg->user, "network process",
	    *cfg->log_file != '\0' ? eb_log_fd() : -1, err);
}

int
eb_privdrop_filter(const struct eb_filter *f, struct eb_error *err)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	size_t i;
	int rc = 0;
#if EB_SANITIZED
	uint32_t deflt = SCMP_ACT_LOG;
#else
	uint32_t deflt = SCMP_ACT_TRAP;
#endif

	filter_who = f->who;
	filter_where = f->where;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0 ||
	    (ctx = seccomp_init(deflt)) == NULL)
		return eb_fail(err, EB_ERR_INTERNAL, "privilege-drop-failed",
		    NULL, "cannot prepare the system-call filter");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; rc == 0 && i < f->n; i++) {
		int nr = seccomp_syscall_resolve_name(f->allowed[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;           /* not on this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* calls allowed only on one descriptor (the first argument) */
	for (i = 0; rc == 0 && f->at_fd >= 0 && i < f->nat; i++) {
		int nr = seccomp_syscall_resolve_name(f->at_calls[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)f->at_fd));
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		return eb_fail(err, EB_ERR_INTERNAL, "privilege-drop-failed",
		    NULL, "cannot install the system-call filter: %s",
		    strerror(-rc));
	return EB_OK;
}

int
eb_privdrop(const struct eb_config *cfg, struct eb_error *err)
{
	int rc;

	if ((rc = drop_user(cfg, err)) != EB_OK)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return eb_fail(err, EB_ERR_INTERNAL, "privilege-drop-failed",
		    NULL, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if (cfg->syscall_filter == 0) {
		eb_log(EB_LOG_WARN, "privileges: syscall_filter = 0: no "
		    "system-call filter (diagnosis only)");
		return EB_OK;
	}
	{
		struct eb_filter f = { .who = "network process",
		    .where = "engine/server/privdrop.c", .allowed = allowed,
		    .n = sizeof(allowed) / sizeof(allowed[0]), .at_fd = -1 };

		if ((rc = eb_privdrop_filter(&f, err)) != EB_OK)
			return rc;
	}
	eb_log(EB_LOG_INFO, "privileges: no new privileges; system-call "
	    "filter on (%zu calls allowed)", sizeof(allowed) /
	    sizeof(allowed[0]));
	return EB_OK;
}
