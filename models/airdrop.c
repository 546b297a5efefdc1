/* airdrop.c: lottery red-envelope airdrops ([airdrop.NAME], prefix air_).
 *
 * The Shenzhen Luohu design (ecny_facts.md 3.1): residents register in a
 * window, a random draw picks min(envelopes, sign-ups) winners, winners
 * claim through the friction of their segment (prg_claim_chance: holders
 * activate, others must open a wallet, less often when older; claim_pct
 * overrides it), envelopes arrive as earmarked money from the
 * programme's pool, valid only at the participating (tagged) merchants until
 * the end of the spending window, spent over several purchases with own
 * money topping up a purchase that exceeds what is left, and the unspent
 * remainder is clawed back to the pool at expiry.
 *
 * Sign-ups. An eligible resident (smartphone, residency x KYC x employment
 * shares) signs up with probability reach x interest:
 *   reach    = d (1 - exp(-P r_d D)) + (1 - d)(1 - exp(-P r_o D))
 *              d: district share of the area (0 for a citywide lottery,
 *              district_population = 0: the whole area is reached at the
 *              city rate), P: publicity, D: registration days, r_d: daily
 *              reach in the district; r_o, daily reach in the rest of the
 *              area: r_c in a city (a metro ride from where the envelopes
 *              are spent), r_c x o in a province-kind area (cities.csv
 *              kind: another city hours away) when the lottery is a
 *              district's;
 *   interest = 1 - exp(-k (v / 200)^a (n / 50000)^b exp(-m / T))
 *              v: mean envelope (yuan), n: envelopes, m: months from the
 *              first public lottery (Luohu, 9 Oct 2020) to registration.
 * The parameters are [campaign] keys (an [airdrop.NAME] may override the
 * first five): r_d, r_c, a are priors; k, T and o are fitted jointly on
 * the sign-up rows of data/targets.csv (Luohu, Futian, Sanya, Ningbo,
 * Shenzhen May 2022; docs/programmes.md), b with them but held where Futian
 * stays within tests/e2e_pilots.sh's band. Nothing else is tuned.
 *
 * Invariants: winners = min(envelopes, sign-ups) exactly (in simulated
 * units: envelopes / scale); every envelope fen comes from the pool and what
 * is not spent returns to it. Cost: O(eligible groups) for the draw plus
 * O(holders) per spending day.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/programme.h"
#include "sim/assert.h"
#include "sim/rng.h"

#define AIR_MAX_VALUES 16
/* 2020-10-09, first day of registration of the first public e-CNY lottery
 * (Shenzhen Luohu, ecny_facts.md 3.1): novelty fades from it. */
#define AIR_FIRST_LOTTERY_DAY 18544
#define AIR_DAYS_PER_MONTH 30.4375

typedef struct {
    int64_t district_people, pool_fen, env_fen[AIR_MAX_VALUES];
    int n_values;
    int64_t envelopes; /* real */
    int32_t reg_start, reg_end, draw_day, spend_start, spend_end;
    double eligible_share, publicity, reach_district, reach_city, interest, value_elasticity, count_elasticity;
    double other_city_share, novelty_months; /* [campaign] only */
    double claim_share;
    int64_t merchants_real;
    /* run */
    led_acct pool;
    prg_vouchers v;
    uint32_t envelopes_sim;
    int64_t signups_sim, winners_sim, winners_new_sim, eligible_sim;
    led_acct *winner;          /* wallets of the winners, in draw order */
    uint32_t n_winners;
    led_acct *opened;          /* wallets opened because of the airdrop */
    uint32_t n_opened;
    uint8_t *claims;           /* per winner: claims (from the friction by segment, at the draw) */
    int64_t unclaimed_new;     /* winners without a wallet who did not open one in time */
    int64_t active30, active90;
    bool drawn, granted, expired;
    double p_signup;
} air_state;

static bool bad(const scn_doc *doc, const scn_instance *in, const char *key, err_list *errs, const char *what)
{
    char where[600];
    scn_where(doc, in, key, where, sizeof where);
    err_add(errs, "%s: %s in [airdrop.%s]: %s", where, key, scn_name(in), what);
    return false;
}

/* A sign-up behaviour key: the airdrop's override when given, else the
 * [campaign] default. */
