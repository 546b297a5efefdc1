/* programme.h: pilot programmes run through the ledger (prefix prg_).
 *
 * A programme is a named, repeatable INI section ([airdrop.luohu],
 * [transit.beijing_metro], [rural.], [payroll.], [loans.], [incentive.],
 * [offline.])
 * attached to one [city.X] of the scenario. Each kind lives in its own file
 * (airdrop.c air_, transit.c trn_, rural.c rur_, payroll.c prl_, loans.c
 * loan_, incentive.c inc_, offline.c off_) behind one table of operations; KPI targets
 * ([kpi.NAME], kpi.c kpi_) read the cities and the programmes' costs.
 * programme.c owns the set: it reads the sections, sizes what the ledger
 * must hold before it is allocated, calls each programme's hooks in file
 * order, and publishes programmes.csv, kpi.csv (written once, at the end)
 * and kpi_daily.csv (every day).
 *
 * Invariants: every movement of money goes through the ledger (pools are
 * funded from a bank, earmarks return to their pool); money is int64 fen;
 * a programme draws only from its own stream rng_stream_alloc(seed, city
 * data id, RNG_PROGRAMME + its index among the programmes of its city), so
 * adding a programme in one city moves no draw of another city. Reported
 * outcomes speak of people and yuan: simulated counts and amounts are
 * multiplied by the scenario's scale, like daily.csv.
 *
 * Cost: every hook is O(the programme's own agents and payments that day);
 * nothing here walks all residents. Buffers are sized at prg_setup.
 */
#ifndef ECNYSIM_PROGRAMME_H
#define ECNYSIM_PROGRAMME_H

#include <stdbool.h>
#include <stdint.h>

#include "models/pay.h" /* payments, top-ups and redemptions of every kind */
#include "models/world_int.h"

enum prg_kind { PRG_AIRDROP = 0, PRG_TRANSIT, PRG_RURAL, PRG_PAYROLL, PRG_LOANS, PRG_INCENTIVE, PRG_OFFLINE, PRG_KINDS };

/* Fixed outcomes of the largest kind (an airdrop: ~41), plus one per
 * category and one per platform (spent_CATEGORY, spent_PLATFORM). */
#define PRG_MAX_OUTCOMES (48 + DAT_MAX_CATEGORIES + DAT_MAX_PLATFORMS)
#define PRG_EVENT_KIND 8 /* engine event kind of programme events (arg: programme << 8 | hour) */
#define PRG_NA (-1e300)  /* an outcome not known yet (written "NA") */

typedef struct {
    const char *name; /* "sign_ups" */
    const char *unit; /* "people", "yuan", "%", ... */
    double value;     /* PRG_NA when unknown */
} prg_outcome;

typedef struct prg_programme prg_programme;
typedef struct prg_set prg_set;

/* One kind's operations. create reads and checks the section (errors with
 * FILE:LINE) and adds the ledger accounts it will open to *accounts; setup
 * opens them (after the ledger exists); the day hooks run the programme;
 * report fills p->out with the outcomes so far. NULL hooks are skipped. */
typedef struct {
    const char *section;
    bool (*create)(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs);
    bool (*setup)(prg_programme *p, wld_world *w, err_list *errs);
    void (*day_start)(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index);
    void (*event)(prg_programme *p, wld_world *w, int32_t day, int hour);
    void (*day_end)(prg_programme *p, wld_world *w, int32_t day);
    void (*report)(prg_programme *p, wld_world *w);
    void (*destroy)(prg_programme *p);
} prg_ops;

