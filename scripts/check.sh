#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything: every gate runs, even after one fails, so that a run shows
# all problems at once. Ends with "N passed, N failed" over all KUnit
# cases, the plan compiler's golden tests and the fuzz targets, also
# kept in $KT_BUILD/summary.final for .ci/run.
#
# Gates: KT_GATES overrides the list, e.g. KT_GATES="lint kunit".
# KT_SANITIZE_RUNS picks the sanitizer runs (make check-full adds arm64).
set -u
. "$(dirname "$0")/common.sh"

gates=${KT_GATES:-"series-check ktplan-tests fuzz lint cocci kunit demo sanitize bisect"}
mkdir -p "$KT_BUILD"
rm -f "$KT_BUILD"/*.json "$KT_BUILD/summary.final" "$KT_BUILD"/bisect/step-*.json
report=
rc=0
for g in $gates; do
	echo
	echo "######## $g"
	start=$(date +%s)
	# shellcheck disable=SC2086
	if "$KT_TOP/scripts/$g.sh" ${KT_SANITIZE_RUNS:+$([ $g = sanitize ] && echo $KT_SANITIZE_RUNS)}; then
		r=ok
	else
		r=FAILED
		rc=1
	fi
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