static double behaviour(const scn_instance *in, const scn_instance *campaign, const char *key)
{
    return scn_has(in, key) ? scn_real(in, key) : scn_real(campaign, key);
}

static bool air_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    air_state *a = calloc(1, sizeof *a);
    if (!a) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    p->state = a;
    wld_city *c = &w->city[p->city];
    bool ok = true;
    a->district_people = scn_int(in, "district_population");
    if (a->district_people > c->people)
        ok = bad(doc, in, "district_population", errs, "is larger than the city's population: expected at most it");
    a->pool_fen = scn_fen(in, "pool_yuan");
    int64_t sum = 0, fen[AIR_MAX_VALUES]; /* exact fen: sub-fen amounts are refused by the loader */
    size_t n_fen = scn_fen_list(in, "envelope_yuan", fen, AIR_MAX_VALUES);
    for (size_t i = 0; i < n_fen; i++) {
        if (i >= AIR_MAX_VALUES || fen[i] < 1 || fen[i] > 100000000) {
            ok = bad(doc, in, "envelope_yuan", errs,
                     "expected one amount or a list of at most 16 amounts in yuan, each 0.01 to 1000000 (\"88,100,128\")");
            break;
        }
        a->env_fen[a->n_values++] = fen[i];
        sum += fen[i];
    }
    if (a->n_values == 0 && ok)
        ok = bad(doc, in, "envelope_yuan", errs, "is empty: expected an amount in yuan or a list");
    a->envelopes = scn_int(in, "envelopes");
    if (ok && a->envelopes == 0)
        a->envelopes = a->pool_fen * a->n_values / sum;
    if (ok && a->envelopes < 1)
        ok = bad(doc, in, "pool_yuan", errs, "is smaller than one envelope: expected at least one envelope");
    if (ok && (double)a->envelopes * (double)sum / a->n_values > (double)a->pool_fen * 1.0001 + 1)
        ok = bad(doc, in, "envelopes", errs, "times the mean envelope exceeds pool_yuan: expected the pool to cover them");
    a->reg_start = scn_date(in, "registration_start");
    a->reg_end = scn_date(in, "registration_end");
    if (a->reg_end < a->reg_start)
        ok = bad(doc, in, "registration_end", errs, "is before registration_start: expected on or after it");
    a->draw_day = scn_has(in, "draw_date") ? scn_date(in, "draw_date") : a->reg_end;
    if (a->draw_day < a->reg_end)
        ok = bad(doc, in, "draw_date", errs, "is before registration_end: expected the draw after registration");
    a->spend_start = scn_date(in, "spend_start");
    a->spend_end = scn_date(in, "spend_end");
    if (a->spend_start < a->draw_day)
        ok = bad(doc, in, "spend_start", errs, "is before the draw: expected on or after draw_date");
    if (a->spend_end < a->spend_start)
        ok = bad(doc, in, "spend_end", errs, "is before spend_start: expected on or after it");
    a->eligible_share = scn_real(in, "residency_pct") / 100.0 * scn_real(in, "kyc_pct") / 100.0 *
                        scn_real(in, "employment_pct") / 100.0;
    a->publicity = scn_real(in, "publicity");
    const scn_instance *cp = scn_single(doc, "campaign");
    a->reach_district = behaviour(in, cp, "reach_district_per_day");
    a->reach_city = behaviour(in, cp, "reach_city_per_day");
    a->interest = behaviour(in, cp, "interest");
    a->value_elasticity = behaviour(in, cp, "value_elasticity");
    a->count_elasticity = behaviour(in, cp, "count_elasticity");
    a->other_city_share = scn_real(cp, "other_city_reach_pct") / 100.0;
    a->novelty_months = scn_real(cp, "novelty_months");
    a->claim_share = scn_has(in, "claim_pct") ? scn_real(in, "claim_pct") / 100.0 : -1.0;
    a->merchants_real = scn_int(in, "merchants");
    a->v.online_share = scn_has(in, "online_pct") ? scn_real(in, "online_pct") / 100.0 : -1.0;
    a->v.spend_rate = scn_real(in, "spend_rate_per_day");
    ok = prg_categories(doc, in, "categories", w, &a->v.category_mask, errs) && ok;
    ok = plt_parse(doc, in, "platforms", w, &a->v, errs) && ok;
    if (!ok)
        return false;
    a->envelopes_sim = (uint32_t)((a->envelopes + w->scale / 2) / w->scale);
    if (a->envelopes_sim == 0)
        a->envelopes_sim = 1;
    *accounts += 1; /* the pool */
    return true;
}

