#!/bin/sh
# e2e_results_safety.sh: a results folder is replaced only by a complete one.
# A tiny run (1 city, 1 day, 1:100000) is written once; a second good run
# replaces it; then with ECNYSIM_FAIL_WRITE=N for N = 1, 2, 3 ... until a run
# succeeds, every failing run must exit 1 with a 'cannot write' message,
# leave the previous results byte-identical, and leave no .partial (nor
# .old) folder. The run that finally succeeds must replace the results.
# Every N up to 64 is tried (the headers, the first rows, both files), then
# every 11th, to keep the test fast (each N is a whole process); set
# ECNYSIM_SWEEP_ALL=1 for every N (test_output sweeps every write in-process).
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_results_safety
e2e_tiny_scenario "$work/tiny.ini"
mkdir "$work/root"
res="$work/root/res"

unset ECNYSIM_FAIL_WRITE
"$BIN" run "$work/tiny.ini" --out "$res" -q 2>"$work/err" || { fail "first run failed"; cat "$work/err"; exit 1; }
"$BIN" run "$work/tiny.ini" --out "$work/clean" -q --seed 22 2>"$work/err" || { fail "clean run failed"; exit 1; }
# A good run replaces existing results.
"$BIN" run "$work/tiny.ini" --out "$res" -q --seed 22 2>"$work/err" || fail "second run failed"
grep -q '^seed = 22' "$res/manifest.ini" || fail "the second run did not replace the first"
cmp -s "$res/daily.csv" "$work/clean/daily.csv" || fail "replaced results differ from a clean run"
[ "$(ls -A "$work/root")" = "res" ] || fail "root holds more than res: $(ls -A "$work/root")"
cp -R "$res" "$work/before"

n=1
tried=0
while [ "$n" -le 100000 ]; do
    ECNYSIM_FAIL_WRITE=$n "$BIN" run "$work/tiny.ini" --out "$res" -q --seed 33 >/dev/null 2>"$work/err"
    status=$?
    [ "$status" -eq 0 ] && break
    [ "$status" -eq 1 ] || fail "write $n: exit $status, expected 1"
    grep -q 'cannot write' "$work/err" || { fail "write $n: no 'cannot write' message:"; head -n 3 "$work/err"; }
    grep -qE 'Sanitizer|runtime error:' "$work/err" && { fail "write $n: sanitizer report:"; head -n 20 "$work/err"; }
    diff -r "$work/before" "$res" >/dev/null 2>&1 || fail "write $n: previous results changed"
    left=$(ls -A "$work/root")
    [ "$left" = "res" ] || fail "write $n: left in the results root: $left"
    [ "$failed" -gt 5 ] && break
    tried=$((tried + 1))
    if [ "$n" -lt 64 ] || [ -n "$ECNYSIM_SWEEP_ALL" ]; then n=$((n + 1)); else n=$((n + 11)); fi
done
if [ "$status" -eq 0 ]; then
    grep -q '^seed = 33' "$res/manifest.ini" || fail "the run after the sweep did not replace the results"
    [ "$(ls -A "$work/root")" = "res" ] || fail "root holds more than res after the sweep"
    echo "e2e_results_safety: $tried failure points checked, the run completes at write $n"
else
    fail "no run succeeded"
fi
[ "$failed" -eq 0 ]
