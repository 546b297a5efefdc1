/* test_programmes.c: unit tests of the pilot programmes (cmocka).
 *
 * Each test writes a small scenario (Xiong'an, 1:100, data/ of the
 * repository), builds the world through the same path as `ecnysim run`,
 * steps the engine to the day that matters and checks one behaviour through
 * the programme's own functions and the ledger: envelopes refused at a
 * merchant outside the programme, expired value back in the pool, a payroll
 * batch with one bad leg paying nobody, an offline transit tap posting only
 * at sync, a draw giving exactly min(envelopes, sign-ups) winners, an open
 * coupon campaign recruiting wallets (a holders-only one none) and its new
 * wallets and payments uplift growing with its budget.
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

#include <gsl/gsl_statistics_double.h>

#include "models/programme.h"
#include "sim/calendar.h"
#include "sim/rng.h"
#include "tests/support/world_fixture.h"

typedef wfx fx;

static const char *const base_ini = "[scenario]\nstart = 2020-10-01\ndays = 60\nseed = 12345\nscale = 100\n"
                                    "[city.xiongan]\npilot_start = 2020-04-01\n";

static const char *const campaign_ini = "[scenario]\nstart = 2022-03-01\ndays = 40\nscale = 50\n"
                                        "[city.xiongan]\npilot_start = 2020-04-01\n";

static void build_seed(fx *f, const char *programmes, int seed)
{
    /* seeded runs (the campaign tests): Xiong'an in 2022, two years into its
     * pilot, after the public app, at 1:50 */
    const char *head = seed ? campaign_ini : base_ini;
    size_t n = strlen(head) + strlen(programmes) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s", head, programmes);
    char set[64];
    snprintf(set, sizeof set, "scenario.seed=%d", seed);
    const char *sets[] = {set};
    wfx_build(f, text, seed ? sets : NULL, seed ? 1 : 0);
    free(text);
}

static void build(fx *f, const char *programmes) { build_seed(f, programmes, 0); }

/* Every merchant accepts, so programme spending is not limited by acceptance. */
static void merchants_accept_all(fx *f)
{
    for (int k = 0; k < f->data.n_categories; k++)
        while (mer_start_accepting(f->w, &f->w->city[0], k, wld_start_day(f->w), f->w->city[0].rng_merchants) !=
               LED_NONE)
            ;
}

static void done(fx *f)
{
    wfx_check_ledger(f);
    wfx_free(f);
}

static int32_t day_of(int y, int m, int d) { return cal_day_from_ymd(y, m, d); }

static const char *const airdrop_ini =
    "[airdrop.test]\ncity = xiongan\npool_yuan = 123450\nenvelope_yuan = 123.45\n"
    "registration_start = 2020-10-05\nregistration_end = 2020-10-06\nspend_start = 2020-10-08\n"
    "spend_end = 2020-10-12\nmerchants = 500\ncategories = retail,catering\n";

static void test_airdrop_envelope_refused_at_non_participating_merchant(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, airdrop_ini);
    wfx_run_to(&f, day_of(2020, 10, 9)); /* envelopes granted on the 8th */
    prg_programme *p = prg_find(f.w->prg, "airdrop", "test");
    assert_non_null(p);
    prg_vouchers *v = air_vouchers(p);
    assert_true(v->n_holders > 0);
    led_ledger *led = f.w->ledger;
    /* A retail merchant that is not in the programme. */
    led_acct outsider = led_open(led, LED_MERCHANT, 0, f.w->city[0].bank_acct[0], 0);
    assert_int_not_equal(outsider, LED_NONE);
    led_set_merchant_category(led, outsider, (uint8_t)dat_find_category(&f.data, "retail"));
    int tested = 0;
    for (uint32_t h = 0; h < v->n_holders && tested < 5; h++) {
        led_acct wallet = v->holder[h];
        int64_t earmarked = led_earmarked(led, wallet);
        if (earmarked <= 0)
            continue;
        int64_t balance = led_balance(led, wallet), free_fen = balance - earmarked;
        /* More than the free money: only the envelope could pay it. */
        assert_int_equal(led_pay(led, wallet, outsider, free_fen + 1), LED_R_EARMARK);
        assert_int_equal(led_balance(led, wallet), balance);
        assert_int_equal(led_earmarked(led, wallet), earmarked);
        assert_int_equal(led_balance(led, outsider), 0);
        /* The same payment at a participating merchant is fine. */
        assert_int_equal(led_pay(led, wallet, v->merchants[0], free_fen + 1), LED_OK);
        tested++;
    }
    assert_true(tested > 0);
    done(&f);
}

