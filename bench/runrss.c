/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runrss: run a program and report its wall time and peak RSS, for
 * `make bench`, so that the figure is the program's own.
 *
 * Usage: runrss [-t SECONDS] REPORT PROG [ARG...]
 *
 * A child's ru_maxrss (wait4) starts from the RSS of the process it was
 * forked from: Linux keeps the larger of the old and the new image's peak
 * across exec.  Started from the benchmark driver (a Python process of 14
 * to 60 MB), `midiplay --dump` of a small file showed the driver's size,
 * not its own 5 MB.  runrss is exec'd fresh (about 1 MB) and forks PROG
 * from there.
 *
 * PROG inherits stdin, stdout and stderr.  When it ends, REPORT gets one
 * line
 *     wall_ns NS maxrss_kb KB status N       (N: its exit status)
 *     wall_ns NS maxrss_kb KB signal N       (killed by signal N)
 * with "timeout" appended when it was killed after SECONDS (SIGKILL).
 * SIGTERM, SIGINT and SIGHUP sent to runrss go to PROG; if runrss dies,
 * PROG gets SIGKILL.  Exit status: PROG's, 128+N after signal N, 1 or 2
 * on runrss's own error or usage.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t runrss_timedout;
static volatile pid_t runrss_child;

/* Pass a termination signal on to the child. */
static void
runrss_forward(int sig)
{
	if (runrss_child > 0)
		kill(runrss_child, sig);
}

/* The time limit passed: kill the child. */
static void
runrss_alarm(int sig)
{
	(void)sig;
	runrss_timedout = 1;
	if (runrss_child > 0)
		kill(runrss_child, SIGKILL);
}

static uint64_t
runrss_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	unsigned timeout = 0;
	uint64_t t0, t1;
	const char *report;
	pid_t parent = getpid();
	FILE *f;
	int status, argi = 1;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		timeout = (unsigned)strtoul(argv[2], NULL, 10);
		argi = 3;
	}
	if (argc - argi < 2) {
		fprintf(stderr, "usage: runrss [-t SECONDS] REPORT PROG [ARG...]\n");
		return 2;
	}
	report = argv[argi];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = runrss_forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = runrss_alarm;
	sigaction(SIGALRM, &sa, NULL);
	t0 = runrss_now_ns();
	runrss_child = fork();
	if (runrss_child < 0) {
		fprintf(stderr, "runrss: fork: %s\n", strerror(errno));
		return 1;
	}
	if (runrss_child == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		execvp(argv[argi + 1], argv + argi + 1);
		fprintf(stderr, "runrss: %s: %s\n", argv[argi + 1], strerror(errno));
		_exit(127);
	}
	if (timeout > 0)
		alarm(timeout);
	while (wait4(runrss_child, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "runrss: wait4: %s\n", strerror(errno));
			return 1;
		}
	}
	t1 = runrss_now_ns();
	alarm(0);
	f = fopen(report, "w");
	if (f == NULL) {
		fprintf(stderr, "runrss: %s: %s\n", report, strerror(errno));
		return 1;
	}
	fprintf(f, "wall_ns %llu maxrss_kb %ld %s %d%s\n",
	    (unsigned long long)(t1 - t0), ru.ru_maxrss,
	    WIFSIGNALED(status) ? "signal" : "status",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	    runrss_timedout ? " timeout" : "");
	if (fclose(f) != 0) {
		fprintf(stderr, "runrss: %s: %s\n", report, strerror(errno));
		return 1;
	}
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
	    WEXITSTATUS(status);
}
