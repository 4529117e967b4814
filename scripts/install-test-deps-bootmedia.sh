#!/usr/bin/env bash
# Installs what internal/bootmedia's tests need from Debian's packages:
#   cpio, busybox-static, xz-utils, zstd
#                          always (the initrd test builds, compresses and unpacks a real
#                          newc archive, and boots its hook with busybox as /bin/sh)
#   wine, wine64, gcc-mingw-w64-x86-64-win32
#                          only when IMAGEINVOKER_TEST_WINE=1 or CI is set: they are large
#                          (hundreds of MB with dependencies), so developers opt in. mingw
#                          builds the test-only bcryptprimitives.dll stand-in that Debian 12's
#                          Wine 8.0 lacks (see internal/bootmedia/testdata/bcryptprimitives.c).
#   wine32:i386, gcc-mingw-w64-i686-win32
#                          with wine, and only when this kernel runs 32-bit x86 programs
#                          (probed by running a 93-byte i386 ELF): windows/386 under Wine.
#                          It adds the i386 architecture to dpkg (multiarch) for the whole
#                          machine, which is why it is limited to CI or opt-in; set
#                          IMAGEINVOKER_TEST_WINE32=0 to leave it out. Kernels with IA-32
#                          emulation off (PVM/Firecracker guests: "IA-32 emulation off" in
#                          dmesg) refuse such programs, and there the windows/386 test
#                          skips with that reason: an installed wine32 could not start.
# Safe to run again: apt-get skips what is already there. Prints how long apt took,
# because the Wine install time is a figure the project tracks.
set -euo pipefail

need=()
command -v cpio >/dev/null 2>&1 || need+=(cpio)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
want_wine=0
if [ "${IMAGEINVOKER_TEST_WINE:-}" = 1 ] || [ -n "${CI:-}" ]; then
	want_wine=1
	command -v wine >/dev/null 2>&1 || need+=(wine wine64)
	command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64-win32)
fi

# can_run_i386 runs exit(0) as a static i386 ELF: ELF header, one PT_LOAD
# program header, then xor ebx,ebx; mov eax,1; int 0x80. The same bytes as
# i386Exit0 in internal/bootmedia/wine_test.go.
can_run_i386() {
	local f rc
	f=$(mktemp)
	printf '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'\
'\x02\x00\x03\x00\x01\x00\x00\x00\x54\x80\x04\x08\x34\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'\
'\x34\x00\x20\x00\x01\x00\x00\x00\x00\x00\x00\x00'\
'\x01\x00\x00\x00\x00\x00\x00\x00\x00\x80\x04\x08\x00\x80\x04\x08\x5d\x00\x00\x00\x5d\x00\x00\x00\x05\x00\x00\x00\x00\x10\x00\x00'\
'\x31\xdb\xb8\x01\x00\x00\x00\xcd\x80' >"$f"
	chmod +x "$f"
	rc=0
	"$f" 2>/dev/null || rc=$?
	rm -f "$f"
	return $rc
}

want_wine32=0
if [ $want_wine = 1 ] && [ "${IMAGEINVOKER_TEST_WINE32:-1}" != 0 ] && [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then
	if can_run_i386; then
		want_wine32=1
		[ -x /usr/lib/wine/wine ] || need+=(wine32:i386)
		command -v i686-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-i686-win32)
	else
		echo "install-test-deps-bootmedia: this kernel does not run 32-bit x86 programs (IA-32 emulation off): no wine32, windows/386 under Wine will skip"
	fi
fi

if [ ${#need[@]} -eq 0 ]; then
	echo "install-test-deps-bootmedia: nothing to install"
	exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi

start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
fresh_lists=0
# Package lists fetched within the hour (scripts/test runs install-test-deps.sh,
# which fetches them, just before this) need no second update.
if [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -n 1)" ]; then
	fresh_lists=1
fi
if [ $want_wine32 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx i386; then
	# wine32:i386 shares libraries with amd64 packages at the same version, so
	# apt may also upgrade some amd64 libraries (libc6, systemd's libs) here.
	$SUDO dpkg --add-architecture i386
	fresh_lists=0 # no lists of the new architecture yet
fi
# apt holds a lock; other installers may run at the same time on a shared machine.
apt_install() { $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
if [ $fresh_lists = 0 ] || ! apt_install; then
	$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
	apt_install
fi
end=$(date +%s)
echo "install-test-deps-bootmedia: installed ${need[*]} in $((end - start))s (wine requested: $want_wine, wine32: $want_wine32)"
