/* merchants.c: which merchants accept e-CNY, and their daily redemption.
 *
 * Non-accepting merchants are counts per category; a merchant that starts
 * accepting gets a collection wallet in the ledger. Acceptance follows
 * customers, not the calendar: each day a non-accepting merchant starts with
 * chance (accept_base x [anyone holds e-CNY] + demand_weight x holders) x
 * (1 + fee_weight x fee saved in %), where holders is the share of residents
 * holding e-CNY: no customers, no acceptance. The operating banks' staff
 * sign merchants up, so at most onboard_per_million x residents / 1e6 x
 * (operators / 4) merchants start a day; from platform_from the payment
 * platforms sign merchants up too, and the chance and the capacity are x
 * platform_factor. When more are drawn than can be signed up, which of them
 * are reached is a multivariate hypergeometric draw. How many start is not a
 * binomial draw but the day's expected starts added to a running sum and
 * rounded with a fixed offset (wld_round_agents): the same mean, but at 1:500
 * one agent is 500 stores, and a binomial count of 0, 1 or 2 such lumps in a
 * young pilot's first weeks gave residents less reach on average than the
 * same expected share spread smoothly (reach is concave in the share), so
 * transactions came out 25-30 % lower at 1:500 than at 1:100. Merchants sweep their e-CNY takings back to their bank deposit at the
 * end of each day (redemption).
 */
#include "models/world_int.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "models/pay.h"
#include "sim/rng.h"

led_acct mer_start_accepting(wld_world *w, wld_city *c, int cat, int32_t day, gsl_rng *r)
{
    if (c->merchants_accepting[cat] >= c->merchants_total[cat])
        return LED_NONE;
    /* Without campaigns a merchant's bank is uniform among the operators;
     * banks that market win merchants as they win wallets (the horse race). */
    bool campaigns = false;
    for (int b = 0; b < w->data->n_banks && !campaigns; b++)
        campaigns = wld_bank_marketing_fen(w, b, day) > 0;
    int bank;
    if (campaigns) {
        bank = wld_pick_bank(w, r, day);
    } else {
        bank = (int)rng_below(r, (uint32_t)w->data->n_banks);
        while (w->data->bank[bank].joined_day > day && bank > 0)
            bank--;
    }
    led_acct acct = led_open(w->ledger, LED_MERCHANT, 0, c->bank_acct[bank], (uint16_t)c->index);
    if (acct == LED_NONE)
        return LED_NONE;
    /* The category lets earmarked money (vouchers, aid) check where it is spent. */
    led_set_merchant_category(w->ledger, acct, (uint8_t)cat);
    c->accepting[cat][c->merchants_accepting[cat]++] = acct;
    c->merchants_by_bank[bank]++;
    return acct;
}

double mer_accept_chance(const wld_world *w, const wld_city *c, double extra_fee_pct)
{
    double holders = c->agents ? (double)c->n_adopters / (double)c->agents : 0.0;
    double p = (w->p.accept_base * (c->n_adopters > 0) + w->p.demand_weight * holders) *
               (1.0 + w->p.fee_weight * (w->p.app_fee_pct + extra_fee_pct));
    return fmin(1.0, fmax(0.0, p));
}

/* From the day the payment platforms (Meituan, WeChat Pay, Alipay) sign
 * their own merchants up, more merchants are reached than the banks' staff
 * alone reach: national accepting merchants went from 1.6 M in November
 * 2021 to 4.57 M in May 2022. */
static double platforms_on(const wld_world *w, int32_t day)
{
    return day >= w->p.platform_day ? w->p.platform_factor : 1.0;
}

double mer_daily_chance(const wld_world *w, const wld_city *c, int32_t day, double extra_fee_pct)
{
    return fmin(1.0, mer_accept_chance(w, c, extra_fee_pct) * platforms_on(w, day));
}

void mer_day_start(wld_world *w, wld_city *c, int32_t day)
{
    double p = mer_daily_chance(w, c, day, 0.0);
    uint32_t n[DAT_MAX_CATEGORIES];
    uint64_t drawn = 0;
    uint32_t wanted[DAT_MAX_CATEGORIES];
    for (int cat = 0; cat < w->data->n_categories; cat++) {
        uint32_t waiting = c->merchants_total[cat] - c->merchants_accepting[cat];
        if (w->p.must_accept) {
            n[cat] = waiting;
        } else {
            c->accept_due[cat] += p * (double)waiting;
            int64_t due = wld_round_agents(w, c, ROUND_ACCEPT + (uint32_t)cat, c->accept_due[cat]);
            int64_t want = due - (int64_t)c->accept_done[cat];
            n[cat] = want <= 0 ? 0 : want >= waiting ? waiting : (uint32_t)want;
        }
        wanted[cat] = n[cat];
        drawn += n[cat];
    }
    if (!w->p.must_accept && w->p.onboard_per_million > 0 && drawn > 0) {
        int operators = 0;
        for (int b = 0; b < w->data->n_banks; b++)
            operators += w->data->bank[b].joined_day <= day;
        double capacity = w->p.onboard_per_million * (double)c->agents / 1e6 * operators / 4.0 * platforms_on(w, day);
        /* a fractional capacity is met on that share of days */
        uint64_t cap = (uint64_t)floor(capacity) + (rng_uniform(c->rng_merchants) < capacity - floor(capacity));
        if (drawn > cap) { /* which of the drawn merchants the staff reach: a multivariate hypergeometric draw */
            uint64_t rest = drawn, left = cap;
            for (int cat = 0; cat < w->data->n_categories; cat++) {
                uint32_t here = n[cat];
                n[cat] = left ? gsl_ran_hypergeometric(c->rng_merchants, here, (unsigned)(rest - here), (unsigned)left) : 0;
                left -= n[cat];
                rest -= here;
            }
        }
    }
    for (int cat = 0; cat < w->data->n_categories; cat++) {
        uint32_t got = 0;
        while (got < n[cat] && mer_start_accepting(w, c, cat, day, c->rng_merchants) != LED_NONE)
            got++;
        /* those the staff did not reach stay waiting: their expected start
         * is taken back, to come due again with tomorrow's chance */
        c->accept_done[cat] += got;
        c->accept_due[cat] -= (double)(wanted[cat] - got);
    }
}

bool mer_pick_accepting(wld_world *w, wld_city *c, int category, led_acct *out)
{
    uint32_t n = c->merchants_accepting[category];
    if (n == 0)
        return false;
    *out = c->accepting[category][rng_below(c->rng_shopping, n)];
    return true;
}

void mer_day_end(wld_world *w, wld_city *c, int32_t day)
{
    for (uint32_t i = 0; i < c->n_paid_today; i++) {
        if (i % WLD_PAY_CHUNK == 0) /* overlap the next chunk's cache misses */
            wld_warm(w, c->paid_today + i, c->n_paid_today - i);
        led_acct m = c->paid_today[i];
        pay_redeem(w, c, m, led_balance(w->ledger, m));
    }
    c->n_paid_today = 0;
    uint32_t accepting = 0;
    for (int cat = 0; cat < w->data->n_categories; cat++)
        accepting += c->merchants_accepting[cat];
    c->m[M_MERCHANTS_ACCEPTING] = accepting;
}
