#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Proof that the UML sanitizer gate bites: plant each faulty test of
# scripts/bite/ in a throwaway worktree, one at a time, and require the
# gate to fail. Not part of make check (about 2 minutes per plant, warm).
set -u
. "$(dirname "$0")/common.sh"
rc=0
mkdir -p "$KT_BUILD/bite"
for f in "$KT_TOP"/scripts/bite/*.c; do
	name=$(basename "$f" .c)
	echo "== planting $name"
	if KT_SANITIZE_TREE=bite KT_SANITIZE_PLANT=$f \
		"$KT_TOP/scripts/sanitize.sh" uml >"$KT_BUILD/bite/$name.log" 2>&1; then
		echo "bite: the gate PASSED with $name planted"
		rc=1
	else
		echo "bite: the gate failed with $name planted, as it must:"
		grep -E 'checker reports|FAIL |KASAN|kmemleak|circular|unreferenced|possible' \
			"$KT_BUILD/bite/$name.log" | head -n 6 | sed 's/^/    /'
	fi
done
exit $rc
