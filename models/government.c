/* government.c: the city government's fiscal flows in e-CNY.
 *
 * From [government] start (or the pilot start, if later) a share of the
 * city's fiscal spending (spending_gdp_pct of its GDP a year), ramping up to
 * ecny_pct over ramp_days, is paid from the treasury's public wallet in
 * e-CNY to payees that hold a wallet (so it grows with adoption): procurement and
 * subsidies to firms that hold a public wallet (G2B) and social security,
 * pensions and subsidies to residents' wallets (G2P, share gov_g2p_pct).
 * The daily amount is split into lognormal payments, one Poisson count per
 * flow and day; the treasury converts deposits as it pays. Residents' caps
 * apply: a G2P payment over a class-4 wallet's cap is refused and counted.
 * Taxes come the other way (firms.c).
 */
#include "models/world_int.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "models/pay.h"
#include "sim/rng.h"

/* Makes the chunk's payments (payees read now); returns 0, the new count. */
static uint32_t pay_chunk(wld_world *w, wld_city *c, led_leg *legs, const led_acct *const *payee_at, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        legs[j].to = *payee_at[j];
    pay_rule rule = pay_rule_firm(PAY_FISCAL);
    pay_many(w, c, legs, n, &rule);
    return 0;
}

void gov_fiscal_hour(wld_world *w, wld_city *c, int32_t day)
{
    wld_firms *f = &c->firms;
    int32_t start = w->p.gov_start_day > c->pilot_start_day ? w->p.gov_start_day : c->pilot_start_day;
    if (day < start || f->treasury == LED_NONE || w->p.gov_ecny_pct <= 0)
        return;
    gsl_rng *r = c->rng_government;
    /* Fiscal spending follows the area's GDP; the e-CNY share ramps up
     * linearly from the start, and only payees holding a wallet can be paid
     * in e-CNY, so it grows with adoption too. */
    double gdp_fen = (c->data->gdp_per_capita_yuan > 0 ? c->data->gdp_per_capita_yuan : w->p.gdp_ref_yuan) * 100.0;
    double ramp = fmin(1.0, (double)(day - start + 1) / (double)w->p.gov_ramp_days);
    double daily_fen = (double)c->agents * gdp_fen * w->p.gov_spending_gdp_pct / 100.0 / 365.0 *
                       w->p.gov_ecny_pct / 100.0 * ramp;
    double g2p_share = w->p.gov_g2p_pct / 100.0;
    uint32_t total_firms = f->total[0] + f->total[1];
    double firm_share = total_firms ? (double)(f->adopted[0] + f->adopted[1]) / total_firms : 0.0;
    double holder_share = c->agents ? (double)c->n_adopters / (double)c->agents : 0.0;
    double sigma = 1.0, spread = exp(sigma * sigma / 2); /* mean / median of a lognormal */
    uint32_t firms = f->adopted[0] + f->adopted[1];
    /* Payments are drawn in chunks and made in the order drawn (nothing drawn
     * depends on the ledger): the same draws and transfers as one by one.
     * A payee's wallet is read at the flush, its cache miss overlapped. */
    led_leg legs[WLD_PAY_CHUNK];
    const led_acct *payee_at[WLD_PAY_CHUNK];
    uint32_t n_legs = 0;
    if (firms > 0) {
        double mean = w->p.gov_g2b_median_fen * spread, log_median = log(w->p.gov_g2b_median_fen);
        unsigned n = gsl_ran_poisson(r, daily_fen * (1.0 - g2p_share) * firm_share / mean);
        for (unsigned k = 0; k < n; k++) {
            uint32_t i = rng_below(r, firms);
            payee_at[n_legs] = i < f->adopted[0] ? &f->wallet[0][i] : &f->wallet[1][i - f->adopted[0]];
            int64_t amount = (int64_t)floor(gsl_ran_lognormal(r, log_median, sigma) + 0.5);
            legs[n_legs++] = (led_leg){f->treasury, LED_NONE, amount > 0 ? amount : 1};
            if (n_legs == WLD_PAY_CHUNK)
                n_legs = pay_chunk(w, c, legs, payee_at, n_legs);
        }
    }
    if (c->n_adopters > 0) {
        double mean = w->p.gov_g2p_median_fen * spread, log_median = log(w->p.gov_g2p_median_fen);
        unsigned n = gsl_ran_poisson(r, daily_fen * g2p_share * holder_share / mean);
        for (unsigned k = 0; k < n; k++) {
            payee_at[n_legs] = &c->wallet[rng_below(r, c->n_adopters)];
            __builtin_prefetch(payee_at[n_legs]);
            int64_t amount = (int64_t)floor(gsl_ran_lognormal(r, log_median, sigma) + 0.5);
            legs[n_legs++] = (led_leg){f->treasury, LED_NONE, amount > 0 ? amount : 1};
            if (n_legs == WLD_PAY_CHUNK)
                n_legs = pay_chunk(w, c, legs, payee_at, n_legs);
        }
    }
    pay_chunk(w, c, legs, payee_at, n_legs);
    /* subsidies and social security paid into wallets make them more useful */
    c->incentive_fen_today += llround(daily_fen * g2p_share * holder_share);
}
