/* test_pay.c: unit tests of the one payment path, models/pay.c (cmocka).
 *
 * A real world (Xiong'an at 1:100, half a year into its pilot) is built and
 * run a day; each test then pays through pay.c with one rule and checks the
 * ledger and the city's metrics: a resident's top-up is what is missing or
 * topup_yuan, within the class's cap, or nothing when the shortfall does not
 * fit; a programme's purchase ignores the cap; a firm converts exactly what
 * is missing first; a whole-amount conversion goes back when the payment is
 * refused; a payment settled after led_pay_many is counted once; and each
 * flow counts where daily.csv says. pay_many completes each leg as
 * pay_transfer does (a short payer tops up by the rule, each payment counted
 * once, a leg the cap refuses not at all); pay_batch converts the total,
 * counts its legs under the flow named, and on a refused leg returns the
 * ledger's reason with every balance where it was; pay_offline tops a short
 * card up by max(fare, floor) first, records the fare as pending (no balance
 * moves until the sync, which debits the card and credits the payee) and
 * counts it as a retail payment of value 0. led_check runs at the end of
 * every test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "models/pay.h"
#include "tests/support/world_fixture.h"

static const char *const ini = "[scenario]\nstart = 2020-10-01\ndays = 10\nseed = 12345\nscale = 100\n"
                               "[city.xiongan]\npilot_start = 2020-04-01\n";

typedef struct {
    wfx f;
    wld_world *w;
    wld_city *c;
    led_acct wallet;   /* an adopter's personal wallet, emptied */
    int wallet_class;
    led_acct merchant; /* an accepting merchant */
    int64_t m[M_COUNT];
    int64_t circulation_fen;
} pfx;

static int setup(void **state)
{
    pfx *p = calloc(1, sizeof *p);
    assert_non_null(p);
    wfx_build(&p->f, ini, NULL, 0);
    wfx_run_days(&p->f, 1);
    p->w = p->f.w;
    p->c = &p->w->city[0];
    p->wallet = LED_NONE;
    for (uint32_t a = 0; a < p->c->n_adopters && p->wallet == LED_NONE; a++)
        if (led_kind(p->w->ledger, p->c->wallet[a]) == LED_WALLET)
            p->wallet = p->c->wallet[a];
    assert_int_not_equal(p->wallet, LED_NONE);
    p->wallet_class = led_wallet_class(p->w->ledger, p->wallet);
    int64_t b = led_balance(p->w->ledger, p->wallet);
    if (b > 0) /* start from an empty wallet: the conversion back is the test's, not counted */
        assert_int_equal(led_redeem(p->w->ledger, p->wallet, b), LED_OK);
    p->merchant = LED_NONE;
    for (int cat = 0; cat < p->w->data->n_categories && p->merchant == LED_NONE; cat++)
        if (p->c->merchants_accepting[cat] > 0)
            p->merchant = p->c->accepting[cat][0];
    assert_int_not_equal(p->merchant, LED_NONE);
    memcpy(p->m, p->c->m, sizeof p->m);
    p->circulation_fen = p->c->circulation_fen;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    pfx *p = *state;
    char why[256];
    bool ok = led_check(p->w->ledger, why, sizeof why);
    if (!ok)
        fprintf(stderr, "led_check: %s\n", why);
    wfx_free(&p->f);
    free(p);
    assert_true(ok);
    return 0;
}

/* How far metric m moved since set-up. */
static int64_t moved(const pfx *p, int m) { return p->c->m[m] - p->m[m]; }

static void test_pay_resident_tops_up_what_is_missing(void **state)
{
    pfx *p = *state;
    p->w->p.topup_fen = 10000;
    pay_rule rule = pay_rule_resident(p->w);
    /* short by 12345 fen: converts 12345 (more than topup_yuan) */
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 12345, &rule), LED_OK);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 0);
    assert_int_equal(moved(p, M_TOPUPS), 1);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 12345);
    assert_int_equal(p->c->circulation_fen - p->circulation_fen, 12345);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 1);
    assert_int_equal(moved(p, M_VALUE_ECNY), 12345);
    assert_int_equal(moved(p, M_PAYMENTS_RETAIL), 1);
    assert_int_equal(moved(p, M_VALUE_RETAIL), 12345);
    /* short by 1234: converts topup_yuan, keeps the rest */
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 1234, &rule), LED_OK);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 10000 - 1234);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 12345 + 10000);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 2);
}

