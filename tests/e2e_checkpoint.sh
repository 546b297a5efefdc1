#!/bin/sh
# e2e_checkpoint.sh: run --checkpoint-every and resume (docs/checkpoint.md).
#
#   1. A run with --checkpoint-every 10 writes the same CSV as one without,
#      and leaves no NAME.checkpoint behind once complete.
#   2. SIGKILL after a checkpoint exists (polled, bounded), then
#      'resume results/NAME/': daily.csv, ledger.csv, programmes.csv are
#      byte-identical to the uninterrupted run (default.ini: airdrop, transit).
#   3. SIGINT: exit 1, status=interrupted, a checkpoint; resume is identical.
#   4. Deterministic "crashes" with programmes (suzhou_2023_kpi.ini: payroll,
#      loans, KPIs; chongqing_2022.ini: rural): ECNYSIM_FAIL_WRITE=N stops a
#      run with exit 1 at its Nth write, leaving the last good checkpoint; its
#      resume must equal the uninterrupted run, for every N tried.
#      A resume of a checkpoint of this version prints no version warning.
#   5. Refusals, exit 2: corrupt, truncated, other-format-version state.ckp,
#      the ecnysim version's bytes patched without the checksum, an edited
#      scenario.ini, a branch key that sizes the population, a branch without
#      --out, a complete run, no checkpoint at all.
#   6. Another ecnysim version: a state.ckp restamped with a valid checksum by
#      tests/tool_ckp_version.c (BUILD/tests/tool_ckp_version beside BIN, or
#      ECNYSIM_CKP_TOOL) is resumed (exit 0) with a warning naming both
#      versions, and finishes byte-identical to the uninterrupted run;
#      restamped back to this version it is the original file, byte for byte.
#   7. A branch: resume --set payments.ecny_choice=... --out NEW runs (exit 0).
# Waits are polls with bounds; if a run ends before the kill lands, the case
# is retried at a smaller scale.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_checkpoint # $pid: a run in the background, killed on exit
TOOL=${ECNYSIM_CKP_TOOL:-$(dirname "$BIN")/tests/tool_ckp_version}
[ -x "$TOOL" ] || { echo "e2e_checkpoint: no tool at $TOOL (make $(dirname "$BIN")/tests/tool_ckp_version)"; exit 1; }
THIS=$("$BIN" --version | sed -n 's/^ecnysim //p')
[ -n "$THIS" ] || { echo "e2e_checkpoint: no version in '$BIN --version'"; exit 1; }
WARNED="was written by ecnysim" # the version warning of cli/resume.c
same() { # same REF DIR FILE...
    r=$1; d=$2; shift 2
    for f in "$@"; do
        cmp -s "$r/$f" "$d/$f" || fail "$d/$f differs from $r/$f"
    done
}
expect2() { # expect2 WHAT PATTERN CMD...: exit 2 and the pattern in stderr
    what=$1; pat=$2; shift 2
    "$@" >"$work/out.txt" 2>"$work/err.txt"; rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$work/err.txt"))"
    grep -q "$pat" "$work/err.txt" || fail "$what: message lacks '$pat': $(cat "$work/err.txt")"
}
days_of() { sed -n 's/^days_run = //p' "$1/manifest.ini" 2>/dev/null; }

SCN=scenarios/default.ini
FILES="daily.csv ledger.csv programmes.csv"

# ---- 1. checkpoints change nothing
"$BIN" run $SCN --out "$work/ref" -q || fail "reference run"
"$BIN" run $SCN --out "$work/ck" --checkpoint-every 10 -q || fail "run with checkpoints"
same "$work/ref" "$work/ck" $FILES
[ -e "$work/ck.checkpoint" ] && fail "a complete run left ck.checkpoint"

