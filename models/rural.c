/* rural.c: rural outreach ([rural.NAME], prefix rur_).
 *
 * The Chongqing PSBC design (ecny_facts.md 6 and 3.10): outlets (most of
 * them rural) whose staff teach e-CNY, credit villages, hard wallets handed
 * to elderly and non-smartphone villagers, agricultural aid paid as
 * smart-contract money restricted to merchant categories (farm inputs), and
 * festival coupons in rural micro-business circles.
 *
 * Education: each rural outlet reaches reach_per_outlet_per_day residents a
 * day and each credit village reach_per_village_per_day; their sum over the
 * rural population is published as the city's rural_awareness_boost (a
 * daily awareness chance the residents model adds for rural segments; it is
 * recomputed every day, so the residents model sees it from the next day).
 * Hard wallets are opened in rural non-smartphone segments, evenly over
 * [start, end]. Aid: on aid_date, aid_recipients rural residents (opening a
 * wallet when they have none) receive aid_yuan in total as earmarked money
 * valid in aid_categories until aid_date + aid_days, the remainder clawed
 * back. Coupons: on coupon_date, coupons of coupon_yuan each with a purchase
 * threshold go to rural wallet holders. Cost: hard wallets x card cost,
 * coupons spent and fixed_cost_yuan; aid is a transfer the budget makes
 * anyway and is reported, not costed.
 *
 * Cost: O(holders) per spending day.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "models/programme.h"
#include "sim/rng.h"

typedef struct {
    int32_t start, end, aid_day, aid_expiry, coupon_day, coupon_expiry;
    int64_t outlets, villages, hard_real, aid_fen, aid_real, coupons_real, coupon_fen, card_fen;
    double rural_outlet_share, reach_outlet, reach_village;
    uint32_t hard_sim, aid_sim, coupons_sim;
    led_acct aid_pool, coupon_pool;
    prg_vouchers aid, coupons;
    int64_t hard_given, opened, aid_done, coupons_done, aid_back_done, coupon_back_done;
} rur_state;

static bool rur_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    rur_state *s = prg_state_alloc(p, sizeof *s, errs);
    if (!s || !prg_read_window(p, doc, &s->start, &s->end, errs))
        return false;
    s->outlets = scn_int(in, "outlets");
    s->rural_outlet_share = scn_real(in, "rural_outlet_pct") / 100.0;
    s->villages = scn_int(in, "credit_villages");
    s->reach_outlet = scn_real(in, "reach_per_outlet_per_day");
    s->reach_village = scn_real(in, "reach_per_village_per_day");
    s->hard_real = scn_int(in, "hard_wallets");
    s->card_fen = scn_fen(in, "hard_wallet_cost_yuan");
    s->aid_fen = scn_fen(in, "aid_yuan");
    s->aid_real = scn_int(in, "aid_recipients");
    s->aid_day = scn_has(in, "aid_date") ? scn_date(in, "aid_date") : s->start;
    s->aid_expiry = s->aid_day + (int32_t)scn_int(in, "aid_days");
    s->coupons_real = scn_int(in, "coupons");
    s->coupon_fen = scn_fen(in, "coupon_yuan");
    s->coupons.threshold_fen = scn_fen(in, "coupon_threshold_yuan");
    s->coupon_day = scn_has(in, "coupon_date") ? scn_date(in, "coupon_date") : s->start;
    s->coupon_expiry = s->coupon_day + (int32_t)scn_int(in, "coupon_days");
    bool ok = prg_categories(doc, in, "aid_categories", w, &s->aid.category_mask, errs);
    ok = prg_categories(doc, in, "coupon_categories", w, &s->coupons.category_mask, errs) && ok;
    if (s->aid_fen > 0 && s->aid_real == 0) {
        char where[600];
        scn_where(doc, in, "aid_recipients", where, sizeof where);
        err_add(errs, "%s: aid_recipients in [rural.%s] is 0 while aid_yuan is set: expected at least 1", where,
                p->name);
        ok = false;
    }
    int64_t k = w->scale;
    s->hard_sim = (uint32_t)((s->hard_real + k / 2) / k);
    s->aid_sim = s->aid_real ? (uint32_t)((s->aid_real + k / 2) / k) : 0;
    if (s->aid_real && !s->aid_sim)
        s->aid_sim = 1;
    s->coupons_sim = (uint32_t)((s->coupons_real + k / 2) / k);
    *accounts += 2;
    return ok;
}

static bool rur_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    rur_state *s = p->state;
    wld_city *c = &w->city[p->city];
    s->aid_pool = led_open(w->ledger, LED_POOL, 0, c->bank_acct[0], (uint16_t)c->index);
    s->coupon_pool = led_open(w->ledger, LED_POOL, 0, c->bank_acct[0], (uint16_t)c->index);
    if (s->aid_pool == LED_NONE || s->coupon_pool == LED_NONE || !prg_vouchers_alloc(&s->aid, s->aid_sim, 4096) ||
        !prg_vouchers_alloc(&s->coupons, s->coupons_sim, 4096)) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [rural.%s]", p->name);
        return false;
    }
    s->aid.pool = s->aid_pool;
    s->aid.rule = (led_earmark_rule){s->aid.category_mask, 0, (uint16_t)c->index, s->aid_expiry, s->aid_pool};
    s->aid.spend_rate = 0.3;
    s->coupons.pool = s->coupon_pool;
    s->coupons.rule = (led_earmark_rule){s->coupons.category_mask, 0, (uint16_t)c->index, s->coupon_expiry,
                                         s->coupon_pool};
    s->coupons.spend_rate = 0.3;
    return true;
}

/* A rural resident for a grant: an existing rural adopter or, with the
 * share of rural residents without one, a new wallet. */
