#!/bin/sh
# validate.sh BIN: runs the calibration scenarios with default parameters and prints the
# model beside the published figures (shared/reference/ecny_facts.md). The targets the
# issues set (national wallet curve 2021, Suzhou 2022 value) must land within +-25 %;
# the others are printed for information. Exit 1 when a target misses.
BIN=${1:-build/release/ecnysim}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for s in national_2021 suzhou_2022 chongqing_first_month; do
    "$BIN" run "scenarios/$s.ini" --quiet --out "$OUT/$s" || { echo "validate: $s failed"; exit 1; }
done
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
sum_on() { # file column date -> sum over cities on that date
    c=$(col "$1" "$2"); awk -F, -v c="$c" -v d="$3" '$1==d {s+=$c} END {printf "%.0f", s}' "$1"; }
sum_between() { # file column from to -> sum over dates in [from,to]
    c=$(col "$1" "$2"); awk -F, -v c="$c" -v a="$3" -v b="$4" 'NR>1 && $1>=a && $1<=b {s+=$c} END {printf "%.0f", s}' "$1"; }
fail=0
row() { # label model published target(1/0)
    awk -v l="$1" -v m="$2" -v p="$3" -v t="$4" 'BEGIN {
        r = p > 0 ? m / p : 0; ok = (r >= 0.75 && r <= 1.25);
        printf "%-48s %16.0f %16.0f %7.2f  %s\n", l, m, p, r, t ? (ok ? "PASS (+-25%)" : "MISS (+-25%)") : "info" }'
    if [ "$4" = 1 ]; then
        awk -v m="$2" -v p="$3" 'BEGIN { r = m / p; exit !(r >= 0.75 && r <= 1.25) }' || fail=1
    fi
}
N="$OUT/national_2021/daily.csv"; S="$OUT/suzhou_2022/daily.csv"; C="$OUT/chongqing_first_month/daily.csv"
printf "%-48s %16s %16s %7s\n" "figure" "model" "published" "ratio"
row "national personal wallets 2021-06-30" "$(sum_on "$N" wallets 2021-06-30)" 20870000 1
row "national personal wallets 2021-10-22" "$(sum_on "$N" wallets 2021-10-22)" 140000000 1
row "national personal wallets 2021-12-31" "$(sum_on "$N" wallets 2021-12-31)" 261000000 1
row "national corporate wallets 2021-06-30" "$(sum_on "$N" public_wallets 2021-06-30)" 3510000 0
row "national e-CNY value to 2021-12-31, yuan" "$(( $(sum_between "$N" value_ecny_fen 2020-04-01 2021-12-31) / 100 ))" 87565000000 0
row "Suzhou e-CNY value in 2022, yuan" "$(( $(sum_between "$S" value_ecny_fen 2022-01-01 2022-12-31) / 100 ))" 340000000000 1
row "Suzhou wallet downloads at 2022-12-31" "$(sum_on "$S" downloads 2022-12-31)" 30540000 0
row "Suzhou personal wallets at 2023-03-31" "$(sum_on "$S" wallets 2023-03-31)" 26916000 0
row "Suzhou corporate wallets at 2023-03-31" "$(sum_on "$S" public_wallets 2023-03-31)" 1793600 0
row "Suzhou e-CNY value Q1 2023, yuan" "$(( $(sum_between "$S" value_ecny_fen 2023-01-01 2023-03-31) / 100 ))" 170467000000 0
row "Chongqing personal wallets at 2022-05-15" "$(sum_on "$C" wallets 2022-05-15)" 1066600 0
row "Chongqing corporate wallets at 2022-05-15" "$(sum_on "$C" public_wallets 2022-05-15)" 42400 0
row "Chongqing transactions to 2022-05-15" "$(sum_between "$C" payments_ecny 2022-04-01 2022-05-15)" 1576700 0
row "Chongqing value to 2022-05-19, yuan" "$(( $(sum_between "$C" value_ecny_fen 2022-04-01 2022-05-19) / 100 ))" 288000000 0
row "Chongqing accepting merchants at 2022-05-15" "$(sum_on "$C" merchants_accepting 2022-05-15)" 12000 0
exit $fail
