#!/bin/sh
# e2e_ensemble.sh: runs over a parameter ensemble (docs/research.md).
# --ensemble N runs N members; member i applies row i (cycling) of the
# posterior file as --set values with replication i's seed; runs.csv records
# the set id; summary.csv and kpi_summary.csv count each member by its weight
# (checked against a weighted mean computed here from all_daily.csv); the
# [sweep] ensemble key reads data_dir/posterior.csv; outputs = summary leaves
# no all_daily.csv and no run folders; every bad posterior file exits 2 with
# FILE:LINE; a batch over memory_limit_gib is refused before it runs; the
# model's error (data_dir/model_error.csv) widens summary.csv's bands and
# gives kpi_summary.csv's chance with it (both checked against Phi computed here, with the
# ensemble's weights);
# without the file the columns are empty; a bad one exits 2 with FILE:LINE.
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
# 5. the model's error (data_dir/model_error.csv) widens the bands and the chance
head -1 "$T/e/summary.csv" | grep -q ',p95,model_error_sd_log,p05_with_model_error,p95_with_model_error$' ||
    fail "summary.csv header lacks the model error columns: $(head -1 "$T/e/summary.csv")"
grep -q '^model_error = .*data/model_error.csv$' "$T/e/manifest.ini" || fail "manifest lacks model_error"
grep -q '^model_error_hash = [0-9a-f]\{16\}$' "$T/e/manifest.ini" || fail "manifest lacks model_error_hash"
mkdir -p "$T/d" && cp data/*.csv "$T/d/" || fail "copy data"
# without a rows column the error is normal
printf '# a test file\nmetric,sd_log,note\nwallets,0.6931471806,x\nvalue_ecny_fen,0.5,y\n' > "$T/d/model_error.csv"
# a target the members reach only just (attainment ~1), so the chance is neither 0 nor 1
"$BIN" run "$T/s.ini" --set kpi.wallets.target=13000000 --set scenario.data_dir="$T/d" --ensemble 4 --posterior $P -q --out "$T/m" 2>"$T/err" ||
    { cat "$T/err"; fail "ensemble with a model error file"; }
# every wallets row: sd as the file says, the band at least as wide as the runs'; aware has none
awk -F, 'NR > 1 && $4 == "wallets" { n++; if ($11 != "0.6931471806" || $12 > $8 || $13 < $10) bad++ }
         NR > 1 && $4 == "aware" && ($11 != "" || $12 != "" || $13 != "") { bad++ }
         END { exit !(n > 0 && bad == 0) }' "$T/m/summary.csv" || fail "summary.csv model error band"
# on the last day the wallets band is wider than the runs' by about the factor 2^1.645
awk -F, '$2 == "2022-02-03" && $4 == "wallets" && $8 > 0 { r = $12 / $8; exit !(r > 0.2 && r < 0.45) }' \
    "$T/m/summary.csv" || fail "p05_with_model_error is not ~p05 / 2^1.645: $(grep 2022-02-03,suzhou,wallets, "$T/m/summary.csv")"
# The standard normal's distribution function for the awk checks below: Abramowitz &
# Stegun 26.2.17 (error < 1e-7).
PHI_AWK='function phi(z,  t, p) { t = 1 / (1 + 0.2316419 * (z < 0 ? -z : z))
    p = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    p = 1 - exp(-z * z / 2) / sqrt(2 * 3.141592653589793) * p
    return z < 0 ? 1 - p : p }'
# attainments DIR: each run's KPI attainment (fraction) and its member's weight (set 12 weighs 3)
attainments() {
    for k in 1 2 3 4; do
        awk -F, -v w="$(awk -F, -v r=$k '$1 == r { print ($6 == 12 ? 3 : 1) }' "$1/runs.csv")" \
            'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["attainment_pct"] / 100, w }' \
            "$1/run-000$k/kpi.csv"
    done
}
# p05_with_model_error of the last day's wallets, solved here: the least q with
# sum_k w_k Phi(ln(q / x_k) / sd) / sum_k w_k >= 0.05, by bisection in log q
want=$(awk -F, 'NR == FNR { if (FNR > 1) w[$1] = ($6 == 12 ? 3 : 1); next }
        $3 == "2022-02-03" && $5 == "wallets" { print $6, w[$1] }' "$T/m/runs.csv" "$T/m/all_daily.csv" | awk "$PHI_AWK"'
    { x[NR] = $1; w[NR] = $2; n = NR }
    END { lo = 0; hi = 40
        for (it = 0; it < 100; it++) { mid = (lo + hi) / 2; f = 0; t = 0
            for (k = 1; k <= n; k++) { f += w[k] * phi((mid - log(x[k])) / 0.6931471806); t += w[k] }
            if (f / t >= 0.05) hi = mid; else lo = mid }
        printf "%.4g", exp(hi) }')
got=$(awk -F, '$2 == "2022-02-03" && $4 == "wallets" { printf "%.4g", $12 }' "$T/m/summary.csv")
[ -n "$want" ] && [ "$got" = "$want" ] || fail "p05_with_model_error of wallets: got '$got', expected '$want' (weighted)"
# the chance of meeting the KPI: the weighted mean over runs of Phi(ln(attainment) / sd)
want=$(attainments "$T/m" | awk "$PHI_AWK"'
    { s += $2 * ($1 > 0 ? phi(log($1) / 0.6931471806) : 0); n += $2 } END { printf "%.5f", s / n }')
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { printf "%.5f %s", $c["p_attained_with_model_error"], $c["model_error_sd_log"] }' "$T/m/kpi_summary.csv")
[ "$got" = "$want 0.6931471806" ] || fail "p_attained_with_model_error, sd: got '$got', expected '$want 0.6931471806'"
# with rows = 3 (the sd measured on 3 figures) the band is a Student t's with 3 degrees of
# freedom: the normal with sd x t(0.95, 3) / z(0.95) = 0.6931471806 x 2.353363435 / 1.644853627
printf 'metric,rows,sd_log\nwallets,3,0.6931471806\n' > "$T/d/model_error.csv"
"$BIN" run "$T/s.ini" --set kpi.wallets.target=13000000 --set scenario.data_dir="$T/d" --ensemble 4 --posterior $P \
    -q --out "$T/t3" 2>"$T/err" || { cat "$T/err"; fail "ensemble with a t model error"; }
want=$(attainments "$T/t3" | awk "$PHI_AWK"'
    BEGIN { sd = 0.6931471806 * 2.353363435 / 1.644853627 }
    { s += $2 * ($1 > 0 ? phi(log($1) / sd) : 0); n += $2 } END { printf "%.5f %.6f", s / n, sd }')
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { printf "%.5f %.6f", $c["p_attained_with_model_error"], $c["model_error_sd_log"] }' "$T/t3/kpi_summary.csv")
[ "$got" = "$want" ] || fail "p_attained_with_model_error, sd with rows = 3: got '$got', expected '$want'"
# a data folder without the file: empty columns, model_error = none
rm "$T/d/model_error.csv"
"$BIN" run "$T/s.ini" --set scenario.data_dir="$T/d" --ensemble 2 --posterior $P -q --out "$T/n" 2>/dev/null ||
    fail "ensemble without a model error file"
grep -q '^model_error = none$' "$T/n/manifest.ini" || fail "manifest lacks model_error = none"
awk -F, 'NR > 1 && ($11 != "" || $12 != "" || $13 != "") { exit 1 }' "$T/n/summary.csv" ||
    fail "model error columns filled without a model error file"
# a bad file: exit 2 with FILE:LINE, nothing written
printf 'metric,sd_log\nwallets,-1\n' > "$T/d/model_error.csv"
"$BIN" run "$T/s.ini" --set scenario.data_dir="$T/d" --ensemble 2 --posterior $P -q --out "$T/bad-me" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "model_error.csv:2: column 'sd_log' is '-1'" "$T/err" || fail "bad model_error.csv: $(cat "$T/err")"
[ ! -e "$T/bad-me" ] || fail "bad model_error.csv: a results folder was written"
printf 'metric,sd_log,rows\nwallets,0.3,0\n' > "$T/d/model_error.csv"
"$BIN" run "$T/s.ini" --set scenario.data_dir="$T/d" --ensemble 2 --posterior $P -q --out "$T/bad-me" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "model_error.csv:2: column 'rows' is '0'" "$T/err" || fail "rows 0 in model_error.csv: $(cat "$T/err")"
[ ! -e "$T/bad-me" ] || fail "rows 0 in model_error.csv: a results folder was written"
printf 'metric,sd_log\nvalue_ecny,0.8\n' > "$T/d/model_error.csv"
"$BIN" run "$T/s.ini" --set scenario.data_dir="$T/d" --ensemble 2 --posterior $P -q --out "$T/bad-me" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "model_error.csv:2: column 'metric' is 'value_ecny': expected a column of daily.csv" "$T/err" ||
    fail "unknown metric in model_error.csv: $(cat "$T/err")"
printf 'metric,sd_log\nwallets,0.3\nwallets,0.4\n' > "$T/d/model_error.csv"
"$BIN" run "$T/s.ini" --set scenario.data_dir="$T/d" --ensemble 2 --posterior $P -q --out "$T/bad-me" 2>"$T/err"
[ $? -eq 2 ] && grep -qF "model_error.csv:3: metric 'wallets' twice" "$T/err" || fail "twice in model_error.csv: $(cat "$T/err")"
echo "e2e_ensemble: ok"
