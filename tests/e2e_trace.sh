#!/bin/sh
# e2e_trace.sh: --trace RATE writes transfers.csv, a deterministic sample of
# the ledger's transfers, without changing any other output; bad rates exit 2.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_trace
T=$work
short="--set scenario.days=560 --set scenario.scale=2000 -q"
"$BIN" run scenarios/default.ini $short --out "$T/a" --trace 0.01 || fail "traced run"
"$BIN" run scenarios/default.ini $short --out "$T/b" --trace 0.01 || fail "second traced run"
"$BIN" run scenarios/default.ini $short --out "$T/c" || fail "plain run"
[ "$(head -1 "$T/a/transfers.csv")" = "seq,date,city,kind,outcome,from,to,amount_fen" ] || fail "transfers.csv header"
rows=$(($(wc -l < "$T/a/transfers.csv") - 1))
[ "$rows" -gt 10 ] || fail "transfers.csv has only $rows rows"
cmp -s "$T/a/transfers.csv" "$T/b/transfers.csv" || fail "the sample differs between identical runs"
for f in daily.csv ledger.csv programmes.csv; do
    cmp -s "$T/a/$f" "$T/c/$f" || fail "--trace changed $f"
done
[ -f "$T/c/transfers.csv" ] && fail "transfers.csv written without --trace"
# a sample of 1 % of the posted transfers: compare with ledger.csv's totals
posted=$(awk -F, 'NR > 1 && $5 == "posted"' "$T/a/transfers.csv" | wc -l)
total=$(awk -F, 'NR == 1 { for (i = 3; i <= NF; i++) if ($i ~ /_count$/) c[i] = 1 }
                 NR > 1 && $2 == "all" { for (i in c) s += $i } END { print s }' "$T/a/ledger.csv")
awk -v p="$posted" -v t="$total" 'BEGIN { r = p / t; exit !(r > 0.005 && r < 0.02) }' ||
    fail "posted rows $posted are not ~1 % of the ledger's $total transfers"
for bad in 0 1.5 abc; do
    "$BIN" run scenarios/default.ini $short --out "$T/bad" --trace "$bad" 2>"$T/err"
    [ $? -eq 2 ] || fail "--trace $bad: expected exit 2"
    grep -q -- "--trace" "$T/err" || fail "--trace $bad: message does not name the flag"
    [ -e "$T/bad" ] && fail "--trace $bad left a results folder"
done
[ "$failed" -eq 0 ] && echo "e2e_trace: all checks passed"
[ "$failed" -eq 0 ]
