/* residents.c: how residents hear of e-CNY, open wallets and pay.
 *
 * Residents who hold no wallet are counts per segment (urban/rural, age band,
 * smartphone): the ledger never sees them, so their awareness and adoption
 * are one binomial draw per segment and day, and their cash and app
 * purchases one Poisson count per segment and day. A resident who opens a
 * wallet becomes an agent with a ledger account. e-CNY payments are thinned
 * Poisson processes: an adopter makes occasions at rate r, of which those at
 * an accepting merchant where the adopter chooses e-CNY are drawn directly,
 * per category and hour, so the cost is proportional to e-CNY payments, not
 * to residents. Exact in distribution for the model stated; the value of
 * aggregated cash/app purchases uses a normal approximation of the sum of
 * tickets (docs/model.md).
 */
#include "models/world_int.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "sim/calendar.h"
#include "sim/rng.h"

/* Purchase occasions by hour of day (sums to 1): morning commute, lunch and
 * evening peaks, nothing between 1:00 and 6:00. */
const double res_hour_weight[24] = {
    0.010, 0.000, 0.000, 0.000, 0.000, 0.000, 0.010, 0.045, 0.075, 0.060, 0.055, 0.070,
    0.095, 0.070, 0.050, 0.045, 0.050, 0.065, 0.090, 0.080, 0.055, 0.040, 0.025, 0.010,
};

static double day_factor(const wld_world *w, int32_t day)
{
    return cal_weekday(day) >= 5 ? w->p.weekend_factor : 1.0;
}

static double adopter_share(const wld_city *c)
{
    return c->agents ? (double)c->n_adopters / (double)c->agents : 0.0;
}

/* Picks a bank among those operating on day, by market share. */
static int pick_bank(const wld_world *w, gsl_rng *r, int32_t day)
{
    double total = 0;
    for (int b = 0; b < w->data->n_banks; b++)
        if (w->data->bank[b].joined_day <= day)
            total += w->data->bank[b].market_share;
    if (total <= 0)
        return 0;
    double u = rng_uniform(r) * total;
    for (int b = 0; b < w->data->n_banks; b++) {
        if (w->data->bank[b].joined_day > day)
            continue;
        u -= w->data->bank[b].market_share;
        if (u < 0)
            return b;
    }
    return 0;
}

static int pick_class(const wld_world *w, gsl_rng *r)
{
    double u = rng_uniform(r) * 100.0;
    for (int k = 0; k < 3; k++) {
        if (u < w->p.class_pct[k])
            return k + 1;
        u -= w->p.class_pct[k];
    }
    return 4;
}

static bool topup(wld_world *w, wld_city *c, led_acct wallet, int64_t amount_fen)
{
    if (led_topup(w->ledger, wallet, amount_fen) != LED_OK)
        return false;
    c->m[M_TOPUPS]++;
    c->m[M_TOPUP_VALUE] += amount_fen;
    c->circulation_fen += amount_fen;
    return true;
}

static void open_wallet(wld_world *w, wld_city *c, int segment, int32_t day)
{
    gsl_rng *r = c->rng_adoption;
    int bank = pick_bank(w, r, day);
    bool phone = SEG_PHONE(segment);
    led_acct acct = phone ? led_open(w->ledger, LED_WALLET, pick_class(w, r), w->bank_acct[bank], (uint16_t)c->index)
                          : led_open(w->ledger, LED_HARD_WALLET, 4, w->bank_acct[bank], (uint16_t)c->index);
    if (acct == LED_NONE)
        return; /* sized at load: cannot happen unless the ledger was undersized */
    uint32_t a = c->n_adopters++;
    c->wallet[a] = acct;
    c->segment[a] = (uint8_t)segment;
    c->last_pay_day[a] = INT32_MIN / 2;
    c->m[M_NEW_WALLETS]++;
    if (w->p.first_topup_fen > 0)
        topup(w, c, acct, w->p.first_topup_fen);
}

void res_day_start(wld_world *w, wld_city *c, int32_t day)
{
    gsl_rng *r = c->rng_adoption;
    double share = adopter_share(c);
    double p_aware = fmin(1.0, w->p.awareness_promo * c->promotion + w->p.awareness_wom * share);
    double p_open = fmin(1.0, w->p.open_rate + w->p.open_wom * share);
    double p_hard = fmin(1.0, w->p.hard_wallet_rate);
    for (int s = 0; s < SEGMENTS; s++) {
        unsigned newly_aware = c->seg_unaware[s] ? gsl_ran_binomial(r, p_aware, (unsigned)c->seg_unaware[s]) : 0;
        unsigned opening = c->seg_aware[s]
                               ? gsl_ran_binomial(r, SEG_PHONE(s) ? p_open : p_hard, (unsigned)c->seg_aware[s])
                               : 0;
        c->seg_unaware[s] -= (int64_t)newly_aware;
        c->seg_aware[s] += (int64_t)newly_aware - (int64_t)opening;
        c->seg_adopted[s] += (int64_t)opening;
        for (unsigned k = 0; k < opening; k++)
            open_wallet(w, c, s, day);
    }
}

/* One e-CNY payment by a random adopter at a random accepting merchant of
 * category cat. Returns true when it was paid in e-CNY. */
