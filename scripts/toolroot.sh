#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checkers new enough for the base tree. The base needs clang 17 or
# later and a sparse that knows __typeof_unqual__ (the tree's own
# scripts/checker-valid.sh says which); the machine's Debian release may
# have older ones. Then debootstrap a minimal root of a newer Debian
# release (KT_ROOT_SUITE) with clang, lld and llvm into the cache, add
# sparse from the suite that has a good one (KT_SPARSE_SUITE), both from
# the machine's own archive URI, and build in the root through a chroot.
#
# Usage: toolroot.sh                   prepare the root (idempotent)
#        toolroot.sh run DIR... -- CMD run CMD (bash -c) in the root,
#                                      with each DIR bind-mounted at its
#                                      own path
set -eu
. "$(dirname "$0")/common.sh"

KT_CLANG_MIN=17
KT_ROOT_SUITE=trixie
KT_SPARSE_SUITE=sid
root=$KT_CACHE/toolroot
pkgs=clang,lld,llvm,make,bc,flex,bison,libelf-dev,libssl-dev,perl,python3,xz-utils,cpio,kmod

clang_major() {
	"$@" --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1
}

sparse_ok() {
	cp "$KT_TREE/scripts/checker-valid.sh" "$root/tmp/checker-valid.sh"
	[ "$(chroot "$root" sh /tmp/checker-valid.sh sparse --arch=x86_64 -m64 2>/dev/null)" = 1 ]
}

prepare() {
	local v deb
	v=$(clang_major chroot "$root" clang)
	[ -n "$v" ] && [ "$v" -ge $KT_CLANG_MIN ] && sparse_ok && return 0
	command -v debootstrap >/dev/null ||
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
	kt_log "debootstrap $KT_ROOT_SUITE with clang into $root"
	rm -rf "$root" "$root.tmp"
	debootstrap --variant=minbase --include=$pkgs "$KT_ROOT_SUITE" \
		"$root.tmp" "$(kt_archive_uri)" >"$KT_CACHE/toolroot.log" 2>&1 ||
		{ tail -n 20 "$KT_CACHE/toolroot.log"; kt_die "debootstrap failed"; }
	# sparse alone, without the dependencies of its package (cgcc's
	# compiler): the binary needs only libc.
	deb=$(kt_apt_download "$KT_SPARSE_SUITE" sparse)
	dpkg-deb -x "$deb" "$root.tmp/opt/sparse"
	ln -sf /opt/sparse/usr/bin/sparse "$root.tmp/usr/local/bin/sparse"
	mv "$root.tmp" "$root"
	v=$(clang_major chroot "$root" clang)
	[ -n "$v" ] && [ "$v" -ge $KT_CLANG_MIN ] ||
		kt_die "clang in $root is ${v:-missing}, need $KT_CLANG_MIN"
	sparse_ok || kt_die "sparse in $root fails the tree's checker-valid.sh"
	kt_log "clang $v and $(chroot "$root" sparse --version) ready in $root"
}

if [ "${1:-}" != run ]; then
	prepare
	exit 0
fi
shift
dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	dirs+=("$1")
	shift
done
[ "${1:-}" = -- ] || kt_die "usage: toolroot.sh run DIR... -- CMD"
shift
prepare
# A private mount namespace: the bind mounts vanish with the command.
unshare -m bash -eu -c '
	root=$1; shift
	n=$1; shift
	for ((i = 0; i < n; i++)); do
		mkdir -p "$root$1"
		mount --bind "$1" "$root$1"
		shift
	done
	mount -t proc proc "$root/proc"
	exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root \
		LANG=C.UTF-8 /bin/bash -c "$1"
' - "$root" ${#dirs[@]} "${dirs[@]}" "$*"
