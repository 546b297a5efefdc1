/* peer.c: the declared payments economy (docs/benchmark.md)
 * on ecnysim's engine and ledger. A day is: the day-start hook (adoption),
 * one shopping event at noon, the day-end hook (merchants, redemption, row).
 *
 * The model is run by drawing only what the ledger sees, exactly in
 * distribution except where marked APPROXIMATE:
 *
 * Adoption. A non-adopter's chance depends only on k, how many of its C
 * contacts have adopted, so non-adopters are counts group[k], k = 0..C, and
 * a day's decisions are one binomial per group. The contact graph (each
 * resident's C distinct others, uniform) is never built: it is revealed
 * lazily. Given the R adopters revealed so far, a non-adopter in group k
 * knows which k of its contacts are among them, and its other C-k contacts
 * are still a uniform (C-k)-subset of the D = N-1-R residents outside R and
 * itself. When X new adopters are revealed together, the number of them
 * among its contacts is hypergeometric(C-k draws, X marked of D), independently
 * for every non-adopter: so group k splits over k..C by one multinomial. Cost:
 * O(C^2) draws a day, whatever N. Exact.
 *
 * Shopping. Purchases are independent Poisson streams, so they split exactly
 * by (adopter or not) x (merchant accepts or not): only adopters at accepting
 * merchants can pay in e-CNY, Poisson(2 A acc / M) attempts a day, each at a
 * uniform adopter and a uniform accepting merchant, with its own lognormal
 * amount and balance check, in any order (adopters do not interact within a
 * day; merchants are redeemed at the day's end). Everything else is a
 * cash/app count: one Poisson draw. Exact. Its value is the sum of n
 * lognormal amounts: drawn one by one for n <= 64, otherwise APPROXIMATE:
 * a normal with the exact mean and variance (the sum's skewness is
 * 3.7/sqrt(n), under 0.03 for a day at 10,000 residents).
 *
 * Merchants. A non-accepting merchant starts with chance base + w a/c, with
 * c ~ Poisson(2N/M) customers of whom a ~ Binomial(c, A/N) adopters. Given
 * c > 0, E[a/c] = A/N, so with base + w <= 1 each one accepts with chance
 * base + w A/N independently: one binomial draw, then a uniform pick of that
 * many. This needs every merchant to have had a customer, which fails with
 * probability at most U e^{-2N/M} (about 1e-13 a day at the declared
 * constants); when that bound exceeds 1e-9, or base + w > 1, the per-merchant
 * draws are made instead. Exact up to that bound.
 *
 * Memory: no per-resident state; 32 bytes of ledger per adopter and per
 * merchant (accounts are opened when used) and 9 bytes per merchant here.
 */
#include "models/peer.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calendar.h"
#include "sim/rng.h"

#define PEER_MAX_CONTACTS 64
#define PEER_MAX_BANKS 64
#define PEER_EXACT_SUM_MAX 64       /* cash/app sums drawn one by one up to this */
#define PEER_AGGREGATE_TV_MAX 1e-9  /* largest error allowed to the merchant shortcut */
#define PEER_SHOP_HOUR 12
enum { PEER_EV_SHOP = 1 };

const char *const peer_columns[PEER_COLUMNS] = {
    "day", "adopters", "accepting_merchants", "ecny_payments", "ecny_value_fen", "cash_app_payments",
    "cash_app_value_fen", "new_adopters", "topups", "issued_value_fen", "redeemed_value_fen",
};

struct peer_model {
    peer_params p;
    uint32_t n, m;                /* residents, merchants */
    led_ledger *led;
    led_acct bank[PEER_MAX_BANKS];
    led_acct merchant0;           /* merchant j is account merchant0 + j */
    led_acct wallet0;             /* adopter a is account wallet0 + a */
    uint32_t adopters;            /* A; all revealed after the adoption phase */
    uint64_t group[PEER_MAX_CONTACTS + 1]; /* non-adopters by adopted contacts */
    uint32_t *mord;               /* merchants: accepting in [0, accepting), others after */
    uint32_t accepting;
    uint32_t *paid;               /* merchants holding a balance to redeem */
    uint32_t n_paid;
    uint8_t *accept_next;         /* per-merchant path: decided to accept tomorrow */
    bool per_merchant_today;
    double amount_mean_fen, amount_var_fen2;
    gsl_rng *r_setup, *r_adopt, *r_shop, *r_merch;
    peer_row row, total;
};

