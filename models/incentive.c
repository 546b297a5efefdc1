/* incentive.c: merchant and consumer incentives ([incentive.NAME], prefix inc_).
 *
 * Three levers over [start, end] (ecny_facts.md 2.5 and 3.6): a merchant fee
 * subsidy raises each non-accepting merchant's daily chance of accepting as
 * the merchants model's own fee response would (mer_accept_chance: no
 * customers holding e-CNY, no effect),
 * each onboarded merchant costing subsidy_per_merchant_yuan; consumption
 * coupons of coupon_yuan with a purchase threshold, claimed on the start
 * date by wallet holders and valid at the programme's participating
 * merchants for coupon_days (earmarked, clawed back at expiry); and a bank
 * marketing budget that makes marketing_yuan / cost_per_aware_yuan unaware
 * residents aware, spread evenly over the window.
 *
 * Cost: fee subsidies + coupons spent + marketing spent + fixed_cost_yuan.
 * O(categories + holders) per day.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "models/programme.h"
#include "sim/rng.h"

typedef struct {
    int32_t start, end, coupon_expiry;
    double fee_pct, per_aware_fen;
    int64_t per_merchant_fen, marketing_fen, coupons_real, coupon_fen, merchants_real;
    uint32_t coupons_sim;
    led_acct pool;
    prg_vouchers v;
    int64_t onboarded, made_aware, marketing_spent_fen, coupons_done, back_done;
} inc_state;

static bool inc_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    inc_state *s = prg_state_alloc(p, sizeof *s, errs);
    if (!s || !prg_read_window(p, doc, &s->start, &s->end, errs))
        return false;
    s->fee_pct = scn_real(in, "fee_subsidy_pct");
    s->per_merchant_fen = scn_fen(in, "subsidy_per_merchant_yuan");
    s->marketing_fen = scn_fen(in, "marketing_yuan");
    s->per_aware_fen = (double)scn_fen(in, "cost_per_aware_yuan");
    s->coupons_real = scn_int(in, "coupons");
    s->coupon_fen = scn_fen(in, "coupon_yuan");
    s->v.threshold_fen = scn_fen(in, "threshold_yuan");
    s->coupon_expiry = s->start + (int32_t)scn_int(in, "coupon_days");
    s->merchants_real = scn_int(in, "merchants");
    s->v.spend_rate = scn_real(in, "spend_rate_per_day");
    s->v.online_share = scn_real(in, "online_pct") / 100.0;
    s->coupons_sim = (uint32_t)((s->coupons_real + w->scale / 2) / w->scale);
    *accounts += 1;
    return prg_categories(doc, in, "categories", w, &s->v.category_mask, errs);
}

static bool inc_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    inc_state *s = p->state;
    wld_city *c = &w->city[p->city];
    uint32_t m = s->merchants_real ? (uint32_t)((s->merchants_real + w->scale / 2) / w->scale) : c->merchants_all;
    s->pool = led_open(w->ledger, LED_POOL, 0, c->bank_acct[0], (uint16_t)c->index);
    if (s->pool == LED_NONE || !prg_vouchers_alloc(&s->v, s->coupons_sim, m + 64)) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [incentive.%s]", p->name);
        return false;
    }
    s->v.pool = s->pool;
    s->v.rule = (led_earmark_rule){s->v.category_mask, UINT32_C(1) << p->tag_bit, (uint16_t)c->index,
                                   s->coupon_expiry, s->pool};
    return true;
}

static void inc_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    inc_state *s = p->state;
    wld_city *c = &w->city[p->city];
    (void)eng;
    (void)day_index;
    if (day >= s->start && day <= s->end) {
        /* the merchants' own fee response, on the subsidy alone */
        double q = mer_accept_chance(w, c, s->fee_pct) - mer_accept_chance(w, c, 0.0);
        for (int cat = 0; cat < w->data->n_categories && q > 0; cat++) {
            uint32_t waiting = c->merchants_total[cat] - c->merchants_accepting[cat];
            unsigned n = waiting ? gsl_ran_binomial(p->rng, q, waiting) : 0;
            for (unsigned i = 0; i < n; i++)
                if (prg_onboard_merchant(w, c, cat, day, p->rng) != LED_NONE) {
                    s->onboarded++;
                    p->cost_fen += s->per_merchant_fen;
                }
        }
        if (s->marketing_fen > 0 && s->per_aware_fen > 0) {
            double days = (double)(s->end - s->start + 1);
            double budget_sim = (double)s->marketing_fen / (double)w->scale / days;
            double people = budget_sim / s->per_aware_fen;
            int64_t unaware = 0;
            for (int g = 0; g < SEGMENTS; g++)
                unaware += c->seg_unaware[g];
            for (int g = 0; g < SEGMENTS && unaware > 0; g++) {
                double share = (double)c->seg_unaware[g] / (double)unaware;
                unsigned n = gsl_ran_poisson(p->rng, people * share);
                if ((int64_t)n > c->seg_unaware[g])
                    n = (unsigned)c->seg_unaware[g];
                c->seg_unaware[g] -= n;
                c->seg_aware[g] += n;
                s->made_aware += n;
            }
            p->cost_fen += llround(budget_sim);
            s->marketing_spent_fen += llround(budget_sim);
        }
    }
    if (!s->coupons_done && day >= s->start && s->coupons_sim > 0 && c->n_adopters > 0) {
        uint32_t m = s->merchants_real ? (uint32_t)((s->merchants_real + w->scale / 2) / w->scale)
                                       : c->merchants_all;
        prg_vouchers_tag(&s->v, w, c, m ? m : 1, p->tag_bit, day, p->rng);
        uint32_t n = s->coupons_sim < c->n_adopters ? s->coupons_sim : c->n_adopters;
        uint32_t *scratch = malloc((size_t)c->n_adopters * sizeof *scratch);
        uint32_t *pick = malloc(((size_t)n + 1) * sizeof *pick);
        if (scratch && pick) {
            prg_topup(w, c, s->pool, (int64_t)n * s->coupon_fen);
            prg_sample(p->rng, c->n_adopters, n, scratch, pick);
            for (uint32_t i = 0; i < n; i++)
                prg_vouchers_grant(&s->v, w, c->wallet[pick[i]], s->coupon_fen);
        }
        free(scratch);
        free(pick);
        s->coupons_done = 1;
    }
    if (s->coupons_done && !s->back_done && day >= s->coupon_expiry) {
        int64_t back = led_balance(w->ledger, s->pool);
        prg_vouchers_expired(&s->v, back);
        prg_redeem(w, c, s->pool, back);
        s->back_done = 1;
    }
    int64_t before = s->v.spent_fen;
    if (s->coupons_done && day < s->coupon_expiry)
        prg_vouchers_spend_day(&s->v, w, c, p->rng, day);
    p->cost_fen += s->v.spent_fen - before;
}

