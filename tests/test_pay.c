/* test_pay.c: unit tests of the one payment path, models/pay.c (cmocka).
 *
 * A real world (Xiong'an at 1:100, half a year into its pilot) is built and
 * run a day; each test then pays through pay.c with one rule and checks the
 * ledger and the city's metrics: a resident's top-up is what is missing or
 * topup_yuan, within the class's cap, or nothing when the shortfall does not
 * fit; a programme's purchase ignores the cap; a firm converts exactly what
 * is missing first; a whole-amount conversion goes back when the payment is
 * refused; a payment settled after led_pay_many is counted once; and each
 * flow counts where daily.csv says. led_check runs at the end of every test.
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
