// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP receiver, frame by frame through bpf_prog_test_run_opts: every
 * reply type for every method and family, the fields of the event it
 * writes, and everything that must pass untouched with no event: other
 * runs' replies, forgeries, truncations, foreign traffic.
 *
 * The subtests live in tests/bpf/rx/, one part per concern; each runs
 * alone ("test_rx -t mpls", "-t 'mac_*'", "-l" lists them). Whatever
 * ran, every run of the receiver must be counted once, in one outcome.
 * Nothing here sends a packet.
 */
#include <unistd.h>
#include <bpf/libbpf.h>
#include "xhop_test.h"
#include "subtest.h"
#include "rx/rx.h"

static const struct subtest subtests[] = {
	{ "reply_matrix", test_reply_matrix },
	{ "other_run", test_other_run },
	{ "forged_quotes", test_forged_quotes },
	{ "mac_bits", test_mac_bits },
	{ "mac_low_half", test_mac_low_half },
	{ "udp_mac_zero", test_udp_mac_zero },
	{ "foreign_icmp", test_foreign_icmp },
	{ "foreign_other", test_foreign_other },
	{ "min_quote", test_min_quote },
	{ "truncation", test_truncation },
	{ "ip4_header", test_ip4_header },
	{ "ip6_ext", test_ip6_ext },
	{ "vlan", test_vlan },
	{ "mpls", test_mpls },
	{ "stats", test_stats },
	{ "device_and_clock", test_device_and_clock },
	{ "ring_full", test_ring_full },
	{ "ring_reuse", test_ring_reuse },
	{ "repeat", test_repeat },
};

#define N_SUBTESTS ((int)(sizeof(subtests) / sizeof(subtests[0])))

int main(int argc, char **argv)
{
	__u64 start[XHOP_STAT_MAX], end[XHOP_STAT_MAX];
	struct subtest_pick pick;
	int err;

	err = subtest_args(&pick, argc, argv, subtests, N_SUBTESTS);
	if (err)
		return err;
	if (pick.list) {
		for (int i = 0; i < N_SUBTESTS; i++)
			printf("%s\n", subtests[i].name);
		return 0;
	}

	if (geteuid() != 0) {
		printf("test_rx: skipped: bpf_prog_test_run needs root\n");
		return TEST_SUMMARY();
	}
	if (loader_open(&ld, &key, on_event, NULL) ||
	    loader_open(&ld_other, &key_other, on_event, NULL)) {
		EXPECT(0, "cannot load the BPF programs");
		return TEST_SUMMARY();
	}
	loader_stats(&ld, start);

	subtests_run(&pick, subtests, N_SUBTESTS);

	/* every run is counted once, in exactly one outcome */
	loader_stats(&ld, end);
	EXPECT(delta(start, end, XHOP_STAT_RX_SEEN) == n_runs, "seen %llu, runs %llu",
	       (unsigned long long)delta(start, end, XHOP_STAT_RX_SEEN),
	       (unsigned long long)n_runs);
	EXPECT(delta(start, end, XHOP_STAT_RX_OURS) == n_drops, "ours %llu, drops %llu",
	       (unsigned long long)delta(start, end, XHOP_STAT_RX_OURS),
	       (unsigned long long)n_drops);
	EXPECT(delta(start, end, XHOP_STAT_RX_SEEN) ==
		       delta(start, end, XHOP_STAT_RX_OURS) + delta(start, end, XHOP_STAT_RX_FOREIGN) +
			       delta(start, end, XHOP_STAT_RX_MALFORMED) +
			       delta(start, end, XHOP_STAT_RX_RB_FULL),
	       "outcomes do not add up to runs");

	loader_stop(&ld_other);
	loader_stop(&ld);
	return TEST_SUMMARY();
}
