/* world.c: builds the economy of a scenario and publishes its daily metrics.
 *
 * Every city gets its own random streams, seeded from (scenario seed, the
 * city's stable data id, purpose), and touches only its own agents and
 * accounts, so a city's rows do not depend on which other cities are in the
 * scenario. Memory is sized once here from the scenario (agents, merchants,
 * ledger accounts) and checked against memory_limit_gib before allocation.
 * Each per-city hook (a day's start and end, an hour's event) names its city
 * to SIM_ASSERT's context (sim_assert_city) while it works, then clears it:
 * a store per city and hook, none per payment.
 */
#include "models/world_int.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/flows.h"
#include "models/programme.h"
#include "sim/assert.h"
#include "sim/calendar.h"
#include "sim/rng.h"

enum { EV_SHOP = 1, EV_B2B = 2, EV_FISCAL = 3 };

int64_t wld_round_agents(const wld_world *w, const wld_city *c, uint32_t key, double x)
{
    uint64_t h = rng_mix(rng_stream_seed(w->seed, c->data->id, RNG_ADOPTION), key);
    double u = (double)(h >> 11) * 0x1.0p-53;
    if (!(x > 0))
        return 0;
    /* floor(x + u) as floor(x) + [u >= 1 - frac(x)]: the sum itself could
     * round up to the next integer when x is whole and u within half an ulp
     * of 1, one above the bound x */
    double whole = floor(x);
    return (int64_t)whole + (u >= 1.0 - (x - whole));
}

/* Published limits (data/sources.md, ecny_facts 1.1); class 3 is not
 * published and interpolated. Values in fen, 0 = no cap. */
static const led_class_limits published_limits[4] = {
    {0, 0, 0, 0},
    {50000000, 5000000, 10000000, 0},
    {2000000, 500000, 1000000, 10000000},
    {1000000, 200000, 500000, 5000000},
};

/* Age bands of residents, 2020 census: 60+ is 18.7 %; under 35 about 40 %. */
static const double age_share[AGE_BANDS] = {0.41, 0.403, 0.187};
#define NON_ELDERLY_SMARTPHONE 0.97

static const char *const daily_fixed_columns[M_REJECTED_FIRST] = {
    "population", "aware", "downloads", "adopters", "wallets", "wallets_class1", "wallets_class2", "wallets_class3", "wallets_class4",
    "hard_wallets", "new_wallets", "active_wallets", "rural_wallets", "elderly_wallets",
    "payments_ecny", "value_ecny_fen", "value_retail_fen", "value_b2b_fen", "value_gov_fen", "value_loans_fen",
    "public_wallets", "payments_app", "value_app_fen", "payments_cash", "value_cash_fen",
    "merchants", "merchants_accepting", "circulation_fen", "topups", "topup_value_fen", "redemptions",
    "redemption_value_fen", "value_fiscal_fen", "value_tax_fen", "engaged_adopters", "usefulness_permille", "payments_retail",
    "ever_paid_wallets",
};
/* daily.csv ends with a rejected_<reason> column per ledger reason. */
static const char *daily_columns[M_COUNT];
static char rejected_names[LED_REASONS][48];

#define LEDGER_COLUMNS (2 * LED_TRANSFER_KINDS + 2)
static const char *ledger_columns[LEDGER_COLUMNS];
static char ledger_column_names[LEDGER_COLUMNS][48];

static void init_ledger_columns(void)
{
    for (int k = 0; k < LED_TRANSFER_KINDS; k++) {
        snprintf(ledger_column_names[2 * k], 48, "%s_count", led_transfer_kind_name((enum led_transfer_kind)k));
        snprintf(ledger_column_names[2 * k + 1], 48, "%s_value_fen",
                 led_transfer_kind_name((enum led_transfer_kind)k));
    }
    snprintf(ledger_column_names[2 * LED_TRANSFER_KINDS], 48, "rejected");
    snprintf(ledger_column_names[2 * LED_TRANSFER_KINDS + 1], 48, "circulation_fen");
    for (int i = 0; i < LEDGER_COLUMNS; i++)
        ledger_columns[i] = ledger_column_names[i];
    for (int i = 0; i < M_REJECTED_FIRST; i++)
        daily_columns[i] = daily_fixed_columns[i];
    for (int r = 1; r < LED_REASONS; r++) {
        snprintf(rejected_names[r], sizeof rejected_names[r], "rejected_%s", led_reason_name((enum led_reason)r));
        daily_columns[M_REJECTED_FIRST + r - 1] = rejected_names[r];
    }
}


bool wld_daily_column_exists(const char *name)
{
    init_ledger_columns();
    for (int i = 0; i < M_COUNT; i++)
        if (daily_columns[i] && strcmp(daily_columns[i], name) == 0)
            return true;
    return false;
}

