#!/usr/bin/env bash
# inject-initrd.sh: put imageinvoker into a Linux initrd for PXE automation.
#
#   scripts/inject-initrd.sh --initrd IN --binary BIN --output OUT
#                            [--config FILE] [--ca-file FILE]
#                            [--compress auto|gzip|xz|zstd|none] [--no-check]
#                            [--next-init PATH] [--keep-network] [--host-binary FILE]
#
# Appends one extra newc cpio archive to a copy of IN and writes it to OUT.
# The kernel unpacks concatenated archives in order, so nothing in the
# original is unpacked, changed or re-packed. The new archive holds:
#   /imageinvoker/imageinvoker        BIN (a static linux binary)
#   /imageinvoker/imageinvoker.yaml   FILE (found there: it sits next to the binary)
#   /imageinvoker/<name of CA file>   the CA file, if given (point directory.ca_file at it)
#   /imageinvoker/init                the hook: runs imageinvoker, then the original /init
# Everything lives under its own /imageinvoker directory: an archive entry for
# an existing path of another type (a directory over merged-/usr's /bin
# symlink) would make the kernel replace that path.
#
# Boot with the kernel parameter  rdinit=/imageinvoker/init  so the hook runs
# first; it hands over to /init (or the --next-init PATH fixed on the media)
# when imageinvoker exits. The next init is never taken from the kernel
# line: whoever can edit the boot line must not choose what runs next as
# root with the media's secrets. Kernel parameters of the form NAME=value
# reach the hook as environment: IMAGEINVOKER_ARGS="menu --flat" passes
# arguments. The initrd must have /bin/sh (busybox counts).
#
# On a machine with no address yet, imageinvoker loads the NICs' drivers from
# the initrd's /lib/modules/$(uname -r) (modules.alias, modules.dep: keep
# them in the initrd) and runs DHCP before its console; before handing over
# it takes back the links and addresses it configured, unless --keep-network.
#
# --compress auto (the default) compresses the added archive the way IN is
# compressed (gzip, xz or zstd) and leaves it uncompressed otherwise; every
# kernel that can read IN can read that. IN is never changed: OUT is written
# through a temporary file, and OUT may name IN only when you mean to replace it.
# Unless --no-check, the config is first validated with `config check`: by BIN
# when it runs on this machine, else by --host-binary FILE (a build of the same
# version for this machine); with neither, it says the config went unchecked.
# An initrd that already holds an ImageInvoker archive is refused: inject into
# the original initrd (a second archive would only grow it).
set -euo pipefail

prog=inject-initrd.sh
die() {
	echo "$prog: $*" >&2
	exit 2
}
usage() { sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//'; }

in='' bin='' out='' cfg='' ca='' compress=auto check=1 next_init=/init keep_network=0 host_bin=
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	--initrd | --binary | --output | --config | --ca-file | --compress | --next-init | --host-binary)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case "$1" in
		--initrd) in=$2 ;;
		--binary) bin=$2 ;;
		--output) out=$2 ;;
		--config) cfg=$2 ;;
		--ca-file) ca=$2 ;;
		--compress) compress=$2 ;;
		--next-init) next_init=$2 ;;
		--host-binary) host_bin=$2 ;;
		esac
		shift 2
		;;
	--no-check)
		check=0
		shift
		;;
	--keep-network)
		keep_network=1
		shift
		;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done

