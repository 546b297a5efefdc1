/* test_ledger_property.c: randomised property test of sim/ledger (cmocka).
 *
 * For many seeds, a few thousand accounts of every kind receive a random mix
 * of every operation (payments, top-ups, redemptions, issue/withdraw, offline
 * payments and syncs, linked batches, earmark grants, class changes, overflow
 * policy) with amounts from 1 fen to beyond every cap, including invalid ones.
 * Checked independently of the ledger's own bookkeeping:
 *   - a shadow copy of every balance, kept from the transfer trace (rate 1),
 *     equals led_balance after every simulated day (nothing created or lost,
 *     and the trace is complete);
 *   - no posted payment exceeds its payer's per-payment cap, and the test's
 *     own per-wallet daily and annual sums (sub-wallets counted on the parent)
 *     never exceed the class caps; no balance is ever over its class cap;
 *   - led_check holds after every day.
 * A failure prints its seed (print_message). ECNYSIM_PROPERTY_SCALE (default
 * 1) multiplies the number of seeds: the default runs 64 seeds of 200,000
 * operations (12.8 M), a few seconds in release, well under a minute in ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ledger.h"

#define N_ACCOUNTS 3000
#define N_CITIES 4
#define DAYS 40
#define OPS_PER_DAY 5000
#define YEAR_OFFSET 345 /* day 20 starts a new year */

typedef struct {
    uint64_t s;
} rng;

static uint64_t rnext(rng *r) /* splitmix64 */
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t rbelow(rng *r, uint32_t n)
{
    return (uint32_t)(rnext(r) % n);
}

typedef struct {
    led_ledger *led;
    uint64_t seed;
    bool failed;
    char why[512];
    int64_t shadow[N_ACCOUNTS];
    int64_t daily[N_ACCOUNTS], annual[N_ACCOUNTS];
    int32_t daily_day[N_ACCOUNTS], annual_year[N_ACCOUNTS];
    led_acct banks[4], pools[8], hard[256], personal[N_ACCOUNTS], merchants[N_ACCOUNTS];
    led_acct any[N_ACCOUNTS];
    uint32_t n_banks, n_pools, n_hard, n_personal, n_merchants, n_any;
    uint64_t posted, refused;
} world;

static void prop_fail(world *w, const char *fmt, ...)
{
    if (w->failed)
        return;
    w->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
}

static int32_t year_of(int32_t day)
{
    return (day + YEAR_OFFSET) / 365;
}

/* Every transfer, posted or refused, arrives here (trace rate 1). */
static void on_transfer(void *ctx, const led_transfer *t)
{
    world *w = ctx;
    if (t->reason != LED_OK) {
        w->refused++;
        return;
    }
    w->posted++;
    if (t->from >= N_ACCOUNTS || t->to >= N_ACCOUNTS || t->amount_fen <= 0) {
        prop_fail(w, "trace: bad transfer %u -> %u %lld", t->from, t->to, (long long)t->amount_fen);
        return;
    }
    w->shadow[t->from] -= t->amount_fen;
    w->shadow[t->to] += t->amount_fen;
    if (t->kind != LED_T_PAYMENT && t->kind != LED_T_BATCH && t->kind != LED_T_OFFLINE)
        return;
    led_acct cap = led_parent(w->led, t->from);
    if (cap == LED_NONE)
        cap = t->from;
    int cls = led_wallet_class(w->led, cap);
    if (cls == 0)
        return;
    const led_class_limits *l = &led_default_limits[cls - 1];
    if (w->daily_day[cap] != t->day) {
        w->daily_day[cap] = t->day;
        w->daily[cap] = 0;
    }
    if (w->annual_year[cap] != year_of(t->day)) {
        w->annual_year[cap] = year_of(t->day);
        w->annual[cap] = 0;
    }
    w->daily[cap] += t->amount_fen;
    w->annual[cap] += t->amount_fen;
    if (l->per_payment_fen && t->amount_fen > l->per_payment_fen)
        prop_fail(w, "day %d: payment %lld from %u over class %d per-payment cap", t->day,
             (long long)t->amount_fen, t->from, cls);
    if (l->daily_fen && w->daily[cap] > l->daily_fen)
        prop_fail(w, "day %d: account %u spent %lld today, over class %d daily cap", t->day, cap,
             (long long)w->daily[cap], cls);
    if (l->annual_fen && w->annual[cap] > l->annual_fen)
        prop_fail(w, "day %d: account %u spent %lld this year, over class %d annual cap", t->day, cap,
             (long long)w->annual[cap], cls);
}

