#!/bin/sh
# install-deps.sh: install the Debian packages ecnysim needs, only those missing.
# Called by `make deps` (and so by `make run` and `make test`). Does nothing when
# everything is present. Runs apt-get as root, through sudo otherwise.
set -u
PKGS="${ECNYSIM_PKGS:-gcc make pkg-config libgsl-dev libcsv-dev libiniparser-dev libcmocka-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core}"
missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "ecnysim: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "ecnysim: cannot install packages:$missing" >&2
    echo "ecnysim: run as root, or give this user sudo, or install them yourself:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ecnysim: apt-get not found: this set-up expects Debian (12 or later)." >&2
    echo "ecnysim: install these yourself:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2 || { echo "ecnysim: apt-get update failed (network or sources.list?)" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2 || {
    echo "ecnysim: apt-get install failed for:$missing" >&2; exit 1; }
echo "ecnysim: packages installed." >&2
