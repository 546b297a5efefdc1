/* firms.c: firms' corporate (public) wallets and their B2B payments.
 *
 * Published figures show e-CNY value is dominated by corporate, fiscal and
 * loan flows, not retail (Suzhou 2022: 340 billion yuan; national average
 * ticket rising from ~300 to ~1,900 yuan in 2023), so firms are modelled
 * apart from merchants' retail takings. Firms that have not opened a public
 * wallet are counts; each day one binomial draw decides how many open one,
 * driven by bank marketing (firm_adopt_base) and by trading partners already
 * paying in e-CNY (firm_adopt_peer x the adopted share). Engaged firms pay
 * suppliers on weekdays: a Poisson count per size class and business hour;
 * a payment is in e-CNY only when the supplier (any firm) holds a public
 * wallet too, so usage grows with the square of the adopted share; amounts
 * lognormal; a payer short of e-CNY
 * converts deposits first; suppliers sweep takings to their bank at day end.
 * Monthly, on the 15th, a share of adopted firms pay their taxes in e-CNY.
 * Cost: proportional to the e-CNY payments made, not to the firms.
 */
#include "models/world_int.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "models/pay.h"
#include "sim/calendar.h"
#include "sim/rng.h"

static uint32_t adopted_all(const wld_firms *f)
{
    return f->adopted[0] + f->adopted[1];
}

static led_acct random_adopted_firm(gsl_rng *r, const wld_firms *f)
{
    uint32_t n = adopted_all(f), i = rng_below(r, n);
    return i < f->adopted[0] ? f->wallet[0][i] : f->wallet[1][i - f->adopted[0]];
}

void firm_day_start(wld_world *w, wld_city *c, int32_t day)
{
    wld_firms *f = &c->firms;
    uint32_t total = f->total[0] + f->total[1];
    if (total == 0)
        return;
    double share = (double)adopted_all(f) / total;
    /* operating banks opened public wallets for their corporate clients
     * from the pilot start (no whitelist for firms) */
    double p = fmin(1.0, w->p.firm_adopt_base + w->p.firm_adopt_peer * share);
    for (int size = 0; size < 2; size++) {
        uint32_t waiting = f->total[size] - f->adopted[size];
        uint32_t n = waiting && p > 0 ? gsl_ran_binomial(c->rng_firms, p, waiting) : 0;
        for (uint32_t k = 0; k < n; k++) {
            int bank = (int)rng_below(c->rng_firms, (uint32_t)w->data->n_banks);
            while (bank > 0 && w->data->bank[bank].joined_day > day)
                bank--;
            led_acct acct = led_open(w->ledger, LED_PUBLIC_WALLET, 0, c->bank_acct[bank], (uint16_t)c->index);
            if (acct == LED_NONE)
                break;
            f->wallet[size][f->adopted[size]++] = acct;
            /* engaged firms pay suppliers in e-CNY: keep them first */
            if (rng_uniform(c->rng_firms) * 100.0 < w->p.firm_engaged_pct) {
                uint32_t e = f->engaged[size]++, last = f->adopted[size] - 1;
                led_acct t = f->wallet[size][e];
                f->wallet[size][e] = f->wallet[size][last];
                f->wallet[size][last] = t;
            }
        }
    }
    /* Firms holding a wallet start paying suppliers in e-CNY as their
     * trading partners do (a second diffusion, inside the adopted firms). */
    double engaged_share = (double)(f->engaged[0] + f->engaged[1]) / total;
    double q = fmin(1.0, w->p.firm_engage_rate * engaged_share);
    uint32_t idle = f->adopted[0] - f->engaged[0];
    uint32_t n = idle && q > 0 ? gsl_ran_binomial(c->rng_firms, q, idle) : 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t pick = f->engaged[0] + rng_below(c->rng_firms, f->adopted[0] - f->engaged[0]);
        uint32_t e = f->engaged[0]++;
        led_acct t = f->wallet[0][e];
        f->wallet[0][e] = f->wallet[0][pick];
        f->wallet[0][pick] = t;
    }
    /* Large firms follow the small and medium ones' engaged share (a handful
     * of agents each making a fifth of the value would otherwise make a
     * city's value a lottery at coarse scales). */
    if (f->adopted[0] > 0) {
        uint32_t want = (uint32_t)wld_round_agents(w, c, ROUND_LARGE_FIRMS, (double)f->adopted[1] * f->engaged[0] / f->adopted[0]);
        while (f->engaged[1] < want && f->engaged[1] < f->adopted[1]) {
            uint32_t pick = f->engaged[1] + rng_below(c->rng_firms, f->adopted[1] - f->engaged[1]);
            uint32_t e = f->engaged[1]++;
            led_acct t = f->wallet[1][e];
            f->wallet[1][e] = f->wallet[1][pick];
            f->wallet[1][pick] = t;
        }
    }
}