# ---- 2. SIGKILL, then resume
kill_case() { # kill_case SIGNAL SCALE: 0 done, 1 retry (the run ended first)
    sig=$1; scale=$2
    rm -rf "$work/k" "$work/k.checkpoint" "$work/refk" "$work"/.k.*
    "$BIN" run $SCN --set scenario.scale="$scale" --out "$work/refk" -q || { fail "reference at $scale"; return 0; }
    "$BIN" run $SCN --set scenario.scale="$scale" --out "$work/k" --checkpoint-every 30 -q 2>"$work/kerr.txt" &
    pid=$!
    i=0
    while [ $i -lt 600 ]; do # up to 60 s for a checkpoint past day 60
        d=$(days_of "$work/k.checkpoint")
        [ -n "$d" ] && [ "$d" -ge 60 ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    kill -s "$sig" $pid 2>/dev/null
    wait $pid; rc=$?
    pid=""
    if [ -e "$work/k/manifest.ini" ] && grep -q "status = complete" "$work/k/manifest.ini"; then
        return 1
    fi
    if [ "$sig" = INT ]; then
        [ $rc -eq 1 ] || fail "SIGINT: exit $rc, expected 1"
        grep -q "status = interrupted" "$work/k/manifest.ini" || fail "SIGINT: no status = interrupted"
        [ "$(days_of "$work/k.checkpoint")" = "$(days_of "$work/k")" ] ||
            fail "SIGINT: the checkpoint is not at the day the run stopped"
    fi
    [ -f "$work/k.checkpoint/state.ckp" ] || { fail "$sig: no checkpoint"; return 0; }
    "$BIN" resume "$work/k/" -q || fail "$sig: resume failed"
    same "$work/refk" "$work/k" $FILES
    [ -e "$work/k.checkpoint" ] && fail "$sig: the resumed run left its checkpoint"
    ls -a "$work" | grep -q '^\.k\.' && fail "$sig: stale .k.* folders left: $(ls -a "$work" | grep '^\.k\.')"
    return 0
}
for sig in KILL INT; do
    done_case=0
    for scale in 50 10 2; do
        if kill_case $sig $scale; then done_case=1; break; fi
        echo "note: the run ended before SIG$sig at scale $scale: retrying at a smaller scale"
    done
    [ $done_case -eq 1 ] || fail "SIG$sig: every run ended before the signal"
done

# ---- 4. deterministic stops by a failing write, with programmes
fault_case() { # fault_case SCENARIO FILES...
    s=$1; shift
    "$BIN" run "$s" --out "$work/fr" -q || fail "reference $s"
    resumed=0
    for n in 3000 12000 40000 90000 200000; do
        rm -rf "$work/f" "$work/f.checkpoint" "$work"/.f.*
        ECNYSIM_FAIL_WRITE=$n "$BIN" run "$s" --out "$work/f" --checkpoint-every 30 -q 2>"$work/ferr.txt"; rc=$?
        [ $rc -eq 0 ] && continue # past the last write
        [ $rc -eq 1 ] || fail "$s FAIL_WRITE=$n: exit $rc, expected 1"
        [ -e "$work/f" ] && fail "$s FAIL_WRITE=$n: a failed run left results"
        [ -f "$work/f.checkpoint/state.ckp" ] || continue # failed before the first checkpoint
        "$BIN" resume "$work/f.checkpoint" -q 2>"$work/ferr.txt" ||
            { fail "$s FAIL_WRITE=$n: resume failed: $(cat "$work/ferr.txt")"; continue; }
        # The same version wrote it: a warning here would be a false alarm.
        grep -q "$WARNED" "$work/ferr.txt" && fail "$s FAIL_WRITE=$n: a version warning: $(cat "$work/ferr.txt")"
        same "$work/fr" "$work/f" "$@"
        resumed=$((resumed + 1))
    done
    [ $resumed -ge 1 ] || fail "$s: no failing write left a checkpoint to resume"
}
fault_case scenarios/suzhou_2023_kpi.ini daily.csv ledger.csv programmes.csv kpi.csv kpi_daily.csv
fault_case scenarios/chongqing_2022.ini daily.csv ledger.csv programmes.csv

# ---- 5. refusals
rm -rf "$work/c" "$work/c.checkpoint"
ECNYSIM_FAIL_WRITE=60000 "$BIN" run $SCN --out "$work/c" --checkpoint-every 10 -q 2>/dev/null
if [ -f "$work/c.checkpoint/state.ckp" ]; then
    ck="$work/c.checkpoint"
    cp -r "$ck" "$work/bad"
    size=$(wc -c <"$ck/state.ckp")
    printf 'X' | dd of="$work/bad/state.ckp" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    expect2 "flipped byte" "checksum" "$BIN" resume "$work/bad" -q
    cp "$ck/state.ckp" "$work/bad/state.ckp"
    head -c $((size - 1000)) "$ck/state.ckp" >"$work/bad/state.ckp"
    expect2 "truncated" "truncated\|checksum" "$BIN" resume "$work/bad" -q
    cp "$ck/state.ckp" "$work/bad/state.ckp"
    printf '\011' | dd of="$work/bad/state.ckp" bs=1 seek=8 conv=notrunc 2>/dev/null
    expect2 "other format version" "version 9" "$BIN" resume "$work/bad" -q
    cp "$ck/state.ckp" "$work/bad/state.ckp"
    # The ecnysim version's first byte, found by its text in the header (not
    # a guessed layout): the checksum covers it, hence section 6's tool.
    version=$(cat VERSION)
    at=$(head -c 256 "$ck/state.ckp" | grep -abo "$version" | head -n 1 | cut -d: -f1)
    [ -n "$at" ] || fail "the version $version is not in state.ckp's header"
    printf '9' | dd of="$work/bad/state.ckp" bs=1 seek="$at" conv=notrunc 2>/dev/null
    expect2 "ecnysim version patched" "checksum" "$BIN" resume "$work/bad" -q
    cp "$ck/state.ckp" "$work/bad/state.ckp"
    echo "; edited" >>"$work/bad/scenario.ini"
    expect2 "edited scenario" "changed after the checkpoint" "$BIN" resume "$work/bad" -q
    expect2 "sizing key" "city.shenzhen.population" "$BIN" resume "$ck" --set city.shenzhen.population=1000 --out "$work/b1" -q
    expect2 "scale" "scenario.scale" "$BIN" resume "$ck" --set scenario.scale=100 --out "$work/b1" -q
    expect2 "branch without --out" "needs --out" "$BIN" resume "$ck" --set payments.ecny_choice=0.2 -q
    # ---- 6. another ecnysim version, validly stamped: said, then the same results
    other=0.0.0-e2e
    [ "$other" != "$THIS" ] || fail "this ecnysim is $other: choose another version for the test"
    mkdir "$work/v" && cp -r "$ck" "$work/v/c.checkpoint"
    "$TOOL" "$ck/state.ckp" "$work/v/c.checkpoint/state.ckp" "$other" || fail "$TOOL could not restamp $ck"
    "$TOOL" "$work/v/c.checkpoint/state.ckp" "$work/back.ckp" "$THIS" || fail "$TOOL could not restamp back"
    cmp -s "$ck/state.ckp" "$work/back.ckp" || fail "restamped back to $THIS, state.ckp differs from the original"
    "$BIN" resume "$work/v/c" -q 2>"$work/verr.txt"; rc=$?
    [ $rc -eq 0 ] || fail "other ecnysim version: exit $rc, expected 0 ($(cat "$work/verr.txt"))"
    grep -q "warning" "$work/verr.txt" && grep -qF "$WARNED $other and this is $THIS" "$work/verr.txt" ||
        fail "other ecnysim version: no warning naming $other and $THIS: $(cat "$work/verr.txt")"
    same "$work/ref" "$work/v/c" $FILES
    grep -q "status = complete" "$work/v/c/manifest.ini" || fail "other ecnysim version: the run is not complete"
    [ -e "$work/v/c.checkpoint" ] && fail "other ecnysim version: the resumed run left its checkpoint"
    # ---- 7. a branch
    "$BIN" resume "$ck" --set payments.ecny_choice=0.2 --out "$work/branch" -q || fail "branch: resume failed"
    [ -f "$work/branch/daily.csv" ] || fail "branch: no daily.csv"
    [ -f "$ck/state.ckp" ] || fail "branch: the original checkpoint was removed"
    cmp -s "$work/branch/daily.csv" "$work/ref/daily.csv" && fail "branch: the changed key changed nothing"
else
    fail "FAIL_WRITE=60000 left no checkpoint for the refusal cases"
fi
expect2 "complete run" "complete run" "$BIN" resume "$work/ref" -q
expect2 "no checkpoint" "no checkpoint" "$BIN" resume "$work/nothing" -q

[ $failed -eq 0 ] && echo "e2e_checkpoint: all passed"
[ $failed -eq 0 ]
