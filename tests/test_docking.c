/* test_docking.c: the policy levers move people the way the evidence says
 * (docking with León, Moreno & Soramäki 2025 and the ECB's holding-limit
 * work; data/sources.md): over three seeds of the default scenario,
 *  - a tight holding limit (50 yuan on every wallet class) lowers adopters
 *    and active wallets as well as e-CNY payments;
 *  - wider acceptance (banks onboarding four times as many merchants a day)
 *    raises adoption and the e-CNY share of retail payments;
 *  - vouchers paid in e-CNY raise adoption and the e-CNY share.
 * Each effect is printed (mean over the seeds) for docs/calibration.md.
 * The default scenario runs at 1:2000 here to keep the test short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/world_int.h"
#include "tests/support/world_fixture.h"

#define SEEDS 3

typedef struct {
    double adopters, active, payments, ecny_share;
} outcome;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The default scenario with extra text appended and the overrides, summed
 * over its cities: adopters and active wallets on the last day, e-CNY
 * payments over the run, and the e-CNY share of purchase payments. */
static outcome run_default(const char *extra, const char *const *sets, int n_sets, int seed)
{
    char *base = read_file("scenarios/default.ini");
    size_t len = strlen(base) + strlen(extra) + 2;
    char *ini = malloc(len);
    assert_non_null(ini);
    snprintf(ini, len, "%s\n%s", base, extra);
    const char *all[16];
    char seed_set[64], scale_set[] = "scenario.scale=2000";
    snprintf(seed_set, sizeof seed_set, "scenario.seed=%d", seed);
    int n = 0;
    all[n++] = seed_set;
    all[n++] = scale_set;
    for (int i = 0; i < n_sets && n < 16; i++)
        all[n++] = sets[i];
    wfx f;
    wfx_build(&f, ini, all, n);
    outcome o = {0, 0, 0, 0};
    double ecny = 0, other = 0;
    int days = wld_days(f.w);
    for (int d = 0; d < days; d++) {
        wfx_run_days(&f, 1);
        for (int c = 0; c < f.w->n_cities; c++) {
            const int64_t *m = f.w->city[c].m;
            o.payments += (double)m[M_PAYMENTS_ECNY];
            ecny += (double)m[M_PAYMENTS_ECNY];
            other += (double)(m[M_PAYMENTS_APP] + m[M_PAYMENTS_CASH]);
            if (d == days - 1) {
                o.adopters += (double)m[M_ADOPTERS];
                o.active += (double)m[M_ACTIVE_WALLETS];
            }
        }
    }
    o.ecny_share = ecny / (ecny + other);
    wfx_free(&f);
    free(ini);
    free(base);
    return o;
}

static outcome mean_over_seeds(const char *extra, const char *const *sets, int n_sets)
{
    outcome m = {0, 0, 0, 0};
    for (int s = 1; s <= SEEDS; s++) {
        outcome o = run_default(extra, sets, n_sets, s);
        m.adopters += o.adopters / SEEDS;
        m.active += o.active / SEEDS;
        m.payments += o.payments / SEEDS;
        m.ecny_share += o.ecny_share / SEEDS;
    }
    return m;
}

static void report(const char *what, outcome base, outcome lever)
{
    print_message("docking: %s: adopters %+.1f %%, active wallets %+.1f %%, e-CNY payments %+.1f %%, "
                  "e-CNY share of payments %.4f %% -> %.4f %%\n",
                  what, 100.0 * (lever.adopters / base.adopters - 1), 100.0 * (lever.active / base.active - 1),
                  100.0 * (lever.payments / base.payments - 1), 100.0 * base.ecny_share, 100.0 * lever.ecny_share);
}

static outcome baseline;

static int setup(void **state)
{
    baseline = mean_over_seeds("", NULL, 0);
    return baseline.adopters > 0 && baseline.payments > 0 ? 0 : -1;
}

static void test_docking_tight_holding_limit_lowers_adoption_activity_and_payments(void **state)
{
    const char *extra = "[wallet_class.1]\nbalance_cap_yuan = 50\n[wallet_class.2]\nbalance_cap_yuan = 50\n"
                        "[wallet_class.3]\nbalance_cap_yuan = 50\n[wallet_class.4]\nbalance_cap_yuan = 50\n";
    outcome tight = mean_over_seeds(extra, NULL, 0);
    report("50-yuan holding limit", baseline, tight);
    assert_true(tight.adopters < 0.95 * baseline.adopters);
    assert_true(tight.active < 0.9 * baseline.active);
    assert_true(tight.payments < 0.9 * baseline.payments);
}

static void test_docking_wider_acceptance_raises_adoption_and_share(void **state)
{
    char onboard[96];
    snprintf(onboard, sizeof onboard, "merchants.onboard_per_million=%s", "1000000");
    const char *sets[] = {onboard, "merchants.demand_weight=0.5"};
    outcome wide = mean_over_seeds("", sets, 2);
    report("wider acceptance", baseline, wide);
    assert_true(wide.adopters > 1.002 * baseline.adopters);
    assert_true(wide.ecny_share > 1.02 * baseline.ecny_share);
}

static void test_docking_vouchers_in_ecny_raise_adoption_and_share(void **state)
{
    /* 100 yuan in e-CNY coupons to 2 million wallet holders a quarter in
     * each city, from mid-2020 (city-wide consumption coupons, data/sources.md) */
    char extra[4096];
    size_t used = 0;
    const char *cities[] = {"shenzhen", "suzhou", "chengdu"};
    const char *dates[] = {"2020-07-01", "2020-10-01", "2021-01-01", "2021-04-01", "2021-07-01", "2021-10-01"};
    for (int c = 0; c < 3; c++)
        for (int d = 0; d < 6; d++)
            used += (size_t)snprintf(extra + used, sizeof extra - used,
                                     "[incentive.v_%s_%d]\ncity = %s\nstart = %s\nend = %s\ncoupons = 2000000\n"
                                     "coupon_yuan = 100\ncoupon_days = 30\n",
                                     cities[c], d, cities[c], dates[d], dates[d]);
    outcome v = mean_over_seeds(extra, NULL, 0);
    report("vouchers in e-CNY", baseline, v);
    assert_true(v.adopters > 1.002 * baseline.adopters);
    assert_true(v.ecny_share > 1.05 * baseline.ecny_share);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docking_tight_holding_limit_lowers_adoption_activity_and_payments),
        cmocka_unit_test(test_docking_wider_acceptance_raises_adoption_and_share),
        cmocka_unit_test(test_docking_vouchers_in_ecny_raise_adoption_and_share),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
