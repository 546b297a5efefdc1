/* alloc.h: allocation-failure injection for tests (prefix mem_).
 *
 * The program allocates with the C library directly; a test build links the
 * same objects with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * --wrap=aligned_alloc,--wrap=strdup (the Makefile's $(BUILD)/ecnysim-faults),
 * so every allocation made by ecnysim's own code passes through sim/alloc.c.
 * Allocations inside shared libraries (iniparser, libcsv, the C library's
 * getline and fopen) are not counted.
 *
 *   ECNYSIM_FAIL_ALLOC=N    the Nth counted allocation returns NULL (once)
 *   ECNYSIM_TRACE_ALLOC=1   also print the call stack of the failing one
 *   ECNYSIM_COUNT_ALLOC=1   print "ecnysim: N allocations" to stderr at exit
 *
 * In the normal binary nothing refers to these functions and none of this
 * is linked in.
 */
#ifndef ECNYSIM_ALLOC_H
#define ECNYSIM_ALLOC_H

/* From now on the Nth allocation fails (0: none); resets the count. */
void mem_fail_at(long n);
/* Allocations counted so far. */
long mem_count(void);

#endif
