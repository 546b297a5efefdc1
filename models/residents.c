/* residents.c: how residents hear of e-CNY, open wallets and pay.
 *
 * The funnel: unaware -> aware (publicity, word of mouth, invitations in the
 * whitelist phases) -> downloaded the app (smartphone owners) -> opened a
 * wallet (an adopter); residents without a smartphone go from aware to a hard
 * wallet. Only ceiling_pct of a segment ever enters the funnel, and of those
 * only the share that finds the wallet useful (acceptance, limits,
 * incentives: res_engagement) downloads it. Residents who hold no wallet
 * are counts per segment (urban/rural, age band, smartphone): the ledger
 * never sees them, so each step is one binomial draw per segment and day,
 * and their cash and app purchases one Poisson count per segment and day. A
 * resident who opens a wallet becomes an agent with a ledger account; some
 * adopters are engaged (they pay with e-CNY in everyday life: early adopters
 * more than the late majority), the others hold a wallet they use now and
 * then (casual_pct of the engaged rate); engaged adopters fall dormant at a
 * daily rate and holders take it up again as it grows useful. Wallets are
 * not people: adopters also open wallets at other operating banks (the banks'
 * horse race) and visitors and commuters open wallets too; those extra wallets
 * are counts, empty and invisible to the ledger. Every wallet count is kept as
 * it changes (active wallets in a ring of per-day buckets), so a day costs
 * nothing per adopter. e-CNY payments are thinned Poisson processes: an
 * adopter makes occasions at rate r, of which those that reach an accepting
 * merchant (res_reach) where the adopter chooses e-CNY are drawn directly, per
 * category and hour, so the cost is proportional to e-CNY payments, not to
 * residents. Exact in distribution for the model stated; the value of
 * aggregated cash/app purchases uses a normal approximation of the sum of
 * tickets (docs/model.md).
 */
#include "models/world_int.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "models/pay.h"
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

static void swap_adopters(wld_city *c, uint32_t i, uint32_t j)
{
    led_acct w = c->wallet[i];
    uint8_t seg = c->segment[i];
    int16_t last = c->last_pay_day[i];
    c->wallet[i] = c->wallet[j];
    c->segment[i] = c->segment[j];
    c->last_pay_day[i] = c->last_pay_day[j];
    c->wallet[j] = w;
    c->segment[j] = seg;
    c->last_pay_day[j] = last;
}

uint32_t res_open_wallet(wld_world *w, wld_city *c, int segment, int32_t day, gsl_rng *r, bool hard)
{
    if (c->n_adopters >= c->agents)
        return UINT32_MAX;
    int bank = wld_pick_bank(w, r, day);
    bool phone = SEG_PHONE(segment) && !hard;
    int wallet_class = phone ? pick_class(w, r) : 4;
    led_acct acct = led_open(w->ledger, phone ? LED_WALLET : LED_HARD_WALLET, wallet_class, c->bank_acct[bank],
                             (uint16_t)c->index);
    if (acct == LED_NONE)
        return UINT32_MAX; /* sized at load for every resident: cannot happen */
    uint32_t a = c->n_adopters++;
    c->wallet[a] = acct;
    c->segment[a] = (uint8_t)segment;
    c->last_pay_day[a] = RES_NEVER_PAID;
    /* Early adopters use it; the late majority mostly holds it ("downloads
     * soar but usage remains low"): the chance to be engaged falls with the
     * share of the city's potential adopters who already adopted. */
    int64_t potential = 0, adopted = 0;
    for (int s = 0; s < SEGMENTS; s++) {
        potential += c->seg_total[s] - c->seg_never[s];
        adopted += c->seg_adopted[s];
    }
    double late = potential > 0 ? fmin(1.0, (double)adopted / (double)potential) : 1.0;
    /* and in a batch-4 province only where the local pilot has arrived */
    double local = res_rollout_share(w, c, day);
    if (rng_uniform(r) * 100.0 < w->p.engaged_pct * res_engagement(w, c) * (1.0 - late) * local) {
        swap_adopters(c, a, c->n_engaged);
        a = c->n_engaged++;
    }
    if (phone)
        c->wallets_by_class[wallet_class]++;
    else
        c->hard_wallets++;
    c->rural_adopters += !SEG_URBAN(segment);
    c->elderly_adopters += SEG_AGE(segment) == AGE_ELDERLY;
    c->m[M_NEW_WALLETS]++;
    c->wallets_by_bank[bank]++;
    c->new_by_bank[bank]++;
    pay_first_topup(w, c, acct);
    return a;
}

