/* test_ledger.c: unit tests of sim/ledger (cmocka).
 *
 * One test per behaviour: every transfer kind, every refusal reason,
 * earmarks and their expiry, the overflow policies, counters and the trace
 * sample (linked batches and offline payments: test_ledger_batch.c). Amounts are deliberately
 * odd (12345 fen) so an off-by-one or a swapped field shows. led_check runs
 * at the end of every test through the fixture.
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

/* ------------------------------------------------------------------ kinds */

static void test_ledger_issue_and_withdraw(void **state)
{
    lfx *f = *state;
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
    assert_int_equal(led_day(led, 1)->rejected[LED_R_INVALID], 3);
}

static void test_ledger_topup_issues_on_demand(void **state)
{
    lfx *f = *state;
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
    lfx *f = *state;
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
    lfx *f = *state;
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
    lfx *f = *state;
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
    lfx *f = *state;
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

static void test_ledger_pay_many_is_led_pay_in_order(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 20000), LED_OK);
    led_leg legs[20];
    for (int i = 0; i < 20; i++)
        legs[i] = (led_leg){f->w4, i % 2 ? f->m_food : f->m_taxi, 1234 + i};
    legs[3].to = 9999;                      /* invalid */
    legs[5].amount_fen = 0;                 /* invalid amount */
    uint8_t why[20];
    uint32_t posted = led_pay_many(led, legs, 20, why);
    /* the valid legs add up to 22395 fen: the last ones find 20000 spent */
    int64_t paid = 0;
    uint32_t ok = 0;
    for (int i = 0; i < 20; i++) {
        if (why[i] == LED_OK) {
            paid += legs[i].amount_fen;
            ok++;
        }
    }
    assert_int_equal(posted, ok);
    assert_int_equal(why[3], LED_R_INVALID);
    assert_int_equal(why[5], LED_R_INVALID);
    assert_int_equal(why[19], LED_R_INSUFFICIENT);
    assert_int_equal(led_balance(led, f->w4), 20000 - paid);
    assert_int_equal(led_balance(led, f->m_food) + led_balance(led, f->m_taxi), paid);
    assert_int_equal(led_day(led, 1)->count[LED_T_PAYMENT], ok);
    assert_int_equal(led_pay_many(led, legs, 0, NULL), 0);
}

/* ---------------------------------------------------------------- refusals */

static void test_ledger_payment_invalid(void **state)
{
    lfx *f = *state;
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
    assert_int_equal(led_day(led, 1)->rejected[LED_R_INVALID], 6);
    assert_int_equal(led_day(led, 0)->rejected[LED_R_INVALID], 2); /* unknown/issuer payer */
    assert_int_equal(led_balance(led, f->w4), 12345);
}

static void test_ledger_per_payment_cap(void **state)
{
    lfx *f = *state;
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
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 912345), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 187655), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 187655), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 124691), LED_R_DAILY);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 124690), LED_OK); /* exactly 5,000 yuan */
    assert_int_equal(led_pay(led, f->w4, f->m_food, 1), LED_R_DAILY);
    led_day_begin(led, 1);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_OK);
    assert_int_equal(lfx_rejected_total(led, LED_R_DAILY), 2);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_DAILY], 0); /* a new day's counters */
}

static void test_ledger_annual_cap_resets_next_year(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_set_year_offset(led, 300); /* day 65 is 1 January */
    int day = 0;
    int64_t spent = 0;
    assert_int_equal(led_topup(led, f->w4, 912345), LED_OK);
    /* 25 days of 200,000 = 5,000,000: the whole class-4 year */
    for (; day < 25; day++) {
        led_day_begin(led, day);
        if (led_balance(led, f->w4) < C4_PER)
            assert_int_equal(led_topup(led, f->w4, C4_PER), LED_OK);
        assert_int_equal(led_pay(led, f->w4, f->m_food, C4_PER), LED_OK);
        spent += C4_PER;
    }
    assert_int_equal(spent, C4_YEAR);
    led_day_begin(led, 30);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_R_ANNUAL);
    led_day_begin(led, 64);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_R_ANNUAL);
    led_day_begin(led, 65);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_OK);
    assert_int_equal(lfx_rejected_total(led, LED_R_ANNUAL), 2);
}

