#!/bin/sh
# e2e_architecture.sh [ROOT]: which folder may include which (docs: DESIGN,
# "Include rules"). sim/ is the engine alone: it includes nothing of cli/,
# models/ or viz/; models/ includes only sim/ (and models/); viz/ includes
# only sim/ (and viz/): it reads published frames, and the glue that needs
# the models lives in cli/ (cli/view.c). cli/ may include all three.
#
# Reads every #include "..." of ROOT/{sim,models,viz}/*.{c,h} (ROOT: the
# repository, by default this script's), the folder taken as the part of the
# path before its first '/' (with any leading ../ dropped). Fails naming each
# offending line as FILE:LINE: includes PATH: FOLDER/ may include only ....
# Needs no binary; under a second.
set -u
ROOT=${1:-$(dirname "$0")/..}
cd "$ROOT" || exit 1
. tests/support/e2e.sh
failed=0

# check FOLDER ALLOWED...: every quoted include of FOLDER/*.[ch] names a
# path under one of the ALLOWED folders (or a bare file of FOLDER itself).
check() {
    folder=$1
    shift
    allowed=" $* "
    names=$(for a in "$@"; do printf ' %s/' "$a"; done)
    n_files=0
    for f in "$folder"/*.c "$folder"/*.h; do
        [ -f "$f" ] || continue
        n_files=$((n_files + 1))
        bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
            sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1 \2/' |
            while read -r line path; do
                p=$path
                while case $p in ../*) true ;; *) false ;; esac; do p=${p#../}; done
                case $p in
                */*) top=${p%%/*} ;;
                *) top=$folder ;; # a bare name: a file beside it
                esac
                case $allowed in
                *" $top "*) ;;
                *) echo "$f:$line: includes $path: $folder/ may include only$names" ;;
                esac
            done)
        [ -z "$bad" ] || { echo "$bad" | while IFS= read -r l; do echo "FAIL: $l"; done; failed=$((failed + $(echo "$bad" | wc -l))); }
    done
    [ "$n_files" -gt 0 ] || fail "$folder/: no .c or .h files (run from the repository?)"
}

check sim sim
check models models sim
check viz viz sim

[ "$failed" -eq 0 ] || { echo "e2e_architecture: $failed wrong includes"; exit 1; }
echo "e2e_architecture: ok (sim/ only sim/, models/ only sim/, viz/ only sim/)"