static void read_params(const scn_doc *doc, wld_params *p)
{
    const scn_instance *a = scn_single(doc, "adoption"), *pay = scn_single(doc, "payments"),
                       *m = scn_single(doc, "merchants");
    p->awareness_promo = scn_real(a, "awareness_promo");
    p->awareness_wom = scn_real(a, "awareness_wom");
    p->whitelist_start_pct = scn_real(a, "whitelist_start_pct");
    p->extra_wallets_max = (int)scn_int(a, "extra_wallets_max");
    p->whitelist_days = (int32_t)scn_int(a, "whitelist_days");
    p->whitelist_from_day = scn_date(a, "whitelist_from");
    p->public_app_day = scn_date(a, "public_app_date");
    p->download_rate = scn_real(a, "download_rate");
    p->download_wom = scn_real(a, "download_wom");
    p->open_rate = scn_real(a, "open_rate");
    p->extra_wallet_rate = scn_real(a, "extra_wallet_rate");
    p->province_rollout_days = scn_real(a, "province_rollout_days");
    p->visitor_wallet_pct = scn_real(a, "visitor_wallet_pct");
    p->engaged_pct = scn_real(a, "engaged_pct");
    p->dormancy_rate = scn_real(a, "dormancy_rate");
    p->reactivation_rate = scn_real(a, "reactivation_rate");
    p->ceiling_pct = scn_real(a, "ceiling_pct");
    p->invite_aware_rate = scn_real(a, "invite_aware_rate");
    p->usefulness_weight = scn_real(a, "usefulness_weight");
    p->incentive_weight = scn_real(a, "incentive_weight");
    p->hard_wallet_rate = scn_real(a, "hard_wallet_rate");
    p->class_pct[0] = scn_real(a, "class1_pct");
    p->class_pct[1] = scn_real(a, "class2_pct");
    p->class_pct[2] = scn_real(a, "class3_pct");
    p->class_pct[3] = 100.0 - p->class_pct[0] - p->class_pct[1] - p->class_pct[2];
    p->first_topup_fen = scn_fen(a, "first_topup_yuan");
    const scn_instance *cp = scn_single(doc, "campaign");
    p->holder_act_per_day = scn_real(cp, "holder_act_per_day");
    p->use_up_share = scn_real(cp, "use_up_pct") / 100.0;
    p->open_per_day = scn_real(cp, "open_per_day");
    p->open_age_factor[0] = 1.0;
    p->open_age_factor[1] = scn_real(cp, "open_middle_factor");
    p->open_age_factor[2] = scn_real(cp, "open_elderly_factor");
    p->occasions_per_day = scn_real(pay, "occasions_per_day");
    p->ecny_choice = scn_real(pay, "ecny_choice");
    p->casual_pct = scn_real(pay, "casual_pct");
    p->reach_half = scn_real(pay, "reach_half_pct") / 100.0;
    p->app_share = scn_real(pay, "app_pct") / 100.0;
    p->weekend_factor = scn_real(pay, "weekend_factor");
    p->topup_fen = scn_fen(pay, "topup_yuan");
    p->keep_fen = scn_fen(pay, "keep_yuan");
    p->active_window_days = (int)scn_int(pay, "active_window_days");
    p->accept_base = scn_real(m, "accept_base");
    p->app_fee_pct = scn_real(m, "app_fee_pct");
    p->fee_weight = scn_real(m, "fee_weight");
    p->demand_weight = scn_real(m, "demand_weight");
    p->onboard_per_million = scn_real(m, "onboard_per_million");
    p->platform_factor = scn_real(m, "platform_factor");
    p->platform_day = scn_date(m, "platform_from");
    p->gdp_ref_yuan = (double)scn_fen(m, "gdp_ref_yuan") / 100.0; /* exact fen, a real only for the ratio */
    p->gdp_elasticity = scn_real(m, "gdp_elasticity");
    p->must_accept = scn_bool(m, "must_accept");
    const scn_instance *f = scn_single(doc, "firms"), *g = scn_single(doc, "government");
    p->firm_large_pct = scn_real(f, "large_pct");
    p->firm_large_factor = scn_real(f, "large_factor");
    p->firm_adopt_base = scn_real(f, "adopt_base");
    p->firm_adopt_peer = scn_real(f, "adopt_peer");
    p->firm_b2b_per_day = scn_real(f, "b2b_per_day");
    p->firm_ticket_median_fen = (double)scn_fen(f, "b2b_ticket_median_yuan");
    p->firm_ticket_sigma = scn_real(f, "b2b_ticket_sigma");
    p->firm_tax_ecny_pct = scn_real(f, "tax_ecny_pct");
    p->firm_tax_median_fen = (double)scn_fen(f, "tax_median_yuan");
    p->firm_engaged_pct = scn_real(f, "engaged_pct");
    p->firm_engage_rate = scn_real(f, "engage_rate");
    p->gov_start_day = scn_has(g, "start") ? scn_date(g, "start") : 0;
    p->gov_spending_gdp_pct = scn_real(g, "spending_gdp_pct");
    p->gov_ramp_days = (int32_t)scn_int(g, "ramp_days");
    p->gov_ecny_pct = scn_real(g, "ecny_pct");
    p->gov_g2p_pct = scn_real(g, "g2p_pct");
    p->gov_g2b_median_fen = (double)scn_fen(g, "g2b_median_yuan");
    p->gov_g2p_median_fen = (double)scn_fen(g, "g2p_median_yuan");
    p->horse_race_weight = scn_real(a, "horse_race_weight");
    p->contact_area_pct = scn_real(a, "contact_area_pct");
    p->contact_age_pct = scn_real(a, "contact_age_pct");
}

/* [bank.NAME] campaigns: NAME must be a bank of data/banks.csv. */
static void read_bank_campaigns(const scn_doc *doc, const dat_set *data, wld_params *p, err_list *errs)
{
    for (size_t i = 0; i < scn_count(doc, "bank"); i++) {
        const scn_instance *in = scn_nth(doc, "bank", i);
        int b = -1;
        size_t best = SIZE_MAX;
        const char *hint = NULL;
        for (int k = 0; k < data->n_banks; k++) {
            if (strcmp(data->bank[k].bank, scn_name(in)) == 0)
                b = k;
            size_t d = scn_edit_distance(scn_name(in), data->bank[k].bank);
            if (d < best) {
                best = d;
                hint = data->bank[k].bank;
            }
        }
        char where[600];
        scn_where(doc, in, NULL, where, sizeof where);
        if (b < 0) {
            err_add(errs, "%s: [bank.%s] is not a bank of data/banks.csv%s%s%s", where, scn_name(in),
                    hint && best <= 2 ? " (did you mean '" : ": expected one of its 'bank' values",
                    hint && best <= 2 ? hint : "", hint && best <= 2 ? "'?)" : "");
            continue;
        }
        p->bank_marketing_fen[b] = scn_fen(in, "marketing_yuan_per_million");
        p->bank_cost_per_aware_fen[b] = scn_fen(in, "cost_per_aware_yuan");
        p->bank_campaign_start[b] = scn_has(in, "start") ? scn_date(in, "start") : INT32_MIN;
        p->bank_campaign_end[b] = scn_has(in, "end") ? scn_date(in, "end") : INT32_MAX;
        if (p->bank_campaign_end[b] < p->bank_campaign_start[b]) {
            scn_where(doc, in, "end", where, sizeof where);
            err_add(errs, "%s: end in [bank.%s] is before start: expected on or after it", where, scn_name(in));
        }
    }
}