static void test_ledger_balance_cap_reject(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4b, C4_BAL - 12345), LED_OK);
    assert_int_equal(led_topup(led, f->w4, 50000), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->w4b, 12346), LED_R_BALANCE_CAP);
    assert_int_equal(led_balance(led, f->w4b), C4_BAL - 12345);
    assert_int_equal(led_balance(led, f->w4), 50000);
    assert_int_equal(led_pay(led, f->w4, f->w4b, 12345), LED_OK);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_BALANCE_CAP], 1);
}

static void test_ledger_balance_cap_sweep(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_set_overflow_policy(led, LED_OVERFLOW_SWEEP);
    assert_int_equal(led_topup(led, f->w4b, C4_BAL - 12345), LED_OK);
    assert_int_equal(led_topup(led, f->w4, 50000), LED_OK);
    int64_t vault = led_balance(led, f->bank);
    assert_int_equal(led_pay(led, f->w4, f->w4b, 20000), LED_OK);
    assert_int_equal(led_balance(led, f->w4b), C4_BAL);
    assert_int_equal(led_balance(led, f->w4), 30000);
    assert_int_equal(led_balance(led, f->bank), vault + 20000 - 12345);
    const led_day_stats *d2 = led_day(led, 2); /* the sweep counts in the payee's city */
    assert_int_equal(d2->count[LED_T_REDEEM], 1);
    assert_int_equal(d2->value_fen[LED_T_REDEEM], 20000 - 12345);
    /* A capped payee without a bank cannot be swept: refused. */
    led_acct orphan = led_open(led, LED_WALLET, 4, LED_NONE, 1);
    assert_int_equal(led_pay(led, f->w4, orphan, 12345), LED_OK);
    assert_int_equal(led_pay(led, f->w4b, orphan, C4_PER), LED_OK);
    assert_int_equal(led_pay(led, f->w4b, orphan, C4_PER), LED_OK);
    assert_int_equal(led_pay(led, f->w4b, orphan, C4_PER), LED_R_DAILY);
}

static void test_ledger_balance_cap_sweep_to_parent_bank(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_set_overflow_policy(led, LED_OVERFLOW_SWEEP);
    led_acct sub = led_open_sub_wallet(led, f->w4);
    assert_int_equal(led_bank_of(led, sub), f->bank);
    assert_int_equal(led_topup(led, sub, C4_BAL), LED_OK);
    assert_int_equal(led_topup(led, f->w1, 12345), LED_OK);
    assert_int_equal(led_pay(led, f->w1, sub, 12345), LED_OK);
    assert_int_equal(led_balance(led, sub), C4_BAL);
    assert_int_equal(led_balance(led, f->bank), 12345);
}

/* --------------------------------------------------------------- earmarks */

static led_earmark_rule food_rule(int32_t expiry_day)
{
    return (led_earmark_rule){.category_mask = 1u << 3, .tag_mask = 0, .city = 1,
                              .expiry_day = expiry_day, .return_pool = LED_NONE};
}

static void test_ledger_earmark_spent_first(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    assert_int_equal(led_topup(led, f->w4, 10000), LED_OK);
    led_earmark_rule rule = food_rule(30);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &rule), LED_OK);
    assert_int_equal(led_balance(led, f->w4), 22345);
    assert_int_equal(led_earmarked(led, f->w4), 12345);
    assert_int_equal(led_balance(led, f->pool), 100000 - 12345);
    assert_int_equal(led_day(led, 1)->count[LED_T_EARMARK], 1);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 5000), LED_OK);
    assert_int_equal(led_earmarked(led, f->w4), 7345);
    assert_int_equal(led_balance(led, f->w4), 17345);
    /* more than the earmark left: earmark first, then free balance */
    assert_int_equal(led_pay(led, f->w4, f->m_food, 9000), LED_OK);
    assert_int_equal(led_earmarked(led, f->w4), 0);
    assert_int_equal(led_balance(led, f->w4), 8345);
    assert_int_equal(led_earmark_lots(led), 0);
}

