/* assert.h: the always-on assertion of the engine and the models (prefix
 * sim_assert_): SIM_ASSERT(cond, fmt, ...) checks a programmer's promise (a
 * pointer not NULL, an index in range, a day within the run) and, when it is
 * broken, prints the failed condition, file:line, a message, and the seed,
 * simulated day and city when the run has said them, then aborts.
 *
 * Operating errors (a bad scenario, a missing file, memory) are never
 * assertions: they return a status (sim/error.h). Only cheap checks belong
 * here, at the preconditions of public functions: never inside a
 * per-payment loop (the ledger's own LED_ASSERT covers those paths).
 *
 * The context is thread-local: the run sets the seed when its world is
 * built, the engine the day as each day starts, and a model the city it is
 * working on (sim_assert_city, -1 when none). Unset fields are not printed.
 */
#ifndef ECNYSIM_SIM_ASSERT_H
#define ECNYSIM_SIM_ASSERT_H

#include <stdint.h>

#define SIM_ASSERT(cond, ...)                                                    \
    do {                                                                         \
        if (!(cond))                                                             \
            sim_assert_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);             \
    } while (0)

/* The run's seed, from now on in every failed assertion of this thread. */
void sim_assert_seed(uint64_t seed);
/* The simulated day (a calendar day number, sim/calendar.h) being run. */
void sim_assert_day(int32_t day);
/* The city (index in the scenario) being worked on; -1: none. */
void sim_assert_city(int city);
/* Forgets the seed, day and city (a new run in the same process). */
void sim_assert_clear(void);

/* Prints "ecnysim: FILE:LINE: assertion failed: COND: MESSAGE (seed S, day
 * YYYY-MM-DD, city C)" to stderr and aborts. Called by SIM_ASSERT. */
_Noreturn void sim_assert_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