static int operators_on(const wld_world *w, int32_t day)
{
    int n = 0;
    for (int b = 0; b < w->data->n_banks; b++)
        n += w->data->bank[b].joined_day <= day;
    return n;
}

/* The share of an adopter's purchase occasions of category cat at merchants
 * that accept e-CNY. Acceptance is not spread at random: banks set up the
 * first scenarios where invited users shop (canteens, campuses, transit,
 * government), and a resident needs only the few merchants of their own
 * routine to accept. So with a share a of the category's merchants
 * accepting, reach = a (1 + h) / (a + h), h = reach_half_pct / 100: half the
 * occasions at a = h, all of them at a = 1, and a = 0 reaches nothing. */
double res_reach(const wld_world *w, const wld_city *c, int cat)
{
    if (c->merchants_total[cat] == 0 || c->merchants_accepting[cat] == 0)
        return 0.0;
    double a = (double)c->merchants_accepting[cat] / (double)c->merchants_total[cat], h = w->p.reach_half;
    return h > 0 ? a * (1.0 + h) / (a + h) : a;
}

/* How far the wallet's usefulness keeps an adopter engaged, in [0, 1]: the
 * limit share times (1 + weight x usefulness) / (1 + weight), so a wallet
 * accepted everywhere with the published limits keeps engaged_pct engaged
 * and a tight holding limit or no acceptance fewer. */
double res_engagement(const wld_world *w, const wld_city *c)
{
    double u = fmin(1.0, c->usefulness);
    return w->p.limit_factor * (1.0 + w->p.usefulness_weight * u) / (1.0 + w->p.usefulness_weight);
}

/* Today's usefulness of a wallet in city c as people judge it: how widely
 * it is accepted (the occasion-weighted share of merchants accepting:
 * those deciding whether to adopt do not yet shop where it is), plus
 * incentives paid into
 * wallets (vouchers, envelopes, subsidies) per resident over the last ~30
 * days, incentive_weight per 100 yuan. */
static double usefulness(const wld_world *w, const wld_city *c)
{
    double occasions = 0;
    for (int k = 0; k < w->data->n_categories; k++)
        if (c->merchants_total[k] > 0)
            occasions += w->data->category[k].occasion_share * (double)c->merchants_accepting[k] /
                         (double)c->merchants_total[k];
    double per_resident_100yuan = c->agents ? c->incentive_fen_30d / (double)c->agents / 10000.0 : 0.0;
    return occasions + w->p.incentive_weight * per_resident_100yuan;
}

static unsigned binomial(gsl_rng *r, double p, int64_t n)
{
    if (n <= 0 || p <= 0)
        return 0;
    return gsl_ran_binomial(r, fmin(1.0, p), (unsigned)n);
}

double res_rollout_share(const wld_world *w, const wld_city *c, int32_t day)
{
    /* The batch-4 provinces (Guangdong, Jiangsu, Hebei and Sichuan outside
     * their earlier pilot cities, Dec 2022) rolled the pilot out city by city
     * through 2023 (pilot_areas notes, section 1); Hainan was a province-wide
     * pilot from its start. */
    if (c->data->kind != DAT_KIND_PROVINCE || c->data->batch < 4 || w->p.province_rollout_days <= 0)
        return 1.0;
    return fmin(1.0, fmax(0.0, (double)(day - c->pilot_start_day + 1) / w->p.province_rollout_days));
}

