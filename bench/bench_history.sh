#!/bin/sh
# bench_history.sh BUILD: the cost of the pilot history (models/history.c).
# A 2023 scenario of one city (Hangzhou, pilot April 2022, a year from
# 2023-01-16 with an open coupon campaign, 1:10) run three ways: as before
# the history existed (history = false: the city starts empty), with its
# history simulated, and with the history read from a warm history_cache.
# Target (issue 13): the cached run costs at most 1.2x the run without
# history. Prints one line per way and the two ratios; the best of 3 runs.
BUILD=${1:-build/release}
BIN="$BUILD/ecnysim"
[ -x "$BIN" ] || { echo "bench_history: no $BIN"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-history.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
data=$(cd "$(dirname "$0")/../data" && pwd)
cat >"$work/s.ini" <<INI
[scenario]
start = 2023-01-16
end = 2024-01-15
seed = 1
scale = 10
data_dir = $data
[city.hangzhou]
[incentive.spring]
city = hangzhou
start = 2023-01-18
end = 2023-01-29
coupons = 1000000
coupon_yuan = 20
open_to = residents
INI
best() { # LABEL SETS...: best wall time of 3 runs, in ms
    b=""
    for i in 1 2 3; do
        t0=$(date +%s%N)
        "$BIN" run "$work/s.ini" "$@" --quiet --out "$work/r$i" >/dev/null 2>&1 || { echo "run failed: $*" >&2; echo 0; return; }
        t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 ))
        [ -z "$b" ] || [ "$ms" -lt "$b" ] && b=$ms
        rm -rf "$work/r$i"
    done
    echo "$b"
}
none=$(best --set scenario.history=false)
hist=$(best)
"$BIN" run "$work/s.ini" --set scenario.history_cache="$work/cache" --quiet --out "$work/warm" >/dev/null 2>&1
cached=$(best --set scenario.history_cache="$work/cache")
echo "history: Hangzhou 2023 1:10, a year: without history $none ms, history simulated $hist ms, history cached $cached ms"
awk -v n="$none" -v h="$hist" -v c="$cached" 'BEGIN {
    if (n <= 0) { print "history: no baseline time"; exit 1 }
    printf "history: simulated %.2fx, cached %.2fx the run without history (target for cached: <= 1.2x) %s\n",
        h / n, c / n, (c / n <= 1.2 ? "within target" : "OVER target")
}'
