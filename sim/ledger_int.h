/* ledger_int.h: the ledger's private layout, shared by ledger.c and its
 * white-box tests and benchmark only (nothing else in sim/ or models/ may
 * include it).
 *
 * The account table is one array of 32-byte records (array of structs): a
 * payment reads and writes a few fields of the payer and of the payee, and on
 * a population far larger than the caches the cost is one cache miss per
 * account touched. Keeping every field a payment needs in one 32-byte record,
 * aligned so it never straddles a 64-byte line, makes that exactly one miss
 * per side; columns would cost one miss per field. Everything rare (earmark
 * lots, hard-wallet offline state, pending offline payments, bank reserves)
 * lives in side tables sized at led_alloc_ex and reached through `aux`/`link`.
 */
#ifndef ECNYSIM_LEDGER_INT_H
#define ECNYSIM_LEDGER_INT_H

#include "sim/ledger.h"

/* Account flags: any of LED_F_SLOW sends a debit through the general path. */
#define LED_F_EARMARK 0x01u /* holds earmark lots (aux = ext index) */
#define LED_F_HARD 0x02u    /* hard wallet (aux = ext index, always) */
#define LED_F_PARENT 0x04u  /* sub-wallet with a parent (link = parent) */
#define LED_F_SLOW (LED_F_EARMARK | LED_F_HARD | LED_F_PARENT)

struct led_hot {
    int64_t balance_fen;
    uint32_t daily_spent_fen;  /* valid when last_day == today's stamp */
    uint32_t annual_spent_fen; /* valid when last_day >= this year's first stamp */
    uint32_t link;             /* wallet/merchant/...: its bank account (LED_NONE);
                                  sub-wallet with LED_F_PARENT: the parent;
                                  bank: its ordinal in the reserve table */
    uint32_t aux;              /* personal wallet: ext index (0 = none);
                                  merchant: tag bitmask */
    uint16_t city;
    uint16_t last_day;         /* day + 1 of the last capped debit; 0 = never */
    uint8_t kind;              /* enum led_account_kind */
    uint8_t cls;               /* wallet class 1..4; 0 = no caps */
    uint8_t flags;             /* LED_F_* */
    uint8_t category;          /* merchant category 0..31, LED_CATEGORY_NONE */
};
_Static_assert(sizeof(struct led_hot) == 32, "account record must stay 32 bytes");

/* For tests that plant a corruption: changes account a's balance by
 * delta_fen outside any transfer (no counterpart, no running sums), as a
 * stray write would. The invariant checks must then fail. */
void led_test_corrupt_balance(led_ledger *led, led_acct a, int64_t delta_fen);

#endif