/* Share of residents allowed to open a wallet: the pilots began by
 * invitation (whitelists) that the PBOC widened in waves for every pilot
 * area at once, geometrically, from whitelist_start_pct on whitelist_from
 * to everyone over whitelist_days, or at once on the public app launch,
 * whichever comes first. A city joining later starts at the share of the
 * day (the national H2 2021 surge of wallets came in every pilot area). */
double res_invited_share(const wld_world *w, const wld_city *c, int32_t day)
{
    if (day >= w->p.public_app_day)
        return 1.0;
    double start = fmax(w->p.whitelist_start_pct / 100.0, 1e-9);
    double t = fmax(0.0, (double)(day - w->p.whitelist_from_day) / w->p.whitelist_days);
    return fmin(1.0, start * exp(-log(start) * t));
}

/* The adopter share each segment's contacts show (see res_day_start). */
static void contact_shares(const wld_world *w, const wld_city *c, double contact[SEGMENTS])
{
    int64_t area_n[2] = {0, 0}, area_a[2] = {0, 0}, age_n[AGE_BANDS] = {0}, age_a[AGE_BANDS] = {0};
    for (int s = 0; s < SEGMENTS; s++) {
        area_n[SEG_URBAN(s)] += c->seg_total[s];
        area_a[SEG_URBAN(s)] += c->seg_adopted[s];
        age_n[SEG_AGE(s)] += c->seg_total[s];
        age_a[SEG_AGE(s)] += c->seg_adopted[s];
    }
    double city = adopter_share(c);
    double by_area = w->p.contact_area_pct / 100.0, by_age = w->p.contact_age_pct / 100.0;
    double rest = fmax(0.0, 1.0 - by_area - by_age);
    for (int s = 0; s < SEGMENTS; s++) {
        int u = SEG_URBAN(s), a = SEG_AGE(s);
        double area = area_n[u] ? (double)area_a[u] / (double)area_n[u] : 0.0;
        double age = age_n[a] ? (double)age_a[a] / (double)age_n[a] : 0.0;
        contact[s] = by_area * area + by_age * age + rest * city;
    }
}

