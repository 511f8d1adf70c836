#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the packages we need and build a pristine v6.12 git tree from
# Debian's linux-source-6.12, tagged $KT_BASE_TAG. Idempotent: an intact
# tree is reused.
set -eu
. "$(dirname "$0")/common.sh"

# The tree and its build; static checks; docs; the demo's root.
PKGS="linux-source-6.12 bc flex bison libelf-dev libssl-dev make gcc git
sparse coccinelle python3-ply python3-git python3-sphinx
python3-sphinx-rtd-theme graphviz python3-yaml busybox-static clang lld llvm
qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu"
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
   [ -f "$KT_TREE/Makefile" ] && [ -f "$KT_TREE/lib/Kconfig" ]; then
	exit 0
fi

tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || kt_die "$tarball missing"
kt_log "extracting $tarball into $KT_TREE"
rm -rf "$KT_TREE" "$KT_WORK" "$KT_TREE.tmp"
mkdir -p "$KT_TREE.tmp"
tar -C "$KT_TREE.tmp" -xf "$tarball" --strip-components=1

cd "$KT_TREE.tmp"
# Debian's .gitignore ends with "/*", which ignores the whole tree, and
# lacks upstream's dot-file exceptions. Drop the Debian tail and restore
# the exceptions, so that .kunitconfig and friends are tracked.
sed -i '/^# Debian packaging/,$d' .gitignore
sed -i '${/^#$/d}' .gitignore
cat >>.gitignore <<'IGN'

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
git add -f tools/testing/selftests/arm64/tags
version=$(make -s kernelversion)
git commit -q -m "Linux $version (Debian linux-source-6.12)"
git tag "$KT_BASE_TAG"
cd /
mv "$KT_TREE.tmp" "$KT_TREE"
kt_log "base $(git -C "$KT_TREE" rev-parse --short HEAD): Linux $version"
