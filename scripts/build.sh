#!/usr/bin/env bash
# Static, reproducible release builds of imageinvoker.
#
#   scripts/build.sh [-o DIR] [TARGET...]
#
# TARGET is GOOS/GOARCH; the default is every target boot media needs:
#   windows/amd64 windows/386 linux/amd64 linux/386 linux/arm64
# Binaries go to DIR (default: dist/ in the repository) as
# imageinvoker-GOOS-GOARCH[.exe], with a SHA256SUMS file beside them.
#
# Reproducible: the same commit gives the same bytes, whoever builds it and
# wherever the checkout is. Everything stamped into the binary comes from git
# (version, commit, commit date) rather than from the clock or the machine:
# -trimpath drops the checkout path, -buildid= drops the build ID, the CPU
# feature levels are pinned, and cgo is off so no host C toolchain leaks in.
# SOURCE_DATE_EPOCH, when set, overrides the commit date (the usual convention).
#
# Each binary must fit the boot-media size budget, 16 MiB: WinPE keeps X: in
# RAM, and PXE loads the WIM/initrd over TFTP on every boot. Every target is
# still built and summed when one is over, then the script exits 1.
# IMAGEINVOKER_MAX_BYTES overrides the budget in bytes (0: no check).
set -euo pipefail

MAX_BYTES=${IMAGEINVOKER_MAX_BYTES:-$((16 * 1024 * 1024))}
PKG=github.com/imageinvoker/imageinvoker
ALL_TARGETS=(windows/amd64 windows/386 linux/amd64 linux/386 linux/arm64)

usage() {
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/dist"
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	-o | --output)
		[ $# -ge 2 ] || {
			echo "build.sh: $1 needs a directory" >&2
			exit 2
		}
		out=$2
		shift 2
		;;
	-*)
		echo "build.sh: unknown option $1 (see --help)" >&2
		exit 2
		;;
	*/*)
		targets+=("$1")
		shift
		;;
	*)
		echo "build.sh: target $1 is not GOOS/GOARCH, e.g. windows/amd64 (see --help)" >&2
		exit 2
		;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")

cd "$root"

version=dev
commit=unknown
date=unknown
if git rev-parse --git-dir >/dev/null 2>&1; then
	version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
	commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
	epoch=$(git log -1 --format=%ct 2>/dev/null || true)
	[ -z "${SOURCE_DATE_EPOCH:-}" ] || epoch=$SOURCE_DATE_EPOCH
	if [ -n "$epoch" ]; then
		date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
	fi
elif [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
fi

ldflags="-s -w -buildid="
ldflags+=" -X $PKG/internal/buildinfo.Version=$version"
ldflags+=" -X $PKG/internal/buildinfo.Commit=$commit"
ldflags+=" -X $PKG/internal/buildinfo.Date=$date"

mkdir -p "$out"
out=$(cd "$out" && pwd)

# Pin everything in the environment that changes the output bytes.
. "$root/scripts/release-env.sh"

echo "build.sh: imageinvoker $version (commit $commit, $date) -> $out" >&2
# The Windows exe's version resource (Properties > Details), from the same
# version, commit and date: .syso files the linker takes into Windows builds
# only (their _windows_ARCH names), removed again when the script ends.
case " ${targets[*]}" in
*" windows/"*)
	syso=("$root/cmd/imageinvoker/rsrc_windows_amd64.syso" "$root/cmd/imageinvoker/rsrc_windows_386.syso")
	trap 'rm -f "${syso[@]}"' EXIT
	go run ./internal/buildinfo/versionres -version "$version" -commit "$commit" -date "$date" -o "$root/cmd/imageinvoker"
	;;
esac
names=()
over=()
for t in "${targets[@]}"; do
	goos=${t%/*}
	goarch=${t#*/}
	name="imageinvoker-$goos-$goarch"
	[ "$goos" != windows ] || name+=.exe
	GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$out/$name" ./cmd/imageinvoker
	size=$(stat -c %s "$out/$name")
	echo "build.sh: $name $size bytes" >&2
	if [ "$MAX_BYTES" -gt 0 ] && [ "$size" -gt "$MAX_BYTES" ]; then
		over+=("$name ($size bytes)")
	fi
	names+=("$name")
done

# Sorted by name so the sums file itself is byte-identical between builds.
(cd "$out" && printf '%s\n' "${names[@]}" | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
echo "build.sh: wrote $out/SHA256SUMS" >&2
if [ ${#over[@]} -gt 0 ]; then
	echo "build.sh: over the $MAX_BYTES-byte boot-media budget: ${over[*]}" >&2
	exit 1
fi
