/* test_economy.c: each behaviour of the economy model in isolation.
 *
 * Every test builds a real world from a small scenario (written to a temp
 * file, loaded through the schema, data from data/), runs it on the engine
 * and inspects the agents' columns and the ledger: no mocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/world_int.h"
#include "tests/support/world_fixture.h"

typedef wfx fixture;

static void build(fixture *f, const char *ini, const char *const *sets, int n_sets)
{
    wfx_build(f, ini, sets, n_sets);
}

static void run_days(fixture *f, int days)
{
    wfx_run_days(f, days);
}

static void destroy(fixture *f)
{
    wfx_free(f);
}

/* The mechanisms are tested from an empty city: no pilot history. */
static const char *small_city =
    "[scenario]\nstart = 2021-03-01\ndays = 60\nseed = 12345\nscale = 500\nhistory = false\n[city.suzhou]\n";

/* Everyone aware, downloading and opening at once: adoption is immediate. */
static const char *fast_adoption[] = {
    "adoption.whitelist_start_pct=100", "adoption.awareness_promo=1", "adoption.download_rate=1",
    "adoption.open_rate=1", "adoption.hard_wallet_rate=1", "adoption.engaged_pct=100",
};
#define N_FAST (int)(sizeof fast_adoption / sizeof fast_adoption[0])

static int64_t day_metric(const fixture *f, int metric)
{
    return f->w->city[0].m[metric];
}

static void test_economy_no_accepting_merchants_no_retail_ecny(void **state)
{
    const char *sets[N_FAST + 3];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.accept_base=0";
    sets[N_FAST + 1] = "merchants.fee_weight=0";
    sets[N_FAST + 2] = "merchants.demand_weight=0";
    fixture f;
    build(&f, small_city, sets, N_FAST + 3);
    int64_t retail = 0;
    for (int d = 0; d < 30; d++) {
        run_days(&f, 1);
        retail += day_metric(&f, M_VALUE_RETAIL);
    }
    assert_true(f.w->city[0].n_adopters > 1000);
    for (int c = 0; c < f.data.n_categories; c++)
        assert_int_equal(f.w->city[0].merchants_accepting[c], 0);
    assert_int_equal(retail, 0);
    destroy(&f);
}

static void test_economy_adopters_pay_where_merchants_accept(void **state)
{
    const char *sets[N_FAST + 1];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.must_accept=true";
    fixture f;
    build(&f, small_city, sets, N_FAST + 1);
    int64_t retail = 0;
    for (int d = 0; d < 10; d++) {
        run_days(&f, 1);
        retail += day_metric(&f, M_VALUE_RETAIL);
    }
    assert_true(retail > 0);
    for (int c = 0; c < f.data.n_categories; c++)
        assert_int_equal(f.w->city[0].merchants_accepting[c], f.w->city[0].merchants_total[c]);
    destroy(&f);
}

/* Holders who are not engaged pay now and then at casual_pct of an engaged
 * adopter's rate: with nobody engaged, no retail e-CNY at 0 %, and at 20 %
 * many holders pay a little each (more active wallets than payers a day). */
static void casual_run(double casual_pct, int64_t *payments, int64_t *active, uint32_t *engaged)
{
    char casual[64];
    snprintf(casual, sizeof casual, "payments.casual_pct=%g", casual_pct);
    const char *sets[N_FAST + 4];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.must_accept=true";
    sets[N_FAST + 1] = "adoption.engaged_pct=0";
    sets[N_FAST + 2] = "adoption.reactivation_rate=0";
    sets[N_FAST + 3] = casual;
    fixture f;
    build(&f, small_city, sets, N_FAST + 4);
    *payments = 0;
    for (int d = 0; d < 30; d++) {
        run_days(&f, 1);
        *payments += day_metric(&f, M_PAYMENTS_RETAIL);
    }
    *active = day_metric(&f, M_ACTIVE_WALLETS);
    *engaged = f.w->city[0].n_engaged;
    destroy(&f);
}

static void test_economy_holders_pay_casually(void **state)
{
    (void)state;
    int64_t none_payments, none_active, some_payments, some_active;
    uint32_t engaged;
    casual_run(0, &none_payments, &none_active, &engaged);
    assert_int_equal(engaged, 0);
    assert_int_equal(none_payments, 0);
    assert_int_equal(none_active, 0);
    casual_run(20, &some_payments, &some_active, &engaged);
    assert_int_equal(engaged, 0);
    print_message("casual 20 %%: %lld retail payments in 30 days, %lld active wallets\n", (long long)some_payments,
                  (long long)some_active);
    assert_true(some_payments > 0);
    assert_true(some_active > 0);
    /* rare users: most active wallets paid only a few times in the month */
    assert_true((double)some_payments / (double)some_active < 10.0);
}

