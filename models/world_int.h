/* world_int.h: the world's internal layout, for the economy's own files
 * (world, world_checkpoint, residents, merchants, firms, government, history;
 * the programmes through programme.h) and the tests that inspect agents.
 * Agents are columns indexed by uint32. */
#ifndef ECNYSIM_WORLD_INT_H
#define ECNYSIM_WORLD_INT_H

#include <gsl/gsl_rng.h>

#include "models/world.h"

/* Residents are grouped in segments: urban/rural x age band x smartphone.
 * Non-adopters are counts per segment (invisible to the ledger); adopters
 * become agents with a wallet account. */
enum { AGE_YOUNG, AGE_MIDDLE, AGE_ELDERLY, AGE_BANDS };
#define SEGMENTS (2 * AGE_BANDS * 2)
#define SEG(urban, age, phone) (((urban) * AGE_BANDS + (age)) * 2 + (phone))
#define SEG_URBAN(s) ((s) / (AGE_BANDS * 2))
#define SEG_AGE(s) (((s) / 2) % AGE_BANDS)
#define SEG_PHONE(s) ((s) % 2)
#define ACTIVE_RING 384 /* > the longest active window (365 days) */
#define RES_NEVER_PAID INT16_MIN /* last_pay_day of an adopter that never paid */

/* Daily metrics of a city, in the order of the daily.csv columns. */
enum {
    M_POPULATION, M_AWARE, M_DOWNLOADS, M_ADOPTERS, M_WALLETS, M_WALLETS_C1, M_WALLETS_C2, M_WALLETS_C3, M_WALLETS_C4,
    M_HARD_WALLETS, M_NEW_WALLETS, M_ACTIVE_WALLETS, M_RURAL_WALLETS, M_ELDERLY_WALLETS,
    M_PAYMENTS_ECNY, M_VALUE_ECNY, M_VALUE_RETAIL, M_VALUE_B2B, M_VALUE_GOV, M_VALUE_LOANS,
    M_PUBLIC_WALLETS, M_PAYMENTS_APP, M_VALUE_APP, M_PAYMENTS_CASH, M_VALUE_CASH,
    M_MERCHANTS, M_MERCHANTS_ACCEPTING, M_CIRCULATION, M_TOPUPS, M_TOPUP_VALUE, M_REDEMPTIONS,
    M_REDEMPTION_VALUE, M_VALUE_FISCAL, M_VALUE_TAX, M_ENGAGED, M_USEFULNESS_PERMILLE, M_PAYMENTS_RETAIL, M_EVER_PAID, M_REJECTED_FIRST,
    M_COUNT = M_REJECTED_FIRST + LED_REASONS - 1
};

typedef struct {
    double occasions_per_day, ecny_choice, casual_pct, app_share, weekend_factor, reach_half;
    int64_t topup_fen, first_topup_fen;
    int64_t keep_fen; /* a resident's working balance: more goes back to the bank at month end (0: none) */
    int64_t balance_cap_fen[4]; /* classes 1..4, 0 = none */
    int active_window_days;
    double awareness_promo, awareness_wom, download_rate, download_wom, open_rate, hard_wallet_rate;
    double province_rollout_days;
    double extra_wallet_rate, visitor_wallet_pct, engaged_pct, dormancy_rate, reactivation_rate;
    /* campaigns ([campaign]): friction of claiming by segment */
    double holder_act_per_day, open_per_day, open_age_factor[3], use_up_share;
    /* people are not wallets: who ever adopts, and what a wallet is good for */
    double ceiling_pct, usefulness_weight, incentive_weight, limit_factor, invite_aware_rate;
    double whitelist_start_pct;
    int extra_wallets_max;
    int32_t whitelist_days, public_app_day, whitelist_from_day;
    double class_pct[4]; /* classes 1..4 */
    double accept_base, app_fee_pct, fee_weight, demand_weight, onboard_per_million;
    double platform_factor; /* acceptance and onboarding x this from platform_day (payment platforms onboard) */
    int32_t platform_day;
    double gdp_ref_yuan, gdp_elasticity; /* market entities per resident grow with GDP per resident */
    bool must_accept;
    bool overflow_sweep; /* balance_cap_overflow = sweep: the ledger redeems credits over a cap itself */
    /* firms */
    double firm_adopt_base, firm_adopt_peer, firm_large_pct, firm_b2b_per_day, firm_large_factor;
    double firm_ticket_median_fen, firm_ticket_sigma, firm_tax_ecny_pct, firm_tax_median_fen, firm_engaged_pct, firm_engage_rate;
    /* government */
    double gov_spending_gdp_pct, gov_ecny_pct, gov_g2p_pct, gov_g2b_median_fen, gov_g2p_median_fen;
    int32_t gov_start_day; /* 0: with the pilot */
    int32_t gov_ramp_days; /* days over which the e-CNY share of fiscal spending reaches gov_ecny_pct */
    /* operating banks' marketing campaigns ([bank.NAME]) */
    double horse_race_weight;
    double contact_area_pct, contact_age_pct; /* word of mouth by group */
    int64_t bank_marketing_fen[DAT_MAX_BANKS]; /* per million residents per day */
    int64_t bank_cost_per_aware_fen[DAT_MAX_BANKS];
    int32_t bank_campaign_start[DAT_MAX_BANKS], bank_campaign_end[DAT_MAX_BANKS];
} wld_params;

