#!/bin/sh
# make-corpus.sh OUTDIR: builds the seed corpora of the fuzz harnesses.
#   OUTDIR/scenario: scenarios/*.ini, tests/bad/*.ini, tests/fuzz/regressions/scenario/*
#   OUTDIR/table:    data/*.csv and tests/bad/data/*/*.csv, each prefixed with the
#                    byte that makes fuzz_table load it as that file (0 cities,
#                    1 banks, 2 merchant categories), plus each as a plain table
#                    (3), and tests/fuzz/regressions/table/* as they are.
# Existing corpus files (what earlier runs found) are kept.
cd "$(dirname "$0")/../.." || exit 1
out=${1:?usage: make-corpus.sh OUTDIR}
mkdir -p "$out/scenario" "$out/table" || exit 1
for f in scenarios/*.ini tests/bad/*.ini tests/fuzz/regressions/scenario/*; do
    [ -f "$f" ] || continue
    cp "$f" "$out/scenario/seed-$(echo "$f" | tr '/' '_')"
done
prefixed() { # BYTE FILE NAME
    { printf "\\$(printf '%03o' "$1")"; cat "$2"; } >"$out/table/$3"
}
for f in data/*.csv tests/bad/data/*/*.csv; do
    [ -f "$f" ] || continue
    case $(basename "$f") in
        cities.csv) b=0 ;;
        banks.csv) b=1 ;;
        merchant_categories.csv) b=2 ;;
        *) b=3 ;;
    esac
    name=$(echo "$f" | tr '/' '_')
    prefixed "$b" "$f" "seed-$b-$name"
    prefixed 3 "$f" "seed-3-$name"
done
for f in tests/fuzz/regressions/table/*; do
    [ -f "$f" ] && cp "$f" "$out/table/seed-$(basename "$f")"
done
exit 0
