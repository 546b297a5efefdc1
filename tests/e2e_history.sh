#!/bin/sh
# e2e_history.sh: the pilot history (models/history.c, docs/programmes.md).
#
#   1. A 2023 scenario meets a 2023 city: Hangzhou (pilot April 2022) in a
#      scenario starting 2023-01-16, with coupons from the 18th: its first
#      daily.csv row equals, column for column, the row of that date of a
#      baseline run from the pilot start (the coupons are open to residents,
#      so the resume case below covers an open campaign's state); with
#      history = false it does not
#      (the city would start empty).
#   2. history_cache: a run that fills the cache, one that reads it and one
#      without it write byte-identical CSV; a corrupt cached file is a miss
#      (same results, the file rewritten); a pilot area's kind in data/ is
#      part of the key.
#   3. write_history = true writes the rows from the pilot start, and from
#      the scenario start the same rows as without it.
#   4. rerun reproduces a run with history; a run stopped by a failing write
#      (ECNYSIM_FAIL_WRITE) resumes from its checkpoint to the same CSV.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_history
T=$work
FILES="daily.csv ledger.csv banks.csv programmes.csv"
same() { # same A B: every file of FILES byte-identical
    for f in $FILES; do cmp -s "$1/$f" "$2/$f" || fail "$2/$f differs from $1/$f"; done
}
row() { grep "^$2," "$1/daily.csv"; } # row DIR DATE

cat >"$T/base.ini" <<'INI'
[scenario]
start = 2022-04-01
end = 2023-01-20
seed = 4242
scale = 2000
[city.hangzhou]
INI
cat >"$T/s23.ini" <<'INI'
[scenario]
start = 2023-01-16
end = 2023-02-05
seed = 4242
scale = 2000
[city.hangzhou]
[incentive.spring]
city = hangzhou
start = 2023-01-18
end = 2023-01-29
coupons = 100000
coupon_yuan = 20
threshold_yuan = 50
open_to = residents
INI

# ---- 1. a 2023 scenario meets a 2023 city
"$BIN" run "$T/base.ini" --out "$T/base" -q || fail "baseline run"
"$BIN" run "$T/s23.ini" --out "$T/h" -q || fail "run with history"
"$BIN" run "$T/s23.ini" --set scenario.history=false --out "$T/nohist" -q || fail "run without history"
want=$(row "$T/base" 2023-01-16); got=$(row "$T/h" 2023-01-16)
[ -n "$want" ] && [ "$want" = "$got" ] || fail "first day differs from the baseline's: '$got' vs '$want'"
[ "$(sed -n 2p "$T/h/daily.csv" | cut -d, -f1)" = 2023-01-16 ] || fail "outputs do not begin at the scenario start"
w_hist=$(row "$T/h" 2023-01-16 | cut -d, -f7); w_none=$(row "$T/nohist" 2023-01-16 | cut -d, -f7)
echo "wallets on 2023-01-16: $w_hist with the pilot history, $w_none without"
[ "$w_hist" -gt $((10 * (w_none + 1))) ] || fail "history = false: $w_none wallets, with history $w_hist"

# ---- 2. the cache changes nothing
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache" --out "$T/c1" -q || fail "run filling the cache"
n=$(ls "$T/cache" 2>/dev/null | grep -c '\.ckp$')
[ "$n" = 1 ] || fail "the cache holds $n files, expected 1"
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache" --out "$T/c2" -q || fail "run reading the cache"
same "$T/h" "$T/c1"
same "$T/h" "$T/c2"
f=$(ls "$T/cache"/*.ckp | head -1)
size=$(wc -c <"$f")
printf 'X' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache" --out "$T/c3" -q || fail "run with a corrupt cache"
same "$T/h" "$T/c3"
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache" --out "$T/c4" -q || fail "run after the rewrite"
same "$T/h" "$T/c4"
# a different seed is a different history: a second file
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache" --seed 5 --out "$T/c5" -q || fail "other seed"
n=$(ls "$T/cache" | grep -c '\.ckp$')
[ "$n" = 2 ] || fail "another seed did not get its own cached history ($n files)"

# the pilot areas' data rows are part of the key: the same scenario on the
# same copy of data/, once Hangzhou's row says 'province', is another history
# (kind and batch set the batch-4 roll-out): a second file, not a hit
cp -r data "$T/data2"
rm -rf "$T/cache2"
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache2" --set scenario.data_dir="$T/data2" --out "$T/k1" -q ||
    fail "run filling cache2"
sed -i 's/^\(16,hangzhou,.*\),city$/\1,province/' "$T/data2/cities.csv"
grep -q '^16,hangzhou,.*,province$' "$T/data2/cities.csv" || fail "could not edit the copy of cities.csv"
"$BIN" run "$T/s23.ini" --set scenario.history_cache="$T/cache2" --set scenario.data_dir="$T/data2" --out "$T/k2" -q ||
    fail "run on the edited data"
n=$(ls "$T/cache2" | grep -c '\.ckp$')
[ "$n" = 2 ] || fail "a pilot area's kind did not change the history's key ($n cached files)"

# ---- 3. write_history
"$BIN" run "$T/s23.ini" --set scenario.write_history=true --out "$T/wh" -q || fail "write_history run"
[ "$(sed -n 2p "$T/wh/daily.csv" | cut -d, -f1)" = 2022-04-01 ] || fail "write_history: rows do not begin at the pilot start"
for d in 2023-01-16 2023-01-20 2023-02-05; do
    [ "$(row "$T/wh" $d)" = "$(row "$T/h" $d)" ] || fail "write_history: row of $d differs"
done

# ---- 4. rerun and resume
"$BIN" rerun "$T/h" >"$T/rerun.txt" 2>&1 || { cat "$T/rerun.txt"; fail "rerun of a run with history"; }
"$BIN" run "$T/s23.ini" --out "$T/ref" --checkpoint-every 3 -q || fail "run with checkpoints"
same "$T/h" "$T/ref"
resumed=0
for n in 2000 4000 8000; do
    rm -rf "$T/f" "$T/f.checkpoint" "$T"/.f.*
    ECNYSIM_FAIL_WRITE=$n "$BIN" run "$T/s23.ini" --out "$T/f" --checkpoint-every 3 -q 2>/dev/null
    [ -f "$T/f.checkpoint/state.ckp" ] || continue
    "$BIN" resume "$T/f.checkpoint" -q || { fail "resume after write $n"; continue; }
    same "$T/h" "$T/f"
    resumed=$((resumed + 1))
done
[ $resumed -ge 1 ] || fail "no failing write left a checkpoint to resume"
# a branch with a behaviour key: its pilot history differs (and numbers the
# programme's accounts differently) but the checkpoint's state is continued
rm -rf "$T/f" "$T/f.checkpoint" "$T"/.f.*
ECNYSIM_FAIL_WRITE=2000 "$BIN" run "$T/s23.ini" --out "$T/f" --checkpoint-every 3 -q 2>/dev/null
if [ -f "$T/f.checkpoint/state.ckp" ]; then
    "$BIN" resume "$T/f.checkpoint" --set adoption.open_rate=0.5 --out "$T/branch" -q ||
        fail "a branch (resume --set adoption.open_rate) of a run with history failed"
    [ -s "$T/branch/programmes.csv" ] || fail "the branch wrote no programmes.csv"
else
    fail "no checkpoint to branch from"
fi
echo "resumed $resumed runs"

[ $failed -eq 0 ] && echo "e2e_history: all passed"
exit $failed