/* Firms of a city: counts, and the public wallets of those that adopted.
 * Large firms are kept apart because they pay many times more often. */
typedef struct {
    uint32_t total[2];    /* [0] small and medium, [1] large */
    uint32_t adopted[2];  /* wallet[size][0 .. engaged[size]) pay suppliers in e-CNY; the rest hold one */
    uint32_t engaged[2];
    led_acct *wallet[2];
    led_acct *paid_today; /* firms holding takings to redeem at day end */
    uint32_t n_paid_today;
    led_acct treasury;    /* the city government's wallet */
} wld_firms;

typedef struct {
    int index;               /* in the scenario */
    const dat_city *data;
    char name[DAT_NAME_LEN];
    int32_t pilot_start_day;
    double promotion;
    int64_t people;          /* real residents */
    double gdp_factor;       /* (GDP per resident / gdp_ref_yuan)^gdp_elasticity */
    int64_t seg_never[SEGMENTS]; /* residents who never open a wallet (above the ceiling) */
    double usefulness;       /* today's usefulness of a wallet, 0..~1 (res_day_start) */
    double incentive_fen_30d; /* e-CNY incentives paid to residents, decayed over ~30 days */
    int64_t incentive_fen_today;
    int64_t pay_ring[8], value_ring[8]; /* e-CNY payments and retail (P2B) value of the last 8 days, by day & 7 (uplift) */
    uint32_t agents;         /* residents simulated (people / scale) */
    int64_t seg_total[SEGMENTS], seg_unaware[SEGMENTS], seg_aware[SEGMENTS], seg_downloaded[SEGMENTS],
        seg_adopted[SEGMENTS];
    /* adopters: columns. engaged adopters [0, n_engaged) use e-CNY for
     * everyday purchases; the rest hold a wallet they rarely use (dormant). */
    uint32_t n_adopters, n_engaged;
    led_acct *wallet;
    uint8_t *segment;
    int16_t *last_pay_day;   /* day number of the last payment (fits: the schema's
                                dates end by 2055, day 32767 is 2059-09-18;
                                world.c checks); RES_NEVER_PAID before the first */
    /* wallet counts kept as they change, so a day costs nothing per adopter */
    int64_t wallets_by_class[5], hard_wallets, rural_adopters, elderly_adopters, extra_wallets;
    int64_t ever_paid; /* adopters whose wallet has paid at least once (derived from last_pay_day) */
    int64_t active_by_day[ACTIVE_RING]; /* adopters whose last payment was on that day */
    wld_firms firms;
    /* each operating bank's branch in this city: its e-CNY vault, so one
     * city's conversions never depend on another's */
    led_acct bank_acct[DAT_MAX_BANKS];
    /* the horse race: residents whose first wallet is at each bank, today's
     * new ones, and accepting merchants by their bank */
    int64_t wallets_by_bank[DAT_MAX_BANKS], new_by_bank[DAT_MAX_BANKS], merchants_by_bank[DAT_MAX_BANKS];
    int32_t active_ring_day;            /* the day active_by_day[day % ACTIVE_RING] last held */
    /* merchants by category: totals and the accounts of accepting ones */
    uint32_t merchants_total[DAT_MAX_CATEGORIES];
    uint32_t merchants_accepting[DAT_MAX_CATEGORIES];
    /* the daily chance's expected starts summed since the pilot began, and how
     * many of them happened: starts are floor(due + u) - done (merchants.c) */
    double accept_due[DAT_MAX_CATEGORIES];
    uint32_t accept_done[DAT_MAX_CATEGORIES];
    led_acct *accepting[DAT_MAX_CATEGORIES];
    led_acct *paid_today; /* merchants with a non-zero balance to redeem */
    uint32_t n_paid_today, merchants_all;
    int64_t circulation_fen;
    gsl_rng *rng_adoption, *rng_shopping, *rng_merchants, *rng_population, *rng_firms, *rng_government;
    int64_t m[M_COUNT];      /* today's metrics */
    int64_t ledger_row[2 * LED_TRANSFER_KINDS + 2];
    /* Programmes (models/rural.c): extra daily awareness chance of rural
     * residents from outreach around outlets; 0 without programmes. The
     * residents model adds it to p_aware of rural segments. */
    double rural_awareness_boost;
    /* Distribution (sim/dist.h): false when another rank simulates this
     * city; its agents are then not allocated and its rows stay zero. */
    bool owned;
} wld_city;