static void test_pay_resident_respects_the_class_cap(void **state)
{
    pfx *p = *state;
    p->w->p.topup_fen = 50000;
    p->w->p.balance_cap_fen[p->wallet_class - 1] = 5000; /* the rule's cap, below the ledger's */
    pay_rule rule = pay_rule_resident(p->w);
    /* the shortfall does not fit under the cap: nothing converted, refused */
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 12345, &rule), LED_R_INSUFFICIENT);
    assert_int_equal(moved(p, M_TOPUPS), 0);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 0);
    /* it fits: topup_yuan is cut to the cap */
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 3210, &rule), LED_OK);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 5000);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 5000 - 3210);
    /* a programme's purchase does not look at the cap */
    pay_rule prg = pay_rule_programme(p->w, PAY_PAYEE_KEEPS);
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 12345, &prg), LED_OK);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 5000 + 50000);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 2);
}

static void test_pay_first_topup_within_the_cap(void **state)
{
    pfx *p = *state;
    p->w->p.first_topup_fen = 12345;
    p->w->p.balance_cap_fen[p->wallet_class - 1] = 2345;
    assert_true(pay_first_topup(p->w, p->c, p->wallet));
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 2345);
    p->w->p.first_topup_fen = 0;
    assert_false(pay_first_topup(p->w, p->c, p->wallet));
    assert_int_equal(moved(p, M_TOPUPS), 1);
}

static void test_pay_firm_converts_exactly_what_is_missing(void **state)
{
    pfx *p = *state;
    led_acct treasury = p->c->firms.treasury;
    assert_int_not_equal(treasury, LED_NONE);
    assert_int_equal(pay_topup(p->w, p->c, treasury, 1000), true);
    pay_rule rule = pay_rule_firm(PAY_FISCAL);
    assert_int_equal(pay_transfer(p->w, p->c, treasury, p->wallet, 12345, &rule), LED_OK);
    assert_int_equal(led_balance(p->w->ledger, treasury), 0);
    assert_int_equal(moved(p, M_TOPUPS), 2);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 1000 + 11345);
    assert_int_equal(moved(p, M_VALUE_FISCAL), 12345);
    assert_int_equal(moved(p, M_VALUE_GOV), 12345);
    assert_int_equal(moved(p, M_VALUE_RETAIL), 0);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 12345);
}

static void test_pay_whole_goes_back_when_refused(void **state)
{
    pfx *p = *state;
    led_acct treasury = p->c->firms.treasury;
    int64_t cap = p->w->p.balance_cap_fen[p->wallet_class - 1]; /* the ledger's, as loaded */
    if (cap == 0)
        skip(); /* a class without a ledger cap cannot refuse the credit */
    int64_t before = led_balance(p->w->ledger, treasury);
    pay_rule rule = {.topup = PAY_TOPUP_WHOLE, .flow = PAY_LOANS};
    assert_int_equal(pay_transfer(p->w, p->c, treasury, p->wallet, cap + 12345, &rule), LED_R_BALANCE_CAP);
    assert_int_equal(led_balance(p->w->ledger, treasury), before);
    assert_int_equal(moved(p, M_TOPUPS), 1);
    assert_int_equal(moved(p, M_REDEMPTIONS), 1);
    assert_int_equal(moved(p, M_REDEMPTION_VALUE), cap + 12345);
    assert_int_equal(p->c->circulation_fen, p->circulation_fen);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 0);
    assert_int_equal(moved(p, M_VALUE_LOANS), 0);
}

static void test_pay_settle_counts_once(void **state)
{
    pfx *p = *state;
    p->w->p.topup_fen = 0;
    pay_rule rule = pay_rule_resident(p->w);
    led_leg leg = {p->wallet, p->merchant, 12345};
    enum led_reason why = led_pay(p->w->ledger, leg.from, leg.to, leg.amount_fen);
    assert_int_equal(why, LED_R_INSUFFICIENT);
    assert_int_equal(pay_settle(p->w, p->c, &leg, why, &rule), LED_OK);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 12345);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 1);
    /* one already paid is only counted */
    assert_true(pay_topup(p->w, p->c, p->wallet, 12345));
    assert_int_equal(led_pay(p->w->ledger, leg.from, leg.to, leg.amount_fen), LED_OK);
    assert_int_equal(pay_settle(p->w, p->c, &leg, LED_OK, &rule), LED_OK);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 2);
    assert_int_equal(moved(p, M_VALUE_ECNY), 2 * 12345);
    assert_int_equal(moved(p, M_TOPUPS), 2);
}

