#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything: every gate runs, even after one fails, so that a run shows
# all problems at once. Ends with "N passed, N failed" over all KUnit
# cases, also kept in $KT_BUILD/summary.final for .ci/run.
#
# Gates: KT_GATES overrides the list, e.g. KT_GATES="lint kunit".
set -u
. "$(dirname "$0")/common.sh"

gates=${KT_GATES:-"series-check lint kunit demo"}
mkdir -p "$KT_BUILD"
rm -f "$KT_BUILD"/*.json "$KT_BUILD/summary.final"
report=
rc=0
for g in $gates; do
	echo
	echo "######## $g"
	start=$(date +%s)
	if "$KT_TOP/scripts/$g.sh"; then r=ok; else r=FAILED; rc=1; fi
	report="$report$(printf '%-16s %-7s %4ss' "$g" "$r" $(($(date +%s) - start)))\n"
done

echo
echo "######## summary"
printf "$report"
results=
for j in "$KT_BUILD"/*.json; do
	[ -e "$j" ] || continue
	n=${j##*/}
	results="$results ${n%.json}=$j"
done
# shellcheck disable=SC2086
python3 "$KT_TOP/scripts/kunit-summary.py" --final $results \
	>"$KT_BUILD/summary.txt" || rc=1
head -n -1 "$KT_BUILD/summary.txt"
tail -n 1 "$KT_BUILD/summary.txt" >"$KT_BUILD/summary.final"
cat "$KT_BUILD/summary.final"
exit $rc
