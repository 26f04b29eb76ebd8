/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An endless input for the list readers' tests: a pipe whose writer (a
 * child) repeats one unit until the reader closes it. A reader that
 * takes such a file whole never returns; a bounded one must give up.
 */
#ifndef XHOP_TEST_ENDLESS_H
#define XHOP_TEST_ENDLESS_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static inline FILE *endless(const char *unit, pid_t *pid)
{
	char block[4096];
	size_t n = strlen(unit), fill = sizeof(block) / n * n;
	int fd[2];

	for (size_t i = 0; i < fill; i += n)
		memcpy(block + i, unit, n);
	if (pipe(fd))
		return NULL;
	*pid = fork();
	if (*pid == 0) {
		close(fd[0]);
		signal(SIGPIPE, SIG_DFL);
		while (write(fd[1], block, fill) > 0)
			;
		_exit(0);
	}
	close(fd[1]);
	return fdopen(fd[0], "r");
}

/* The reader is done: the writer's next write fails and it ends; its status */
static inline int endless_end(FILE *f, pid_t pid)
{
	int status = 0;

	fclose(f);
	waitpid(pid, &status, 0);
	return status;
}

#endif