static void test_economy_merchant_adopts_when_customers_hold_ecny(void **state)
{
    const char *sets[N_FAST + 4];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.accept_base=0";
    sets[N_FAST + 1] = "merchants.fee_weight=0";
    sets[N_FAST + 2] = "merchants.demand_weight=50";
    sets[N_FAST + 3] = "merchants.onboard_per_million=1000000"; /* the banks' staff are no limit here */
    fixture f;
    build(&f, small_city, sets, N_FAST + 4);
    run_days(&f, 5);
    /* By day 5 every potential adopter who finds it worth it holds e-CNY
     * (a few % of residents or more), so demand alone makes every merchant
     * accept (chance min(1, 50 x share) per day). */
    uint32_t accepting = 0, total = 0;
    for (int c = 0; c < f.data.n_categories; c++) {
        accepting += f.w->city[0].merchants_accepting[c];
        total += f.w->city[0].merchants_total[c];
    }
    assert_int_equal(accepting, total);
    destroy(&f);
}

static void test_economy_elderly_without_smartphone_get_hard_wallets(void **state)
{
    const char *sets[N_FAST + 1];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "adoption.elderly_smartphone_pct=0";
    fixture f;
    build(&f, small_city, sets, N_FAST + 1);
    run_days(&f, 3);
    const wld_city *c = &f.w->city[0];
    uint32_t elderly = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        if (SEG_AGE(c->segment[a]) != AGE_ELDERLY)
            continue;
        elderly++;
        assert_int_equal(led_kind(f.w->ledger, c->wallet[a]), LED_HARD_WALLET);
    }
    assert_true(elderly > 100);
    assert_true(c->hard_wallets >= (int64_t)elderly);
    /* and every soft wallet belongs to someone with a smartphone */
    for (uint32_t a = 0; a < c->n_adopters; a++)
        if (led_kind(f.w->ledger, c->wallet[a]) == LED_WALLET)
            assert_true(SEG_PHONE(c->segment[a]));
    destroy(&f);
}

/* Every resident without a smartphone who may adopt can hold a card, past
 * the ledger's default room for hard wallets (accounts / 64 + 1024 side
 * records): the world reserves a side record for each of them. */
static void test_economy_hard_wallets_past_the_default_room(void **state)
{
    const char *sets[N_FAST + 1];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "adoption.elderly_smartphone_pct=0";
    fixture f;
    build(&f, "[scenario]\nstart = 2021-03-01\ndays = 5\nseed = 12345\nscale = 100\nhistory = false\n[city.suzhou]\n",
          sets, N_FAST + 1);
    run_days(&f, 3);
    const wld_city *c = &f.w->city[0];
    int64_t may = 0;
    for (int s = 0; s < SEGMENTS; s++)
        if (!SEG_PHONE(s))
            may += c->seg_total[s] - c->seg_never[s];
    print_message("hard wallets: %lld of %lld who may adopt, %u accounts\n", (long long)c->hard_wallets,
                  (long long)may, f.w->max_accounts);
    assert_true(may > (int64_t)(f.w->max_accounts / 64 + 1024));
    assert_int_equal(c->hard_wallets, may);
    destroy(&f);
}

static void test_economy_nothing_before_pilot_start(void **state)
{
    fixture f;
    build(&f, "[scenario]\nstart = 2020-01-01\ndays = 60\nscale = 1000\n[city.suzhou]\npilot_start = 2020-03-01\n",
          fast_adoption, N_FAST);
    run_days(&f, 59); /* to 2020-02-28 */
    assert_int_equal(f.w->city[0].n_adopters, 0);
    assert_int_equal(day_metric(&f, M_AWARE), 0);
    assert_int_equal(led_circulation(f.w->ledger), 0);
    destroy(&f);
}

static void test_economy_wallets_exceed_people_but_within_bounds(void **state)
{
    fixture f;
    const char *sets[N_FAST + 1];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "adoption.extra_wallet_rate=1";
    build(&f, small_city, sets, N_FAST + 1);
    run_days(&f, 5);
    const wld_city *c = &f.w->city[0];
    int64_t soft = c->n_adopters - c->hard_wallets;
    /* March 2021: 7 operators, so at most min(6, extra_wallets_max=3) extra each */
    assert_true(c->extra_wallets > 0);
    assert_true(c->extra_wallets <= soft * 3);
    assert_true(day_metric(&f, M_WALLETS) > day_metric(&f, M_ADOPTERS));
    destroy(&f);
}

