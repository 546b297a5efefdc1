#!/bin/sh
# bench_scale.sh BUILD: the scale table of docs/performance.md's performance targets.
#
#   engine events/s      BUILD/bench/bench_engine (1 M and 10 M pending events)
#   ledger transfers/s   BUILD/bench/bench_ledger, with the machine limit measured
#                        in the same run by BUILD/bench/limit_probe (a copy of
#                        the reference limit probe) in its own process, and the ratio
#   Suzhou 1:1 vs limit  the 1:1 run's own ledger operations (ledger.csv: every posted
#                        transfer and every refusal), priced at the probe's rate from
#                        BUILD/bench/limit_probe.out (this same make bench), beside the
#                        run's wall and CPU time: the ratio's target is <= 2
#   calibration set      --ensemble K (K = BENCH_ENSEMBLE, 100) of national_2021,
#                        suzhou_2022 and chongqing_first_month at their default scale,
#                        --jobs 2, outputs = summary: runs/hour and the time of 1,000
#                        runs of the set (target <= 10 minutes on 2 cores)
#   Suzhou one year      scenarios/bench_suzhou_1to1.ini at 1:100, 1:10 and 1:1
#                        (--set scenario.scale=N): wall s, peak RSS, bytes per resident
#   national 1:1         scenarios/bench_national_1to1.ini (23 areas, ~279 M residents),
#                        at 1:20 always; at 1:1 only with BENCH_NATIONAL=1 (it needs
#                        ~10 GiB and ~10-25 minutes)
#
# Wall and peak RSS come from /usr/bin/time (whole process, --quiet, --out to a
# temporary folder). Bytes per resident = peak RSS / residents simulated.
# run-bench.sh leaves each program's output in BUILD/bench/NAME.out; this
# script reuses it when present instead of running the program again.
BUILD=${1:-build/release}
BIN="$BUILD/ecnysim"
TMP=$(mktemp -d /tmp/ecnysim-bench-scale-XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
status=0

out_of() { # NAME ARGS...: a bench program's output, reused or run now
    name=$1; shift
    if [ -s "$BUILD/bench/$name.out" ]; then cat "$BUILD/bench/$name.out"
    elif [ -x "$BUILD/bench/$name" ]; then "$BUILD/bench/$name" "$@"
    fi
}

timed() { # LABEL RESIDENTS SCENARIO ARGS...: one run, one table row; keeps $TMP/run, $TMP/time
    label=$1; residents=$2; shift 2
    rm -rf "$TMP/run"
    if /usr/bin/time -f "%e %M %U %S" -o "$TMP/time" "$BIN" run "$@" --quiet --out "$TMP/run" >"$TMP/log" 2>&1; then
        read -r wall kib user sys <"$TMP/time"
        awk -v l="$label" -v w="$wall" -v k="$kib" -v n="$residents" 'BEGIN {
            printf "%-34s %10.2f s %9.0f MiB %8.1f B/resident\n", l, w, k / 1024, k * 1024 / n }'
    else
        echo "$label: FAILED"; tail -n 3 "$TMP/log"; status=1
        rm -rf "$TMP/run"
    fi
}

# The probe's rate from this make bench (limit_probe's own run), else run it now.
probe_rate=$(out_of limit_probe | sed -n 's/.*transfers_per_s=\([0-9.]*\).*/\1/p' | tail -n 1)

echo "scale table (docs/performance.md targets)"
out_of bench_engine 10000000 | awk -F'[ =]' '/events_per_s/ {
    printf "%-34s %10.0f events/s (%s pending)\n", "engine: schedule + dispatch", $8, $2 }'
out_of bench_ledger 13000000 20000000 1 | awk -F= '
    /^limit_transfers_per_s/ { lim = $2 }
    /^ledger_led_pay_transfers_per_s/ { led = $2 }
    /^ledger_led_pay_many_transfers_per_s/ { many = $2 }
    /^ratio/ { how = ($0 ~ /in-process/) ? "in-process copy" : "limit_probe process" }
    END { if (lim) {
              printf "%-34s %10.0f transfers/s, machine limit %.0f/s (%s), ratio %.2f\n",
                     "ledger: led_pay, 13 M accounts", led, lim, how, led / lim
              if (many) printf "%-34s %10.0f transfers/s, machine limit %.0f/s, ratio %.2f (target >= 0.80)\n",
                               "ledger: led_pay_many, 13 M accounts", many, lim, many / lim } }'
