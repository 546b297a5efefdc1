#!/bin/sh
# e2e_targets.sh: 'ecnysim targets' (docs/calibration.md) on a small targets
# file made from a run with a known parameter:
# 1. the model's own figures are met (ratio 1.00, exit 0) and the same rows
#    scaled by 3 fail the pass rule (exit 1);
# 2. the joint fit recovers awareness_promo = 0.01 from a start of 0.004
#    (within 15 %; the city starts empty, history = false, so awareness
#    drives its first weeks), and --write-defaults writes it as a header macro;
# 3. --abc writes an ensemble file whose first set is the fit;
# 4. a bad targets file (a bad kind, an unknown metric) exits 2 naming FILE:LINE;
# a scenario named relative to the project root is found from any folder;
# the model error of one area and the held-out band on two areas of known errors.
# About ten seconds.
set -u
E2E_FAIL_FAST=1
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_targets
T=$work

cat > "$T/s.ini" <<INI
[scenario]
start = 2022-01-10
end = 2022-03-31
seed = 1
scale = 2000
history = false
[city.suzhou]
INI
"$BIN" run "$T/s.ini" --quiet --set adoption.awareness_promo=0.01 --out "$T/truth" || fail "truth run"
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
c=$(col "$T/truth/daily.csv" adopters)
{
    echo "id,area,scenario,metric,kind,date_from,date_to,value,confidence,weight,source,note"
    for d in 2022-02-01 2022-02-20 2022-03-10 2022-03-31; do
        v=$(awk -F, -v d=$d -v c="$c" '$1 == d { print $c }' "$T/truth/daily.csv")
        echo "adopters_$d,suzhou,$T/s.ini,adopters,level,,$d,$v,official,1,truth run,"
    done
} > "$T/t.csv"
[ "$(wc -l < "$T/t.csv")" -eq 5 ] || fail "targets file: $(cat "$T/t.csv")"

# 1. met at the truth, failed three times off
"$BIN" targets --targets "$T/t.csv" --seeds 1 --set adoption.awareness_promo=0.01 > "$T/ok.out" 2>&1 \
    || { cat "$T/ok.out"; fail "the model's own figures did not pass"; }
grep -q "^adopters_2022-03-31 .* 1.00  official   ok" "$T/ok.out" || fail "no ratio 1.00 row: $(cat "$T/ok.out")"
grep -q "4 of 4 scored rows within +-25 %" "$T/ok.out" || fail "summary: $(tail -1 "$T/ok.out")"
# every table is followed by the model error of one area (no row here: the model's own figures)
grep -q "^model error of one area (what --model-error FILE would write):" "$T/ok.out" ||
    fail "no model error after the table: $(cat "$T/ok.out")"
tail -1 "$T/ok.out" | grep -q "scored rows within" || fail "the verdict is not the last line"
awk -F, 'NR == 1 { print; next } { $8 = $8 * 3; print }' OFS=, "$T/t.csv" > "$T/t3.csv"
if "$BIN" targets --targets "$T/t3.csv" --seeds 1 --set adoption.awareness_promo=0.01 > "$T/bad.out" 2>&1; then
    fail "rows three times off passed"
fi
grep -q "beyond 2x" "$T/bad.out" || fail "no summary on a failed rule"
echo "ok: the pass rule"

# 1b. scenarios named relative to the project root the targets file sits in
# (data/targets.csv names scenarios/...): found from any folder
mkdir -p "$T/proj/scenarios" "$T/elsewhere" && cp -r data "$T/proj/data" && cp "$T/s.ini" "$T/proj/scenarios/s.ini"
sed "s|,$T/s.ini,|,scenarios/s.ini,|" "$T/t.csv" > "$T/proj/data/t.csv"
grep -q ",scenarios/s.ini," "$T/proj/data/t.csv" || fail "relative targets file: $(cat "$T/proj/data/t.csv")"
bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
(cd "$T/elsewhere" && "$bin" targets --targets ../proj/data/t.csv --seeds 1 --set adoption.awareness_promo=0.01) \
    > "$T/rel.out" 2>&1 || { cat "$T/rel.out"; fail "a targets file naming scenarios from the project root"; }
grep -q "4 of 4 scored rows within +-25 %" "$T/rel.out" || fail "relative: $(tail -1 "$T/rel.out")"
echo "ok: scenarios found from the targets file's project"

# 2. the fit recovers the known value
"$BIN" targets --targets "$T/t.csv" --seeds 1 --set adoption.awareness_promo=0.004 --fit adoption.awareness_promo \
    --max-evals 60 --write-defaults "$T/cal.h" --quiet > "$T/fit.out" 2>&1 || { cat "$T/fit.out"; fail "fit"; }
fitted=$(sed -n 's/^fitted: adoption.awareness_promo=//p' "$T/fit.out")
awk -v f="$fitted" 'BEGIN { e = (f - 0.01) / 0.01; if (e < 0) e = -e; exit !(e <= 0.15) }' \
    || fail "fitted awareness_promo '$fitted' is not within 15 % of 0.01"
grep -q "^#define CAL_ADOPTION_AWARENESS_PROMO \"$fitted\"" "$T/cal.h" || fail "header lacks the fitted value"
echo "ok: the fit recovered $fitted (true 0.01)"

# 3. the ensemble starts with the fit
"$BIN" targets --targets "$T/t.csv" --seeds 1 --fit adoption.awareness_promo --set adoption.awareness_promo=0.01 \
    --max-evals 1 --abc 5 --posterior "$T/post.csv" --quiet > "$T/abc.out" 2>&1 || { cat "$T/abc.out"; fail "abc"; }