int64_t wld_bank_marketing_fen(const wld_world *w, int bank, int32_t day)
{
    SIM_ASSERT(w && bank >= 0 && bank < DAT_MAX_BANKS, "bank %d of %d", bank, DAT_MAX_BANKS);
    const wld_params *p = &w->p;
    if (p->bank_marketing_fen[bank] <= 0 || day < p->bank_campaign_start[bank] || day > p->bank_campaign_end[bank] ||
        w->data->bank[bank].joined_day > day)
        return 0;
    return p->bank_marketing_fen[bank];
}

int wld_pick_bank(const wld_world *w, gsl_rng *r, int32_t day)
{
    double weight[DAT_MAX_BANKS], total = 0;
    for (int b = 0; b < w->data->n_banks; b++) {
        weight[b] = w->data->bank[b].joined_day <= day ? w->data->bank[b].market_share : 0;
        /* 100,000 fen = 1,000 yuan per million residents a day */
        weight[b] *= 1.0 + w->p.horse_race_weight * (double)wld_bank_marketing_fen(w, b, day) / 100000.0;
        total += weight[b];
    }
    if (total <= 0)
        return 0;
    double u = rng_uniform(r) * total;
    for (int b = 0; b < w->data->n_banks; b++) {
        if (weight[b] <= 0)
            continue;
        u -= weight[b];
        if (u < 0)
            return b;
    }
    return 0;
}

static bool read_limits(const scn_doc *doc, led_class_limits limits[4], err_list *errs)
{
    memcpy(limits, published_limits, sizeof published_limits);
    bool ok = true;
    for (size_t i = 0; i < scn_count(doc, "wallet_class"); i++) {
        const scn_instance *in = scn_nth(doc, "wallet_class", i);
        const char *n = scn_name(in);
        if (strlen(n) != 1 || n[0] < '1' || n[0] > '4') {
            char where[512];
            scn_where(doc, in, NULL, where, sizeof where);
            err_add(errs, "%s: section [wallet_class.%s]: expected NAME 1, 2, 3 or 4", where, n);
            ok = false;
            continue;
        }
        led_class_limits *l = &limits[n[0] - '1'];
        if (scn_has(in, "balance_cap_yuan"))
            l->balance_cap_fen = scn_fen(in, "balance_cap_yuan");
        if (scn_has(in, "per_payment_yuan"))
            l->per_payment_fen = scn_fen(in, "per_payment_yuan");
        if (scn_has(in, "daily_yuan"))
            l->daily_fen = scn_fen(in, "daily_yuan");
        if (scn_has(in, "annual_yuan"))
            l->annual_fen = scn_fen(in, "annual_yuan");
    }
    return ok;
}

static void set_segments(wld_world *w, wld_city *c, double urban_pct, double elderly_phone_pct)
{
    /* Split agents by largest remainders so segments add up exactly. */
    double share[SEGMENTS];
    for (int s = 0; s < SEGMENTS; s++) {
        double u = SEG_URBAN(s) ? urban_pct / 100.0 : 1.0 - urban_pct / 100.0;
        int age = SEG_AGE(s);
        double phone = age == AGE_ELDERLY ? elderly_phone_pct / 100.0 : NON_ELDERLY_SMARTPHONE;
        share[s] = u * age_share[age] * (SEG_PHONE(s) ? phone : 1.0 - phone);
    }
    int64_t assigned = 0;
    double rem[SEGMENTS];
    for (int s = 0; s < SEGMENTS; s++) {
        double exact = share[s] * c->agents;
        c->seg_total[s] = (int64_t)floor(exact);
        rem[s] = exact - (double)c->seg_total[s];
        assigned += c->seg_total[s];
    }
    while (assigned < (int64_t)c->agents) {
        int best = 0;
        for (int s = 1; s < SEGMENTS; s++)
            if (rem[s] > rem[best])
                best = s;
        c->seg_total[best]++;
        rem[best] = -1;
        assigned++;
    }
    /* Who would ever open a wallet: ceiling_pct of every segment (hard
     * wallets reach those without a smartphone through outlets and
     * programmes). The rest never enter the funnel. */
    for (int s = 0; s < SEGMENTS; s++) {
        double willing = w->p.ceiling_pct / 100.0;
        c->seg_never[s] = c->seg_total[s] - wld_round_agents(w, c, ROUND_NEVER + (uint32_t)s, willing * (double)c->seg_total[s]);
        c->seg_unaware[s] = c->seg_total[s] - c->seg_never[s];
        c->seg_aware[s] = c->seg_adopted[s] = 0;
    }
}

/* The share of purchases a wallet can make under its class's limits: the
 * occasion-weighted share of tickets at or below the smaller of the balance
 * cap and the per-payment cap, averaged over the classes new wallets open
 * at. 1 with the published limits (caps far above retail tickets); a tight
 * holding limit makes the wallet less useful (ECB holding-limit work). */
static double limit_share(const wld_world *w, const dat_set *data, const led_class_limits limits[4])
{
    double total = 0;
    for (int k = 0; k < 4; k++) {
        int64_t cap = limits[k].balance_cap_fen;
        if (limits[k].per_payment_fen > 0 && (cap == 0 || limits[k].per_payment_fen < cap))
            cap = limits[k].per_payment_fen;
        double share = 0;
        for (int j = 0; j < data->n_categories; j++) {
            const dat_category *cat = &data->category[j];
            double below = cap > 0 ? gsl_cdf_lognormal_P((double)cap, log(cat->ticket_median_yuan * 100.0),
                                                         cat->ticket_sigma)
                                   : 1.0;
            share += cat->occasion_share * below;
        }
        total += w->p.class_pct[k] / 100.0 * share;
    }
    return total;
}

static uint32_t merchants_of(const wld_world *w, const wld_city *c, double per_1000, int cat)
{
    double total = (double)c->agents * c->gdp_factor * per_1000 / 1000.0 * w->data->category[cat].merchant_share;
    uint32_t n = (uint32_t)llround(total);
    return n ? n : 1;
}

wld_world *wld_create(const scn_doc *doc, const dat_set *data, err_list *errs)
{
    return wld_create_owned(doc, data, NULL, 0, errs);
}

