# SPDX-License-Identifier: GPL-2.0
# Shared settings for the kalloc_track scripts; sourced, never run.

KT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KT_CACHE=${KALLOC_TRACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kalloc_track}
KT_TREE=$KT_CACHE/linux
KT_BASE_TAG=kalloc-track-base
KT_WORK=$KT_CACHE/work
KT_BUILD=$KT_CACHE/build
KT_JOBS=${KT_JOBS:-$(nproc)}

# The base: Debian's linux-source package for one mainline release. This
# is the one place that names it; moving to a new release is this line
# (plus whatever API drift it really brings). KT_LINUX is the series
# (7.3), KT_LINUX_SUITE the Debian suite that serves it.
KT_LINUX_DEB_VERSION=7.3.4-1~bpo13+1
KT_LINUX_SUITE=trixie-backports
KT_LINUX=$(echo "$KT_LINUX_DEB_VERSION" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
KT_LINUX_PKG=linux-source-$KT_LINUX
KT_APT=$KT_CACHE/apt

# One identity and one clock for everything we commit, so that the base
# commit and the series are byte-identical on every machine.
export GIT_AUTHOR_NAME="kalloc_track developers"
export GIT_AUTHOR_EMAIL="kalloc-track@lists.infradead.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2026-11-22T00:00:00+0000"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"

# No user or system git configuration (hooks, excludes, signing) may
# change what we commit, and so the ids in patches/.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# Debian's Python sees python3-ply and python3-git (checkpatch, kunit.py).
export PATH=/usr/bin:/bin:$PATH

kt_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
kt_die() { kt_log "$*"; exit 1; }

# Make a reusable worktree of the pristine base and apply patches/ to it
# with git am, as a reviewer does. The worktree is reset in place rather
# than recreated, so that unchanged files keep their mtimes and warm
# builds stay warm.
kt_applied_tree() {
	local name=$1 wt=$KT_WORK/$1
	[ -d "$wt/.git" ] || [ -f "$wt/.git" ] ||
		git -C "$KT_TREE" worktree add -q --detach "$wt" "$KT_BASE_TAG" >&2
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	git -C "$wt" checkout -q --detach "$KT_BASE_TAG" -f
	git -C "$wt" clean -q -fdx
	git -C "$wt" am -q --whitespace=error-all "$KT_TOP"/patches/*.patch >&2 ||
		kt_die "git am of patches/ failed in $wt"
	echo "$wt"
}

# The URI of the machine's main Debian archive: the first URIs: value of
# a deb822 stanza (or of a "deb" line) that is not a security one.
kt_archive_uri() {
	local f
	{
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[ \t]*$/ { if (uri != "" && !sec) { found = 1; exit }
				     uri = ""; sec = 0; next }
			tolower($1) == "uris:"	  { uri = $2; if (uri ~ /security/) sec = 1 }
			tolower($1) == "suites:"  { if ($0 ~ /-security/) sec = 1 }
			tolower($1) == "enabled:" { if (tolower($2) == "no") sec = 1 }
			END	   { if (found || (uri != "" && !sec)) print uri }
		' "$f" | head -n 1
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }'
	} | head -n 1 | {
		# mirror+file:PATH (Debian cloud images): the first mirror listed.
		read -r uri
		case $uri in
		mirror+file:*)
			grep -Eo 'https?://[^[:space:]]+' "${uri#mirror+file:}" |
				head -n 1 ;;
		*)	echo "$uri" ;;
		esac
	}
}

# Download one package of a Debian suite the machine's apt sources may
# not list, through a private apt state under $KT_APT/SUITE: the archive
# URI is the machine's own, the keyring Debian's. With a version, the
# download must be exactly that version. Prints the .deb's path.
kt_apt_download() {
	local suite=$1 pkg=$2 version=${3:-} dir=$KT_APT/$1 uri keyring deb
	uri=$(kt_archive_uri)
	[ -n "$uri" ] || kt_die "no Debian archive URI in the apt sources"
	keyring=$(dpkg -L debian-archive-keyring | grep '/debian-archive-keyring\.gpg$' | head -n 1)
	[ -f "$keyring" ] || kt_die "debian-archive-keyring's keyring not found"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/deb"
	echo "deb [signed-by=$keyring] $uri $suite main" >"$dir/sources.list"
	local opts=(-o "Dir::Etc::sourcelist=$dir/sources.list"
		    -o "Dir::Etc::sourceparts=-"
		    -o "Dir::State::Lists=$dir/lists"
		    -o "Dir::Cache=$dir/cache"
		    -o "Dir::State::status=/dev/null"
		    -o "APT::Sandbox::User=root")
	apt-get -qq "${opts[@]}" update >&2 || kt_die "apt-get update of $suite failed"
	(cd "$dir/deb" && rm -f ./"${pkg}"_*.deb &&
	 apt-get -qq "${opts[@]}" download "$pkg${version:+=$version}" >&2) ||
		kt_die "cannot download $pkg${version:+ $version} from $suite"
	deb=$(ls "$dir"/deb/"${pkg}"_*.deb)
	[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] ||
		kt_die "$deb is not $pkg"
	[ -z "$version" ] || [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
		kt_die "$deb is not $pkg $version"
	echo "$deb"
}

# kunit.py asks QEMU for "-accel kvm -accel hvf -accel tcg", so QEMU takes
# KVM whenever /dev/kvm exists, and KVM here stops a 7.3 x86_64 guest
# with an emulation failure on SLUB's cmpxchg16b. Put first in PATH a
# qemu-system-x86_64 that drops the kvm and hvf pairs: TCG only.
kt_tcg_only() {
	local bin=$KT_CACHE/bin real
	real=$(PATH=${PATH#"$bin:"} command -v qemu-system-x86_64) ||
		kt_die "qemu-system-x86_64 not found"
	mkdir -p "$bin"
	cat >"$bin/qemu-system-x86_64.tmp" <<WRAP
#!/bin/bash
# Made by kalloc_track's scripts/common.sh: QEMU with TCG only.
args=()
while [ \$# -gt 0 ]; do
	if [ "\$1" = -accel ] && [ "\${2:-}" != tcg ]; then
		shift 2
		continue
	fi
	args+=("\$1")
	shift
done
exec $real "\${args[@]}"
WRAP
	chmod +x "$bin/qemu-system-x86_64.tmp"
	mv "$bin/qemu-system-x86_64.tmp" "$bin/qemu-system-x86_64"
	case ":$PATH:" in
	*":$bin:"*) ;;
	*) export PATH=$bin:$PATH ;;
	esac
}
