/* pay.c: the one payment path of the economy (see pay.h).
 *
 * A payment under a pay_rule: the payer converts deposits before paying
 * (BEFORE: what is missing; WHOLE: the amount), after a refusal for a short
 * balance (ON_REFUSAL, then one retry), or never. A conversion is what is
 * missing, at least floor_fen, and with cap never past the wallet class's
 * balance cap (up to the cap; nothing when even the shortfall does not fit,
 * and the purchase goes elsewhere). With earmarks, earmarked money is set
 * apart when measuring what is missing, and a refusal for an earmark
 * (money offered outside it) tops up too.
 *
 * Invariants: the day's e-CNY payments and value, flow values, top-ups,
 * redemptions and the city's circulation figure are counted here only, and
 * only for transfers the ledger accepted; circulation_fen moves by exactly
 * the top-ups less the redemptions counted here (and, with
 * balance_cap_overflow = sweep, less the ledger's own sweeps of credits over
 * a cap, counted at day end by world.c). A refused transfer changes
 * no balance (the ledger's rule), so a refused payment leaves only its
 * conversion (kept by the payer, as a person keeps what they converted,
 * except WHOLE, converted back).
 *
 * Cost: O(1) ledger operations per payment (at most a conversion, two
 * tries and a conversion back); nothing allocates.
 */
#include "models/pay.h"

#include <assert.h>

pay_rule pay_rule_resident(const wld_world *w)
{
    return (pay_rule){.topup = PAY_TOPUP_ON_REFUSAL, .floor_fen = w->p.topup_fen, .cap = true,
                      .flow = PAY_RETAIL, .payee = PAY_PAYEE_MERCHANT};
}

pay_rule pay_rule_programme(const wld_world *w, enum pay_payee payee)
{
    return (pay_rule){.topup = PAY_TOPUP_ON_REFUSAL, .floor_fen = w->p.topup_fen, .earmarks = true,
                      .flow = PAY_RETAIL, .payee = payee};
}

pay_rule pay_rule_firm(enum pay_flow flow)
{
    return (pay_rule){.topup = PAY_TOPUP_BEFORE, .must_fund = true, .flow = flow, .payee = PAY_PAYEE_FIRM};
}

void pay_count(wld_city *c, enum pay_flow flow, int64_t n, int64_t value_fen)
{
    assert(n >= 0 && value_fen >= 0);
    if (flow == PAY_UNCOUNTED)
        return;
    c->m[M_PAYMENTS_ECNY] += n;
    c->m[M_VALUE_ECNY] += value_fen;
    switch (flow) {
    case PAY_RETAIL:
        c->m[M_VALUE_RETAIL] += value_fen;
        c->m[M_PAYMENTS_RETAIL] += n;
        break;
    case PAY_B2B: c->m[M_VALUE_B2B] += value_fen; break;
    case PAY_FISCAL:
        c->m[M_VALUE_FISCAL] += value_fen;
        c->m[M_VALUE_GOV] += value_fen;
        break;
    case PAY_TAX:
        c->m[M_VALUE_TAX] += value_fen;
        c->m[M_VALUE_GOV] += value_fen;
        break;
    case PAY_LOANS: c->m[M_VALUE_LOANS] += value_fen; break;
    case PAY_P2P:
    case PAY_UNCOUNTED: break;
    }
}

bool pay_topup(wld_world *w, wld_city *c, led_acct wallet, int64_t amount_fen)
{
    if (amount_fen <= 0 || led_topup(w->ledger, wallet, amount_fen) != LED_OK)
        return false;
    c->m[M_TOPUPS]++;
    c->m[M_TOPUP_VALUE] += amount_fen;
    c->circulation_fen += amount_fen;
    return true;
}

