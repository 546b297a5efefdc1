#!/bin/sh
# e2e_fuzz_regressions.sh: replays tests/fuzz/regressions/ through the program.
#   scenario/*: each file is a scenario: `ecnysim validate FILE` (with its
#               "#set k=v" first lines as --set, as fuzz_scenario reads them);
#   table/*:    the first byte picks the data file (0 cities.csv, 1 banks.csv,
#               2 merchant_categories.csv, 3: loaded as cities.csv), the rest
#               replaces it in a copy of data/, and a one-city scenario is
#               validated against that copy.
# Each must exit 0 or 2 (accepted or refused with messages), never crash, and
# print no sanitizer report (under `make check`). Crash inputs found by
# `make fuzz` (build/fuzz/artifacts/) go here once fixed.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_fuzz_regressions
total=0
check() { # NAME STATUS
    total=$((total + 1))
    if [ "$2" -ne 0 ] && [ "$2" -ne 2 ]; then
        fail "$1: exit $2, expected 0 or 2"
        head -n 8 "$work/err"
    elif grep -q -e 'Sanitizer' -e 'runtime error' "$work/err"; then
        fail "$1: sanitizer report"
        head -n 8 "$work/err"
    fi
}
for f in tests/fuzz/regressions/scenario/*; do
    [ -f "$f" ] || continue
    set --
    while IFS= read -r line; do
        case $line in
            "#set "*) set -- "$@" --set "${line#\#set }" ;;
            *) break ;;
        esac
    done <"$f"
    "$BIN" validate "$f" "$@" >/dev/null 2>"$work/err"
    check "$f" $?
done
for f in tests/fuzz/regressions/table/*; do
    [ -f "$f" ] || continue
    rm -rf "$work/data"
    mkdir "$work/data"
    cp data/cities.csv data/banks.csv data/merchant_categories.csv "$work/data/"
    case $(od -An -tu1 -N1 "$f" | tr -d ' ') in
        1) target=banks.csv ;;
        2) target=merchant_categories.csv ;;
        *) target=cities.csv ;;
    esac
    tail -c +2 "$f" >"$work/data/$target"
    printf '[scenario]\nstart = 2021-06-01\ndays = 1\nscale = 100000\ndata_dir = %s\n\n[city.suzhou]\n' \
        "$work/data" >"$work/s.ini"
    "$BIN" validate "$work/s.ini" >/dev/null 2>"$work/err"
    check "$f" $?
done
echo "e2e_fuzz_regressions: $total inputs, $failed failed"
[ "$failed" -eq 0 ]
