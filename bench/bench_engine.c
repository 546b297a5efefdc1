/* bench_engine: the engine's event rate (eng_schedule + dispatch in
 * eng_step_day) with P events pending, P = 1 M and 10 M.
 *
 * A day is filled with P events at uniform random seconds; each handled
 * event schedules one more at a uniform later second of the same day until
 * E events have run, so the queue holds about P throughout. Prints events
 * per second of (schedule + pop + dispatch), the figure bench_scale.sh shows.
 *
 * usage: bench_engine [events=20000000]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/calendar.h"
#include "sim/engine.h"

typedef struct {
    uint64_t s, budget;
} ctx;

static uint64_t next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void on_event(void *p, eng_engine *eng, const ev_event *e)
{
    ctx *c = p;
    if (c->budget == 0)
        return;
    c->budget--;
    int64_t now = eng_now(eng), left = CAL_DAY_S - now;
    if (left > 1 && !eng_schedule(eng, now + 1 + (int64_t)(next(&c->s) % (uint64_t)(left - 1)), 1, 0, e->agent, 0))
        eng_fail(eng, "queue full");
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000ull;
    const uint64_t pending[] = {1000000ull, 10000000ull};
    for (int k = 0; k < 2; k++) {
        uint64_t p = pending[k];
        eng_engine *eng = eng_alloc(0, 1, p + 16, p * 2 + 16);
        ctx c = {42, events > p ? events - p : 0};
        if (!eng || !eng_on_event(eng, 1, on_event, &c)) {
            fprintf(stderr, "bench_engine: out of memory\n");
            return 1;
        }
        for (uint64_t i = 0; i < p; i++)
            eng_schedule(eng, (int64_t)(next(&c.s) % (CAL_DAY_S / 2)), 1, 0, (uint32_t)i, 0);
        double t0 = now_s();
        if (!eng_step_day(eng)) {
            fprintf(stderr, "bench_engine: %s\n", eng_failed(eng));
            return 1;
        }
        double sec = now_s() - t0;
        uint64_t run = eng_events_run(eng);
        printf("pending=%llu events=%llu seconds=%.3f events_per_s=%.0f\n", (unsigned long long)p,
               (unsigned long long)run, sec, (double)run / sec);
        eng_free(eng);
    }
    return 0;
}