struct prg_programme {
    enum prg_kind kind;
    int index;                 /* in the set (file order by kind) */
    const scn_instance *in;
    const scn_doc *doc;
    char name[64];
    int city;                  /* index in w->city */
    uint32_t city_index;       /* among the programmes of its city: the stream purpose */
    uint32_t tag_bit;          /* merchant tag bit (airdrop, incentive), 32 = none */
    gsl_rng *rng;
    int64_t cost_fen;          /* simulated fen spent so far (publish multiplies by scale) */
    int64_t fixed_cost_fen;    /* real fen: administration, marketing */
    void *state;               /* the kind's own struct */
    /* Uplift of the city's daily e-CNY payments and value: the 7-day mean
     * before window_start against the mean over the window (programme.c);
     * window_end < window_start: no window. */
    int32_t window_start, window_end;
    int64_t before_pay, before_value, during_pay, during_value;
    int32_t during_days;
    prg_outcome out[PRG_MAX_OUTCOMES];
    int n_out;
};

extern const prg_ops air_ops, trn_ops, rur_ops, prl_ops, loan_ops, inc_ops, off_ops;

/* ---- the set (programme.c), called by world.c ---- */

/* Reads every programme and KPI section of doc; checks cities, dates and
 * values (every problem reported as FILE:LINE). Adds the ledger accounts
 * programmes will open to *accounts. NULL on any problem. */
prg_set *prg_create(const scn_doc *doc, wld_world *w, uint64_t *accounts, err_list *errs);
/* After the ledger exists: opens pools and wallets, sizes buffers, adds the
 * programme tables to frame. False (with a message) when memory is short. */
bool prg_setup(prg_set *s, wld_world *w, snap_frame *frame, err_list *errs);
void prg_free(prg_set *s); /* NULL is fine */
/* Day hooks: call prg_day_start after the cities' own day start (it expires
 * earmarks once for the whole ledger) and prg_day_end after the cities'
 * day end and before the frame is published. Each returns false when a
 * programme failed (prg_fail_memory): w->failure holds the message and the
 * caller stops the run; no programme hook runs after a failure. */
bool prg_day_start(prg_set *s, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index);
bool prg_on_event(prg_set *s, wld_world *w, int32_t day, int64_t arg);
bool prg_day_end(prg_set *s, wld_world *w, int32_t day);
/* Records that programme p cannot go on because an allocation failed while
 * doing what `doing` says ("drawing the lottery"): w->failure becomes "out
 * of memory DOING in [KIND.NAME]" (the first failure is kept) and the set's
 * day hooks return false, so the run stops with that message and the
 * runtime exit status. A programme never postpones or skips what it could
 * not allocate for, and never reports it as NA. */
void prg_fail_memory(prg_programme *p, wld_world *w, const char *doing);
int prg_count(const prg_set *s);
/* Programme sections of doc, of every kind (before any set exists: a run
 * with one cannot be split over ranks). */
size_t prg_sections_in(const scn_doc *doc);
prg_programme *prg_get(prg_set *s, int i);
/* Finds a programme by kind section and name; NULL when absent. */
prg_programme *prg_find(prg_set *s, const char *section, const char *name);
/* Allocates p's zeroed state (the kind's destroy frees it); NULL with a message. */
void *prg_state_alloc(prg_programme *p, size_t size, err_list *errs);
/* Reads the section's start and end dates; refuses (FILE:LINE) an end before start. */
bool prg_read_window(prg_programme *p, const scn_doc *doc, int32_t *start, int32_t *end, err_list *errs);

/* ---- helpers shared by the kinds (programme.c) ---- */

/* Index of [city.NAME] in w, or -1; on -1 an error naming key's FILE:LINE
 * and the nearest city is added. */
int prg_city_of(const scn_doc *doc, const scn_instance *in, const char *key, const wld_world *w, err_list *errs);
/* Turns one non-adopting resident of segment seg into an adopter with a
 * wallet (hard when hard is true or the segment has no smartphone), like
 * the residents model does, drawing from r. Returns the adopter index or
 * UINT32_MAX when the segment has nobody left or the ledger is full. */
