#!/bin/sh
# run-bench.sh BUILD: runs every benchmark program in BUILD/bench/ in turn,
# each under a header line, then every script bench/*.sh (the scale table),
# and exits non-zero if any of them failed.
# Benchmarks print their own figures; nothing here times anything.
BUILD=${1:-build/release}
status=0
found=0
for b in "$BUILD"/bench/*; do
    case "$b" in *.o|*.d) continue ;; esac
    [ -f "$b" ] && [ -x "$b" ] || continue
    found=1
    echo "== $(basename "$b") =="
    # the output stays in BUILD/bench/NAME.out for the scripts below to reuse
    if "$b" >"$b.out" 2>&1; then cat "$b.out"; else rc=$?; cat "$b.out"; echo "FAILED: $(basename "$b") (exit $rc)"; status=1; fi
done
# Benchmark scripts (bench/*.sh but this one): bench_scale.sh prints the scale table.
for s in bench/*.sh; do
    [ "$s" = bench/run-bench.sh ] && continue
    [ -f "$s" ] || continue
    echo "== $(basename "$s") =="
    sh "$s" "$BUILD" || { echo "FAILED: $(basename "$s")"; status=1; }
done
[ "$found" -eq 1 ] || echo "no benchmarks in $BUILD/bench (build them with make bench)"
exit $status