static bool air_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    air_state *a = p->state;
    wld_city *c = &w->city[p->city];
    a->pool = led_open(w->ledger, LED_POOL, 0, c->bank_acct[0], (uint16_t)c->index);
    uint32_t m = a->merchants_real ? (uint32_t)((a->merchants_real + w->scale / 2) / w->scale) : c->merchants_all;
    if (m == 0)
        m = 1;
    a->winner = calloc((size_t)a->envelopes_sim + 1, sizeof *a->winner);
    a->opened = calloc((size_t)a->envelopes_sim + 1, sizeof *a->opened);
    a->claims = calloc((size_t)a->envelopes_sim + 1, 1);
    p->window_start = a->spend_start;
    p->window_end = a->spend_end;
    if (a->pool == LED_NONE || !a->winner || !a->opened || !a->claims ||
        !prg_vouchers_alloc(&a->v, a->envelopes_sim, m + 64)) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [airdrop.%s]", p->name);
        return false;
    }
    a->v.pool = a->pool;
    a->v.rule = (led_earmark_rule){a->v.category_mask, UINT32_C(1) << p->tag_bit, (uint16_t)c->index,
                                   a->spend_end + 1, a->pool};
    a->active30 = a->active90 = -1;
    return true;
}

/* Probability that an eligible resident signs up (see the file comment). */
static double signup_probability(const air_state *a, const wld_city *c)
{
    SIM_ASSERT(a->n_values > 0, "an airdrop with at least one envelope value");
    SIM_ASSERT(c->people > 0, "a city with residents");
    double d = (double)a->district_people / (double)c->people; /* 0: a citywide lottery */
    double days = (double)(a->reg_end - a->reg_start + 1);
    /* the rest of a province is reached less only when the envelopes are
     * spent in one district of it; a citywide lottery is spent everywhere */
    bool far = d > 0 && c->data->kind == DAT_KIND_PROVINCE;
    double rest = far ? a->reach_city * a->other_city_share : a->reach_city;
    double reach = d * (1 - exp(-a->publicity * a->reach_district * days)) +
                   (1 - d) * (1 - exp(-a->publicity * rest * days));
    double sum = 0;
    for (int i = 0; i < a->n_values; i++)
        sum += (double)a->env_fen[i];
    double v = sum / a->n_values / 100.0;
    double months = fmax(0.0, (double)(a->reg_start - AIR_FIRST_LOTTERY_DAY) / AIR_DAYS_PER_MONTH);
    double x = a->interest * pow(v / 200.0, a->value_elasticity) *
               pow((double)a->envelopes / 50000.0, a->count_elasticity) * exp(-months / a->novelty_months);
    double p = fmin(1.0, reach * (1 - exp(-x)));
    SIM_ASSERT(p >= 0.0, "a sign-up probability, %g", p);
    SIM_ASSERT(p <= 1.0, "a sign-up probability, %g", p);
    return p;
}