bool pay_redeem(wld_world *w, wld_city *c, led_acct acct, int64_t amount_fen)
{
    if (amount_fen <= 0 || led_redeem(w->ledger, acct, amount_fen) != LED_OK)
        return false;
    c->m[M_REDEMPTIONS]++;
    c->m[M_REDEMPTION_VALUE] += amount_fen;
    c->circulation_fen -= amount_fen;
    return true;
}

/* The balance cap of wallet's class, 0 when none. */
static int64_t class_cap_fen(const wld_world *w, led_acct wallet)
{
    int k = led_wallet_class(w->ledger, wallet);
    return k >= 1 && k <= 4 ? w->p.balance_cap_fen[k - 1] : 0;
}

bool pay_first_topup(wld_world *w, wld_city *c, led_acct wallet)
{
    if (w->p.first_topup_fen <= 0)
        return false;
    int64_t cap = class_cap_fen(w, wallet);
    return pay_topup(w, c, wallet, cap > 0 && cap < w->p.first_topup_fen ? cap : w->p.first_topup_fen);
}

/* What payer may spend on this payment under rule. */
static int64_t spendable_fen(const wld_world *w, led_acct payer, const pay_rule *rule)
{
    int64_t balance = led_balance(w->ledger, payer);
    return rule->earmarks ? balance - led_earmarked(w->ledger, payer) : balance;
}

/* What payer converts when short by short_fen under rule; 0: nothing. */
static int64_t conversion_fen(const wld_world *w, led_acct payer, int64_t short_fen, const pay_rule *rule)
{
    int64_t want = short_fen > rule->floor_fen ? short_fen : rule->floor_fen;
    int64_t cap = rule->cap ? class_cap_fen(w, payer) : 0;
    if (cap > 0) {
        int64_t room = cap - led_balance(w->ledger, payer);
        if (room < short_fen)
            return 0; /* the wallet cannot hold what the payment needs */
        if (want > room)
            want = room;
    }
    return want;
}

/* After a refusal why: tops up and tries once more when the rule says so;
 * returns the new outcome, or why. */
static enum led_reason after_refusal(wld_world *w, wld_city *c, const led_leg *leg, enum led_reason why,
                                     const pay_rule *rule)
{
    if (rule->topup != PAY_TOPUP_ON_REFUSAL ||
        !(why == LED_R_INSUFFICIENT || (rule->earmarks && why == LED_R_EARMARK)))
        return why;
    int64_t want = conversion_fen(w, leg->from, leg->amount_fen - spendable_fen(w, leg->from, rule), rule);
    if (want > 0 && pay_topup(w, c, leg->from, want))
        return led_pay(w->ledger, leg->from, leg->to, leg->amount_fen);
    return why;
}

/* Hands payee, empty before the payment, to whoever redeems it tonight. */
static void hand_on(wld_world *w, wld_city *c, led_acct payee, const pay_rule *rule)
{
    wld_firms *f = &c->firms;
    switch (rule->payee) {
    case PAY_PAYEE_MERCHANT:
        if (c->n_paid_today < c->merchants_all)
            c->paid_today[c->n_paid_today++] = payee;
        break;
    case PAY_PAYEE_FIRM:
        if (led_kind(w->ledger, payee) == LED_PUBLIC_WALLET && f->n_paid_today < f->total[0] + f->total[1] + 1)
            f->paid_today[f->n_paid_today++] = payee;
        break;
    case PAY_PAYEE_KEEPS: break;
    }
}