static void test_airdrop_expired_value_returns_to_pool(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, airdrop_ini);
    prg_programme *p = prg_find(f.w->prg, "airdrop", "test");
    wfx_run_to(&f, day_of(2020, 10, 12));
    prg_vouchers *v = air_vouchers(p);
    int64_t granted = v->granted_fen;
    assert_true(granted > 0);
    wfx_run_to(&f, day_of(2020, 10, 14)); /* expiry ran on the 13th */
    int64_t unspent = granted - v->spent_fen;
    assert_true(unspent > 0);
    assert_int_equal(v->clawback_fen, unspent);
    for (uint32_t h = 0; h < v->n_holders; h++)
        assert_int_equal(led_earmarked(f.w->ledger, v->holder[h]), 0);
    /* The programme's cost is what was spent, not what was granted. */
    assert_int_equal(p->cost_fen, v->spent_fen);
    done(&f);
}

static void test_airdrop_draw_gives_min_envelopes_signups_winners(void **state)
{
    (void)state;
    const char *const pools[] = {"20000", "5000000000"}; /* few envelopes; more than sign-ups */
    for (int i = 0; i < 2; i++) {
        fx f = {0};
        char ini[1024];
        snprintf(ini, sizeof ini,
                 "[airdrop.test]\ncity = xiongan\npool_yuan = %s\nenvelope_yuan = 200\n"
                 "registration_start = 2020-10-05\nregistration_end = 2020-10-06\nspend_start = 2020-10-08\n"
                 "spend_end = 2020-10-12\n",
                 pools[i]);
        build(&f, ini);
        prg_programme *p = prg_find(f.w->prg, "airdrop", "test");
        wfx_run_to(&f, day_of(2020, 10, 7)); /* the draw runs on the 6th */
        int64_t s = air_signups(p), e = air_envelopes(p);
        assert_true(s > 0);
        assert_int_equal(air_winners(p), s < e ? s : e);
        if (i == 0)
            assert_true(e < s);
        else
            assert_true(e > s);
        done(&f);
    }
}

static double outcome(const prg_programme *p, const char *name);

/* A winner spends only where a participating store is on the route: with
 * the economy's reach (payments.reach_half_pct, here 5 % so that it binds),
 * fewer stores taking part mean less of the envelopes spent, monotone over
 * 3 store counts, summed over 3 seeds. */
static void test_airdrop_spending_grows_with_stores(void **state)
{
    (void)state;
    const int stores[] = {150, 1500, 15000};
    double spent[3] = {0};
    for (int i = 0; i < 3; i++)
        for (int seed = 1; seed <= 3; seed++) {
            fx f = {0};
            char ini[1024];
            snprintf(ini, sizeof ini,
                     "[payments]\nreach_half_pct = 5\n"
                     "[airdrop.test]\ncity = xiongan\npool_yuan = 2000000\nenvelope_yuan = 200\n"
                     "registration_start = 2022-03-02\nregistration_end = 2022-03-03\nspend_start = 2022-03-05\n"
                     "spend_end = 2022-03-09\nmerchants = %d\ncategories = retail,catering,supermarket\n",
                     stores[i]);
            build_seed(&f, ini, seed);
            wfx_run_to(&f, day_of(2022, 3, 10));
            prg_programme *p = prg_find(f.w->prg, "airdrop", "test");
            assert_non_null(p);
            spent[i] += outcome(p, "spent") / outcome(p, "claimed_value");
            done(&f);
        }
    print_message("share of claimed envelopes spent with 150, 1500, 15000 stores: %.3f %.3f %.3f (3 seeds)\n",
                  spent[0] / 3, spent[1] / 3, spent[2] / 3);
    assert_true(spent[0] < spent[1] && spent[1] < spent[2]);
    assert_true(spent[0] < 0.8 * spent[2]);
}