static void test_economy_ledger_conserves_money_every_day(void **state)
{
    fixture f;
    build(&f, small_city, fast_adoption, N_FAST);
    char why[256];
    for (int d = 0; d < 30; d++) {
        run_days(&f, 1);
        assert_true(led_check(f.w->ledger, why, sizeof why));
    }
    assert_true(led_circulation(f.w->ledger) > 0);
    destroy(&f);
}

static void test_economy_firms_pay_only_on_weekdays(void **state)
{
    const char *sets[] = {"firms.adopt_base=1", "firms.b2b_per_day=5"};
    fixture f;
    /* 2021-03-06 is a Saturday: day index 5 from Monday 2021-03-01 */
    build(&f, small_city, sets, 2);
    for (int d = 0; d < 7; d++) {
        run_days(&f, 1);
        int weekday = d % 7; /* 0 = Monday */
        if (weekday >= 5)
            assert_int_equal(day_metric(&f, M_VALUE_B2B), 0);
        else if (d > 0)
            assert_true(day_metric(&f, M_VALUE_B2B) > 0);
    }
    destroy(&f);
}

static void test_economy_bank_marketing_wins_wallets_and_awareness(void **state)
{
    /* Same seed, with and without a campaign by ICBC: the campaign makes
     * more residents aware and wins ICBC a larger share of new wallets. */
    int64_t aware[2], icbc[2], all[2];
    for (int campaign = 0; campaign < 2; campaign++) {
        char ini[512];
        snprintf(ini, sizeof ini, "%s%s", small_city,
                 campaign ? "[bank.icbc]\nmarketing_yuan_per_million = 5000\ncost_per_aware_yuan = 25\n" : "");
        fixture f;
        const char *sets[] = {"adoption.whitelist_start_pct=100"};
        build(&f, ini, sets, 1);
        run_days(&f, 40);
        const wld_city *c = &f.w->city[0];
        aware[campaign] = day_metric(&f, M_AWARE);
        icbc[campaign] = c->wallets_by_bank[0];
        all[campaign] = c->n_adopters;
        int64_t by_bank = 0;
        for (int b = 0; b < f.data.n_banks; b++)
            by_bank += c->wallets_by_bank[b];
        assert_int_equal(by_bank, c->n_adopters);
        destroy(&f);
    }
    assert_true(aware[1] > aware[0]);
    assert_true(all[0] > 0 && all[1] > 0);
    /* 5,000 yuan per million a day with weight 1: ICBC's weight x6 */
    assert_true((double)icbc[1] / all[1] > 2.0 * (double)icbc[0] / all[0]);
}

static double elderly_share_of_awareness(const char *contact_age_pct)
{
    /* Word of mouth alone drives awareness (no publicity after a small seed). */
    char age[64];
    snprintf(age, sizeof age, "adoption.contact_age_pct=%s", contact_age_pct);
    const char *sets[] = {"adoption.whitelist_start_pct=100", "adoption.awareness_promo=0.0005",
                          "adoption.awareness_wom=0.5", "adoption.contact_area_pct=0", "adoption.invite_aware_rate=0",
                          "adoption.ceiling_pct=100", "adoption.download_rate=0.05", "adoption.download_wom=0",
                          "adoption.open_rate=1", "adoption.usefulness_weight=0", age};
    fixture f;
    build(&f, small_city, sets, 11);
    run_days(&f, 30);
    const wld_city *c = &f.w->city[0];
    int64_t old_total = 0, old_heard = 0, all_total = 0, all_heard = 0;
    for (int s = 0; s < SEGMENTS; s++) {
        int64_t potential = c->seg_total[s] - c->seg_never[s];
        int64_t heard = potential - c->seg_unaware[s];
        all_total += potential;
        all_heard += heard;
        if (SEG_AGE(s) == AGE_ELDERLY) {
            old_total += potential;
            old_heard += heard;
        }
    }
    destroy(&f);
    assert_true(all_heard > 0);
    return ((double)old_heard / (double)old_total) / ((double)all_heard / (double)all_total);
}

static void test_economy_word_of_mouth_follows_contacts(void **state)
{
    /* The elderly adopt less (fewer smartphones). When contacts are within
     * age bands they hear less from adopters than when contacts are
     * city-wide, so they hear of e-CNY later. */
    double city_wide = elderly_share_of_awareness("0");
    double by_age = elderly_share_of_awareness("100");
    print_message("elderly relative awareness: city-wide contacts %.3f, by age band %.3f\n", city_wide, by_age);
    assert_true(by_age < 0.9 * city_wide);
}

/* The city's e-CNY as the ledger holds it: every balance of its accounts
 * outside the banks' vaults, the issuer and programme pools. */
