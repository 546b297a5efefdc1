/* assert.c: SIM_ASSERT's failure report and its context (seed, simulated
 * day, city), one per thread; see sim/assert.h. Setting the context is three
 * stores, cheap enough to do once a day or once a city.
 */
#include "sim/assert.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/calendar.h"

static _Thread_local struct {
    bool has_seed, has_day;
    uint64_t seed;
    int32_t day;
    int city; /* -1: none */
} context = {false, false, 0, 0, -1};

void sim_assert_seed(uint64_t seed)
{
    context.seed = seed;
    context.has_seed = true;
}

void sim_assert_day(int32_t day)
{
    context.day = day;
    context.has_day = true;
}

void sim_assert_city(int city) { context.city = city < 0 ? -1 : city; }

void sim_assert_clear(void)
{
    context.has_seed = context.has_day = false;
    context.city = -1;
}

_Noreturn void sim_assert_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    char message[512] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char where[160] = "", date[CAL_DATE_LEN];
    int n = 0;
    if (context.has_seed)
        n += snprintf(where + n, sizeof where - (size_t)n, "%sseed %llu", n ? ", " : "",
                      (unsigned long long)context.seed);
    if (context.has_day) {
        cal_format(context.day, date);
        n += snprintf(where + n, sizeof where - (size_t)n, "%sday %s", n ? ", " : "", date);
    }
    if (context.city >= 0)
        snprintf(where + n, sizeof where - (size_t)n, "%scity %d", n ? ", " : "", context.city);
    fprintf(stderr, "ecnysim: %s:%d: assertion failed: %s: %s%s%s%s\n", file, line, cond, message,
            where[0] ? " (" : "", where, where[0] ? ")" : "");
    fflush(stderr);
    abort();
}
