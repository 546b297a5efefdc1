#!/bin/sh
# e2e_ensemble.sh: runs over a parameter ensemble (docs/research.md).
# --ensemble N runs N members; member i applies row i (cycling) of the
# posterior file as --set values with replication i's seed; runs.csv records
# the set id; summary.csv and kpi_summary.csv count each member by its weight
# (checked against a weighted mean computed here from all_daily.csv); the
# [sweep] ensemble key reads data_dir/posterior.csv; outputs = summary leaves
# no all_daily.csv and no run folders; every bad posterior file exits 2 with
# FILE:LINE; a batch over memory_limit_gib is refused before it runs.
# A few seconds.
set -u
E2E_FAIL_FAST=1
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_ensemble
T=$work
P=tests/ensemble/posterior_small.csv

cat > "$T/s.ini" <<INI
[scenario]
start = 2022-01-10
days = 25
seed = 7
scale = 2000
[city.suzhou]
[kpi.wallets]
city = suzhou
metric = wallets
target = 1000
deadline = 2022-02-03
INI

# 1. four members over two sets (weights 1 and 3)
"$BIN" run "$T/s.ini" --ensemble 4 --posterior $P --jobs 2 -q --out "$T/e" 2>"$T/err" || { cat "$T/err"; fail "ensemble run"; }
head -1 "$T/e/runs.csv" | grep -qx 'run,point,replication,seed,dir,set' || fail "runs.csv header: $(head -1 "$T/e/runs.csv")"
[ "$(cut -d, -f6 "$T/e/runs.csv" | tail -n +2 | tr '\n' ' ')" = "11 12 11 12 " ] || fail "set ids do not cycle 11 12 11 12"
[ "$(sed -n 2p "$T/e/runs.csv" | cut -d, -f4)" = 7 ] || fail "member 1 does not run the base seed"
grep -q '^open_rate = 0.3$' "$T/e/run-0002/manifest.ini" || fail "member 2 lacks set 12's open_rate"
grep -q '^ecny_choice = 0.02$' "$T/e/run-0003/manifest.ini" || fail "member 3 lacks set 11's ecny_choice"
# the same seeds as plain replications
"$BIN" run "$T/s.ini" --replications 4 -q --out "$T/r" 2>/dev/null || fail "replications run"
[ "$(cut -d, -f4 "$T/e/runs.csv")" = "$(cut -d, -f4 "$T/r/runs.csv")" ] || fail "member seeds differ from replication seeds"
# weighted means on the last day, from all_daily.csv and runs.csv (set 12 weighs 3).
# A metric the two sets leave equal cannot tell weights from none (aware
# does not depend on open_rate or ecny_choice): at least one metric must.
telling=0
for metric in aware payments_app; do
    want=$(awk -F, -v m=$metric 'NR == FNR { if (FNR > 1) w[$1] = ($6 == 12 ? 3 : 1); next }
        $3 == "2022-02-03" && $5 == m { s += w[$1] * $6; t += w[$1] }
        END { if (t > 0) printf "%.6g", s / t }' "$T/e/runs.csv" "$T/e/all_daily.csv")
    plain=$(awk -F, -v m=$metric '$3 == "2022-02-03" && $5 == m { s += $6; t++ } END { printf "%.6g", s / t }' \
        "$T/e/all_daily.csv")
    got=$(awk -F, -v m=$metric '$2 == "2022-02-03" && $4 == m { printf "%.6g", $6 }' "$T/e/summary.csv")
    [ -n "$want" ] && [ "$want" = "$got" ] || fail "weighted mean of $metric: summary $got, expected $want"
    [ "$plain" != "$got" ] && telling=$((telling + 1))
done
[ "$telling" -gt 0 ] || fail "every weighted mean is the unweighted mean: weights ignored?"
grep -q '^1,wallets,suzhou,wallets,1000,4,' "$T/e/kpi_summary.csv" || fail "kpi_summary.csv row"
grep -q '^weighted = true$' "$T/e/manifest.ini" || fail "manifest lacks weighted = true"

# 2. [sweep] ensemble from data/posterior.csv; outputs = summary
"$BIN" run "$T/s.ini" --set scenario.data_dir="$PWD/data" --set sweep.ensemble=3 --set sweep.outputs=summary \
    -q --out "$T/s" 2>"$T/err" || { cat "$T/err"; fail "[sweep] ensemble run"; }
[ -f "$T/s/summary.csv" ] && [ -f "$T/s/runs.csv" ] || fail "outputs = summary: no summary.csv or runs.csv"
[ ! -e "$T/s/all_daily.csv" ] && [ ! -e "$T/s/run-0001" ] || fail "outputs = summary kept all_daily.csv or a run folder"
[ "$(tail -n +2 "$T/s/runs.csv" | wc -l)" -eq 3 ] || fail "[sweep] ensemble = 3: not 3 runs"
awk -F, 'NR > 1 && $5 != "" { bad = 1 } END { exit bad }' "$T/s/runs.csv" || fail "outputs = summary: dir column not empty"

# 3. bad posterior files: exit 2 with FILE:LINE, nothing written
bad() { # NAME EXPECTED-SUBSTRING CONTENT (printf format)
    printf "$3" > "$T/$1.csv"
    "$BIN" run "$T/s.ini" --ensemble 2 --posterior "$T/$1.csv" -q --out "$T/bad-$1" 2>"$T/err"
    rc=$?
    [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
    grep -qF -- "$2" "$T/err" || fail "$1: stderr lacks '$2': $(cat "$T/err")"
    [ ! -e "$T/bad-$1" ] || fail "$1: a results folder was written"
}
bad header "header.csv:2: bad header" '# c\nset,w,adoption.open_rate\n1,1,0.1\n'
bad weight "weight.csv:2: weight '-2'" 'set,weight,adoption.open_rate\n1,-2,0.1\n'
bad fields "fields.csv:3: 2 fields: expected 3" 'set,weight,adoption.open_rate\n1,1,0.1\n2,1\n'
bad setid "setid.csv:2: set 'x1'" 'set,weight,adoption.open_rate\nx1,1,0.1\n'
bad key "key.csv:1: column 'adoptionopen_rate'" 'set,weight,adoptionopen_rate\n1,1,0.1\n'
bad empty "empty.csv:2: no parameter sets" '# only a comment\nset,weight,adoption.open_rate\n'
bad value "value.csv:5: parameter set 2 is not valid" 'set,weight,adoption.open_rate\n1,1,0.1\n\n# two\n2,1,7\n'
"$BIN" run "$T/s.ini" --ensemble 2 --posterior "$T/none.csv" -q --out "$T/bad-none" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "none.csv: cannot read" "$T/err" || fail "missing posterior file: $(cat "$T/err")"
"$BIN" run "$T/s.ini" --ensemble 2 --replications 2 --posterior $P -q --out "$T/bad-both" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "not both" "$T/err" || fail "--ensemble with --replications: $(cat "$T/err")"
# 4. a batch bigger than memory_limit_gib is refused before it runs
"$BIN" run "$T/s.ini" --replications 300000 --set scenario.memory_limit_gib=0.1 -q --out "$T/big" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "over memory_limit_gib = 0.1" "$T/err" || fail "memory bound: $(cat "$T/err")"
[ ! -e "$T/big" ] || fail "memory bound: a results folder was written"
echo "e2e_ensemble: ok"
