#!/bin/sh
# Installs the Debian packages the tests need (a real Samba AD DC for
# internal/directory, iproute2 to give the second DC its loopback address, tmux
# and cpio for end-to-end tests). Idempotent: installs
# only what is missing, and runs apt-get update only if the install fails
# (stale package lists). Needs root.
set -eu

PACKAGES="samba-ad-dc samba-ad-provision ldb-tools iproute2 tmux cpio"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-test-deps: all present ($PACKAGES)"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-test-deps: missing:$missing; run as root to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing$missing"
# shellcheck disable=SC2086 # word splitting of the package list is wanted
if ! apt-get install -y --no-install-recommends $missing; then
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
fi