bool air_draw(prg_programme *p, wld_world *w, int32_t day)
{
    air_state *a = p->state;
    wld_city *c = &w->city[p->city];
    gsl_rng *r = p->rng;
    double q = signup_probability(a, c) * a->eligible_share;
    a->p_signup = q;
    int32_t claim_days = a->spend_end - a->spend_start + 1; /* winners claim within the spending window */
    /* Groups: adopters with a smartphone, then the non-adopters of each
     * smartphone segment. Sign-ups per group are binomial. */
    uint32_t *phone_adopters = malloc(((size_t)c->n_adopters + 1) * sizeof *phone_adopters);
    uint32_t *scratch = malloc(((size_t)c->n_adopters + 1) * sizeof *scratch);
    if (!phone_adopters || !scratch) {
        free(phone_adopters);
        free(scratch);
        return false;
    }
    uint32_t n_phone = 0;
    for (uint32_t i = 0; i < c->n_adopters; i++)
        if (SEG_PHONE(c->segment[i]) && led_kind(w->ledger, c->wallet[i]) != LED_HARD_WALLET)
            phone_adopters[n_phone++] = i;
    int64_t signed_up[SEGMENTS + 1];
    int64_t total = 0, eligible = n_phone;
    signed_up[0] = n_phone ? gsl_ran_binomial(r, q, n_phone) : 0;
    total += signed_up[0];
    for (int s = 0; s < SEGMENTS; s++) {
        int64_t n = SEG_PHONE(s) ? c->seg_total[s] - c->seg_adopted[s] : 0;
        eligible += n;
        signed_up[s + 1] = n > 0 ? gsl_ran_binomial(r, q, (unsigned)n) : 0;
        total += signed_up[s + 1];
    }
    a->eligible_sim = eligible;
    a->signups_sim = total;
    int64_t winners = total < a->envelopes_sim ? total : a->envelopes_sim;
    a->winners_sim = winners;
    /* Winners are a uniform subset of sign-ups: split them across groups by
     * sequential hypergeometric draws. */
    int64_t left_signups = total, left_winners = winners;
    int64_t won[SEGMENTS + 1];
    for (int g = 0; g <= SEGMENTS; g++) {
        int64_t rest = left_signups - signed_up[g];
        won[g] = left_winners > 0 && signed_up[g] > 0
                     ? gsl_ran_hypergeometric(r, (unsigned)signed_up[g], (unsigned)rest, (unsigned)left_winners)
                     : 0;
        left_signups = rest;
        left_winners -= won[g];
    }
    uint32_t *picked = malloc(((size_t)won[0] + 1) * sizeof *picked);
    if (!picked) {
        free(phone_adopters);
        free(scratch);
        return false;
    }
    prg_sample(r, n_phone, (uint32_t)won[0], scratch, picked);
    for (int64_t i = 0; i < won[0]; i++) {
        uint32_t ad = phone_adopters[picked[i]];
        /* a holder claims unless the friction of activating stops them */
        a->claims[a->n_winners] = a->claim_share >= 0 ? 1 : rng_uniform(r) < prg_claim_chance(w, c->segment[ad], true, claim_days);
        a->winner[a->n_winners++] = c->wallet[ad];
    }
    free(picked);
    for (int s = 0; s < SEGMENTS; s++) {
        double open = a->claim_share >= 0 ? 1.0 : prg_claim_chance(w, s, false, claim_days);
        for (int64_t i = 0; i < won[s + 1]; i++) {
            if (open < 1.0 && rng_uniform(r) >= open) {
                a->unclaimed_new++; /* did not open and activate a wallet in the window */
                continue;
            }
            a->claims[a->n_winners] = 1;
            uint32_t idx = prg_open_wallet(w, c, s, day, r, false);
            if (idx == UINT32_MAX)
                continue;
            a->winner[a->n_winners++] = c->wallet[idx];
            a->opened[a->n_opened++] = c->wallet[idx];
            a->winners_new_sim++;
        }
    }
    free(phone_adopters);
    free(scratch);
    a->drawn = true;
    return true;
}

/* False when memory is short (nothing was granted). */
static bool grant(prg_programme *p, wld_world *w, int32_t day)
{
    air_state *a = p->state;
    wld_city *c = &w->city[p->city];
    (void)day;
    /* The pool is funded for the envelopes that will be claimed. */
    uint8_t *claims = calloc((size_t)a->n_winners + 1, 1);
    if (!claims)
        return false;
    int64_t need = 0;
    for (uint32_t i = 0; i < a->n_winners; i++) {
        claims[i] = a->claim_share >= 0 ? rng_uniform(p->rng) < a->claim_share : a->claims[i];
        if (claims[i])
            need += a->env_fen[i % (uint32_t)a->n_values];
    }
    if (need > 0)
        pay_topup(w, c, a->pool, need);
    for (uint32_t i = 0; i < a->n_winners; i++)
        if (claims[i])
            prg_vouchers_grant(&a->v, w, a->winner[i], a->env_fen[i % (uint32_t)a->n_values]);
    free(claims);
    a->granted = true;
    return true;
}