/* A payee empty before the payment is handed, once, to whoever redeems it
 * tonight (the merchants model for a shop); a payee that already held
 * e-CNY is on the list already, and a rule that keeps its payee hands none. */
static void test_pay_hands_an_empty_payee_on_once(void **state)
{
    pfx *p = *state;
    int64_t held = led_balance(p->w->ledger, p->merchant);
    if (held > 0)
        assert_int_equal(led_redeem(p->w->ledger, p->merchant, held), LED_OK);
    p->c->n_paid_today = 0;
    pay_rule rule = pay_rule_resident(p->w);
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 500, &rule), LED_OK);
    assert_int_equal(p->c->n_paid_today, 1);
    assert_int_equal(p->c->paid_today[0], p->merchant);
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 500, &rule), LED_OK);
    assert_int_equal(p->c->n_paid_today, 1);
    assert_int_equal(led_redeem(p->w->ledger, p->merchant, 1000), LED_OK);
    p->c->n_paid_today = 0;
    rule.payee = PAY_PAYEE_KEEPS;
    assert_int_equal(pay_transfer(p->w, p->c, p->wallet, p->merchant, 500, &rule), LED_OK);
    assert_int_equal(p->c->n_paid_today, 0);
}

static void test_pay_count_by_flow(void **state)
{
    pfx *p = *state;
    pay_count(p->c, PAY_UNCOUNTED, 1, 12345);
    assert_memory_equal(p->c->m, p->m, sizeof p->m);
    pay_count(p->c, PAY_TAX, 1, 12345);
    pay_count(p->c, PAY_B2B, 2, 23456);
    pay_count(p->c, PAY_P2P, 1, 345);
    pay_count(p->c, PAY_RETAIL, 1, 0); /* an offline tap: its value posts later */
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 5);
    assert_int_equal(moved(p, M_VALUE_ECNY), 12345 + 23456 + 345);
    assert_int_equal(moved(p, M_VALUE_TAX), 12345);
    assert_int_equal(moved(p, M_VALUE_GOV), 12345);
    assert_int_equal(moved(p, M_VALUE_B2B), 23456);
    assert_int_equal(moved(p, M_PAYMENTS_RETAIL), 1);
    assert_int_equal(moved(p, M_VALUE_RETAIL), 0);
}

/* pay_many is pay_transfer on each leg: a leg refused for a short balance
 * is topped up by the rule (what is missing, at least topup_yuan, within
 * the cap) and paid, each payment counted once; a leg whose shortfall does
 * not fit under the cap is refused and counted nowhere. */
static void test_pay_many_completes_short_legs(void **state)
{
    pfx *p = *state;
    p->w->p.topup_fen = 10000;
    p->w->p.balance_cap_fen[p->wallet_class - 1] = 20000; /* the rule's cap */
    pay_rule rule = pay_rule_resident(p->w);
    int64_t shop = led_balance(p->w->ledger, p->merchant);
    led_leg legs[] = {
        {p->wallet, p->merchant, 12345}, /* empty: converts 12345 */
        {p->wallet, p->merchant, 1234},  /* empty: converts topup_yuan, keeps 8766 */
        {p->wallet, p->merchant, 2345},  /* paid from what is kept: 6421 left */
        {p->wallet, p->merchant, 25000}, /* short by 18579, room 13579: refused */
    };
    pay_many(p->w, p->c, legs, 4, &rule);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 6421);
    assert_int_equal(led_balance(p->w->ledger, p->merchant) - shop, 12345 + 1234 + 2345);
    assert_int_equal(moved(p, M_TOPUPS), 2);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 12345 + 10000);
    assert_int_equal(p->c->circulation_fen - p->circulation_fen, 12345 + 10000);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 3);
    assert_int_equal(moved(p, M_VALUE_ECNY), 12345 + 1234 + 2345);
    assert_int_equal(moved(p, M_PAYMENTS_RETAIL), 3);
    assert_int_equal(moved(p, M_VALUE_RETAIL), 12345 + 1234 + 2345);
    assert_int_equal(moved(p, M_VALUE_FISCAL), 0);
    assert_int_equal(moved(p, M_REDEMPTIONS), 0);
}

