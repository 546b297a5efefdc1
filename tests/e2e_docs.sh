#!/bin/sh
# e2e_docs.sh: docs/scenario-reference.md must be exactly what
# `ecnysim describe --markdown` prints from the schema (the docs cannot drift
# from the code). On a difference: run `make docs` and commit the file.
cd "$(dirname "$0")/.." || exit 1
BIN=${ECNYSIM_BIN:-build/release/ecnysim}
[ -x "$BIN" ] || { echo "e2e_docs: no binary at $BIN (set ECNYSIM_BIN)"; exit 1; }
doc=docs/scenario-reference.md
if [ ! -f "$doc" ]; then
    echo "FAIL: $doc is missing: run 'make docs'"
    exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ecnysim-docs.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
if ! "$BIN" describe --markdown >"$work/now.md"; then
    echo "FAIL: ecnysim describe --markdown exited non-zero"
    exit 1
fi
if ! cmp -s "$work/now.md" "$doc"; then
    echo "FAIL: $doc is out of date with the schema: run 'make docs' and commit it"
    diff -u "$doc" "$work/now.md" | head -n 40
    exit 1
fi
echo "e2e_docs: ok"
