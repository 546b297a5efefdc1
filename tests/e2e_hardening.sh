#!/bin/sh
# e2e_hardening.sh: results locations and paths a new user meets (issue 15).
#
#   1. --out '' and over-long --out: exit 2 before anything is made.
#   2. The results lock: a run whose location is locked by another process
#      fails (exit 1) naming the holder, and leaves the old results alone.
#   3. A batch never replaces a single run's folder, nor the reverse (exit 2,
#      the old results byte-identical).
#   4. A scenario saved outside the project, run from another folder with
#      the default data_dir, finds the program's data; a missing data_dir is
#      reported naming the scenario key and where it looked.
#   5. resume from another working folder: a relative data_dir and
#      results_dir mean what they meant when the run was made; the resumed
#      results equal an uninterrupted run's.
#   6. --set of a repeatable section absent from the file adds it when all
#      its keys have defaults; validate accepts the bench_peer scenarios;
#      describe suggests the nearest section.
#   7. --compress writes FILE.csv.gz with the plain bytes inside, the same
#      bytes on every run; rerun reproduces it; data files may be .gz, and a
#      truncated one is bad input; a batch with --compress is refused.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_hardening
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
ROOT=$PWD
e2e_tiny_scenario "$work/tiny.ini"
expect() { # expect STATUS WHAT PATTERN CMD...
    want=$1; what=$2; pat=$3; shift 3
    "$@" >"$work/out.txt" 2>"$work/err.txt"; rc=$?
    [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want ($(head -c 400 "$work/err.txt"))"
    grep -q -- "$pat" "$work/err.txt" || fail "$what: stderr lacks '$pat': $(head -c 400 "$work/err.txt")"
}

# ---- 1. --out
mkdir "$work/o"
expect 2 "--out ''" "empty" "$BIN" run "$work/tiny.ini" --out ''
long=$(awk 'BEGIN { for (i = 0; i < 700; i++) printf "a/"; }')
expect 2 "very long --out" "too long" "$BIN" run "$work/tiny.ini" --out "$work/o/$long"
part=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "b"; }')
expect 2 "--out part over 255" "at most 255" "$BIN" run "$work/tiny.ini" --out "$work/o/x/$part/y"
expect 2 "--out ." "not '.' or '..'" "$BIN" run "$work/tiny.ini" --out "$work/o/.."
[ -z "$(ls -A "$work/o")" ] || fail "a refused --out left: $(ls -A "$work/o" | head -n 3)"

# ---- 2. the lock
"$BIN" run "$work/tiny.ini" --out "$work/l/res" -q || fail "first run into l/res"
sum=$(cat "$work/l/res/daily.csv" | cksum)
printf 'pid = 4242\ncommand = ecnysim run other.ini\n' >"$work/l/.res.lock"
flock -o "$work/l/.res.lock" sleep 30 &
holder=$!
sleep 0.3
expect 1 "locked location" "pid = 4242" "$BIN" run "$work/tiny.ini" --out "$work/l/res" -q
grep -q "another ecnysim run" "$work/err.txt" || fail "lock message: $(cat "$work/err.txt")"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
[ "$(cat "$work/l/res/daily.csv" | cksum)" = "$sum" ] || fail "a refused run changed l/res"
"$BIN" run "$work/tiny.ini" --out "$work/l/res" -q || fail "run after the holder ended"
[ -e "$work/l/.res.lock" ] && fail "the lock file stays after a run"
ls -A "$work/l" | grep -q partial && fail "a .partial folder stays in l/"

# ---- 3. batch and single run
"$BIN" run "$work/tiny.ini" --out "$work/k/single" -q || fail "single run"
sum=$(cat "$work/k/single/manifest.ini" | cksum)
expect 2 "batch over a single run" "holds a single run" "$BIN" run "$work/tiny.ini" --replications 2 --out "$work/k/single" -q
[ "$(cat "$work/k/single/manifest.ini" | cksum)" = "$sum" ] || fail "the single run was changed by a batch"
"$BIN" run "$work/tiny.ini" --replications 2 --out "$work/k/batch" -q || fail "batch"
sum=$(cat "$work/k/batch/manifest.ini" | cksum)
expect 2 "single run over a batch" "holds a batch" "$BIN" run "$work/tiny.ini" --out "$work/k/batch" -q
[ "$(cat "$work/k/batch/manifest.ini" | cksum)" = "$sum" ] || fail "the batch was changed by a single run"
"$BIN" run "$work/tiny.ini" --replications 3 --out "$work/k/batch" -q || fail "a batch may replace a batch"