grep -qx "set,weight,adoption.awareness_promo" "$T/post.csv" || fail "posterior header: $(grep -v '^#' "$T/post.csv" | head -1)"
grep -qx "1,1,0.01" "$T/post.csv" || fail "set 1 is not the fit: $(grep -v '^#' "$T/post.csv" | sed -n 2p)"
echo "ok: the ensemble"

# 3b. the model error of one area (--model-error) and the leave-one-area-out band: two
# areas whose published figures are the truth times known factors. Suzhou's log errors
# 0, -0.405, +0.405, 0 (sd 0.2867), Xiong'an's 0, 0, -1.2, -0.8 (sd 0.7211), both 0.5487.
# Held out, Xiong'an's rows against the t band (4 rows: t 2.1318) of Suzhou's errors alone,
# 0.611: 2 of 4 inside (0.8 is not; against both areas' sd, 1.860 x 0.5487 = 1.020, it would
# be); Suzhou's against 2.1318 x 0.7211 = 1.537: 4 of 4.
{ cat "$T/s.ini"; echo "[city.xiongan]"; } > "$T/two.ini" # the truth scenario, and Xiong'an
"$BIN" run "$T/two.ini" --quiet --set adoption.awareness_promo=0.01 --out "$T/two" || fail "two-area truth run"
c=$(col "$T/two/daily.csv" adopters)
{
    echo "id,area,scenario,metric,kind,date_from,date_to,value,confidence,weight,source,note"
    for city in suzhou xiongan; do
        k=0
        for d in 2022-02-01 2022-02-20 2022-03-10 2022-03-31; do
            k=$((k + 1))
            awk -F, -v d=$d -v c="$c" -v city=$city -v k=$k -v s="$T/two.ini" '$1 == d && $2 == city {
                f = city == "suzhou" ? (k == 2 ? 1.5 : k == 3 ? 1 / 1.5 : 1) : (k == 3 ? exp(1.2) : k == 4 ? exp(0.8) : 1)
                printf "%s_%d,%s,%s,adopters,level,,%s,%.6f,official,1,truth x %g,\n", city, k, city, s, d, $c * f, f
            }' "$T/two/daily.csv"
        done
    done
} > "$T/two.csv"
[ "$(wc -l < "$T/two.csv")" -eq 9 ] || fail "two-area targets file: $(cat "$T/two.csv")"
"$BIN" targets --targets "$T/two.csv" --seeds 1 --fit adoption.awareness_promo --set adoption.awareness_promo=0.01 \
    --max-evals 1 --loao --loao-evals 1 --model-error "$T/me.csv" --quiet > "$T/loao.out" 2>&1
grep -q '^adopters,8,0.548726,' "$T/me.csv" || fail "model error: $(cat "$T/me.csv")"
grep -q '^suzhou .* 4/4$' "$T/loao.out" || fail "Suzhou held out: $(grep '^suzhou' "$T/loao.out")"
grep -q '^xiongan .* 2/4$' "$T/loao.out" || fail "Xiong'an held out: $(grep '^xiongan' "$T/loao.out")"
grep -q 'inside the 90% model-error band: 6 of 8' "$T/loao.out" || fail "band total: $(tail -1 "$T/loao.out")"
# what targets writes, a batch reads: the sd widened to a t's band with 8 degrees of freedom,
# 0.548726 x t(0.95, 8) / z(0.95) = 0.548726 x 1.859548 / 1.644854 = 0.620350
mkdir -p "$T/dd" && cp data/*.csv "$T/dd/" && cp "$T/me.csv" "$T/dd/model_error.csv"
"$BIN" run "$T/two.ini" --set scenario.data_dir="$T/dd" --replications 2 -q --out "$T/twob" 2>"$T/err" ||
    { cat "$T/err"; fail "a batch reading the model error targets wrote"; }
awk -F, '$3 == "suzhou" && $4 == "adopters" && $2 == "2022-03-31" { printf "%.5f", $11 }' "$T/twob/summary.csv" |
    grep -qx "0.62035" || fail "round trip: $(grep '2022-03-31,suzhou,adopters,' "$T/twob/summary.csv")"
echo "ok: the model error and the held-out band"

# 4. a bad file
sed 's/,level,/,levl,/' "$T/t.csv" > "$T/kind.csv"
"$BIN" targets --targets "$T/kind.csv" --seeds 1 > "$T/kind.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "a bad kind exited $rc, expected 2"
grep -q "kind.csv:3: column 'kind' is 'levl': expected level or sum" "$T/kind.out" || fail "message: $(cat "$T/kind.out")"
# a metric that is not a daily.csv column: exit 2 naming the targets file's line, with and without --jobs
sed 's/,adopters,level,/,adoptrs,level,/' "$T/t.csv" > "$T/metric.csv"
for jobs in 1 2; do
    "$BIN" targets --targets "$T/metric.csv" --seeds 1 --jobs $jobs > "$T/metric.out" 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || fail "an unknown metric exited $rc with --jobs $jobs, expected 2"
    grep -q "metric.csv:2: row 'adopters_2022-02-01': metric 'adoptrs' is not a column of daily.csv" "$T/metric.out" \
        || fail "message with --jobs $jobs: $(cat "$T/metric.out")"
done
# a scenario that is nowhere: exit 2, saying where a relative path was looked for
sed "s|,$T/s.ini,|,scenarios/nowhere.ini,|" "$T/t.csv" > "$T/nowhere.csv"
"$BIN" targets --targets "$T/nowhere.csv" --seeds 1 > "$T/nowhere.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "a missing scenario exited $rc, expected 2"
grep -q "nowhere.csv:2: row 'adopters_2022-02-01' names scenario 'scenarios/nowhere.ini', which did not load (above; a relative path is looked for from the targets file's project root" \
    "$T/nowhere.out" || fail "missing scenario message: $(cat "$T/nowhere.out")"
echo "e2e_targets: ok"
