#!/bin/sh
# bench_loader.sh BUILD: the scenario loader at scale. Writes a scenario with
# 10,000 sections ([kpi.kN], 4 keys each, plus [scenario] and one city) and
# times 'ecnysim validate' on it: the scenario parsed and checked, the data
# read and the world built. Target: under 1 s (issue 15; it took ~45 s when
# the loader scanned the file once per key). Prints one line per size.
BUILD=${1:-build/release}
BIN="$BUILD/ecnysim"
[ -x "$BIN" ] || { echo "bench_loader: no $BIN"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-loader.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
data=$(cd "$(dirname "$0")/../data" && pwd)
status=0
for n in 1000 10000; do
    awk -v n="$n" -v data="$data" 'BEGIN {
        printf "[scenario]\nstart = 2020-04-01\ndays = 2\nscale = 5000\ndata_dir = %s\n\n[city.suzhou]\n\n", data
        for (i = 0; i < n; i++)
            printf "[kpi.k%d]\ncity = suzhou\nmetric = wallets\ntarget = %d\ndeadline = 2020-04-02\n\n", i, i + 1
    }' >"$work/s$n.ini"
    t0=$(date +%s%N)
    if ! "$BIN" validate "$work/s$n.ini" >"$work/out" 2>&1; then
        echo "loader: $n sections: validate failed:"; head -n 5 "$work/out"; status=1; continue
    fi
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    verdict="within the 1 s target"
    [ "$ms" -lt 1000 ] || verdict="OVER the 1 s target"
    echo "loader: $n sections ($(wc -l <"$work/s$n.ini") lines): validate in $ms ms ($verdict)"
done
exit $status
