/* test_ledger_batch.c: unit tests of sim/ledger_batch.c (cmocka): linked
 * batches (all legs or none, legs that see earlier legs, the rollback of
 * earmarks and sweeps, capacity) and offline payments on hard wallets (the
 * double spend caught at sync, the offline limit, pending capacity). Odd
 * amounts; led_check runs at the end of every test through the fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim/ledger.h"
#include "tests/support/ledger_fixture.h"

/* ------------------------------------------------------------------ batch */

static void test_ledger_batch_pays_all(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->gov, 1000000), LED_OK);
    led_leg legs[3] = {{f->gov, f->w4, 12345}, {f->gov, f->w4b, 23456}, {f->gov, f->w2, 34567}};
    uint32_t failed = 7;
    assert_int_equal(led_pay_batch(led, legs, 3, &failed), LED_OK);
    assert_int_equal(failed, LED_NONE);
    assert_int_equal(led_balance(led, f->w4), 12345);
    assert_int_equal(led_balance(led, f->w4b), 23456);
    assert_int_equal(led_balance(led, f->w2), 34567);
    assert_int_equal(led_balance(led, f->gov), 1000000 - 12345 - 23456 - 34567);
    assert_int_equal(led_day(led, 0)->count[LED_T_BATCH], 3);
    assert_int_equal(led_day(led, 0)->value_fen[LED_T_BATCH], 12345 + 23456 + 34567);
}

static void test_ledger_batch_with_one_invalid_leg_pays_nobody(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->gov, 1000000), LED_OK);
    assert_int_equal(led_topup(led, f->w4b, C4_BAL - 10), LED_OK);
    led_leg legs[4] = {{f->gov, f->w4, 12345},
                       {f->gov, f->w2, 23456},
                       {f->gov, f->w4b, 12345}, /* over the payee's balance cap */
                       {f->gov, f->w1, 34567}};
    uint32_t failed = 0;
    assert_int_equal(led_pay_batch(led, legs, 4, &failed), LED_R_BALANCE_CAP);
    assert_int_equal(failed, 2);
    assert_int_equal(led_balance(led, f->w4), 0);
    assert_int_equal(led_balance(led, f->w2), 0);
    assert_int_equal(led_balance(led, f->w1), 0);
    assert_int_equal(led_balance(led, f->gov), 1000000);
    assert_int_equal(led_day(led, 0)->count[LED_T_BATCH], 0);
    assert_int_equal(led_day(led, 0)->value_fen[LED_T_BATCH], 0);
    assert_int_equal(led_day(led, 0)->rejected[LED_R_BALANCE_CAP], 1);
    /* an invalid account also sinks the batch */
    legs[2].to = 999;
    assert_int_equal(led_pay_batch(led, legs, 4, &failed), LED_R_INVALID);
    assert_int_equal(failed, 2);
    assert_int_equal(led_balance(led, f->gov), 1000000);
}

static void test_ledger_batch_legs_see_earlier_legs(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 30000), LED_OK);
    led_leg legs[2] = {{f->w4, f->m_food, 20000}, {f->w4, f->m_taxi, 12345}};
    uint32_t failed = 0;
    assert_int_equal(led_pay_batch(led, legs, 2, &failed), LED_R_INSUFFICIENT);
    assert_int_equal(failed, 1);
    assert_int_equal(led_balance(led, f->w4), 30000);
    assert_int_equal(led_balance(led, f->m_food), 0);
    /* daily spends of the rolled-back leg are undone too */
    assert_int_equal(led_topup(led, f->w4, 500000 - 30000), LED_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(led_pay(led, f->w4, f->m_food, 200000), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 100000), LED_OK);
}

