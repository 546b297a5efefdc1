/* test_ledger.c: unit tests of sim/ledger (cmocka).
 *
 * One test per behaviour: every transfer kind, every refusal reason, the
 * offline double spend, linked batches, earmarks and their expiry, the
 * overflow policies, counters and the trace sample. Amounts are deliberately
 * odd (12345 fen) so an off-by-one or a swapped field shows. led_check runs
 * at the end of every test through the fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sim/ledger.h"

/* Class 4 defaults, fen. */
#define C4_BAL 1000000
#define C4_PER 200000
#define C4_DAY 500000
#define C4_YEAR 5000000

typedef struct {
    led_ledger *led;
    led_acct bank, bank2, w4, w4b, w1, w2, m_food, m_taxi, m_far, pool, gov, hw, corp;
} fx;

static void fx_checked_free(fx *f)
{
    char why[256] = "";
    bool ok = led_check(f->led, why, sizeof why);
    if (!ok)
        print_message("led_check: %s\n", why);
    assert_true(ok);
    led_free(f->led);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->led = led_alloc(1000, 4, led_default_limits);
    assert_non_null(f->led);
    led_ledger *led = f->led;
    f->bank = led_open(led, LED_BANK, 0, LED_NONE, 0);
    f->bank2 = led_open(led, LED_BANK, 0, LED_NONE, 1);
    led_set_reserve(led, f->bank, INT64_C(100000000000));
    led_set_reserve(led, f->bank2, 77777);
    f->w4 = led_open(led, LED_WALLET, 4, f->bank, 1);
    f->w4b = led_open(led, LED_WALLET, 4, f->bank, 2);
    f->w1 = led_open(led, LED_WALLET, 1, f->bank, 1);
    f->w2 = led_open(led, LED_WALLET, 2, f->bank, 1);
    f->m_food = led_open(led, LED_MERCHANT, 0, f->bank, 1);
    f->m_taxi = led_open(led, LED_MERCHANT, 0, f->bank, 1);
    f->m_far = led_open(led, LED_MERCHANT, 0, f->bank, 3);
    f->pool = led_open(led, LED_POOL, 0, f->bank, 1);
    f->gov = led_open(led, LED_GOVERNMENT, 0, f->bank, 0);
    f->hw = led_open(led, LED_HARD_WALLET, 4, f->bank, 1);
    f->corp = led_open(led, LED_PUBLIC_WALLET, 0, f->bank, 1);
    led_set_merchant_category(led, f->m_food, 3);
    led_set_merchant_category(led, f->m_taxi, 7);
    led_set_merchant_category(led, f->m_far, 3);
    led_set_merchant_tag(led, f->m_food, 0x5);
    led_set_merchant_tag(led, f->m_far, 0x1);
    led_day_begin(led, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fx_checked_free(f);
    free(f);
    return 0;
}

static uint64_t rejected_total(const led_ledger *led, enum led_reason r)
{
    led_day_stats t;
    led_totals(led, &t);
    return t.rejected[r];
}

/* ------------------------------------------------------------------ kinds */

static void test_ledger_issue_and_withdraw(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_issue(led, f->bank2, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->bank2), 12345);
    assert_int_equal(led_reserve(led, f->bank2), 77777 - 12345);
    assert_int_equal(led_circulation(led), 12345);
    assert_int_equal(led_balance(led, led_central_bank(led)), -12345);
    assert_int_equal(led_issue(led, f->bank2, 77777), LED_R_RESERVE);
    assert_int_equal(led_withdraw(led, f->bank2, 2345), LED_OK);
    assert_int_equal(led_reserve(led, f->bank2), 77777 - 10000);
    assert_int_equal(led_circulation(led), 10000);
    assert_int_equal(led_issued_total(led), 12345);
    assert_int_equal(led_withdrawn_total(led), 2345);
    assert_int_equal(led_withdraw(led, f->bank2, 10001), LED_R_INSUFFICIENT);
    assert_int_equal(led_issue(led, f->w4, 12345), LED_R_INVALID);
    assert_int_equal(led_issue(led, f->bank2, 0), LED_R_INVALID);
    assert_int_equal(led_issue(led, f->bank2, -12345), LED_R_INVALID);
    assert_int_equal(led_day(led, 1)->count[LED_T_ISSUE], 1);
    assert_int_equal(led_day(led, 1)->value_fen[LED_T_ISSUE], 12345);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_RESERVE], 1);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_INSUFFICIENT], 1);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_INVALID], 2);
}

static void test_ledger_topup_issues_on_demand(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    int64_t reserve0 = led_reserve(led, f->bank);
    assert_int_equal(led_topup(led, f->w4, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->w4), 12345);
    assert_int_equal(led_balance(led, f->bank), 0);
    assert_int_equal(led_reserve(led, f->bank), reserve0 - 12345);
    assert_int_equal(led_issued_total(led), 12345);
    /* A vault holding redeemed e-CNY pays from it first. */
    assert_int_equal(led_redeem(led, f->w4, 2345), LED_OK);
    assert_int_equal(led_balance(led, f->bank), 2345);
    assert_int_equal(led_topup(led, f->w4, 1234), LED_OK);
    assert_int_equal(led_balance(led, f->bank), 1111);
    assert_int_equal(led_issued_total(led), 12345);
    /* Part from the vault, the rest issued. */
    assert_int_equal(led_topup(led, f->w4, 5000), LED_OK);
    assert_int_equal(led_balance(led, f->bank), 0);
    assert_int_equal(led_issued_total(led), 12345 + 5000 - 1111);
    const led_day_stats *d = led_day(led, 1);
    assert_int_equal(d->count[LED_T_TOPUP], 3);
    assert_int_equal(d->value_fen[LED_T_TOPUP], 12345 + 1234 + 5000);
    assert_int_equal(d->count[LED_T_REDEEM], 1);
}