static led_acct rural_wallet(prg_programme *p, wld_world *w, wld_city *c, int32_t day, bool allow_new)
{
    rur_state *s = p->state;
    int64_t rural_total = 0, rural_non = 0;
    for (int g = 0; g < SEGMENTS; g++)
        if (!SEG_URBAN(g)) {
            rural_total += c->seg_total[g];
            rural_non += c->seg_total[g] - c->seg_adopted[g];
        }
    if (rural_total == 0)
        return LED_NONE;
    if (allow_new && rng_uniform(p->rng) * (double)rural_total < (double)rural_non) {
        double u = rng_uniform(p->rng) * (double)rural_non;
        for (int g = 0; g < SEGMENTS; g++) {
            if (SEG_URBAN(g))
                continue;
            double n = (double)(c->seg_total[g] - c->seg_adopted[g]);
            if (u < n) {
                uint32_t a = prg_open_wallet(w, c, g, day, p->rng, false);
                if (a == UINT32_MAX)
                    return LED_NONE;
                s->opened++;
                return c->wallet[a];
            }
            u -= n;
        }
        return LED_NONE;
    }
    if (c->rural_adopters == 0)
        return LED_NONE;
    for (int tries = 0; tries < 256; tries++) {
        uint32_t a = rng_below(p->rng, c->n_adopters);
        if (!SEG_URBAN(c->segment[a]))
            return c->wallet[a];
    }
    return LED_NONE;
}

static void give(prg_programme *p, wld_world *w, prg_vouchers *v, uint32_t n, int64_t each_fen, int32_t day,
                 bool allow_new)
{
    wld_city *c = &w->city[p->city];
    if (each_fen <= 0 || n == 0)
        return;
    prg_vouchers_tag(v, w, c, 4000, 32, day, p->rng);
    pay_topup(w, c, v->pool, (int64_t)n * each_fen);
    for (uint32_t i = 0; i < n; i++) {
        led_acct wallet = rural_wallet(p, w, c, day, allow_new);
        if (wallet != LED_NONE)
            prg_vouchers_grant(v, w, wallet, each_fen);
    }
    /* What could not be granted goes back at once. */
    int64_t left = led_balance(w->ledger, v->pool);
    if (left > 0)
        pay_redeem(w, c, v->pool, left);
}

