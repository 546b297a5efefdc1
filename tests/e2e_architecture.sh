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
# Then the files a plain 'ecnysim run S.ini' crosses (DESIGN: cli/session.c
# is the one place that wires sim/ and models/ for a run): main.c's
# run_command, session.c and run.c may call only cli_ functions defined in
# main.c, session.c and run.c, less the exceptions named below with the
# flag or scenario that reaches them (main() itself parses the flags with
# cli/args.c first). A call is an identifier cli_NAME( outside comments; its
# file is the cli/*.c that defines it at the start of a line.
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

# defined_in NAME: the cli/*.c file defining function NAME (empty if none).
defined_in() {
    grep -lE "^[a-z_][a-z0-9_ *]*[ *]$1\(" cli/*.c 2>/dev/null | head -n 1
}

# calls_of: the cli_ functions called in stdin's code, comments dropped.
calls_of() {
    sed -e 's|/\*.*\*/||g' -e '/^[[:space:]]*\/\*/d' -e '/^[[:space:]]*\*/d' |
        grep -oE '\bcli_[a-z0-9_]+\(' | tr -d '(' | sort -u
}

# plain_run WHERE ALLOWED_ELSEWHERE: WHERE's calls (stdin) must be defined in
# main.c, session.c or run.c, or be one of ALLOWED_ELSEWHERE.
plain_run() {
    where=$1
    extra=" $2 "
    for fn in $(calls_of); do
        file=$(defined_in "$fn")
        case $file in
        cli/main.c | cli/session.c | cli/run.c | "") continue ;;
        esac
        case $extra in *" $fn "*) continue ;; esac
        fail "$where calls $fn ($file): a plain run crosses only cli/main.c, cli/session.c and cli/run.c"
    done
}

# main.c's run_command: mpirun with ranks (mpi.c), a batch (batch.c), the
# [peer] economy (peer.c) go elsewhere; the plain run does not.
[ -f cli/main.c ] && grep -q '^static int run_command(' cli/main.c ||
    fail "cli/main.c: no run_command (the 'run' command's dispatch)"
sed -n '/^static int run_command(/,/^}/p' cli/main.c | plain_run "cli/main.c run_command" "cli_dist_run cli_batch cli_run_peer"
# session.c: cli_run (a batch's runs, resume, the view) runs a [peer]
# scenario through peer.c.
plain_run cli/session.c "cli_run_peer" <cli/session.c
# run.c: checkpoints only with --checkpoint-every or 'resume' (resume.c).
plain_run cli/run.c "cli_ckp_prepare cli_ckp_restore_rows cli_ckp_maybe cli_ckp_remove" <cli/run.c
[ "$failed" -eq 0 ] || { echo "e2e_architecture: $failed problems"; exit 1; }
echo "e2e_architecture: ok (sim/ only sim/, models/ only sim/, viz/ only sim/; a plain run crosses cli/main.c, session.c, run.c)"