static int64_t amount(rng *r)
{
    switch (rbelow(r, 16)) {
    case 0:
        return (int64_t)rbelow(r, 3) - 1; /* -1, 0, 1 */
    case 1:
    case 2:
        return 1 + rbelow(r, 1000000);   /* up to and past the class-4 balance cap */
    case 3:
        return 150000 + rbelow(r, 100000); /* around the class-4 per-payment cap */
    default:
        return 1 + rbelow(r, 20000);
    }
}

static led_acct pick(rng *r, const led_acct *v, uint32_t n)
{
    return v[rbelow(r, n)];
}

static void build(world *w, rng *r)
{
    led_ledger *led = w->led;
    for (uint32_t b = 0; b < 4; b++) {
        w->banks[w->n_banks++] = led_open(led, LED_BANK, 0, LED_NONE, (uint16_t)b);
        /* one bank with a thin reserve, to meet LED_R_RESERVE */
        led_set_reserve(led, w->banks[b], b == 3 ? 500000 : INT64_C(1000000000000));
    }
    while (led_accounts(led) < N_ACCOUNTS) {
        uint16_t city = (uint16_t)rbelow(r, N_CITIES);
        led_acct bank = w->banks[rbelow(r, w->n_banks)];
        uint32_t k = rbelow(r, 100);
        led_acct a;
        if (k < 55) {
            a = led_open(led, LED_WALLET, 1 + (int)rbelow(r, 4), bank, city);
            w->personal[w->n_personal++] = a;
        } else if (k < 60 && w->n_personal > 0) {
            led_acct parent = pick(r, w->personal, w->n_personal);
            if (led_kind(led, parent) != LED_WALLET)
                continue;
            a = led_open_sub_wallet(led, parent);
            w->personal[w->n_personal++] = a;
        } else if (k < 65 && w->n_hard < 256) {
            a = led_open(led, LED_HARD_WALLET, 3 + (int)rbelow(r, 2), bank, city);
            if (rbelow(r, 2))
                led_set_offline_limit(led, a, 1 + rbelow(r, 100000));
            w->hard[w->n_hard++] = a;
            w->personal[w->n_personal++] = a;
        } else if (k < 85) {
            a = led_open(led, LED_MERCHANT, 0, bank, city);
            led_set_merchant_category(led, a, (uint8_t)rbelow(r, 8));
            led_set_merchant_tag(led, a, (uint32_t)rbelow(r, 4));
            w->merchants[w->n_merchants++] = a;
        } else if (k < 87 && w->n_pools < 8) {
            a = led_open(led, rbelow(r, 4) ? LED_POOL : LED_GOVERNMENT, 0, bank, city);
            w->pools[w->n_pools++] = a;
        } else {
            a = led_open(led, LED_PUBLIC_WALLET, 0, rbelow(r, 10) ? bank : LED_NONE, city);
        }
        if (a == LED_NONE)
            break;
    }
    if (w->n_pools == 0)
        w->pools[w->n_pools++] = led_open(led, LED_POOL, 0, w->banks[0], 0);
    for (led_acct a = 1; a < led_accounts(led); a++)
        w->any[w->n_any++] = a;
}

static led_acct payer_of(world *w, rng *r)
{
    uint32_t k = rbelow(r, 10);
    if (k < 7)
        return pick(r, w->personal, w->n_personal);
    if (k < 9)
        return pick(r, w->merchants, w->n_merchants);
    return pick(r, w->any, w->n_any);
}