static void rur_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    rur_state *s = p->state;
    wld_city *c = &w->city[p->city];
    (void)eng;
    (void)day_index;
    if (day >= s->start && day <= s->end) {
        double rural_people = 0;
        for (int g = 0; g < SEGMENTS; g++)
            if (!SEG_URBAN(g))
                rural_people += (double)c->seg_total[g] * (double)w->scale;
        if (rural_people > 0)
            c->rural_awareness_boost += fmin(1.0, ((double)s->outlets * s->rural_outlet_share * s->reach_outlet +
                                                   (double)s->villages * s->reach_village) /
                                                      rural_people);
        /* Hard wallets, evenly over the window. */
        int64_t span = (int64_t)s->end - s->start + 1, elapsed = (int64_t)day - s->start + 1;
        uint32_t due = (uint32_t)((int64_t)s->hard_sim * elapsed / span);
        while (s->hard_given < due) {
            double non[SEGMENTS] = {0}, total = 0;
            for (int g = 0; g < SEGMENTS; g++)
                if (!SEG_URBAN(g) && !SEG_PHONE(g)) {
                    non[g] = (double)(c->seg_total[g] - c->seg_adopted[g]);
                    total += non[g];
                }
            if (total < 1)
                break;
            double u = rng_uniform(p->rng) * total;
            int g = 0;
            for (g = 0; g < SEGMENTS - 1; g++) {
                if (u < non[g])
                    break;
                u -= non[g];
            }
            if (prg_open_wallet(w, c, g, day, p->rng, true) == UINT32_MAX)
                break;
            s->hard_given++;
            p->cost_fen += s->card_fen;
        }
    }
    if (!s->aid_done && day >= s->aid_day && s->aid_sim > 0) {
        give(p, w, &s->aid, s->aid_sim, s->aid_fen / (int64_t)s->aid_real, day, true);
        s->aid_done = 1;
    }
    if (!s->coupons_done && day >= s->coupon_day && s->coupons_sim > 0) {
        give(p, w, &s->coupons, s->coupons_sim, s->coupon_fen, day, false);
        s->coupons_done = 1;
    }
    if (s->aid_done && !s->aid_back_done && day >= s->aid_expiry) {
        int64_t back = led_balance(w->ledger, s->aid_pool);
        prg_vouchers_expired(&s->aid, back);
        pay_redeem(w, c, s->aid_pool, back);
        s->aid_back_done = 1;
    }
    if (s->coupons_done && !s->coupon_back_done && day >= s->coupon_expiry) {
        int64_t back = led_balance(w->ledger, s->coupon_pool);
        prg_vouchers_expired(&s->coupons, back);
        pay_redeem(w, c, s->coupon_pool, back);
        s->coupon_back_done = 1;
    }
    int64_t before = s->coupons.spent_fen;
    if ((s->aid_done && day < s->aid_expiry && !prg_vouchers_spend_day(&s->aid, w, c, p->rng, day)) ||
        (s->coupons_done && day < s->coupon_expiry && !prg_vouchers_spend_day(&s->coupons, w, c, p->rng, day))) {
        prg_fail_memory(p, w, "spending the aid and coupons");
        return;
    }
    p->cost_fen += s->coupons.spent_fen - before;
}

