#!/bin/sh
# fresh-root-check.sh [ROOT]: try ecnysim as a new user would, on a bare
# Debian 12 root. Run by hand, as root (CI does not run it; it takes many
# minutes and needs the network or a Debian mirror):
#
#   sh tools/fresh-root-check.sh /var/tmp/ecnysim-fresh   # ROOT is made, then removed (KEEP=1 keeps it)
#
# 1. debootstrap a minimal Debian 12 (bookworm) root (MIRROR, default the
#    first .../debian archive of this machine's apt sources);
# 2. copy the project (git archive of HEAD, so only what is committed);
# 3. inside it (chroot, /proc and /dev mounted): the README's set-up
#    commands (apt-get install make, plain `make`, `make run`, the README's
#    examples), `make test`, `make bench`, `make install`, then a scenario
#    saved outside the project, run from another folder by the installed
#    ecnysim;
# 4. print one line per step: status and wall seconds. Exit 0 when all passed.
# SKIP_BENCH=1 and SKIP_TEST=1 leave out the two longest steps.
set -u
ROOT=${1:-/var/tmp/ecnysim-fresh}
HERE=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "fresh-root-check: run as root (debootstrap, chroot, mount)"; exit 2; }
if ! command -v debootstrap >/dev/null 2>&1; then
    echo "fresh-root-check: installing debootstrap"
    apt-get update -q && apt-get install -y -q debootstrap || exit 1
fi
if [ -z "${MIRROR:-}" ]; then
    # the first Debian archive (a URL ending in /debian) of this machine's sources
    MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
        grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -n 1 | tr -d ' ')
    [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi
cleanup() {
    umount "$ROOT/proc" 2>/dev/null
    umount "$ROOT/dev/pts" 2>/dev/null
    umount "$ROOT/dev" 2>/dev/null
    [ "${KEEP:-0}" = 1 ] || rm -rf "$ROOT"
}
trap cleanup EXIT INT TERM
t0=$(date +%s)
echo "fresh-root-check: debootstrap bookworm into $ROOT from $MIRROR"
mkdir -p "$HERE/build"
if ! debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$HERE/build/fresh-root-debootstrap.log" 2>&1; then
    echo "FAIL debootstrap (see build/fresh-root-debootstrap.log)"; tail -n 5 "$HERE/build/fresh-root-debootstrap.log"; exit 1
fi
echo "fresh-root-check: debootstrap done in $(( $(date +%s) - t0 )) s"
mkdir -p "$ROOT/root/ecnysim" "$ROOT/proc" "$ROOT/dev"
(cd "$HERE" && git archive HEAD) | tar -x -C "$ROOT/root/ecnysim"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts" 2>/dev/null
cat >"$ROOT/root/steps.sh" <<'STEPS'
set -u
cd /root/ecnysim
export DEBIAN_FRONTEND=noninteractive
pass=0; fail=0
step() { # step NAME CMD...: runs CMD, prints status and seconds, keeps the log
    name=$1; shift
    s=$(date +%s)
    if "$@" >"/root/$name.log" 2>&1; then r=ok; pass=$((pass + 1)); else r="FAILED (exit $?)"; fail=$((fail + 1)); fi
    echo "step $name: $r in $(( $(date +%s) - s )) s"
    [ "$r" = ok ] || tail -n 8 "/root/$name.log" | sed 's/^/    /'
}
step apt-make sh -c 'apt-get update -q && apt-get install -y -q make'
step make make
step make-run make run
step readme-examples sh -c '
    ./ecnysim run scenarios/default.ini --seed 7 --set payments.ecny_choice=0.1 --out results/try7 -q &&
    ./ecnysim run scenarios/suzhou_2023_kpi.ini -q &&
    ./ecnysim snapshot results/default --date 2021-06-30 --out june.png &&
    ./ecnysim run scenarios/default.ini --vary adoption.open_rate=0.1,0.2 --replications 10 --jobs 2 --out results/sweep -q &&
    ./ecnysim snapshot results/default --date 2021-06-30 --out june2.png &&
    ./ecnysim describe airdrop >/dev/null &&
    ./ecnysim validate scenarios/bench_peer.ini'
[ "${SKIP_TEST:-0}" = 1 ] || step make-test make test
[ "${SKIP_BENCH:-0}" = 1 ] || step make-bench make bench
step make-install make install
step installed-elsewhere sh -c '
    mkdir -p /tmp/saved /tmp/other && grep -v "^data_dir" scenarios/default.ini >/tmp/saved/mine.ini &&
    cd /tmp/other && /usr/local/bin/ecnysim run /tmp/saved/mine.ini --set scenario.days=30 --out /tmp/other/mine -q &&
    test -s /tmp/other/mine/daily.csv && /usr/local/bin/ecnysim run /usr/local/share/ecnysim/scenarios/default.ini --set scenario.days=5 --out /tmp/other/d5 -q'
echo "steps: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
STEPS
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin SKIP_TEST="${SKIP_TEST:-0}" \
    SKIP_BENCH="${SKIP_BENCH:-0}" /bin/sh /root/steps.sh
status=$?
echo "fresh-root-check: $( [ $status -eq 0 ] && echo passed || echo FAILED ) in $(( $(date +%s) - t0 )) s"
exit $status
