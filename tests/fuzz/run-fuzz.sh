#!/bin/sh
# run-fuzz.sh BUILD SECONDS: runs each libFuzzer harness in BUILD for SECONDS
# on its corpus (BUILD/corpus/NAME, seeded by make-corpus.sh), one process
# each. Crashes are written to BUILD/artifacts/ (crash-*, leak-*, timeout-*);
# every one of them should become a regression under tests/fuzz/regressions/.
# Prints each harness's executions; exits 1 if any harness found a crash.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build/fuzz}
SECONDS_EACH=${2:-60}
sh tests/fuzz/make-corpus.sh "$BUILD/corpus" || exit 1
mkdir -p "$BUILD/artifacts"
status=0
for h in scenario table; do
    bin="$BUILD/fuzz_$h"
    [ -x "$bin" ] || { echo "run-fuzz: no harness $bin"; exit 1; }
    log="$BUILD/fuzz_$h.log"
    echo "fuzz_$h: ${SECONDS_EACH}s on $BUILD/corpus/$h (log: $log)"
    "$bin" "$BUILD/corpus/$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/${h}-" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz_$h: exit $rc, ${execs:-?} executions, corpus $(ls "$BUILD/corpus/$h" | wc -l) files"
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5
    fi
done
ls "$BUILD/artifacts" | sed 's/^/artifact: /'
exit $status
