# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# What every test on a namespace lab sources first: the check helpers
# (lib.sh), the lab (scripts/lab.sh), the hop checks (trace_checks.sh) and
# the nothing-left-attached checks (attach_checks.sh); it sets HERE (this
# folder), ROOT (the checkout) and XHOP (the binary under test).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
# shellcheck source=tests/e2e/trace_checks.sh
source "$HERE/trace_checks.sh"
# shellcheck source=scripts/lab.sh
source "$ROOT/scripts/lab.sh"
# shellcheck source=tests/e2e/attach_checks.sh
source "$HERE/attach_checks.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