static bool pay_once(wld_world *w, wld_city *c, int cat, int32_t day)
{
    gsl_rng *r = c->rng_shopping;
    uint32_t a = rng_below(r, c->n_adopters);
    led_acct merchant;
    if (!mer_pick_accepting(w, c, cat, &merchant))
        return false;
    const dat_category *k = &w->data->category[cat];
    double ticket = gsl_ran_lognormal(r, log(k->ticket_median_yuan * 100.0), k->ticket_sigma);
    int64_t amount = (int64_t)floor(ticket + 0.5);
    if (amount < 1)
        amount = 1;
    led_acct wallet = c->wallet[a];
    bool merchant_was_empty = led_balance(w->ledger, merchant) == 0;
    enum led_reason why = led_pay(w->ledger, wallet, merchant, amount);
    if (why == LED_R_INSUFFICIENT) {
        int64_t short_fen = amount - led_balance(w->ledger, wallet);
        int64_t want = short_fen > w->p.topup_fen ? short_fen : w->p.topup_fen;
        if (topup(w, c, wallet, want))
            why = led_pay(w->ledger, wallet, merchant, amount);
    }
    if (why != LED_OK)
        return false;
    if (merchant_was_empty)
        c->paid_today[c->n_paid_today++] = merchant;
    c->last_pay_day[a] = day;
    c->m[M_PAYMENTS_ECNY]++;
    c->m[M_VALUE_ECNY] += amount;
    return true;
}

void res_shop_hour(wld_world *w, wld_city *c, int32_t day, int hour)
{
    if (c->n_adopters == 0)
        return;
    gsl_rng *r = c->rng_shopping;
    double rate = (double)c->n_adopters * w->p.occasions_per_day * day_factor(w, day) * res_hour_weight[hour] *
                  w->p.ecny_choice;
    for (int cat = 0; cat < w->data->n_categories; cat++) {
        if (c->merchants_accepting[cat] == 0)
            continue;
        double accept_share = (double)c->merchants_accepting[cat] / (double)c->merchants_total[cat];
        double lambda = rate * w->data->category[cat].occasion_share * accept_share;
        unsigned n = gsl_ran_poisson(r, lambda);
        for (unsigned i = 0; i < n; i++)
            if (!pay_once(w, c, cat, day))
                c->m[M_PAYMENTS_APP]++; /* refused or short: the adopter pays by app instead */
    }
}

/* Sum of n tickets: exact mean, normal approximation of the spread. */
static int64_t tickets_value(const wld_world *w, gsl_rng *r, int64_t n)
{
    if (n <= 0)
        return 0;
    double v = (double)n * w->ticket_mean_fen + gsl_ran_gaussian(r, w->ticket_sd_fen * sqrt((double)n));
    return v > 0 ? (int64_t)llround(v) : 0;
}

void res_day_end(wld_world *w, wld_city *c, int32_t day)
{
    gsl_rng *r = c->rng_population;
    double occ = w->p.occasions_per_day * day_factor(w, day);
    int64_t app = 0, cash = 0;
    for (int s = 0; s < SEGMENTS; s++) {
        double lambda = (double)c->seg_total[s] * occ;
        int64_t n = lambda > 0 ? (int64_t)gsl_ran_poisson(r, lambda) : 0;
        if (SEG_PHONE(s)) {
            int64_t by_app = n ? (int64_t)gsl_ran_binomial(r, w->p.app_share, (unsigned)n) : 0;
            app += by_app;
            cash += n - by_app;
        } else {
            cash += n;
        }
    }
    /* e-CNY payments replaced app payments of the same occasions (adopters
     * who also hold a hard wallet only replaced cash, a small error). */
    int64_t ecny = c->m[M_PAYMENTS_ECNY];
    app = app > ecny ? app - ecny : 0;
    c->m[M_PAYMENTS_APP] += app;
    c->m[M_PAYMENTS_CASH] += cash;
    c->m[M_VALUE_APP] = tickets_value(w, r, c->m[M_PAYMENTS_APP]);
    c->m[M_VALUE_CASH] = tickets_value(w, r, c->m[M_PAYMENTS_CASH]);

    int64_t aware = 0;
    for (int s = 0; s < SEGMENTS; s++)
        aware += c->seg_aware[s] + c->seg_adopted[s];
    c->m[M_AWARE] = aware;
    int32_t window = w->p.active_window_days;
    int64_t by_class[5] = {0}, hard = 0, active = 0, rural = 0, elderly = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        led_acct acct = c->wallet[a];
        if (led_kind(w->ledger, acct) == LED_HARD_WALLET)
            hard++;
        else
            by_class[led_wallet_class(w->ledger, acct)]++;
        active += c->last_pay_day[a] > day - window;
        rural += !SEG_URBAN(c->segment[a]);
        elderly += SEG_AGE(c->segment[a]) == AGE_ELDERLY;
    }
    c->m[M_WALLETS] = c->n_adopters;
    for (int k = 1; k <= 4; k++)
        c->m[M_WALLETS_C1 + k - 1] = by_class[k];
    c->m[M_HARD_WALLETS] = hard;
    c->m[M_ACTIVE_WALLETS] = active;
    c->m[M_RURAL_WALLETS] = rural;
    c->m[M_ELDERLY_WALLETS] = elderly;
}