/* ------------------------------------------------------------ parameters */

uint32_t peer_residents(const scn_doc *doc)
{
    return (uint32_t)scn_int(scn_single(doc, "peer"), "residents");
}

bool peer_params_read(const scn_doc *doc, peer_params *p, err_list *errs)
{
    const scn_instance *in = scn_single(doc, "peer");
    memset(p, 0, sizeof *p);
    p->seed = (uint64_t)scn_int(scn_single(doc, "scenario"), "seed");
    p->residents = (uint32_t)scn_int(in, "residents");
    p->days = (int32_t)scn_int(in, "days");
    p->contacts = (uint32_t)scn_int(in, "contacts");
    p->residents_per_merchant = (uint32_t)scn_int(in, "residents_per_merchant");
    p->banks = (uint32_t)scn_int(in, "banks");
    p->innovation = scn_real(in, "innovation");
    p->imitation = scn_real(in, "imitation");
    p->purchases_per_day = scn_real(in, "purchases_per_day");
    p->amount_log_mean = scn_real(in, "amount_log_mean");
    p->amount_log_sd = scn_real(in, "amount_log_sd");
    p->funding_fen = scn_fen(in, "funding_yuan");
    p->topup_below_fen = scn_fen(in, "topup_below_yuan");
    p->topup_fen = scn_fen(in, "topup_yuan");
    p->accept_initial = scn_real(in, "accept_initial");
    p->accept_base = scn_real(in, "accept_base");
    p->accept_share_weight = scn_real(in, "accept_share_weight");
    char where[600];
    bool ok = true;
    if (p->residents && (p->residents / p->residents_per_merchant == 0 || p->residents <= p->contacts)) {
        scn_where(doc, in, "residents", where, sizeof where);
        err_add(errs, "%s: [peer] residents = %u: expected at least residents_per_merchant (%u) and more than contacts (%u)",
                where, p->residents, p->residents_per_merchant, p->contacts);
        ok = false;
    }
    return ok;
}

/* ------------------------------------------------------------ set-up */

peer_model *peer_create(const peer_params *p, err_list *errs)
{
    if (p->residents == 0 || p->contacts == 0 || p->contacts > PEER_MAX_CONTACTS || p->banks == 0 ||
        p->banks > PEER_MAX_BANKS || p->residents <= p->contacts || p->residents_per_merchant == 0 ||
        p->residents / p->residents_per_merchant == 0) {
        err_add(errs, "[peer]: impossible parameters (residents %u, contacts %u, banks %u)", p->residents, p->contacts,
                p->banks);
        return NULL;
    }
    peer_model *m = calloc(1, sizeof *m);
    if (!m) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    m->p = *p;
    m->n = p->residents;
    m->m = p->residents / p->residents_per_merchant;
    led_config cfg;
    uint64_t accounts = 1 + (uint64_t)p->banks + m->m + m->n;
    led_config_default(&cfg, (uint32_t)accounts, 1, NULL);
    cfg.max_earmarks = cfg.max_ext = cfg.max_pending = cfg.max_batch_legs = 16;
    cfg.max_banks = p->banks;
    m->led = led_alloc_ex(&cfg);
    m->mord = malloc((size_t)m->m * sizeof *m->mord);
    m->paid = malloc((size_t)m->m * sizeof *m->paid);
    m->accept_next = calloc(m->m, 1);
    m->r_setup = rng_stream_alloc(p->seed, 0, RNG_POPULATION);
    m->r_adopt = rng_stream_alloc(p->seed, 0, RNG_ADOPTION);
    m->r_shop = rng_stream_alloc(p->seed, 0, RNG_SHOPPING);
    m->r_merch = rng_stream_alloc(p->seed, 0, RNG_MERCHANTS);
    if (!m->led || !m->mord || !m->paid || !m->accept_next || !m->r_setup || !m->r_adopt || !m->r_shop ||
        !m->r_merch) {
        err_add_kind(errs, ERR_MEMORY, "cannot allocate the peer model for %u residents (%.1f MiB of ledger)", m->n,
                (double)led_bytes_needed_ex(&cfg) / 1048576.0);
        peer_free(m);
        return NULL;
    }
    for (uint32_t b = 0; b < p->banks; b++) {
        m->bank[b] = led_open(m->led, LED_BANK, 0, LED_NONE, 0);
        led_set_reserve(m->led, m->bank[b], INT64_C(1) << 60); /* deposits are never short */
    }
    m->merchant0 = led_accounts(m->led);
    uint32_t tail = m->m;
    for (uint32_t j = 0; j < m->m; j++) {
        led_acct a = led_open(m->led, LED_MERCHANT, 0, m->bank[rng_below(m->r_setup, p->banks)], 0);
        if (a != m->merchant0 + j) {
            err_add(errs, "peer: merchant accounts are not contiguous");
            peer_free(m);
            return NULL;
        }
        if (rng_uniform(m->r_setup) < p->accept_initial)
            m->mord[m->accepting++] = j;
        else
            m->mord[--tail] = j;
    }
    m->wallet0 = led_accounts(m->led);
    m->group[0] = m->n;
    double mu = p->amount_log_mean + log(100.0), s2 = p->amount_log_sd * p->amount_log_sd;
    m->amount_mean_fen = exp(mu + s2 / 2);
    m->amount_var_fen2 = (exp(s2) - 1) * exp(2 * mu + s2) + 1.0 / 12; /* + rounding */
    return m;
}

