/*
 * engine/server/service.c
 *    systemd readiness and SIGHUP (see service.h).
 */
#include "engine/server/service.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/server/log.h"

void
eb_service_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')       /* the abstract namespace */
		sa.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un,
	    sun_path) + n)) < 0)
		eb_log(EB_LOG_WARN, "systemd: cannot notify %s", state);
	close(fd);
}

void
eb_service_hup(void)
{
	struct eb_error e;

	eb_error_clear(&e);
	eb_service_notify("RELOADING=1");
	if (eb_log_reopen(&e) != EB_OK)
		eb_log_e(EB_LOG_ERROR, &e, "SIGHUP: the log stays where it was");
	else
		eb_log(EB_LOG_INFO, "SIGHUP: log file reopened");
}