# ---- 4. a scenario outside the project, run from another folder
mkdir -p "$work/elsewhere" "$work/cwd"
grep -v '^data_dir' "$work/tiny.ini" >"$work/elsewhere/s.ini"
(cd "$work/cwd" && "$BIN" run "$work/elsewhere/s.ini" --out "$work/cwd/r" -q) || fail "run from another folder with the default data_dir"
printf '[scenario]\nstart = 2020-04-01\ndays = 1\nscale = 100000\ndata_dir = nodata\n\n[city.xiongan]\n' >"$work/elsewhere/nd.ini"
(cd "$work/cwd" && expect 2 "missing data_dir" "nd.ini:5: data_dir 'nodata' in \[scenario\]: no such folder" \
    "$BIN" validate "$work/elsewhere/nd.ini")

# ---- 5. resume from another working folder
mkdir -p "$work/proj"
cp -r data "$work/proj/mydata"
cat >"$work/proj/r.ini" <<INI
[scenario]
start = 2020-04-01
days = 12
scale = 100000
seed = 5
data_dir = mydata
results_dir = out

[city.xiongan]
INI
(cd "$work/proj" && "$BIN" run r.ini --out ref -q) || fail "reference run of r.ini"
n=20
while [ $n -lt 5000 ]; do
    rm -rf "$work/proj/out"
    (cd "$work/proj" && ECNYSIM_FAIL_WRITE=$n "$BIN" run r.ini --checkpoint-every 2 -q 2>/dev/null)
    [ -f "$work/proj/out/r.checkpoint/state.ckp" ] && break
    n=$((n * 2))
done
if [ -f "$work/proj/out/r.checkpoint/state.ckp" ]; then
    (cd "$work/cwd" && "$BIN" resume "$work/proj/out/r" -q) || fail "resume from another folder"
    for f in daily.csv ledger.csv; do
        cmp -s "$work/proj/ref/$f" "$work/proj/out/r/$f" || fail "resumed $f differs from the uninterrupted run"
    done
    [ -e "$work/cwd/out" ] && fail "resume wrote results under the other working folder"
else
    fail "no checkpoint left by a failing run of r.ini"
fi

# ---- 6. --set adds a repeatable section; validate of peer scenarios; describe
"$BIN" validate "$work/tiny.ini" --set wallet_class.1.balance_cap_yuan=50 >/dev/null 2>"$work/err.txt" ||
    fail "--set of an absent [wallet_class.1]: $(cat "$work/err.txt")"
expect 2 "--set of an absent section with required keys" "needs" \
    "$BIN" validate "$work/tiny.ini" --set airdrop.x.pool_yuan=100
for s in scenarios/bench_peer*.ini; do
    "$BIN" validate "$s" >/dev/null 2>"$work/err.txt" || fail "validate $s: $(cat "$work/err.txt")"
done
expect 2 "describe airdrp" "did you mean 'airdrop'" "$BIN" describe airdrp

# ---- 7. --compress: FILE.csv.gz holding the same bytes, read back by ecnysim
"$BIN" run "$work/tiny.ini" --out "$work/z/plain" -q || fail "plain run for --compress"
"$BIN" run "$work/tiny.ini" --compress --out "$work/z/gz" -q || fail "run --compress"
"$BIN" run "$work/tiny.ini" --compress --out "$work/z/gz2" -q || fail "second run --compress"
for f in "$work"/z/plain/*.csv; do
    b=$(basename "$f")
    [ -f "$work/z/gz/$b" ] && fail "--compress also wrote $b"
    gzip -dc "$work/z/gz/$b.gz" | cmp -s - "$f" || fail "$b.gz does not hold $b's bytes"
    cmp -s "$work/z/gz/$b.gz" "$work/z/gz2/$b.gz" || fail "$b.gz differs between two runs"
done
"$BIN" rerun "$work/z/gz" >/dev/null 2>"$work/err.txt" || fail "rerun of a compressed run: $(cat "$work/err.txt")"
cp -r "$ROOT/data" "$work/z/data"
gzip "$work/z/data/banks.csv"
sed "s|^data_dir = .*|data_dir = $work/z/data|" "$work/tiny.ini" >"$work/z/gzdata.ini"
"$BIN" validate "$work/z/gzdata.ini" >/dev/null 2>"$work/err.txt" || fail "banks.csv.gz not read: $(cat "$work/err.txt")"
head -c 200 "$work/z/data/banks.csv.gz" >"$work/z/cut.gz" && mv "$work/z/cut.gz" "$work/z/data/banks.csv.gz"
expect 2 "a truncated .gz data file" "banks.csv.gz:[0-9]*: cannot read: unexpected end of file" "$BIN" validate "$work/z/gzdata.ini"
expect 2 "--compress with a batch" "single run" "$BIN" run "$work/tiny.ini" --compress --replications 2 --out "$work/z/b"

echo "e2e_hardening: $failed failed"
[ "$failed" -eq 0 ]
