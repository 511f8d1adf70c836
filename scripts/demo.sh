#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the patched kernel (UML) in a throwaway VM whose root is a host
# directory with busybox, and drive the samples: kmalloc_data_plane with
# the articles' command line (insmod, the debugfs table, add and release
# through the control file, bad inputs, a file held open across rmmod,
# rmmod), kmalloc_demo (a module generated at build time from its plan,
# samples/kalloc_track/kmalloc_demo.ktplan), and kmalloc_data_plane
# again with the parameters ktplan --emit=params makes of a second plan.
# The kernel loads signed modules only (CONFIG_MODULE_SIG_FORCE) and
# trusts one throwaway certificate, made here with openssl the first
# time and kept in the cache, never in the repo: the samples are signed
# with scripts/sign-file sha256, as the articles sign kmalloc_demo.ko,
# and an unsigned copy, a copy with one byte flipped and a copy signed
# by a second, untrusted key must each be refused. Then check the log.
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
wt=$(kt_applied_tree demo)
build=$KT_BUILD/demo
root=$KT_CACHE/demo-root
log=$KT_BUILD/demo.log

# A throwaway signing key and certificate standing in for a MOK key,
# and a second one the kernel does not trust. Made once per cache (a new
# key would rebuild the kernel), never committed.
keys=$KT_CACHE/demo-keys
mkdir -p "$keys"
chmod 700 "$keys"
for k in mok untrusted; do
	[ -s "$keys/$k.pem" ] && continue
	printf '%s\n' '[ req ]' 'default_bits = 2048' \
		'distinguished_name = dn' 'prompt = no' \
		'string_mask = utf8only' 'x509_extensions = ext' '[ dn ]' \
		"CN = kalloc_track demo $k key" '[ ext ]' \
		'basicConstraints=critical,CA:FALSE' \
		'keyUsage=digitalSignature' 'subjectKeyIdentifier=hash' \
		'authorityKeyIdentifier=keyid' >"$keys/$k.genkey"
	openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
		-config "$keys/$k.genkey" -outform PEM -keyout "$keys/$k.key" \
		-out "$keys/$k.crt" 2>"$keys/$k.log" ||
		{ cat "$keys/$k.log"; kt_die "openssl could not make the $k key"; }
	(umask 077 && cat "$keys/$k.key" "$keys/$k.crt" >"$keys/$k.pem")
done

# Signed modules only, and one trusted certificate: the module signing
# key's, which the kernel trusts implicitly (certs/Kconfig), so
# CONFIG_SYSTEM_TRUSTED_KEYS adds none. Modules are signed below, by
# hand, with scripts/sign-file, not at modules_install.
cfg="CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_HOSTFS=y
CONFIG_DEBUG_FS=y
CONFIG_SAMPLES=y
CONFIG_SAMPLE_KALLOC_TRACK=m
CONFIG_MODULE_SIG=y
CONFIG_MODULE_SIG_FORCE=y
CONFIG_MODULE_SIG_SHA256=y
CONFIG_MODULE_SIG_KEY=\"$keys/mok.pem\"
CONFIG_SYSTEM_TRUSTED_KEYS=\"\"
# CONFIG_MODULE_SIG_ALL is not set
# CONFIG_UML_PCI_OVER_VIRTIO is not set
# CONFIG_VIRTIO_UML is not set"
if [ "$(cat "$build/demo.config" 2>/dev/null)" != "$cfg" ]; then
	rm -rf "$build"
	mkdir -p "$build"
	make -s -C "$wt" ARCH=um O="$build" defconfig
	printf '%s\n' "$cfg" >"$build/demo.frag"
	(cd "$wt" && ./scripts/kconfig/merge_config.sh -m -O "$build" \
		"$build/.config" "$build/demo.frag" >/dev/null)
	make -s -C "$wt" ARCH=um O="$build" olddefconfig
	while IFS= read -r opt; do
		grep -qxF -- "$opt" "$build/.config" ||
			kt_die "demo config lacks $opt"
	done <<<"$cfg"
	printf '%s\n' "$cfg" >"$build/demo.config"
fi
echo "== building the demo kernel and module (build dir $build)"
make -s -C "$wt" ARCH=um O="$build" -j"$KT_JOBS" all >"$build/make.log" 2>&1 ||
	{ tail -n 30 "$build/make.log"; kt_die "demo build failed"; }

rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
cp "$build/samples/kalloc_track/kmalloc_data_plane.ko" \
	"$build/samples/kalloc_track/kmalloc_demo.ko" "$root/"
# Signed as the articles sign kmalloc_demo.ko: sign-file sha256 MOK.key
# MOK.crt. Then three copies the kernel must refuse: unsigned, signed
# with one byte of the module flipped, signed by the untrusted key.
sign=$build/scripts/sign-file
for m in kmalloc_data_plane kmalloc_demo; do
	"$sign" sha256 "$keys/mok.key" "$keys/mok.crt" "$root/$m.ko" ||
		kt_die "sign-file failed on $m.ko"