static void test_ledger_batch_rollback_restores_earmarks_and_sweeps(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_set_overflow_policy(led, LED_OVERFLOW_SWEEP);
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    led_earmark_rule rule = {.category_mask = 1u << 3, .city = LED_ANY_CITY, .expiry_day = 30,
                             .return_pool = LED_NONE};
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &rule), LED_OK);
    assert_int_equal(led_topup(led, f->w4b, C4_BAL - 100), LED_OK);
    assert_int_equal(led_topup(led, f->w2, 5000), LED_OK);
    int64_t vault = led_balance(led, f->bank);
    led_leg legs[3] = {{f->w4, f->m_food, 12345},   /* all earmark: lot emptied */
                       {f->w2, f->w4b, 1000},       /* swept 900 to the bank */
                       {f->w2, f->m_taxi, 4001}};   /* 4000 left: refused */
    uint32_t failed = 0;
    assert_int_equal(led_pay_batch(led, legs, 3, &failed), LED_R_INSUFFICIENT);
    assert_int_equal(failed, 2);
    assert_int_equal(led_earmarked(led, f->w4), 12345);
    assert_int_equal(led_balance(led, f->w4), 12345);
    assert_int_equal(led_balance(led, f->w4b), C4_BAL - 100);
    assert_int_equal(led_balance(led, f->bank), vault);
    assert_int_equal(led_day(led, 2)->count[LED_T_REDEEM], 0);
    char why[256];
    assert_true(led_check(led, why, sizeof why));
    legs[2].amount_fen = 4000;
    assert_int_equal(led_pay_batch(led, legs, 3, &failed), LED_OK);
    assert_int_equal(led_earmarked(led, f->w4), 0);
    assert_int_equal(led_earmark_lots(led), 0); /* spent lot freed after commit */
    assert_int_equal(led_balance(led, f->bank), vault + 900);
}

static void test_ledger_batch_over_capacity(void **state)
{
    lfx *f = *state;
    led_config cfg;
    led_config_default(&cfg, 100, 1, NULL);
    cfg.max_batch_legs = 2;
    led_ledger *led = led_alloc_ex(&cfg);
    assert_non_null(led);
    led_acct bank = led_open(led, LED_BANK, 0, LED_NONE, 0);
    led_set_reserve(led, bank, 1000000);
    led_acct g = led_open(led, LED_GOVERNMENT, 0, bank, 0);
    led_acct w = led_open(led, LED_WALLET, 4, bank, 0);
    assert_int_equal(led_topup(led, g, 100000), LED_OK);
    led_leg legs[3] = {{g, w, 12345}, {g, w, 12345}, {g, w, 12345}};
    assert_int_equal(led_pay_batch(led, legs, 3, NULL), LED_R_CAPACITY);
    assert_int_equal(led_pay_batch(led, legs, 2, NULL), LED_OK);
    assert_int_equal(led_balance(led, w), 24690);
    assert_int_equal(led_pay_batch(led, legs, 0, NULL), LED_OK);
    led_free(led);
    (void)f;
}

/* ---------------------------------------------------------------- offline */

static void test_ledger_offline_double_spend_caught_at_sync(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->hw, 12345), LED_OK); /* online: offline balance 12345 */
    assert_int_equal(led_offline_balance(led, f->hw), 12345);
    /* the same value, spent twice while offline (a cloned card) */
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 12345), LED_OK);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_taxi, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->hw), 12345); /* pending: nothing moved */
    assert_int_equal(led_balance(led, f->m_food), 0);
    assert_int_equal(led_pending_count(led, f->hw), 2);
    assert_int_equal(led_pending_fen(led, f->hw), 24690);
    assert_int_equal(led_sync(led, f->hw), 1);
    assert_int_equal(led_balance(led, f->m_food), 12345);
    assert_int_equal(led_balance(led, f->m_taxi), 0);
    assert_int_equal(led_balance(led, f->hw), 0);
    assert_int_equal(led_pending_count(led, f->hw), 0);
    assert_int_equal(led_offline_balance(led, f->hw), 0);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_DOUBLE_SPEND], 1);
    assert_int_equal(led_day(led, 1)->count[LED_T_OFFLINE], 1);
    assert_int_equal(led_day(led, 1)->value_fen[LED_T_OFFLINE], 12345);
    assert_int_equal(led_sync(led, f->hw), 0); /* nothing left */
}

static void test_ledger_offline_exactly_fitting_payments_post(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->hw, 30000), LED_OK);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 12345), LED_OK);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_taxi, 20000), LED_OK); /* does not fit */
    assert_int_equal(led_pay_offline(led, f->hw, f->m_far, 17655), LED_OK);  /* fits exactly */
    assert_int_equal(led_sync(led, f->hw), 1);
    assert_int_equal(led_balance(led, f->m_food), 12345);
    assert_int_equal(led_balance(led, f->m_taxi), 0);
    assert_int_equal(led_balance(led, f->m_far), 17655);
    assert_int_equal(led_balance(led, f->hw), 0);
}

