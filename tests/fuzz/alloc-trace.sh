#!/bin/sh
# alloc-trace.sh BIN N ARGS...: runs BIN (an ecnysim-faults build) with its
# Nth allocation failing and prints the symbolized call stack of that
# allocation, then the run's own stderr. For debugging e2e_alloc_faults.sh.
bin=$1 n=$2
shift 2
ECNYSIM_TRACE_ALLOC=1 ECNYSIM_FAIL_ALLOC=$n "$bin" "$@" >/dev/null 2>/tmp/alloc-trace.$$
rc=$?
sed -n "s|^$bin(\([^)]*\)).*|\1|p" /tmp/alloc-trace.$$ | while read -r off; do
    case $off in
        +*) addr2line -f -i -p -e "$bin" "${off#+}" ;;
        *) echo "$off" ;;
    esac
done
grep -v "^$bin(\|^/lib" /tmp/alloc-trace.$$ | head -n 20
echo "exit $rc"
rm -f /tmp/alloc-trace.$$