static void test_ledger_earmark_lots_spent_earliest_expiry_first(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    led_earmark_rule late = food_rule(40), early = food_rule(20);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 11111, &late), LED_OK);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &early), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_OK);
    led_day_begin(led, 20);
    assert_int_equal(led_expire(led, 20), 0); /* the early lot was spent and freed */
    assert_int_equal(led_earmarked(led, f->w4), 11111);
    assert_int_equal(led_balance(led, f->pool), 100000 - 11111 - 12345);
}

static void test_ledger_earmark_not_spendable_at_ineligible_merchant(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    assert_int_equal(led_topup(led, f->w4, 10000), LED_OK);
    led_earmark_rule rule = food_rule(30);
    rule.tag_mask = 0x4;
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &rule), LED_OK);
    /* wrong category */
    assert_int_equal(led_pay(led, f->w4, f->m_taxi, 12345), LED_R_EARMARK);
    /* right category and tag, wrong city */
    led_set_merchant_tag(led, f->m_far, 0x4);
    assert_int_equal(led_pay(led, f->w4, f->m_far, 12345), LED_R_EARMARK);
    /* a person is never eligible */
    assert_int_equal(led_pay(led, f->w4, f->w4b, 10001), LED_R_EARMARK);
    /* more than the whole balance: plain insufficient */
    assert_int_equal(led_pay(led, f->w4, f->m_taxi, 22346), LED_R_INSUFFICIENT);
    /* free balance still spends anywhere */
    assert_int_equal(led_pay(led, f->w4, f->m_taxi, 10000), LED_OK);
    assert_int_equal(led_earmarked(led, f->w4), 12345);
    /* tag not carried: m_food has tags 0x5, so 0x4 matches; drop it */
    led_set_merchant_tag(led, f->m_food, 0x1);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_R_EARMARK);
    led_set_merchant_tag(led, f->m_food, 0x4);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 12345), LED_OK);
    assert_int_equal(led_balance(led, f->w4), 0);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_EARMARK], 4);
}

static void test_ledger_earmark_redeem_uses_free_balance_only(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    assert_int_equal(led_topup(led, f->w4, 1000), LED_OK);
    led_earmark_rule rule = food_rule(30);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &rule), LED_OK);
    assert_int_equal(led_redeem(led, f->w4, 1001), LED_R_EARMARK);
    assert_int_equal(led_redeem(led, f->w4, 13346), LED_R_INSUFFICIENT);
    assert_int_equal(led_redeem(led, f->w4, 1000), LED_OK);
    assert_int_equal(led_earmarked(led, f->w4), 12345);
}

static void test_ledger_earmark_expiry_returns_to_pool(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_acct pool2 = led_open(led, LED_POOL, 0, f->bank, 1);
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    led_earmark_rule rule = food_rule(10);
    rule.return_pool = pool2;
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &rule), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 2345), LED_OK);
    for (int d = 1; d < 10; d++) {
        led_day_begin(led, d);
        assert_int_equal(led_expire(led, d), 0);
    }
    led_day_begin(led, 10);
    /* the lot is dead from its expiry day even before led_expire runs */
    assert_int_equal(led_pay(led, f->w4, f->m_food, 2345), LED_R_EXPIRED);
    assert_int_equal(led_expire(led, 10), 1);
    assert_int_equal(led_balance(led, f->w4), 0);
    assert_int_equal(led_earmarked(led, f->w4), 0);
    assert_int_equal(led_balance(led, pool2), 10000);
    assert_int_equal(led_balance(led, f->pool), 100000 - 12345);
    assert_int_equal(led_earmark_lots(led), 0);
    assert_int_equal(led_day(led, 1)->count[LED_T_EXPIRE], 1);
    assert_int_equal(led_day(led, 1)->value_fen[LED_T_EXPIRE], 10000);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_EXPIRED], 1);
    assert_int_equal(led_expire(led, 10), 0);
}

