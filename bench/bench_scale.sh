#!/bin/sh
# bench_scale.sh BUILD: the scale table of shared/DESIGN.md's performance targets.
#
#   engine events/s      BUILD/bench/bench_engine (1 M and 10 M pending events)
#   ledger transfers/s   BUILD/bench/bench_ledger, with the machine limit measured
#                        in the same run (shared/tools/limit-probe.c's loop) and the ratio
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

timed() { # LABEL RESIDENTS SCENARIO ARGS...: one run, one table row
    label=$1; residents=$2; shift 2
    if /usr/bin/time -f "%e %M" -o "$TMP/time" "$BIN" run "$@" --quiet --out "$TMP/run" >"$TMP/log" 2>&1; then
        read -r wall kib <"$TMP/time"
        awk -v l="$label" -v w="$wall" -v k="$kib" -v n="$residents" 'BEGIN {
            printf "%-34s %10.2f s %9.0f MiB %8.1f B/resident\n", l, w, k / 1024, k * 1024 / n }'
    else
        echo "$label: FAILED"; tail -n 3 "$TMP/log"; status=1
    fi
    rm -rf "$TMP/run"
}

echo "scale table (shared/DESIGN.md targets)"
out_of bench_engine 10000000 | awk -F'[ =]' '/events_per_s/ {
    printf "%-34s %10.0f events/s (%s pending)\n", "engine: schedule + dispatch", $8, $2 }'
out_of bench_ledger 13000000 20000000 1 | awk -F= '
    /^limit_transfers_per_s/ { lim = $2 }
    /^ledger_led_pay_transfers_per_s/ { led = $2 }
    /^ledger_led_pay_many_transfers_per_s/ { many = $2 }
    END { if (lim) {
              printf "%-34s %10.0f transfers/s, machine limit %.0f/s, ratio %.2f (target >= 0.50)\n",
                     "ledger: led_pay, 13 M accounts", led, lim, led / lim
              if (many) printf "%-34s %10.0f transfers/s, machine limit %.0f/s, ratio %.2f (target >= 0.50)\n",
                               "ledger: led_pay_many, 13 M accounts", many, lim, many / lim } }'
suzhou=12750000
timed "Suzhou 1:100, one year" $((suzhou / 100)) scenarios/bench_suzhou_1to1.ini --set scenario.scale=100
timed "Suzhou 1:10, one year" $((suzhou / 10)) scenarios/bench_suzhou_1to1.ini --set scenario.scale=10
timed "Suzhou 1:1, one year (<= 120 s)" $suzhou scenarios/bench_suzhou_1to1.ini
echo "  (target <= 40 B/resident at 1:1)"
# The national scenario at 1:20 (~14 M residents, ~10 s): the world model's
# hot paths (retail payments of ~80 % adopters) at a size every run can afford.
timed "batch 1-3 at 1:20, one year" $((278580000 / 20)) scenarios/bench_national_1to1.ini --set scenario.scale=20
if [ "${BENCH_NATIONAL:-0}" = 1 ]; then
    timed "batch 1-3 at 1:1, one year (<= 1800 s)" 278580000 scenarios/bench_national_1to1.ini
else
    echo "batch 1-3 at 1:1, one year: skipped (BENCH_NATIONAL=1 runs it; ~10 GiB; see docs/performance.md)"
fi
exit $status
