/* pay.h: the one payment path of the economy (prefix pay_).
 *
 * Every e-CNY payment a model makes goes through here: pay from a wallet,
 * convert deposits when the payer is short (by the payer's rule), retry,
 * and count the day's metrics of the city (e-CNY payments and value, the
 * flow the value belongs to, top-ups, redemptions, circulation). Those
 * metrics are counted here and nowhere else. Where models legitimately
 * differ (who tops up, when, by how much, whether earmarked money counts,
 * who redeems the payee's takings), the difference is a field of a
 * pay_rule, not a copy of the path.
 *
 * Failures: a refused transfer changes no balance (the ledger's rule) and
 * is returned as its reason; nothing here allocates.
 */
#ifndef ECNYSIM_PAY_H
#define ECNYSIM_PAY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/world_int.h"

/* What a payment's value counts as in daily.csv, besides e-CNY payments
 * and e-CNY value. */
enum pay_flow {
    PAY_P2P = 0,   /* nothing more: transfers between people (remittances) */
    PAY_RETAIL,    /* value_retail and payments_retail: shops, fares (P2B) */
    PAY_B2B,       /* value_b2b: firms paying suppliers */
    PAY_FISCAL,    /* value_fiscal and value_gov: G2B, G2P, public salaries */
    PAY_TAX,       /* value_tax and value_gov: firms paying taxes */
    PAY_LOANS,     /* value_loans: disbursements and repayments */
    PAY_UNCOUNTED, /* not a payment of the city's economy: a cross-city leg
                    * into the clearing account, counted where it arrives */
};

/* When the payer converts deposits to e-CNY. */
enum pay_topup {
    PAY_TOPUP_NONE = 0,   /* never: the payer was funded beforehand */
    PAY_TOPUP_BEFORE,     /* before paying, when the balance is short: what is missing */
    PAY_TOPUP_WHOLE,      /* before paying, the whole amount (an account that holds nothing
                           * between payments: a lender, a payroll account); a refused
                           * payment converts it back */
    PAY_TOPUP_ON_REFUSAL, /* after a refusal for a short balance, then once more (residents) */
};

/* Who redeems the payee's takings in the evening. */
enum pay_payee {
    PAY_PAYEE_KEEPS = 0, /* nobody here: a person, or a programme that redeems its own account */
    PAY_PAYEE_MERCHANT,  /* the merchants model (the city's paid_today), when it was empty */
    PAY_PAYEE_FIRM,      /* the firms model (firms.paid_today), when it is a public wallet
                          * and was empty */
};

typedef struct {
    enum pay_topup topup;
    int64_t floor_fen; /* a conversion is at least this (the topup_yuan habit); 0: what is missing */
    bool cap;          /* never convert past the wallet class's balance cap: up to the cap, or
                        * nothing when even the shortfall does not fit (residents) */
    bool earmarks;     /* earmarked money is not the payer's to spend freely: the shortfall is
                        * measured on free money, and a refusal for an earmark tops up too
                        * (programmable money offered outside its earmark) */
    bool must_fund;    /* BEFORE: a refused conversion refuses the payment without trying it */
    enum pay_flow flow;
    enum pay_payee payee;
} pay_rule;

/* The residents' rule: the topup_yuan habit within the class's cap, after a refusal. */
pay_rule pay_rule_resident(const wld_world *w);
/* A programme's purchase (vouchers, transit QR fares): the topup_yuan habit
 * after a refusal, earmarked money counted apart, no cap check. */
pay_rule pay_rule_programme(const wld_world *w, enum pay_payee payee);
/* A firm or the treasury: converts exactly what is missing first, or does not pay. */
pay_rule pay_rule_firm(enum pay_flow flow);

/* Converts amount_fen of the bank deposit behind wallet into e-CNY and
 * counts the top-up. False when amount_fen <= 0 or the ledger refused. */
bool pay_topup(wld_world *w, wld_city *c, led_acct wallet, int64_t amount_fen);
/* A new wallet's first conversion: first_topup_yuan, at most its class's
 * cap (none when first_topup_yuan is 0). False when nothing was converted. */
bool pay_first_topup(wld_world *w, wld_city *c, led_acct wallet);
/* Converts amount_fen of acct back to deposit and counts the redemption.
 * False when amount_fen <= 0 or the ledger refused. */
bool pay_redeem(wld_world *w, wld_city *c, led_acct acct, int64_t amount_fen);

/* Pays amount_fen from payer to payee under rule: tops up, retries, counts
 * it when paid and hands the payee to whoever redeems it. Returns LED_OK or
 * the reason of the last refusal (LED_R_INSUFFICIENT when must_fund and the
 * conversion was refused). */
enum led_reason pay_transfer(wld_world *w, wld_city *c, led_acct payer, led_acct payee, int64_t amount_fen,
                             const pay_rule *rule);
/* Completes leg, already tried once with the outcome why (led_pay_many):
 * tops up and retries under rule (PAY_TOPUP_ON_REFUSAL) and counts it when
 * paid. The payee is not handed on (the caller knew whether it was empty
 * before its batch). Returns LED_OK or the last reason. */
enum led_reason pay_settle(wld_world *w, wld_city *c, const led_leg *leg, enum led_reason why, const pay_rule *rule);
/* pay_transfer on each leg in order, after a read-only pass over the legs'
 * accounts that overlaps their cache misses: the same transfers. */
void pay_many(wld_world *w, wld_city *c, const led_leg *legs, uint32_t n, const pay_rule *rule);
/* One linked batch (all legs or none) from legs[0].from, which converts
 * the total first (the rule PAY_TOPUP_WHOLE, must_fund) and converts it back
 * when the batch is refused; counted under flow when paid. *funded is false
 * when the conversion was refused (nothing else was tried). */
enum led_reason pay_batch(wld_world *w, wld_city *c, const led_leg *legs, uint32_t n, enum pay_flow flow,
                          bool *funded);
/* An offline tap of a hard wallet at payee (posted at the next sync): a card
 * short of offline value is first topped up at a machine by the fare, at
 * least floor_fen. Counted as a retail payment when accepted; its value is
 * counted with pay_count when it posts. */
enum led_reason pay_offline(wld_world *w, wld_city *c, led_acct wallet, led_acct payee, int64_t fare_fen,
                            int64_t floor_fen);
/* Counts n e-CNY payments of value_fen under flow in today's metrics of c:
 * the one place they are counted. */
void pay_count(wld_city *c, enum pay_flow flow, int64_t n, int64_t value_fen);

#endif
