/* test_platforms.c: unit tests of online platforms as merchants,
 * models/platforms.c (cmocka).
 *
 * A purchase on a platform takes its ticket from a category of the
 * platform's mix (data/platforms.csv), not from the online category nor by
 * the categories' overall occasion shares. Two views of that rule:
 * plt_ticket_category drawn 200,000 times with a fixed stream for each
 * platform (named in an order that is not the data's) gives each category
 * its mix share within 0.01 (the standard error is at most 0.0012; the
 * occasion shares differ from every mix by more than 0.05); and a lottery
 * spent only at Vipshop (mix retail:1) pays tickets of the retail
 * category's median (60 yuan), not the online category's (110 yuan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/programme.h"
#include "sim/rng.h"
#include "tests/support/world_fixture.h"

#define DRAWS 200000
#define TOLERANCE 0.01

static void test_platforms_category_follows_the_mix(void **state)
{
    (void)state;
    static dat_set data;
    err_list errs;
    err_init(&errs);
    assert_true(dat_load("data", &data, &errs));
    static wld_world w; /* only its data is read */
    w.data = &data;
    int jd = dat_find_platform(&data, "jd"), meituan = dat_find_platform(&data, "meituan"),
        vipshop = dat_find_platform(&data, "vipshop");
    assert_true(jd >= 0 && meituan >= 0 && vipshop >= 0);
    /* the mixes as written in platforms.csv */
    assert_true(fabs(data.platform[meituan].mix[dat_find_category(&data, "catering")] - 0.7) < 1e-12);
    assert_true(fabs(data.platform[meituan].mix[dat_find_category(&data, "supermarket")] - 0.2) < 1e-12);
    assert_true(fabs(data.platform[meituan].mix[dat_find_category(&data, "tourism")] - 0.1) < 1e-12);
    assert_true(fabs(data.platform[jd].mix[dat_find_category(&data, "retail")] - 0.75) < 1e-12);
    assert_true(fabs(data.platform[vipshop].mix[dat_find_category(&data, "retail")] - 1.0) < 1e-12);
    prg_vouchers v = {0};
    v.platform[0] = (uint8_t)meituan; /* not the data's order: the index is v's */
    v.platform[1] = (uint8_t)vipshop;
    v.platform[2] = (uint8_t)jd;
    v.n_platforms = 3;
    gsl_rng *r = rng_stream_alloc(12345, 0, RNG_PROGRAMME);
    assert_non_null(r);
    for (int i = 0; i < v.n_platforms; i++) {
        const dat_platform *pl = &data.platform[v.platform[i]];
        int64_t n[DAT_MAX_CATEGORIES] = {0};
        for (int j = 0; j < DRAWS; j++) {
            int k = plt_ticket_category(&v, &w, r, i);
            assert_true(k >= 0 && k < data.n_categories);
            n[k]++;
        }
        double far = 0; /* how far the mix is from the occasion shares */
        for (int k = 0; k < data.n_categories; k++) {
            double share = (double)n[k] / DRAWS;
            if (n[k] || pl->mix[k] > 0)
                print_message("%s %s: %.4f (mix %.4f, occasions %.4f)\n", pl->platform, data.category[k].category,
                              share, pl->mix[k], data.category[k].occasion_share);
            assert_true(fabs(share - pl->mix[k]) < TOLERANCE);
            if (pl->mix[k] == 0)
                assert_int_equal(n[k], 0);
            far = fmax(far, fabs(pl->mix[k] - data.category[k].occasion_share));
        }
        assert_true(far > 5 * TOLERANCE); /* a draw by occasion shares would fail above */
    }
    gsl_rng_free(r);
}

/* ---- through a lottery's purchases ---- */

static const char *const lottery_ini =
    "[scenario]\nstart = 2022-03-01\ndays = 30\nseed = 4321\nscale = 50\n[city.xiongan]\npilot_start = 2020-04-01\n"
    "[airdrop.a]\ncity = xiongan\npool_yuan = 20000000\nenvelope_yuan = 1000\nregistration_start = 2022-03-03\n"
    "registration_end = 2022-03-05\nspend_start = 2022-03-06\nspend_end = 2022-03-25\nmerchants = 600\n"
    "claim_pct = 100\ncategories = online\nplatforms = vipshop\n";

typedef struct {
    led_acct platform; /* Vipshop's merchant account, once the lottery has tagged it */
    const prg_vouchers *v;
    const dat_set *data;
    int64_t *fen;
    uint32_t n, cap;
} paid_seen;

static int cmp_fen(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The first online merchant of v: the platform (plt_pick's platform_at[0]). */
static led_acct platform_merchant(const prg_vouchers *v, const dat_set *data)
{
    for (uint32_t j = 0; j < v->n_merchants; j++)
        if (data->category[v->merchant_cat[j]].online)
            return v->merchants[j];
    return LED_NONE;
}

/* Payments to the platform: the lottery's purchases (and residents' own
 * everyday purchases there, a few among the city's online shops). */
static void on_payment(void *ctx, const led_transfer *t)
{
    paid_seen *s = ctx;
    if (s->platform == LED_NONE)
        s->platform = platform_merchant(s->v, s->data);
    if (t->kind != LED_T_PAYMENT || t->reason != LED_OK || t->to != s->platform || s->n == s->cap)
        return;
    s->fen[s->n++] = t->amount_fen;
}

static void test_platforms_lottery_pays_tickets_of_the_mix(void **state)
{
    (void)state;
    wfx f = {0};
    wfx_build(&f, lottery_ini, NULL, 0);
    f.w->p.use_up_share = 0; /* every purchase a drawn ticket, none the voucher's remainder */
    prg_programme *p = prg_find(f.w->prg, "airdrop", "a");
    assert_non_null(p);
    prg_vouchers *v = air_vouchers(p);
    assert_int_equal(v->n_platforms, 1);
    paid_seen seen = {.platform = LED_NONE, .v = v, .data = f.w->data, .cap = 1u << 20};
    seen.fen = calloc(seen.cap, sizeof *seen.fen);
    assert_non_null(seen.fen);
    led_set_trace(f.w->ledger, on_payment, &seen, 1.0);
    wfx_run_days(&f, 26);
    led_set_trace(f.w->ledger, NULL, NULL, 0);
    assert_int_equal(seen.platform, platform_merchant(v, f.w->data));
    assert_true(v->payments > 1000);
    assert_true(seen.n >= (uint32_t)v->payments);
    qsort(seen.fen, seen.n, sizeof *seen.fen, cmp_fen);
    double median_yuan = (double)seen.fen[seen.n / 2] / 100.0;
    print_message("%u payments to Vipshop, %lld of the lottery: median %.2f yuan\n", seen.n, (long long)v->payments,
                  median_yuan);
    /* retail's lognormal median is 60 yuan, online's 110 */
    assert_true(median_yuan > 54.0 && median_yuan < 66.0);
    free(seen.fen);
    wfx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platforms_category_follows_the_mix),
        cmocka_unit_test(test_platforms_lottery_pays_tickets_of_the_mix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
