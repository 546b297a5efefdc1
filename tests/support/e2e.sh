# e2e.sh: shared set-up of the end-to-end scripts (sourced, not run).
#
#   . tests/support/e2e.sh; e2e_setup NAME
# moves to the repository root, sets BIN (ECNYSIM_BIN or the release binary;
# exits 1 if missing), makes a scratch folder $work removed on exit (and
# kills $pid first, when a script left a background run in it), and defines
# fail(), which prints a FAIL line and counts it in $failed; with
# E2E_FAIL_FAST=1 set before e2e_setup, fail() exits 1 at once instead, for
# scripts whose later steps build on every earlier one.
# e2e_tiny_scenario FILE writes the smallest real scenario (Xiong'an, one
# day, 1:100000, data/ by absolute path so it runs from any folder).

e2e_setup() {
    cd "$(dirname "$0")/.." || exit 1
    BIN=${ECNYSIM_BIN:-build/release/ecnysim}
    [ -x "$BIN" ] || { echo "$1: no binary at $BIN (set ECNYSIM_BIN)"; exit 1; }
    work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-$1.XXXXXX") || exit 1
    pid=""
    trap 'e2e_cleanup' EXIT
    trap 'exit 1' INT TERM
    failed=0
}

e2e_cleanup() {
    [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$work"
}

fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
    [ "${E2E_FAIL_FAST:-0}" = 1 ] && exit 1
    return 0
}

e2e_tiny_scenario() {
    cat >"$1" <<INI
[scenario]
start = 2020-04-01
days = 1
scale = 100000
seed = 11
data_dir = $PWD/data

[city.xiongan]
INI
}