static int64_t city_balances_fen(const fixture *f)
{
    int64_t sum = 0;
    for (led_acct a = 0; a < led_accounts(f->w->ledger); a++) {
        enum led_account_kind k = led_kind(f->w->ledger, a);
        if (k != LED_CENTRAL_BANK && k != LED_BANK && k != LED_POOL && led_city(f->w->ledger, a) == 0)
            sum += led_balance(f->w->ledger, a);
    }
    return sum;
}

static void test_economy_balance_cap_overflow_reject_or_sweep(void **state)
{
    /* Fiscal transfers to residents above the class-4 cap (10,000 yuan):
     * with reject they are refused for the cap; with sweep they are paid and
     * the excess goes on to the wallet's bank account, and no wallet ends
     * over its cap either way (led_check). Either way the city's circulation
     * is what its accounts hold: the ledger's sweeps are redemptions too. */
    int64_t refused[2], paid[2];
    const char *policy[] = {"payments.balance_cap_overflow=reject", "payments.balance_cap_overflow=sweep"};
    for (int i = 0; i < 2; i++) {
        const char *sets[N_FAST + 9];
        memcpy(sets, fast_adoption, sizeof fast_adoption);
        sets[N_FAST + 7] = "government.ramp_days=1";
        sets[N_FAST + 8] = "government.ecny_pct=50";
        sets[N_FAST] = policy[i];
        sets[N_FAST + 1] = "adoption.class1_pct=0";
        sets[N_FAST + 2] = "adoption.class2_pct=0";
        sets[N_FAST + 3] = "adoption.class3_pct=0";
        sets[N_FAST + 4] = "government.start=2021-03-01";
        sets[N_FAST + 5] = "government.g2p_median_yuan=12345.67";
        sets[N_FAST + 6] = "government.g2p_pct=100";
        fixture f;
        build(&f, small_city, sets, N_FAST + 9);
        refused[i] = paid[i] = 0;
        char why[256];
        for (int d = 0; d < 20; d++) {
            run_days(&f, 1);
            refused[i] += day_metric(&f, M_REJECTED_FIRST + LED_R_BALANCE_CAP - 1);
            paid[i] += day_metric(&f, M_VALUE_GOV);
            assert_true(led_check(f.w->ledger, why, sizeof why));
            assert_int_equal(f.w->city[0].circulation_fen, city_balances_fen(&f));
            assert_int_equal(day_metric(&f, M_CIRCULATION), f.w->city[0].circulation_fen);
        }
        destroy(&f);
    }
    assert_true(refused[0] > 0);
    assert_int_equal(refused[1], 0);
    assert_true(paid[1] > paid[0]);
}

/* People are not wallets: adopters never exceed residents (nor the
 * ceiling of smartphone owners who would ever adopt, plus those without a
 * smartphone); wallets never exceed k x adopters, k = (1 + extra_wallets_max)
 * x (1 + visitor_wallet_pct / 100): each adopter's first wallet and at most
 * extra_wallets_max more at other operators, and visitors' wallets in
 * proportion. Accepting merchants never exceed merchants. Checked every day
 * over two years of the first pilot city with the default parameters. */
static void test_economy_sanity_people_wallets_merchants(void **state)
{
    fixture f;
    build(&f, "[scenario]\nstart = 2020-04-01\ndays = 730\nseed = 7\nscale = 2000\n[city.suzhou]\n", NULL, 0);
    const wld_city *c = &f.w->city[0];
    double k = (1.0 + f.w->p.extra_wallets_max) * (1.0 + f.w->p.visitor_wallet_pct / 100.0);
    int64_t never = 0;
    for (int s = 0; s < SEGMENTS; s++)
        never += c->seg_never[s];
    assert_true(never > 0); /* the ceiling binds: some never adopt */
    int64_t ever_before = 0;
    for (int d = 0; d < 730; d++) {
        run_days(&f, 1);
        assert_true(day_metric(&f, M_ADOPTERS) <= (int64_t)c->agents - never);
        assert_true((double)day_metric(&f, M_WALLETS) <= k * (double)day_metric(&f, M_ADOPTERS) + 1);
        assert_true(day_metric(&f, M_MERCHANTS_ACCEPTING) <= (int64_t)c->merchants_all);
        assert_true(day_metric(&f, M_ENGAGED) <= day_metric(&f, M_ADOPTERS));
        /* wallets that ever paid: at least those that paid in the window,
         * at most the adopters, never fewer than the day before */
        int64_t ever = day_metric(&f, M_EVER_PAID);
        assert_true(ever >= day_metric(&f, M_ACTIVE_WALLETS) && ever <= day_metric(&f, M_ADOPTERS));
        assert_true(ever >= ever_before);
        ever_before = ever;
    }
    assert_true(day_metric(&f, M_ADOPTERS) > 0);
    int64_t paid = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++)
        paid += c->last_pay_day[a] != RES_NEVER_PAID;
    assert_int_equal(day_metric(&f, M_EVER_PAID), paid);
    assert_true(paid > day_metric(&f, M_ACTIVE_WALLETS));
    destroy(&f);
}

