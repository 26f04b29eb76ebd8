#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's first command: install what is missing, build, and run xhop
# across a self-made demo network of namespaces (removed again at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -j"$(nproc)"
scripts/demo.sh
