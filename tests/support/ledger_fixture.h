/* ledger_fixture.h: a small ledger for the ledger's unit tests (prefix
 * lfx_): two banks, wallets of every class, merchants of two categories in
 * three cities, a pool, a government, a hard wallet and a public wallet,
 * day 0 begun. lfx_teardown runs led_check over every account (a cmocka
 * failure when it fails) before freeing: every test ends with the full check.
 */
#ifndef ECNYSIM_TESTS_LEDGER_FIXTURE_H
#define ECNYSIM_TESTS_LEDGER_FIXTURE_H

#include <stdint.h>

#include "sim/ledger.h"

/* Class 4 defaults, fen. */
#define C4_BAL 1000000
#define C4_PER 200000
#define C4_DAY 500000
#define C4_YEAR 5000000

typedef struct {
    led_ledger *led;
    led_acct bank, bank2, w4, w4b, w1, w2, m_food, m_taxi, m_far, pool, gov, hw, corp;
} lfx;

/* cmocka set-up and tear-down: *state is the lfx. */
int lfx_setup(void **state);
int lfx_teardown(void **state);
/* Refusals for reason r so far, every city and day. */
uint64_t lfx_rejected_total(const led_ledger *led, enum led_reason r);

#endif
