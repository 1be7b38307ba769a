/*
 * tests/unit/test_privdrop.c
 *    The network process's system-call filter (engine/server/privdrop.c)
 *    in a child process: after eb_privdrop() the calls a server makes
 *    still work, no-new-privileges is set, seccomp is in mode 2, and a call
 *    outside the allow-list (execve) ends the process loudly: exit status
 *    159 and the call's number on stderr.  The sanitizer builds only log
 *    such calls (their runtime traces threads at exit): skipped there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/server/config.h"
#include "engine/server/privdrop.h"
#include "protocol/mem.h"

static int
seccomp_mode(void)
{
	char line[128];
	int mode = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0)
			mode = atoi(line + 8);
	if (f != NULL)
		fclose(f);
	return mode;
}

static void
test_forbidden_call_is_loud(void **state)
{
	int err[2], st = 0;
	char buf[4096];
	ssize_t n, got = 0;
	pid_t pid;

	(void)state;
#if EB_SANITIZED
	skip();
#endif
	assert_int_equal(pipe(err), 0);
	if ((pid = fork()) == 0) {
		struct eb_config cfg;
		struct eb_error e;
		char *const argv[] = { "/bin/true", NULL };

		dup2(err[1], STDERR_FILENO);
		close(err[0]);
		if (eb_config_defaults(&cfg) != EB_OK ||
		    eb_config_set(&cfg, "user", "root", &e) != EB_OK ||
		    eb_privdrop(&cfg, &e) != EB_OK)
			_exit(2);
		/* what a server does still works */
		if (getpid() <= 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 ||
		    seccomp_mode() != 2)
			_exit(3);
		fprintf(stderr, "filtered and alive\n");
		fflush(stderr);
		execve(argv[0], argv, NULL);     /* not in the list */
		_exit(4);                        /* it returned: not loud */
	}
	close(err[1]);
	while (got < (ssize_t)sizeof(buf) - 1 &&
	    (n = read(err[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	close(err[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	print_message("child said: %s", buf);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 159);
	assert_non_null(strstr(buf, "filtered and alive"));
	{
		char want[96];

		snprintf(want, sizeof(want), "system call %d is not in the "
		    "network process's allow-list", (int)SYS_execve);
		assert_non_null(strstr(buf, want));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_call_is_loud),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
