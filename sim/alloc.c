/* alloc.c: the --wrap allocation wrappers of the fault-injection build; see
 * alloc.h. Each wrapper counts the call and fails the Nth one, else calls
 * the real allocator (__real_malloc is the C library's, or AddressSanitizer's
 * in a sanitize build, so leak checking still sees every block). The count
 * is atomic: batch runs allocate from several threads. Cost: one atomic
 * increment per allocation. */
#include "sim/alloc.h"

#include <errno.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
char *__wrap_strdup(const char *s);

static atomic_long count;
static long fail_n = -1; /* -1: ECNYSIM_FAIL_ALLOC not read yet */

static void report_count(void)
{
    fprintf(stderr, "ecnysim: %ld allocations\n", atomic_load(&count));
}

/* True when this allocation is the one to fail. */
static int should_fail(void)
{
    if (fail_n < 0) {
        const char *s = getenv("ECNYSIM_FAIL_ALLOC");
        fail_n = s && *s ? atol(s) : 0;
        const char *c = getenv("ECNYSIM_COUNT_ALLOC");
        if (c && *c && *c != '0')
            atexit(report_count);
    }
    long k = atomic_fetch_add(&count, 1) + 1;
    if (fail_n > 0 && k == fail_n) {
        if (getenv("ECNYSIM_TRACE_ALLOC")) { /* where it failed, for debugging */
            void *frames[16];
            fprintf(stderr, "ecnysim: allocation %ld fails here:\n", k);
            backtrace_symbols_fd(frames, backtrace(frames, 16), 2);
        }
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void mem_fail_at(long n)
{
    fail_n = n > 0 ? n : 0;
    atomic_store(&count, 0);
}

long mem_count(void) { return atomic_load(&count); }

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t align, size_t n) { return should_fail() ? NULL : __real_aligned_alloc(align, n); }

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = __wrap_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
