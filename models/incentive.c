/* incentive.c: merchant and consumer incentives ([incentive.NAME], prefix inc_).
 *
 * Three levers over [start, end] (ecny_facts.md 2.5 and 3.6): a merchant fee
 * subsidy raises each non-accepting merchant's daily chance of accepting as
 * the merchants model's own fee response would (mer_daily_chance, the
 * payment platforms' factor included from their date: no customers holding
 * e-CNY, no effect),
 * each onboarded merchant costing subsidy_per_merchant_yuan; consumption
 * coupons of coupon_yuan with a purchase threshold, claimed on the start
 * date by wallet holders and valid at the programme's participating
 * merchants for coupon_days (earmarked, clawed back at expiry); and a bank
 * marketing budget that makes marketing_yuan / cost_per_aware_yuan unaware
 * residents aware, spread evenly over the window.
 *
 * Open campaigns (open_to = residents) recruit: every day of the window,
 * while coupons last, holders sign up with chance signup_per_day and aware
 * residents with a smartphone but no wallet with signup_per_day x the
 * [campaign] friction of opening one (by age band, prg_claim_chance over
 * one day); when sign-ups exceed the coupons left, those served are a
 * uniform subset (first come, first served). Those without a wallet open
 * one (prg_open_wallet) to receive the coupon: the campaign's new wallets,
 * whose activity 30 and 90 days after the window is reported.
 *
 * Cost: fee subsidies + coupons spent + marketing spent + fixed_cost_yuan.
 * O(categories + holders) per day.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/programme.h"
#include "sim/rng.h"

typedef struct {
    int32_t start, end, coupon_expiry;
    double fee_pct;
    int64_t per_aware_fen, per_merchant_fen, marketing_fen, coupons_real, coupon_fen, merchants_real;
    uint32_t coupons_sim;
    led_acct pool;
    prg_vouchers v;
    int64_t onboarded, made_aware, marketing_spent_fen, coupons_done, back_done;
    /* open campaigns */
    bool open;
    double signup_per_day;
    led_acct *opened;          /* wallets opened to receive a coupon */
    uint32_t n_opened;
    uint8_t *held;             /* scratch of open_signups: a bit per ledger account, all clear between days */
    int64_t signups, active30, active90;
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
    s->per_aware_fen = scn_fen(in, "cost_per_aware_yuan");
    s->coupons_real = scn_int(in, "coupons");
    s->coupon_fen = scn_fen(in, "coupon_yuan");
    s->v.threshold_fen = scn_fen(in, "threshold_yuan");
    s->coupon_expiry = s->start + (int32_t)scn_int(in, "coupon_days");
    s->merchants_real = scn_int(in, "merchants");
    s->v.spend_rate = scn_real(in, "spend_rate_per_day");
    s->v.online_share = scn_has(in, "online_pct") ? scn_real(in, "online_pct") / 100.0 : -1.0;
    s->open = strcmp(scn_str(in, "open_to"), "residents") == 0;
    w->account_bitmaps += s->open;
    s->signup_per_day = scn_real(in, "signup_per_day");
    s->active30 = s->active90 = -1;
    p->window_start = s->start;
    p->window_end = s->end;
    s->coupons_sim = (uint32_t)((s->coupons_real + w->scale / 2) / w->scale);
    *accounts += 1;
    bool ok = prg_categories(doc, in, "categories", w, &s->v.category_mask, errs);
    return plt_parse(doc, in, "platforms", w, &s->v, errs) && ok;
}

static bool inc_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    inc_state *s = p->state;
    wld_city *c = &w->city[p->city];
    uint32_t m = s->merchants_real ? (uint32_t)((s->merchants_real + w->scale / 2) / w->scale) : c->merchants_all;
    s->pool = led_open(w->ledger, LED_POOL, 0, c->bank_acct[0], (uint16_t)c->index);
    if (s->open) {
        s->opened = calloc((size_t)s->coupons_sim + 1, sizeof *s->opened);
        s->held = calloc((size_t)w->max_accounts / 8 + 1, 1); /* counted in the world's bytes */
    }
    if (s->pool == LED_NONE || !prg_vouchers_alloc(&s->v, s->coupons_sim, m + 64) ||
        (s->open && (!s->opened || !s->held))) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [incentive.%s]", p->name);
        return false;
    }
    s->v.pool = s->pool;
    s->v.rule = (led_earmark_rule){s->v.category_mask, UINT32_C(1) << p->tag_bit, (uint16_t)c->index,
                                   s->coupon_expiry, s->pool};
    return true;
}

/* One day of an open campaign's sign-ups (see the file comment). False
 * when memory is short. */