static led_acct payee_of(world *w, rng *r)
{
    uint32_t k = rbelow(r, 20);
    if (k == 0)
        return (led_acct)rbelow(r, N_ACCOUNTS + 2); /* sometimes the issuer or out of range */
    if (k < 12)
        return pick(r, w->merchants, w->n_merchants);
    return pick(r, w->any, w->n_any);
}

static void one_op(world *w, rng *r, int32_t day)
{
    led_ledger *led = w->led;
    uint32_t k = rbelow(r, 100);
    if (k < 55) {
        led_pay(led, payer_of(w, r), payee_of(w, r), amount(r));
    } else if (k < 67) {
        led_topup(led, rbelow(r, 8) ? pick(r, w->personal, w->n_personal)
                                    : pick(r, w->any, w->n_any),
                  amount(r));
    } else if (k < 72) {
        led_redeem(led, rbelow(r, 2) ? pick(r, w->merchants, w->n_merchants)
                                     : pick(r, w->any, w->n_any),
                   amount(r));
    } else if (k < 74) {
        if (rbelow(r, 2))
            led_issue(led, pick(r, w->banks, w->n_banks), amount(r));
        else
            led_withdraw(led, pick(r, w->banks, w->n_banks), amount(r));
    } else if (k < 80 && w->n_hard) {
        led_pay_offline(led, pick(r, w->hard, w->n_hard), payee_of(w, r), amount(r) % 30000);
    } else if (k < 83 && w->n_hard) {
        led_sync(led, pick(r, w->hard, w->n_hard));
    } else if (k < 87) {
        led_leg legs[8];
        uint32_t n = 1 + rbelow(r, 8);
        led_acct common = rbelow(r, 2) ? pick(r, w->pools, w->n_pools) : LED_NONE;
        for (uint32_t i = 0; i < n; i++) {
            legs[i].from = common != LED_NONE ? common : payer_of(w, r);
            legs[i].to = payee_of(w, r);
            legs[i].amount_fen = amount(r);
        }
        led_pay_batch(led, legs, n, NULL);
    } else if (k < 93) {
        led_acct pool = pick(r, w->pools, w->n_pools);
        if (led_balance(led, pool) < 2000000)
            led_topup(led, pool, 5000000);
        led_earmark_rule rule = {
            .category_mask = rbelow(r, 3) ? (uint32_t)rnext(r) & 0xffu : 0,
            .tag_mask = rbelow(r, 3) ? 0 : 1u + rbelow(r, 3),
            .city = rbelow(r, 2) ? LED_ANY_CITY : (uint16_t)rbelow(r, N_CITIES),
            .expiry_day = rbelow(r, 20) ? day + 1 + (int32_t)rbelow(r, 12) : LED_NO_EXPIRY,
            .return_pool = rbelow(r, 2) ? LED_NONE : pick(r, w->pools, w->n_pools)};
        led_earmark_grant(led, pool, pick(r, w->personal, w->n_personal), amount(r) % 50000,
                          &rule);
    } else if (k < 94) {
        led_set_class(led, pick(r, w->personal, w->n_personal), 1 + (int)rbelow(r, 4));
    } else if (k < 95) {
        led_set_overflow_policy(led, rbelow(r, 2) ? LED_OVERFLOW_SWEEP : LED_OVERFLOW_REJECT);
    } else if (k < 97) {
        /* a heavy spender (among the first 16 wallets) runs into its daily and
         * annual caps: top up, then pay near the per-payment cap */
        led_acct a = w->personal[rbelow(r, w->n_personal < 16 ? w->n_personal : 16)];
        led_topup(led, a, 150000 + rbelow(r, 400000));
        led_pay(led, a, pick(r, w->merchants, w->n_merchants), 150000 + rbelow(r, 60000));
    } else {
        /* earmarked money spent at a merchant: the commonest programme flow */
        led_pay(led, pick(r, w->personal, w->n_personal), pick(r, w->merchants, w->n_merchants),
                1 + rbelow(r, 30000));
    }
}