struct wld_world {
    const dat_set *data;
    wld_params p;
    int32_t start_day, n_days;
    uint64_t seed;
    int64_t scale;
    int check_ledger; /* enum led_check_mode */
    int n_cities;
    wld_city *city;
    led_ledger *ledger;
    uint32_t max_accounts;
    uint64_t ext_reserve; /* side records (hard wallets, offline devices) programmes need beyond the ledger's default room */
    int account_bitmaps;  /* programmes holding a bit per ledger account (open voucher campaigns) */
    uint64_t bytes;
    /* category weights */
    double ticket_mean_fen, ticket_sd_fen;
    /* published frame */
    snap_city *snap_city;
    int64_t *daily_values, *ledger_values;
    const char **row_city;
    const char *bank_row[DAT_MAX_BANKS];
    int64_t *bank_values; /* banks.csv: [bank * BANK_COLUMNS + column] */
    snap_frame frame;
    char failure[512];
    struct prg_set *prg; /* pilot programmes and KPIs (models/programme.h) */
    struct flw_set *flows; /* cross-city flows (models/flows.h) */
    int *city_rank;        /* owning rank of each city; NULL: this process owns all */
    bool trace_on;         /* a ledger trace is set: post payments one by one (residents.c) */
    /* Pilot history (history.c): the days from the earliest pilot start to
     * the scenario start, run at wld_attach before programmes and flows are
     * set up, unless write_history moved start_day back to run them as output. */
    int32_t scenario_start_day;   /* [scenario] start (start_day unless write_history) */
    int32_t hist_start_day;       /* the first history day (= scenario_start_day: none) */
    bool hist_pending;            /* history to run at wld_attach; programmes set up after it */
    bool in_history;              /* the day hooks skip programmes and flows */
    char history_cache[4096];     /* folder of cached histories, "" = none */
    const scn_doc *doc;           /* the scenario (history key, deferred programme set-up) */
};

/* history.c (prefix hst_): runs the pilot history into w, from the cache
 * when it holds it (then fills it). False with w->failure set when a day
 * failed or a cached file is unusable. */
bool hst_run(wld_world *w);
/* The hash of everything that determines the history of w. */
uint64_t hst_key(const wld_world *w);
/* world.c, for history.c: the economy's handlers without programmes, and a
 * city's checkpoint fields. */
bool wld_attach_economy(wld_world *w, eng_engine *eng);
struct ckp_writer;
struct ckp_reader;
void wld_city_save(const wld_world *w, const wld_city *c, struct ckp_writer *ck);
void wld_city_load(const wld_world *w, wld_city *c, struct ckp_reader *ck);

/* The marketing a bank spends today, fen per million residents per day. */
int64_t wld_bank_marketing_fen(const wld_world *w, int bank, int32_t day);
/* Picks an operating bank active on day, weighted by market share and by
 * today's marketing (the horse race). */
int wld_pick_bank(const wld_world *w, gsl_rng *r, int32_t day);
enum { BANK_WALLETS, BANK_NEW_WALLETS, BANK_MERCHANTS, BANK_MARKETING, BANK_COLUMNS };

