#!/bin/sh
# e2e_cli.sh: the command line's contract: exit status 0 success, 2 bad
# usage or input (with a message on stderr), help and version, describe.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_cli

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
        fail "ecnysim $*: $bad"
        sed 's/^/    err: /' "$work/err" | head -n 5
    fi
}

expect 0 "usage: ecnysim" "" -- --help
expect 0 "usage: ecnysim" "" -- -h
expect 0 "usage: ecnysim" "" -- run --help
expect 0 "ecnysim " "" -- --version
"$BIN" --version | grep -qE '^ecnysim [0-9]+\.[0-9]+\.[0-9]+' || fail "--version is not 'ecnysim X.Y.Z'"
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
[ -e "$work/res" ] && fail "a run with a missing scenario created $work/res"
# --seed and --set reach the run: the manifest records them.
expect 0 "" "" -- run scenarios/default.ini --out "$work/r" -q --seed 4242 --set scenario.days=3
grep -q '^seed = 4242' "$work/r/manifest.ini" 2>/dev/null || fail "--seed 4242 not in the manifest"
grep -q '^days = 3' "$work/r/manifest.ini" 2>/dev/null || fail "--set scenario.days=3 not in the manifest"

[ "$failed" -eq 0 ] && echo "e2e_cli: ok"
[ "$failed" -eq 0 ]