done
cp "$build/samples/kalloc_track/kmalloc_demo.ko" "$root/unsigned.ko"
cp "$root/kmalloc_demo.ko" "$root/flipped.ko"
# The byte must be in what the signature covers: the file less the
# trailer (a 12-byte struct module_signature whose last 4 bytes are the
# big-endian signature length, and the 28-byte magic) and the signature.
size=$(stat -c %s "$root/flipped.ko")
siglen=$(od -An -tu1 -j $((size - 28 - 4)) -N 4 "$root/flipped.ko" |
	awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
signed=$((size - 28 - 12 - siglen))
off=$((signed / 2))
[ "$signed" -gt 0 ] && [ "$off" -lt "$signed" ] ||
	kt_die "cannot find the signed part of kmalloc_demo.ko"
tail -c 28 "$root/flipped.ko" | grep -q '~Module signature appended~' ||
	kt_die "kmalloc_demo.ko has no module signature trailer"
byte=$(od -An -tu1 -j "$off" -N 1 "$root/flipped.ko" | tr -d ' ')
# shellcheck disable=SC2059
printf "$(printf '\\%03o' $((byte ^ 0xff)))" |
	dd of="$root/flipped.ko" bs=1 seek="$off" conv=notrunc 2>/dev/null
cmp -s "$root/kmalloc_demo.ko" "$root/flipped.ko" &&
	kt_die "the flipped copy is not changed"
cp "$build/samples/kalloc_track/kmalloc_demo.ko" "$root/untrusted.ko"
"$sign" sha256 "$keys/untrusted.key" "$keys/untrusted.crt" "$root/untrusted.ko" ||
	kt_die "sign-file failed with the untrusted key"
echo "== modinfo kmalloc_data_plane.ko (signed)"
modinfo "$root/kmalloc_data_plane.ko" | tee "$build/modinfo.txt"
# The control plane: a plan turned into the data plane's parameters, by
# the ktplan the kernel build made.
params=$("$build/scripts/kalloc_track/ktplan" --emit=params \
	"$wt/samples/kalloc_track/data_plane.ktplan") ||
	kt_die "ktplan --emit=params failed"
echo "== ktplan --emit=params samples/kalloc_track/data_plane.ktplan: $params"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
dmesg -n 7
kt=/sys/kernel/debug/kalloc_track/kmalloc_data_plane
ctl=/sys/kernel/debug/kmalloc_data_plane/control
step() { sleep 0.2; echo; echo "=== demo: $*"; }

step "0. signatures: an unsigned module, one with a byte flipped, one signed by an untrusted key"
insmod /unsigned.ko
echo "unsigned insmod: exit $?"
insmod /flipped.ko
echo "flipped insmod: exit $?"
insmod /untrusted.ko
echo "untrusted insmod: exit $?"

step '1. insmod kmalloc_data_plane.ko names="buffer,big_buffer" values=1024,4096 (signed)'
insmod /kmalloc_data_plane.ko names="buffer,big_buffer" values=1024,4096
echo "insmod: exit $?"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e $kt/allocations ] && break; sleep 0.2; done

step "2. the debugfs table: cat $kt/allocations"
cat $kt/allocations

step "3. add and release through the control file"
echo "add scratch 256 kernel,zero" > $ctl
echo "add: exit $?"
cat $kt/allocations
echo "release scratch" > $ctl
echo "release: exit $?"

step "4. two bad inputs: a duplicate name, then garbage"
echo "add buffer 64" > $ctl
echo "duplicate: exit $?"
echo "frobnicate the buffers" > $ctl
echo "garbage: exit $?"

step "5. rmmod, with the stats file held open across it"
cat $kt/stats
exec 3< $kt/stats
rmmod kmalloc_data_plane
echo "rmmod: exit $?"
cat <&3
echo "read after rmmod: exit $?"
exec 3<&-

step "6. bad loads: size 0, then sizes= and values= both"
insmod /kmalloc_data_plane.ko names=buffer sizes=0
echo "bad insmod: exit $?"
insmod /kmalloc_data_plane.ko names=buffer sizes=64 values=64
echo "both insmod: exit $?"

step "7. insmod kmalloc_demo.ko, generated from kmalloc_demo.ktplan"
insmod /kmalloc_demo.ko
echo "demo insmod: exit $?"
d=/sys/kernel/debug/kalloc_track/kmalloc_demo
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e $d/allocations ] && break; sleep 0.2; done
cat $d/allocations
cat $d/stats
rmmod kmalloc_demo
echo "demo rmmod: exit $?"

step "8. the control plane: insmod kmalloc_data_plane.ko @PARAMS@"
insmod /kmalloc_data_plane.ko @PARAMS@
echo "params insmod: exit $?"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e $kt/allocations ] && break; sleep 0.2; done
cat $kt/allocations
rmmod kmalloc_data_plane
echo "params rmmod: exit $?"

step "done"
poweroff -f
INIT
sed -i "s|@PARAMS@|$params|g" "$root/init"
chmod +x "$root/init"