static void test_ledger_earmark_expiry_far_future_and_skipped_days(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->pool, 100000), LED_OK);
    led_earmark_rule a = food_rule(5), b = food_rule(5 + 4096), c = food_rule(LED_NO_EXPIRY);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &a), LED_OK);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4b, 23456, &b), LED_OK);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w2, 34567, &c), LED_OK);
    led_day_begin(led, 100); /* days 1..99 never called led_expire */
    assert_int_equal(led_expire(led, 100), 1);
    assert_int_equal(led_earmarked(led, f->w4b), 23456); /* same bucket, not yet due */
    led_day_begin(led, 5000);
    assert_int_equal(led_expire(led, 5000), 1);
    assert_int_equal(led_earmarked(led, f->w2), 34567);
    assert_int_equal(led_balance(led, f->pool), 100000 - 34567);
}

static void test_ledger_earmark_grant_refusals(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->pool, 50000), LED_OK);
    assert_int_equal(led_topup(led, f->w1, 50000), LED_OK);
    led_earmark_rule rule = food_rule(30);
    assert_int_equal(led_earmark_grant(led, f->w1, f->w4, 12345, &rule), LED_R_INVALID);
    assert_int_equal(led_earmark_grant(led, f->pool, f->m_food, 12345, &rule), LED_R_INVALID);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, NULL), LED_R_INVALID);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 50001, &rule), LED_R_INSUFFICIENT);
    led_earmark_rule past = food_rule(0);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &past), LED_R_EXPIRED);
    assert_int_equal(led_topup(led, f->w4, C4_BAL - 12344), LED_OK);
    assert_int_equal(led_earmark_grant(led, f->pool, f->w4, 12345, &rule), LED_R_BALANCE_CAP);
    assert_int_equal(led_balance(led, f->pool), 50000);
    assert_int_equal(led_earmark_lots(led), 0);
    /* a full lot table */
    led_config cfg;
    led_config_default(&cfg, 50, 1, NULL);
    cfg.max_earmarks = 1;
    led_ledger *small = led_alloc_ex(&cfg);
    led_acct bank = led_open(small, LED_BANK, 0, LED_NONE, 0);
    led_set_reserve(small, bank, 100000);
    led_acct pool = led_open(small, LED_POOL, 0, bank, 0);
    led_acct w = led_open(small, LED_WALLET, 3, bank, 0);
    assert_int_equal(led_topup(small, pool, 50000), LED_OK);
    assert_int_equal(led_earmark_grant(small, pool, w, 123, &rule), LED_R_INVALID); /* city 1 */
    rule.city = LED_ANY_CITY;
    assert_int_equal(led_earmark_grant(small, pool, w, 123, &rule), LED_OK);
    assert_int_equal(led_earmark_grant(small, pool, w, 123, &rule), LED_R_CAPACITY);
    char why[256];
    assert_true(led_check(small, why, sizeof why));
    led_free(small);
}

/* ------------------------------------------------------ sub-wallets, class */

static void test_ledger_sub_wallet_shares_parent_caps(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    led_acct sub = led_open_sub_wallet(led, f->w4);
    assert_int_not_equal(sub, LED_NONE);
    assert_int_equal(led_parent(led, sub), f->w4);
    assert_int_equal(led_parent(led, f->w4), LED_NONE);
    assert_int_equal(led_wallet_class(led, sub), 4);
    assert_int_equal(led_topup(led, f->w4, 400000), LED_OK);
    assert_int_equal(led_topup(led, sub, 400000), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 200000), LED_OK);
    assert_int_equal(led_pay(led, sub, f->m_food, 200000), LED_OK);
    assert_int_equal(led_pay(led, sub, f->m_food, 100001), LED_R_DAILY);
    assert_int_equal(led_pay(led, sub, f->m_food, 100000), LED_OK);
    assert_int_equal(led_pay(led, f->w4, f->m_food, 1), LED_R_DAILY);
}