void res_day_start(wld_world *w, wld_city *c, int32_t day)
{
    gsl_rng *r = c->rng_adoption;
    double share = adopter_share(c);
    double invited = res_invited_share(w, c, day);
    /* Word of mouth goes through contacts: households and neighbours live in
     * the same urban or rural area, workplaces, schools and peers are of the
     * same age band, the rest are city-wide. A segment hears from the
     * adopter share of each group it mixes with (assortative mixing, one
     * share per group and day: no per-resident contact lists). */
    double contact[SEGMENTS];
    contact_shares(w, c, contact);
    /* Incentives paid into wallets count for ~30 days (a decay of 1/30 a day). */
    c->incentive_fen_30d = c->incentive_fen_30d * (29.0 / 30.0) + (double)c->incentive_fen_today;
    c->incentive_fen_today = 0;
    c->usefulness = usefulness(w, c);
    /* A useful wallet is worth opening (León, Moreno & Soramäki 2025:
     * acceptance and subsidies paid in CBDC raise adoption, holding limits
     * restrain it): of the potential adopters, only the share res_engagement
     * (the limit share x (1 + usefulness_weight x usefulness) / (1 +
     * usefulness_weight)) find it worth downloading today, so adoption
     * saturates lower when the wallet is less useful and rises as acceptance
     * spreads; the download chance itself is scaled by the limit share. */
    double worth = res_engagement(w, c);
    double p_aware = w->p.awareness_promo * c->promotion;
    /* Banks' campaigns: fen per million residents a day over the cost of
     * making one resident aware is the share made aware a day. */
    for (int b = 0; b < w->data->n_banks; b++) {
        double spend = wld_bank_marketing_fen(w, b, day);
        if (spend > 0)
            p_aware += spend / 1e6 / w->p.bank_cost_per_aware_fen[b];
    }
    (void)share;
    for (int s = 0; s < SEGMENTS; s++) {
        /* Only invited residents may move down the funnel. */
        int64_t potential = c->seg_total[s] - c->seg_never[s];
        int64_t not_invited = potential - wld_round_agents(w, c, ROUND_INVITED + (uint32_t)s, invited * (double)potential);
        /* Rural outreach programmes add awareness around bank outlets. */
        double p = p_aware + w->p.awareness_wom * contact[s] + (SEG_URBAN(s) ? 0 : c->rural_awareness_boost);
        double p_download = (w->p.download_rate + w->p.download_wom * contact[s]) * w->p.limit_factor;
        /* Before the public app, an invitation is how people heard: the
         * operators told the customers they invited (whitelists). */
        if (day < w->p.public_app_day && invited < 1.0)
            p += w->p.invite_aware_rate;
        int64_t newly_aware = binomial(r, p, c->seg_unaware[s] - not_invited);
        int64_t downloading = binomial(r, SEG_PHONE(s) ? p_download : w->p.hard_wallet_rate, c->seg_aware[s]);
        if (SEG_PHONE(s)) {
            int64_t room = wld_round_agents(w, c, ROUND_WORTH + (uint32_t)s, worth * (double)potential) -
                           c->seg_downloaded[s] - c->seg_adopted[s];
            if (downloading > room)
                downloading = room > 0 ? room : 0;
        }
        int64_t opening = SEG_PHONE(s) ? binomial(r, w->p.open_rate, c->seg_downloaded[s]) : downloading;
        c->seg_unaware[s] -= newly_aware;
        c->seg_aware[s] += newly_aware - downloading;
        if (SEG_PHONE(s))
            c->seg_downloaded[s] += downloading - opening;
        c->seg_adopted[s] += opening;
        for (int64_t k = 0; k < opening; k++)
            res_open_wallet(w, c, s, day, r, false);
    }
    /* Engaged adopters fall dormant, faster when the wallet is less useful:
     * move them past the engaged range. */
    int64_t dormant = binomial(r, w->p.dormancy_rate / fmax(0.05, res_engagement(w, c)), c->n_engaged);
    for (int64_t k = 0; k < dormant && c->n_engaged > 0; k++) {
        uint32_t pick = rng_below(r, c->n_engaged);
        c->n_engaged--;
        swap_adopters(c, pick, c->n_engaged);
    }
    /* Dormant holders take it up again as it grows useful (acceptance spreads
     * to their routine, incentives land in their wallet): without this every
     * engaged adopter would end dormant and a city's activity die out as its
     * wallets grow, while published transactions per resident keep rising
     * (Changsha: ~72,000 a day early in 2023, ~180,000 a day by August). */
    int64_t holding = (int64_t)c->n_adopters - (int64_t)c->n_engaged;
    int64_t back = binomial(r, w->p.reactivation_rate * res_engagement(w, c), holding);
    for (int64_t k = 0; k < back && c->n_engaged < c->n_adopters; k++) {
        uint32_t pick = c->n_engaged + rng_below(r, c->n_adopters - c->n_engaged);
        swap_adopters(c, pick, c->n_engaged);
        c->n_engaged++;
    }
    /* Wallets at further operating banks, for soft-wallet adopters. */
    int64_t soft = c->n_adopters - c->hard_wallets;
    int others = operators_on(w, day) - 1;
    int64_t room = soft * (others < w->p.extra_wallets_max ? others : w->p.extra_wallets_max) - c->extra_wallets;
    c->extra_wallets += binomial(r, w->p.extra_wallet_rate, room);
    /* Clear the activity buckets of days that left the ring. */
    if (c->active_ring_day == 0)
        c->active_ring_day = day - 1;
    for (int32_t d = c->active_ring_day + 1; d <= day && d - c->active_ring_day <= ACTIVE_RING; d++)
        c->active_by_day[d % ACTIVE_RING] = 0;
    c->active_ring_day = day;
}

