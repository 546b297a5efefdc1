/* error.c: collects operating-error messages and their kinds; see error.h.
 * No allocation; a message costs one vsnprintf. */
#include "sim/error.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

void err_init(err_list *e)
{
    memset(e, 0, sizeof *e);
}

/* A run's own failure (I/O, memory, invariant, interruption) outranks a bad
 * input or usage; between two of the same rank the first stays. */
static bool is_runtime(err_kind k)
{
    return k == ERR_IO || k == ERR_MEMORY || k == ERR_INVARIANT || k == ERR_INTERRUPTED;
}

static void add(err_list *e, err_kind kind, const char *fmt, va_list ap)
{
    assert(kind > ERR_NONE && kind <= ERR_INTERRUPTED);
    if (e->count < ERR_MAX)
        vsnprintf(e->msg[e->count], ERR_MSG_LEN, fmt, ap);
    e->count++;
    if (e->kind == ERR_NONE || (is_runtime(kind) && !is_runtime(e->kind)))
        e->kind = kind;
}

void err_add(err_list *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(e, ERR_INPUT, fmt, ap);
    va_end(ap);
}

void err_add_kind(err_list *e, err_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(e, kind, fmt, ap);
    va_end(ap);
}

int err_exit_status(const err_list *e)
{
    if (e->count == 0)
        return 0;
    assert(e->kind != ERR_NONE);
    return is_runtime(e->kind) ? 1 : 2;
}

const char *err_kind_name(err_kind kind)
{
    static const char *const names[] = {"none", "usage", "input", "I/O", "memory", "invariant", "interrupted"};
    return kind >= ERR_NONE && kind <= ERR_INTERRUPTED ? names[kind] : "unknown";
}

void err_print(const err_list *e, FILE *to)
{
    int kept = e->count < ERR_MAX ? e->count : ERR_MAX;
    for (int i = 0; i < kept; i++)
        fprintf(to, "ecnysim: %s\n", e->msg[i]);
    if (e->count > kept)
        fprintf(to, "ecnysim: ... and %d more errors\n", e->count - kept);
}
