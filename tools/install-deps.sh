#!/bin/sh
# install-deps.sh: install the Debian packages ecnysim needs, only those missing.
# Called by `make` (and so by `make run`, `make test`, `make bench` ...). Does
# nothing when everything is present. Runs apt-get as root; otherwise through
# sudo: without a password when allowed (sudo -n), asking for it when run from
# a terminal; else it says in one line what to type. ECNYSIM_PKGS replaces the
# list (make fuzz, make mpi, make bench add their own).
set -u
PKGS="${ECNYSIM_PKGS:-gcc make pkg-config libgsl-dev libcsv-dev libiniparser-dev zlib1g-dev libcmocka-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core}"
missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ecnysim: apt-get not found (this set-up expects Debian 12 or later): install these yourself:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
    echo "ecnysim: installing missing Debian packages with sudo (it may ask for your password):$missing" >&2
    SUDO="sudo"
else
    echo "ecnysim: missing Debian packages; type: sudo apt-get update && sudo apt-get install -y$missing  (or run make as root)" >&2
    exit 1
fi
echo "ecnysim: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2 || { echo "ecnysim: apt-get update failed (network or sources.list?)" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || {
    echo "ecnysim: apt-get install failed for:$missing" >&2; exit 1; }
echo "ecnysim: packages installed." >&2
