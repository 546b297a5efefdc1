#!/bin/sh
# run-all.sh BUILD [unit]: runs every unit-test program in BUILD/tests and,
# unless the second argument is `unit` (as `make unit` gives), every
# end-to-end script tests/e2e_*.sh, then prints "N passed, N failed".
# Each test program is a cmocka suite; each e2e script exits 0 on success.
BUILD=${1:-build/release}
ONLY=${2:-all}
export ECNYSIM_BIN="$BUILD/ecnysim"
pass=0; fail=0; failed=""
for t in "$BUILD"/tests/test_*; do
    case "$t" in *.o|*.d) continue ;; esac
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if "$t" >"$BUILD/tests/$name.log" 2>&1; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name"; tail -n 30 "$BUILD/tests/$name.log"
    fi
done
for t in tests/e2e_*.sh; do
    [ "$ONLY" = unit ] && break
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    if sh "$t" >"$BUILD/tests/$name.log" 2>&1; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name"; tail -n 30 "$BUILD/tests/$name.log"
    fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
