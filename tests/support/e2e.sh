# e2e.sh: shared set-up of the end-to-end scripts (sourced, not run).
#
#   . tests/support/e2e.sh; e2e_setup NAME
# moves to the repository root, sets BIN (ECNYSIM_BIN or the release binary;
# exits 1 if missing), makes a scratch folder $work removed on exit, and
# defines fail(), which prints a FAIL line and counts it in $failed.
# e2e_tiny_scenario FILE writes the smallest real scenario (Xiong'an, one
# day, 1:100000, data/ by absolute path so it runs from any folder).

e2e_setup() {
    cd "$(dirname "$0")/.." || exit 1
    BIN=${ECNYSIM_BIN:-build/release/ecnysim}
    [ -x "$BIN" ] || { echo "$1: no binary at $BIN (set ECNYSIM_BIN)"; exit 1; }
    work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-$1.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT INT TERM
    failed=0
}

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

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