static void inc_report(prg_programme *p, wld_world *w)
{
    inc_state *s = p->state;
    double k = (double)w->scale;
    prg_out(p, "merchants_onboarded", "merchants", (double)s->onboarded * k);
    prg_out(p, "fee_subsidies", "yuan", (double)s->onboarded * k * (double)s->per_merchant_fen / 100.0);
    prg_out(p, "made_aware", "people", (double)s->made_aware * k);
    prg_out(p, "marketing_spent", "yuan", (double)s->marketing_spent_fen * k / 100.0);
    prg_vouchers_report(&s->v, p, w);
}

static void inc_destroy(prg_programme *p)
{
    inc_state *s = p->state;
    if (!s)
        return;
    prg_vouchers_free(&s->v);
    free(s);
    p->state = NULL;
}

const prg_ops inc_ops = {"incentive", inc_create, inc_setup, inc_day_start, NULL, NULL, inc_report, inc_destroy};

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void inc_save(const prg_programme *p, ckp_writer *ck)
{
    const inc_state *s = p->state;
    ckp_put_tag(ck, CKP_TAG('I', 'N', 'C', 'V'));
    ckp_put_u32(ck, s->pool);
    int64_t c[] = {s->onboarded, s->made_aware, s->marketing_spent_fen, s->coupons_done, s->back_done};
    ckp_put(ck, c, sizeof c);
    prg_vouchers_save(&s->v, ck);
}

void inc_load(prg_programme *p, ckp_reader *ck)
{
    inc_state *s = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('I', 'N', 'C', 'V'), "incentive"))
        return;
    s->pool = ckp_get_u32(ck);
    int64_t c[5];
    ckp_get(ck, c, sizeof c);
    s->onboarded = c[0];
    s->made_aware = c[1];
    s->marketing_spent_fen = c[2];
    s->coupons_done = c[3];
    s->back_done = c[4];
    prg_vouchers_load(&s->v, ck, "incentive coupons");
}
