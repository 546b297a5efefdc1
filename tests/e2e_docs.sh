#!/bin/sh
# e2e_docs.sh: docs/scenario-reference.md must be exactly what
# `ecnysim describe --markdown` prints from the schema (the docs cannot drift
# from the code). On a difference: run `make docs` and commit the file.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_docs
doc=docs/scenario-reference.md
if [ ! -f "$doc" ]; then
    echo "FAIL: $doc is missing: run 'make docs'"
    exit 1
fi
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