wld_world *wld_create_owned(const scn_doc *doc, const dat_set *data, const int *city_rank, int rank,
                            err_list *errs)
{
    SIM_ASSERT(doc && data && errs, "a scenario, its data and an error list");
    int before = errs->count;
    const scn_instance *sc = scn_single(doc, "scenario");
    char where[600];
    wld_world *w = calloc(1, sizeof *w);
    if (!w) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    w->data = data;
    read_params(doc, &w->p);
    w->start_day = scn_date(sc, "start");
    w->seed = (uint64_t)scn_int(sc, "seed");
    w->scale = scn_int(sc, "scale");
    const char *check = scn_str(sc, "check_ledger");
    w->check_ledger = strcmp(check, "full") == 0    ? LED_CHECK_FULL
                      : strcmp(check, "false") == 0 ? LED_CHECK_OFF
                                                    : LED_CHECK_SAMPLED;
    /* The run's length comes from 'end' or 'days'. A manifest writes both
     * (they agree); a --set of one overrides the other given in the file. */
    bool use_end = scn_has(sc, "end");
    if (use_end && scn_is_set(sc, "days") && scn_int(sc, "days") != (int64_t)scn_date(sc, "end") - w->start_day + 1) {
        bool days_by_set = scn_is_override(sc, "days"), end_by_set = scn_is_override(sc, "end");
        if (days_by_set != end_by_set) {
            use_end = end_by_set;
        } else {
            scn_where(doc, sc, "end", where, sizeof where);
            err_add(errs, "%s: [scenario] gives both 'end' and 'days' and they disagree: expected one of them",
                    where);
        }
    }
    if (use_end) {
        int32_t end = scn_date(sc, "end");
        scn_where(doc, sc, "end", where, sizeof where);
        if (end < w->start_day)
            err_add(errs, "%s: 'end' in [scenario] is %s, before 'start' %s: expected end on or after start", where,
                    scn_str(sc, "end"), scn_str(sc, "start"));
        w->n_days = end - w->start_day + 1;
    } else {
        w->n_days = (int32_t)scn_int(sc, "days");
    }
    /* Adopters keep their last payment day in int16 (world_int.h). The
     * schema's dates (up to 2035 + 7305 days) are far below this. */
    if ((int64_t)w->start_day + w->n_days > INT16_MAX)
        err_add(errs, "[scenario] runs past 2059-09-17: expected a run that ends by then (adopters keep their "
                      "last payment day in 16 bits)");
    if (w->p.class_pct[3] < -1e-9) {
        const scn_instance *a = scn_single(doc, "adoption");
        scn_where(doc, a, "class3_pct", where, sizeof where);
        err_add(errs, "%s: class1_pct + class2_pct + class3_pct in [adoption] is %.1f: expected at most 100", where,
                100.0 - w->p.class_pct[3]);
    }
    led_class_limits limits[4];
    read_limits(doc, limits, errs);
    w->p.limit_factor = limit_share(w, data, limits);
    for (int k = 0; k < 4; k++)
        w->p.balance_cap_fen[k] = limits[k].balance_cap_fen;
    read_bank_campaigns(doc, data, &w->p, errs);

    w->n_cities = (int)scn_count(doc, "city");
    w->city = calloc((size_t)w->n_cities, sizeof *w->city);
    if (!w->city || (city_rank && !(w->city_rank = malloc(((size_t)w->n_cities + 1) * sizeof *w->city_rank)))) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        wld_free(w);
        return NULL;
    }
    if (city_rank)
        memcpy(w->city_rank, city_rank, (size_t)w->n_cities * sizeof *w->city_rank);
    const scn_instance *ad = scn_single(doc, "adoption");
    const scn_instance *mer = scn_single(doc, "merchants");
    double per_1000 = scn_real(mer, "per_1000_residents");
    double firms_per_1000 = scn_real(scn_single(doc, "firms"), "per_1000_residents");
    uint64_t accounts = 1 + 4096; /* issuer, programme pools */ /* issuer, banks, programme pools */
    uint64_t agent_bytes = 0;
    for (int i = 0; i < w->n_cities; i++) {
        const scn_instance *in = scn_nth(doc, "city", (size_t)i);
        wld_city *c = &w->city[i];
        c->index = i;
        c->owned = !city_rank || city_rank[i] == rank;
        const char *area = scn_has(in, "area") ? scn_str(in, "area") : scn_name(in);
        scn_where(doc, in, scn_has(in, "area") ? "area" : NULL, where, sizeof where);
        c->data = dat_find_city(data, area);
        if (!c->data) {
            const char *names[DAT_MAX_CITIES];
            size_t best = SIZE_MAX;
            const char *hint = NULL;
            for (int k = 0; k < data->n_cities; k++) {
                names[k] = data->city[k].area;
                size_t d = scn_edit_distance(area, names[k]);
                if (d < best) {
                    best = d;
                    hint = names[k];
                }
            }
            err_add(errs, "%s: city '%s' is not an area in %s/cities.csv%s%s%s", where, area,
                    scn_str(sc, "data_dir"), hint && best <= 3 ? " (did you mean '" : ": expected one of its 'area' values",
                    hint && best <= 3 ? hint : "", hint && best <= 3 ? "'?)" : "");
            continue;
        }
        for (int k = 0; k < i; k++)
            if (w->city[k].data == c->data)
                err_add(errs, "%s: area '%s' is simulated twice (also [city.%s]): expected each area once", where,
                        area, w->city[k].name);
        snprintf(c->name, sizeof c->name, "%s", scn_name(in));
        c->pilot_start_day = scn_has(in, "pilot_start") ? scn_date(in, "pilot_start") : c->data->pilot_start_day;
        c->promotion = scn_real(in, "promotion");
        c->people = scn_int(in, "population") ? scn_int(in, "population") : c->data->population;
        c->agents = (uint32_t)((c->people + w->scale / 2) / w->scale);
        if ((uint64_t)((c->people + w->scale / 2) / w->scale) > UINT32_MAX - 1) {
            err_add(errs, "%s: [city.%s] would have %lld agents: expected at most %u (raise 'scale' in [scenario])",
                    where, c->name, (long long)(c->people / w->scale), UINT32_MAX - 1);
            continue;
        }
        if (c->agents == 0)
            c->agents = 1;
        double gdp = c->data->gdp_per_capita_yuan > 0 ? c->data->gdp_per_capita_yuan : w->p.gdp_ref_yuan;
        c->gdp_factor = pow(gdp / w->p.gdp_ref_yuan, w->p.gdp_elasticity);
        double urban = scn_real(in, "urban_pct") >= 0 ? scn_real(in, "urban_pct") : c->data->urban_pct;
        set_segments(w, c, urban, scn_real(ad, "elderly_smartphone_pct"));
        /* every resident without a smartphone who may adopt could hold a hard
         * wallet, which takes a ledger side record: room for all of them
         * (Xiong'an reaches 2.5 % of residents by 2025, past the ledger's
         * default room of accounts / 64 at 1:1) */
        for (int s = 0; s < SEGMENTS; s++)
            if (!SEG_PHONE(s))
                w->ext_reserve += (uint64_t)(c->seg_total[s] - c->seg_never[s]);
        uint64_t merchants = 0;
        for (int k = 0; k < data->n_categories; k++) {
            c->merchants_total[k] = merchants_of(w, c, per_1000, k);
            merchants += c->merchants_total[k];
        }
        c->merchants_all = (uint32_t)merchants;
        uint32_t firms = (uint32_t)llround((double)c->agents * c->gdp_factor * firms_per_1000 / 1000.0);
        c->firms.total[1] = (uint32_t)llround(firms * w->p.firm_large_pct / 100.0);
        c->firms.total[0] = firms - c->firms.total[1];
        if (!c->owned)
            continue; /* another rank simulates it: nothing to size here */
        accounts += c->agents + merchants + firms + 1 + (uint64_t)data->n_banks;
        agent_bytes += (uint64_t)c->agents * (sizeof *c->wallet + sizeof *c->segment + sizeof *c->last_pay_day) +
                       merchants * 2 * sizeof(led_acct) + (uint64_t)firms * 2 * sizeof(led_acct);
    }
    if (errs->count != before) {
        wld_free(w);
        return NULL;
    }
    /* Pilot history: every city from its pilot start, whatever the
     * scenario's start. The earliest pilot start of all cities (not only
     * this rank's), so every rank runs the same days. */
    w->doc = doc;
    w->scenario_start_day = w->hist_start_day = w->start_day;
    snprintf(w->history_cache, sizeof w->history_cache, "%s", scn_str(sc, "history_cache"));
    if (scn_bool(sc, "history")) {
        for (int i = 0; i < w->n_cities; i++)
            if (w->city[i].pilot_start_day < w->hist_start_day)
                w->hist_start_day = w->city[i].pilot_start_day;
        if (w->hist_start_day < w->start_day && scn_bool(sc, "write_history")) {
            w->n_days += w->start_day - w->hist_start_day; /* the history is part of the output */
            w->start_day = w->hist_start_day;
        } else if (w->hist_start_day < w->start_day) {
            w->hist_pending = true;
        }
    }
    w->prg = prg_create(doc, w, &accounts, errs);
    if (!w->prg) {
        wld_free(w);
        return NULL;
    }
    if (city_rank && prg_count(w->prg) > 0) {
        err_add(errs, "%s: programmes and KPIs run with every city in one process, not split over ranks "
                      "(docs/distributed.md)", scn_path(doc));
        wld_free(w);
        return NULL;
    }
    w->flows = flw_create(doc, w, &accounts, errs);
    if (!w->flows) {
        wld_free(w);
        return NULL;
    }
    if (accounts > UINT32_MAX - 1) {
        err_add(errs, "%s:%d: the scenario needs %llu ledger accounts: expected at most %u (raise 'scale' in [scenario])",
                scn_path(doc), scn_line(sc, "scale"), (unsigned long long)accounts, UINT32_MAX - 1);
        wld_free(w);
        return NULL;
    }
    w->max_accounts = (uint32_t)accounts;
    /* the ledger as it will be sized: side records for every hard wallet the
     * programmes hand out (each is an account, so never more than those) */
    led_config cfg;
    led_config_default(&cfg, w->max_accounts, (uint32_t)w->n_cities, limits);
    cfg.max_ext += w->ext_reserve < w->max_accounts ? (uint32_t)w->ext_reserve : w->max_accounts;
    w->bytes = agent_bytes + led_bytes_needed_ex(&cfg) + (uint64_t)w->account_bitmaps * (w->max_accounts / 8 + 1);
    double limit_gib = scn_real(sc, "memory_limit_gib");
    if ((double)w->bytes > limit_gib * 1073741824.0) {
        err_add(errs, "%s:%d: this run needs %.1f GiB for %llu agents and %u accounts: expected at most %.1f GiB "
                      "(raise 'scale' or 'memory_limit_gib' in [scenario])",
                scn_path(doc), scn_line(sc, "scale"), (double)w->bytes / 1073741824.0,
                (unsigned long long)wld_agents(w), w->max_accounts, limit_gib);
        wld_free(w);
        return NULL;
    }

    w->ledger = led_alloc_ex(&cfg);
    if (!w->ledger) {
        double gib = (double)led_bytes_needed_ex(&cfg) / 1073741824.0;
        if (gib >= 1.0)
            err_add_kind(errs, ERR_MEMORY, "cannot allocate the ledger for %u accounts (%.1f GiB): raise 'scale' in [scenario]",
                    w->max_accounts, gib);
        else
            err_add_kind(errs, ERR_MEMORY, "out of memory allocating the ledger (%u accounts)", w->max_accounts);
        wld_free(w);
        return NULL;
    }
    const char *overflow = scn_str(scn_single(doc, "payments"), "balance_cap_overflow");
    w->p.overflow_sweep = strcmp(overflow, "sweep") == 0;
    led_set_overflow_policy(w->ledger, w->p.overflow_sweep ? LED_OVERFLOW_SWEEP : LED_OVERFLOW_REJECT);
    for (int i = 0; i < w->n_cities; i++) {
        for (int b = 0; b < data->n_banks && w->city[i].owned; b++) {
            led_acct branch = led_open(w->ledger, LED_BANK, 0, LED_NONE, (uint16_t)i);
            w->city[i].bank_acct[b] = branch;
            /* Operating banks hold ample reserve: the 100 % reserve rule binds
             * through issuance, not through a shortage of deposits. */
            led_set_reserve(w->ledger, branch, INT64_C(1) << 56);
        }
    }
    /* Occasion-weighted mean and sd of a ticket, for aggregated cash/app values. */
    double mean = 0, second = 0;
    for (int k = 0; k < data->n_categories; k++) {
        const dat_category *cat = &data->category[k];
        double mu = log(cat->ticket_median_yuan * 100.0), s2 = cat->ticket_sigma * cat->ticket_sigma;
        mean += cat->occasion_share * exp(mu + s2 / 2);
        second += cat->occasion_share * exp(2 * mu + 2 * s2);
    }
    w->ticket_mean_fen = mean;
    w->ticket_sd_fen = sqrt(fmax(second - mean * mean, 0));

    for (int i = 0; i < w->n_cities; i++) {
        wld_city *c = &w->city[i];
        if (!c->owned)
            continue;
        uint32_t id = c->data->id;
        c->rng_population = rng_stream_alloc(w->seed, id, RNG_POPULATION);
        c->rng_adoption = rng_stream_alloc(w->seed, id, RNG_ADOPTION);
        c->rng_shopping = rng_stream_alloc(w->seed, id, RNG_SHOPPING);
        c->rng_merchants = rng_stream_alloc(w->seed, id, RNG_MERCHANTS);
        c->rng_firms = rng_stream_alloc(w->seed, id, RNG_FIRMS);
        c->rng_government = rng_stream_alloc(w->seed, id, RNG_GOVERNMENT);
        c->firms.wallet[0] = malloc(((size_t)c->firms.total[0] + 1) * sizeof(led_acct));
        c->firms.wallet[1] = malloc(((size_t)c->firms.total[1] + 1) * sizeof(led_acct));
        c->firms.paid_today = malloc(((size_t)c->firms.total[0] + c->firms.total[1] + 2) * sizeof(led_acct));
        c->firms.treasury = led_open(w->ledger, LED_GOVERNMENT, 0, c->bank_acct[0], (uint16_t)i);
        c->wallet = malloc((size_t)c->agents * sizeof *c->wallet);
        c->segment = malloc((size_t)c->agents);
        c->last_pay_day = malloc((size_t)c->agents * sizeof *c->last_pay_day);
        c->paid_today = malloc((size_t)c->merchants_all * sizeof *c->paid_today);
        bool ok = c->rng_firms && c->rng_government && c->firms.wallet[0] && c->firms.wallet[1] &&
                  c->firms.paid_today && c->rng_population && c->rng_adoption && c->rng_shopping && c->rng_merchants && c->wallet &&
                  c->segment && c->last_pay_day && c->paid_today;
        for (int k = 0; k < data->n_categories && ok; k++)
            ok = (c->accepting[k] = malloc((size_t)c->merchants_total[k] * sizeof(led_acct))) != NULL;
        if (!ok) {
            err_add_kind(errs, ERR_MEMORY, "out of memory building [city.%s] (%u agents): raise 'scale' in [scenario]", c->name,
                    c->agents);
            wld_free(w);
            return NULL;
        }
    }

    init_ledger_columns();
    w->snap_city = calloc((size_t)w->n_cities + 1, sizeof *w->snap_city);
    w->daily_values = calloc((size_t)w->n_cities * M_COUNT, sizeof *w->daily_values);
    w->ledger_values = calloc(((size_t)w->n_cities + 1) * LEDGER_COLUMNS, sizeof *w->ledger_values);
    w->row_city = calloc((size_t)w->n_cities + 1, sizeof *w->row_city);
    w->bank_values = calloc((size_t)data->n_banks * BANK_COLUMNS + 1, sizeof *w->bank_values);
    if (!w->snap_city || !w->daily_values || !w->ledger_values || !w->row_city || !w->bank_values) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        wld_free(w);
        return NULL;
    }
    for (int i = 0; i < w->n_cities; i++) {
        w->snap_city[i] = (snap_city){w->city[i].name, w->city[i].data->name, w->city[i].data->lat,
                                      w->city[i].data->lon};
        w->row_city[i] = w->city[i].name;
    }
    w->row_city[w->n_cities] = "all";
    w->frame.n_cities = w->n_cities;
    w->frame.city = w->snap_city;
    w->frame.n_tables = 3;
    w->frame.table[0] = (snap_table){"daily.csv", M_COUNT, daily_columns, w->daily_values, w->n_cities, w->row_city,
                                     NULL, 0, NULL};
    w->frame.table[1] = (snap_table){"ledger.csv", LEDGER_COLUMNS, ledger_columns, w->ledger_values,
                                     w->n_cities + 1, w->row_city, NULL, 0, NULL};
    /* banks.csv: the horse race, one row per operating bank, all cities */
    static const char *const bank_columns[BANK_COLUMNS] = {"wallets", "new_wallets", "merchants",
                                                           "marketing_fen"};
    for (int b = 0; b < data->n_banks; b++)
        w->bank_row[b] = data->bank[b].bank;
    w->frame.table[2] = (snap_table){"banks.csv", BANK_COLUMNS, bank_columns, w->bank_values, data->n_banks,
                                     w->bank_row, "bank", 0, NULL};
    /* With a history to run, programmes and flows are set up after it (at
     * wld_attach): the history's accounts come first, as in a cached one. */
    if (!w->hist_pending && (!prg_setup(w->prg, w, &w->frame, errs) || !flw_setup(w->flows, w, &w->frame, errs))) {
        wld_free(w);
        return NULL;
    }
    return w;
}

