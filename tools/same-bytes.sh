#!/bin/sh
# same-bytes.sh REV [BUILD]: does this tree write the same bytes as commit REV?
#
# For a change meant to leave behaviour alone (a move, a split, a rename):
# builds REV in a temporary git worktree (make -j2 all), then runs every
# scenarios/*.ini present in both trees at its default scale (except the
# long bench_*1to1 and calib_pilots), plus a batch with --jobs 2, a sweep,
# replications of a KPI scenario, a weighted ensemble, --trace, --compress and
# --checkpoint-every, once with REV's binary in REV's tree and once with
# BUILD's (default build/release) in this one, and compares every CSV file
# byte for byte (manifest.ini too, less the lines naming paths). Prints each
# file that differs; exits 1 if any does or a run fails, 0 when all are equal.
# Not part of `make test`: it needs git and a second build (a few minutes).
set -u
[ $# -ge 1 ] || { echo "usage: tools/same-bytes.sh REV [BUILD]" >&2; exit 2; }
REV=$1
here=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$here" || exit 1
BIN=$here/${2:-build/release}/ecnysim
[ -x "$BIN" ] || { echo "same-bytes: no binary at $BIN (make first)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-same.XXXXXX") || exit 1
trap 'git -C "$here" worktree remove --force "$work/base" >/dev/null 2>&1; rm -rf "$work"' EXIT INT TERM
git worktree add --detach "$work/base" "$REV" >/dev/null 2>&1 || { echo "same-bytes: cannot check out $REV" >&2; exit 1; }
echo "same-bytes: building $REV ..."
(cd "$work/base" && make -j2 all >"$work/build.log" 2>&1) || { tail -n 20 "$work/build.log"; exit 1; }

# runs TREE BIN OUT: every case into OUT/NAME; a failed run is a difference.
runs() {
    (
        cd "$1" || exit 1
        for s in scenarios/*.ini; do
            n=$(basename "$s" .ini)
            case $n in bench_*1to1 | calib_pilots) continue ;; esac
            [ -f "$here/$s" ] && [ -f "$work/base/$s" ] || continue
            "$2" run "$s" --quiet --out "$3/$n" 2>"$3/$n.err" || echo "run $n failed in $1"
        done
        k=scenarios/suzhou_2023_kpi.ini d=scenarios/default.ini
        "$2" run $d --quiet --seed 7 --replications 3 --jobs 2 --out "$3/x_batch" 2>/dev/null || echo "x_batch failed"
        "$2" run $d --quiet --vary adoption.open_rate=0.1,0.2 --out "$3/x_vary" 2>/dev/null || echo "x_vary failed"
        "$2" run $k --quiet --replications 3 --jobs 2 --out "$3/x_kpi" 2>/dev/null || echo "x_kpi failed"
        "$2" run $k --quiet --ensemble 4 --jobs 2 --out "$3/x_ens" 2>/dev/null || echo "x_ens failed"
        "$2" run $d --quiet --trace 0.01 --out "$3/x_trace" 2>/dev/null || echo "x_trace failed"
        "$2" run $d --quiet --compress --out "$3/x_gz" 2>/dev/null || echo "x_gz failed"
        "$2" run $d --quiet --checkpoint-every 100 --out "$3/x_ckp" 2>/dev/null || echo "x_ckp failed"
    )
}
mkdir -p "$work/a" "$work/b"
echo "same-bytes: running $REV and this tree ..."
failed=$( (runs "$work/base" "$work/base/build/release/ecnysim" "$work/a"; runs "$here" "$BIN" "$work/b") | wc -l)
[ "$failed" -eq 0 ] || echo "same-bytes: $failed runs failed"
n=0 bad=0
for f in $(cd "$work/a" && find . -name '*.csv' -o -name '*.csv.gz' -o -name manifest.ini | sort); do
    n=$((n + 1))
    if [ "${f##*/}" = manifest.ini ]; then
        grep -v -e '^command' -e '^cwd' -e '^data_dir' -e '^results' "$work/a/$f" >"$work/ma"
        grep -v -e '^command' -e '^cwd' -e '^data_dir' -e '^results' "$work/b/$f" >"$work/mb" 2>/dev/null
        cmp -s "$work/ma" "$work/mb" || { echo "differs: $f"; bad=$((bad + 1)); }
    else
        cmp -s "$work/a/$f" "$work/b/$f" || { echo "differs: $f"; bad=$((bad + 1)); }
    fi
done
echo "same-bytes: $n files of $REV compared, $bad differ"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
