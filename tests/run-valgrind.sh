#!/bin/sh
# run-valgrind.sh BUILD: a few small runs under valgrind memcheck (the
# Makefile's `valgrind` target builds BUILD in debug mode first). Every run
# must be free of memcheck errors and leaks (--error-exitcode=3,
# --leak-check=full, definite and possible leaks count as errors):
#   - a tiny run (1 city, 3 days) and the default scenario cut to 5 days at
#     1:5000 (two cities, programmes) to a results folder;
#   - validate of a good scenario, and of bad inputs (a scenario error and a
#     data error), which take the error paths;
#   - a failed write (ECNYSIM_FAIL_WRITE) that aborts the results folder;
#   - a run interrupted by SIGINT is not here (see e2e_interrupt.sh).
# Takes about a minute on 2 cores. Prints one line per run; exits 1 if any failed.
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build/debug}
BIN="$BUILD/ecnysim"
[ -x "$BIN" ] || { echo "run-valgrind: no binary at $BIN"; exit 1; }
command -v valgrind >/dev/null 2>&1 || {
    ECNYSIM_PKGS="valgrind" sh tools/install-deps.sh || exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-vg.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
cat >"$work/tiny.ini" <<INI
[scenario]
start = 2020-04-01
days = 3
scale = 100000
seed = 11
data_dir = $PWD/data

[city.xiongan]
INI
pass=0 fail=0
# vg NAME EXPECTED_EXIT ARGS...: runs ecnysim ARGS under memcheck.
vg() {
    name=$1 want=$2
    shift 2
    valgrind -q --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,possible \
        --errors-for-leak-kinds=definite,possible --log-file="$work/$name.vg" "$BIN" "$@" >/dev/null 2>"$work/$name.err"
    got=$?
    if [ "$got" -eq "$want" ] && [ ! -s "$work/$name.vg" ]; then
        pass=$((pass + 1))
        echo "ok   $name (exit $got)"
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $got, expected $want"
        head -n 40 "$work/$name.vg"
        head -n 5 "$work/$name.err"
    fi
}
vg tiny-run 0 run "$work/tiny.ini" --out "$work/out/tiny" -q
vg default-5-days 0 run scenarios/default.ini --set scenario.days=5 --set scenario.scale=5000 --out "$work/out/default" -q
vg validate 0 validate scenarios/default.ini
vg bad-scenario 2 validate tests/bad/duplicate_key.ini
vg bad-data 2 run tests/bad/data_bad_quoting.ini --out "$work/out/bad"
ECNYSIM_FAIL_WRITE=7 vg failed-write 1 run "$work/tiny.ini" --out "$work/out/fail" -q
echo "run-valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