static void test_payroll_batch_with_invalid_leg_pays_nobody(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, "[payroll.test]\ncity = xiongan\nstart = 2020-10-02\nemployees = 12345\nemployers = 7\n"
              "salary_yuan = 6789.12\nkeep_pct = 100\npay_day = 25\n");
    prg_programme *p = prg_find(f.w->prg, "payroll", "test");
    wfx_run_to(&f, day_of(2020, 10, 3)); /* enrolled on the 2nd */
    uint32_t n, employers;
    led_acct *emp = prl_employees(p, &n, &employers);
    assert_true(n > 2 * employers);
    led_ledger *led = f.w->ledger;
    int64_t before[256];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k < 256; i += employers)
        before[k++] = led_balance(led, emp[i]);
    led_acct saved = emp[employers]; /* employer 0's second employee */
    emp[employers] = led_central_bank(led); /* an account nobody may pay */
    assert_false(prl_run_employer(p, f.w, 0, day_of(2020, 10, 3)));
    assert_int_equal(prl_batches_failed(p), 1);
    k = 0;
    for (uint32_t i = 0; i < n && k < 256; i += employers, k++)
        if (i != employers)
            assert_int_equal(led_balance(led, emp[i]), before[k]);
    emp[employers] = saved;
    assert_true(prl_run_employer(p, f.w, 0, day_of(2020, 10, 3)));
    assert_int_equal(led_balance(led, emp[0]), before[0] + 678912);
    done(&f);
}

static void test_transit_offline_tap_posts_at_sync(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, "[transit.test]\ncity = xiongan\nstart = 2020-10-02\nriders_per_day = 1000\nfare_yuan = 2.34\n");
    prg_programme *p = prg_find(f.w->prg, "transit", "test");
    int32_t day = day_of(2020, 10, 3);
    wfx_run_to(&f, day);
    wld_city *c = &f.w->city[0];
    led_ledger *led = f.w->ledger;
    uint32_t a = prg_open_wallet(f.w, c, SEG(0, AGE_ELDERLY, 0), day, p->rng, true);
    assert_int_not_equal(a, UINT32_MAX);
    led_acct card = c->wallet[a];
    assert_int_equal(led_kind(led, card), LED_HARD_WALLET);
    assert_true(pay_topup(f.w, c, card, 5000));
    trn_sync_all(p, f.w);
    led_acct op = trn_operator(p);
    int64_t op_before = led_balance(led, op), card_before = led_balance(led, card);
    assert_int_equal(trn_tap(p, f.w, card, day), LED_OK);
    assert_int_equal(led_pending_count(led, card), 1);
    assert_int_equal(led_balance(led, op), op_before);     /* nothing posted yet */
    assert_int_equal(led_balance(led, card), card_before);
    assert_int_equal(trn_sync_all(p, f.w), 0);
    assert_int_equal(led_pending_count(led, card), 0);
    assert_int_equal(led_balance(led, op), op_before + 234);
    assert_int_equal(led_balance(led, card), card_before - 234);
    done(&f);
}

static void test_rural_aid_spent_only_in_aid_categories(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, "[rural.test]\ncity = xiongan\nstart = 2020-10-02\nend = 2020-11-20\noutlets = 37\n"
              "hard_wallets = 1234\naid_yuan = 1234567.89\naid_recipients = 4321\naid_date = 2020-10-03\n"
              "aid_days = 30\naid_categories = supermarket\n");
    merchants_accept_all(&f);
    prg_programme *p = prg_find(f.w->prg, "rural", "test");
    assert_non_null(p);
    /* The day after the grant, holders still hold their aid. */
    wfx_run_to(&f, day_of(2020, 10, 4));
    prg_vouchers *aid = rur_aid(p);
    /* A holder cannot take the aid to a restaurant: beyond its own money the
     * payment is refused as outside the earmark, and nothing moves. */
    led_ledger *led = f.w->ledger;
    led_acct restaurant = f.w->city[0].accepting[dat_find_category(&f.data, "catering")][0];
    int tested = 0;
    for (uint32_t h = 0; h < aid->n_holders && tested < 5; h++) {
        led_acct wallet = aid->holder[h];
        int64_t earmarked = led_earmarked(led, wallet), balance = led_balance(led, wallet);
        if (earmarked <= 0)
            continue;
        assert_int_equal(led_pay(led, wallet, restaurant, balance - earmarked + 1), LED_R_EARMARK);
        assert_int_equal(led_balance(led, wallet), balance);
        tested++;
    }
    assert_true(tested > 0);
    wfx_run_to(&f, day_of(2020, 10, 20));
    assert_true(aid->granted_fen > 0);
    assert_true(aid->spent_fen > 0);
    int supermarket = dat_find_category(&f.data, "supermarket");
    int64_t by_cat = 0;
    for (int k = 0; k < f.data.n_categories; k++) {
        if (k != supermarket)
            assert_int_equal(aid->spent_by_cat_fen[k], 0);
        by_cat += aid->spent_by_cat_fen[k];
    }
    /* everyday purchases that spent the aid first are in spent_fen too (by the
     * earmark's rule in the aid categories as well), not by category */
    assert_int_equal(by_cat + aid->spent_everyday_fen, aid->spent_fen);
    done(&f);
}

