#!/bin/sh
# e2e_cli.sh: the command line's contract: exit status 0 success, 2 bad
# usage or input (with a message on stderr), help and version, describe.
cd "$(dirname "$0")/.." || exit 1
BIN=${ECNYSIM_BIN:-build/release/ecnysim}
[ -x "$BIN" ] || { echo "e2e_cli: no binary at $BIN (set ECNYSIM_BIN)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-cli.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failed=0

# expect STATUS STDOUT_SUBSTRING STDERR_SUBSTRING -- ARGS...: runs BIN ARGS.
expect() {
    want=$1 out_want=$2 err_want=$3; shift 4
    "$BIN" "$@" >"$work/out" 2>"$work/err"
    got=$?
    bad=""
    [ "$got" -eq "$want" ] || bad="exit $got, expected $want"
    if [ -n "$out_want" ] && ! grep -qF -- "$out_want" "$work/out"; then bad="$bad; stdout lacks '$out_want'"; fi
    if [ -n "$err_want" ] && ! grep -qF -- "$err_want" "$work/err"; then bad="$bad; stderr lacks '$err_want'"; fi
    if grep -qE 'Sanitizer|runtime error:' "$work/err"; then bad="$bad; sanitizer report"; fi
    if [ -n "$bad" ]; then
        echo "FAIL: ecnysim $*: $bad"
        sed 's/^/    err: /' "$work/err" | head -n 5
        failed=$((failed + 1))
    fi
}

expect 0 "usage: ecnysim" "" -- --help
expect 0 "usage: ecnysim" "" -- -h
expect 0 "usage: ecnysim" "" -- run --help
expect 0 "ecnysim " "" -- --version
"$BIN" --version | grep -qE '^ecnysim [0-9]+\.[0-9]+\.[0-9]+' || { echo "FAIL: --version is not 'ecnysim X.Y.Z'"; failed=$((failed + 1)); }
expect 2 "" "usage: ecnysim" --
expect 2 "" "unknown command 'frobnicate'" -- frobnicate
expect 2 "" "unknown option '--bogus'" -- run scenarios/default.ini --bogus
expect 2 "" "unknown option '--bogus'" -- validate scenarios/default.ini --bogus
expect 2 "" "unknown option '--out'" -- validate scenarios/default.ini --out x
expect 2 "" "--out needs a folder" -- run scenarios/default.ini --out
expect 2 "" "--set needs a value" -- run scenarios/default.ini --set
expect 2 "" "--seed needs a number" -- run scenarios/default.ini --seed
expect 2 "" "no scenario given" -- run
expect 2 "" "unexpected argument 'b.ini'" -- run a.ini b.ini
expect 0 "[city.NAME]" "" -- describe
expect 0 "[scenario]" "" -- describe
expect 0 "[city.NAME]" "" -- describe city
expect 0 "# Scenario reference" "" -- describe --markdown
expect 2 "" "no section 'nosuch'" -- describe nosuch
expect 2 "" "unknown option '--bogus'" -- describe --bogus
expect 0 "valid" "" -- validate scenarios/default.ini
expect 0 "valid" "" -- validate scenarios/default.ini --set scenario.days=10
expect 2 "" "no_such_scenario.ini" -- run "$work/no_such_scenario.ini" --out "$work/res"
expect 2 "" "cannot open scenario" -- run "$work/no_such_scenario.ini" --out "$work/res"
expect 2 "" "no_such_scenario.ini" -- validate "$work/no_such_scenario.ini"
expect 2 "" "cannot read scenario" -- validate "$work"
[ -e "$work/res" ] && { echo "FAIL: a run with a missing scenario created $work/res"; failed=$((failed + 1)); }
# --seed and --set reach the run: the manifest records them.
expect 0 "" "" -- run scenarios/default.ini --out "$work/r" -q --seed 4242 --set scenario.days=3
grep -q '^seed = 4242' "$work/r/manifest.ini" 2>/dev/null || { echo "FAIL: --seed 4242 not in the manifest"; failed=$((failed + 1)); }
grep -q '^days = 3' "$work/r/manifest.ini" 2>/dev/null || { echo "FAIL: --set scenario.days=3 not in the manifest"; failed=$((failed + 1)); }

[ "$failed" -eq 0 ] && echo "e2e_cli: ok"
[ "$failed" -eq 0 ]
