#!/bin/sh
# e2e_bad_inputs.sh [NAME...]: the bad-input corpus under tests/bad/.
#
# Every tests/bad/NAME.ini is a scenario that must be refused. For each one:
#   ecnysim run tests/bad/NAME.ini --out TMP/out/res [args from NAME.args]
# must exit 2, print every line of NAME.expect somewhere in its stderr (each
# line is a fixed substring: the file name with its line number, the key, the
# expectation), and create no results folder and no .partial folder; then
#   ecnysim validate tests/bad/NAME.ini [args]
# must exit 2 with the same messages. NAME.args (optional) holds extra
# arguments, one per line (e.g. "--set" then "scenario.days=abc").
# Data cases point data_dir at tests/bad/data/CASE/. New cases (programmes,
# KPIs) need only the files: the runner is generic. Prints one line per
# failure and exits non-zero if any case failed.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_bad_inputs # fail() below counts a case, not a check

if [ $# -gt 0 ]; then
    cases=""
    for n in "$@"; do cases="$cases tests/bad/$n.ini"; done
else
    cases=$(ls tests/bad/*.ini)
fi

total=0
failed=0
fail() {
    echo "FAIL $name: $*"
    bad=1
}

# check_stderr FILE: every .expect line must be in FILE.
check_stderr() {
    if grep -qE 'Sanitizer|runtime error:' "$1"; then
        fail "$2: sanitizer report in stderr"
    fi
    while IFS= read -r want || [ -n "$want" ]; do
        [ -n "$want" ] || continue
        if ! grep -qF -- "$want" "$1"; then
            fail "$2: stderr lacks '$want'"
        fi
    done <"$expect"
}

for ini in $cases; do
    name=$(basename "$ini" .ini)
    expect="tests/bad/$name.expect"
    total=$((total + 1))
    bad=0
    if [ ! -f "$ini" ]; then
        fail "no file $ini"
    elif [ ! -s "$expect" ]; then
        fail "no $expect (one expected stderr substring per line)"
    else
        set --
        if [ -f "tests/bad/$name.args" ]; then
            while IFS= read -r a || [ -n "$a" ]; do
                [ -n "$a" ] && set -- "$@" "$a"
            done <"tests/bad/$name.args"
        fi
        rm -rf "$work/out"
        "$BIN" run "$ini" --out "$work/out/res" "$@" >"$work/stdout" 2>"$work/stderr"
        status=$?
        if [ "$status" -ne 2 ]; then
            fail "run exited $status, expected 2"
        fi
        check_stderr "$work/stderr" run
        if [ -e "$work/out" ] && [ -n "$(ls -A "$work/out")" ]; then
            fail "run left files in its results root: $(ls -A "$work/out" | tr '\n' ' ')"
        fi
        "$BIN" validate "$ini" "$@" >"$work/stdout" 2>"$work/stderr"
        status=$?
        if [ "$status" -ne 2 ]; then
            fail "validate exited $status, expected 2"
        fi
        check_stderr "$work/stderr" validate
        if [ "$bad" -ne 0 ]; then
            echo "  stderr of validate:"
            sed 's/^/    /' "$work/stderr" | head -n 20
        fi
    fi
    failed=$((failed + bad))
done
echo "e2e_bad_inputs: $total cases, $failed failed"
[ "$failed" -eq 0 ]