/* Acceptance follows customers: with nobody aware of e-CNY, no adopter, and
 * no merchant accepts, whatever the banks' base effort and fee savings. */
static void test_economy_no_customers_no_accepting_merchants(void **state)
{
    const char *sets[] = {"adoption.awareness_promo=0", "adoption.awareness_wom=0", "adoption.invite_aware_rate=0",
                          "merchants.accept_base=0.5", "merchants.onboard_per_million=1000000"};
    fixture f;
    build(&f, small_city, sets, 5);
    run_days(&f, 60);
    assert_int_equal(f.w->city[0].n_adopters, 0);
    assert_int_equal(day_metric(&f, M_MERCHANTS_ACCEPTING), 0);
    destroy(&f);
}

/* The banks' staff limit onboarding: with demand for every merchant, no
 * more than onboard_per_million x residents / 1e6 x operators / 4 start a day. */
static void test_economy_onboarding_capacity_limits_acceptance(void **state)
{
    const char *sets[N_FAST + 2];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.demand_weight=100";
    sets[N_FAST + 1] = "merchants.onboard_per_million=40";
    fixture f;
    build(&f, small_city, sets, N_FAST + 2);
    uint32_t before = 0;
    for (int d = 0; d < 10; d++) {
        run_days(&f, 1);
        uint32_t now = (uint32_t)day_metric(&f, M_MERCHANTS_ACCEPTING);
        /* March 2021: 7 operators; 12.75 M residents at 1:500 = 25,500 agents */
        double cap = 40.0 * f.w->city[0].agents / 1e6 * 7 / 4.0;
        assert_true(now - before <= (uint32_t)cap + 1);
        before = now;
        /* those the staff did not reach are not owed a start later: their
         * expected start is taken back, so what is due never runs ahead of
         * what started by a whole merchant (merchants.c) */
        const wld_city *c = &f.w->city[0];
        for (int k = 0; k < f.data.n_categories; k++)
            assert_true(c->accept_due[k] - (double)c->accept_done[k] < 1.0);
    }
    assert_true(before > 0);
    destroy(&f);
}

/* Merchants start accepting as their expected starts come due, not by a
 * binomial draw: at 1:2000 one agent is 2,000 stores, and a binomial count of
 * such lumps would scatter a young pilot's acceptance (and, reach being
 * concave in it, lower its residents' payments on average). Every category's
 * accepting count stays within one agent of the daily chances' running sum. */
static void test_economy_acceptance_follows_its_expectation(void **state)
{
    (void)state;
    const char *sets[N_FAST + 3];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.onboard_per_million=0";
    sets[N_FAST + 1] = "merchants.demand_weight=0.02";
    sets[N_FAST + 2] = "merchants.accept_base=0.001";
    int some = 0;
    for (int seed = 1; seed <= 20; seed++) {
        char ini[200];
        snprintf(ini, sizeof ini, "[scenario]\nstart = 2021-03-01\ndays = 40\nseed = %d\nscale = 2000\n"
                                  "history = false\n[city.xiongan]\n", seed);
        fixture f;
        build(&f, ini, sets, N_FAST + 3);
        for (int d = 0; d < 40; d++) {
            run_days(&f, 1);
            const wld_city *c = &f.w->city[0];
            for (int k = 0; k < f.data.n_categories; k++) {
                assert_true(fabs((double)c->merchants_accepting[k] - c->accept_due[k]) < 1.0);
                some += c->merchants_accepting[k] > 0;
            }
        }
        destroy(&f);
    }
    assert_true(some > 0);
}

/* Payments per active wallet per day stay inside the published range: at
 * least one in the active window (1/30 a day, by the definition of an
 * active wallet) and at most every purchase a person makes (~1.94 non-bank
 * payments per person a day, x the weekend factor; data/sources.md section 5).
 * Measured over 2021-2022 in Suzhou with the default parameters. */
