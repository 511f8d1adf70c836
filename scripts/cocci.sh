#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Coccinelle: our rule, scripts/coccinelle/api/kalloc_track.cocci, must
# report exactly what scripts/cocci-tests/*.expected lists on the bad
# inputs and nothing on the good ones, in every mode; then every
# coccicheck script, ours included, must report nothing on our code.
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
wt=$(kt_applied_tree lint)
rule=$wt/scripts/coccinelle/api/kalloc_track.cocci
in=$KT_TOP/scripts/cocci-tests
fail=0

spatch_on() {
	spatch --very-quiet -D "$1" --no-includes --include-headers \
		--sp-file "$rule" "$2" 2>&1
}

echo "== kalloc_track.cocci on its test inputs"
got=$(spatch_on report "$in/kalloc_track_bad.c" |
      sed -E 's|^[^:]*:([0-9]+):[0-9-]+: |\1: |' | sort -n)
if [ "$got" != "$(sort -n "$in/kalloc_track_bad.expected")" ]; then
	echo "bad inputs: reports differ from kalloc_track_bad.expected:"
	diff <(sort -n "$in/kalloc_track_bad.expected") <(printf '%s\n' "$got") || true
	fail=1
fi
echo "bad inputs: $(printf '%s\n' "$got" | grep -c . || true) reports, $(grep -c . "$in/kalloc_track_bad.expected") expected"
for mode in context org; do
	n=$(spatch_on $mode "$in/kalloc_track_bad.c" | grep -cE '^-[^-]|TODO' || true)
	[ "$n" = 5 ] || { echo "bad inputs, $mode mode: $n findings, 5 expected"; fail=1; }
done
for mode in report context org; do
	out=$(spatch_on $mode "$in/kalloc_track_good.c")
	if [ -n "$out" ]; then
		echo "good inputs, $mode mode: unexpected output:"
		printf '%s\n' "$out"
		fail=1
	fi
done
echo "good inputs: silent in report, context and org modes"

echo "== make coccicheck MODE=report on our directories"
# Every script must run: a script that cannot (coccicheck failed, say
# for want of OCaml) fails the gate rather than hiding the rest.
for d in lib/kalloc_track samples/kalloc_track; do
	log=$KT_BUILD/coccicheck-${d//\//_}.log
	if ! make -s -C "$wt" coccicheck MODE=report M="$d" >"$log" 2>&1 ||
	   grep -q 'coccicheck failed' "$log"; then
		echo "coccicheck $d did not complete:"
		grep -vE '^\s*$' "$log" | tail -n 5
		fail=1
	fi
	n=$(grep -cE "^$d|/$d/|^\./?$d|^[^ ]+\.[ch]:[0-9]+" "$log" || true)
	if [ "$n" != 0 ]; then
		grep -E "^$d|/$d/|^\./?$d|^[^ ]+\.[ch]:[0-9]+" "$log"
		fail=1
	fi
	echo "coccicheck $d: $(grep -c 'spatch -D report' "$log" || true) scripts run, $n reports"
done

[ $fail = 0 ] || kt_die "coccinelle checks failed"
echo "cocci: clean"