void wld_free(wld_world *w)
{
    if (!w)
        return;
    for (int i = 0; w->city && i < w->n_cities; i++) {
        wld_city *c = &w->city[i];
        gsl_rng_free(c->rng_population);
        gsl_rng_free(c->rng_adoption);
        gsl_rng_free(c->rng_shopping);
        gsl_rng_free(c->rng_merchants);
        gsl_rng_free(c->rng_firms);
        gsl_rng_free(c->rng_government);
        free(c->firms.wallet[0]);
        free(c->firms.wallet[1]);
        free(c->firms.paid_today);
        free(c->wallet);
        free(c->segment);
        free(c->last_pay_day);
        free(c->paid_today);
        for (int k = 0; k < DAT_MAX_CATEGORIES; k++)
            free(c->accepting[k]);
    }
    prg_free(w->prg);
    flw_free(w->flows);
    free(w->city_rank);
    free(w->city);
    led_free(w->ledger);
    free(w->snap_city);
    free(w->daily_values);
    free(w->ledger_values);
    free(w->row_city);
    free(w->bank_values);
    free(w);
}

int32_t wld_start_day(const wld_world *w) { return w->start_day; }
int32_t wld_days(const wld_world *w) { return w->n_days; }
uint64_t wld_seed(const wld_world *w) { return w->seed; }
uint64_t wld_bytes(const wld_world *w) { return w->bytes; }
const led_ledger *wld_ledger(const wld_world *w) { return w->ledger; }
const char *wld_failure(const wld_world *w) { return w->failure[0] ? w->failure : NULL; }