suzhou=12750000
timed "Suzhou 1:100, one year" $((suzhou / 100)) scenarios/bench_suzhou_1to1.ini --set scenario.scale=100
timed "Suzhou 1:10, one year" $((suzhou / 10)) scenarios/bench_suzhou_1to1.ini --set scenario.scale=10
timed "Suzhou 1:1, one year (<= 120 s)" $suzhou scenarios/bench_suzhou_1to1.ini
echo "  (target <= 40 B/resident at 1:1)"
# Its own ledger operations, priced at the probe's rate measured in this run.
if [ -f "$TMP/run/ledger.csv" ] && [ -n "$probe_rate" ]; then
    read -r wall kib user sys <"$TMP/time"
    awk -F, -v r="$probe_rate" -v w="$wall" -v c="$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" '
        NR == 1 { for (i = 3; i <= NF; i++) if ($i ~ /_count$/ || $i == "rejected") col[i] = $i; next }
        $2 == "all" { for (i in col) { n += $i; if (col[i] == "rejected") rej += $i } }
        END { t = n / r
              printf "%-34s %10.0f ops (%.0f posted, %.0f refused)\n", "Suzhou 1:1 ledger operations", n, n - rej, rej
              printf "%-34s %10.2f s at the probe rate %.0f/s (this run)\n", "  their time at the machine limit", t, r
              printf "%-34s %10.2f wall (%.2f s), %.2f CPU (%.2f s) (target <= 2)\n", "  run / ledger-at-limit", w / t, w, c / t, c }' \
        "$TMP/run/ledger.csv"
else
    echo "Suzhou 1:1 against the limit: skipped (no ledger.csv or no limit_probe figure)"
fi
rm -rf "$TMP/run"
# The national scenario at 1:20 (~14 M residents, ~10 s): the world model's
# hot paths (retail payments of ~80 % adopters) at a size every run can afford.
timed "batch 1-3 at 1:20, one year" $((278580000 / 20)) scenarios/bench_national_1to1.ini --set scenario.scale=20
rm -rf "$TMP/run"
rm -rf "$TMP/run"

# Ensemble throughput: the calibration scenarios, one process per core.
K=${BENCH_ENSEMBLE:-100}
start=$(date +%s.%N)
ok=1
for s in national_2021 suzhou_2022 chongqing_first_month; do
    if ! "$BIN" run scenarios/$s.ini --ensemble "$K" --jobs 2 --set sweep.outputs=summary --quiet \
        --out "$TMP/ens-$s" >"$TMP/log" 2>&1; then
        echo "calibration set --ensemble $K ($s): FAILED"; tail -n 3 "$TMP/log"; status=1; ok=0
    fi
    rm -rf "$TMP/ens-$s"
done
if [ $ok = 1 ]; then
    awk -v a="$start" -v b="$(date +%s.%N)" -v k="$K" 'BEGIN { w = b - a
        printf "%-34s %10.0f runs/hour (%d runs in %.1f s, --jobs 2, summaries included)\n", "calibration set, --ensemble", 3 * k * 3600 / w, 3 * k, w
        printf "%-34s %10.1f s for 1,000 runs of the set (3,000 runs; target <= 600 s)\n", "", 1000 * w / k }'
fi

if [ "${BENCH_NATIONAL:-0}" = 1 ]; then
    timed "batch 1-3 at 1:1, one year (<= 300 s)" 278580000 scenarios/bench_national_1to1.ini
    rm -rf "$TMP/run"
else
    echo "batch 1-3 at 1:1, one year: skipped (BENCH_NATIONAL=1 runs it; ~10 GiB; see docs/performance.md)"
fi
exit $status