[ -n "$in" ] || die "name the initrd to start from with --initrd FILE"
[ -n "$bin" ] || die "name the imageinvoker linux binary with --binary FILE (scripts/build.sh makes dist/imageinvoker-linux-amd64)"
[ -n "$out" ] || die "name the new initrd with --output FILE (the input is never changed in place; --output $in replaces it on purpose)"
{ [ -f "$in" ] && [ -r "$in" ]; } || die "initrd $in is not a readable file"
{ [ -f "$bin" ] && [ -r "$bin" ]; } || die "binary $bin is not a readable file"
[ -z "$cfg" ] || { [ -f "$cfg" ] && [ -r "$cfg" ]; } || die "config $cfg is not a readable file"
[ -z "$ca" ] || { [ -f "$ca" ] && [ -r "$ca" ]; } || die "CA file $ca is not a readable file"
case "$next_init" in
/*) ;;
*) die "--next-init must be an absolute path inside the initrd (like /init or /sbin/init), not $next_init" ;;
esac
# It goes into the hook as a shell word: plain path characters only.
case "$next_init" in
*[!A-Za-z0-9/._-]*) die "--next-init $next_init: only letters, digits and / . _ - are allowed" ;;
esac
out_dir=$(dirname "$out")
{ [ -d "$out_dir" ] && [ -w "$out_dir" ]; } || die "output directory $out_dir does not exist or is not writable"
command -v cpio >/dev/null || die "cpio is missing: install it (Debian: apt-get install cpio)"

# The initrd has no dynamic loader or libraries to offer, so only a static
# ELF binary can run there.
[ "$(head -c 4 "$bin" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] ||
	die "binary $bin is not a Linux ELF executable (use dist/imageinvoker-linux-ARCH from scripts/build.sh)"
if command -v readelf >/dev/null && readelf -lW "$bin" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	die "binary $bin is dynamically linked; build it with scripts/build.sh (CGO_ENABLED=0)"
fi

# magic: the compression of the first archive in the file.
magic() {
	local hex
	hex=$(head -c 6 "$1" | od -An -tx1 | tr -d ' \n')
	case "$hex" in
	1f8b*) echo gzip ;;
	fd377a585a00) echo xz ;;
	28b52ffd*) echo zstd ;;
	303730373031 | 303730373032) echo none ;; # "070701"/"070702": newc, maybe with early microcode first
	425a68*) echo bzip2 ;;
	02214c18*) echo lz4 ;;
	5d0000*) echo lzma ;;
	*) echo unknown ;;
	esac
}
found=$(magic "$in")
[ "$found" != unknown ] || die "initrd $in is not a cpio archive nor gzip/xz/zstd/bzip2/lz4/lzma compressed: is it an initrd?"

case "$compress" in
auto)
	case "$found" in
	gzip | xz | zstd) compress=$found ;;
	*) compress=none ;; # bzip2/lz4/lzma tools are rarer; plain cpio always works
	esac
	;;
gzip | xz | zstd | none) ;;
*) die "--compress must be auto, gzip, xz, zstd or none, not $compress" ;;
esac
case "$compress" in
gzip) compressor=(gzip -n -9) ;;
xz) compressor=(xz --check=crc32 -9) ;; # the kernel's xz decoder knows CRC32, not the default CRC64
zstd) compressor=(zstd -q -19) ;;
none) compressor=(cat) ;;
esac
command -v "${compressor[0]}" >/dev/null || die "${compressor[0]} is missing: install it or use --compress none"

# An ImageInvoker archive already in IN: the newc header of its hook's entry
# (name size 0x12, check 0, then the name) shows in the raw bytes
# (uncompressed archives) or in the decompressed stream (gzip, xz and zstd
# read concatenated members as one). A mere mention of the path in some
# file of the initrd does not match.
hook_entry=0000001200000000imageinvoker/init
already_injected() {
	local d
	grep -aqF "$hook_entry" "$1" && return 0
	case "$found" in
	gzip) d=(gzip -dc) ;;
	xz) d=(xz -dc) ;;
	zstd) d=(zstd -dcq) ;;
	*) return 1 ;;
	esac
	command -v "${d[0]}" >/dev/null || return 1
	{ "${d[@]}" <"$1" 2>/dev/null || true; } | grep -aqF "$hook_entry"
}
if already_injected "$in"; then
	die "initrd $in already holds an ImageInvoker archive (injected before): inject into the original initrd instead"
fi

if [ "$check" = 1 ] && [ -n "$cfg" ]; then
	checker=
	if "$bin" version >/dev/null 2>&1; then
		checker=$bin
	elif [ -n "$host_bin" ]; then
		"$host_bin" version >/dev/null 2>&1 || die "--host-binary $host_bin does not run on this machine"
		checker=$host_bin
	fi
	if [ -z "$checker" ]; then
		echo "$prog: warning: config $cfg NOT checked: $bin does not run on this machine; pass --host-binary (a build for this machine) to check it" >&2
	elif "$checker" config check --help >/dev/null 2>&1; then
		"$checker" config check "$cfg" >/dev/null || die "config $cfg is not valid (errors above); fix it or pass --no-check"
	else
		echo "$prog: warning: config $cfg NOT checked: $checker has no config check command" >&2
	fi
fi

work=$(mktemp -d)
tmp_out=
cleanup() {
	rm -rf "$work"
	[ -z "$tmp_out" ] || rm -f "$tmp_out"
}
trap cleanup EXIT

stage=$work/root
mkdir -p "$stage/imageinvoker"
cp "$bin" "$stage/imageinvoker/imageinvoker"
chmod 0755 "$stage/imageinvoker/imageinvoker"
if [ -n "$cfg" ]; then
	cp "$cfg" "$stage/imageinvoker/imageinvoker.yaml"
	chmod 0644 "$stage/imageinvoker/imageinvoker.yaml"
fi
if [ -n "$ca" ]; then
	ca_name=$(basename "$ca")
	case "$ca_name" in
	imageinvoker | init | imageinvoker.yaml)
		die "CA file name $ca_name clashes with a file the hook needs; rename it (e.g. site-ca.pem)"
		;;
	esac
	cp "$ca" "$stage/imageinvoker/$ca_name"
	chmod 0644 "$stage/imageinvoker/$ca_name"
fi
{
	echo '#!/bin/sh'
	echo "# Fixed when the media was made (inject-initrd.sh --next-init); never from the kernel line."
	echo "next_init=$next_init"
	echo "keep_network=$keep_network"
} >"$stage/imageinvoker/init"
cat >>"$stage/imageinvoker/init" <<'HOOK'
# imageinvoker's initrd hook, started by the kernel as rdinit=/imageinvoker/init.
# Runs the self-service imaging client on the console, then hands over to the
# initrd's own init, whatever the client's outcome: the DS agent started by that
# init is what picks the queued job up.
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
# The console hands over to DS's agent at once after queueing: the agent
# starts only once this hook execs the next init.
IMAGEINVOKER_HANDOVER=1
# Whether the network imageinvoker brings up stays for the next init: fixed
# on the media (--keep-network).
IMAGEINVOKER_KEEP_NETWORK=$keep_network
export IMAGEINVOKER_HANDOVER IMAGEINVOKER_KEEP_NETWORK
if [ -n "${IMAGEINVOKER_NEXT_INIT:-}" ]; then
	echo "imageinvoker: IMAGEINVOKER_NEXT_INIT from the kernel line is ignored; the next init ($next_init) is fixed on the media" >&2
	unset IMAGEINVOKER_NEXT_INIT
fi
mounted=
mount_if_missing() { # $1 type, $2 dir, $3 probe
	if [ ! -e "$3" ]; then
		mkdir -p "$2" 2>/dev/null
		mount -t "$1" "$1" "$2" 2>/dev/null && mounted="$2 $mounted"
	fi
}
# /sys holds the SMBIOS table and NIC addresses that identify the machine.
mount_if_missing proc /proc /proc/self
mount_if_missing sysfs /sys /sys/class
mount_if_missing devtmpfs /dev /dev/null
[ -n "$TERM" ] || TERM=linux
export TERM
# The config on the media, named outright: finding it "next to the binary"
# needs /proc, which a busybox without the mount link never mounts, and
# the kernel line must not name another.
if [ -f /imageinvoker/imageinvoker.yaml ]; then
	IMAGEINVOKER_CONFIG=/imageinvoker/imageinvoker.yaml
	export IMAGEINVOKER_CONFIG
else
	unset IMAGEINVOKER_CONFIG
fi
# What the Go runtime, its certificate checks and its resolver read from the
# environment: here the kernel line writes the environment, and none of it
# may weaken a TLS check (GODEBUG=x509sha1=1, a CA file of its own) or move
# a name lookup.
unset GODEBUG SSL_CERT_FILE SSL_CERT_DIR LOCALDOMAIN RES_OPTIONS HOSTALIASES
# The kernel hands IMAGEINVOKER_ARGS over as one string: split it into
# words, but never expand globs in it.
set -f
# shellcheck disable=SC2086
/imageinvoker/imageinvoker $IMAGEINVOKER_ARGS
rc=$?
set +f
[ "$rc" = 0 ] || echo "imageinvoker: exited with code $rc; continuing the boot" >&2
# A password given on the kernel line (unattended `run`) is not the next
# init's, nor its agent's, to inherit.
unset IMAGEINVOKER_PASSWORD
# Leave the mounts as the original init expects to find them: not there.
for m in $mounted; do umount "$m" 2>/dev/null; done
if [ -x "$next_init" ]; then
	exec "$next_init" "$@"
fi
# No shell here: a shell as PID 1 would hand the media's secrets to whoever
# sits at the console.
echo "imageinvoker: no init at $next_init to hand over to; this image is broken, halting. Switch the machine off." >&2
while :; do sleep 3600 2>/dev/null || read -r _ 2>/dev/null; done
HOOK
chmod 0755 "$stage/imageinvoker/init"

# Fixed times and owners: the same inputs give the same archive.
epoch=${SOURCE_DATE_EPOCH:-0}
find "$stage" -exec touch -h -d "@$epoch" {} +
(cd "$stage" && find imageinvoker | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) >"$work/extra.cpio" ||
	die "cpio failed to write the extra archive"
"${compressor[@]}" <"$work/extra.cpio" >"$work/extra" || die "${compressor[0]} failed"

tmp_out=$(mktemp "$out_dir/.inject-initrd.XXXXXX")
cat "$in" >"$tmp_out"
# The kernel looks for an uncompressed cpio header only on a 4-byte boundary
# and skips NUL padding between archives. A compressed archive needs no
# padding, and without it gzip/xz/zstd themselves read OUT as one stream.
if [ "$compress" = none ]; then
	size=$(stat -c %s "$tmp_out")
	pad=$(((4 - size % 4) % 4))
	[ "$pad" = 0 ] || head -c "$pad" /dev/zero >>"$tmp_out"
fi
cat "$work/extra" >>"$tmp_out"
chmod --reference="$in" "$tmp_out" 2>/dev/null || chmod 0644 "$tmp_out"
mv -f "$tmp_out" "$out"
tmp_out=
echo "$prog: wrote $out: $in ($found) + imageinvoker archive ($compress, $(stat -c %s "$work/extra") bytes)" >&2
echo "$prog: boot it with the kernel parameter rdinit=/imageinvoker/init" >&2
