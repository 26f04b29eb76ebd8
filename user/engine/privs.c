// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "core/log.h"
#include "engine/privs.h"

#ifndef CAP_BPF
#define CAP_PERFMON 38 /* Linux 5.8; older UAPI headers lack both */
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int privs_check(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	char missing[128] = "";

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d)) {
		int err = -errno;

		log_err("xhop: read capabilities: %s\n", strerror(-err));
		return err;
	}
	if (!has_cap(d, CAP_NET_RAW))
		strcat(missing, " CAP_NET_RAW");
	if (!has_cap(d, CAP_NET_ADMIN))
		strcat(missing, " CAP_NET_ADMIN");
	/* CAP_SYS_ADMIN covers both; without it the verifier wants
	 * CAP_PERFMON for the packet-pointer comparisons the parsers make
	 */
	if (!has_cap(d, CAP_SYS_ADMIN)) {
		if (!has_cap(d, CAP_BPF))
			strcat(missing, " CAP_BPF");
		if (!has_cap(d, CAP_PERFMON))
			strcat(missing, " CAP_PERFMON");
	}
	if (!missing[0])
		return 0;
	log_err("xhop: missing privileges:%s (run as root, or grant them with "
			"setcap cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon+ep)\n", missing);
	return -EPERM;
}