/* residents.c */
void res_day_start(wld_world *w, wld_city *c, int32_t day);
void res_shop_hour(wld_world *w, wld_city *c, int32_t day, int hour);
void res_day_end(wld_world *w, wld_city *c, int32_t day);
/* Makes one resident of segment an adopter with a wallet (a hard wallet when
 * hard or without a smartphone); the caller moves the segment counts.
 * Returns the adopter's index, UINT32_MAX when every resident has one. */
uint32_t res_open_wallet(wld_world *w, wld_city *c, int segment, int32_t day, gsl_rng *r, bool hard);
/* Share of an adopter's occasions of category cat that meet an accepting merchant. */
double res_reach(const wld_world *w, const wld_city *c, int cat);
/* Share of residents (and firms) allowed to open a wallet on day: the
 * invitation-only phases, then everyone from the public app launch. */
double res_invited_share(const wld_world *w, const wld_city *c, int32_t day);
/* The share of an area its pilot has reached: 1, except for a province-wide
 * extension (a batch-4 province), which reaches its cities one after another
 * over province_rollout_days from its pilot start; a new adopter there is
 * engaged only with this chance (the wallet is opened and held elsewhere). */
double res_rollout_share(const wld_world *w, const wld_city *c, int32_t day);
/* The share of new adopters' engagement the wallet's usefulness allows, 0..1. */
double res_engagement(const wld_world *w, const wld_city *c);
/* Records that adopter a paid on day (active-wallet counts). */
void res_mark_active(wld_city *c, uint32_t a, int32_t day);
extern const double res_hour_weight[24];

/* A count of agents that stands for x people-agents rounded to a whole one:
 * floor(x + u), u a uniform in [0, 1) fixed for (the run's seed, the city,
 * key). Its mean over seeds is x, so a coarse scale (1 agent for 2,000
 * people) has the expectation of 1:1 (a plain floor loses up to one agent
 * per segment a day: every first invitation of a small segment), and it is
 * monotone in x from one day to the next, unlike a fresh draw each day. */
int64_t wld_round_agents(const wld_world *w, const wld_city *c, uint32_t key, double x);
/* keys: one range per use, each as long as its index (segments, categories) */
enum {
    ROUND_INVITED = 0,
    ROUND_WORTH = SEGMENTS,
    ROUND_NEVER = 2 * SEGMENTS,
    ROUND_LARGE_FIRMS = 3 * SEGMENTS,
    ROUND_ACCEPT,
    ROUND_ACCEPT_END = ROUND_ACCEPT + DAT_MAX_CATEGORIES
};

/* firms.c: corporate wallets and B2B payments; government.c: fiscal flows */
void firm_day_start(wld_world *w, wld_city *c, int32_t day);
void firm_business_hour(wld_world *w, wld_city *c, int32_t day);
void firm_day_end(wld_world *w, wld_city *c, int32_t day);
void gov_fiscal_hour(wld_world *w, wld_city *c, int32_t day);
/* Reads the balances of accts[0 .. min(n, WLD_PAY_CHUNK)) and nothing else,
 * so that a loop over them that follows finds them in the cache. */
void wld_warm(const wld_world *w, const led_acct *accts, uint32_t n);
#define WLD_PAY_CHUNK 256

/* merchants.c */
void mer_day_start(wld_world *w, wld_city *c, int32_t day);
void mer_day_end(wld_world *w, wld_city *c, int32_t day);
bool mer_pick_accepting(wld_world *w, wld_city *c, int category, led_acct *out);
/* Today's daily chance that a merchant of c not yet accepting starts to:
 * demand-driven (no customers holding e-CNY, no acceptance), raised by fees
 * saved (extra_fee_pct: a fee subsidy on top of the app fee). */
double mer_accept_chance(const wld_world *w, const wld_city *c, double extra_fee_pct);
/* The day's acceptance chance with the payment platforms' factor from their date. */
double mer_daily_chance(const wld_world *w, const wld_city *c, int32_t day, double extra_fee_pct);
/* One more merchant of category cat starts accepting; LED_NONE when all do. */
led_acct mer_start_accepting(wld_world *w, wld_city *c, int cat, int32_t day, gsl_rng *r);

#endif
