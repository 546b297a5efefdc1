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
 * offline-balance limits (seen in the ledger's own trace), and exactly at
 * them: a run whose limits are one of its own tickets accepts the payments
 * equal to a limit and refuses those one fen above, as a replay of the
 * first run's tickets says, payment by payment; at the ledger, a device
 * loaded to exactly its offline limit records a claim of exactly the limit
 * and refuses one fen more, and a clone's claims past the offline balance
 * are refused at sync, the ledger left at exactly the expected balances; a
 * trial's participants are reported as declared, not rounded to a whole
 * agent; a lottery's
 * online share follows the platforms taking part (only a platform: all
 * online; only stores: none; adding Meituan to JD raises it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <math.h>
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
    wfx_check_ledger(&f);
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
    wfx_check_ledger(&f);
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
    wfx_check_ledger(&f);
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
    wfx_check_ledger(&f);
    wfx_free(&f);
}

/* ---- the limits, at the exact boundary ---- */

#define BOUNDARY_MAX 65536

/* The offline claims posted, in the ledger's order: device, day, amount. */
typedef struct {
    uint32_t n;
    led_acct from[BOUNDARY_MAX];
    int32_t day[BOUNDARY_MAX];
    int64_t fen[BOUNDARY_MAX];
} claims_seen;

static void on_claim(void *ctx, const led_transfer *t)
{
    claims_seen *s = ctx;
    if (t->kind != LED_T_OFFLINE || t->reason != LED_OK)
        return;
    assert_true(s->n < BOUNDARY_MAX);
    s->from[s->n] = t->from;
    s->day[s->n] = t->day;
    s->fen[s->n++] = t->amount_fen;
}

static const char *const boundary_ini = "[offline.trial]\ncity = xiongan\nstart = 2020-10-05\nend = 2020-10-30\n"
                                        "participants = 23456\nmerchants = 800\npayments_per_day = 1.5\n"
                                        "online_per_day = 1\ncategories = retail,catering\n";

/* Runs the boundary trial with per_payment_yuan, offline_balance_yuan and
 * load_yuan all limit_fen, tracing the posted claims into seen. */
static void run_boundary(int64_t limit_fen, claims_seen *seen, off_stats *st)
{
    wfx f = {0};
    char ini[2048];
    snprintf(ini, sizeof ini, "%sper_payment_yuan = %lld.%02lld\noffline_balance_yuan = %lld.%02lld\n"
             "load_yuan = %lld.%02lld\n", boundary_ini, (long long)(limit_fen / 100), (long long)(limit_fen % 100),
             (long long)(limit_fen / 100), (long long)(limit_fen % 100), (long long)(limit_fen / 100),
             (long long)(limit_fen % 100));
    build(&f, ini);
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    assert_non_null(p);
    seen->n = 0;
    led_set_trace(f.w->ledger, on_claim, seen, 1.0);
    wfx_run_days(&f, 31); /* past the end: every device synced and redeemed */
    led_set_trace(f.w->ledger, NULL, NULL, 0);
    off_stats_get(p, st);
    check_devices(&f, p);
    for (uint32_t i = 0; off_device(p, i) != LED_NONE; i++)
        assert_int_equal(led_balance(f.w->ledger, off_device(p, i)), 0);
    assert_int_equal(st->loaded_fen, st->synced_fen + st->redeemed_fen); /* no money created */
    wfx_check_ledger(&f);
    wfx_free(&f);
}

static int cmp_fen(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The device's own checks replayed on a run's tickets with both limits at
 * limit_fen, and the boundary cases met. */
typedef struct {
    int64_t payments, value_fen, refused_limit, refused_balance;
    int64_t at_limit;      /* a ticket of exactly the limit, the balance full: paid */
    int64_t over_limit;    /* a ticket one fen above the limit: refused */
    int64_t at_left;       /* a ticket of exactly what is left, below the limit: paid */
    int64_t over_left;     /* a ticket one fen above what is left: refused */
} replay;

static replay replay_checks(const claims_seen *all, int64_t limit)
{
    replay r = {0};
    int64_t left = 0;
    for (uint32_t j = 0; j < all->n; j++) {
        if (j == 0 || all->from[j] != all->from[j - 1] || all->day[j] != all->day[j - 1])
            left = limit; /* synced and loaded to the limit last evening (or at the start) */
        int64_t a = all->fen[j];
        if (a > limit) {
            r.refused_limit++;
            r.over_limit += a == limit + 1;
        } else if (a > left) {
            r.refused_balance++;
            r.over_left += a == left + 1;
        } else {
            r.at_limit += a == limit && left == limit;
            r.at_left += a == left && left < limit;
            left -= a;
            r.payments++;
            r.value_fen += a;
        }
    }
    return r;
}

/* A device syncs every day and the trial's draws do not depend on its
 * limits, so a first run with limits no ticket reaches records every
 * ticket, device by device and day by day. A second run takes one of those
 * tickets as both the per-payment limit and the offline balance, one with
 * which every boundary is met (a ticket of exactly the limit with the
 * balance full, one a fen above it, one of exactly what is left, one a fen
 * above what is left): replaying the device's checks on the first run's
 * tickets gives exactly the second run's payments, refusals and value. */
static void test_offline_limits_at_the_exact_boundary(void **state)
{
    (void)state;
    claims_seen *all = calloc(1, sizeof *all), *at = calloc(1, sizeof *at);
    int64_t *first = calloc(BOUNDARY_MAX, sizeof *first);
    assert_true(all && at && first);
    off_stats wide, st;
    run_boundary(200000, all, &wide); /* 2,000 yuan: nothing binds */
    assert_int_equal(wide.refused_limit, 0);
    assert_int_equal(wide.refused_balance, 0);
    assert_int_equal(wide.refused_other, 0);
    assert_int_equal(wide.synced, wide.payments);
    assert_int_equal(all->n, (uint32_t)wide.payments);
    assert_true(all->n > 1000);
    uint32_t n_first = 0;
    for (uint32_t j = 0; j < all->n; j++)
        if (j == 0 || all->from[j] != all->from[j - 1] || all->day[j] != all->day[j - 1])
            first[n_first++] = all->fen[j];
    qsort(first, n_first, sizeof *first, cmp_fen);
    /* from a median first ticket up (both limits bind often), the first
     * limit that meets every boundary */
    int64_t limit = 0;
    replay want = {0};
    for (uint32_t k = n_first / 2; k < n_first && !limit; k++) {
        want = replay_checks(all, first[k]);
        if (want.at_limit && want.over_limit && want.at_left && want.over_left)
            limit = first[k];
    }
    assert_true(limit > 0);
    print_message("boundary: %u tickets, limit %lld fen\n", all->n, (long long)limit);
    run_boundary(limit, at, &st);
    assert_int_equal(st.payments, want.payments);
    assert_int_equal(st.refused_limit, want.refused_limit);
    assert_int_equal(st.refused_balance, want.refused_balance);
    assert_int_equal(st.value_fen, want.value_fen);
    assert_int_equal(st.synced, want.payments);
    assert_int_equal(st.synced_fen, want.value_fen);
    assert_int_equal(st.max_payment_fen, limit);
    assert_int_equal(st.max_unsynced_fen, limit);
    assert_int_equal(st.caught, 0);
    assert_int_equal(at->n, (uint32_t)want.payments);
    free(all);
    free(at);
    free(first);
}

/* At the ledger, on the trial's own devices (no purchases of its own):
 * loaded to exactly offline_balance_yuan, which is the record-time limit of
 * a device (twice it for a clone). A claim of the limit is recorded, one
 * fen above refused; the sync pays exactly what fits in the offline balance
 * and refuses a clone's claims beyond it as double spends; no money is
 * made or lost and no balance goes negative. */
static void test_offline_sync_at_the_offline_limit(void **state)
{
    (void)state;
    const int64_t limit = 12345;
    for (int cloned = 0; cloned <= 1; cloned++) {
        wfx f = {0};
        char ini[1024];
        snprintf(ini, sizeof ini, "[offline.trial]\ncity = xiongan\nstart = 2020-10-05\nend = 2020-10-30\n"
                 "participants = 23456\nmerchants = 800\npayments_per_day = 0\nper_payment_yuan = 123.45\n"
                 "offline_balance_yuan = 123.45\nload_yuan = 123.45\ncloned_pct = %d\n", cloned ? 100 : 0);
        build(&f, ini);
        led_ledger *led = f.w->ledger;
        prg_programme *p = prg_find(f.w->prg, "offline", "trial");
        assert_non_null(p);
        wfx_run_days(&f, 5); /* to the trial's first day: devices loaded */
        led_acct d = off_device(p, 0), m0 = off_merchant(p, 0), m1 = off_merchant(p, 1);
        assert_int_not_equal(d, LED_NONE);
        assert_int_not_equal(m1, LED_NONE);
        int64_t record = cloned ? 2 * limit : limit;
        assert_int_equal(led_balance(led, d), limit);
        assert_int_equal(led_offline_balance(led, d), limit);
        assert_int_equal(led_offline_limit(led, d), record);
        assert_int_equal(led_pending_fen(led, d), 0);
        int64_t b0 = led_balance(led, m0), b1 = led_balance(led, m1), circulation = led_circulation(led);
        uint64_t ds = led_day(led, (uint16_t)f.w->city[0].index)->rejected[LED_R_DOUBLE_SPEND];
        assert_int_equal(led_pay_offline(led, d, m0, record + 1), LED_R_OFFLINE_LIMIT);
        assert_int_equal(led_pending_fen(led, d), 0);
        if (!cloned) {
            assert_int_equal(led_pay_offline(led, d, m0, limit), LED_OK);
            assert_int_equal(led_pay_offline(led, d, m1, 1), LED_R_OFFLINE_LIMIT);
            assert_int_equal(led_pending_fen(led, d), limit);
            assert_int_equal(led_balance(led, d), limit); /* nothing moves before the sync */
            assert_int_equal(led_sync(led, d), 0);
            assert_int_equal(led_balance(led, m0) - b0, limit);
            assert_int_equal(led_balance(led, m1) - b1, 0);
        } else {
            /* one copy spends the whole offline balance, exactly; the other
             * spends it again; each copy's claims fit the record limit */
            assert_int_equal(led_pay_offline(led, d, m0, limit - 1), LED_OK);
            assert_int_equal(led_pay_offline(led, d, m1, 1), LED_OK);
            assert_int_equal(led_pay_offline(led, d, m1, 1), LED_OK);
            assert_int_equal(led_pay_offline(led, d, m0, limit - 1), LED_OK);
            assert_int_equal(led_pending_fen(led, d), record);
            assert_int_equal(led_pay_offline(led, d, m0, 1), LED_R_OFFLINE_LIMIT);
            assert_int_equal(led_sync(led, d), 2);
            assert_int_equal(led_day(led, (uint16_t)f.w->city[0].index)->rejected[LED_R_DOUBLE_SPEND] - ds, 2);
            assert_int_equal(led_balance(led, m0) - b0, limit - 1);
            assert_int_equal(led_balance(led, m1) - b1, 1);
        }
        assert_int_equal(led_balance(led, d), 0);
        assert_int_equal(led_offline_balance(led, d), 0);
        assert_int_equal(led_pending_count(led, d), 0);
        assert_int_equal(led_circulation(led), circulation);
        check_devices(&f, p);
        wfx_check_ledger(&f);
        wfx_free(&f);
    }
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

/* A trial reports the participants its scenario declares, not its agents
 * rounded to whole units of scale: 7 people at scale 100 are one agent,
 * reported as 7 (not 100), and 23456 + 3456 hard wallets as 26912 (not
 * 27000); the devices are still whole agents. When the city runs short of
 * people to hand devices to, the devices handed out are reported. */
static void test_offline_participants_as_declared(void **state)
{
    (void)state;
    const struct {
        const char *keys;
        double participants;
        uint32_t devices;
    } cases[] = {
        {"participants = 7\n", 7, 1},
        {"participants = 23456\nhard_wallets = 3456\n", 23456 + 3456, 235 + 35},
        {"participants = 250\n", 250, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wfx f = {0};
        char ini[1024];
        snprintf(ini, sizeof ini, "[offline.trial]\ncity = xiongan\nstart = 2020-10-05\nend = 2020-10-30\n%s",
                 cases[i].keys);
        build(&f, ini);
        prg_programme *p = prg_find(f.w->prg, "offline", "trial");
        assert_non_null(p);
        wfx_run_days(&f, 6);
        off_stats st;
        off_stats_get(p, &st);
        assert_int_equal(st.devices, cases[i].devices);
        assert_true(outcome(p, "participants") == cases[i].participants);
        wfx_check_ledger(&f);
        wfx_free(&f);
    }
    /* the whole city declared (at a scale where its devices fit the
     * ledger): fewer people can be given a device than declared, and the
     * devices handed out are what is reported */
    const int64_t people = 1200000; /* Xiong'an, data/cities.csv */
    wfx f = {0};
    wfx_build(&f, "[scenario]\nstart = 2020-10-01\ndays = 10\nseed = 12345\nscale = 2000\n"
                  "[city.xiongan]\npilot_start = 2020-04-01\n[offline.trial]\ncity = xiongan\nstart = 2020-10-05\n"
                  "end = 2020-10-30\nparticipants = 1200000\n", NULL, 0);
    assert_int_equal(f.w->city[0].people, people);
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    wfx_run_days(&f, 6);
    off_stats st;
    off_stats_get(p, &st);
    print_message("participants: %lld declared, %u devices\n", (long long)people, st.devices);
    assert_true(st.devices > 0);
    assert_true((int64_t)st.devices * f.w->scale < people);
    assert_true(outcome(p, "participants") == (double)st.devices * (double)f.w->scale);
    wfx_check_ledger(&f);
    wfx_free(&f);
}

/* A trial far larger than the ledger's default room for hard wallets
 * (max_accounts / 64 + 1024 side records): 2,100 devices at scale 100 in a
 * city of 12,000 agents. The trial reserves a side record per device, so
 * every device is handed out and syncs (it failed as "out of memory setting
 * up the engine" before). */
static void test_offline_large_trial_has_room(void **state)
{
    (void)state;
    wfx f = {0};
    wfx_build(&f, "[scenario]\nstart = 2020-10-01\ndays = 8\nseed = 12345\nscale = 100\n"
                  "[city.xiongan]\npilot_start = 2020-04-01\n[offline.trial]\ncity = xiongan\nstart = 2020-10-02\n"
                  "end = 2020-10-06\nparticipants = 200000\nhard_wallets = 10000\n", NULL, 0);
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    wfx_run_days(&f, 8);
    off_stats st;
    off_stats_get(p, &st);
    print_message("devices: %u\n", st.devices);
    assert_int_equal(st.devices, 2100);
    assert_true(outcome(p, "participants") == 210000.0);
    assert_true(outcome(p, "offline_payments") > 0);
    check_devices(&f, p);
    wfx_check_ledger(&f);
    wfx_free(&f);
}

/* Cards past the ledger's default room for hard wallets: every resident
 * without a smartphone who can be given one gets one (the world reserves a
 * side record for every resident who may hold a card, the trial one per
 * device; without the cards' share the ledger ran out and the trial
 * silently stopped handing cards out: 60 % given). */
static void test_offline_many_cards_have_room(void **state)
{
    (void)state;
    wfx f = {0};
    wfx_build(&f, "[scenario]\nstart = 2022-05-01\ndays = 4\nseed = 12345\nscale = 100\n"
                  "[city.chongqing]\n[offline.trial]\ncity = chongqing\nstart = 2022-05-02\n"
                  "end = 2022-05-03\nparticipants = 100\nhard_wallets = 3000000\n", NULL, 0);
    wld_city *c = &f.w->city[0];
    int64_t no_phone = 0;
    for (int g = 0; g < SEGMENTS; g++)
        if (!SEG_PHONE(g))
            no_phone += c->seg_total[g] - c->seg_never[g] - c->seg_adopted[g];
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    wfx_run_days(&f, 2);
    double cards = outcome(p, "hard_wallets_given") / (double)f.w->scale;
    print_message("cards given: %.0f of 30000 asked, %lld residents without a smartphone and without a wallet who may adopt\n", cards,
                  (long long)no_phone);
    assert_true(cards > 0);
    assert_true(cards == 30000.0 || cards >= 0.9 * (double)no_phone); /* 60 % without the cards' reserve */
    wfx_check_ledger(&f);
    wfx_free(&f);
}

/* Every hard wallet card handed out adds card_cost_yuan to the trial's
 * cost, at the scale's people per agent; none without cards. */
static void test_offline_cards_cost(void **state)
{
    (void)state;
    wfx f = {0};
    build(&f, "[offline.trial]\ncity = xiongan\nstart = 2020-10-05\nend = 2020-10-30\n"
              "participants = 20000\nhard_wallets = 3000\ncard_cost_yuan = 25.50\n");
    prg_programme *p = prg_find(f.w->prg, "offline", "trial");
    assert_true(prg_cost_yuan(p, f.w) == 0.0);
    wfx_run_days(&f, 6);
    double cards = outcome(p, "hard_wallets_given");
    assert_true(cards == 3000.0);
    assert_true(fabs(prg_cost_yuan(p, f.w) - 25.50 * cards) < 1e-6);
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
    wfx_check_ledger(&f);
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
        cmocka_unit_test(test_offline_limits_at_the_exact_boundary),
        cmocka_unit_test(test_offline_sync_at_the_offline_limit),
        cmocka_unit_test(test_offline_participants_as_declared),
        cmocka_unit_test(test_offline_large_trial_has_room),
        cmocka_unit_test(test_offline_cards_cost),
        cmocka_unit_test(test_offline_many_cards_have_room),
        cmocka_unit_test(test_platforms_online_share_follows_platforms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