uint64_t wld_agents(const wld_world *w)
{
    uint64_t n = 0;
    for (int i = 0; i < w->n_cities; i++)
        n += w->city[i].agents;
    return n;
}

static void on_shop(void *ctx, eng_engine *eng, const ev_event *e)
{
    wld_world *w = ctx;
    int32_t day = w->start_day + (int32_t)(e->time_s / CAL_DAY_S);
    sim_assert_city(e->city);
    res_shop_hour(w, &w->city[e->city], day, (int)e->arg);
    sim_assert_city(-1);
}

static void on_b2b(void *ctx, eng_engine *eng, const ev_event *e)
{
    wld_world *w = ctx;
    sim_assert_city(e->city);
    firm_business_hour(w, &w->city[e->city], w->start_day + (int32_t)(e->time_s / CAL_DAY_S));
    sim_assert_city(-1);
}

static void on_fiscal(void *ctx, eng_engine *eng, const ev_event *e)
{
    wld_world *w = ctx;
    sim_assert_city(e->city);
    gov_fiscal_hour(w, &w->city[e->city], w->start_day + (int32_t)(e->time_s / CAL_DAY_S));
    sim_assert_city(-1);
}

static void on_day_start(void *ctx, eng_engine *eng, int32_t day_index)
{
    wld_world *w = ctx;
    int32_t day = w->start_day + day_index;
    led_day_begin(w->ledger, day);
    for (int i = 0; i < w->n_cities; i++) {
        wld_city *c = &w->city[i];
        memset(c->m, 0, sizeof c->m);
        memset(c->new_by_bank, 0, sizeof c->new_by_bank);
        if (!c->owned || day < c->pilot_start_day)
            continue;
        sim_assert_city(i); /* a failed SIM_ASSERT names the city (sim/assert.h) */
        mer_day_start(w, c, day);
        res_day_start(w, c, day);
        firm_day_start(w, c, day);
        int64_t base = (int64_t)day_index * CAL_DAY_S;
        if (!eng_schedule(eng, base + 10 * CAL_HOUR_S, EV_B2B, (uint16_t)i, 0, 0) ||
            !eng_schedule(eng, base + 11 * CAL_HOUR_S, EV_FISCAL, (uint16_t)i, 0, 0) ||
            !eng_schedule(eng, base + 15 * CAL_HOUR_S, EV_B2B, (uint16_t)i, 0, 1)) {
            sim_assert_city(-1);
            eng_fail(eng, "the event queue is full");
            return;
        }
        for (int h = 0; h < 24; h++) {
            if (res_hour_weight[h] <= 0)
                continue;
            int64_t t = (int64_t)day_index * CAL_DAY_S + (int64_t)h * CAL_HOUR_S;
            if (!eng_schedule(eng, t, EV_SHOP, (uint16_t)i, 0, h)) {
                sim_assert_city(-1);
                eng_fail(eng, "the event queue is full");
                return;
            }
        }
    }
    sim_assert_city(-1);
    if (w->in_history)
        return; /* the pilot history: no programme, no flow */
    flw_day_start(w->flows, w, day);
    if (!prg_day_start(w->prg, w, eng, day, day_index))
        eng_fail(eng, w->failure); /* a programme could not go on */
}