void peer_free(peer_model *m)
{
    if (!m)
        return;
    led_free(m->led);
    free(m->mord);
    free(m->paid);
    free(m->accept_next);
    gsl_rng_free(m->r_setup);
    gsl_rng_free(m->r_adopt);
    gsl_rng_free(m->r_shop);
    gsl_rng_free(m->r_merch);
    free(m);
}

/* ------------------------------------------------------------ phases */

static unsigned binomial(gsl_rng *r, double prob, uint64_t n)
{
    if (n == 0 || prob <= 0)
        return 0;
    if (prob >= 1)
        return (unsigned)n;
    return gsl_ran_binomial(r, prob, (unsigned)n);
}

static uint64_t poisson(gsl_rng *r, double mean)
{
    return mean > 0 ? gsl_ran_poisson(r, mean) : 0;
}

static int64_t amount_fen(peer_model *m, gsl_rng *r)
{
    double yuan = exp(m->p.amount_log_mean + m->p.amount_log_sd * gsl_ran_gaussian_ziggurat(r, 1.0));
    double fen = floor(yuan * 100.0 + 0.5);
    if (fen < 1)
        return 1;
    return fen > (double)LED_AMOUNT_MAX_FEN ? LED_AMOUNT_MAX_FEN : (int64_t)fen;
}

/* Sum of n amounts: exact for small n, else a normal with the exact moments. */
static int64_t amounts_sum_fen(peer_model *m, gsl_rng *r, uint64_t n)
{
    if (n <= PEER_EXACT_SUM_MAX) {
        int64_t s = 0;
        for (uint64_t i = 0; i < n; i++)
            s += amount_fen(m, r);
        return s;
    }
    double v = (double)n * m->amount_mean_fen + gsl_ran_gaussian_ziggurat(r, sqrt((double)n * m->amount_var_fen2));
    int64_t s = (int64_t)llround(v);
    return s < (int64_t)n ? (int64_t)n : s;
}

static bool open_adopter(peer_model *m, eng_engine *eng)
{
    led_acct b = m->bank[rng_below(m->r_adopt, m->p.banks)];
    led_acct w = led_open(m->led, LED_WALLET, 1, b, 0);
    if (w != m->wallet0 + m->adopters) {
        eng_fail(eng, "peer: wallet accounts are not contiguous (ledger full?)");
        return false;
    }
    m->adopters++;
    if (m->p.funding_fen > 0) {
        if (led_topup(m->led, w, m->p.funding_fen) != LED_OK) {
            eng_fail(eng, "peer: the ledger refused an adoption funding");
            return false;
        }
        m->row.issued_value_fen += m->p.funding_fen;
    }
    return true;
}

