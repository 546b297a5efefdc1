/* test_event.c: unit tests of sim/event (cmocka).
 *
 * The queue's one promise is a total order on (time_s, seq) with seq in push
 * order; these tests check it on hand-made cases, on ties, on a million
 * random pushes interleaved with pops, against a reference across the
 * calendar window's edges, plus the capacity bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/event.h"
#include "sim/rng.h"

static void test_event_orders_by_time(void **state)
{
    (void)state;
    ev_queue *q = ev_alloc(4, 1000);
    assert_non_null(q);
    assert_true(ev_next_time(q) == INT64_MAX);
    static const int64_t times[] = {500, 100, 86399, 0, 3600, 101, 7};
    for (size_t i = 0; i < 7; i++)
        assert_true(ev_push(q, times[i], (uint16_t)i, 3, (uint32_t)(1000 + i), 12345 * (int64_t)i));
    assert_int_equal(ev_size(q), 7);
    assert_true(ev_next_time(q) == 0);
    static const int64_t sorted[] = {0, 7, 100, 101, 500, 3600, 86399};
    ev_event e;
    for (size_t i = 0; i < 7; i++) {
        assert_true(ev_pop(q, &e));
        assert_true(e.time_s == sorted[i]);
        /* The payload travels with its event. */
        assert_int_equal(e.agent, 1000 + e.kind);
        assert_true(e.arg == 12345 * (int64_t)e.kind);
        assert_int_equal(e.city, 3);
    }
    assert_false(ev_pop(q, &e));
    assert_int_equal(ev_size(q), 0);
    assert_int_equal(ev_pushed_total(q), 7);
    ev_free(q);
    ev_free(NULL);
}

static void test_event_ties_in_push_order(void **state)
{
    (void)state;
    ev_queue *q = ev_alloc(16, 100000);
    /* 3 times, 1000 events each, pushed interleaved. */
    for (uint32_t i = 0; i < 3000; i++)
        assert_true(ev_push(q, (int64_t)(i % 3) * 60, 0, 0, i, 0));
    ev_event e;
    int64_t last_t = -1;
    uint32_t last_agent = 0;
    for (int i = 0; i < 3000; i++) {
        assert_true(ev_pop(q, &e));
        if (e.time_s == last_t)
            assert_true(e.agent > last_agent); /* pushed later, popped later */
        else
            assert_true(e.time_s > last_t);
        assert_true(e.seq == e.agent);
        last_t = e.time_s;
        last_agent = e.agent;
    }
    ev_free(q);
}

static void test_event_million_random_sorted(void **state)
{
    (void)state;
    enum { N = 1000000 };
    gsl_rng *r = rng_stream_alloc(7, 0, RNG_PROGRAMME);
    ev_queue *q = ev_alloc(16, N);
    assert_non_null(q);
    ev_event e, prev = {.time_s = -1};
    size_t popped = 0;
    /* Push a million random times, popping one after every third push
     * (the pops must stay sorted among themselves only relative to what
     * was pending), then drain: the drain must be totally ordered. */
    int64_t floor_t = 0;
    for (uint32_t i = 0; i < N; i++) {
        int64_t t = floor_t + (int64_t)rng_below(r, 1000);
        assert_true(ev_push(q, t, 0, 0, i, 0));
        if (i % 3 == 2) {
            assert_true(ev_pop(q, &e));
            assert_true(e.time_s >= floor_t);
            floor_t = e.time_s; /* like a clock: never schedule in the past */
            popped++;
        }
    }
    assert_int_equal(ev_size(q) + popped, N);
    while (ev_pop(q, &e)) {
        assert_true(e.time_s > prev.time_s || (e.time_s == prev.time_s && e.seq > prev.seq));
        prev = e;
        popped++;
    }
    assert_int_equal(popped, N);
    assert_int_equal(ev_pushed_total(q), N);
    ev_free(q);
    gsl_rng_free(r);
}

static void test_event_capacity_bound(void **state)
{
    (void)state;
    ev_queue *q = ev_alloc(16, 100);
    for (int i = 0; i < 100; i++)
        assert_true(ev_push(q, 100 - i, 0, 0, (uint32_t)i, 0));
    assert_false(ev_push(q, 5, 0, 0, 999, 0));
    assert_int_equal(ev_size(q), 100);
    assert_int_equal(ev_pushed_total(q), 100); /* a refused push takes no seq */
    ev_event e;
    assert_true(ev_pop(q, &e));
    assert_true(e.time_s == 1);
    assert_true(ev_push(q, 5, 0, 0, 999, 0)); /* room again */
    assert_false(ev_push(q, 5, 0, 0, 1000, 0));
    ev_free(q);
    /* max below initial: the queue holds initial and no more. */
    q = ev_alloc(32, 8);
    int pushed = 0;
    while (ev_push(q, 0, 0, 0, 0, 0) && pushed < 1000)
        pushed++;
    assert_int_equal(pushed, 32);
    ev_free(q);
}

/* Against a reference (linear scan for the minimum (time, seq)): pushes
 * spread over a week (far beyond the queue's 1.5-day window of buckets), ties
 * within a second, pushes earlier than events already popped, and pops
 * interleaved; every pop must be the reference's minimum. */
static void test_event_matches_reference_across_windows(void **state)
{
    (void)state;
    enum { OPS = 40000 };
    ev_queue *q = ev_alloc(16, OPS + 16);
    assert_non_null(q);
    gsl_rng *r = rng_stream_alloc(12345, 7, 1);
    assert_non_null(r);
    static ev_event ref[OPS];
    size_t n_ref = 0;
    uint64_t seq = 0;
    int64_t now = 0;
    for (int op = 0; op < OPS; op++) {
        uint32_t u = rng_below(r, 100);
        if (u < 55 || n_ref == 0) {
            int64_t t;
            if (u < 3 && now > 100)
                t = now - 1 - (int64_t)rng_below(r, 100);        /* before the window */
            else if (u < 30)
                t = now + (int64_t)rng_below(r, 4);              /* ties, same seconds */
            else
                t = now + (int64_t)rng_below(r, 7 * 86400);      /* up to a week ahead */
            assert_true(ev_push(q, t, 1, 0, (uint32_t)op, t));
            ref[n_ref++] = (ev_event){.time_s = t, .seq = seq++};
        } else {
            size_t best = 0;
            for (size_t i = 1; i < n_ref; i++)
                if (ref[i].time_s < ref[best].time_s ||
                    (ref[i].time_s == ref[best].time_s && ref[i].seq < ref[best].seq))
                    best = i;
            assert_int_equal(ev_next_time(q), ref[best].time_s);
            ev_event e;
            assert_true(ev_pop(q, &e));
            assert_int_equal(e.time_s, ref[best].time_s);
            assert_int_equal(e.seq, ref[best].seq);
            ref[best] = ref[--n_ref];
            now = e.time_s;
        }
        assert_int_equal(ev_size(q), n_ref);
    }
    gsl_rng_free(r);
    ev_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_orders_by_time),
        cmocka_unit_test(test_event_ties_in_push_order),
        cmocka_unit_test(test_event_million_random_sorted),
        cmocka_unit_test(test_event_capacity_bound),
        cmocka_unit_test(test_event_matches_reference_across_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