static void on_programme(void *ctx, eng_engine *eng, const ev_event *e)
{
    wld_world *w = ctx;
    if (!prg_on_event(w->prg, w, w->start_day + (int32_t)(e->time_s / CAL_DAY_S), e->arg))
        eng_fail(eng, w->failure); /* a programme could not go on */
}

static void publish(wld_world *w, int32_t day, int32_t day_index)
{
    int64_t *all = &w->ledger_values[(size_t)w->n_cities * LEDGER_COLUMNS];
    memset(all, 0, LEDGER_COLUMNS * sizeof *all);
    for (int i = 0; i < w->n_cities; i++) {
        wld_city *c = &w->city[i];
        const led_day_stats *st = led_day(w->ledger, (uint16_t)i);
        for (int r = 1; r < LED_REASONS; r++)
            c->m[M_REJECTED_FIRST + r - 1] = (int64_t)st->rejected[r];
        /* daily.csv speaks of people: one agent stands for 'scale' of them. */
        int64_t *out = &w->daily_values[(size_t)i * M_COUNT];
        for (int j = 0; j < M_COUNT; j++)
            out[j] = j == M_POPULATION || j == M_MERCHANTS || j == M_USEFULNESS_PERMILLE ? c->m[j] : c->m[j] * w->scale;
        int64_t *row = &w->ledger_values[(size_t)i * LEDGER_COLUMNS];
        int64_t rejected = 0;
        for (int k = 0; k < LED_TRANSFER_KINDS; k++) {
            row[2 * k] = (int64_t)st->count[k];
            row[2 * k + 1] = st->value_fen[k];
        }
        for (int r = 1; r < LED_REASONS; r++)
            rejected += (int64_t)st->rejected[r];
        row[2 * LED_TRANSFER_KINDS] = rejected;
        row[2 * LED_TRANSFER_KINDS + 1] = c->circulation_fen;
        for (int k = 0; k < LEDGER_COLUMNS; k++)
            all[k] += row[k];
    }
    /* The "all" row is the sum of the city rows, circulation included, so it
     * is the same however the cities are spread over processes (a rank's
     * ledger sees only its cities). Programme pools and banks' vaults are
     * not in a city's circulation: led_circulation(w->ledger) has them. */
    /* banks.csv sums the cities (in people, like daily.csv; marketing in
     * real fen), so it too is the same however cities are spread. */
    memset(w->bank_values, 0, (size_t)w->data->n_banks * BANK_COLUMNS * sizeof *w->bank_values);
    for (int i = 0; i < w->n_cities; i++) {
        const wld_city *c = &w->city[i];
        if (!c->owned)
            continue;
        for (int b = 0; b < w->data->n_banks; b++) {
            int64_t *row = &w->bank_values[(size_t)b * BANK_COLUMNS];
            row[BANK_WALLETS] += c->wallets_by_bank[b] * w->scale;
            row[BANK_NEW_WALLETS] += c->new_by_bank[b] * w->scale;
            row[BANK_MERCHANTS] += c->merchants_by_bank[b] * w->scale;
            if (day >= c->pilot_start_day)
                row[BANK_MARKETING] += llround((double)wld_bank_marketing_fen(w, b, day) * (double)c->people / 1e6);
        }
    }
    if (!w->in_history)
        flw_publish(w->flows, w);
    w->frame.day = day;
    w->frame.day_index = day_index;
}