/* Phase 1: simultaneous adoption, then the lazy reveal of the new adopters. */
static void adoption(void *ctx, eng_engine *eng, int32_t day)
{
    peer_model *m = ctx;
    memset(&m->row, 0, sizeof m->row);
    m->row.day = day + 1;
    led_day_begin(m->led, day);
    const uint32_t C = m->p.contacts;
    uint64_t x = 0;
    for (uint32_t k = 0; k <= C; k++) {
        unsigned adopt = binomial(m->r_adopt, m->p.innovation + m->p.imitation * k / C, m->group[k]);
        m->group[k] -= adopt;
        x += adopt;
    }
    if (x > 0) {
        /* D: residents outside the revealed adopters and the non-adopter itself. */
        uint64_t d = (uint64_t)m->n - 1 - m->adopters;
        uint64_t next[PEER_MAX_CONTACTS + 1] = {0};
        double pdf[PEER_MAX_CONTACTS + 1], cum[PEER_MAX_CONTACTS + 1];
        for (uint32_t k = 0; k <= C; k++) {
            uint64_t left = m->group[k];
            uint32_t t = C - k, top = t < x ? t : (uint32_t)x;
            if (left == 0)
                continue;
            for (uint32_t j = 0; j <= top; j++) {
                pdf[j] = gsl_ran_hypergeometric_pdf(j, (unsigned)x, (unsigned)(d - x), t);
                cum[j] = (j ? cum[j - 1] : 0) + pdf[j];
            }
            /* Multinomial, largest hit counts first; what is left hit none. */
            for (uint32_t j = top; j >= 1 && left > 0; j--) {
                double c = cum[j] > 0 ? pdf[j] / cum[j] : 0;
                unsigned hit = binomial(m->r_adopt, c, left);
                next[k + j] += hit;
                left -= hit;
            }
            next[k] += left;
        }
        memcpy(m->group, next, sizeof next);
        for (uint64_t i = 0; i < x; i++)
            if (!open_adopter(m, eng))
                return;
    }
    m->row.new_adopters = (int64_t)x;
    eng_schedule(eng, (int64_t)day * CAL_DAY_S + PEER_SHOP_HOUR * 3600, PEER_EV_SHOP, 0, 0, day);
}

/* Phase 2: shopping. */
static void shopping(void *ctx, eng_engine *eng, const ev_event *e)
{
    peer_model *m = ctx;
    const peer_params *p = &m->p;
    gsl_rng *r = m->r_shop;
    double rate = p->purchases_per_day / m->m; /* attempts per resident at one merchant */
    uint32_t A = m->adopters, acc = m->accepting, U = m->m - acc;
    uint64_t ecny_attempts = A && acc ? poisson(r, rate * A * acc) : 0;
    uint64_t cash = 0;
    int64_t cash_value = 0;
    for (uint64_t i = 0; i < ecny_attempts; i++) {
        led_acct w = m->wallet0 + rng_below(r, A);
        uint32_t j = m->mord[rng_below(r, acc)];
        led_acct mer = m->merchant0 + j;
        int64_t amount = amount_fen(m, r);
        if (led_balance(m->led, w) < amount) {
            cash++;
            cash_value += amount;
            continue;
        }
        bool first = led_balance(m->led, mer) == 0;
        if (led_pay(m->led, w, mer, amount) != LED_OK) {
            eng_fail(eng, "peer: the ledger refused a payment the wallet could afford");
            return;
        }
        if (first)
            m->paid[m->n_paid++] = j;
        m->row.ecny_payments++;
        m->row.ecny_value_fen += amount;
        if (led_balance(m->led, w) < p->topup_below_fen) {
            if (led_topup(m->led, w, p->topup_fen) != LED_OK) {
                eng_fail(eng, "peer: the ledger refused a top-up");
                return;
            }
            m->row.topups++;
            m->row.issued_value_fen += p->topup_fen;
        }
    }
    /* Non-adopters at accepting merchants pay cash/app. */
    uint64_t aggregated = poisson(r, rate * ((double)m->n - A) * acc);
    /* Every purchase at a non-accepting merchant is cash/app. */
    double per_merchant = p->purchases_per_day * m->n / m->m;
    m->per_merchant_today = p->per_merchant || p->accept_base + p->accept_share_weight > 1 ||
                            log((double)U) - per_merchant > log(PEER_AGGREGATE_TV_MAX);
    if (U > 0 && !m->per_merchant_today) {
        aggregated += poisson(r, per_merchant * U);
    } else {
        gsl_rng *rm = m->r_merch;
        double adopter_share = (double)A / m->n;
        for (uint32_t i = acc; i < m->m; i++) {
            uint64_t c = poisson(rm, per_merchant);
            unsigned a = binomial(rm, adopter_share, c);
            double prob = p->accept_base + (c ? p->accept_share_weight * a / (double)c : 0);
            m->accept_next[m->mord[i]] = rng_uniform(rm) < prob;
            aggregated += c;
        }
    }
    cash += aggregated;
    cash_value += amounts_sum_fen(m, r, aggregated);
    m->row.cash_app_payments = (int64_t)cash;
    m->row.cash_app_value_fen = cash_value;
    (void)e;
}