static void rur_report(prg_programme *p, wld_world *w)
{
    rur_state *s = p->state;
    wld_city *c = &w->city[p->city];
    double k = (double)w->scale;
    double rural = 0, urban = 0, rural_ad = 0, urban_ad = 0;
    for (int g = 0; g < SEGMENTS; g++) {
        if (SEG_URBAN(g)) {
            urban += (double)c->seg_total[g];
            urban_ad += (double)c->seg_adopted[g];
        } else {
            rural += (double)c->seg_total[g];
            rural_ad += (double)c->seg_adopted[g];
        }
    }
    double rp = rural > 0 ? 100.0 * rural_ad / rural : 0, up = urban > 0 ? 100.0 * urban_ad / urban : 0;
    prg_out(p, "outlets", "outlets", (double)s->outlets);
    prg_out(p, "rural_outlets", "outlets", floor((double)s->outlets * s->rural_outlet_share + 0.5));
    prg_out(p, "credit_villages", "villages", (double)s->villages);
    prg_out(p, "rural_awareness_boost", "1/day", c->rural_awareness_boost);
    prg_out(p, "rural_wallets", "wallets", (double)c->rural_adopters * k);
    prg_out(p, "rural_adoption", "%", rp);
    prg_out(p, "urban_adoption", "%", up);
    prg_out(p, "urban_rural_gap", "points", up - rp);
    prg_out(p, "hard_wallets_given", "wallets", (double)s->hard_given * k);
    prg_out(p, "wallets_opened_for_aid", "wallets", (double)s->opened * k);
    prg_out(p, "rural_programme_payments", "payments", (double)(s->aid.payments + s->coupons.payments) * k);
    prg_out(p, "aid_delivered", "yuan", (double)s->aid.granted_fen * k / 100.0);
    prg_out(p, "aid_recipients", "people", (double)s->aid.granted_n * k);
    prg_out(p, "aid_spent_as_intended", "yuan", (double)s->aid.spent_fen * k / 100.0);
    prg_out(p, "aid_spent_pct", "%", s->aid.granted_fen ? 100.0 * (double)s->aid.spent_fen / (double)s->aid.granted_fen : 0);
    prg_out(p, "aid_returned", "yuan", (double)s->aid.clawback_fen * k / 100.0);
    prg_out(p, "coupons_claimed", "coupons", (double)s->coupons.granted_n * k);
    prg_out(p, "coupons_spent", "yuan", (double)s->coupons.spent_fen * k / 100.0);
    prg_out(p, "coupon_own_money", "yuan", (double)s->coupons.topup_fen * k / 100.0);
}

static void rur_day_end(prg_programme *p, wld_world *w, int32_t day)
{
    (void)p;
    (void)w;
    (void)day;
}

static void rur_destroy(prg_programme *p)
{
    rur_state *s = p->state;
    if (!s)
        return;
    prg_vouchers_free(&s->aid);
    prg_vouchers_free(&s->coupons);
    free(s);
    p->state = NULL;
}

prg_vouchers *rur_aid(prg_programme *p) { return &((rur_state *)p->state)->aid; }
int64_t rur_hard_wallets_given(const prg_programme *p) { return ((const rur_state *)p->state)->hard_given; }

const prg_ops rur_ops = {"rural", rur_create, rur_setup, rur_day_start, NULL, rur_day_end, rur_report, rur_destroy};

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void rur_save(const prg_programme *p, ckp_writer *ck)
{
    const rur_state *s = p->state;
    ckp_put_tag(ck, CKP_TAG('R', 'U', 'R', 'L'));
    ckp_put_u32(ck, s->aid_pool);
    ckp_put_u32(ck, s->coupon_pool);
    int64_t c[] = {s->hard_given, s->opened, s->aid_done, s->coupons_done, s->aid_back_done, s->coupon_back_done};
    ckp_put(ck, c, sizeof c);
    prg_vouchers_save(&s->aid, ck);
    prg_vouchers_save(&s->coupons, ck);
}

void rur_load(prg_programme *p, ckp_reader *ck)
{
    rur_state *s = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('R', 'U', 'R', 'L'), "rural"))
        return;
    s->aid_pool = ckp_get_u32(ck);
    s->coupon_pool = ckp_get_u32(ck);
    int64_t c[6];
    ckp_get(ck, c, sizeof c);
    s->hard_given = c[0];
    s->opened = c[1];
    s->aid_done = c[2];
    s->coupons_done = c[3];
    s->aid_back_done = c[4];
    s->coupon_back_done = c[5];
    prg_vouchers_load(&s->aid, ck, "rural aid");
    prg_vouchers_load(&s->coupons, ck, "rural coupons");
    s->aid.rule.return_pool = s->aid_pool; /* the checkpoint's numbers (airdrop.c says why) */
    s->coupons.rule.return_pool = s->coupon_pool;
}