static bool open_signups(prg_programme *p, wld_world *w, wld_city *c, int32_t day)
{
    inc_state *s = p->state;
    gsl_rng *r = p->rng;
    int64_t left = (int64_t)s->coupons_sim - (int64_t)s->v.granted_n;
    if (left <= 0)
        return true;
    /* groups: holders without this coupon, then each smartphone segment's
     * aware residents without a wallet */
    uint32_t *holders = malloc(((size_t)c->n_adopters + 1) * sizeof *holders);
    uint32_t *scratch = malloc(((size_t)c->n_adopters + 1) * sizeof *scratch);
    if (!holders || !scratch) {
        free(holders);
        free(scratch);
        return false;
    }
    /* who already holds this campaign's coupon: by wallet, since the
     * residents model reorders adopters; a bit per account, set for the
     * day and cleared after (a sort and a search per adopter made a
     * populated city's day cost O(adopters log holders)) */
    for (uint32_t i = 0; i < s->v.n_holders; i++)
        s->held[s->v.holder[i] >> 3] |= (uint8_t)(1u << (s->v.holder[i] & 7));
    uint32_t n_holders = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        led_acct wa = c->wallet[a];
        if (led_kind(w->ledger, wa) != LED_HARD_WALLET && !(s->held[wa >> 3] >> (wa & 7) & 1))
            holders[n_holders++] = a;
    }
    for (uint32_t i = 0; i < s->v.n_holders; i++)
        s->held[s->v.holder[i] >> 3] = 0;
    int64_t want[SEGMENTS + 1], total = 0;
    want[0] = n_holders ? gsl_ran_binomial(r, s->signup_per_day, n_holders) : 0;
    total += want[0];
    for (int g = 0; g < SEGMENTS; g++) {
        int64_t n = SEG_PHONE(g) ? c->seg_aware[g] + c->seg_downloaded[g] : 0;
        double q = s->signup_per_day * prg_claim_chance(w, g, false, 1);
        want[g + 1] = n > 0 && q > 0 ? gsl_ran_binomial(r, q, (unsigned)n) : 0;
        total += want[g + 1];
    }
    s->signups += total;
    /* first come, first served: a uniform subset of the day's sign-ups */
    int64_t served[SEGMENTS + 1], rest_signups = total, rest = total < left ? total : left;
    for (int g = 0; g <= SEGMENTS; g++) {
        int64_t others = rest_signups - want[g];
        served[g] = rest > 0 && want[g] > 0
                        ? gsl_ran_hypergeometric(r, (unsigned)want[g], (unsigned)others, (unsigned)rest)
                        : 0;
        rest_signups = others;
        rest -= served[g];
    }
    int64_t n_new = 0;
    for (int g = 1; g <= SEGMENTS; g++)
        n_new += served[g];
    uint32_t *pick = malloc(((size_t)served[0] + 1) * sizeof *pick);
    if (!pick) {
        free(holders);
        free(scratch);
        return false;
    }
    pay_topup(w, c, s->pool, (served[0] + n_new) * s->coupon_fen);
    prg_sample(r, n_holders, (uint32_t)served[0], scratch, pick);
    for (int64_t i = 0; i < served[0]; i++)
        prg_vouchers_grant(&s->v, w, c->wallet[holders[pick[i]]], s->coupon_fen);
    free(pick);
    for (int g = 0; g < SEGMENTS; g++) {
        for (int64_t i = 0; i < served[g + 1]; i++) {
            uint32_t a = prg_open_wallet(w, c, g, day, r, false);
            if (a == UINT32_MAX)
                break;
            s->opened[s->n_opened++] = c->wallet[a];
            prg_vouchers_grant(&s->v, w, c->wallet[a], s->coupon_fen);
        }
    }
    free(holders);
    free(scratch);
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
        double q = mer_daily_chance(w, c, day, s->fee_pct) - mer_daily_chance(w, c, day, 0.0);
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
            double people = budget_sim / (double)s->per_aware_fen;
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
    if (s->open && day >= s->start && day <= s->end && s->coupons_sim > 0) {
        if (!s->coupons_done) {
            uint32_t m = s->merchants_real ? (uint32_t)((s->merchants_real + w->scale / 2) / w->scale)
                                           : c->merchants_all;
            prg_vouchers_tag(&s->v, w, c, m ? m : 1, p->tag_bit, day, p->rng);
            s->coupons_done = 1;
        }
        if (!open_signups(p, w, c, day)) {
            prg_fail_memory(p, w, "signing up for the coupons");
            return;
        }
    }
    if (!s->open && !s->coupons_done && day >= s->start && s->coupons_sim > 0 && c->n_adopters > 0) {
        uint32_t m = s->merchants_real ? (uint32_t)((s->merchants_real + w->scale / 2) / w->scale)
                                       : c->merchants_all;
        prg_vouchers_tag(&s->v, w, c, m ? m : 1, p->tag_bit, day, p->rng);
        uint32_t n = s->coupons_sim < c->n_adopters ? s->coupons_sim : c->n_adopters;
        uint32_t *scratch = malloc((size_t)c->n_adopters * sizeof *scratch);
        uint32_t *pick = malloc(((size_t)n + 1) * sizeof *pick);
        if (!scratch || !pick) {
            free(scratch);
            free(pick);
            prg_fail_memory(p, w, "granting the coupons");
            return;
        }
        pay_topup(w, c, s->pool, (int64_t)n * s->coupon_fen);
        prg_sample(p->rng, c->n_adopters, n, scratch, pick);
        for (uint32_t i = 0; i < n; i++)
            prg_vouchers_grant(&s->v, w, c->wallet[pick[i]], s->coupon_fen);
        free(scratch);
        free(pick);
        s->coupons_done = 1;
    }
    if (s->coupons_done && !s->back_done && day >= s->coupon_expiry) {
        int64_t back = led_balance(w->ledger, s->pool);
        prg_vouchers_expired(&s->v, back);
        pay_redeem(w, c, s->pool, back);
        s->back_done = 1;
    }
    int64_t before = s->v.spent_fen;
    if (s->coupons_done && day < s->coupon_expiry && !prg_vouchers_spend_day(&s->v, w, c, p->rng, day)) {
        prg_fail_memory(p, w, "spending the coupons");
        return;
    }
    p->cost_fen += s->v.spent_fen - before;
    if (s->open && day == s->end + 30 &&
        (s->active30 = prg_count_active(w, c, s->opened, s->n_opened, &s->v, day)) < 0)
        prg_fail_memory(p, w, "counting active wallets");
    if (s->open && day == s->end + 90 &&
        (s->active90 = prg_count_active(w, c, s->opened, s->n_opened, &s->v, day)) < 0)
        prg_fail_memory(p, w, "counting active wallets");
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
    prg_out(p, "signups", "people", (double)s->signups * k);
    prg_out(p, "new_wallets", "wallets", (double)s->n_opened * k);
    bool open = s->open;
    prg_out(p, "new_active_30d", "wallets", !open ? 0 : s->active30 < 0 ? PRG_NA : (double)s->active30 * k);
    prg_out(p, "new_active_90d", "wallets", !open ? 0 : s->active90 < 0 ? PRG_NA : (double)s->active90 * k);
    double cost = prg_cost_yuan(p, w);
    prg_out(p, "cost_per_new_active_wallet_30d", "yuan", open && s->active30 > 0 ? cost / ((double)s->active30 * k) : PRG_NA);
    prg_out(p, "cost_per_new_active_wallet_90d", "yuan", open && s->active90 > 0 ? cost / ((double)s->active90 * k) : PRG_NA);
}

