/* test_airdrop.c: unit tests of the lottery sign-up model (cmocka,
 * models/airdrop.c, docs/programmes.md "Sign-up model").
 *
 * Each test writes a small scenario (1:100, data/ of the repository) with
 * the [campaign] sign-up keys given explicitly, so that it checks the
 * mechanism and not the fitted defaults, builds the world through the same
 * path as `ecnysim run`, steps to the day after the draw and compares the
 * sign-ups of lotteries that differ in one thing:
 *   - the same design in a province-kind area (Hainan) and a city-kind area
 *     (Dalian) of equal population and urban share: the rest of a province
 *     is reached at other_city_reach_pct of the city rate, so fewer sign up;
 *     a lottery of the whole area (district_population = 0) is spent
 *     everywhere, so both are reached at the city rate;
 *   - the same design two years later: novelty fades, fewer sign up;
 *   - a citywide lottery (district_population = 0) against a district that
 *     is the whole city, one day of registration, interest saturated: the
 *     first-day reach is the city rate's (1 - e^-0.6 = 0.45), not the
 *     district rate's (1 - e^-1.5 = 0.78); an airdrop's own
 *     reach_city_per_day overrides the [campaign] default.
 * led_check runs at the end of every test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/programme.h"
#include "sim/calendar.h"
#include "tests/support/world_fixture.h"

typedef wfx fx;

/* The sign-up keys, explicit: the tests do not move when the fit does. */
static const char *const campaign_ini = "[campaign]\nreach_district_per_day = 1.5\nreach_city_per_day = 0.6\n"
                                        "other_city_reach_pct = 10\ninterest = 0.15\nvalue_elasticity = 0.6\n"
                                        "count_elasticity = 0.5\nnovelty_months = 12\n";

static void build(fx *f, const char *ini)
{
    size_t n = strlen(campaign_ini) + strlen(ini) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s", campaign_ini, ini);
    wfx_build(f, text, NULL, 0);
    free(text);
}

static void done(fx *f)
{
    wfx_check_ledger(f);
    wfx_free(f);
}

static int64_t signups(fx *f, const char *name)
{
    prg_programme *p = prg_find(f->w->prg, "airdrop", name);
    assert_non_null(p);
    return air_signups(p);
}

/* A district lottery of one design, registration on 5-7 Sep 2021. */
#define LOTTERY(name, city)                                                                                      \
    "[airdrop." name "]\ncity = " city "\ndistrict_population = 234567\npool_yuan = 2469000\n"                   \
    "envelope_yuan = 200\nregistration_start = 2021-09-05\nregistration_end = 2021-09-07\n"                      \
    "spend_start = 2021-09-09\nspend_end = 2021-09-12\n"

/* The same design over the whole area (district_population = 0). */
#define CITYWIDE(name, city)                                                                                     \
    "[airdrop." name "]\ncity = " city "\npool_yuan = 2469000\nenvelope_yuan = 200\n"                            \
    "registration_start = 2021-09-05\nregistration_end = 2021-09-07\n"                                          \
    "spend_start = 2021-09-09\nspend_end = 2021-09-12\n"

static void test_airdrop_province_area_signs_up_fewer_than_city_area(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, "[scenario]\nstart = 2021-09-01\ndays = 14\nseed = 12345\nscale = 100\n"
              "[city.hainan]\npilot_start = 2020-10-01\npopulation = 2345678\nurban_pct = 70\n"
              "[city.dalian]\npilot_start = 2020-10-01\npopulation = 2345678\nurban_pct = 70\n" LOTTERY(
                  "province", "hainan") LOTTERY("city", "dalian") CITYWIDE("province_wide", "hainan")
                  CITYWIDE("city_wide", "dalian"));
    assert_int_equal(f.w->n_cities, 2);
    for (int i = 0; i < f.w->n_cities; i++) /* the two kinds, from data/cities.csv */
        assert_int_equal(f.w->city[i].data->kind,
                         strcmp(f.w->city[i].data->area, "hainan") == 0 ? DAT_KIND_PROVINCE : DAT_KIND_CITY);
    wfx_run_to(&f, cal_day_from_ymd(2021, 9, 8)); /* drawn on the 7th */
    int64_t province = signups(&f, "province"), city = signups(&f, "city");
    print_message("sign-ups: province-kind %lld, city-kind %lld\n", (long long)province, (long long)city);
    assert_true(province > 0);
    /* reach 0.1 x 0.99 + 0.9 x (1 - e^-0.18) = 0.25 against 0.1 x 0.99 + 0.9 x 0.83 = 0.85 */
    assert_true((double)province < 0.5 * (double)city);
    /* a lottery of the whole area is spent everywhere in it: the city rate in both */
    int64_t province_wide = signups(&f, "province_wide"), city_wide = signups(&f, "city_wide");
    print_message("citywide sign-ups: province-kind %lld, city-kind %lld\n", (long long)province_wide,
                  (long long)city_wide);
    assert_true((double)province_wide > 0.85 * (double)city_wide);
    assert_true((double)province_wide < 1.15 * (double)city_wide);
    done(&f);
}

