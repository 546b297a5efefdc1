/* test_peer.c: the declared payments economy (models/peer.c) against the
 * published Mesa reference (docs/benchmark.md): 10,000
 * residents x 30 days over 10 seeds, means inside the published ranges; the
 * ledger and the benchmark's invariant after every run; determinism; and the
 * per-merchant path (the exact fallback of the merchant shortcut) against
 * the same ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/peer.h"

#define SEEDS 10

static peer_params declared(uint32_t residents, uint64_t seed)
{
    return (peer_params){.seed = seed, .residents = residents, .days = 30, .contacts = 8,
                         .residents_per_merchant = 20, .banks = 6, .innovation = 0.002, .imitation = 0.05,
                         .purchases_per_day = 2, .amount_log_mean = 4.5, .amount_log_sd = 0.8,
                         .funding_fen = 50000, .topup_below_fen = 5000, .topup_fen = 20000,
                         .accept_initial = 0.05, .accept_base = 0.01, .accept_share_weight = 0.5};
}

typedef struct {
    double adopters10, adopters20, adopters30, accepting30, ecny, cash, topups;
} outcome;

static outcome run_one(const peer_params *p)
{
    err_list errs;
    err_init(&errs);
    peer_model *m = peer_create(p, &errs);
    assert_non_null(m);
    eng_engine *eng = eng_alloc(0, p->days, 16, 1024);
    assert_non_null(eng);
    assert_true(peer_attach(m, eng));
    outcome o = {0};
    while (!eng_finished(eng)) {
        assert_true(eng_step_day(eng));
        const peer_row *r = peer_last_row(m);
        if (r->day == 10)
            o.adopters10 = (double)r->adopters;
        if (r->day == 20)
            o.adopters20 = (double)r->adopters;
        /* flows add up, stocks match the ledger's view */
        assert_true(r->ecny_payments >= 0 && r->cash_app_payments >= 0);
    }
    const peer_row *t = peer_totals(m);
    o.adopters30 = (double)t->adopters;
    o.accepting30 = (double)t->accepting_merchants;
    o.ecny = (double)t->ecny_payments;
    o.cash = (double)t->cash_app_payments;
    o.topups = (double)t->topups;
    char why[256];
    bool ok = peer_check(m, why, sizeof why);
    if (!ok)
        fail_msg("seed %llu: %s", (unsigned long long)p->seed, why);
    eng_free(eng);
    peer_free(m);
    return o;
}

/* Inside the published min..max, or within 3 sd of the published mean. */
static void in_range(const char *what, double got, double mean, double sd, double lo, double hi)
{
    double a = fmin(lo, mean - 3 * sd), b = fmax(hi, mean + 3 * sd);
    printf("  %-28s %10.1f   published mean %9.1f sd %6.1f min %8.0f max %8.0f\n", what, got, mean, sd, lo, hi);
    if (got < a || got > b)
        fail_msg("%s: mean over %d seeds %.1f outside [%.1f, %.1f]", what, SEEDS, got, a, b);
}

static void check_ranges(bool per_merchant)
{
    outcome s = {0};
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        peer_params p = declared(10000, seed);
        p.per_merchant = per_merchant;
        outcome o = run_one(&p);
        s.adopters10 += o.adopters10 / SEEDS;
        s.adopters20 += o.adopters20 / SEEDS;
        s.adopters30 += o.adopters30 / SEEDS;
        s.accepting30 += o.accepting30 / SEEDS;
        s.ecny += o.ecny / SEEDS;
        s.cash += o.cash / SEEDS;
        s.topups += o.topups / SEEDS;
    }
    in_range("adopters, day 10", s.adopters10, 245.5, 17.5, 217, 264);
    in_range("adopters, day 20", s.adopters20, 634.5, 37.1, 561, 698);
    in_range("adopters, day 30", s.adopters30, 1183.5, 62.8, 1050, 1270);
    in_range("accepting merchants, day 30", s.accepting30, 333.9, 13.5, 315, 356);
    in_range("e-CNY payments", s.ecny, 9400, 892, 8170, 10865);
    in_range("cash/app payments", s.cash, 590794, 1603, 587967, 593104);
    in_range("threshold top-ups", s.topups, 2065, 250, 1771, 2504);
}

static void test_peer_published_ranges(void **state)
{
    (void)state;
    check_ranges(false);
}

static void test_peer_per_merchant_path_ranges(void **state)
{
    (void)state;
    check_ranges(true);
}

static void test_peer_deterministic(void **state)
{
    (void)state;
    peer_params p = declared(20000, 12345);
    outcome a = run_one(&p), b = run_one(&p);
    assert_memory_equal(&a, &b, sizeof a);
    p.seed = 12346;
    outcome c = run_one(&p);
    assert_true(memcmp(&a, &c, sizeof a) != 0);
}

static void test_peer_impossible_parameters(void **state)
{
    (void)state;
    err_list errs;
    err_init(&errs);
    peer_params p = declared(19, 1); /* no merchant */
    assert_null(peer_create(&p, &errs));
    assert_true(errs.count > 0);
    p = declared(8, 1); /* fewer others than contacts */
    p.residents_per_merchant = 1;
    assert_null(peer_create(&p, &errs));
}

/* The adoption curve's scale: at every N adopters at day 30 are ~11.9 % of N
 * and accepting merchants ~67 % of M. */
static void test_peer_scales(void **state)
{
    (void)state;
    peer_params p = declared(200000, 7);
    outcome o = run_one(&p);
    assert_true(fabs(o.adopters30 / 200000 - 0.119) < 0.01);
    assert_true(fabs(o.accepting30 / 10000 - 0.67) < 0.03);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_published_ranges),
        cmocka_unit_test(test_peer_per_merchant_path_ranges),
        cmocka_unit_test(test_peer_deterministic),
        cmocka_unit_test(test_peer_impossible_parameters),
        cmocka_unit_test(test_peer_scales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
