/* test_ledger_check.c: the ledger's invariant checks at their three costs
 * (cmocka): led_check_quick (running sums, O(1) in accounts), led_check_part
 * (one of LED_CHECK_PARTS runs of accounts a day) and led_check (every
 * account). A busy ledger passes all three every day; one balance changed
 * outside a transfer (planted through ledger_int.h) is caught by the full
 * sweep, and by the sampled sweep of led_check_day within LED_CHECK_PARTS
 * days, wherever the account sits; a batch that rolls back leaves the sums
 * right; a class change moves its balance between class sums.
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
#include "sim/ledger_int.h"

#define N_WALLETS 6000u

typedef struct {
    led_ledger *led;
    led_acct bank, merchant, pool;
    led_acct w[N_WALLETS];
} busy;

static uint64_t mix(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A ledger of 6,000 wallets in every class (a few hard wallets and
 * sub-wallets) spread over every part, with top-ups, payments, earmarks,
 * redemptions and class changes on day `day`. */
static void busy_day(busy *b, int32_t day, uint64_t *seed)
{
    led_day_begin(b->led, day);
    for (int k = 0; k < 4000; k++) {
        uint64_t r = mix(seed);
        led_acct a = b->w[r % N_WALLETS], c = b->w[(r >> 20) % N_WALLETS];
        int64_t x = (int64_t)((r >> 40) % 20000) + 1;
        switch ((r >> 60) & 3) {
        case 0: led_topup(b->led, a, x + 12345); break;
        case 1: led_pay(b->led, a, c, x); break;
        case 2: led_pay(b->led, a, b->merchant, x); break;
        default: led_redeem(b->led, a, x / 3 + 1); break;
        }
    }
    led_redeem(b->led, b->merchant, led_balance(b->led, b->merchant) / 2 + 1);
    led_earmark_rule rule = {.category_mask = 0, .tag_mask = 0, .city = LED_ANY_CITY,
                             .expiry_day = day + 3, .return_pool = LED_NONE};
    led_earmark_grant(b->led, b->pool, b->w[(7 * (uint32_t)day) % N_WALLETS], 4321, &rule);
    led_expire(b->led, day);
    led_set_class(b->led, b->w[(13 * (uint32_t)day) % N_WALLETS], 1 + day % 4);
}

static busy *busy_new(void)
{
    busy *b = calloc(1, sizeof *b);
    assert_non_null(b);
    b->led = led_alloc(N_WALLETS + 16, 3, led_default_limits);
    assert_non_null(b->led);
    b->bank = led_open(b->led, LED_BANK, 0, LED_NONE, 0);
    led_set_reserve(b->led, b->bank, INT64_C(1000000000000));
    b->merchant = led_open(b->led, LED_MERCHANT, 0, b->bank, 1);
    b->pool = led_open(b->led, LED_POOL, 0, b->bank, 2);
    led_day_begin(b->led, 0);
    assert_int_equal(led_topup(b->led, b->pool, 90000000), LED_OK);
    for (uint32_t i = 0; i < N_WALLETS; i++) {
        if (i % 97 == 5)
            b->w[i] = led_open(b->led, LED_HARD_WALLET, 4, b->bank, (uint16_t)(i % 3));
        else if (i % 89 == 7 && led_kind(b->led, b->w[i - 1]) == LED_WALLET)
            b->w[i] = led_open_sub_wallet(b->led, b->w[i - 1]);
        else
            b->w[i] = led_open(b->led, LED_WALLET, 1 + (int)(i % 4), b->bank, (uint16_t)(i % 3));
        assert_int_not_equal(b->w[i], LED_NONE);
    }
    return b;
}

static void busy_free(busy *b)
{
    led_free(b->led);
    free(b);
}

static void assert_ok(bool ok, const char *why)
{
    if (!ok)
        print_message("check failed: %s\n", why);
    assert_true(ok);
}

static void test_ledger_check_busy_ledger_passes_every_mode(void **state)
{
    (void)state;
    busy *b = busy_new();
    uint64_t seed = 12345;
    char why[256] = "";
    for (int32_t day = 0; day < 70; day++) {
        busy_day(b, day, &seed);
        assert_ok(led_check_quick(b->led, why, sizeof why), why);
        assert_ok(led_check_day(b->led, LED_CHECK_SAMPLED, why, sizeof why), why);
        assert_ok(led_check_part(b->led, (uint32_t)day * 7, why, sizeof why), why);
        if (day % 10 == 0)
            assert_ok(led_check_day(b->led, LED_CHECK_FULL, why, sizeof why), why);
    }
    assert_ok(led_check(b->led, why, sizeof why), why);
    busy_free(b);
}