static void air_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    air_state *a = p->state;
    wld_city *c = &w->city[p->city];
    (void)eng;
    (void)day_index;
    if (!a->drawn && day >= a->draw_day && !air_draw(p, w, day)) {
        prg_fail_memory(p, w, "drawing the lottery");
        return;
    }
    if (a->drawn && !a->granted && day >= a->spend_start) {
        uint32_t m = a->merchants_real ? (uint32_t)((a->merchants_real + w->scale / 2) / w->scale)
                                       : c->merchants_all;
        prg_vouchers_tag(&a->v, w, c, m ? m : 1, p->tag_bit, day, p->rng);
        if (!grant(p, w, day)) {
            prg_fail_memory(p, w, "granting the envelopes");
            return;
        }
    }
    if (a->granted && !a->expired && day > a->spend_end) {
        /* led_expire ran at the start of the day: what came back is in the pool. */
        int64_t back = led_balance(w->ledger, a->pool);
        prg_vouchers_expired(&a->v, back);
        pay_redeem(w, c, a->pool, back);
        a->expired = true;
    }
    if (a->granted && day >= a->spend_start && day <= a->spend_end && !prg_vouchers_spend_day(&a->v, w, c, p->rng, day)) {
        prg_fail_memory(p, w, "spending the envelopes");
        return;
    }
    p->cost_fen = a->v.granted_fen - a->v.clawback_fen;
}

static void air_day_end(prg_programme *p, wld_world *w, int32_t day)
{
    air_state *a = p->state;
    wld_city *c = &w->city[p->city];
    if (a->granted && day == a->spend_end + 30 &&
        (a->active30 = prg_count_active(w, c, a->opened, a->n_opened, &a->v, day)) < 0)
        prg_fail_memory(p, w, "counting active wallets");
    if (a->granted && day == a->spend_end + 90 &&
        (a->active90 = prg_count_active(w, c, a->opened, a->n_opened, &a->v, day)) < 0)
        prg_fail_memory(p, w, "counting active wallets");
}

static void air_report(prg_programme *p, wld_world *w)
{
    air_state *a = p->state;
    double k = (double)w->scale;
    prg_out(p, "envelopes", "envelopes", (double)a->envelopes);
    prg_out(p, "pool", "yuan", (double)a->pool_fen / 100.0);
    if (!a->drawn) {
        prg_out(p, "sign_ups", "people", PRG_NA);
        prg_out(p, "win_rate", "%", PRG_NA);
    } else {
        prg_out(p, "eligible", "people", (double)a->eligible_sim * k);
        prg_out(p, "sign_ups", "people", (double)a->signups_sim * k);
        prg_out(p, "sign_up_rate", "%", a->eligible_sim ? 100.0 * (double)a->signups_sim / (double)a->eligible_sim : 0);
        prg_out(p, "winners", "people", (double)a->winners_sim * k);
        prg_out(p, "win_rate", "%", a->signups_sim ? 100.0 * (double)a->winners_sim / (double)a->signups_sim : 0);
        prg_out(p, "wallets_opened", "wallets", (double)a->winners_new_sim * k);
        prg_out(p, "new_wallets", "wallets", (double)a->winners_new_sim * k);
        prg_out(p, "winners_not_claiming_new", "people", (double)a->unclaimed_new * k);
    }
    prg_vouchers_report(&a->v, p, w);
    prg_out(p, "participating_merchants", "merchants", (double)a->v.n_merchants * k);
    uint32_t stores = 0;
    for (uint32_t i = 0; i < a->v.n_merchants; i++)
        stores += !w->data->category[a->v.merchant_cat[i]].online;
    prg_out(p, "participating_stores", "merchants", (double)stores * k);
    prg_out(p, "participating_online", "merchants", (double)(a->v.n_merchants - stores) * k);
    prg_out(p, "opened_active_30d", "wallets", a->active30 < 0 ? PRG_NA : (double)a->active30 * k);
    prg_out(p, "opened_active_90d", "wallets", a->active90 < 0 ? PRG_NA : (double)a->active90 * k);
    prg_out(p, "new_active_30d", "wallets", a->active30 < 0 ? PRG_NA : (double)a->active30 * k);
    prg_out(p, "new_active_90d", "wallets", a->active90 < 0 ? PRG_NA : (double)a->active90 * k);
    double cost = prg_cost_yuan(p, w);
    prg_out(p, "cost_per_new_active_wallet_30d", "yuan",
            a->active30 > 0 ? cost / ((double)a->active30 * k) : PRG_NA);
    prg_out(p, "cost_per_new_active_wallet_90d", "yuan",
            a->active90 > 0 ? cost / ((double)a->active90 * k) : PRG_NA);
}

