/* engine.c: the day loop over the event queue; see engine.h.
 * Cost per event: the queue's push and pop (sim/event.c: O(1) within the
 * calendar window of about 1.5 days, a heap step beyond it) and one
 * indirect call. */
#include "sim/engine.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/assert.h"
#include "sim/calendar.h"

typedef struct {
    eng_day_fn fn;
    void *ctx;
} day_hook;

struct eng_engine {
    ev_queue *queue;
    int32_t start_day, n_days, day_index;
    int64_t now_s;
    uint64_t events_run;
    eng_event_fn handler[ENG_MAX_KINDS];
    void *handler_ctx[ENG_MAX_KINDS];
    day_hook start_hooks[ENG_MAX_HOOKS], end_hooks[ENG_MAX_HOOKS];
    int n_start_hooks, n_end_hooks;
    char failed[256];
};

eng_engine *eng_alloc(int32_t start_day, int32_t n_days, size_t initial_events, size_t max_events)
{
    eng_engine *eng = calloc(1, sizeof *eng);
    if (!eng)
        return NULL;
    eng->queue = ev_alloc(initial_events, max_events);
    if (!eng->queue) {
        free(eng);
        return NULL;
    }
    eng->start_day = start_day;
    eng->n_days = n_days;
    return eng;
}

void eng_free(eng_engine *eng)
{
    if (!eng)
        return;
    ev_free(eng->queue);
    free(eng);
}

bool eng_on_event(eng_engine *eng, uint16_t kind, eng_event_fn fn, void *ctx)
{
    if (kind >= ENG_MAX_KINDS || eng->handler[kind])
        return false;
    eng->handler[kind] = fn;
    eng->handler_ctx[kind] = ctx;
    return true;
}

static bool add_hook(day_hook *hooks, int *n, eng_day_fn fn, void *ctx)
{
    if (*n >= ENG_MAX_HOOKS)
        return false;
    hooks[*n].fn = fn;
    hooks[*n].ctx = ctx;
    (*n)++;
    return true;
}

bool eng_on_day_start(eng_engine *eng, eng_day_fn fn, void *ctx)
{
    return add_hook(eng->start_hooks, &eng->n_start_hooks, fn, ctx);
}

bool eng_on_day_end(eng_engine *eng, eng_day_fn fn, void *ctx)
{
    return add_hook(eng->end_hooks, &eng->n_end_hooks, fn, ctx);
}

bool eng_schedule(eng_engine *eng, int64_t time_s, uint16_t kind, uint16_t city, uint32_t agent, int64_t arg)
{
    assert(time_s >= eng->now_s);
    assert(kind < ENG_MAX_KINDS && eng->handler[kind]);
    return ev_push(eng->queue, time_s, kind, city, agent, arg);
}

bool eng_step_day(eng_engine *eng)
{
    if (eng->failed[0] || eng->day_index >= eng->n_days)
        return false;
    int32_t d = eng->day_index;
    sim_assert_day(eng->start_day + d); /* a failed SIM_ASSERT names the day */
    int64_t day_start_s = (int64_t)d * CAL_DAY_S, day_end_s = day_start_s + CAL_DAY_S;
    eng->now_s = day_start_s;
    for (int i = 0; i < eng->n_start_hooks && !eng->failed[0]; i++)
        eng->start_hooks[i].fn(eng->start_hooks[i].ctx, eng, d);
    ev_event e;
    while (!eng->failed[0] && ev_next_time(eng->queue) < day_end_s) {
        ev_pop(eng->queue, &e);
        assert(e.time_s >= eng->now_s);
        eng->now_s = e.time_s;
        eng->handler[e.kind](eng->handler_ctx[e.kind], eng, &e);
        eng->events_run++;
    }
    eng->now_s = day_end_s - 1;
    for (int i = 0; i < eng->n_end_hooks && !eng->failed[0]; i++)
        eng->end_hooks[i].fn(eng->end_hooks[i].ctx, eng, d);
    eng->day_index++;
    eng->now_s = day_end_s;
    return !eng->failed[0];
}

void eng_fail(eng_engine *eng, const char *why)
{
    if (!eng->failed[0])
        snprintf(eng->failed, sizeof eng->failed, "%s", why && why[0] ? why : "failed");
}

const char *eng_failed(const eng_engine *eng)
{
    return eng->failed[0] ? eng->failed : NULL;
}

bool eng_finished(const eng_engine *eng) { return eng->day_index >= eng->n_days; }
int64_t eng_now(const eng_engine *eng) { return eng->now_s; }
int32_t eng_day_index(const eng_engine *eng) { return eng->day_index; }
int32_t eng_days(const eng_engine *eng) { return eng->n_days; }
int32_t eng_start_day(const eng_engine *eng) { return eng->start_day; }
uint64_t eng_events_run(const eng_engine *eng) { return eng->events_run; }
size_t eng_pending(const eng_engine *eng) { return ev_size(eng->queue); }

void eng_set_day(eng_engine *eng, int32_t day_index)
{
    eng->day_index = day_index;
    eng->now_s = (int64_t)day_index * CAL_DAY_S;
}

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void eng_save(const eng_engine *eng, ckp_writer *w)
{
    assert(!eng->failed[0]);
    ckp_put_tag(w, CKP_TAG('E', 'N', 'G', 'N'));
    ckp_put_i32(w, eng->start_day);
    ckp_put_i32(w, eng->n_days);
    ckp_put_i32(w, eng->day_index);
    ckp_put_i64(w, eng->now_s);
    ckp_put_u64(w, eng->events_run);
    ev_save(eng->queue, w);
}

void eng_load(eng_engine *eng, ckp_reader *r)
{
    if (!ckp_expect_tag(r, CKP_TAG('E', 'N', 'G', 'N'), "engine"))
        return;
    int32_t start_day = ckp_get_i32(r), n_days = ckp_get_i32(r), day_index = ckp_get_i32(r);
    int64_t now_s = ckp_get_i64(r);
    uint64_t events_run = ckp_get_u64(r);
    if (ckp_read_failed(r))
        return;
    if (start_day != eng->start_day || n_days != eng->n_days) {
        ckp_fail(r, "the checkpoint's run starts on day %d and lasts %d days, this scenario's on day %d for %d "
                    "days: it was written for another scenario",
                 start_day, n_days, eng->start_day, eng->n_days);
        return;
    }
    if (day_index < 0 || day_index > n_days || now_s != (int64_t)day_index * CAL_DAY_S) {
        ckp_fail(r, "corrupt checkpoint: engine at day %d, time %lld", day_index, (long long)now_s);
        return;
    }
    ev_load(eng->queue, r); /* the checksum vouches for the events' kinds */
    eng->day_index = day_index;
    eng->now_s = now_s;
    eng->events_run = events_run;
}