static int64_t lognormal_fen(gsl_rng *r, double log_median_fen, double sigma)
{
    int64_t v = (int64_t)floor(gsl_ran_lognormal(r, log_median_fen, sigma) + 0.5);
    return v < 1 ? 1 : v;
}

void wld_warm(const wld_world *w, const led_acct *accts, uint32_t n)
{
    int64_t sink = 0;
    for (uint32_t i = 0; i < n && i < WLD_PAY_CHUNK; i++)
        sink += led_balance(w->ledger, accts[i]);
    __asm__ volatile("" : : "r"(sink)); /* the loads are the point: keep them */
}

/* Called at each of the two business hours of a day. The payments are drawn
 * in chunks and then made in the order drawn: nothing drawn depends on the
 * ledger, so the draws and the payments are those of one by one. */
void firm_business_hour(wld_world *w, wld_city *c, int32_t day)
{
    wld_firms *f = &c->firms;
    if (cal_weekday(day) >= 5 || adopted_all(f) < 2)
        return;
    gsl_rng *r = c->rng_firms;
    led_leg legs[WLD_PAY_CHUNK];
    uint32_t n_legs = 0;
    pay_rule rule = pay_rule_firm(PAY_B2B);
    for (int size = 0; size < 2; size++) {
        double rate = (double)f->engaged[size] * w->p.firm_b2b_per_day / 2.0 * (size ? w->p.firm_large_factor : 1.0);
        unsigned n = rate > 0 ? gsl_ran_poisson(r, rate) : 0;
        uint32_t firms = f->total[0] + f->total[1];
        double log_median = log(w->p.firm_ticket_median_fen * (size ? 5.0 : 1.0));
        for (unsigned k = 0; k < n; k++) {
            /* The supplier is any firm; the payment is in e-CNY only if it
             * holds a public wallet too (a complementarity: usage grows with
             * the adopted share, not only with the adopters). */
            if (rng_below(r, firms) >= adopted_all(f))
                continue;
            led_acct payer = f->wallet[size][rng_below(r, f->engaged[size])];
            led_acct payee = random_adopted_firm(r, f);
            if (payee == payer)
                continue;
            int64_t amount = lognormal_fen(r, log_median, w->p.firm_ticket_sigma);
            legs[n_legs++] = (led_leg){payer, payee, amount};
            if (n_legs == WLD_PAY_CHUNK) {
                pay_many(w, c, legs, n_legs, &rule);
                n_legs = 0;
            }
        }
    }
    pay_many(w, c, legs, n_legs, &rule);
    /* Taxes: on the 15th, at the first business hour only (arg handled by caller). */
}

static void pay_taxes(wld_world *w, wld_city *c, int32_t day)
{
    wld_firms *f = &c->firms;
    int y, m, d;
    cal_ymd(day, &y, &m, &d);
    if (d != 15 || f->treasury == LED_NONE || adopted_all(f) == 0 || w->p.firm_tax_ecny_pct <= 0)
        return;
    gsl_rng *r = c->rng_firms;
    unsigned payers = gsl_ran_binomial(r, fmin(1.0, w->p.firm_tax_ecny_pct / 100.0), adopted_all(f));
    double log_median = log(w->p.firm_tax_median_fen);
    pay_rule rule = pay_rule_firm(PAY_TAX);
    for (unsigned k = 0; k < payers; k++) {
        led_acct payer = random_adopted_firm(r, f);
        pay_transfer(w, c, payer, f->treasury, lognormal_fen(r, log_median, 1.0), &rule);
    }
}

void firm_day_end(wld_world *w, wld_city *c, int32_t day)
{
    wld_firms *f = &c->firms;
    pay_taxes(w, c, day);
    for (uint32_t i = 0; i < f->n_paid_today; i++) {
        if (i % WLD_PAY_CHUNK == 0)
            wld_warm(w, f->paid_today + i, f->n_paid_today - i);
        led_acct firm = f->paid_today[i];
        pay_redeem(w, c, firm, led_balance(w->ledger, firm));
    }
    f->n_paid_today = 0;
    if (f->treasury != LED_NONE)
        pay_redeem(w, c, f->treasury, led_balance(w->ledger, f->treasury));
    c->m[M_PUBLIC_WALLETS] = adopted_all(f);
}