/* Plants +12345 fen on account `victim` after a few busy days; returns the
 * number of days of sampled checks that passed before one failed (-1: none
 * failed in 2 x LED_CHECK_PARTS days). The quick check cannot see it: no
 * running sum moved. */
static int days_to_catch(led_acct victim_index, bool *full_caught)
{
    busy *b = busy_new();
    uint64_t seed = 777;
    char why[256] = "";
    for (int32_t day = 0; day < 5; day++)
        busy_day(b, day, &seed);
    led_acct victim = victim_index < N_WALLETS ? b->w[victim_index] : b->merchant;
    led_test_corrupt_balance(b->led, victim, 12345);
    *full_caught = !led_check(b->led, why, sizeof why);
    assert_true(led_check_quick(b->led, why, sizeof why));
    int caught = -1;
    for (int32_t day = 5; day < 5 + 2 * (int32_t)LED_CHECK_PARTS; day++) {
        busy_day(b, day, &seed);
        if (!led_check_day(b->led, LED_CHECK_SAMPLED, why, sizeof why)) {
            assert_non_null(strstr(why, "running sum"));
            caught = day - 5;
            break;
        }
    }
    busy_free(b);
    return caught;
}

static void test_ledger_check_planted_corruption_caught(void **state)
{
    (void)state;
    /* Accounts at the start, the middle and the end of the table, the
     * merchant (a low part) and a sub-wallet. */
    const led_acct victims[] = {0, 2999, N_WALLETS - 1, N_WALLETS, 7};
    for (size_t i = 0; i < sizeof victims / sizeof victims[0]; i++) {
        bool full = false;
        int days = days_to_catch(victims[i], &full);
        assert_true(full);
        assert_true(days >= 0);
        assert_true(days < (int)LED_CHECK_PARTS);
    }
}

static void test_ledger_check_full_names_the_part(void **state)
{
    (void)state;
    busy *b = busy_new();
    uint64_t seed = 99;
    busy_day(b, 0, &seed);
    char why[256] = "";
    assert_int_equal(led_topup(b->led, b->w[1000], 23456), LED_OK);
    led_test_corrupt_balance(b->led, b->w[1000], -1);
    led_test_corrupt_balance(b->led, b->merchant, 1); /* the total still sums to zero */
    assert_false(led_check(b->led, why, sizeof why));
    assert_non_null(strstr(why, "outside a transfer"));
    busy_free(b);
}

static void test_ledger_check_batch_rollback_keeps_sums(void **state)
{
    (void)state;
    busy *b = busy_new();
    uint64_t seed = 5;
    busy_day(b, 0, &seed);
    led_acct a = b->w[10], c = b->w[20];
    assert_int_equal(led_topup(b->led, a, 50000), LED_OK);
    /* Second leg is refused: more than a holds after the first. */
    led_leg legs[2] = {{a, c, 12345}, {a, b->merchant, led_balance(b->led, a)}};
    uint32_t failed = 0;
    assert_int_not_equal(led_pay_batch(b->led, legs, 2, &failed), LED_OK);
    assert_int_equal(failed, 1);
    char why[256] = "";
    assert_ok(led_check(b->led, why, sizeof why), why);
    busy_free(b);
}

static void test_ledger_check_quick_sees_issuer_corruption(void **state)
{
    (void)state;
    busy *b = busy_new();
    uint64_t seed = 3;
    busy_day(b, 0, &seed);
    char why[256] = "";
    led_test_corrupt_balance(b->led, led_central_bank(b->led), -1);
    assert_false(led_check_quick(b->led, why, sizeof why));
    busy_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger_check_busy_ledger_passes_every_mode),
        cmocka_unit_test(test_ledger_check_planted_corruption_caught),
        cmocka_unit_test(test_ledger_check_full_names_the_part),
        cmocka_unit_test(test_ledger_check_batch_rollback_keeps_sums),
        cmocka_unit_test(test_ledger_check_quick_sees_issuer_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