static void end_of_day(world *w, int32_t day)
{
    led_ledger *led = w->led;
    char why[256];
    if (!led_check(led, why, sizeof why))
        prop_fail(w, "day %d: led_check: %s", day, why);
    for (led_acct a = 0; a < led_accounts(led) && !w->failed; a++) {
        if (w->shadow[a] != led_balance(led, a))
            prop_fail(w, "day %d: account %u balance %lld, trace says %lld", day, a,
                 (long long)led_balance(led, a), (long long)w->shadow[a]);
        int cls = led_wallet_class(led, a);
        if (cls > 0 && led_default_limits[cls - 1].balance_cap_fen &&
            led_balance(led, a) > led_default_limits[cls - 1].balance_cap_fen)
            prop_fail(w, "day %d: account %u over its class %d balance cap", day, a, cls);
        if (a > 0 && led_earmarked(led, a) > led_balance(led, a))
            prop_fail(w, "day %d: account %u earmarked over balance", day, a);
    }
}

static bool run_seed(uint64_t seed, uint64_t *ops, char *why, size_t why_len)
{
    static world w; /* large: keep it off the stack */
    memset(&w, 0, sizeof w);
    for (uint32_t i = 0; i < N_ACCOUNTS; i++)
        w.daily_day[i] = w.annual_year[i] = -1;
    w.seed = seed;
    rng r = {seed * 0x2545f4914f6cdd1dull + 1};
    led_config cfg;
    led_config_default(&cfg, N_ACCOUNTS, N_CITIES, NULL);
    cfg.max_earmarks = 600 + rbelow(&r, 600); /* small enough to hit LED_R_CAPACITY */
    cfg.max_pending = 200 + rbelow(&r, 200);
    w.led = led_alloc_ex(&cfg);
    if (!w.led) {
        snprintf(why, why_len, "led_alloc_ex failed");
        return false;
    }
    led_set_year_offset(w.led, YEAR_OFFSET);
    led_set_trace(w.led, on_transfer, &w, 1.0);
    build(&w, &r);
    for (int32_t day = 0; day < DAYS && !w.failed; day++) {
        led_day_begin(w.led, day);
        led_expire(w.led, day);
        for (int i = 0; i < OPS_PER_DAY; i++)
            one_op(&w, &r, day);
        *ops += OPS_PER_DAY;
        if (rbelow(&r, 4) == 0) /* a day when every card comes online */
            for (uint32_t h = 0; h < w.n_hard; h++)
                led_sync(w.led, w.hard[h]);
        end_of_day(&w, day);
    }
    led_day_stats t;
    led_totals(w.led, &t);
    /* every reason a random walk can reach must have been reached */
    static const enum led_reason expect[] = {
        LED_R_INSUFFICIENT, LED_R_PER_PAYMENT, LED_R_DAILY, LED_R_ANNUAL, LED_R_BALANCE_CAP,
        LED_R_EARMARK,      LED_R_DOUBLE_SPEND, LED_R_OFFLINE_LIMIT, LED_R_INVALID,
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0] && !w.failed; i++)
        if (t.rejected[expect[i]] == 0)
            prop_fail(&w, "reason %s never seen", led_reason_name(expect[i]));
    if (t.count[LED_T_EXPIRE] == 0 || t.count[LED_T_BATCH] == 0 || t.count[LED_T_OFFLINE] == 0)
        prop_fail(&w, "a transfer kind was never posted");
    led_free(w.led);
    if (w.failed)
        snprintf(why, why_len, "%s", w.why);
    return !w.failed;
}

static void test_ledger_property_random_transfers(void **state)
{
    (void)state;
    const char *env = getenv("ECNYSIM_PROPERTY_SCALE");
    double scale = env ? atof(env) : 1.0;
    int seeds = (int)(64 * scale);
    if (seeds < 1)
        seeds = 1;
    uint64_t ops = 0;
    int failures = 0;
    for (int s = 0; s < seeds; s++) {
        char why[512];
        if (!run_seed((uint64_t)s + 1, &ops, why, sizeof why)) {
            print_message("seed %d failed: %s\n", s + 1, why);
            failures++;
        }
    }
    print_message("%d seeds, %llu operations\n", seeds, (unsigned long long)ops);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger_property_random_transfers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
