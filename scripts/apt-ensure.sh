#!/usr/bin/env bash
# Install the given Debian packages, but only those that are not installed yet.
#
# Usage: scripts/apt-ensure.sh PACKAGE...
# Runs `apt-get update` once, and only when something is missing. Needs root (or sudo).
# On a system without dpkg/apt it only reports what it would need and leaves the rest to you.
set -euo pipefail

missing=()
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "note: no dpkg on this system; make sure these are installed: $*" >&2
    exit 0
fi
for package in "$@"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
        missing+=("$package")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "error: missing packages ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "==> installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