static void test_economy_payments_per_active_wallet_in_published_range(void **state)
{
    fixture f;
    build(&f, "[scenario]\nstart = 2020-04-01\nend = 2022-12-31\nseed = 3\nscale = 2000\n[city.suzhou]\n", NULL, 0);
    double payments = 0, active_days = 0;
    int days = wld_days(f.w);
    for (int d = 0; d < days; d++) {
        run_days(&f, 1);
        if (d < days - 730)
            continue;
        payments += (double)day_metric(&f, M_PAYMENTS_RETAIL);
        active_days += (double)day_metric(&f, M_ACTIVE_WALLETS);
    }
    assert_true(active_days > 0);
    double per = payments / active_days;
    print_message("retail e-CNY payments per active wallet per day, 2021-2022: %.3f\n", per);
    assert_true(per >= 1.0 / 30.0);
    assert_true(per <= 1.94 * 1.15);
    destroy(&f);
}

/* A batch-4 province reaches its cities over province_rollout_days: half
 * of it at mid-way, all of it after; a city, and Hainan (a province-wide
 * pilot from its start), at once. Its residents may open a wallet anywhere
 * (the national app), but take it up for everyday purchases only in the
 * share reached: as many adopters, fewer of them engaged. */
static void test_economy_province_rollout(void **state)
{
    (void)state;
    const char *ini = "[scenario]\nstart = 2022-12-01\ndays = 120\nseed = 7\nscale = 2000\n"
                      "[city.jiangsu]\n[city.hainan]\n[city.suzhou]\n";
    const char *rollout[] = {"adoption.province_rollout_days=400"};
    fixture f = {0};
    build(&f, ini, rollout, 1);
    wld_city *jiangsu = &f.w->city[0], *hainan = &f.w->city[1], *suzhou = &f.w->city[2];
    int32_t start = jiangsu->pilot_start_day;
    assert_true(jiangsu->data->kind == DAT_KIND_PROVINCE && jiangsu->data->batch == 4);
    assert_true(hainan->data->kind == DAT_KIND_PROVINCE && hainan->data->batch < 4);
    assert_true(fabs(res_rollout_share(f.w, jiangsu, start + 199) - 0.5) < 1e-12);
    assert_true(res_rollout_share(f.w, jiangsu, start - 10) == 0.0);
    assert_true(res_rollout_share(f.w, jiangsu, start + 500) == 1.0);
    assert_true(res_rollout_share(f.w, hainan, start) == 1.0);
    assert_true(res_rollout_share(f.w, suzhou, start) == 1.0);
    assert_true(res_invited_share(f.w, jiangsu, start + 49) == res_invited_share(f.w, suzhou, start + 49));
    run_days(&f, 120);
    double adopters_rollout = jiangsu->n_adopters, engaged_rollout = jiangsu->n_engaged;
    wfx_free(&f);

    const char *at_once[] = {"adoption.province_rollout_days=0"};
    fixture g = {0};
    build(&g, ini, at_once, 1);
    assert_true(res_rollout_share(g.w, &g.w->city[0], start + 1) == 1.0);
    run_days(&g, 120);
    double adopters = g.w->city[0].n_adopters, engaged = g.w->city[0].n_engaged;
    wfx_free(&g);
    print_message("Jiangsu after 120 days: %.0f adopters, %.0f engaged with a 400-day roll-out; %.0f, %.0f at once\n",
                  adopters_rollout, engaged_rollout, adopters, engaged);
    assert_true(adopters > 0 && engaged > 0);
    assert_true(fabs(adopters_rollout - adopters) < 0.25 * adopters);
    assert_true(engaged_rollout / adopters_rollout < 0.7 * (engaged / adopters));
}

/* Residents keep a working balance: at a month's end every soft wallet's
 * free balance above payments.keep_yuan goes back to the bank, so fiscal
 * payments into wallets do not pile up as e-CNY in circulation; with the
 * sweep off (0) they do. Only then, only the excess, and never a hard wallet
 * (its offline balance stays on the card). */
static void wallet_balances_yuan(const fixture *f, double *largest_free, double *hard_total)
{
    const wld_city *c = &f->w->city[0];
    int64_t most = 0, hard = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        led_acct acct = c->wallet[a];
        if (led_kind(f->w->ledger, acct) != LED_WALLET) {
            hard += led_balance(f->w->ledger, acct);
            continue;
        }
        int64_t free_fen = led_balance(f->w->ledger, acct) - led_earmarked(f->w->ledger, acct);
        most = free_fen > most ? free_fen : most;
    }
    *largest_free = (double)most / 100.0;
    *hard_total = (double)hard / 100.0;
}

