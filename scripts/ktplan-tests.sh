#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Golden tests of the plan compiler, scripts/kalloc_track/ktplan, on the
# host: each scripts/ktplan-tests/*.ktplan names the ktplan command lines
# to run on it ("# ktplan-test: ARGS"), and its .expected file holds what
# they print (stdout, stderr, exit status). The compiler is built twice:
# with the kernel's W=1-like host warnings as errors, and under ASan and
# UBSan for the runs, so that a leak or undefined behaviour fails a case.
#
# Usage: ktplan-tests.sh [--update]
set -eu
. "$(dirname "$0")/common.sh"

src=$KT_TOP/scripts/kalloc_track
cases=$KT_TOP/scripts/ktplan-tests
out=$KT_BUILD/ktplan
mkdir -p "$out"
update=${1:-}

"$KT_TOP/scripts/prepare-tree.sh"
# The kernel's host programs' flags (scripts/Makefile.host, W=1), with
# tools/include as kbuild gives it to ktplan, and warnings as errors.
warn="-Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wshadow
-Wformat=2 -Wmissing-declarations -Wold-style-definition -Werror -std=gnu11
-isystem $KT_TREE/tools/include"
# shellcheck disable=SC2086
gcc $warn -O2 -o "$out/ktplan" "$src"/*.c ||
	kt_die "ktplan does not build cleanly with gcc"
if command -v clang >/dev/null; then
	# shellcheck disable=SC2086
	clang $warn -O2 -o "$out/ktplan-clang" "$src"/*.c ||
		kt_die "ktplan does not build cleanly with clang"
fi
# shellcheck disable=SC2086
gcc $warn -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$out/ktplan-asan" "$src"/*.c

pass=0 failed=0 json=
cd "$cases"
for f in *.ktplan; do
	name=${f%.ktplan}
	got=$out/$name.out
	: >"$got"
	while IFS= read -r args; do
		{
			echo "=== ktplan $args $f"
			rc=0
			# shellcheck disable=SC2086
			ASAN_OPTIONS=detect_leaks=1 "$out/ktplan-asan" $args "$f" \
				>"$got.stdout" 2>"$got.stderr" || rc=$?
			cat "$got.stdout"
			echo "--- stderr"
			cat "$got.stderr"
			echo "--- exit $rc"
		} >>"$got"
	done < <(sed -n 's/^# ktplan-test: //p' "$f")
	rm -f "$got.stdout" "$got.stderr"
	if [ "$update" = --update ]; then
		cp "$got" "$name.expected"
	fi
	if cmp -s "$got" "$name.expected"; then
		status=PASS
		pass=$((pass + 1))
	else
		status=FAIL
		failed=$((failed + 1))
		echo "ktplan-tests: $name: output differs from $name.expected:"
		diff -u "$name.expected" "$got" | head -n 40 || true
	fi
	json="$json${json:+,}{\"name\": \"$name\", \"status\": \"$status\"}"
done
# Hostile inputs, generated: each must end, in time, with the exit
# status given and nothing from the sanitizers.
robust() {
	local name=$1 want=$2 file=$out/$1.ktplan rc=0 status=PASS
	shift 2
	# shellcheck disable=SC2086
	timeout 60 "$out/ktplan-asan" "$@" "$file" >"$out/$name.stdout" \
		2>"$out/$name.stderr" || rc=$?
	if [ "$rc" != "$want" ] ||
	   grep -qE 'Sanitizer|runtime error' "$out/$name.stderr"; then
		echo "ktplan-tests: $name: exit $rc (want $want)"
		tail -n 5 "$out/$name.stderr"
		status=FAIL
	fi
	if [ $status = PASS ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
	fi
	json="$json${json:+,}{\"name\": \"$name\", \"status\": \"$status\"}"
}
python3 - "$out" <<'PY'
import random, sys
out = sys.argv[1]
with open(out + '/robust_100k_entries.ktplan', 'w') as f:
    f.write('plan big {\n')
    for i in range(100000):
        f.write('\te%d : %d GFP_KERNEL;\n' % (i, i % 4000 + 1))
    f.write('}\n')
with open(out + '/robust_10mb_line.ktplan', 'w') as f:
    f.write('plan y { a : 1 GFP_KERNEL; ' + 'x' * (10 << 20) + ' }\n')
with open(out + '/robust_deep_nesting.ktplan', 'w') as f:
    f.write('plan d { a : ' + '(' * 100000 + '1' + ')' * 100000 + ' GFP_KERNEL; }\n')
rnd = random.Random(20261130)
with open(out + '/robust_binary_junk.ktplan', 'wb') as f:
    f.write(bytes(rnd.getrandbits(8) for _ in range(1 << 20)))
with open(out + '/robust_empty.ktplan', 'w') as f:
    pass
PY
robust robust_100k_entries 0 --emit=ir
robust robust_10mb_line 1
robust robust_deep_nesting 1
robust robust_binary_junk 1
robust robust_empty 1
robust robust_no_such_file 2

# The sanitizers print to stderr, which the goldens hold: a finding
# shows as a difference. Results in kunit.py's JSON shape, for make check.
printf '{"name": "host", "sub_groups": [{"name": "kalloc_track_ktplan_golden", "sub_groups": [], "test_cases": [%s]}], "test_cases": []}\n' \
	"$json" >"$KT_BUILD/ktplan.json"
echo "ktplan: $pass passed, $failed failed"
[ "$failed" = 0 ]
