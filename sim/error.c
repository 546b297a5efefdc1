/* error.c: collects operating-error messages; see error.h. No allocation. */
#include "sim/error.h"

#include <stdarg.h>
#include <string.h>

void err_init(err_list *e)
{
    memset(e, 0, sizeof *e);
}

void err_add(err_list *e, const char *fmt, ...)
{
    if (e->count < ERR_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg[e->count], ERR_MSG_LEN, fmt, ap);
        va_end(ap);
    }
    e->count++;
}

void err_print(const err_list *e, FILE *to)
{
    int kept = e->count < ERR_MAX ? e->count : ERR_MAX;
    for (int i = 0; i < kept; i++)
        fprintf(to, "ecnysim: %s\n", e->msg[i]);
    if (e->count > kept)
        fprintf(to, "ecnysim: ... and %d more errors\n", e->count - kept);
}
