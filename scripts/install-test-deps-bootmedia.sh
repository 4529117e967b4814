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
#   qemu-system-x86, ipxe-qemu, kmod, and a Debian kernel (linux-image-amd64, downloaded with
#   `apt-get download` and unpacked with `dpkg-deb -x` into $IMAGEINVOKER_TEST_KERNEL_DIR,
#   default /var/cache/imageinvoker-test/linux; never installed into /boot)
#                          only when IMAGEINVOKER_TEST_PXE=1 or CI is set: the PXE boot test
#                          (internal/bootmedia/pxeboot) boots it in QEMU (TCG) with iPXE.
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

want_pxe=0
if [ "${IMAGEINVOKER_TEST_PXE:-}" = 1 ] || [ -n "${CI:-}" ]; then
	want_pxe=1
	command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
	[ -e /usr/lib/ipxe/qemu/pxe-e1000.rom ] || need+=(ipxe-qemu)
	command -v depmod >/dev/null 2>&1 || [ -x /sbin/depmod ] || need+=(kmod)
fi

# fetch_kernel puts a Debian kernel and its modules into the kernel directory:
# downloaded and unpacked, not installed.
fetch_kernel() {
	local dir=${IMAGEINVOKER_TEST_KERNEL_DIR:-/var/cache/imageinvoker-test/linux} pkg tmp
	if ls "$dir"/boot/vmlinuz-* >/dev/null 2>&1; then
		return 0
	fi
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$pkg" ] || {
		echo "install-test-deps-bootmedia: no linux-image-amd64 in the package lists" >&2
		return 1
	}
	tmp=$(mktemp -d)
	chmod 0755 "$tmp" # apt's sandbox user writes the download there
	# Stale package lists name a kernel the mirror no longer has: fetch the
	# lists once and ask again.
	if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null); then
		${SUDO:-} apt-get -o DPkg::Lock::Timeout=300 update -qq
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
		(cd "$tmp" && apt-get download -qq "$pkg" >/dev/null) || {
			rm -rf "$tmp"
			return 1
		}
	fi
	mkdir -p "$dir"
	dpkg-deb -x "$tmp"/*.deb "$dir"
	rm -rf "$tmp"
	echo "install-test-deps-bootmedia: unpacked $pkg into $dir"
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
	if [ $want_pxe = 1 ]; then fetch_kernel; fi
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
if [ $want_pxe = 1 ]; then fetch_kernel; fi
end=$(date +%s)
echo "install-test-deps-bootmedia: installed ${need[*]} in $((end - start))s (wine requested: $want_wine, wine32: $want_wine32)"
