/* test_offline.c: unit tests of dual-offline trials and online platforms
 * (cmocka).
 *
 * Each test builds Xiong'an at a small scale from scenario text (the same
 * path as `ecnysim run`), runs it through the programme and checks one
 * behaviour against the ledger: cloned devices' second claims are refused
 * at sync, as many as were planted, and no money is created (what devices
 * were loaded with equals what merchants received plus what went back to
 * deposit; led_check holds; no device balance negative); without clones
 * nothing is refused; offline payments keep within the per-payment and
 * offline-balance limits (seen in the ledger's own trace); a lottery's
 * online share follows the platforms taking part (only a platform: all
 * online; only stores: none; adding Meituan to JD raises it).
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
#include "sim/ledger.h"
#include "tests/support/world_fixture.h"

static const char *const base_ini = "[scenario]\nstart = 2020-10-01\ndays = 40\nseed = 12345\nscale = 100\n"
                                    "check_ledger = full\n[city.xiongan]\npilot_start = 2020-04-01\n";

static void build(wfx *f, const char *programme)
{
    char ini[4096];
    snprintf(ini, sizeof ini, "%s%s", base_ini, programme);
    wfx_build(f, ini, NULL, 0);
}

static void check_ledger(wfx *f)
{
    char why[256] = "";
    bool ok = led_check(f->w->ledger, why, sizeof why);
    if (!ok)
        print_message("led_check: %s\n", why);
    assert_true(ok);
}

/* Every device's balance is >= 0 and its unsynced claims within the
 * ledger's record-time limit. */
static void check_devices(wfx *f, prg_programme *p)
{
    for (uint32_t i = 0; off_device(p, i) != LED_NONE; i++) {
        led_acct d = off_device(p, i);
        assert_true(led_balance(f->w->ledger, d) >= 0);
        assert_true(led_pending_fen(f->w->ledger, d) <= led_offline_limit(f->w->ledger, d));
    }
}

static const char *const trial_ini = "[offline.trial]\ncity = xiongan\nstart = 2020-10-05\nend = 2020-10-30\n"
                                     "participants = 23456\nhard_wallets = 3456\nmerchants = 800\n"
                                     "payments_per_day = 1.5\nonline_per_day = 0.3\n";

static void test_offline_double_spends_caught_at_sync(void **state)
{
    (void)state;
    wfx f = {0};
    char ini[1024];
    snprintf(ini, sizeof ini, "%scloned_pct = 20\n", trial_ini);
    build(&f, ini);
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    assert_non_null(p);
    wfx_run_days(&f, 15); /* mid-trial: logs pending, copies spending */
    check_devices(&f, p);
    check_ledger(&f);
    off_stats mid;
    off_stats_get(p, &mid);
    assert_true(mid.devices >= 260);
    wfx_run_days(&f, 25); /* past the end: every device synced */
    check_devices(&f, p);
    off_stats st;
    off_stats_get(p, &st);
    assert_true(st.cloned > 0);
    assert_true(st.attempted > 0);
    /* every planted double spend caught, nothing else refused */
    assert_int_equal(st.caught, st.attempted);
    assert_int_equal(st.mismatch, 0);
    assert_int_equal(st.refused_other, 0);
    led_day_stats tot;
    led_totals(f.w->ledger, &tot);
    assert_int_equal(tot.rejected[LED_R_DOUBLE_SPEND], (uint64_t)st.caught);
    /* no money created: loaded = received by merchants + back to deposit */
    assert_int_equal(st.synced + st.caught, st.payments);
    /* what the trial says merchants received is what the ledger posted at sync */
    assert_int_equal(tot.value_fen[LED_T_OFFLINE], st.synced_fen);
    assert_int_equal(tot.count[LED_T_OFFLINE], (uint64_t)st.synced);
    assert_int_equal(st.loaded_fen, st.synced_fen + st.redeemed_fen);
    assert_true(st.synced_fen + st.caught_fen == st.value_fen);
    for (uint32_t i = 0; off_device(p, i) != LED_NONE; i++)
        assert_int_equal(led_balance(f.w->ledger, off_device(p, i)), 0);
    check_ledger(&f);
    wfx_free(&f);
}

static void test_offline_without_clones_nothing_refused(void **state)
{
    (void)state;
    wfx f = {0};
    build(&f, trial_ini);
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    wfx_run_days(&f, 40);
    off_stats st;
    off_stats_get(p, &st);
    assert_true(st.payments > 1000);
    assert_int_equal(st.cloned, 0);
    assert_int_equal(st.attempted, 0);
    assert_int_equal(st.caught, 0);
    assert_int_equal(st.synced, st.payments);
    assert_int_equal(st.loaded_fen, st.synced_fen + st.redeemed_fen);
    check_ledger(&f);
    wfx_free(&f);
}

typedef struct {
    uint64_t offline_posted;
    int64_t max_fen;
} trace_seen;

