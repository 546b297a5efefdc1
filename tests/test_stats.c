/* test_stats.c: known-answer tests of the summary statistics (sim/stats.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "sim/stats.h"

#define EPS 1e-12

static void test_stats_summarize_one_to_ten(void **state)
{
    (void)state;
    double x[] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6}; /* unsorted on purpose */
    sts_summary s;
    sts_summarize(x, 10, &s);
    assert_int_equal(s.n, 10);
    assert_true(fabs(s.mean - 5.5) < EPS);
    assert_true(fabs(s.sd - sqrt(55.0 / 6.0)) < EPS); /* sum of squares 82.5 / 9 */
    /* R: quantile(1:10, c(.05, .5, .95)) = 1.45 5.50 9.55 (type 7) */
    assert_true(fabs(s.p05 - 1.45) < EPS);
    assert_true(fabs(s.p50 - 5.5) < EPS);
    assert_true(fabs(s.p95 - 9.55) < EPS);
    assert_true(s.min == 1 && s.max == 10);
    for (int i = 1; i < 10; i++)
        assert_true(x[i - 1] <= x[i]); /* sorted in place */
}

static void test_stats_summarize_unusual_values(void **state)
{
    (void)state;
    /* numpy: mean 4821.0325, std(ddof=1) 5612.11869..., percentile 5/50/95 (linear) */
    double x[] = {12345.67, 123.45, -0.01, 6815.02};
    sts_summary s;
    sts_summarize(x, 4, &s);
    assert_true(fabs(s.mean - 4821.0325) < 1e-9);
    double m = 4821.0325, ss = 0;
    double v[] = {12345.67, 123.45, -0.01, 6815.02};
    for (int i = 0; i < 4; i++)
        ss += (v[i] - m) * (v[i] - m);
    assert_true(fabs(s.sd - sqrt(ss / 3)) < 1e-9);
    /* sorted: -0.01 123.45 6815.02 12345.67; h = (n-1)p */
    assert_true(fabs(s.p05 - (-0.01 + 0.15 * (123.45 + 0.01))) < 1e-9);
    assert_true(fabs(s.p50 - (123.45 + 0.5 * (6815.02 - 123.45))) < 1e-9);
    assert_true(fabs(s.p95 - (6815.02 + 0.85 * (12345.67 - 6815.02))) < 1e-9);
}

static void test_stats_summarize_single_value(void **state)
{
    (void)state;
    double x[] = {12345};
    sts_summary s;
    sts_summarize(x, 1, &s);
    assert_true(s.mean == 12345 && s.sd == 0 && s.p05 == 12345 && s.p50 == 12345 && s.p95 == 12345);
}

static void test_stats_share_at_least(void **state)
{
    (void)state;
    double a[] = {0.5, 1.0, 1.2, 0.99, 1.0000001};
    assert_true(fabs(sts_share_at_least(a, 5, 1.0) - 0.6) < EPS);
    assert_true(sts_share_at_least(a, 0, 1.0) == 0.0);
    assert_true(sts_share_at_least(a, 5, 2.0) == 0.0);
}

static void test_stats_objective(void **state)
{
    (void)state;
    double model[] = {110, 3, 95};
    double target[] = {100, 0, 100};
    double weight[] = {2, 1, 0.5};
    assert_true(fabs(sts_rel_error(110, 100) - 0.1) < EPS);
    assert_true(fabs(sts_rel_error(-90, -100) - 0.1) < EPS);
    assert_true(sts_rel_error(3, 0) == 3);
    /* 2*0.01 + 1*9 + 0.5*0.0025 */
    assert_true(fabs(sts_objective(model, target, weight, 3) - 9.02125) < EPS);
    assert_true(fabs(sts_objective(model, target, NULL, 3) - 9.0125) < EPS);
    assert_true(sts_objective(model, target, NULL, 0) == 0);
}

/* Known answers of the normal distribution: Phi(1) = 0.841344746, Phi(-1) =
 * 0.158655254, Phi^-1(0.95) = 1.644853627. */
static void test_stats_with_model_error(void **state)
{
    (void)state;
    const double sd = log(2.0); /* one sd: a factor 2 */
    double one[] = {100};
    assert_true(fabs(sts_with_model_error_cdf(one, NULL, 1, sd, 100) - 0.5) < 1e-12);
    assert_true(fabs(sts_with_model_error_cdf(one, NULL, 1, sd, 200) - 0.841344746) < 1e-9);
    assert_true(fabs(sts_with_model_error_cdf(one, NULL, 1, sd, 50) - 0.158655254) < 1e-9);
    assert_true(sts_with_model_error_cdf(one, NULL, 1, sd, 0) == 0.0);
    /* the 95th percentile of 100 x 2^Z: 100 x 2^1.644853627 = 312.71613 */
    assert_true(fabs(sts_with_model_error_quantile(one, NULL, 1, sd, 0.95) - 312.71613) < 1e-4);
    assert_true(fabs(sts_with_model_error_quantile(one, NULL, 1, sd, 0.05) - 31.97788) < 1e-4);
    assert_true(fabs(sts_with_model_error_quantile(one, NULL, 1, sd, 0.5) - 100) < 1e-6);
    /* weights: 1 for 1, 3 for 4; at 2 each is one sd away */
    double two[] = {1, 4}, w[] = {1, 3};
    double want = (0.841344746 + 3 * 0.158655254) / 4;
    assert_true(fabs(sts_with_model_error_cdf(two, w, 2, sd, 2) - want) < 1e-9);
    assert_true(fabs(sts_with_model_error_quantile(two, w, 2, sd, want) - 2) < 1e-6);
    /* equal weights when w is NULL */
    assert_true(fabs(sts_with_model_error_cdf(two, NULL, 2, sd, 2) - 0.5) < 1e-9);
    /* a zero stays a zero: half the mass at 0, the other half lognormal at 100 */
    double zero[] = {0, 100};
    assert_true(fabs(sts_with_model_error_cdf(zero, NULL, 2, sd, 0) - 0.5) < 1e-12);
    assert_true(fabs(sts_with_model_error_cdf(zero, NULL, 2, sd, -1) - 0.0) < 1e-12);
    assert_true(sts_with_model_error_quantile(zero, NULL, 2, sd, 0.25) == 0.0);
    assert_true(fabs(sts_with_model_error_quantile(zero, NULL, 2, sd, 0.75) - 100) < 1e-6);
    double negative[] = {-5, -2, 100}; /* a third at -5, a third at -2 */
    assert_true(sts_with_model_error_quantile(negative, NULL, 3, sd, 0.25) == -5.0);
    assert_true(sts_with_model_error_quantile(negative, NULL, 3, sd, 0.5) == -2.0);
    assert_true(fabs(sts_with_model_error_quantile(negative, NULL, 3, sd, 5.0 / 6) - 100) < 1e-6);
    /* the chance of meeting a target from an attainment of 1/2: Phi(-1) */
    double half[] = {0.5};
    assert_true(fabs(1 - sts_with_model_error_cdf(half, NULL, 1, sd, 1.0) - 0.158655254) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_summarize_one_to_ten),
        cmocka_unit_test(test_stats_summarize_unusual_values),
        cmocka_unit_test(test_stats_summarize_single_value),
        cmocka_unit_test(test_stats_share_at_least),
        cmocka_unit_test(test_stats_objective),
        cmocka_unit_test(test_stats_with_model_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