static void test_ledger_topup_refused_when_reserve_short(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    led_acct w = led_open(led, LED_WALLET, 4, f->bank2, 1);
    assert_int_equal(led_topup(led, w, 77778), LED_R_RESERVE);
    assert_int_equal(led_balance(led, w), 0);
    assert_int_equal(led_issued_total(led), 0);
    assert_int_equal(led_topup(led, w, 77777), LED_OK);
    assert_int_equal(led_reserve(led, f->bank2), 0);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_RESERVE], 1);
}

static void test_ledger_topup_refused_over_balance_cap(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, C4_BAL - 12345), LED_OK);
    assert_int_equal(led_topup(led, f->w4, 12346), LED_R_BALANCE_CAP);
    /* never swept, even under SWEEP */
    led_set_overflow_policy(led, LED_OVERFLOW_SWEEP);
    assert_int_equal(led_topup(led, f->w4, 12346), LED_R_BALANCE_CAP);
    assert_int_equal(led_topup(led, f->w4, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->w4), C4_BAL);
    assert_int_equal(led_topup(led, f->bank, 12345), LED_R_INVALID); /* a bank has no bank */
}

static void test_ledger_redeem_to_bank(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 12345), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_OK);
    assert_int_equal(led_redeem(led, f->m_food, 12346), LED_R_INSUFFICIENT);
    assert_int_equal(led_redeem(led, f->m_food, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->m_food), 0);
    assert_int_equal(led_balance(led, f->bank), 12345);
    assert_int_equal(led_circulation(led), 12345); /* still e-CNY, in the vault */
    assert_int_equal(led_withdraw(led, f->bank, 12345), LED_OK);
    assert_int_equal(led_circulation(led), 0);
    led_acct orphan = led_open(led, LED_WALLET, 4, LED_NONE, 0);
    assert_int_equal(led_redeem(led, orphan, 12345), LED_R_INVALID);
}

static void test_ledger_payment_moves_money(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 54321), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->w4b, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->w4), 54321 - 12345);
    assert_int_equal(led_balance(led, f->w4b), 12345);
    assert_int_equal(led_day(led, 1)->count[LED_T_PAYMENT], 1);
    assert_int_equal(led_day(led, 1)->value_fen[LED_T_PAYMENT], 12345);
    assert_int_equal(led_day(led, 2)->count[LED_T_PAYMENT], 0);
    assert_int_equal(led_pay(led, f->w4, f->w4b, 54321 - 12345 + 1), LED_R_INSUFFICIENT);
}

/* ---------------------------------------------------------------- refusals */

static void test_ledger_payment_invalid(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 12345), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->w4, 12345), LED_R_INVALID);
    assert_int_equal(led_pay(led, f->w4, 999, 12345), LED_R_INVALID);
    assert_int_equal(led_pay(led, 999, f->w4, 12345), LED_R_INVALID);
    assert_int_equal(led_pay(led, f->w4, f->w4b, 0), LED_R_INVALID);
    assert_int_equal(led_pay(led, f->w4, f->w4b, -12345), LED_R_INVALID);
    assert_int_equal(led_pay(led, f->w4, f->w4b, LED_AMOUNT_MAX_FEN + 1), LED_R_INVALID);
    assert_int_equal(led_pay(led, led_central_bank(led), f->w4b, 12345), LED_R_INVALID);
    assert_int_equal(led_pay(led, f->w4, led_central_bank(led), 12345), LED_R_INVALID);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_INVALID], 5);
    assert_int_equal(led_day(led, 0)->rejected[LED_R_INVALID], 3); /* unknown/issuer payer */
    assert_int_equal(led_balance(led, f->w4), 12345);
}

static void test_ledger_per_payment_cap(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 612345), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, C4_PER + 1), LED_R_PER_PAYMENT);
    assert_int_equal(led_pay(led, f->w4, f->m_food, C4_PER), LED_OK);
    assert_int_equal(led_balance(led, f->w4), 612345 - C4_PER);
    /* class 1 has no caps at all */
    assert_int_equal(led_topup(led, f->w1, INT64_C(12345678901)), LED_OK);
    assert_int_equal(led_pay(led, f->w1, f->m_food, INT64_C(12345678901)), LED_OK);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_PER_PAYMENT], 1);
}

static void test_ledger_daily_cap_resets_next_day(void **state)
{
    fx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 912345), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 187655), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 187655), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 124691), LED_R_DAILY);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 124690), LED_OK); /* exactly 5,000 yuan */
    assert_int_equal(led_pay(led, f->w4, f->m_food, 1), LED_R_DAILY);
    led_day_begin(led, 1);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_OK);
    assert_int_equal(led_totals_check_dummy_placeholder, 0);
}