static void test_rural_hard_wallets_go_to_rural_residents(void **state)
{
    (void)state;
    fx f = {0};
    build(&f, "[rural.test]\ncity = xiongan\nstart = 2020-10-02\nend = 2020-10-30\nhard_wallets = 2345\n");
    prg_programme *p = prg_find(f.w->prg, "rural", "test");
    const wld_city *c = &f.w->city[0];
    int64_t hard_before = c->hard_wallets;
    wfx_run_to(&f, day_of(2020, 10, 31));
    int64_t given = rur_hard_wallets_given(p);
    assert_true(given > 0);
    assert_true(c->hard_wallets - hard_before >= given);
    /* every hard wallet belongs to a rural resident or one without a smartphone */
    uint32_t hard = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        if (led_kind(f.w->ledger, c->wallet[a]) != LED_HARD_WALLET)
            continue;
        hard++;
        assert_true(!SEG_URBAN(c->segment[a]) || !SEG_PHONE(c->segment[a]));
    }
    assert_true(hard >= given);
    done(&f);
}

static uint32_t accepting_all(const fx *f)
{
    uint32_t n = 0;
    for (int k = 0; k < f->data.n_categories; k++)
        n += f->w->city[0].merchants_accepting[k];
    return n;
}

static void test_incentive_fee_subsidy_raises_acceptance(void **state)
{
    (void)state;
    uint32_t accepting[2];
    const char *subsidy[] = {"0", "2.5"};
    for (int i = 0; i < 2; i++) {
        fx f = {0};
        char ini[512];
        snprintf(ini, sizeof ini,
                 "[incentive.test]\ncity = xiongan\nstart = 2020-10-02\nend = 2020-11-25\nfee_subsidy_pct = %s\n",
                 subsidy[i]);
        build(&f, ini);
        uint32_t before = accepting_all(&f); /* those of the pilot history */
        wfx_run_to(&f, day_of(2020, 11, 25));
        accepting[i] = accepting_all(&f) - before;
        done(&f);
    }
    print_message("merchants starting to accept without and with the fee subsidy: %u, %u\n", accepting[0],
                  accepting[1]);
    assert_true(accepting[0] > 0);
    assert_true(accepting[1] > accepting[0] + accepting[0] / 4); /* the fee response: 1 + fee_weight x fee */
}

/* The value of outcome name in p's latest report (refreshed every day end). */
static double outcome(const prg_programme *p, const char *name)
{
    for (int i = 0; i < p->n_out; i++)
        if (strcmp(p->out[i].name, name) == 0)
            return p->out[i].value;
    fail_msg("no outcome '%s' for [%s]", name, p->name);
    return 0;
}

/* Runs a coupon campaign of `coupons` coupons of 20 yuan open to `open_to`,
 * with seed, to its end plus a day; returns its new wallets, and its
 * e-CNY payments uplift through *uplift. */
/* Runs a voucher campaign; returns its new wallets and, when asked, its
 * uplift of daily payments (%) and voucher spending (yuan). */
static double campaign_friction(const char *open_to, int coupons, int seed, double open_per_day, double *uplift,
                                double *spent)
{
    fx f = {0};
    char ini[512];
    snprintf(ini, sizeof ini,
             "[incentive.test]\ncity = xiongan\nstart = 2022-03-05\nend = 2022-03-18\ncoupons = %d\n"
             "coupon_yuan = 20\nopen_to = %s\n[campaign]\nopen_per_day = %g\n",
             coupons, open_to, open_per_day);
    build_seed(&f, ini, seed);
    wfx_run_to(&f, day_of(2022, 3, 20));
    prg_programme *p = prg_find(f.w->prg, "incentive", "test");
    assert_non_null(p);
    double n = outcome(p, "new_wallets");
    if (spent)
        *spent = outcome(p, "spent");
    if (uplift)
        *uplift = outcome(p, "uplift_daily_payments");
    done(&f);
    return n;
}

