#!/bin/sh
# e2e_research.sh: the batch side end to end (docs/research.md): a 3 x 2
# sweep with 5 replications gives 30 runs and the combined files; --jobs 2
# writes byte-identical CSV to --jobs 1; rerun reproduces a folder byte for
# byte and notices a changed file; calibration recovers a known parameter
# within 15 %; bad --vary syntax exits 2 naming the flag. A few seconds.
set -u
E2E_FAIL_FAST=1
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_research
T=$work

cat > "$T/s.ini" <<INI
[scenario]
name = research
start = 2020-04-01
days = 20
seed = 11
scale = 1000

[city.suzhou]

[city.shenzhen]
INI

# 1. sweep 3 x 2 x 5 replications, --jobs 1 and --jobs 2
for j in 1 2; do
    "$BIN" run "$T/s.ini" --quiet --vary adoption.open_rate=0.01,0.02,0.03 \
        --vary city.shenzhen.promotion=1:2:1 --replications 5 --jobs $j --out "$T/sw$j" \
        || fail "sweep with --jobs $j exited $?"
done
n=$(ls -d "$T"/sw1/run-* | wc -l)
[ "$n" -eq 30 ] || fail "expected 30 run folders, got $n"
[ "$(wc -l < "$T/sw1/runs.csv")" -eq 31 ] || fail "runs.csv should have a header and 30 rows"
head -1 "$T/sw1/runs.csv" | grep -qx 'run,point,replication,seed,dir,adoption.open_rate,city.shenzhen.promotion' \
    || fail "runs.csv header: $(head -1 "$T/sw1/runs.csv")"
head -1 "$T/sw1/all_daily.csv" | grep -qx 'run,seed,adoption.open_rate,city.shenzhen.promotion,date,city,metric,value' \
    || fail "all_daily.csv header: $(head -1 "$T/sw1/all_daily.csv")"
head -1 "$T/sw1/summary.csv" | grep -qx 'point,adoption.open_rate,city.shenzhen.promotion,date,city,metric,runs,mean,sd,p05,p50,p95,model_error_sd_log,p05_with_model_error,p95_with_model_error' \
    || fail "summary.csv header: $(head -1 "$T/sw1/summary.csv")"
# all_daily has one row per run, day, city and metric
metrics=$(($(head -1 "$T/sw1/run-0001/daily.csv" | tr ',' '\n' | wc -l) - 2))
rows=$(($(wc -l < "$T/sw1/run-0001/daily.csv") - 1))
[ "$(($(wc -l < "$T/sw1/all_daily.csv") - 1))" -eq $((30 * rows * metrics)) ] || fail "all_daily.csv row count"
[ "$(($(wc -l < "$T/sw1/summary.csv") - 1))" -eq $((6 * rows * metrics)) ] || fail "summary.csv row count"
awk -F, 'NR > 1 && $7 != 5 { bad = 1 } END { exit bad }' "$T/sw1/summary.csv" || fail "summary runs != 5"
(cd "$T/sw1" && find . -name '*.csv' | sort) > "$T/list1"
(cd "$T/sw2" && find . -name '*.csv' | sort) > "$T/list2"
cmp -s "$T/list1" "$T/list2" || fail "--jobs 2 wrote a different set of files"
while read -r f; do
    cmp -s "$T/sw1/$f" "$T/sw2/$f" || fail "--jobs 2 differs from --jobs 1 in $f"
done < "$T/list1"
echo "ok: sweep 30 runs, $(wc -l < "$T/list1") CSV files identical with --jobs 1 and 2"

# 2. rerun reproduces byte for byte, and notices a change
"$BIN" rerun "$T/sw2" > "$T/rerun.out" 2>&1 || { cat "$T/rerun.out"; fail "rerun of the sweep"; }
"$BIN" run "$T/s.ini" --quiet --seed 5 --out "$T/single" || fail "single run"
"$BIN" rerun "$T/single" > /dev/null 2>&1 || fail "rerun of a single run"
echo "tampered" >> "$T/single/daily.csv"
if "$BIN" rerun "$T/single" > "$T/rerun2.out" 2>&1; then fail "rerun missed a changed daily.csv"; fi
grep -q "daily.csv differs" "$T/rerun2.out" || fail "rerun did not name the changed file"
echo "ok: rerun reproduces and detects changes"

# 3. calibration recovers awareness_promo = 0.008 from the schema default
"$BIN" run "$T/s.ini" --quiet --set scenario.days=30 --set scenario.scale=200 \
    --set adoption.awareness_promo=0.008 --set adoption.invite_aware_rate=0 --replications 3 --out "$T/truth" || fail "truth run"
awk -F, 'BEGIN { print "date,city,metric,value,weight" }
         $4 == "aware" && $2 ~ /-(05|10|15|20|25|30)$/ { print $2 "," $3 "," $4 "," $6 ",1" }' \
    "$T/truth/summary.csv" > "$T/targets.csv"
[ "$(wc -l < "$T/targets.csv")" -ge 7 ] || fail "too few targets"
"$BIN" calibrate "$T/s.ini" --quiet --set scenario.days=30 --set scenario.scale=200 --set adoption.invite_aware_rate=0 \
    --targets "$T/targets.csv" --fit adoption.awareness_promo --replications 3 --jobs 2 --out "$T/cal" \
    || fail "calibrate exited $?"
for f in fit.csv quality.csv trace.csv fitted.ini manifest.ini; do
    [ -f "$T/cal/$f" ] || fail "calibration lacks $f"