static void test_economy_month_end_sweep_keeps_working_balance(void **state)
{
    (void)state;
    const char *sets[N_FAST + 6];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "government.start=2021-03-01";
    sets[N_FAST + 1] = "government.ecny_pct=100";
    sets[N_FAST + 2] = "government.ramp_days=1";
    sets[N_FAST + 3] = "government.g2p_pct=100";
    sets[N_FAST + 4] = "government.g2p_median_yuan=800";
    double mid_month, largest[2], hard[2], circulation[2];
    const char *keep[2] = {"payments.keep_yuan=300", "payments.keep_yuan=0"};
    for (int k = 0; k < 2; k++) {
        sets[N_FAST + 5] = keep[k];
        fixture f;
        build(&f, small_city, sets, N_FAST + 6);
        run_days(&f, 30); /* to 30 March: no sweep yet */
        double unused;
        if (k == 0)
            wallet_balances_yuan(&f, &mid_month, &unused);
        run_days(&f, 1); /* 31 March, the month's last day */
        wallet_balances_yuan(&f, &largest[k], &hard[k]);
        circulation[k] = (double)f.w->city[0].circulation_fen / 100.0;
        wfx_check_ledger(&f);
        destroy(&f);
    }
    print_message("largest free balance: %.2f yuan on 30 March, %.2f at the month's end kept at 300, %.2f without "
                  "the sweep; hard wallets %.2f vs %.2f yuan; circulation %.0f vs %.0f yuan\n",
                  mid_month, largest[0], largest[1], hard[0], hard[1], circulation[0], circulation[1]);
    assert_true(mid_month > 300.0);                   /* not swept before the month's end */
    assert_true(fabs(largest[0] - 300.0) < 0.005);   /* the excess goes, the working balance stays */
    assert_true(largest[1] > 1000.0);
    assert_true(hard[0] > 0 && hard[0] == hard[1]);  /* hard wallets untouched */
    assert_true(circulation[0] < 0.5 * circulation[1]);
}

/* A coarse scale must have the expectation of a fine one: 1 agent for 2,000
 * people leaves ~8 potential adopters in a segment of a small city, so an
 * invited share of 2 % is 0.16 of an agent there, which a plain floor made
 * nobody (no wallet at all until the share passed 1/8). Over seeds the coarse
 * runs' mean must match the fine run within the sampling error. */
static double adopters_people(const char *scale, uint64_t seed)
{
    char ini[256];
    snprintf(ini, sizeof ini,
             "[scenario]\nstart = 2020-06-01\ndays = 30\nseed = %llu\nscale = %s\nhistory = false\n"
             "[city.xiongan]\npilot_start = 2020-06-01\n",
             (unsigned long long)seed, scale);
    const char *sets[N_FAST + 3];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[0] = "adoption.whitelist_start_pct=2";
    sets[N_FAST] = "adoption.whitelist_from=2020-06-01";
    sets[N_FAST + 1] = "adoption.whitelist_days=3650";
    sets[N_FAST + 2] = "adoption.extra_wallet_rate=0";
    fixture f;
    build(&f, ini, sets, N_FAST + 3);
    run_days(&f, 20);
    double people = (double)f.w->city[0].n_adopters * f.w->scale;
    destroy(&f);
    return people;
}

static void test_economy_coarse_scale_keeps_the_mean(void **state)
{
    (void)state;
    double fine = adopters_people("20", 1);
    double coarse = 0;
    int seeds = 40;
    for (int s = 1; s <= seeds; s++)
        coarse += adopters_people("2000", (uint64_t)s) / seeds;
    assert_true(fine > 1000);
    assert_true(fabs(coarse / fine - 1.0) < 0.25);
}

static void test_economy_round_agents_mean_and_monotone(void **state)
{
    (void)state;
    fixture f;
    build(&f, small_city, NULL, 0);
    wld_world *w = f.w;
    uint64_t seed = w->seed;
    double sum = 0;
    int n = 4000;
    for (int s = 0; s < n; s++) {
        w->seed = (uint64_t)s;
        sum += (double)wld_round_agents(w, &w->city[0], 7, 0.3);
        /* the same seed, city and key never round a larger x lower */
        int64_t last = 0;
        for (double x = 0; x < 3.0; x += 0.05) {
            int64_t r = wld_round_agents(w, &w->city[0], 7, x);
            assert_true(r >= last && r >= (int64_t)floor(x) && r <= (int64_t)ceil(x));
            last = r;
        }
    }
    assert_true(fabs(sum / n - 0.3) < 0.03);
    w->seed = seed;
    destroy(&f);
}

/* From merchants.platform_from the payment platforms sign merchants up too:
 * nothing changes before the day, and acceptance grows faster from it; where
 * the banks' onboarding capacity binds, the platforms raise it by the same
 * factor, from the date itself. */