void res_mark_active(wld_city *c, uint32_t a, int32_t day)
{
    int32_t old = c->last_pay_day[a];
    if (old == day)
        return;
    c->ever_paid += old == RES_NEVER_PAID;
    if (old > day - ACTIVE_RING)
        c->active_by_day[old % ACTIVE_RING]--;
    c->active_by_day[day % ACTIVE_RING]++;
    c->last_pay_day[a] = (int16_t)day;
}

/* Posts one drawn e-CNY payment of adopter a (wallet) at merchant under the
 * residents' rule (pay.c). Returns true when it was paid in e-CNY. */
static bool post_one(wld_world *w, wld_city *c, uint32_t a, led_acct merchant, int64_t amount, int32_t day)
{
    pay_rule rule = pay_rule_resident(w);
    if (pay_transfer(w, c, c->wallet[a], merchant, amount, &rule) != LED_OK)
        return false;
    res_mark_active(c, a, day);
    return true;
}

static int64_t ticket_fen(gsl_rng *r, double log_median_fen, double sigma)
{
    int64_t amount = (int64_t)floor(gsl_ran_lognormal(r, log_median_fen, sigma) + 0.5);
    return amount < 1 ? 1 : amount;
}

/* An hour's e-CNY payments are drawn first (the same draws in the same order
 * as one by one: nothing drawn depends on the ledger) and posted in segments
 * with led_pay_many, whose prefetching overlaps the cache misses of
 * consecutive payments. Exactly as posting them one by one, because:
 * - within a segment every payer is a different adopter (a repeated payer
 *   starts a new segment), so the top-up and retry of a refused payment,
 *   made after the segment, see the wallet as it was at that payment (only
 *   that payment touches it), and top-ups keep their order among themselves
 *   (payments never touch a bank's vault or reserve);
 * - merchants have no balance cap, so crediting them in another order
 *   changes nothing but which payment first finds one empty: the merchant
 *   joins paid_today at its first paid payment of the segment if its
 *   balance was 0 before the segment, as one by one.
 * Only the ledger's trace sequence numbers would interleave differently, so
 * with a trace on, payments are posted one by one. */
enum { SHOP_SEG = 512, SHOP_HASH = 2048 /* power of 2, >= 2 x SHOP_SEG */ };
typedef struct {
    uint32_t n, gen;
    uint32_t adopter[SHOP_SEG];
    const led_acct *merchant_at[SHOP_SEG]; /* slot in accepting[cat]: read at the flush */
    led_leg leg[SHOP_SEG];
    int64_t merchant_fen[SHOP_SEG]; /* the merchant's balance before the segment */
    uint8_t reason[SHOP_SEG];
    uint32_t payer_key[SHOP_HASH], payer_gen[SHOP_HASH]; /* adopters in the segment */
    led_acct seen_key[SHOP_HASH];                      /* merchants pushed to paid_today */
    uint32_t seen_gen[SHOP_HASH];
} shop_batch;

static _Thread_local shop_batch shop;

static uint32_t shop_slot(uint32_t key)
{
    return (uint32_t)(key * 2654435761u) >> (32 - 11); /* log2(SHOP_HASH) */
}

/* Adds key to the set (keys, gens) of this generation; false when already there. */
static bool shop_insert(uint32_t *keys, uint32_t *gens, uint32_t gen, uint32_t key)
{
    for (uint32_t s = shop_slot(key);; s = (s + 1) & (SHOP_HASH - 1)) {
        if (gens[s] != gen) {
            gens[s] = gen;
            keys[s] = key;
            return true;
        }
        if (keys[s] == key)
            return false;
    }
}

static void shop_next_gen(shop_batch *b)
{
    b->n = 0;
    if (++b->gen == 0) { /* wrapped: forget every stamp */
        memset(b->payer_gen, 0, sizeof b->payer_gen);
        memset(b->seen_gen, 0, sizeof b->seen_gen);
        b->gen = 1;
    }
}

