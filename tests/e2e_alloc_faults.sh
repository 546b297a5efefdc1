#!/bin/sh
# e2e_alloc_faults.sh: every allocation failure ends in a clean exit.
#
# Uses $ECNYSIM_BIN-faults (the Makefile's ecnysim-faults: the same objects
# linked with malloc, calloc, realloc, aligned_alloc and strdup wrapped by
# sim/alloc.c). A tiny scenario (1 city, 2 days, 1:100000) is run once to
# count its allocations (ECNYSIM_COUNT_ALLOC=1); then for N = 1, 2, ... the
# Nth allocation fails (ECNYSIM_FAIL_ALLOC=N), during the load or the run.
# Each run must:
#   - exit 0 (the failure was survived: then daily.csv and ledger.csv must be
#     byte-identical to those of the run without faults) or 1, never
#     2 (bad input), a signal or a sanitizer report (under `make check` the
#     binary has AddressSanitizer with detect_leaks=1: a leak fails the run);
#   - when it fails, print a message with "out of memory" (or "cannot allocate") and leave no
#     results folder and no .partial folder in the results root.
# Every N up to ECNYSIM_ALLOC_FIRST (default 300) is tried, then every
# ECNYSIM_ALLOC_STEP-th (default 37), to keep the test under a minute;
# ECNYSIM_ALLOC_STEP=1 sweeps every allocation. Then a second scenario with
# programmes (airdrop, incentive, payroll; 34 days, 1:2000) has each of its
# last ECNYSIM_ALLOC_LAST (default 100) allocations fail: the programmes'
# set-up and every allocation of their day hooks (the lottery draw, grants,
# sign-ups, enrolment, spending, active-wallet counts), which must stop the
# run with "out of memory ... in [KIND.NAME]", never be postponed or
# written as NA.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_alloc_faults
BIN=${ECNYSIM_FAULT_BIN:-$BIN-faults}
[ -x "$BIN" ] || { echo "e2e_alloc_faults: no binary at $BIN (make BUILD=... \$BUILD/ecnysim-faults)"; exit 1; }
FIRST=${ECNYSIM_ALLOC_FIRST:-300}
STEP=${ECNYSIM_ALLOC_STEP:-37}
# Sanitizers: report to stderr and exit 99 (told apart from the program's 1).
ASAN_OPTIONS="detect_leaks=1:exitcode=99:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="halt_on_error=1:exitcode=98:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS
cat >"$work/tiny.ini" <<INI
[scenario]
start = 2020-04-01
days = 2
scale = 100000
seed = 11
data_dir = $PWD/data

[city.xiongan]
INI
cat >"$work/programmes.ini" <<INI
[scenario]
start = 2020-04-01
days = 34
scale = 2000
seed = 11
data_dir = $PWD/data

[city.xiongan]

[airdrop.tiny]
city = xiongan
pool_yuan = 2000000
envelope_yuan = 200
registration_start = 2020-04-01
registration_end = 2020-04-01
draw_date = 2020-04-01
spend_start = 2020-04-02
spend_end = 2020-04-03

[incentive.tiny]
city = xiongan
start = 2020-04-01
end = 2020-04-03
coupons = 200000
coupon_yuan = 20
coupon_days = 2

[payroll.tiny]
city = xiongan
start = 2020-04-01
employees = 100000
employers = 2
salary_yuan = 5000
pay_day = 2
INI

# count INI: runs INI without faults into $work/ref; prints its allocations
# (a subshell: its failures go to stderr and exit).
count() {
    rm -rf "$work/root" "$work/ref"
    unset ECNYSIM_FAIL_ALLOC
    ECNYSIM_COUNT_ALLOC=1 "$BIN" run "$1" --out "$work/root/res" -q 2>"$work/err" ||
        { echo "FAIL: the run of $(basename "$1") without faults failed:" >&2; cat "$work/err" >&2; exit 1; }
    total=$(sed -n 's/^ecnysim: \([0-9]*\) allocations$/\1/p' "$work/err")
    [ -n "$total" ] && [ "$total" -gt 0 ] || { echo "FAIL: no allocation count (is $BIN the --wrap build?)" >&2; exit 1; }
    mv "$work/root/res" "$work/ref"
    rm -rf "$work/root"
    echo "$total"
}

# try N INI: the Nth allocation of a run of INI fails.
try() {
    mkdir -p "$work/root"
    ECNYSIM_FAIL_ALLOC=$1 "$BIN" run "$2" --out "$work/root/res" -q >/dev/null 2>"$work/err"
    status=$?
    tried=$((tried + 1))
    case $status in
        0)
            survived=$((survived + 1))
            for f in daily.csv ledger.csv; do
                cmp -s "$work/root/res/$f" "$work/ref/$f" ||
                    fail "allocation $1: the run survived but its $f differs from the run without faults"
            done
            ;;
        1)
            grep -q -e 'out of memory' -e 'cannot allocate' "$work/err" ||
                { fail "allocation $1: exit 1 without 'out of memory':"; head -n 3 "$work/err"; }
            left=$(ls -A "$work/root")
            [ -z "$left" ] || fail "allocation $1: failed run left '$left' in the results root"
            ;;
        *)
            fail "allocation $1 of $(basename "$2"): exit $status (expected 0 or 1):"
            grep -E 'ERROR|SUMMARY|runtime error|ecnysim:' "$work/err" | head -n 6
            ;;
    esac
    rm -rf "$work/root"
}

tried=0 survived=0
total=$(count "$work/tiny.ini") || exit 1
n=1
while [ "$n" -le "$total" ]; do
    try "$n" "$work/tiny.ini"
    [ "$failed" -gt 20 ] && break
    if [ "$n" -lt "$FIRST" ]; then n=$((n + 1)); else n=$((n + STEP)); fi
done
echo "e2e_alloc_faults: $tried of $total allocations failed in turn ($survived runs survived), $failed problems"

tried=0 survived=0 hooks=0
total=$(count "$work/programmes.ini") || exit 1
n=$((total - ${ECNYSIM_ALLOC_LAST:-100} + 1))
[ "$n" -ge 1 ] || n=1
while [ "$n" -le "$total" ]; do
    try "$n" "$work/programmes.ini"
    grep -q 'out of memory .* in \[[a-z]*\.tiny\]' "$work/err" && hooks=$((hooks + 1))
    [ "$failed" -gt 20 ] && break
    n=$((n + 1))
done
[ "$hooks" -gt 0 ] || fail "no allocation of a programme's day hooks failed: the sweep missed them"
echo "e2e_alloc_faults: programmes: the last $tried of $total allocations failed in turn ($survived runs survived, $hooks in programmes' day hooks), $failed problems"
[ "$failed" -eq 0 ]
