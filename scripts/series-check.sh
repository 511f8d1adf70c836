#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail when patches/ differs from what the sources generate.
set -eu
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$KT_TOP/scripts/gen-series.py" "$KT_TREE" "$tmp"
if ! diff -ru "$KT_TOP/patches" "$tmp" >"$tmp.diff"; then
	head -n 40 "$tmp.diff"
	rm -f "$tmp.diff"
	kt_die "patches/ drifted from the sources: run 'make patches'"
fi
rm -f "$tmp.diff"
echo "series-check: patches/ matches the sources"
