#!/bin/sh
# e2e_ledger_check.sh: check_ledger = true (running sums and a rotating 1/64
# of the accounts a day), full (every account every day) and false (none)
# write the same bytes: the check mode changes no result. Each run ends with
# the full sweep whatever the mode.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_ledger_check
for mode in true full false; do
    if ! "$BIN" run scenarios/suzhou_double12_2020.ini --set scenario.scale=1000 \
        --set scenario.check_ledger=$mode -q --out "$work/$mode" 2>"$work/$mode.err"; then
        fail "check_ledger=$mode: exit status non-zero"; cat "$work/$mode.err"
    fi
done
for f in daily.csv ledger.csv; do
    for mode in full false; do
        cmp -s "$work/true/$f" "$work/$mode/$f" || fail "$f differs between true and $mode"
    done
done
grep -q '^check_ledger = full' "$work/full/manifest.ini" || fail "manifest lacks check_ledger = full"
[ "$failed" -eq 0 ] && echo "e2e_ledger_check: ok"
[ "$failed" -eq 0 ]