uint32_t prg_open_wallet(wld_world *w, wld_city *c, int seg, int32_t day, gsl_rng *r, bool hard);
/* Makes one more merchant of category cat accept e-CNY (the programme
 * onboarded it); returns its account or LED_NONE when all already accept. */
led_acct prg_onboard_merchant(wld_world *w, wld_city *c, int cat, int32_t day, gsl_rng *r);
/* Chance that a person of segment seg completes a campaign's claim within
 * days: holders activate at [campaign] holder_act_per_day, others must open
 * a wallet at open_per_day x the age band's factor (none without a
 * smartphone): 1 - (1 - daily)^days. */
double prg_claim_chance(const wld_world *w, int seg, bool holds, int32_t days);
/* The 7-day mean before p's window (from the city's ring) and the window's
 * days, called every day from prg_day_end. */
void prg_uplift_day(prg_programme *p, const wld_world *w, int32_t day);
/* A lognormal ticket of category cat, fen. */
int64_t prg_ticket(const wld_world *w, gsl_rng *r, int cat);
/* Parses a LIST of category names into a bitmask (0 = any); errors name the key. */
bool prg_categories(const scn_doc *doc, const scn_instance *in, const char *key, const wld_world *w,
                    uint32_t *mask, err_list *errs);
/* Appends an outcome (scaled by the caller). */
void prg_out(prg_programme *p, const char *name, const char *unit, double value);
/* Picks k distinct values of [0, n) uniformly into out (k <= n), using
 * scratch of n uint32 (Fisher-Yates on a prefix). */
void prg_sample(gsl_rng *r, uint32_t n, uint32_t k, uint32_t *scratch, uint32_t *out);
/* Programme cost so far in real yuan (simulated x scale + fixed). */
double prg_cost_yuan(const prg_programme *p, const wld_world *w);
uint32_t prg_next_tag(prg_set *s);

/* ---- earmarked vouchers (programme.c): envelopes, coupons, aid ---- */

typedef struct {
    /* set by the owner */
    led_acct pool;
    led_earmark_rule rule;
    led_acct *merchants;       /* participating merchants (tagged), or NULL: any accepting one in mask */
    uint8_t *merchant_cat;
    uint32_t n_merchants, cap_merchants;
    uint32_t category_mask;    /* categories spendable (0: all) */
    double online_share;       /* share of purchases online; < 0: from the categories taking part
                                * (each purchase's category drawn by its occasion share) */
    double spend_rate;         /* chance per day a holder with value left makes a purchase */
    int64_t threshold_fen;     /* a purchase must reach this to use the voucher (coupons) */
    /* holders */
    led_acct *holder;          /* holders' wallets */
    uint32_t n_holders, cap_holders;
    /* outcomes, simulated units */
    int64_t granted_n, granted_fen, refused_n, spent_fen, payments, topups_n, topup_fen, clawback_fen;
    int64_t spent_online_fen, spent_by_cat_fen[DAT_MAX_CATEGORIES];
    int64_t spenders;          /* holders who made at least one purchase */
    uint8_t *spent_once;
    int32_t *last_pay;         /* day of each holder's last voucher purchase */
    int64_t *left_seen;        /* each holder's earmarked balance when last looked at */
    int64_t spent_everyday_fen; /* voucher money spent by everyday purchases (part of spent_fen) */
    /* online platforms taking part (platforms.c): indexes in the data's
     * platforms; none: the online category's merchants as they are */
    uint8_t platform[DAT_MAX_PLATFORMS];
    int n_platforms;
    int64_t spent_by_platform_fen[DAT_MAX_PLATFORMS];
    uint32_t platform_at[DAT_MAX_PLATFORMS]; /* each platform's merchant index (a cache) */
    uint32_t platform_at_seen;                /* n_merchants when the cache was filled */
} prg_vouchers;