enum led_reason pay_transfer(wld_world *w, wld_city *c, led_acct payer, led_acct payee, int64_t amount_fen,
                             const pay_rule *rule)
{
    assert(rule && c);
    led_leg leg = {payer, payee, amount_fen};
    bool was_empty = rule->payee != PAY_PAYEE_KEEPS && led_balance(w->ledger, payee) == 0;
    enum led_reason why;
    switch (rule->topup) {
    case PAY_TOPUP_BEFORE: {
        int64_t have = spendable_fen(w, payer, rule);
        if (have < amount_fen) {
            int64_t want = conversion_fen(w, payer, amount_fen - have, rule);
            bool funded = want > 0 && pay_topup(w, c, payer, want);
            if (!funded && rule->must_fund)
                return LED_R_INSUFFICIENT;
        }
        why = led_pay(w->ledger, payer, payee, amount_fen);
        break;
    }
    case PAY_TOPUP_WHOLE:
        if (!pay_topup(w, c, payer, amount_fen))
            return LED_R_INSUFFICIENT;
        why = led_pay(w->ledger, payer, payee, amount_fen);
        if (why != LED_OK)
            pay_redeem(w, c, payer, amount_fen); /* back to deposit: it holds nothing between payments */
        break;
    case PAY_TOPUP_ON_REFUSAL:
        why = after_refusal(w, c, &leg, led_pay(w->ledger, payer, payee, amount_fen), rule);
        break;
    case PAY_TOPUP_NONE:
    default: why = led_pay(w->ledger, payer, payee, amount_fen); break;
    }
    if (why != LED_OK)
        return why;
    if (was_empty)
        hand_on(w, c, payee, rule);
    pay_count(c, rule->flow, 1, amount_fen);
    return LED_OK;
}

enum led_reason pay_settle(wld_world *w, wld_city *c, const led_leg *leg, enum led_reason why, const pay_rule *rule)
{
    if (why != LED_OK)
        why = after_refusal(w, c, leg, why, rule);
    if (why == LED_OK)
        pay_count(c, rule->flow, 1, leg->amount_fen);
    return why;
}

void pay_many(wld_world *w, wld_city *c, const led_leg *legs, uint32_t n, const pay_rule *rule)
{
    /* Read-only warm-up: the account records' cache misses of independent
     * loads overlap here, so the payments below find them in the cache. The
     * payments themselves are made one by one. */
    int64_t sink = 0;
    for (uint32_t i = 0; i < n; i++)
        sink += led_balance(w->ledger, legs[i].from) + led_balance(w->ledger, legs[i].to);
    __asm__ volatile("" : : "r"(sink));
    for (uint32_t i = 0; i < n; i++)
        pay_transfer(w, c, legs[i].from, legs[i].to, legs[i].amount_fen, rule);
}

enum led_reason pay_batch(wld_world *w, wld_city *c, const led_leg *legs, uint32_t n, enum pay_flow flow,
                          bool *funded)
{
    assert(n > 0 && funded);
    int64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        assert(legs[i].from == legs[0].from);
        total += legs[i].amount_fen;
    }
    *funded = pay_topup(w, c, legs[0].from, total);
    if (!*funded)
        return LED_R_INSUFFICIENT;
    uint32_t failed;
    enum led_reason r = led_pay_batch(w->ledger, legs, n, &failed);
    if (r != LED_OK) {
        pay_redeem(w, c, legs[0].from, total); /* all or nothing: the total goes back to deposit */
        return r;
    }
    pay_count(c, flow, n, total);
    return LED_OK;
}

enum led_reason pay_offline(wld_world *w, wld_city *c, led_acct wallet, led_acct payee, int64_t fare_fen,
                            int64_t floor_fen)
{
    assert(fare_fen > 0);
    /* A card short of value is topped up at a machine first (online), unless
     * the fare is over what the card may ever hold offline: the ledger
     * refuses that one, and no deposit is converted for nothing. */
    if (fare_fen <= led_offline_limit(w->ledger, wallet) &&
        led_offline_balance(w->ledger, wallet) - led_pending_fen(w->ledger, wallet) < fare_fen)
        pay_topup(w, c, wallet, floor_fen > fare_fen ? floor_fen : fare_fen);
    enum led_reason r = led_pay_offline(w->ledger, wallet, payee, fare_fen);
    if (r == LED_OK)
        pay_count(c, PAY_RETAIL, 1, 0); /* its value is counted when it posts */
    return r;
}