static void test_economy_platforms_widen_acceptance(void **state)
{
    (void)state;
    const char *sets[N_FAST + 4];
    memcpy(sets, fast_adoption, sizeof fast_adoption);
    sets[N_FAST] = "merchants.platform_from=2021-03-21";
    sets[N_FAST + 1] = "merchants.demand_weight=0.002";
    sets[N_FAST + 2] = "merchants.onboard_per_million=1000000";
    const char *factor[2] = {"merchants.platform_factor=1", "merchants.platform_factor=4"};
    int64_t before[2], after[2];
    for (int k = 0; k < 2; k++) {
        sets[N_FAST + 3] = factor[k];
        fixture f;
        build(&f, small_city, sets, N_FAST + 4);
        run_days(&f, 20);
        before[k] = day_metric(&f, M_MERCHANTS_ACCEPTING);
        run_days(&f, 30);
        after[k] = day_metric(&f, M_MERCHANTS_ACCEPTING);
        destroy(&f);
    }
    print_message("accepting merchants: %lld then %lld without platforms, %lld then %lld with them (x4)\n",
                  (long long)before[0], (long long)after[0], (long long)before[1], (long long)after[1]);
    assert_true(before[0] > 0);
    assert_int_equal(before[0], before[1]);
    double grown_without = (double)(after[0] - before[0]), grown_with = (double)(after[1] - before[1]);
    assert_true(grown_without > 0);
    assert_true(grown_with > 2.5 * grown_without);

    /* every merchant wants to accept; the banks' staff sign up ~1.8 a day
     * (40 per million residents x 25,500 agents x 7 operators / 4) */
    sets[N_FAST + 1] = "merchants.demand_weight=100";
    sets[N_FAST + 2] = "merchants.onboard_per_million=40";
    sets[N_FAST + 3] = "merchants.platform_factor=4";
    fixture f;
    build(&f, small_city, sets, N_FAST + 4);
    double cap = 40.0 * f.w->city[0].agents / 1e6 * 7 / 4.0;
    run_days(&f, 20); /* to 20 March */
    int64_t eve = day_metric(&f, M_MERCHANTS_ACCEPTING);
    run_days(&f, 1); /* 21 March, the platforms' day */
    int64_t first = day_metric(&f, M_MERCHANTS_ACCEPTING) - eve;
    run_days(&f, 9);
    int64_t ten = day_metric(&f, M_MERCHANTS_ACCEPTING) - eve;
    destroy(&f);
    print_message("capacity %.2f a day: %lld on the platforms' day, %lld in its first ten days\n", cap,
                  (long long)first, (long long)ten);
    assert_true((double)first > cap + 1.0);             /* from the date itself */
    assert_true((double)first <= 4.0 * cap + 1.0);
    assert_true((double)ten > 2.5 * 10.0 * cap);        /* the capacity, not only the chance */
    assert_true((double)ten <= 10.0 * (4.0 * cap + 1.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_economy_no_accepting_merchants_no_retail_ecny),
        cmocka_unit_test(test_economy_adopters_pay_where_merchants_accept),
        cmocka_unit_test(test_economy_merchant_adopts_when_customers_hold_ecny),
        cmocka_unit_test(test_economy_holders_pay_casually),
        cmocka_unit_test(test_economy_elderly_without_smartphone_get_hard_wallets),
        cmocka_unit_test(test_economy_nothing_before_pilot_start),
        cmocka_unit_test(test_economy_wallets_exceed_people_but_within_bounds),
        cmocka_unit_test(test_economy_ledger_conserves_money_every_day),
        cmocka_unit_test(test_economy_firms_pay_only_on_weekdays),
        cmocka_unit_test(test_economy_bank_marketing_wins_wallets_and_awareness),
        cmocka_unit_test(test_economy_word_of_mouth_follows_contacts),
        cmocka_unit_test(test_economy_balance_cap_overflow_reject_or_sweep),
        cmocka_unit_test(test_economy_sanity_people_wallets_merchants),
        cmocka_unit_test(test_economy_no_customers_no_accepting_merchants),
        cmocka_unit_test(test_economy_onboarding_capacity_limits_acceptance),
        cmocka_unit_test(test_economy_acceptance_follows_its_expectation),
        cmocka_unit_test(test_economy_payments_per_active_wallet_in_published_range),
        cmocka_unit_test(test_economy_province_rollout),
        cmocka_unit_test(test_economy_hard_wallets_past_the_default_room),
        cmocka_unit_test(test_economy_month_end_sweep_keeps_working_balance),
        cmocka_unit_test(test_economy_platforms_widen_acceptance),
        cmocka_unit_test(test_economy_coarse_scale_keeps_the_mean),
        cmocka_unit_test(test_economy_round_agents_mean_and_monotone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