static void shop_flush(wld_world *w, wld_city *c, shop_batch *b, int32_t day)
{
    uint32_t n = b->n;
    if (n == 0)
        return;
    for (uint32_t j = 0; j < n; j++) {
        b->leg[j].from = c->wallet[b->adopter[j]];
        b->leg[j].to = *b->merchant_at[j];
    }
    for (uint32_t j = 0; j < n; j++)
        b->merchant_fen[j] = led_balance(w->ledger, b->leg[j].to);
    led_pay_many(w->ledger, b->leg, n, b->reason);
    /* the merchant is handed on here: empty before the segment, first paid in it */
    pay_rule rule = pay_rule_resident(w);
    rule.payee = PAY_PAYEE_KEEPS;
    for (uint32_t j = 0; j < n; j++) {
        led_acct merchant = b->leg[j].to;
        if (pay_settle(w, c, &b->leg[j], (enum led_reason)b->reason[j], &rule) != LED_OK) {
            c->m[M_PAYMENTS_APP]++; /* refused or short: the adopter pays by app instead */
            continue;
        }
        if (b->merchant_fen[j] == 0 && shop_insert(b->seen_key, b->seen_gen, b->gen, merchant) &&
            c->n_paid_today < c->merchants_all)
            c->paid_today[c->n_paid_today++] = merchant;
        res_mark_active(c, b->adopter[j], day);
    }
    shop_next_gen(b);
}

void res_shop_hour(wld_world *w, wld_city *c, int32_t day, int hour)
{
    /* Engaged adopters pay with e-CNY at every accepting occasion they
     * choose it; holders who are not engaged still do now and then, at
     * casual_pct of that (a subsidy to spend, a fare, a promotion): many
     * rare users beside few frequent ones, as the published activity count
     * (Changzhou: 13 % of residents active) beside transactions per resident
     * (Changsha: ~0.02 a day) needs. Payers weigh 1 (engaged) or casual. */
    double casual = w->p.casual_pct / 100.0;
    double holders = (double)(c->n_adopters - c->n_engaged);
    double payers = (double)c->n_engaged + casual * holders;
    if (payers <= 0)
        return;
    gsl_rng *r = c->rng_shopping;
    bool batch = !w->trace_on;
    shop_batch *b = &shop;
    if (batch)
        shop_next_gen(b);
    double rate = payers * w->p.occasions_per_day * day_factor(w, day) * res_hour_weight[hour] * w->p.ecny_choice;
    for (int cat = 0; cat < w->data->n_categories; cat++) {
        if (c->merchants_accepting[cat] == 0)
            continue;
        const dat_category *k = &w->data->category[cat];
        double lambda = rate * k->occasion_share * res_reach(w, c, cat);
        double log_median = log(k->ticket_median_yuan * 100.0), sigma = k->ticket_sigma;
        unsigned n = gsl_ran_poisson(r, lambda);
        for (unsigned i = 0; i < n; i++) {
            /* the draws of one payment, in this order: adopter, merchant, ticket */
            double x = rng_uniform(r) * payers;
            uint32_t a = x < (double)c->n_engaged
                             ? (uint32_t)x
                             : c->n_engaged + (uint32_t)fmin(holders - 1, floor((x - c->n_engaged) / casual));
            if (!batch) {
                led_acct merchant;
                if (!mer_pick_accepting(w, c, cat, &merchant) ||
                    !post_one(w, c, a, merchant, ticket_fen(r, log_median, sigma), day))
                    c->m[M_PAYMENTS_APP]++; /* refused or short: the adopter pays by app instead */
                continue;
            }
            /* mer_pick_accepting's draw (merchants_accepting[cat] > 0 here);
             * the slot is read at the flush, its cache miss overlapped */
            const led_acct *merchant_at = &c->accepting[cat][rng_below(r, c->merchants_accepting[cat])];
            int64_t amount = ticket_fen(r, log_median, sigma);
            if (b->n == SHOP_SEG || !shop_insert(b->payer_key, b->payer_gen, b->gen, a)) {
                shop_flush(w, c, b, day);
                shop_insert(b->payer_key, b->payer_gen, b->gen, a);
            }
            __builtin_prefetch(&c->wallet[a]);
            __builtin_prefetch(&c->last_pay_day[a]);
            __builtin_prefetch(merchant_at);
            b->adopter[b->n] = a;
            b->merchant_at[b->n] = merchant_at;
            b->leg[b->n] = (led_leg){LED_NONE, LED_NONE, amount};
            b->n++;
        }
    }
    if (batch)
        shop_flush(w, c, b, day);
}