static void air_destroy(prg_programme *p)
{
    air_state *a = p->state;
    if (!a)
        return;
    prg_vouchers_free(&a->v);
    free(a->winner);
    free(a->opened);
    free(a->claims);
    free(a);
    p->state = NULL;
}

prg_vouchers *air_vouchers(prg_programme *p) { return &((air_state *)p->state)->v; }
int64_t air_signups(const prg_programme *p) { return ((const air_state *)p->state)->signups_sim; }
int64_t air_winners(const prg_programme *p) { return ((const air_state *)p->state)->winners_sim; }
uint32_t air_envelopes(const prg_programme *p) { return ((const air_state *)p->state)->envelopes_sim; }

const prg_ops air_ops = {"airdrop", air_create, air_setup, air_day_start, NULL, air_day_end, air_report, air_destroy};

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

/* Run state only: the design (dates, pool, envelopes, reach) comes from the
 * scenario when the checkpoint is loaded. */
void air_save(const prg_programme *p, ckp_writer *ck)
{
    const air_state *a = p->state;
    ckp_put_tag(ck, CKP_TAG('A', 'I', 'R', 'D'));
    ckp_put_u32(ck, a->pool);
    ckp_put_u32(ck, a->envelopes_sim);
    int64_t c[] = {a->signups_sim, a->winners_sim, a->winners_new_sim, a->eligible_sim, a->active30, a->active90,
                   a->drawn, a->granted, a->expired};
    ckp_put(ck, c, sizeof c);
    ckp_put_f64(ck, a->p_signup);
    ckp_put_array(ck, a->winner, sizeof *a->winner, a->n_winners);
    ckp_put_array(ck, a->opened, sizeof *a->opened, a->n_opened);
    ckp_put_array(ck, a->claims, 1, a->n_winners);
    ckp_put_i64(ck, a->unclaimed_new);
    prg_vouchers_save(&a->v, ck);
}

void air_load(prg_programme *p, ckp_reader *ck)
{
    air_state *a = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('A', 'I', 'R', 'D'), "airdrop"))
        return;
    a->pool = ckp_get_u32(ck);
    uint32_t envelopes = ckp_get_u32(ck);
    if (!ckp_read_failed(ck) && envelopes != a->envelopes_sim) {
        ckp_fail(ck, "[airdrop.%s] has %u simulated envelopes in the checkpoint, %u in this scenario: envelopes "
                     "cannot change when resuming", p->name, envelopes, a->envelopes_sim);
        return;
    }
    int64_t c[9];
    ckp_get(ck, c, sizeof c);
    a->signups_sim = c[0];
    a->winners_sim = c[1];
    a->winners_new_sim = c[2];
    a->eligible_sim = c[3];
    a->active30 = c[4];
    a->active90 = c[5];
    a->drawn = c[6] != 0;
    a->granted = c[7] != 0;
    a->expired = c[8] != 0;
    a->p_signup = ckp_get_f64(ck);
    a->n_winners = (uint32_t)ckp_get_array(ck, a->winner, sizeof *a->winner, (uint64_t)a->envelopes_sim + 1,
                                           "airdrop winners");
    a->n_opened = (uint32_t)ckp_get_array(ck, a->opened, sizeof *a->opened, (uint64_t)a->envelopes_sim + 1,
                                          "airdrop wallets opened");
    if (ckp_get_array(ck, a->claims, 1, (uint64_t)a->envelopes_sim + 1, "airdrop claims") != a->n_winners)
        ckp_fail(ck, "corrupt checkpoint: airdrop claims and winners disagree");
    a->unclaimed_new = ckp_get_i64(ck);
    prg_vouchers_load(&a->v, ck, "airdrop envelopes");
    /* the pool's number comes from the checkpoint: a branch whose pilot
     * history opened another number of wallets numbered it differently */
    a->v.rule.return_pool = a->pool;
}