static void test_ledger_offline_limit(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_offline_limit(led, f->hw), LED_OFFLINE_LIMIT_DEFAULT_FEN);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 37655), LED_OK);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 12346), LED_R_OFFLINE_LIMIT);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 12345), LED_OK);
    led_set_offline_limit(led, f->hw, 60000);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 10000), LED_OK);
    assert_int_equal(led_pay_offline(led, f->w4, f->m_food, 12345), LED_R_INVALID); /* soft */
    assert_int_equal(led_day(led, 1)->rejected[LED_R_OFFLINE_LIMIT], 1);
    /* nothing was ever topped up: every pending payment is a double spend */
    assert_int_equal(led_sync(led, f->hw), 3);
    assert_int_equal(led_balance(led, f->m_food), 0);
}

static void test_ledger_offline_synced_before_online_debit(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->hw, 20000), LED_OK);
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 12345), LED_OK);
    /* coming online uploads the pending payment first: 7655 left */
    assert_int_equal(led_pay(led, f->hw, f->m_taxi, 10000), LED_R_INSUFFICIENT);
    assert_int_equal(led_balance(led, f->m_food), 12345);
    assert_int_equal(led_pending_count(led, f->hw), 0);
    assert_int_equal(led_pay(led, f->hw, f->m_taxi, 7655), LED_OK);
    assert_int_equal(led_offline_balance(led, f->hw), 0);
}

static void test_ledger_offline_value_spent_online_is_double_spend(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_set_overflow_policy(led, LED_OVERFLOW_SWEEP);
    assert_int_equal(led_topup(led, f->hw, C4_BAL - 1000), LED_OK);
    /* the bank sweeps value out while the card is offline (card not told) */
    assert_int_equal(led_topup(led, f->w1, 12345), LED_OK);
    assert_int_equal(led_pay(led, f->w1, f->hw, 12345), LED_OK); /* 11345 swept */
    assert_int_equal(led_pay_offline(led, f->hw, f->m_food, 40000), LED_OK);
    assert_int_equal(led_sync(led, f->hw), 0);
    assert_int_equal(led_balance(led, f->hw), C4_BAL - 40000);
}

static void test_ledger_offline_pending_capacity(void **state)
{
    lfx *f = *state;
    led_config cfg;
    led_config_default(&cfg, 50, 1, NULL);
    cfg.max_pending = 2;
    led_ledger *led = led_alloc_ex(&cfg);
    assert_non_null(led);
    led_acct bank = led_open(led, LED_BANK, 0, LED_NONE, 0);
    led_acct hw = led_open(led, LED_HARD_WALLET, 4, bank, 0);
    led_acct m = led_open(led, LED_MERCHANT, 0, bank, 0);
    assert_int_equal(led_pay_offline(led, hw, m, 123), LED_OK);
    assert_int_equal(led_pay_offline(led, hw, m, 123), LED_OK);
    assert_int_equal(led_pay_offline(led, hw, m, 123), LED_R_CAPACITY);
    assert_int_equal(led_sync(led, hw), 2);
    assert_int_equal(led_pay_offline(led, hw, m, 123), LED_OK);
    char why[256];
    assert_true(led_check(led, why, sizeof why));
    led_free(led);
    (void)f;
}

#define T(name) cmocka_unit_test_setup_teardown(name, lfx_setup, lfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ledger_batch_pays_all),
        T(test_ledger_batch_with_one_invalid_leg_pays_nobody),
        T(test_ledger_batch_legs_see_earlier_legs),
        T(test_ledger_batch_rollback_restores_earmarks_and_sweeps),
        T(test_ledger_batch_over_capacity),
        T(test_ledger_offline_double_spend_caught_at_sync),
        T(test_ledger_offline_exactly_fitting_payments_post),
        T(test_ledger_offline_limit),
        T(test_ledger_offline_synced_before_online_debit),
        T(test_ledger_offline_value_spent_online_is_double_spend),
        T(test_ledger_offline_pending_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