/* Allocates holder and merchant arrays. False when memory is short. */
bool prg_vouchers_alloc(prg_vouchers *v, uint32_t cap_holders, uint32_t cap_merchants);
void prg_vouchers_free(prg_vouchers *v);
/* Grants amount to wallet as earmarked money from v->pool (LED_R_CAPACITY
 * when the holder list is full). */
enum led_reason prg_vouchers_grant(prg_vouchers *v, wld_world *w, led_acct wallet, int64_t amount_fen);
/* Counts the wallets of list (n) active on day: a payment in the residents
 * model or a voucher purchase of v (may be NULL) within the active window.
 * -1 when memory is short. */
int64_t prg_count_active(const wld_world *w, const wld_city *c, const led_acct *list, uint32_t n,
                         const prg_vouchers *v, int32_t day);
/* Books the value back_fen that came back to the pool at expiry; voucher
 * money that left the earmarks unseen was spent by everyday purchases. */
void prg_vouchers_expired(prg_vouchers *v, int64_t back_fen);
/* One day of spending: holders with value left buy with chance spend_rate.
 * False when memory is short (nothing was spent). */
bool prg_vouchers_spend_day(prg_vouchers *v, wld_world *w, wld_city *c, gsl_rng *r, int32_t day);
/* Tags up to n accepting merchants in mask (onboarding more when short). */
void prg_vouchers_tag(prg_vouchers *v, wld_world *w, wld_city *c, uint32_t n, uint32_t tag_bit, int32_t day,
                      gsl_rng *r);
/* Outcomes common to vouchers, prefixed (e.g. "envelopes_"). */
void prg_vouchers_report(const prg_vouchers *v, prg_programme *p, const wld_world *w);

/* ---- online platforms as merchants (platforms.c) ---- */

/* Reads key (a LIST of platforms.csv names) into v's platforms and adds an
 * online category to a non-empty category mask; errors name the key's
 * FILE:LINE and the nearest platform. Absent key: no platforms, true. */
bool plt_parse(const scn_doc *doc, const scn_instance *in, const char *key, const wld_world *w, prg_vouchers *v,
               err_list *errs);
/* Sum of the occasion shares of v's platforms: the online category's weight. */
double plt_occasion_share(const prg_vouchers *v, const wld_world *w);
/* A merchant of v for a purchase online: a platform drawn by occasion share
 * (its index in v->platform into *platform); fallback when it has none. */
uint32_t plt_pick(prg_vouchers *v, const wld_world *w, gsl_rng *r, uint32_t fallback, int *platform);
/* The category of a purchase on platform (index in v->platform), by its mix. */
int plt_ticket_category(const prg_vouchers *v, const wld_world *w, gsl_rng *r, int platform);
/* Appends spent_PLATFORM outcomes (scaled). */
void plt_report(const prg_vouchers *v, prg_programme *p, const wld_world *w);

/* ---- KPI (kpi.c) ---- */
typedef struct kpi_set kpi_set;
kpi_set *kpi_create(const scn_doc *doc, wld_world *w, err_list *errs);
/* Checks that the programmes each KPI names exist (FILE:LINE errors). */
bool kpi_check(kpi_set *k, prg_set *s, err_list *errs);
bool kpi_setup(kpi_set *k, prg_set *s, wld_world *w, err_list *errs);
void kpi_day_end(kpi_set *k, prg_set *s, wld_world *w, int32_t day, int32_t day_index);
int kpi_count(const kpi_set *k);
/* Fills the per-day table (rows = KPIs: target, achieved, cost_fen) and the
 * end table's text cells. */
const snap_table *kpi_daily_table(kpi_set *k);
const snap_table *kpi_final_table(kpi_set *k, prg_set *s, wld_world *w);
void kpi_free(kpi_set *k);

/* Per-city day counters that KPIs read (transaction value etc.), kept by
 * programme.c and the kinds. */