/* With balance_cap_overflow = sweep the ledger itself redeems what a credit
 * puts over a wallet's cap (it counts them as redemptions of the wallet's
 * city); everything else is redeemed through pay_redeem, which counts it
 * under the account's own city (every account is opened in the city whose
 * model redeems it). The difference of today's counts is the sweeps: they
 * leave the city's circulation and are redemptions too (pay.c's invariant).
 * A negative difference would mean a redemption counted under another city. */
static void count_overflow_sweeps(wld_world *w)
{
    for (int i = 0; i < w->n_cities; i++) {
        wld_city *c = &w->city[i];
        if (!c->owned)
            continue;
        const led_day_stats *st = led_day(w->ledger, (uint16_t)i);
        int64_t n = (int64_t)st->count[LED_T_REDEEM] - c->m[M_REDEMPTIONS];
        int64_t value = st->value_fen[LED_T_REDEEM] - c->m[M_REDEMPTION_VALUE];
        SIM_ASSERT(n >= 0 && value >= 0, "city %d: %lld redemptions (%lld fen) the ledger did not make", i,
                   (long long)-n, (long long)-value);
        if (n == 0)
            continue;
        c->m[M_REDEMPTIONS] += n;
        c->m[M_REDEMPTION_VALUE] += value;
        c->circulation_fen -= value;
        c->m[M_CIRCULATION] = c->circulation_fen;
    }
}

static void on_day_end(void *ctx, eng_engine *eng, int32_t day_index)
{
    wld_world *w = ctx;
    int32_t day = w->start_day + day_index;
    for (int i = 0; i < w->n_cities; i++) {
        wld_city *c = &w->city[i];
        if (!c->owned)
            continue; /* its rows stay zero here: its own rank publishes them */
        sim_assert_city(i);
        if (day >= c->pilot_start_day) {
            res_day_end(w, c, day);
            mer_day_end(w, c, day);
            firm_day_end(w, c, day);
        }
        c->m[M_POPULATION] = c->people;
        c->m[M_MERCHANTS] = (int64_t)c->merchants_all * w->scale;
        c->pay_ring[day & 7] = c->m[M_PAYMENTS_ECNY]; /* programmes' uplift (programme.c) */
        c->value_ring[day & 7] = c->m[M_VALUE_RETAIL];
        c->m[M_CIRCULATION] = c->circulation_fen;
    }
    sim_assert_city(-1);
    /* Every rank reaches this each day: the flows' exchange is collective
     * (every rank runs the same history days, without flows). */
    if (!w->in_history && !flw_day_end(w->flows, w, day, w->failure, sizeof w->failure)) {
        eng_fail(eng, w->failure);
        return;
    }
    if (!w->in_history && !prg_day_end(w->prg, w, day)) {
        eng_fail(eng, w->failure); /* a programme could not go on */
        return;
    }
    if (w->p.overflow_sweep)
        count_overflow_sweeps(w);
    if (w->check_ledger != LED_CHECK_OFF) {
        char why[256];
        if (!led_check_day(w->ledger, (enum led_check_mode)w->check_ledger, why, sizeof why)) {
            char date[CAL_DATE_LEN];
            cal_format(day, date);
            snprintf(w->failure, sizeof w->failure, "ledger invariant broken on %s (seed %llu): %s", date,
                     (unsigned long long)w->seed, why);
            eng_fail(eng, w->failure);
            return;
        }
    }
    publish(w, day, day_index);
}

bool wld_attach_economy(wld_world *w, eng_engine *eng)
{
    return eng_on_event(eng, EV_SHOP, on_shop, w) && eng_on_event(eng, EV_B2B, on_b2b, w) &&
           eng_on_event(eng, EV_FISCAL, on_fiscal, w) && eng_on_day_start(eng, on_day_start, w) &&
           eng_on_day_end(eng, on_day_end, w);
}

bool wld_attach(wld_world *w, eng_engine *eng)
{
    SIM_ASSERT(w && eng, "a world and an engine");
    if (w->hist_pending) {
        /* The pilot history, then the programmes and flows meet the city it left. */
        if (!hst_run(w))
            return false;
        w->hist_pending = false;
        err_list errs;
        err_init(&errs);
        if (!prg_setup(w->prg, w, &w->frame, &errs) || !flw_setup(w->flows, w, &w->frame, &errs)) {
            snprintf(w->failure, sizeof w->failure, "%s", errs.count ? errs.msg[0] : "out of memory");
            return false;
        }
    }
    return wld_attach_economy(w, eng) && eng_on_event(eng, PRG_EVENT_KIND, on_programme, w);
}

void wld_set_trace(wld_world *w, led_trace_fn fn, void *ctx, double rate)
{
    SIM_ASSERT(w && rate >= 0 && rate <= 1, "trace rate %g in [0, 1]", rate);
    led_set_trace(w->ledger, fn, ctx, rate);
    w->trace_on = fn != NULL && rate > 0;
}

const snap_frame *wld_frame(const wld_world *w)
{
    return &w->frame;
}