done
fitted=$(awk -F, '$1 == "adoption.awareness_promo" { print $3 }' "$T/cal/fit.csv")
awk -v f="$fitted" 'BEGIN { e = (f - 0.008) / 0.008; if (e < 0) e = -e; exit !(e <= 0.15) }' \
    || fail "fitted awareness_promo $fitted is not within 15 % of 0.008"
grep -q "^awareness_promo = $fitted" "$T/cal/fitted.ini" || fail "fitted.ini lacks the fitted value"
"$BIN" rerun "$T/cal" > /dev/null 2>&1 || fail "rerun of the calibration"
echo "ok: calibration fitted $fitted (true 0.008) and reruns identically"

# 4. bad --vary syntax: exit 2, naming the flag
"$BIN" run "$T/s.ini" --quiet --vary adoption.open_rate=0.01:0.02 --out "$T/bad" 2> "$T/err"
[ $? -eq 2 ] || fail "bad --vary range should exit 2"
grep -q -- "--vary 'adoption.open_rate=0.01:0.02'" "$T/err" || fail "message should name --vary: $(cat "$T/err")"
"$BIN" run "$T/s.ini" --quiet --vary open_rate --out "$T/bad" 2> /dev/null
[ $? -eq 2 ] || fail "--vary without '=' should exit 2"
"$BIN" run "$T/s.ini" --quiet --replications 0 --out "$T/bad" 2> /dev/null
[ $? -eq 2 ] || fail "--replications 0 should exit 2"
[ ! -e "$T/bad" ] || fail "a refused batch left a folder"
echo "ok: bad flags exit 2"

# 5. KPIs over replications: kpi_summary.csv gives the probability of meeting each target
"$BIN" run scenarios/suzhou_2023_kpi.ini --replications 3 --jobs 2 --set scenario.scale=2000 \
    --out "$T/kpi" 2> "$T/kpi.err" || fail "replicated KPI run"
# the batch ends with a line per KPI, from kpi_summary.csv, with the model's error
grep -q '^  KPI transactions_2t (suzhou): attainment .* P(met) 0.00; with the model.s error .*, P(met) 0\.[0-9][0-9]$' \
    "$T/kpi.err" || fail "the batch's KPI line: $(cat "$T/kpi.err")"
grep -q '^  KPI sme_loans_200b (suzhou): attainment 100.0 % (5-95 %: 100.0-100.0 %), P(met) 1.00$' "$T/kpi.err" ||
    fail "the batch's loans KPI line: $(cat "$T/kpi.err")"
# a single run ends with whether each KPI was met, from its kpi.csv
"$BIN" run scenarios/suzhou_2023_kpi.ini --set scenario.scale=2000 --out "$T/kpi1" 2> "$T/kpi1.err" || fail "KPI run"
grep -q '^  KPI sme_loans_200b (suzhou): 200.0 bn of 200.0 bn yuan on 2023-12-31 (100.0 %): met on 2023-12-31 (deadline 2023-12-31)$' \
    "$T/kpi1.err" || fail "the run's loans KPI line: $(cat "$T/kpi1.err")"
grep -q '^  KPI transactions_2t (suzhou): .* bn of 2.00 trillion yuan on 2023-12-31 (.* %): not met by the deadline 2023-12-31' \
    "$T/kpi1.err" || fail "the run's transactions KPI line: $(cat "$T/kpi1.err")"
# a target reached after its deadline is not met, whatever the end of the run says
"$BIN" run scenarios/suzhou_2023_kpi.ini --set scenario.scale=2000 --set kpi.sme_loans_200b.deadline=2023-06-30 \
    --out "$T/kpi2" 2> "$T/kpi2.err" || fail "KPI run, early deadline"
grep -q '^  KPI sme_loans_200b (suzhou): .*: not met: reached on 2023-12-31, after the deadline 2023-06-30$' \
    "$T/kpi2.err" || fail "a KPI reached after its deadline: $(cat "$T/kpi2.err")"
"$BIN" run scenarios/suzhou_2023_kpi.ini --set scenario.scale=2000 --set kpi.sme_loans_200b.deadline=2023-06-30 \
    --replications 2 --jobs 2 -q --out "$T/kpi3" || fail "replicated KPI run, early deadline"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $2 == "sme_loans_200b" { print $c["p_attained"] }' \
    "$T/kpi3/kpi_summary.csv" | grep -qx 0 || fail "p_attained of a KPI reached after its deadline is not 0"
head -1 "$T/kpi/kpi_summary.csv" | grep -q "p_attained" || fail "kpi_summary.csv lacks p_attained"
# the loans KPI is met in every run (its programme lends the target), the 2 trillion one in none
# (p_attained); with the model's error the loans KPI has none (a programme's own volume) and
# the 2 trillion one a chance above 0 and below a half (columns named in the header)
kpi_col() { # KPI COLUMN
    awk -F, -v k="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) n[$i] = i; next } $2 == k { print $n[c] }' \
        "$T/kpi/kpi_summary.csv"
}
[ "$(kpi_col sme_loans_200b p_attained)" = 1 ] || fail "loans KPI should be met with probability 1"
[ "$(kpi_col transactions_2t p_attained)" = 0 ] || fail "2 trillion KPI should be met with probability 0"
[ -z "$(kpi_col sme_loans_200b p_attained_with_model_error)" ] || fail "loans KPI: a model error"
awk -v p="$(kpi_col transactions_2t p_attained_with_model_error)" 'BEGIN { exit !(p > 0 && p < 0.5) }' ||
    fail "2 trillion KPI with the model error: '$(kpi_col transactions_2t p_attained_with_model_error)'"
echo "ok: kpi_summary.csv"