static void on_transfer(void *ctx, const led_transfer *t)
{
    trace_seen *s = ctx;
    if (t->kind != LED_T_OFFLINE || t->reason != LED_OK)
        return;
    s->offline_posted++;
    if (t->amount_fen > s->max_fen)
        s->max_fen = t->amount_fen;
}

static void test_offline_payments_respect_limits(void **state)
{
    (void)state;
    wfx f = {0};
    char ini[1024];
    /* tight limits: 30 yuan a payment, 80 yuan between syncs */
    snprintf(ini, sizeof ini,
             "%sper_payment_yuan = 30\noffline_balance_yuan = 80\nload_yuan = 80\ncategories = retail,catering\n",
             trial_ini);
    build(&f, ini);
    trace_seen seen = {0};
    led_set_trace(f.w->ledger, on_transfer, &seen, 1.0);
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    for (int d = 0; d < 40; d++) {
        wfx_run_days(&f, 1);
        for (uint32_t i = 0; off_device(p, i) != LED_NONE; i++) {
            led_acct dev = off_device(p, i);
            assert_true(led_pending_fen(f.w->ledger, dev) <= 8000);
            assert_true(led_balance(f.w->ledger, dev) <= 8000);
        }
    }
    off_stats st;
    off_stats_get(p, &st);
    /* the limits bind: tickets above 30 yuan and spending past 80 refused */
    assert_true(st.refused_limit > 0);
    assert_true(st.refused_balance > 0);
    assert_true(st.payments > 0);
    assert_true(st.max_payment_fen <= 3000);
    assert_true(st.max_unsynced_fen <= 8000);
    assert_int_equal(seen.offline_posted, (uint64_t)st.synced);
    assert_true(seen.max_fen <= 3000);
    led_set_trace(f.w->ledger, NULL, NULL, 0);
    check_ledger(&f);
    wfx_free(&f);
}

/* ---- online platforms ---- */

static const char *const lottery_ini =
    "[scenario]\nstart = 2022-03-01\ndays = 30\nseed = 4321\nscale = 50\n[city.xiongan]\npilot_start = 2020-04-01\n"
    "[airdrop.a]\ncity = xiongan\npool_yuan = 400000\nenvelope_yuan = 100\nregistration_start = 2022-03-03\n"
    "registration_end = 2022-03-05\nspend_start = 2022-03-06\nspend_end = 2022-03-25\nmerchants = 600\n"
    "claim_pct = 100\n";

/* Online share of the lottery's spending (%), with spent per platform. */
static double online_share(const char *extra, int64_t *spent_by_platform, int n)
{
    wfx f = {0};
    char ini[4096];
    snprintf(ini, sizeof ini, "%s%s", lottery_ini, extra);
    wfx_build(&f, ini, NULL, 0);
    wfx_run_days(&f, 30);
    prg_programme *p = prg_find(f.w->prg, "airdrop", "a");
    prg_vouchers *v = air_vouchers(p);
    assert_true(v->spent_fen > 0);
    for (int i = 0; i < n; i++)
        spent_by_platform[i] = v->spent_by_platform_fen[i];
    /* of the spending the programme drew (programmes.md: everyday purchases
     * that spent voucher money first have no recorded channel) */
    int64_t drawn = v->spent_fen - v->spent_everyday_fen;
    assert_true(drawn > 0);
    double share = 100.0 * (double)v->spent_online_fen / (double)drawn;
    check_ledger(&f);
    wfx_free(&f);
    return share;
}

static void test_platforms_online_share_follows_platforms(void **state)
{
    (void)state;
    int64_t by[2] = {0, 0};
    double only_platform = online_share("categories = online\nplatforms = jd\n", by, 1);
    assert_true(only_platform == 100.0);
    assert_true(by[0] > 0);
    double only_stores = online_share("categories = retail,catering,supermarket\n", by, 0);
    assert_true(only_stores == 0.0);
    /* platforms named without 'online' in categories: they bring it */
    double jd = online_share("categories = retail,catering,supermarket\nplatforms = jd\n", by, 1);
    double both = online_share("categories = retail,catering,supermarket\nplatforms = jd,meituan\n", by, 2);
    assert_true(by[0] > 0 && by[1] > 0);
    print_message("online share: jd %.2f %%, jd+meituan %.2f %%\n", jd, both);
    assert_true(jd > 0.0 && jd < 100.0);
    assert_true(both > jd * 1.5); /* Meituan's occasions on top of JD's */
    /* online_pct overrides the share even when the platforms are two
     * merchants among hundreds of shops (each side drawn directly) */
    double half = online_share("categories = retail,catering,supermarket\nplatforms = jd,meituan\nonline_pct = 50\n", by, 2);
    print_message("online share with online_pct = 50: %.2f %%\n", half);
    assert_true(half > 35.0 && half < 65.0);
    assert_true(by[0] > 0 && by[1] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offline_double_spends_caught_at_sync),
        cmocka_unit_test(test_offline_without_clones_nothing_refused),
        cmocka_unit_test(test_offline_payments_respect_limits),
        cmocka_unit_test(test_platforms_online_share_follows_platforms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