/* Sum of n tickets: exact mean, normal approximation of the spread. */
static int64_t tickets_value(const wld_world *w, gsl_rng *r, int64_t n)
{
    if (n <= 0)
        return 0;
    double v = (double)n * w->ticket_mean_fen + gsl_ran_gaussian(r, w->ticket_sd_fen * sqrt((double)n));
    return v > 0 ? (int64_t)llround(v) : 0;
}

/* At a month's end residents move what their soft wallets hold above a
 * working balance back to their bank deposit: e-CNY pays no interest and
 * competes with money-market funds in the apps (fact sheet: "interest-free
 * balances compete with money-market funds"), so subsidies and pensions paid
 * into wallets do not pile up (circulation 13.6 bn yuan at the end of 2022,
 * 16.5 bn in June 2023, while the value paid grew tenfold). Earmarked money
 * and hard wallets (offline balances) stay. */
static void sweep_balances(wld_world *w, wld_city *c, int32_t day)
{
    int year, month, mday;
    cal_ymd(day, &year, &month, &mday);
    if (w->p.keep_fen <= 0 || mday != cal_days_in_month(year, month))
        return;
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        led_acct acct = c->wallet[a];
        if (led_kind(w->ledger, acct) != LED_WALLET)
            continue;
        int64_t free_fen = led_balance(w->ledger, acct) - led_earmarked(w->ledger, acct);
        if (free_fen > w->p.keep_fen)
            pay_redeem(w, c, acct, free_fen - w->p.keep_fen);
    }
}

void res_day_end(wld_world *w, wld_city *c, int32_t day)
{
    sweep_balances(w, c, day);
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

    int64_t aware = 0, downloads = 0;
    for (int s = 0; s < SEGMENTS; s++) {
        aware += c->seg_aware[s] + c->seg_downloaded[s] + c->seg_adopted[s];
        downloads += c->seg_downloaded[s] + (SEG_PHONE(s) ? c->seg_adopted[s] : 0);
    }
    int64_t own = c->n_adopters + c->extra_wallets;
    /* Visitors and commuters could open one only once invitations reached
     * them (the closed tests of 2020 had ~122,000 wallets, 93 % personal,
     * for about as many testers): their share grows with the invited share. */
    double invited = res_invited_share(w, c, day);
    int64_t visitors = (int64_t)llround((double)own * w->p.visitor_wallet_pct / 100.0 * invited);
    c->m[M_AWARE] = aware;
    c->m[M_DOWNLOADS] = downloads + visitors;
    c->m[M_ADOPTERS] = c->n_adopters;
    c->m[M_WALLETS] = own + visitors;
    for (int k = 1; k <= 4; k++)
        c->m[M_WALLETS_C1 + k - 1] = c->wallets_by_class[k];
    c->m[M_HARD_WALLETS] = c->hard_wallets;
    int64_t active = 0;
    for (int32_t d = day - w->p.active_window_days + 1; d <= day; d++)
        active += c->active_by_day[((d % ACTIVE_RING) + ACTIVE_RING) % ACTIVE_RING];
    c->m[M_ACTIVE_WALLETS] = active;
    c->m[M_EVER_PAID] = c->ever_paid;
    c->m[M_RURAL_WALLETS] = c->rural_adopters;
    c->m[M_ENGAGED] = c->n_engaged;
    c->m[M_USEFULNESS_PERMILLE] = llround(1000.0 * c->usefulness);
    c->m[M_ELDERLY_WALLETS] = c->elderly_adopters;
}
