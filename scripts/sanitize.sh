#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kalloc_track suites under the kernel's checkers. Lockdep,
# ODEBUG, kmemleak and KCSAN reports do not fail a KUnit case, so each
# run also fails on any such report in its log.
#
# Usage: sanitize.sh [RUN...], RUN in: uml x86 kcsan arm64
#   uml    UML, KASAN + lockdep + ODEBUG + SLUB debug + kmemleak, stacks,
#          allocation profiling; a kmemleak scan after all suites
#   x86    x86_64 QEMU -smp 2, KASAN + lockdep + kmemleak
#   kcsan  x86_64 QEMU, KCSAN, -smp 2
#   arm64  arm64 QEMU (make check-full)
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
# scripts/bite.sh plants a faulty test (KT_SANITIZE_PLANT) in a worktree
# and build directories of its own (KT_SANITIZE_TREE) to show the gates fail.
tree=${KT_SANITIZE_TREE:-kunit}
out=$KT_BUILD
wt=$(kt_applied_tree "$tree")
if [ -n "${KT_SANITIZE_PLANT:-}" ]; then
	# Results apart, so that make check never counts a planted failure.
	out=$KT_BUILD/bite
	mkdir -p "$out"
	cp "$KT_SANITIZE_PLANT" "$wt/lib/kalloc_track/tests/kt_planted_kunit.c"
	echo 'obj-$(CONFIG_KALLOC_TRACK_KUNIT_TEST) += kt_planted_kunit.o' \
		>>"$wt/lib/kalloc_track/tests/Makefile"
fi
runs=${*:-uml x86 kcsan}
kt_tcg_only
cfg=$KT_TOP/scripts/configs
tests=lib/kalloc_track/tests
fail=0

# Reports that do not fail a test by themselves.
# "INFO:" catches lockdep turning itself off ("INFO: trying to register
# non-static key"), after which it would miss everything else.
bad='BUG:|WARNING:|ODEBUG:|kmemleak: [0-9]+ new|unreferenced object|circular locking|inconsistent lock|possible recursive locking|INFO:|turning off the locking correctness validator|sleeping function called|KASAN:|KCSAN:|list_add corruption|list_del corruption'

check_log() {
	local name=$1 log=$2 hits
	hits=$(grep -E "$bad" "$log" || true)
	if [ "$name" = kcsan ]; then
		# KCSAN may find races elsewhere in the kernel; ours must be clean.
		hits=$(grep -A30 'BUG: KCSAN' "$log" |
		       grep -E 'kalloc_track|kt_|dp_' || true)
	fi
	if [ -n "$hits" ]; then
		echo "$name: checker reports in $log:"
		printf '%s\n' "$hits" | head -n 20
		fail=1
	else
		echo "$name: no checker reports in the log"
	fi
}

summary() {
	python3 "$KT_TOP/scripts/kunit-summary.py" "$1=$json" || fail=1
}

for r in $runs; do
	b=$out/sanitize-$r
	json=$out/sanitize-$r.json
	rm -f "$json"
	case $r in
	uml)
		echo "== UML: KASAN, lockdep, ODEBUG, SLUB debug, kmemleak"
		(cd "$wt" && ./tools/testing/kunit/kunit.py build --build_dir="$b" \
			--jobs="$KT_JOBS" --kunitconfig=$tests \
			--kunitconfig="$cfg/uml-sanitize.config") >"$b.build.log" 2>&1 ||
			{ tail -n 30 "$b.build.log"; fail=1; continue; }
		root=$KT_CACHE/sanitize-root-$tree
		rm -rf "$root"
		mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
		cp /bin/busybox "$root/bin/"
		cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
echo "sanitize: kmemleak scan after the suites"
echo scan > /sys/kernel/debug/kmemleak
sleep 6
echo scan > /sys/kernel/debug/kmemleak
cat /sys/kernel/debug/kmemleak
echo "sanitize: kmemleak scan done"
poweroff -f
INIT
		chmod +x "$root/init"
		timeout 900 "$b/linux" mem=1G console=tty kunit.enable=1 kasan_multi_shot \
			root=/dev/root rootfstype=hostfs \
			hostfs="$root" rw init=/init </dev/null 2>&1 |
			stdbuf -o0 tr -d "\r" >"$b/test.log" || true
		(cd "$wt" && ./tools/testing/kunit/kunit.py parse \
			--json="$json" "$b/test.log") |
			grep -E '^\[.*\] (Testing complete|.*FAILED|.*CRASHED)' || true
		grep -q 'sanitize: kmemleak scan done' "$b/test.log" ||
			{ echo "uml: the kmemleak scan did not complete"; fail=1; }
		check_log uml "$b/test.log"
		summary sanitize-uml
		;;
	x86|kcsan|arm64)
		case $r in
		x86)	echo "== x86_64 QEMU: KASAN, lockdep, kmemleak, -smp 2"
			args="--arch=x86_64 --kunitconfig=$cfg/x86-sanitize.config --kernel_args=kasan_multi_shot --qemu_args=-smp --qemu_args=2" ;;
		kcsan)	echo "== x86_64 QEMU: KCSAN, -smp 2"
			args="--arch=x86_64 --kunitconfig=$cfg/x86-kcsan.config --qemu_args=-smp --qemu_args=2" ;;
		arm64)	echo "== arm64 QEMU"
			args="--arch=arm64 --cross_compile=aarch64-linux-gnu- --kunitconfig=$cfg/arm64.config" ;;
		esac
		# shellcheck disable=SC2086
		(cd "$wt" && ./tools/testing/kunit/kunit.py run --build_dir="$b" \
			--jobs="$KT_JOBS" --timeout=900 --kunitconfig=$tests $args \
			--json="$json") >"$b.run.log" 2>&1 || true
		grep -E '^\[.*\] (Testing complete|.*FAILED|.*CRASHED)|ERROR' "$b.run.log" || true
		check_log "$r" "$b/test.log"
		# kunit.py's x86_64 base config is uniprocessor: make sure the
		# two-CPU runs really had two, and so several shards a tracker.
		if [ "$r" != arm64 ] &&
		   ! grep -q 'smp: Brought up .* 2 CPUs' "$b/test.log"; then
			echo "$r: the kernel did not bring up two CPUs"
			fail=1
		fi
		summary "sanitize-$r"
		;;
	*)
		kt_die "unknown run $r" ;;
	esac
done
[ $fail = 0 ] || kt_die "sanitizer runs found problems"
echo "sanitize: clean"