static void test_ledger_set_class(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w2, 1234567), LED_OK);
    assert_int_equal(led_set_class(led, f->w2, 4), LED_R_BALANCE_CAP);
    assert_int_equal(led_set_class(led, f->w2, 1), LED_OK);
    assert_int_equal(led_wallet_class(led, f->w2), 1);
    assert_int_equal(led_set_class(led, f->m_food, 1), LED_R_INVALID);
    assert_int_equal(led_set_class(led, f->w4, 5), LED_R_INVALID);
}

/* ------------------------------------------------ counters, trace, config */

static void test_ledger_counters_per_city_and_totals(void **state)
{
    lfx *f = *state;
    led_ledger *led = f->led;
    assert_int_equal(led_topup(led, f->w4, 12345), LED_OK);  /* city 1 */
    assert_int_equal(led_topup(led, f->w4b, 23456), LED_OK); /* city 2 */
    assert_int_equal(led_pay(led, f->w4b, f->w4, 23457), LED_R_INSUFFICIENT);
    assert_int_equal(led_day(led, 2)->rejected[LED_R_INSUFFICIENT], 1);
    assert_int_equal(led_day(led, 1)->rejected[LED_R_INSUFFICIENT], 0);
    led_day_begin(led, 1);
    assert_int_equal(led_day(led, 2)->rejected[LED_R_INSUFFICIENT], 0);
    assert_int_equal(led_day(led, 1)->count[LED_T_TOPUP], 0);
    assert_int_equal(led_pay(led, f->w4b, f->w4, 23457), LED_R_INSUFFICIENT);
    led_day_stats t;
    led_totals(led, &t);
    assert_int_equal(t.rejected[LED_R_INSUFFICIENT], 2);
    assert_int_equal(t.count[LED_T_TOPUP], 2);
    assert_int_equal(t.value_fen[LED_T_TOPUP], 12345 + 23456);
    assert_int_equal(t.count[LED_T_ISSUE], 2);
    assert_int_equal(led_today(led), 1);
}

typedef struct {
    uint64_t seqs[4096];
    int n;
    int64_t moved;
} trace_log;

static void on_trace(void *ctx, const led_transfer *t)
{
    trace_log *l = ctx;
    if (l->n < 4096)
        l->seqs[l->n++] = t->seq;
    if (t->reason == LED_OK && t->kind == LED_T_PAYMENT)
        l->moved += t->amount_fen;
}

static void trace_run(trace_log *log, double rate)
{
    led_ledger *led = led_alloc(100, 1, NULL);
    led_acct bank = led_open(led, LED_BANK, 0, LED_NONE, 0);
    led_set_reserve(led, bank, 100000000);
    led_acct a = led_open(led, LED_WALLET, 1, bank, 0);
    led_acct b = led_open(led, LED_WALLET, 1, bank, 0);
    assert_int_equal(led_topup(led, a, 10000000), LED_OK);
    led_set_trace(led, on_trace, log, rate);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(led_pay(led, i & 1 ? b : a, i & 1 ? a : b, 123), LED_OK);
    led_free(led);
}

static void test_ledger_trace_sample_is_deterministic(void **state)
{
    (void)state;
    static trace_log x, y, all;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    memset(&all, 0, sizeof all);
    trace_run(&x, 0.25);
    trace_run(&y, 0.25);
    trace_run(&all, 1.0);
    assert_int_equal(x.n, y.n);
    assert_memory_equal(x.seqs, y.seqs, sizeof x.seqs[0] * (size_t)x.n);
    assert_in_range(x.n, 400, 600);
    assert_int_equal(all.n, 2000);
    assert_int_equal(all.moved, 2000 * 123);
}