/* Phase 3 and 4: acceptance for tomorrow, redemption, the day's row. */
static void merchants(void *ctx, eng_engine *eng, int32_t day)
{
    peer_model *m = ctx;
    gsl_rng *r = m->r_merch;
    uint32_t acc = m->accepting, U = m->m - acc;
    if (!m->per_merchant_today) {
        double prob = m->p.accept_base + m->p.accept_share_weight * m->adopters / (double)m->n;
        unsigned k = binomial(r, prob, U);
        for (unsigned t = 0; t < k; t++) { /* partial Fisher-Yates over the non-accepting */
            uint32_t i = acc + t + rng_below(r, U - t);
            uint32_t tmp = m->mord[acc + t];
            m->mord[acc + t] = m->mord[i];
            m->mord[i] = tmp;
        }
        m->accepting += k;
    } else {
        uint32_t w = acc;
        for (uint32_t i = acc; i < m->m; i++)
            if (m->accept_next[m->mord[i]]) {
                uint32_t tmp = m->mord[w];
                m->mord[w++] = m->mord[i];
                m->mord[i] = tmp;
            }
        for (uint32_t i = acc; i < w; i++)
            m->accept_next[m->mord[i]] = 0;
        m->accepting = w;
    }
    for (uint32_t i = 0; i < m->n_paid; i++) {
        led_acct mer = m->merchant0 + m->paid[i];
        int64_t bal = led_balance(m->led, mer);
        if (led_redeem(m->led, mer, bal) != LED_OK) {
            eng_fail(eng, "peer: the ledger refused a redemption");
            return;
        }
        m->row.redeemed_value_fen += bal;
    }
    m->n_paid = 0;
    m->row.adopters = m->adopters;
    m->row.accepting_merchants = m->accepting;
    peer_row *t = &m->total;
    t->day = day + 1;
    t->adopters = m->row.adopters;
    t->accepting_merchants = m->row.accepting_merchants;
    t->ecny_payments += m->row.ecny_payments;
    t->ecny_value_fen += m->row.ecny_value_fen;
    t->cash_app_payments += m->row.cash_app_payments;
    t->cash_app_value_fen += m->row.cash_app_value_fen;
    t->new_adopters += m->row.new_adopters;
    t->topups += m->row.topups;
    t->issued_value_fen += m->row.issued_value_fen;
    t->redeemed_value_fen += m->row.redeemed_value_fen;
}

bool peer_attach(peer_model *m, eng_engine *eng)
{
    return eng_on_day_start(eng, adoption, m) && eng_on_event(eng, PEER_EV_SHOP, shopping, m) &&
           eng_on_day_end(eng, merchants, m);
}

/* ------------------------------------------------------------ queries */

const peer_params *peer_params_of(const peer_model *m) { return &m->p; }
const peer_row *peer_last_row(const peer_model *m) { return &m->row; }
const peer_row *peer_totals(const peer_model *m) { return &m->total; }
const led_ledger *peer_ledger(const peer_model *m) { return m->led; }
uint32_t peer_merchants(const peer_model *m) { return m->m; }

bool peer_check(const peer_model *m, char *why, size_t why_len)
{
    if (!led_check(m->led, why, why_len))
        return false;
    int64_t held = 0;
    for (uint32_t a = 0; a < m->adopters; a++) {
        int64_t b = led_balance(m->led, m->wallet0 + a);
        if (b < m->p.topup_below_fen && m->p.topup_fen > m->p.topup_below_fen && m->p.funding_fen >= m->p.topup_below_fen) {
            snprintf(why, why_len, "adopter %u holds %lld fen, below the top-up threshold", a, (long long)b);
            return false;
        }
        held += b;
    }
    for (uint32_t j = 0; j < m->m; j++)
        held += led_balance(m->led, m->merchant0 + j);
    if (m->total.issued_value_fen != held + m->total.redeemed_value_fen) {
        snprintf(why, why_len, "issued %lld fen != balances %lld + redeemed %lld",
                 (long long)m->total.issued_value_fen, (long long)held, (long long)m->total.redeemed_value_fen);
        return false;
    }
    return true;
}