static double campaign_new_wallets(const char *open_to, int coupons, int seed, double *uplift, double *spent)
{
    return campaign_friction(open_to, coupons, seed, 0.35, uplift, spent);
}

/* New wallets shrink with the friction of opening one, monotone over 4
 * levels of open_per_day for 3 seeds, and voucher spending with them. */
static void test_incentive_new_wallets_shrink_with_friction(void **state)
{
    (void)state;
    static const double open[] = {0.8, 0.4, 0.2, 0.05};
    for (int seed = 1; seed <= 3; seed++) {
        double last = 1e300, spent[4];
        for (int i = 0; i < 4; i++) {
            /* more coupons than takers: the friction, not the budget, binds */
            double n = campaign_friction("residents", 256000, seed, open[i], NULL, &spent[i]);
            print_message("seed %d, open_per_day %.2f: %.0f new wallets, %.0f yuan spent\n", seed, open[i], n,
                          spent[i]);
            assert_true(n < last);
            last = n;
        }
        /* spending falls too, by what the recruits would have spent: small
         * beside the holders' share, so only the extremes are compared */
        assert_true(spent[3] < spent[0]);
    }
}

/* A voucher open to any resident who signs up recruits wallets; one for
 * holders only recruits none. */
static void test_incentive_open_campaign_recruits_wallets(void **state)
{
    (void)state;
    double open = campaign_new_wallets("residents", 4000, 12345, NULL, NULL);
    double holders = campaign_new_wallets("holders", 4000, 12345, NULL, NULL);
    print_message("new wallets of 4,000 coupons: open %.0f, holders only %.0f\n", open, holders);
    assert_true(open > 0);
    assert_true(holders == 0);
}

/* New wallets and voucher spending grow with the budget, monotone over 5
 * budgets for each of 3 seeds; the uplift of daily e-CNY payments grows with it too: in the mean
 * of the seeds, its rank correlation with the budget over all five is at least 0.8 and the
 * largest budget lifts it most (a day's payments are noisy at this scale: 3,000 more coupons of
 * 20 yuan move it by less than the seeds' spread, so strict monotony is not asked). */
static void test_incentive_new_wallets_grow_with_budget(void **state)
{
    (void)state;
    static const int budgets[] = {1000, 4000, 16000, 64000, 256000};
    double mean_up[5] = {0, 0, 0, 0, 0};
    for (int seed = 1; seed <= 3; seed++) {
        double last = -1, last_spent = -1;
        for (int b = 0; b < 5; b++) {
            double up = 0, spent = 0;
            double n = campaign_new_wallets("residents", budgets[b], seed, &up, &spent);
            print_message("seed %d, %d coupons: %.0f new wallets, %.0f yuan spent, payments uplift %.1f %%\n", seed,
                          budgets[b], n, spent, up);
            assert_true(n > last);
            assert_true(spent > last_spent);
            last = n;
            last_spent = spent;
            mean_up[b] += up / 3.0;
        }
    }
    double budget[5], work[10];
    for (int b = 0; b < 5; b++)
        budget[b] = budgets[b];
    double rho = gsl_stats_spearman(budget, 1, mean_up, 1, 5, work);
    print_message("rank correlation of the mean uplift with the budget: %.2f\n", rho);
    assert_true(rho >= 0.8);
    for (int b = 0; b < 4; b++)
        assert_true(mean_up[4] > mean_up[b]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_airdrop_envelope_refused_at_non_participating_merchant),
        cmocka_unit_test(test_airdrop_expired_value_returns_to_pool),
        cmocka_unit_test(test_airdrop_draw_gives_min_envelopes_signups_winners),
        cmocka_unit_test(test_airdrop_spending_grows_with_stores),
        cmocka_unit_test(test_payroll_batch_with_invalid_leg_pays_nobody),
        cmocka_unit_test(test_rural_aid_spent_only_in_aid_categories),
        cmocka_unit_test(test_rural_hard_wallets_go_to_rural_residents),
        cmocka_unit_test(test_incentive_fee_subsidy_raises_acceptance),
        cmocka_unit_test(test_transit_offline_tap_posts_at_sync),
        cmocka_unit_test(test_incentive_open_campaign_recruits_wallets),
        cmocka_unit_test(test_incentive_new_wallets_grow_with_budget),
        cmocka_unit_test(test_incentive_new_wallets_shrink_with_friction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
