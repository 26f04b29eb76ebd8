// SPDX-License-Identifier: GPL-2.0
/*
 * addr_parse() and addr_str() against each other. The first byte picks
 * the family asked for ('4', '6', anything else 0), the rest is the literal. A parsed
 * address prints as text that parses back to the same 16 bytes and family
 * and prints the same again; a refused literal leaves *out zeroed. Any
 * first 16 bytes, as an address, also survive addr_str -> addr_parse.
 */
#include <errno.h>
#include "net/addr.h"
#include "fuzz.h"

static void round_trip(const struct in6_addr *a, int family)
{
	char buf[ADDR_STRLEN], again[ADDR_STRLEN];
	struct in6_addr b;
	int fam = -1;

	addr_str(a, buf);
	FUZZ_CHECK(memchr(buf, 0, sizeof(buf)), "addr_str: no NUL");
	FUZZ_CHECK(addr_parse(buf, 0, &b, &fam) == 0, "'%s' does not parse back", buf);
	FUZZ_CHECK(!memcmp(&b, a, sizeof(b)), "'%s' parses to other bytes", buf);
	FUZZ_CHECK(fam == family && fam == addr_family(a), "'%s': family %d, was %d", buf, fam,
		   family);
	fam = -1;
	FUZZ_CHECK(addr_parse(buf, family, &b, &fam) == 0 && fam == family,
		   "'%s' refused as IPv%d", buf, family);
	FUZZ_CHECK(!strcmp(addr_str(&b, again), buf), "'%s' then '%s'", buf, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in6_addr a, zero = { 0 };
	int want, fam = -1, err;
	char *s;

	if (size < 1)
		return 0;
	want = data[0] == '4' ? 4 : data[0] == '6' ? 6 : 0;
	s = fuzz_strndup(data + 1, size - 1);
	memset(&a, 0xa5, sizeof(a)); /* must be overwritten either way */
	err = addr_parse(s, want, &a, &fam);
	FUZZ_CHECK(err == 0 || err == -EINVAL, "err %d", err);
	if (err) {
		FUZZ_CHECK(!memcmp(&a, &zero, sizeof(a)), "'%s' refused, *out not zeroed", s);
	} else {
		FUZZ_CHECK(fam == 4 || fam == 6, "family %d", fam);
		FUZZ_CHECK(!want || fam == want, "asked IPv%d, got IPv%d", want, fam);
		/* mapped IPv4 is IPv4, whichever way it was written */
		FUZZ_CHECK((fam == 4) == !!IN6_IS_ADDR_V4MAPPED(&a), "'%s': family %d", s, fam);
		round_trip(&a, fam);
	}
	if (size >= 17) {
		memcpy(&a, data + 1, sizeof(a));
		round_trip(&a, addr_family(&a));
	}
	free(s);
	return 0;
}
