#!/bin/sh
# e2e_ledger_check.sh: check_ledger = true (running sums and a rotating 1/64
# of the accounts a day), full (every account every day) and false (none)
# write the same bytes: the check mode changes no result. Each run ends with
# the full sweep whatever the mode.
cd "$(dirname "$0")/.." || exit 1
BIN=${ECNYSIM_BIN:-build/release/ecnysim}
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-ledcheck.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
fail=0
for mode in true full false; do
    if ! "$BIN" run scenarios/suzhou_double12_2020.ini --set scenario.scale=1000 \
        --set scenario.check_ledger=$mode -q --out "$work/$mode" 2>"$work/$mode.err"; then
        echo "FAIL: check_ledger=$mode: exit status non-zero"; cat "$work/$mode.err"; fail=1
    fi
done
for f in daily.csv ledger.csv; do
    for mode in full false; do
        cmp -s "$work/true/$f" "$work/$mode/$f" || { echo "FAIL: $f differs between true and $mode"; fail=1; }
    done
done
grep -q '^check_ledger = full' "$work/full/manifest.ini" || { echo "FAIL: manifest lacks check_ledger = full"; fail=1; }
[ $fail -eq 0 ] && echo "e2e_ledger_check: ok"
exit $fail
