#!/usr/bin/env bash
# Installs ktl's build and test dependencies from Debian 12 packages. Idempotent: only packages
# that are not installed yet are installed, and `apt-get update` runs only if one is missing.
#
#   scripts/install-deps.sh           install what is missing
#   scripts/install-deps.sh --check   only report what is missing (exit 1 if anything is)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build g++
  clang clang-tidy clang-format libclang-rt-14-dev
  libboost-dev libboost-context-dev libboost-fiber-dev libboost-system-dev
  libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libtbb-dev
  python3 git procps
)

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

is_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ "$status" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  say "all ${#PACKAGES[@]} packages already installed, nothing to do"
  exit 0
fi

say "missing: ${missing[*]}"
if ((check_only)); then
  exit 1
fi

SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available; run as root: apt-get install ${missing[*]}"
  SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
  || die "apt-get update failed"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
  || die "apt-get install failed for: ${missing[*]}"

still=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still+=("$pkg")
done
((${#still[@]} == 0)) || die "still not installed after apt-get: ${still[*]}"

say "installed: ${missing[*]}"
