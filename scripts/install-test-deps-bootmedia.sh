#!/usr/bin/env bash
# Installs what pkg/bootmedia's tests need from Debian's packages:
#   cpio, busybox-static, xz-utils, zstd
#                          always (the initrd test builds, compresses and unpacks a real
#                          newc archive, and boots its hook with busybox as /bin/sh)
#   wine, wine64, gcc-mingw-w64-x86-64-win32
#                          only when IMAGEINVOKER_TEST_WINE=1 or CI is set: they are large
#                          (hundreds of MB with dependencies), so developers opt in. mingw
#                          builds the test-only bcryptprimitives.dll stand-in that Debian 12's
#                          Wine 8.0 lacks (see pkg/bootmedia/testdata/bcryptprimitives.c).
# windows/386 under Wine would need wine32 from an i386 multiarch install; this
# script does not do that (it changes apt's architectures for the whole machine),
# so that test skips with its reason.
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
# apt holds a lock; other installers may run at the same time on a shared machine.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
end=$(date +%s)
echo "install-test-deps-bootmedia: installed ${need[*]} in $((end - start))s (wine requested: $want_wine)"
