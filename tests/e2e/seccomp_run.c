// SPDX-License-Identifier: GPL-2.0
/*
 * Run a command with parts of the kernel refused, the way a lockdown or a
 * sandbox refuses them, so the tests can walk xhop's sender ladder down on
 * any machine, whatever its kernel allows:
 *
 *   seccomp_run [--no-test-run] [--no-xdp-socket] [--no-packet-socket] -- CMD ARGS...
 *
 *   --no-test-run       bpf(BPF_PROG_TEST_RUN, ...) fails with EPERM (the
 *                       in-kernel generator's live frames; xhop makes no
 *                       other test run at run time)
 *   --no-xdp-socket     socket(AF_XDP, ...) fails with EPERM
 *   --no-packet-socket  socket(AF_PACKET, ...) fails with EPERM
 *
 * seccomp sees the registers only, not the bpf_attr flags behind a
 * pointer, so a test run is refused whatever its flags. Exit 125 when the
 * filter cannot be installed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NR AUDIT_ARCH_AARCH64
#else
#error "seccomp_run: add this architecture's AUDIT_ARCH"
#endif

#ifndef AF_XDP
#define AF_XDP 44
#endif

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define ARG0_OFF offsetof(struct seccomp_data, args[0]) /* low 32 bits (little-endian) */
#define DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

int main(int argc, char **argv)
{
	int no_test_run = 0, no_xdp = 0, no_packet = 0, i;
	struct sock_filter f[32];
	struct sock_fprog prog;
	unsigned int n = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--no-test-run"))
			no_test_run = 1;
		else if (!strcmp(argv[i], "--no-xdp-socket"))
			no_xdp = 1;
		else if (!strcmp(argv[i], "--no-packet-socket"))
			no_packet = 1;
		else {
			fprintf(stderr, "seccomp_run: unknown option %s\n", argv[i]);
			return 125;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: seccomp_run [--no-test-run] [--no-xdp-socket] "
				"[--no-packet-socket] -- CMD ARGS...\n");
		return 125;
	}
	/* another architecture's syscall numbers mean other calls: kill */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NR, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF);
	if (no_test_run) {
		/* nr == bpf && arg0 == BPF_PROG_TEST_RUN: deny; else reload nr */
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 3);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_PROG_TEST_RUN, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, DENY);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF);
	}
	if (no_xdp || no_packet) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 5);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_XDP, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, no_xdp ? DENY : SECCOMP_RET_ALLOW);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						      no_packet ? DENY : SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	prog.filter = f;
	/* no_new_privs: a filter without CAP_SYS_ADMIN needs it; root keeps its caps */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		fprintf(stderr, "seccomp_run: install filter: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "seccomp_run: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}
