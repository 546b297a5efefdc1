#!/bin/sh
# e2e_interrupt.sh: SIGINT and SIGTERM stop a run cleanly at a day's end.
#
# A reference run of scenarios/national_2021.ini (12 pilot areas, 640 days,
# at --set scenario.scale=S) runs to completion. Then the same run is started
# again, the test polls its temporary (.partial) folder until daily.csv holds
# some days, and sends SIGINT (second case: SIGTERM). The interrupted run must:
#   - exit 1 and say it was interrupted;
#   - leave the results folder with manifest status = interrupted, days_run
#     below days_planned and last_date = the date of the last row written;
#   - end every CSV with complete rows (each line has the header's field
#     count) and, in daily.csv, every city of the last day;
#   - hold exactly the first lines of the reference run's files, byte for byte;
#   - leave no .partial (nor .old) folder.
# Waits are polls with bounds, not fixed sleeps, so a loaded machine only
# makes it slower. If a run finishes before the signal lands (a fast machine),
# the case is retried at a smaller scale (more agents, a longer run).
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_interrupt # $pid: a run in the background, killed on exit
SCN=scenarios/national_2021.ini
# Bytes of daily.csv to wait for before signalling: past stdio's first
# buffer, so some days are surely on disk, yet far from the end (~1.7 MB at
# scale 50, ~4 MB at scale 20).
WANT_BYTES=${ECNYSIM_INTR_BYTES:-40000}

# fields FILE: prints the distinct field counts of FILE's lines (no quoted
# commas in these files: every field is a number, a date or a name).
fields() { awk -F, '{ print NF }' "$1" | sort -u; }

# interrupt SIG SCALE: runs, interrupts, checks. Returns 2 when the run ended
# before the signal (to retry at a smaller scale).
interrupt() {
    sig=$1 scale=$2
    root="$work/$sig.root"
    err="$work/$sig.err"
    rm -rf "$root"
    mkdir -p "$root"
    "$BIN" run "$SCN" --set scenario.scale="$scale" --out "$root/res" -q 2>"$err" &
    pid=$!
    # Poll (at most ~120 s) for the .partial folder's daily.csv to grow.
    i=0 size=0
    while [ "$i" -lt 2400 ]; do
        kill -0 "$pid" 2>/dev/null || break
        for f in "$root"/.res.partial-*/daily.csv; do
            [ -f "$f" ] && size=$(wc -c <"$f")
        done
        [ "$size" -ge "$WANT_BYTES" ] && break
        sleep 0.05
        i=$((i + 1))
    done
    kill -"$sig" "$pid" 2>/dev/null
    # Wait (bounded) for it to stop: it finishes the current day first.
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 1200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$sig: the run did not stop within 60 s of the signal"
        kill -9 "$pid" 2>/dev/null
        pid=""
        return 1
    fi
    wait "$pid"
    status=$?
    pid=""
    if [ "$status" -eq 0 ] && grep -q '^status = complete' "$root/res/manifest.ini" 2>/dev/null; then
        return 2 # finished before the signal
    fi
    [ "$status" -eq 1 ] || fail "$sig: exit $status, expected 1"
    grep -q 'interrupted' "$err" || fail "$sig: stderr does not say interrupted: $(head -n 2 "$err")"
    left=$(ls -A "$root")
    [ "$left" = "res" ] || fail "$sig: the results root holds '$left', expected only res (no .partial)"
    m="$root/res/manifest.ini"
    [ -f "$m" ] || { fail "$sig: no manifest.ini"; return 1; }
    grep -q '^status = interrupted$' "$m" || fail "$sig: manifest status is not interrupted: $(grep '^status' "$m")"
    run=$(sed -n 's/^days_run = //p' "$m")
    planned=$(sed -n 's/^days_planned = //p' "$m")
    last=$(sed -n 's/^last_date = //p' "$m")
    [ -n "$run" ] && [ "$run" -gt 0 ] && [ "$run" -lt "$planned" ] ||
        fail "$sig: days_run '$run' not in 1..days_planned-1 ($planned)"
    for csv in daily.csv ledger.csv; do
        f="$root/res/$csv"
        [ -f "$f" ] || { fail "$sig: no $csv"; continue; }
        [ "$(fields "$f" | wc -l)" -eq 1 ] || fail "$sig: $csv has lines of different field counts: $(fields "$f" | tr '\n' ' ')"
        [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "$sig: $csv does not end with a newline"
        lines=$(wc -l <"$f")
        head -n "$lines" "$work/ref/$csv" | cmp -s - "$f" || fail "$sig: $csv differs from the first $lines lines of the uninterrupted run"
        lastrow=$(tail -n 1 "$f" | cut -d, -f1)
        [ "$lastrow" = "$last" ] || fail "$sig: $csv's last row is dated $lastrow, manifest last_date is $last"
        got=$(grep -c "^$last," "$f")
        want=$(grep -c "^$last," "$work/ref/$csv")
        [ "$got" -eq "$want" ] || fail "$sig: $csv has $got rows for $last, the full run $want"
    done
    days=$(cut -d, -f1 "$root/res/daily.csv" | sed 1d | sort -u | wc -l)
    [ "$days" -eq "$run" ] || fail "$sig: daily.csv holds $days dates, manifest days_run is $run"
    echo "e2e_interrupt: $sig at scale $scale stopped after $run of $planned days (last_date $last)"
    return 0
}

for sig in INT TERM; do
    for scale in 20 5 1; do
        if [ ! -d "$work/ref.$scale" ]; then
            rm -rf "$work/ref"
            "$BIN" run "$SCN" --set scenario.scale="$scale" --out "$work/ref.$scale" -q 2>"$work/ref.err" ||
                { fail "reference run at scale $scale failed: $(head -n 3 "$work/ref.err")"; break; }
        fi
        rm -f "$work/ref"
        ln -s "ref.$scale" "$work/ref"
        interrupt "$sig" "$scale"
        r=$?
        [ "$r" -eq 2 ] || break
        echo "e2e_interrupt: $sig: the run at scale $scale ended before the signal; trying a smaller scale"
        [ "$scale" -eq 1 ] && fail "$sig: every run ended before the signal"
    done
done
[ "$failed" -eq 0 ]