echo "== booting (log in $log)"
timeout 180 "$build/linux" mem=256M con=null con0=null,fd:1 \
	root=/dev/root rootfstype=hostfs hostfs="$root" rw init=/init \
	</dev/null 2>&1 | tr -d '\r' >"$log" || true
grep -E "Loaded X.509 cert|X.509" "$log" | head -n 5
sed -n '/=== demo: 0\./,/=== demo: done/p' "$log"

# The demo passes only if each step did what it should.
fail=0
expect() {
	if ! grep -qE -- "$2" "$log"; then
		echo "demo check FAILED: $1 (no /$2/)"
		fail=1
	fi
}
tab=$'\t'
expect "the one trusted certificate" "Loaded X.509 cert 'kalloc_track demo mok key"
[ "$(sort -u <(grep -o "Loaded X.509 cert '[^']*'" "$log") | wc -l)" = 1 ] ||
	{ echo "demo check FAILED: not exactly one trusted certificate"; fail=1; }
expect "unsigned refused" '^unsigned insmod: exit [1-9][0-9]*$'
expect "unsigned: the kernel's reason" 'Loading of unsigned module is rejected'
expect "flipped refused as a bad signature" '^flipped insmod: exit 129$'
expect "flipped: the kernel's error" "can't insert '/flipped.ko': Key was rejected by service"
expect "untrusted refused" '^untrusted insmod: exit [1-9][0-9]*$'
expect "untrusted: the kernel's reason" 'Loading of module with unavailable key is rejected'
expect "module loaded" '^insmod: exit 0$'
expect "load message" 'kmalloc_data_plane: loaded 2 buffer\(s\)'
expect "table header" "^# name${tab}size${tab}gfp${tab}age_ms${tab}caller$"
expect "row buffer" "^buffer${tab}1024${tab}GFP_KERNEL${tab}[0-9]+${tab}dp_alloc\+.*\[kmalloc_data_plane\]$"
expect "row big_buffer" "^big_buffer${tab}4096${tab}GFP_KERNEL${tab}[0-9]+${tab}dp_alloc\+"
expect "row scratch" "^scratch${tab}256${tab}GFP_KERNEL\|__GFP_ZERO${tab}"
expect "add accepted" '^add: exit 0$'
expect "release accepted" '^release: exit 0$'
expect "duplicate refused" "control: add 'buffer' failed: -22"
expect "duplicate exit" '^duplicate: exit 1$'
expect "garbage refused" "control: cannot parse 'frobnicate the buffers'"
expect "garbage exit" '^garbage: exit 1$'
expect "unloaded" '^rmmod: exit 0$'
expect "nothing leaked" 'kmalloc_data_plane: stopped: live 0 \(0 bytes\), adds 3, releases 3, .*leaks 0$'
expect "nothing leaked either time" 'kmalloc_data_plane: stopped: live 0 \(0 bytes\), adds 2, releases 2, .*leaks 0$'
expect "open file fails cleanly" 'read after rmmod: exit 1$'
expect "bad load refused" "entry 0 \('buffer'\): size 0 out of range"
expect "bad load exit" '^bad insmod: exit [1-9][0-9]*$'
expect "both refused" 'sizes= and values= both given'
expect "both exit" '^both insmod: exit [1-9][0-9]*$'
expect "generated module loaded" '^demo insmod: exit 0$'
expect "generated module allocated" 'kmalloc_demo: allocated 4 buffer\(s\), 13440 bytes'
# The caller is kmalloc_demo_init(), __init: its text is freed once the
# module is loaded, so %pS can only print the address by then.
expect "generated row descs" "^descs${tab}8192${tab}GFP_KERNEL${tab}[0-9]+${tab}"
expect "generated row big_buffer" "^big_buffer${tab}4096${tab}GFP_KERNEL\|__GFP_ZERO${tab}"
expect "generated live" '^live: 4$'
expect "generated unloaded" '^demo rmmod: exit 0$'
expect "generated nothing leaked" 'kmalloc_demo: released every buffer'
expect "params from the plan" "^=== demo: 8\. the control plane: insmod kmalloc_data_plane.ko names=buffer,big_buffer values=1024,4096 gfp=kernel$"
expect "params loaded" '^params insmod: exit 0$'
expect "params unloaded" '^params rmmod: exit 0$'
expect "demo finished" '=== demo: done'
if grep -E 'BUG:|WARNING:|Oops|Kernel panic|kalloc_track: .*leak' "$log"; then
	echo "demo check FAILED: kernel complaint in the log"
	fail=1
fi
# modinfo of the signed module: its signer, hash and parameters.
for want in '^signer: +kalloc_track demo mok key$' '^sig_hashalgo: +sha256$' \
	'^parm: +values:The same as sizes=' '^parm: +sizes:' '^parm: +names:'; do
	grep -qE "$want" "$build/modinfo.txt" ||
		{ echo "demo check FAILED: modinfo (no /$want/)"; fail=1; }
done
[ $fail = 0 ] || kt_die "demo failed; full log in $log"
echo "demo: all checks passed"
