/* ledger_fixture.c: see ledger_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>

#include "tests/support/ledger_fixture.h"

static void checked_free(lfx *f)
{
    char why[256] = "";
    bool ok = led_check(f->led, why, sizeof why);
    if (!ok)
        print_message("led_check: %s\n", why);
    assert_true(ok);
    led_free(f->led);
}

int lfx_setup(void **state)
{
    lfx *f = calloc(1, sizeof *f);
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

int lfx_teardown(void **state)
{
    lfx *f = *state;
    checked_free(f);
    free(f);
    return 0;
}

uint64_t lfx_rejected_total(const led_ledger *led, enum led_reason r)
{
    led_day_stats t;
    led_totals(led, &t);
    return t.rejected[r];
}