int64_t loan_disbursed_fen(const prg_programme *p);
int64_t loan_disbursed_n(const prg_programme *p);
/* Test hooks: transit taps and syncs, payroll runs, airdrop state. */
enum led_reason trn_tap(prg_programme *p, wld_world *w, led_acct wallet, int32_t day);
uint32_t trn_sync_all(prg_programme *p, wld_world *w);
led_acct trn_operator(const prg_programme *p);
bool prl_run_employer(prg_programme *p, wld_world *w, uint32_t employer, int32_t day);
led_acct *prl_employees(prg_programme *p, uint32_t *n, uint32_t *n_employers);
int64_t prl_batches_failed(const prg_programme *p);
prg_vouchers *air_vouchers(prg_programme *p);
prg_vouchers *rur_aid(prg_programme *p);
int64_t rur_hard_wallets_given(const prg_programme *p);
bool air_draw(prg_programme *p, wld_world *w, int32_t day);
int64_t air_signups(const prg_programme *p);
int64_t air_winners(const prg_programme *p);
uint32_t air_envelopes(const prg_programme *p);
/* Offline trials (offline.c): counters in simulated units, for tests. */
typedef struct {
    uint32_t devices;
    int64_t cloned, payments, value_fen, synced, synced_fen, attempted, caught, caught_fen, mismatch,
        refused_other, refused_limit, refused_balance, max_payment_fen, max_unsynced_fen, loaded_fen,
        redeemed_fen;
} off_stats;
void off_stats_get(const prg_programme *p, off_stats *out);
led_acct off_device(const prg_programme *p, uint32_t i);   /* LED_NONE past the last */
led_acct off_merchant(const prg_programme *p, uint32_t i); /* LED_NONE past the last */
uint32_t off_merchants(const prg_programme *p);
int64_t prg_city_loans_fen(const prg_set *s, int city);
int64_t prg_city_loans_n(const prg_set *s, int city);
double prg_city_cost_yuan(const prg_set *s, const wld_world *w, int city);

/* ---- checkpoints (issue 8, sim/checkpoint.h) ---- */

/* prg_save writes every programme's run state (its random stream, cost so
 * far, the kind's counters, holders, winners, loans ...) field by field,
 * the merchant tags and the KPIs' history; configuration read from the
 * scenario is not written, so a branch (resume --set) takes the new values.
 * prg_load reads it into a set built from the same scenario; a different
 * set of programmes or sizes fails the reader naming the programme. */
struct ckp_writer;
struct ckp_reader;
void prg_save(const prg_set *s, const wld_world *w, struct ckp_writer *ck);
void prg_load(prg_set *s, wld_world *w, struct ckp_reader *ck);
void prg_vouchers_save(const prg_vouchers *v, struct ckp_writer *ck);
void prg_vouchers_load(prg_vouchers *v, struct ckp_reader *ck, const char *what);
/* The kinds' own state (each file appends its pair). */
void air_save(const prg_programme *p, struct ckp_writer *ck);
void air_load(prg_programme *p, struct ckp_reader *ck);
void trn_save(const prg_programme *p, struct ckp_writer *ck);
void trn_load(prg_programme *p, struct ckp_reader *ck);
void rur_save(const prg_programme *p, struct ckp_writer *ck);
void rur_load(prg_programme *p, struct ckp_reader *ck);
void prl_save(const prg_programme *p, struct ckp_writer *ck);
void prl_load(prg_programme *p, struct ckp_reader *ck);
void loan_save(const prg_programme *p, struct ckp_writer *ck);
void loan_load(prg_programme *p, struct ckp_reader *ck);
void inc_save(const prg_programme *p, struct ckp_writer *ck);
void inc_load(prg_programme *p, struct ckp_reader *ck);
void off_save(const prg_programme *p, struct ckp_writer *ck);
void off_load(prg_programme *p, struct ckp_reader *ck);
void kpi_save(const kpi_set *k, struct ckp_writer *ck);
void kpi_load(kpi_set *k, struct ckp_reader *ck);

#endif
