/* test_rng.c: unit tests of sim/rng (cmocka).
 *
 * Known answers: the generator against the xoshiro256** reference outputs,
 * and the first draws of one stream recorded when the module was written
 * (a change to seeding or hashing moves every run's results: that must be a
 * deliberate, versioned change, so this test fails on it). Streams of
 * different (city, purpose) differ; the same inputs give the same draws;
 * gsl_ran_* distributions run on rng_xoshiro; rng_below stays under its bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <math.h>

#include "sim/rng.h"

static void test_rng_reference_generator(void **state)
{
    (void)state;
    /* xoshiro256** from state {1, 2, 3, 4}: the reference implementation's outputs. */
    gsl_rng *r = gsl_rng_alloc(rng_xoshiro);
    assert_non_null(r);
    const uint64_t s[4] = {1, 2, 3, 4};
    rng_set_state(r, s);
    assert_true(rng_u64(r) == UINT64_C(11520));
    assert_true(rng_u64(r) == UINT64_C(0));
    assert_true(rng_u64(r) == UINT64_C(1509978240));
    assert_true(rng_u64(r) == UINT64_C(1215971899390074240));
    uint64_t got[4];
    rng_get_state(r, got);
    rng_set_state(r, s);
    uint64_t again[4];
    rng_get_state(r, again);
    assert_memory_equal(again, s, sizeof s);
    gsl_rng_free(r);
}

static void test_rng_known_answer(void **state)
{
    (void)state;
    /* Recorded: seed 20200401, city id 2 (suzhou), RNG_SHOPPING. */
    assert_true(rng_stream_seed(20200401, 2, RNG_SHOPPING) == UINT64_C(0xefe854ed8dfd73f7));
    assert_true(rng_mix(1, 2) == UINT64_C(0xb2c19dc41db344f0));
    static const uint64_t expect[4] = {
        UINT64_C(0x61303f041a3d8904),
        UINT64_C(0xd569c0aa9ebd370f),
        UINT64_C(0x4fd35862eae3e4f9),
        UINT64_C(0xc5bc4da9b362b70f),
    };
    gsl_rng *r = rng_stream_alloc(20200401, 2, RNG_SHOPPING);
    assert_non_null(r);
    for (int i = 0; i < 4; i++)
        assert_true(rng_u64(r) == expect[i]);
    gsl_rng_free(r);
    /* gsl_rng_set takes the seed through splitmix64, and gsl_rng_get the top 32 bits. */
    r = gsl_rng_alloc(rng_xoshiro);
    gsl_rng_set(r, 12345);
    assert_int_equal(gsl_rng_get(r), 3194631735UL);
    assert_int_equal(gsl_rng_get(r), 558541318UL);
    assert_int_equal(gsl_rng_get(r), 4137490142UL);
    assert_int_equal(gsl_rng_max(r), 0xffffffffUL);
    assert_int_equal(gsl_rng_min(r), 0);
    assert_string_equal(gsl_rng_name(r), "xoshiro256**");
    gsl_rng_free(r);
}

static void test_rng_streams_differ(void **state)
{
    (void)state;
    /* Nearby (seed, city, purpose) triples give unrelated first draws. */
    enum { N = 3 * 8 * 10 };
    uint64_t first[N];
    int n = 0;
    for (uint64_t seed = 1; seed <= 3; seed++)
        for (uint32_t city = 0; city < 8; city++)
            for (uint32_t purpose = RNG_POPULATION; purpose <= RNG_PROGRAMME + 1; purpose++) {
                gsl_rng *r = rng_stream_alloc(seed, city, purpose);
                assert_non_null(r);
                first[n++] = rng_u64(r);
                gsl_rng_free(r);
            }
    assert_int_equal(n, N);
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            if (first[i] == first[j])
                fail_msg("streams %d and %d start with the same draw", i, j);
    /* Swapping city and purpose is a different stream. */
    assert_true(rng_stream_seed(7, 3, 4) != rng_stream_seed(7, 4, 3));
}

static void test_rng_same_inputs_same_draws(void **state)
{
    (void)state;
    gsl_rng *a = rng_stream_alloc(12345, 17, RNG_ADOPTION);
    gsl_rng *b = rng_stream_alloc(12345, 17, RNG_ADOPTION);
    for (int i = 0; i < 1000; i++)
        assert_true(rng_u64(a) == rng_u64(b));
    /* Reset restarts the stream; state save/restore resumes it. */
    rng_stream_reset(a, 12345, 17, RNG_ADOPTION);
    gsl_rng *c = rng_stream_alloc(12345, 17, RNG_ADOPTION);
    for (int i = 0; i < 10; i++)
        assert_true(rng_u64(a) == rng_u64(c));
    uint64_t saved[4];
    rng_get_state(a, saved);
    uint64_t next = rng_u64(a);
    rng_set_state(c, saved);
    assert_true(rng_u64(c) == next);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
}

static void test_rng_gsl_distributions(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream_alloc(42, 1, RNG_SHOPPING);
    assert_non_null(r);
    enum { N = 200000 };
    double sum_u = 0, sum_g = 0, sum_g2 = 0;
    unsigned long sum_p = 0;
    for (int i = 0; i < N; i++) {
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0.0 && u < 1.0);
        sum_u += u;
        double g = gsl_ran_gaussian(r, 2.0);
        sum_g += g;
        sum_g2 += g * g;
        sum_p += gsl_ran_poisson(r, 3.5);
    }
    assert_true(fabs(sum_u / N - 0.5) < 0.005);
    assert_true(fabs(sum_g / N) < 0.03);
    assert_true(fabs(sqrt(sum_g2 / N) - 2.0) < 0.03);
    assert_true(fabs((double)sum_p / N - 3.5) < 0.03);
    unsigned int k = gsl_ran_binomial(r, 0.25, 1000000);
    assert_true(k > 248000 && k < 252000);
    double ln = gsl_ran_lognormal(r, log(60.0), 0.9);
    assert_true(ln > 0);
    /* The fast uniform agrees with the GSL one on the same stream position. */
    gsl_rng *a = rng_stream_alloc(42, 2, RNG_SHOPPING), *b = rng_stream_alloc(42, 2, RNG_SHOPPING);
    for (int i = 0; i < 100; i++)
        assert_true(rng_uniform(a) == gsl_rng_uniform(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(r);
}

static void test_rng_below_bound(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream_alloc(99, 5, RNG_MERCHANTS);
    static const uint32_t bounds[] = {1, 2, 3, 7, 10, 1000, 12345, 1u << 31, UINT32_MAX};
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++)
        for (int i = 0; i < 20000; i++)
            assert_true(rng_below(r, bounds[b]) < bounds[b]);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rng_below(r, 1), 0);
    /* Every value of a small bound shows up, roughly evenly. */
    unsigned count[7] = {0};
    for (int i = 0; i < 70000; i++)
        count[rng_below(r, 7)]++;
    for (int v = 0; v < 7; v++)
        assert_true(count[v] > 9500 && count[v] < 10500);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_reference_generator),
        cmocka_unit_test(test_rng_known_answer),
        cmocka_unit_test(test_rng_streams_differ),
        cmocka_unit_test(test_rng_same_inputs_same_draws),
        cmocka_unit_test(test_rng_gsl_distributions),
        cmocka_unit_test(test_rng_below_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