/* pay_batch converts the total, pays every leg and counts the legs under
 * its flow only; a batch with a leg the ledger refuses returns that leg's
 * reason, moves no balance of any leg and converts the total back. */
static void test_pay_batch_counts_per_flow_and_refuses_whole(void **state)
{
    pfx *p = *state;
    led_acct treasury = p->c->firms.treasury;
    assert_int_not_equal(treasury, LED_NONE);
    int64_t cap = p->w->p.balance_cap_fen[p->wallet_class - 1]; /* the ledger's, as loaded */
    assert_true(cap > 12345);
    int64_t before = led_balance(p->w->ledger, treasury), shop = led_balance(p->w->ledger, p->merchant);
    bool funded = false;
    led_leg fiscal[] = {{treasury, p->wallet, 12345}, {treasury, p->merchant, 2345}};
    assert_int_equal(pay_batch(p->w, p->c, fiscal, 2, PAY_FISCAL, &funded), LED_OK);
    assert_true(funded);
    assert_int_equal(led_balance(p->w->ledger, treasury), before);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 12345);
    assert_int_equal(led_balance(p->w->ledger, p->merchant) - shop, 2345);
    assert_int_equal(moved(p, M_TOPUPS), 1);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 12345 + 2345);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 2);
    assert_int_equal(moved(p, M_VALUE_ECNY), 12345 + 2345);
    assert_int_equal(moved(p, M_VALUE_FISCAL), 12345 + 2345);
    assert_int_equal(moved(p, M_VALUE_GOV), 12345 + 2345);
    assert_int_equal(moved(p, M_VALUE_B2B), 0);
    assert_int_equal(moved(p, M_PAYMENTS_RETAIL), 0);
    assert_int_equal(moved(p, M_VALUE_RETAIL), 0);
    led_leg b2b[] = {{treasury, p->merchant, 3456}};
    assert_int_equal(pay_batch(p->w, p->c, b2b, 1, PAY_B2B, &funded), LED_OK);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 3);
    assert_int_equal(moved(p, M_VALUE_B2B), 3456);
    assert_int_equal(moved(p, M_VALUE_FISCAL), 12345 + 2345);
    assert_int_equal(moved(p, M_VALUE_GOV), 12345 + 2345);
    /* the second leg takes the wallet one fen over its cap: nothing posts */
    led_leg refused[] = {{treasury, p->merchant, 1111}, {treasury, p->wallet, cap - 12345 + 1}};
    funded = false;
    assert_int_equal(pay_batch(p->w, p->c, refused, 2, PAY_FISCAL, &funded), LED_R_BALANCE_CAP);
    assert_true(funded);
    assert_int_equal(led_balance(p->w->ledger, treasury), before);
    assert_int_equal(led_balance(p->w->ledger, p->wallet), 12345);
    assert_int_equal(led_balance(p->w->ledger, p->merchant) - shop, 2345 + 3456);
    assert_int_equal(moved(p, M_TOPUPS), 3);
    assert_int_equal(moved(p, M_REDEMPTIONS), 1);
    assert_int_equal(moved(p, M_REDEMPTION_VALUE), 1111 + cap - 12345 + 1);
    assert_int_equal(p->c->circulation_fen - p->circulation_fen, 12345 + 2345 + 3456);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 3);
    assert_int_equal(moved(p, M_VALUE_ECNY), 12345 + 2345 + 3456);
    assert_int_equal(moved(p, M_VALUE_FISCAL), 12345 + 2345);
}

/* pay_offline: a card short of offline value (its offline balance less what
 * is pending) is topped up by the fare, at least floor_fen, online, which
 * syncs what it had pending; the fare is pending, no balance moves; it is
 * counted as one retail payment of value 0 (the value is counted where it
 * posts). A fare the ledger refuses is not counted; its top-up stays. The
 * sync debits the card and credits the payee by the fares. */