/* Sign-ups of the same lottery registering on day/month/year. */
static int64_t signups_on(int year, int month, int day)
{
    char ini[2048];
    int32_t reg = cal_day_from_ymd(year, month, day);
    char d[4][CAL_DATE_LEN];
    int32_t days[4] = {reg - 4, reg, reg + 2, reg + 6}; /* start, registration, spending */
    for (int i = 0; i < 4; i++)
        cal_format(days[i], d[i]);
    snprintf(ini, sizeof ini,
             "[scenario]\nstart = %s\ndays = 14\nseed = 12345\nscale = 100\n"
             "[city.dalian]\npilot_start = 2020-10-01\npopulation = 2345678\n"
             "[airdrop.x]\ncity = dalian\ndistrict_population = 234567\npool_yuan = 2469000\n"
             "envelope_yuan = 200\nregistration_start = %s\nregistration_end = %s\n"
             "spend_start = %s\nspend_end = %s\n",
             d[0], d[1], d[1], d[2], d[3]);
    fx f = {0};
    build(&f, ini);
    wfx_run_to(&f, reg + 1);
    int64_t n = signups(&f, "x");
    done(&f);
    return n;
}

static void test_airdrop_novelty_fades_with_months_since_the_first_lottery(void **state)
{
    (void)state;
    int64_t first = signups_on(2020, 10, 9), later = signups_on(2022, 10, 9);
    print_message("sign-ups: October 2020 %lld, October 2022 %lld\n", (long long)first, (long long)later);
    assert_true(later > 0);
    /* 24 months at a time constant of 12: the propensity falls by e^-2 */
    assert_true((double)later < 0.3 * (double)first);
}

static void test_airdrop_citywide_first_day_reach_is_the_city_rate(void **state)
{
    (void)state;
    fx f = {0};
    const char *const design = "city = dalian\npool_yuan = 2469000\nenvelope_yuan = 200\ninterest = 60\n"
                               "registration_start = 2021-09-05\nregistration_end = 2021-09-05\n"
                               "spend_start = 2021-09-09\nspend_end = 2021-09-12\n";
    char ini[2048];
    snprintf(ini, sizeof ini,
             "[scenario]\nstart = 2021-09-01\ndays = 14\nseed = 12345\nscale = 100\n"
             "[city.dalian]\npilot_start = 2020-10-01\npopulation = 2345678\n"
             "[airdrop.district]\ndistrict_population = 2345678\n%s"
             "[airdrop.citywide]\n%s"
             "[airdrop.fast]\nreach_city_per_day = 1.5\n%s",
             design, design, design);
    build(&f, ini);
    wfx_run_to(&f, cal_day_from_ymd(2021, 9, 6));
    double district = (double)signups(&f, "district"), citywide = (double)signups(&f, "citywide"),
           fast = (double)signups(&f, "fast");
    print_message("first-day sign-ups: district rate %.0f, citywide %.0f, citywide overridden %.0f\n", district,
                  citywide, fast);
    assert_true(citywide > 0);
    /* (1 - e^-0.6) / (1 - e^-1.5) = 0.58 */
    assert_true(citywide < 0.65 * district);
    assert_true(citywide > 0.51 * district);
    /* the airdrop's own reach_city_per_day: as fast as the district rate */
    assert_true(fast > 0.95 * district);
    assert_true(fast < 1.05 * district);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_airdrop_province_area_signs_up_fewer_than_city_area),
        cmocka_unit_test(test_airdrop_novelty_fades_with_months_since_the_first_lottery),
        cmocka_unit_test(test_airdrop_citywide_first_day_reach_is_the_city_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
