/* test_engine.c: unit tests of sim/engine (cmocka).
 *
 * The day loop's contract: day-start hooks in registration order, then the
 * day's events in (time, seq) order (including events scheduled during the
 * day for that day), then day-end hooks; later events wait for their day;
 * eng_fail stops the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim/calendar.h"
#include "sim/engine.h"

typedef struct {
    char log[64][32];
    int n;
    int fail_on_day; /* -1: never */
} trace;

static void note(trace *t, const char *fmt, int a, long long b)
{
    if (t->n < 64)
        snprintf(t->log[t->n++], sizeof t->log[0], fmt, a, b);
}

static void start_a(void *ctx, eng_engine *eng, int32_t day) { note(ctx, "start_a %d%lld", day, 0); }
static void start_b(void *ctx, eng_engine *eng, int32_t day) { note(ctx, "start_b %d%lld", day, 0); }
static void end_a(void *ctx, eng_engine *eng, int32_t day) { note(ctx, "end_a %d%lld", day, 0); }
static void end_b(void *ctx, eng_engine *eng, int32_t day) { note(ctx, "end_b %d%lld", day, 0); }

static void on_ev(void *ctx, eng_engine *eng, const ev_event *e)
{
    trace *t = ctx;
    note(t, "ev %d@%lld", (int)e->agent, (long long)e->time_s);
    assert_true(eng_now(eng) == e->time_s);
    /* Agent 100 schedules a follow-up later the same day (agent 101) and one
     * on the next day (agent 102). */
    if (e->agent == 100) {
        assert_true(eng_schedule(eng, e->time_s + 60, 1, 0, 101, 0));
        assert_true(eng_schedule(eng, e->time_s + CAL_DAY_S, 1, 0, 102, 0));
    }
    if (t->fail_on_day >= 0 && e->time_s / CAL_DAY_S == t->fail_on_day)
        eng_fail(eng, "capacity reached: raise 'x' in [y]");
}

static void schedule_day0(void *ctx, eng_engine *eng, int32_t day)
{
    trace *t = ctx;
    note(t, "start_a %d%lld", day, 0);
    if (day == 0) {
        assert_true(eng_schedule(eng, 3600, 1, 0, 2, 0));
        assert_true(eng_schedule(eng, 60, 1, 0, 1, 0));
        assert_true(eng_schedule(eng, 3600, 1, 0, 3, 0)); /* tie: after agent 2 */
        assert_true(eng_schedule(eng, 7200, 1, 0, 100, 0));
        assert_true(eng_schedule(eng, 2 * CAL_DAY_S + 5, 1, 0, 200, 0));
    }
}

static void test_engine_day_hooks_order(void **state)
{
    (void)state;
    trace t = {.fail_on_day = -1};
    eng_engine *eng = eng_alloc(18353, 2, 16, 1000);
    assert_non_null(eng);
    assert_true(eng_on_day_start(eng, start_a, &t));
    assert_true(eng_on_day_start(eng, start_b, &t));
    assert_true(eng_on_day_end(eng, end_a, &t));
    assert_true(eng_on_day_end(eng, end_b, &t));
    assert_int_equal(eng_days(eng), 2);
    assert_int_equal(eng_start_day(eng), 18353);
    assert_false(eng_finished(eng));
    assert_true(eng_step_day(eng));
    assert_int_equal(eng_day_index(eng), 1);
    assert_true(eng_step_day(eng));
    assert_true(eng_finished(eng));
    assert_false(eng_step_day(eng)); /* already finished */
    assert_null(eng_failed(eng));
    static const char *expect[] = {"start_a 00", "start_b 00", "end_a 00", "end_b 00",
                                   "start_a 10", "start_b 10", "end_a 10", "end_b 10"};
    assert_int_equal(t.n, 8);
    for (int i = 0; i < 8; i++)
        assert_string_equal(t.log[i], expect[i]);
    eng_free(eng);
    eng_free(NULL);
}