static void test_pay_offline_pays_at_sync_and_counts_the_tap(void **state)
{
    pfx *p = *state;
    led_ledger *led = p->w->ledger;
    /* a new card of the city's first bank, as the offline trials open theirs */
    led_acct card = led_open(led, LED_HARD_WALLET, 4, p->c->bank_acct[0], (uint16_t)p->c->index);
    assert_int_not_equal(card, LED_NONE);
    led_set_offline_limit(led, card, 5000);
    int64_t shop = led_balance(led, p->merchant);
    /* empty card: topped up by the floor, 2000 */
    assert_int_equal(pay_offline(p->w, p->c, card, p->merchant, 345, 2000), LED_OK);
    assert_int_equal(led_balance(led, card), 2000);
    assert_int_equal(led_pending_fen(led, card), 345);
    assert_int_equal(led_balance(led, p->merchant), shop);
    assert_int_equal(moved(p, M_TOPUPS), 1);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 2000);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 1);
    assert_int_equal(moved(p, M_PAYMENTS_RETAIL), 1);
    assert_int_equal(moved(p, M_VALUE_ECNY), 0);
    assert_int_equal(moved(p, M_VALUE_RETAIL), 0);
    /* 1655 of offline value left: no top-up */
    assert_int_equal(pay_offline(p->w, p->c, card, p->merchant, 345, 2000), LED_OK);
    assert_int_equal(moved(p, M_TOPUPS), 1);
    assert_int_equal(led_pending_fen(led, card), 690);
    /* 1310 left, a fare of exactly that: no top-up */
    assert_int_equal(pay_offline(p->w, p->c, card, p->merchant, 1310, 2000), LED_OK);
    assert_int_equal(moved(p, M_TOPUPS), 1);
    assert_int_equal(led_pending_fen(led, card), 2000);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 3);
    /* nothing left, short of the fare 1500 though the offline balance (2000)
     * is not: topped up by the floor, which syncs the 2000 pending first */
    assert_int_equal(pay_offline(p->w, p->c, card, p->merchant, 1500, 2000), LED_OK);
    assert_int_equal(moved(p, M_TOPUPS), 2);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 2000 + 2000);
    assert_int_equal(led_balance(led, card), 2000 - 2000 + 2000);
    assert_int_equal(led_balance(led, p->merchant) - shop, 345 + 345 + 1310);
    assert_int_equal(led_pending_fen(led, card), 1500);
    /* 500 left, the fare 2100 is over the floor: topped up by the fare */
    assert_int_equal(pay_offline(p->w, p->c, card, p->merchant, 2100, 2000), LED_OK);
    assert_int_equal(moved(p, M_TOPUPS), 3);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 2000 + 2000 + 2100);
    assert_int_equal(led_balance(led, card), 2000 - 1500 + 2100);
    assert_int_equal(led_pending_fen(led, card), 2100);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 5);
    /* over the card's offline limit (5000): refused by the ledger, not
     * counted, and no deposit converted for a fare that can never be paid */
    assert_int_equal(pay_offline(p->w, p->c, card, p->merchant, 6000, 2000), LED_R_OFFLINE_LIMIT);
    assert_int_equal(moved(p, M_TOPUPS), 3);
    assert_int_equal(moved(p, M_TOPUP_VALUE), 2000 + 2000 + 2100);
    assert_int_equal(moved(p, M_PAYMENTS_ECNY), 5);
    assert_int_equal(moved(p, M_PAYMENTS_RETAIL), 5);
    assert_int_equal(led_pending_count(led, card), 1); /* the 2100 waits for a sync */
    /* every fare debited from the card and credited to the shop, once */
    assert_int_equal(led_sync(led, card), 0);
    assert_int_equal(led_balance(led, card), 2000 + 2000 + 2100 - (345 + 345 + 1310 + 1500 + 2100));
    assert_int_equal(led_balance(led, p->merchant) - shop, 345 + 345 + 1310 + 1500 + 2100);
    assert_int_equal(p->c->circulation_fen - p->circulation_fen, 2000 + 2000 + 2100);
    assert_int_equal(moved(p, M_VALUE_ECNY), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pay_resident_tops_up_what_is_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_resident_respects_the_class_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_first_topup_within_the_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_firm_converts_exactly_what_is_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_whole_goes_back_when_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_settle_counts_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_hands_an_empty_payee_on_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_count_by_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_many_completes_short_legs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_batch_counts_per_flow_and_refuses_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_offline_pays_at_sync_and_counts_the_tap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
