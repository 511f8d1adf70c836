#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the packages we need and build a pristine git tree of the base
# release (common.sh: KT_LINUX_DEB_VERSION) from Debian's linux-source
# package, tagged $KT_BASE_TAG. Idempotent: an intact tree is reused.
#
# The machine's apt sources may not list the suite that serves the base,
# so the package is fetched through a private apt state in the cache:
# the archive URI is read from the machine's own Debian source, the suite
# is ours, the signing keyring is Debian's. The system's apt state is
# left alone.
set -eu
. "$(dirname "$0")/common.sh"

# The tree and its build; static checks; docs; the demo's root.
PKGS="bc flex bison libelf-dev libssl-dev make gcc git xz-utils
debian-archive-keyring sparse coccinelle python3-ply python3-git
python3-sphinx python3-sphinx-rtd-theme graphviz python3-yaml
busybox-static debootstrap ocaml-nox qemu-system-x86 qemu-system-arm
gcc-aarch64-linux-gnu openssl kmod clang libclang-rt-dev"
PKGS="$PKGS ${KT_EXTRA_PKGS:-}"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	kt_log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if git -C "$KT_TREE" rev-parse -q --verify "refs/tags/$KT_BASE_TAG" >/dev/null 2>&1 &&
   [ -f "$KT_TREE/Makefile" ] && [ -f "$KT_TREE/lib/Kconfig" ] &&
   [ "$(git -C "$KT_TREE" config kalloc-track.debversion)" = "$KT_LINUX_DEB_VERSION" ]; then
	exit 0
fi

# The unpacked package, one directory per version, so that a new pin
# never finds the old tarball; unpacked aside and moved into place, so
# that an interrupted unpack is not mistaken for a complete one.
root=$KT_APT/root-$KT_LINUX_DEB_VERSION
fetch_source() {
	local deb
	kt_log "fetching $KT_LINUX_PKG=$KT_LINUX_DEB_VERSION ($KT_LINUX_SUITE)"
	deb=$(kt_apt_download "$KT_LINUX_SUITE" "$KT_LINUX_PKG" "$KT_LINUX_DEB_VERSION")
	rm -rf "$root" "$root.tmp"
	dpkg-deb -x "$deb" "$root.tmp"
	mv "$root.tmp" "$root"
}

tarball=$root/usr/src/$KT_LINUX_PKG.tar.xz
[ -f "$tarball" ] || fetch_source
[ -f "$tarball" ] || kt_die "$tarball missing"
kt_log "extracting $tarball into $KT_TREE"
rm -rf "$KT_TREE" "$KT_WORK" "$KT_TREE.tmp"
mkdir -p "$KT_TREE.tmp"
tar -C "$KT_TREE.tmp" -xf "$tarball" --strip-components=1

cd "$KT_TREE.tmp"
# Debian's .gitignore may end with "/*", which ignores the whole tree,
# and lack upstream's dot-file exceptions. Drop the Debian tail and
# restore the exceptions, so that .kunitconfig and friends are tracked.
if grep -q '^# Debian packaging' .gitignore; then
	sed -i '/^# Debian packaging/,$d' .gitignore
	sed -i '${/^#$/d}' .gitignore
fi
grep -q '^!\.kunitconfig$' .gitignore || cat >>.gitignore <<'IGN'

#
# We don't want to ignore the following even if they are dot-files
#
!.clang-format
!.clippy.toml
!.cocciconfig
!.editorconfig
!.get_maintainer.ignore
!.gitattributes
!.gitignore
!.kunitconfig
!.mailmap
!.rustfmt.toml
IGN

git init -q
git config gc.auto 0
git config core.abbrev 12
git config advice.detachedHead false
git add -A
# Files the tree's own .gitignore rules hide (selftests' "tags" files).
git ls-files -o -i --exclude-standard -- tools/testing/selftests |
	grep -E '/tags$' | xargs -r git add -f
version=$(make -s kernelversion)
[ "$version" = "${KT_LINUX_DEB_VERSION%%-*}" ] ||
	kt_die "the tarball is Linux $version, the pin says $KT_LINUX_DEB_VERSION"
git commit -q -m "Linux $version (Debian $KT_LINUX_PKG $KT_LINUX_DEB_VERSION)"
git tag "$KT_BASE_TAG"
git config kalloc-track.debversion "$KT_LINUX_DEB_VERSION"
cd /
mv "$KT_TREE.tmp" "$KT_TREE"
kt_log "base $(git -C "$KT_TREE" rev-parse --short HEAD): Linux $version"