static void test_engine_events_run_on_their_day(void **state)
{
    (void)state;
    trace t = {.fail_on_day = -1};
    eng_engine *eng = eng_alloc(18353, 3, 16, 1000);
    assert_true(eng_on_event(eng, 1, on_ev, &t));
    assert_false(eng_on_event(eng, 1, on_ev, &t));              /* taken */
    assert_false(eng_on_event(eng, ENG_MAX_KINDS, on_ev, &t));  /* out of range */
    assert_true(eng_on_day_start(eng, schedule_day0, &t));
    assert_true(eng_on_day_end(eng, end_a, &t));

    assert_true(eng_step_day(eng));
    static const char *day0[] = {"start_a 00", "ev 1@60", "ev 2@3600", "ev 3@3600", "ev 100@7200", "ev 101@7260",
                                 "end_a 00"};
    assert_int_equal(t.n, 7);
    for (int i = 0; i < 7; i++)
        assert_string_equal(t.log[i], day0[i]);
    assert_int_equal(eng_events_run(eng), 5);
    assert_int_equal(eng_pending(eng), 2); /* 102 tomorrow, 200 the day after */

    t.n = 0;
    assert_true(eng_step_day(eng));
    static const char *day1[] = {"start_a 10", "ev 102@93600", "end_a 10"};
    assert_int_equal(t.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(t.log[i], day1[i]);
    assert_true(eng_now(eng) == 2 * CAL_DAY_S);

    t.n = 0;
    assert_true(eng_step_day(eng));
    assert_int_equal(t.n, 3);
    assert_string_equal(t.log[1], "ev 200@172805");
    assert_int_equal(eng_pending(eng), 0);
    assert_true(eng_finished(eng));
    eng_free(eng);
}

static void test_engine_fail_stops(void **state)
{
    (void)state;
    trace t = {.fail_on_day = 0};
    eng_engine *eng = eng_alloc(18353, 5, 16, 1000);
    assert_true(eng_on_event(eng, 1, on_ev, &t));
    assert_true(eng_on_day_start(eng, schedule_day0, &t));
    assert_true(eng_on_day_end(eng, end_a, &t));
    assert_false(eng_step_day(eng));
    assert_non_null(eng_failed(eng));
    assert_string_equal(eng_failed(eng), "capacity reached: raise 'x' in [y]");
    /* The first event failed: nothing after it ran, not even the day-end hook. */
    assert_int_equal(t.n, 2);
    assert_string_equal(t.log[1], "ev 1@60");
    assert_int_equal(eng_events_run(eng), 1);
    assert_false(eng_step_day(eng));
    assert_int_equal(t.n, 2);
    /* The first reason is kept. */
    eng_fail(eng, "another");
    assert_string_equal(eng_failed(eng), "capacity reached: raise 'x' in [y]");
    eng_free(eng);
}

static void test_engine_queue_full(void **state)
{
    (void)state;
    trace t = {.fail_on_day = -1};
    eng_engine *eng = eng_alloc(18353, 1, 16, 16);
    assert_true(eng_on_event(eng, 1, on_ev, &t));
    int pushed = 0;
    while (pushed < 100 && eng_schedule(eng, 10 + pushed, 1, 0, 5, 0))
        pushed++;
    assert_int_equal(pushed, 16);
    assert_int_equal(eng_pending(eng), 16);
    assert_true(eng_step_day(eng));
    assert_int_equal(eng_events_run(eng), 16);
    eng_free(eng);
}

static void test_engine_set_day(void **state)
{
    (void)state;
    trace t = {.fail_on_day = -1};
    eng_engine *eng = eng_alloc(18353, 10, 16, 100);
    assert_true(eng_on_day_start(eng, start_a, &t));
    eng_set_day(eng, 7);
    assert_int_equal(eng_day_index(eng), 7);
    assert_true(eng_now(eng) == 7 * (int64_t)CAL_DAY_S);
    assert_true(eng_step_day(eng));
    assert_string_equal(t.log[0], "start_a 70");
    eng_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_day_hooks_order),
        cmocka_unit_test(test_engine_events_run_on_their_day),
        cmocka_unit_test(test_engine_fail_stops),
        cmocka_unit_test(test_engine_queue_full),
        cmocka_unit_test(test_engine_set_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
