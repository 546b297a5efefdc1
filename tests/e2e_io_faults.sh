#!/bin/sh
# e2e_io_faults.sh: results that cannot be written fail cleanly.
# (e2e_results_safety.sh covers a disk that fills up at any write.) Here the
# results folder cannot be made at all, in ways that fail even as root
# (chmod does not stop root):
#   - a regular file where a folder of the path is expected (ENOTDIR);
#   - a path under /dev/null (ENOTDIR);
#   - a path under /proc (the kernel refuses new entries);
#   - --out naming an existing regular file, or a folder that holds files
#     but no manifest.ini (not results): refused, never moved away or emptied.
# Each run must exit 1 with a message naming the path, leave the file that
# was in the way untouched, and leave no .partial folder next to it.
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_io_faults
e2e_tiny_scenario "$work/tiny.ini"
echo "not a folder" >"$work/file"
cp "$work/file" "$work/file.orig"

# refused NAME OUT PATTERN: the run to OUT must exit 1 with PATTERN in stderr.
refused() {
    "$BIN" run "$work/tiny.ini" --out "$2" -q >/dev/null 2>"$work/err"
    status=$?
    [ "$status" -eq 1 ] || fail "$1: exit $status, expected 1"
    grep -q -- "$3" "$work/err" || fail "$1: stderr lacks '$3': $(head -n 2 "$work/err")"
    grep -q 'ecnysim: ' "$work/err" || fail "$1: no 'ecnysim:' message"
    echo "e2e_io_faults: $1: $(head -n 1 "$work/err")"
}
refused "file in the path" "$work/file/res" "$work/file"
refused "under /dev/null" /dev/null/ecnysim-res "/dev/null"
refused "under /proc" /proc/ecnysim-res "/proc"
refused "out is a file" "$work/file" "not a folder"
mkdir "$work/mine"
cp "$work/file" "$work/mine/notes.txt"
refused "out is a folder of other files" "$work/mine" "no manifest.ini"
cmp -s "$work/file" "$work/file.orig" || fail "the file in the way was changed"
cmp -s "$work/mine/notes.txt" "$work/file.orig" || fail "the folder in the way was changed"
left=$(ls -A "$work" | grep -v -x -e tiny.ini -e file -e file.orig -e err -e mine)
[ -z "$left" ] || fail "left in the folder: $left"
[ ! -e /proc/ecnysim-res ] || fail "/proc/ecnysim-res exists"
[ "$failed" -eq 0 ]