static void test_ledger_default_limits(void **state)
{
    (void)state;
    assert_int_equal(led_default_limits[3].balance_cap_fen, 1000000);
    assert_int_equal(led_default_limits[3].per_payment_fen, 200000);
    assert_int_equal(led_default_limits[3].daily_fen, 500000);
    assert_int_equal(led_default_limits[3].annual_fen, 5000000);
    assert_int_equal(led_default_limits[2].balance_cap_fen, 2000000);
    assert_int_equal(led_default_limits[1].daily_fen, 10000000);
    assert_int_equal(led_default_limits[1].annual_fen, 0);
    assert_int_equal(led_default_limits[0].balance_cap_fen, 0);
}

static void test_ledger_alloc_and_capacity(void **state)
{
    (void)state;
    led_class_limits bad[4];
    memcpy(bad, led_default_limits, sizeof bad);
    bad[1].daily_fen = LED_SPEND_CAP_MAX_FEN + 1;
    assert_null(led_alloc(10, 1, bad));
    assert_null(led_alloc(0, 1, NULL));
    assert_null(led_alloc(10, 0, NULL));
    led_free(NULL);
    assert_int_equal(led_account_bytes(), 32);
    assert_true(led_bytes_needed(1000000, 4) >= 32u * 1000000u);
    led_ledger *led = led_alloc(3, 1, NULL);
    assert_non_null(led);
    assert_int_equal(led_accounts(led), 1);
    led_acct bank = led_open(led, LED_BANK, 0, LED_NONE, 0);
    assert_int_not_equal(led_open(led, LED_MERCHANT, 0, bank, 0), LED_NONE);
    assert_int_equal(led_open(led, LED_MERCHANT, 0, bank, 0), LED_NONE);
    assert_int_equal(led_kind(led, bank), LED_BANK);
    led_free(led);
}

static void test_ledger_names(void **state)
{
    (void)state;
    assert_string_equal(led_reason_name(LED_R_DOUBLE_SPEND), "double_spend");
    assert_string_equal(led_reason_name(LED_R_CAPACITY), "capacity");
    assert_string_equal(led_reason_name((enum led_reason)99), "unknown");
    assert_string_equal(led_transfer_kind_name(LED_T_EXPIRE), "expire");
    for (int r = 0; r < LED_REASONS; r++)
        assert_string_not_equal(led_reason_name((enum led_reason)r), "unknown");
}
#define T(name) cmocka_unit_test_setup_teardown(name, lfx_setup, lfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ledger_issue_and_withdraw),
        T(test_ledger_topup_issues_on_demand),
        T(test_ledger_topup_refused_when_reserve_short),
        T(test_ledger_topup_refused_over_balance_cap),
        T(test_ledger_redeem_to_bank),
        T(test_ledger_payment_moves_money),
        T(test_ledger_pay_many_is_led_pay_in_order),
        T(test_ledger_payment_invalid),
        T(test_ledger_per_payment_cap),
        T(test_ledger_daily_cap_resets_next_day),
        T(test_ledger_annual_cap_resets_next_year),
        T(test_ledger_balance_cap_reject),
        T(test_ledger_balance_cap_sweep),
        T(test_ledger_balance_cap_sweep_to_parent_bank),
        T(test_ledger_earmark_spent_first),
        T(test_ledger_earmark_lots_spent_earliest_expiry_first),
        T(test_ledger_earmark_not_spendable_at_ineligible_merchant),
        T(test_ledger_earmark_redeem_uses_free_balance_only),
        T(test_ledger_earmark_expiry_returns_to_pool),
        T(test_ledger_earmark_expiry_far_future_and_skipped_days),
        T(test_ledger_earmark_grant_refusals),
        T(test_ledger_sub_wallet_shares_parent_caps),
        T(test_ledger_set_class),
        T(test_ledger_counters_per_city_and_totals),
        T(test_ledger_trace_sample_is_deterministic),
        T(test_ledger_default_limits),
        T(test_ledger_alloc_and_capacity),
        T(test_ledger_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