static void inc_destroy(prg_programme *p)
{
    inc_state *s = p->state;
    if (!s)
        return;
    prg_vouchers_free(&s->v);
    free(s->opened);
    free(s->held);
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
    int64_t c[] = {s->onboarded, s->made_aware, s->marketing_spent_fen, s->coupons_done, s->back_done,
                   s->signups, s->active30, s->active90};
    ckp_put(ck, c, sizeof c);
    ckp_put_array(ck, s->opened, sizeof *s->opened, s->open ? s->n_opened : 0);
    prg_vouchers_save(&s->v, ck);
}

void inc_load(prg_programme *p, ckp_reader *ck)
{
    inc_state *s = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('I', 'N', 'C', 'V'), "incentive"))
        return;
    s->pool = ckp_get_u32(ck);
    int64_t c[8];
    ckp_get(ck, c, sizeof c);
    s->onboarded = c[0];
    s->made_aware = c[1];
    s->marketing_spent_fen = c[2];
    s->coupons_done = c[3];
    s->back_done = c[4];
    s->signups = c[5];
    s->active30 = c[6];
    s->active90 = c[7];
    s->n_opened = (uint32_t)ckp_get_array(ck, s->opened, sizeof *s->opened, s->open ? (uint64_t)s->coupons_sim + 1 : 0,
                                          "incentive wallets opened");

    prg_vouchers_load(&s->v, ck, "incentive coupons");
    s->v.rule.return_pool = s->pool; /* the checkpoint's number (airdrop.c says why) */
}
