/* ledger.c: the e-CNY transaction core (see ledger.h for the contract).
 *
 * Layout. Accounts are 32-byte records (ledger_int.h) in one array allocated
 * at led_alloc_ex; side tables, all sized there too, hold what few accounts
 * need: bank reserves (by bank ordinal), "ext" records of wallets holding
 * earmarks or being hard wallets (earmarked total, offline state), earmark
 * lots (a per-wallet list sorted by expiry, plus a ring of 4096 expiry-day
 * buckets so led_expire touches only what expires), pending offline payments
 * (a per-wallet FIFO), and an undo journal for linked batches. Nothing is
 * allocated after led_alloc_ex; a full side table is LED_R_CAPACITY.
 *
 * Invariants (led_check verifies all, O(accounts + lots + pending); running
 * sums by account kind and class and by part, moved with every balance
 * (led_sum), let led_check_quick verify the global ones in O(kinds x classes)
 * and led_check_part sweep 1/64 of the accounts at a time):
 *   - every balance change is a debit with an equal credit, so balances sum
 *     to zero; the issuer's balance is -(issued - withdrawn);
 *   - only the issuer is negative; no personal wallet is over its class cap;
 *   - a wallet's earmarked total equals the sum of its lots' remainders and is
 *     at most its balance; a hard wallet's pending total is at most its
 *     offline limit.
 * Daily and annual spends are reset lazily: each record keeps the day stamp
 * of its last capped debit, so a new day costs nothing per account.
 *
 * Cost. A plain payment (payer without earmarks, parent or hard-wallet state)
 * reads and writes two 32-byte records, one per-city counter and does no
 * allocation: two cache misses on a large population. The general path adds
 * a walk of the payer's lots (usually 0-3).
 *
 * Assertions: LED_ASSERT is always on and cheap; ECNYSIM_DEBUG builds also
 * check both accounts of every transfer after it posts (LED_DEBUG_CHECK).
 */
#include "sim/ledger.h"
#include "sim/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/rng.h"

#ifndef ECNYSIM_DEBUG
#define ECNYSIM_DEBUG 0
#endif

#define LED_ASSERT(led, expr)                                                           \
    do {                                                                                \
        if (!(expr))                                                                    \
            led_assert_fail((led), __FILE__, __LINE__, #expr);                          \
    } while (0)

#define LED_BUCKETS 4096u /* expiry ring: a power of two */
#define LED_DAY_MAX 65534 /* day stamps are uint16 day + 1 */
#define LED_JOURNAL_PER_LEG 8u
#define LED_CAP_NONE INT64_MAX
#define LED_HUGE_BYTES ((size_t)2 << 20)

const led_class_limits led_default_limits[4] = {
    /* class 1: full KYC at a counter, no caps */
    {0, 0, 0, 0},
    /* class 2: 500,000 balance, 50,000 per payment, 100,000 a day, no annual */
    {50000000, 5000000, 10000000, 0},
    /* class 3: an interpolation between 2 and 4 (the real numbers are not public) */
    {2000000, 500000, 1000000, 10000000},
    /* class 4: anonymous, phone number only */
    {1000000, 200000, 500000, 5000000},
};

/* Internal caps: 0 ("no cap") becomes LED_CAP_NONE so checks need no branch. */
struct led_caps {
    int64_t balance_cap_fen;
    int64_t per_payment_fen;
    int64_t daily_fen;
    int64_t annual_fen;
};

struct led_ext {
    int64_t earmarked_fen;     /* sum of the owner's lot remainders */
    int64_t offline_base_fen;  /* hard wallet: balance at last sync */
    int64_t offline_limit_fen; /* hard wallet: cap on unsynced offline spending */
    int64_t pending_fen;       /* hard wallet: sum of pending payments */
    uint32_t first_lot;        /* lot list, earliest expiry first; LED_NONE */
    uint32_t pending_head;     /* FIFO of pending payments; LED_NONE */
    uint32_t pending_tail;
    uint32_t pending_n;
    uint32_t owner;            /* account; next free ext when free */
};

struct led_lot {
    int64_t remaining_fen;
    uint32_t wallet;
    uint32_t pool;             /* where the remainder goes at expiry */
    uint32_t next;             /* next lot of the wallet, or next free lot */
    uint32_t b_next, b_prev;   /* expiry bucket list; LED_NONE ends */
    uint32_t category_mask;
    uint32_t tag_mask;
    int32_t expiry_day;
    uint16_t city;
    uint16_t in_bucket;
};

struct led_pending {
    int64_t amount_fen;
    uint32_t payee;
    uint32_t next;             /* next of the wallet's FIFO, or next free */
};

enum { LED_J_HOT = 1, LED_J_EXT, LED_J_LOT, LED_J_STAT, LED_J_SWEEP };

struct led_journal {
    uint32_t type;
    uint32_t idx;
    union {
        struct led_hot hot;
        struct {
            int64_t a, b;
        } v;
    } u;
};

struct led_ledger {
    struct led_hot *hot;
    uint32_t n, max_accounts, n_cities;
    struct led_caps caps[5]; /* by class; 0 = uncapped accounts */

    int64_t *reserve_fen; /* by bank ordinal */
    uint32_t n_banks, max_banks;

    struct led_ext *ext; /* ext[0] is never used: aux 0 means none */
    uint32_t max_ext, ext_free, ext_used, ext_fresh; /* fresh: first never-used slot */

    struct led_lot *lot;
    uint32_t max_lots, lot_free, lots_live, lot_fresh;
    uint32_t *bucket;
    int64_t expire_done_day;

    struct led_pending *pend;
    uint32_t max_pending, pend_free, pend_used, pend_fresh;

    struct led_journal *journal;
    uint32_t journal_cap, journal_n, max_batch_legs;
    bool in_batch;

    int32_t day;
    int32_t year_offset_days;
    uint16_t day_stamp;  /* day + 1 */
    uint16_t year_stamp; /* stamp of this year's first day (>= 1) */

    led_day_stats *today; /* by city */
    led_day_stats past;   /* every finished day, all cities */

    int64_t issued_fen, withdrawn_fen;
    enum led_overflow_policy overflow;

    /* Incremental invariant state, moved wherever a balance moves (led_sum):
     * balance sums by account kind and class and by part (a contiguous run of
     * 2^part_shift account numbers, LED_CHECK_PARTS of them), open accounts
     * by kind and class, and the wallets' earmarked total. led_check_quick
     * reads them in O(kinds x classes); a sweep recomputes them. */
    int64_t kc_sum_fen[LED_ACCOUNT_KINDS][5];
    uint32_t kc_n[LED_ACCOUNT_KINDS][5];
    int64_t part_sum_fen[LED_CHECK_PARTS];
    uint32_t part_shift;
    int64_t earmarked_total_fen;

    led_trace_fn trace_fn;
    void *trace_ctx;
    uint64_t trace_threshold;
    bool trace_all;
    uint64_t seq;
};

/* ---------------------------------------------------------------- helpers */

static void led_assert_fail(const led_ledger *led, const char *file, int line, const char *expr)
{
    fprintf(stderr, "ecnysim: %s:%d: ledger assertion failed: %s (day %ld)\n", file, line, expr,
            led ? (long)led->day : -1L);
    abort();
}

static bool led_personal(unsigned kind)
{
    return kind == LED_WALLET || kind == LED_SUB_WALLET || kind == LED_HARD_WALLET;
}

static int64_t led_cap(int64_t c)
{
    return c == 0 ? LED_CAP_NONE : c;
}

static uint32_t led_sat32(int64_t x)
{
    return x > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static uint64_t led_mix(uint64_t z) /* one splitmix64 step from z: sample choice */
{
    return rng_fmix64(z + RNG_GOLDEN64);
}

static uint32_t led_bank_acct(const led_ledger *led, const struct led_hot *h)
{
    if (h->flags & LED_F_PARENT)
        return led->hot[h->link].link;
    return h->kind == LED_BANK || h->kind == LED_CENTRAL_BANK ? LED_NONE : h->link;
}

static struct led_ext *led_ext_of(const led_ledger *led, const struct led_hot *h)
{
    return h->aux != 0 && led_personal(h->kind) ? &led->ext[h->aux] : NULL;
}

/* Every balance change of account a (record h) by delta_fen goes through
 * here as well: two adds into tables that stay in L1. */
static inline void led_sum(led_ledger *led, led_acct a, const struct led_hot *h, int64_t delta_fen)
{
    led->kc_sum_fen[h->kind][h->cls] += delta_fen;
    led->part_sum_fen[a >> led->part_shift] += delta_fen;
}

static void led_year_recompute(led_ledger *led)
{
    int64_t d = (int64_t)led->day + led->year_offset_days;
    int64_t year = d >= 0 ? d / 365 : -((-d + 364) / 365);
    int64_t first = year * 365 - led->year_offset_days; /* day 0 of this year */
    led->year_stamp = (uint16_t)(first + 1 < 1 ? 1 : first + 1);
}

/* ------------------------------------------------------- counting, tracing */

static void led_emit(led_ledger *led, uint64_t seq, uint16_t city, enum led_transfer_kind kind,
                     enum led_reason r, led_acct from, led_acct to, int64_t amount_fen)
{
    if (!led->trace_fn || led->in_batch)
        return;
    if (!led->trace_all && led_mix(seq) >= led->trace_threshold)
        return;
    led_transfer t = {.seq = seq, .day = led->day, .city = city, .kind = (uint8_t)kind,
                      .reason = (uint8_t)r, .from = from, .to = to, .amount_fen = amount_fen};
    led->trace_fn(led->trace_ctx, &t);
}

static bool led_journal_room(const led_ledger *led, uint32_t entries)
{
    return !led->in_batch || led->journal_cap - led->journal_n >= entries;
}

static void led_j_hot(led_ledger *led, uint32_t acct)
{
    if (!led->in_batch)
        return;
    LED_ASSERT(led, led->journal_n < led->journal_cap);
    struct led_journal *j = &led->journal[led->journal_n++];
    j->type = LED_J_HOT;
    j->idx = acct;
    j->u.hot = led->hot[acct];
}

static void led_j_ext(led_ledger *led, uint32_t e)
{
    if (!led->in_batch)
        return;
    LED_ASSERT(led, led->journal_n < led->journal_cap);
    struct led_journal *j = &led->journal[led->journal_n++];
    j->type = LED_J_EXT;
    j->idx = e;
    j->u.v.a = led->ext[e].earmarked_fen;
    j->u.v.b = led->ext[e].offline_base_fen;
}

static void led_j_lot(led_ledger *led, uint32_t li)
{
    if (!led->in_batch)
        return;
    LED_ASSERT(led, led->journal_n < led->journal_cap);
    struct led_journal *j = &led->journal[led->journal_n++];
    j->type = LED_J_LOT;
    j->idx = li;
    j->u.v.a = led->lot[li].remaining_fen;
}

static void led_count_ok(led_ledger *led, uint16_t city, enum led_transfer_kind kind,
                         int64_t amount_fen)
{
    led_day_stats *st = &led->today[city];
    st->count[kind]++;
    st->value_fen[kind] += amount_fen;
    if (led->in_batch) {
        LED_ASSERT(led, led->journal_n < led->journal_cap);
        struct led_journal *j = &led->journal[led->journal_n++];
        j->type = LED_J_STAT;
        j->idx = city;
        j->u.v.a = kind;
        j->u.v.b = amount_fen;
    }
}

static enum led_reason led_reject(led_ledger *led, uint64_t seq, uint16_t city,
                                  enum led_transfer_kind kind, led_acct from, led_acct to,
                                  int64_t amount_fen, enum led_reason r)
{
    LED_ASSERT(led, r > LED_OK && r < LED_REASONS);
    led->today[city].rejected[r]++;
    led_emit(led, seq, city, kind, r, from, to, amount_fen);
    return r;
}

static uint16_t led_city_or0(const led_ledger *led, led_acct a)
{
    return a < led->n ? led->hot[a].city : 0;
}

#if ECNYSIM_DEBUG
/* Per-account facts cheap enough to check after every transfer in debug. */
static void led_check_acct(const led_ledger *led, led_acct a)
{
    const struct led_hot *h = &led->hot[a];
    LED_ASSERT(led, h->kind == LED_CENTRAL_BANK || h->balance_fen >= 0);
    LED_ASSERT(led, h->balance_fen <= led->caps[h->cls].balance_cap_fen);
    const struct led_ext *e = led_ext_of(led, h);
    if (e) {
        LED_ASSERT(led, e->owner == a);
        LED_ASSERT(led, e->earmarked_fen >= 0 && e->earmarked_fen <= h->balance_fen);
    }
}

#define LED_DEBUG_CHECK(led, a) led_check_acct((led), (a))
#else
#define LED_DEBUG_CHECK(led, a) ((void)0)
#endif

/* ------------------------------------------------------------ allocation */

void led_config_default(led_config *cfg, uint32_t max_accounts, uint32_t max_cities,
                        const led_class_limits limits[4])
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_accounts = max_accounts;
    cfg->max_cities = max_cities;
    memcpy(cfg->limits, limits ? limits : led_default_limits, sizeof cfg->limits);
    cfg->max_banks = 1024;
    /* Side tables: about 1.6 bytes per account together at these sizes. */
    cfg->max_earmarks = max_accounts / 64 + 1024;
    cfg->max_ext = max_accounts / 64 + 1024;
    cfg->max_pending = max_accounts / 256 + 1024;
    cfg->max_batch_legs = (max_accounts < 16384 ? max_accounts : 16384) + 64;
}

static led_config led_resolve(const led_config *in)
{
    led_config d, c = *in;
    led_config_default(&d, in->max_accounts, in->max_cities, in->limits);
    if (!c.max_banks) c.max_banks = d.max_banks;
    if (!c.max_earmarks) c.max_earmarks = d.max_earmarks;
    if (!c.max_ext) c.max_ext = d.max_ext;
    if (!c.max_pending) c.max_pending = d.max_pending;
    if (!c.max_batch_legs) c.max_batch_legs = d.max_batch_legs;
    return c;
}

static size_t led_round64(size_t x)
{
    return (x + 63) & ~(size_t)63;
}

/* Bytes of the account table and whether it asks for huge pages. */
static size_t led_hot_bytes(const led_config *c, bool *huge)
{
    size_t b = led_round64((size_t)c->max_accounts * sizeof(struct led_hot));
    *huge = b >= LED_HUGE_BYTES && !(c->flags & LED_CFG_NO_HUGE_PAGES);
    if (*huge)
        b = (b + LED_HUGE_BYTES - 1) & ~(size_t)(LED_HUGE_BYTES - 1);
    return b;
}

uint64_t led_bytes_needed_ex(const led_config *in)
{
    led_config c = led_resolve(in);
    bool huge;
    uint64_t b = sizeof(led_ledger);
    b += led_hot_bytes(&c, &huge);
    b += (uint64_t)c.max_banks * sizeof(int64_t);
    b += ((uint64_t)c.max_ext + 1) * sizeof(struct led_ext);
    b += (uint64_t)c.max_earmarks * sizeof(struct led_lot);
    b += (uint64_t)LED_BUCKETS * sizeof(uint32_t);
    b += (uint64_t)c.max_pending * sizeof(struct led_pending);
    b += ((uint64_t)c.max_batch_legs * LED_JOURNAL_PER_LEG + 64) * sizeof(struct led_journal);
    b += (uint64_t)c.max_cities * sizeof(led_day_stats);
    return b;
}

uint64_t led_bytes_needed(uint32_t max_accounts, uint32_t max_cities)
{
    led_config c;
    led_config_default(&c, max_accounts, max_cities, NULL);
    return led_bytes_needed_ex(&c);
}

size_t led_account_bytes(void)
{
    return sizeof(struct led_hot);
}

led_ledger *led_alloc(uint32_t max_accounts, uint32_t max_cities,
                      const led_class_limits limits[4])
{
    led_config c;
    led_config_default(&c, max_accounts, max_cities, limits);
    return led_alloc_ex(&c);
}

led_ledger *led_alloc_ex(const led_config *in)
{
    if (!in || in->max_accounts < 1 || in->max_accounts >= LED_NONE || in->max_cities < 1 ||
        in->max_cities > UINT16_MAX)
        return NULL;
    led_config c = led_resolve(in);
    for (int k = 0; k < 4; k++) {
        const led_class_limits *l = &c.limits[k];
        if (l->balance_cap_fen < 0 || l->per_payment_fen < 0 || l->daily_fen < 0 ||
            l->annual_fen < 0 || l->daily_fen > LED_SPEND_CAP_MAX_FEN ||
            l->annual_fen > LED_SPEND_CAP_MAX_FEN)
            return NULL;
    }
    if (c.max_ext >= LED_NONE - 1 || c.max_earmarks >= LED_NONE || c.max_pending >= LED_NONE ||
        c.max_batch_legs > (LED_NONE - 64) / LED_JOURNAL_PER_LEG)
        return NULL;

    led_ledger *led = calloc(1, sizeof *led);
    if (!led)
        return NULL;
    /* 64-byte alignment keeps every 32-byte record inside one cache line. A
     * large table is 2 MiB-aligned and asks for transparent huge pages: on a
     * population far past the caches every payment's two random accesses are
     * TLB misses too, and with 4 KiB pages the page walks themselves miss
     * (the page tables of 13 M accounts are ~800 KB). Where THP is off the
     * advice is ignored. */
    bool huge;
    size_t hot_bytes = led_hot_bytes(&c, &huge);
    led->hot = aligned_alloc(huge ? LED_HUGE_BYTES : 64, hot_bytes);
#ifdef MADV_HUGEPAGE
    if (led->hot && huge)
        (void)madvise(led->hot, hot_bytes, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
    led->reserve_fen = calloc(c.max_banks, sizeof *led->reserve_fen);
    led->ext = calloc((size_t)c.max_ext + 1, sizeof *led->ext);
    led->lot = calloc(c.max_earmarks ? c.max_earmarks : 1, sizeof *led->lot);
    led->bucket = malloc(LED_BUCKETS * sizeof *led->bucket);
    led->pend = calloc(c.max_pending ? c.max_pending : 1, sizeof *led->pend);
    led->journal_cap = c.max_batch_legs * LED_JOURNAL_PER_LEG + 64;
    led->journal = malloc((size_t)led->journal_cap * sizeof *led->journal);
    led->today = calloc(c.max_cities, sizeof *led->today);
    if (!led->hot || !led->reserve_fen || !led->ext || !led->lot || !led->bucket || !led->pend ||
        !led->journal || !led->today)
        goto err;

    led->max_accounts = c.max_accounts;
    led->n_cities = c.max_cities;
    led->max_banks = c.max_banks;
    led->caps[0] = (struct led_caps){LED_CAP_NONE, LED_CAP_NONE, LED_CAP_NONE, LED_CAP_NONE};
    for (int k = 0; k < 4; k++) {
        const led_class_limits *l = &c.limits[k];
        led->caps[k + 1] = (struct led_caps){led_cap(l->balance_cap_fen), led_cap(l->per_payment_fen),
                                             led_cap(l->daily_fen), led_cap(l->annual_fen)};
    }
    /* Side tables hand out never-used slots first (ext from 1: 0 is "none")
     * and recycle freed ones through free lists, so their pages are touched
     * only as far as they are used: at 1:1 they are sized for the worst case. */
    led->max_ext = c.max_ext;
    led->ext_free = LED_NONE;
    led->ext_fresh = 1;
    led->max_lots = c.max_earmarks;
    led->lot_free = LED_NONE;
    led->lot_fresh = 0;
    for (uint32_t i = 0; i < LED_BUCKETS; i++)
        led->bucket[i] = LED_NONE;
    led->expire_done_day = INT64_MIN / 2;
    led->max_pending = c.max_pending;
    led->pend_free = LED_NONE;
    led->pend_fresh = 0;
    led->max_batch_legs = c.max_batch_legs;

    led->day = 0;
    led->day_stamp = 1;
    led_year_recompute(led);

    /* Parts of the sampled sweep: the smallest power-of-two run of account
     * numbers such that LED_CHECK_PARTS of them cover every slot. */
    while (((uint64_t)(c.max_accounts - 1) >> led->part_shift) >= LED_CHECK_PARTS)
        led->part_shift++;

    /* The issuer is account 0. */
    led->hot[0] = (struct led_hot){.link = LED_NONE, .kind = LED_CENTRAL_BANK,
                                   .category = LED_CATEGORY_NONE};
    led->kc_n[LED_CENTRAL_BANK][0] = 1;
    led->n = 1;
    return led;
err:
    led_free(led);
    return NULL;
}

void led_free(led_ledger *led)
{
    if (!led)
        return;
    free(led->hot);
    free(led->reserve_fen);
    free(led->ext);
    free(led->lot);
    free(led->bucket);
    free(led->pend);
    free(led->journal);
    free(led->today);
    free(led);
}

/* ---------------------------------------------------------------- accounts */

static bool led_ext_available(const led_ledger *led)
{
    return led->ext_free != LED_NONE || led->ext_fresh <= led->max_ext;
}

static uint32_t led_ext_alloc(led_ledger *led, led_acct owner)
{
    uint32_t e = led->ext_free;
    if (e != LED_NONE)
        led->ext_free = led->ext[e].owner;
    else if (led->ext_fresh <= led->max_ext)
        e = led->ext_fresh++;
    else
        return 0;
    led->ext[e] = (struct led_ext){.offline_limit_fen = LED_OFFLINE_LIMIT_DEFAULT_FEN,
                                   .first_lot = LED_NONE, .pending_head = LED_NONE,
                                   .pending_tail = LED_NONE, .owner = owner};
    led->ext_used++;
    return e;
}

static void led_ext_release(led_ledger *led, struct led_hot *h)
{
    uint32_t e = h->aux;
    LED_ASSERT(led, e != 0 && led->ext[e].first_lot == LED_NONE);
    LED_ASSERT(led, led->ext[e].earmarked_fen == 0 && led->ext[e].pending_n == 0);
    led->ext[e].owner = led->ext_free;
    led->ext_free = e;
    led->ext_used--;
    h->aux = 0;
}

led_acct led_central_bank(const led_ledger *led)
{
    (void)led;
    return 0;
}

led_acct led_open(led_ledger *led, enum led_account_kind kind, int wallet_class, led_acct bank,
                  uint16_t city)
{
    LED_ASSERT(led, kind > LED_CENTRAL_BANK && kind < LED_ACCOUNT_KINDS);
    LED_ASSERT(led, city < led->n_cities);
    if (led->n >= led->max_accounts)
        return LED_NONE;
    led_acct a = led->n;
    struct led_hot h = {.link = LED_NONE, .city = city, .kind = (uint8_t)kind,
                        .category = LED_CATEGORY_NONE};
    if (led_personal(kind)) {
        LED_ASSERT(led, wallet_class >= 1 && wallet_class <= 4);
        h.cls = (uint8_t)wallet_class;
    }
    if (kind == LED_BANK) {
        if (led->n_banks >= led->max_banks)
            return LED_NONE;
        h.link = led->n_banks;
        led->reserve_fen[led->n_banks++] = 0;
    } else {
        LED_ASSERT(led, bank == LED_NONE || (bank < led->n && led->hot[bank].kind == LED_BANK));
        h.link = bank;
    }
    if (kind == LED_HARD_WALLET) {
        uint32_t e = led_ext_alloc(led, a);
        if (!e)
            return LED_NONE;
        h.aux = e;
        h.flags |= LED_F_HARD;
    }
    led->hot[a] = h;
    led->kc_n[h.kind][h.cls]++;
    led->n++;
    return a;
}

led_acct led_open_sub_wallet(led_ledger *led, led_acct parent)
{
    LED_ASSERT(led, parent < led->n && led->hot[parent].kind == LED_WALLET);
    const struct led_hot *p = &led->hot[parent];
    led_acct a = led_open(led, LED_SUB_WALLET, p->cls, p->link, p->city);
    if (a == LED_NONE)
        return a;
    led->hot[a].link = parent;
    led->hot[a].flags |= LED_F_PARENT;
    return a;
}

led_acct led_parent(const led_ledger *led, led_acct a)
{
    return a < led->n && (led->hot[a].flags & LED_F_PARENT) ? led->hot[a].link : LED_NONE;
}

led_acct led_bank_of(const led_ledger *led, led_acct a)
{
    return a < led->n ? led_bank_acct(led, &led->hot[a]) : LED_NONE;
}

void led_set_reserve(led_ledger *led, led_acct bank, int64_t reserve_fen)
{
    LED_ASSERT(led, bank < led->n && led->hot[bank].kind == LED_BANK);
    LED_ASSERT(led, reserve_fen >= 0);
    led->reserve_fen[led->hot[bank].link] = reserve_fen;
}

int64_t led_reserve(const led_ledger *led, led_acct bank)
{
    if (bank >= led->n || led->hot[bank].kind != LED_BANK)
        return 0;
    return led->reserve_fen[led->hot[bank].link];
}

enum led_reason led_set_class(led_ledger *led, led_acct w, int wallet_class)
{
    if (w >= led->n || !led_personal(led->hot[w].kind) || wallet_class < 1 || wallet_class > 4)
        return LED_R_INVALID;
    struct led_hot *h = &led->hot[w];
    if (h->balance_fen > led->caps[wallet_class].balance_cap_fen)
        return LED_R_BALANCE_CAP;
    led->kc_sum_fen[h->kind][h->cls] -= h->balance_fen;
    led->kc_n[h->kind][h->cls]--;
    h->cls = (uint8_t)wallet_class;
    led->kc_sum_fen[h->kind][h->cls] += h->balance_fen;
    led->kc_n[h->kind][h->cls]++;
    return LED_OK;
}

void led_set_merchant_category(led_ledger *led, led_acct m, uint8_t category)
{
    LED_ASSERT(led, m < led->n && led->hot[m].kind == LED_MERCHANT);
    LED_ASSERT(led, category < 32 || category == LED_CATEGORY_NONE);
    led->hot[m].category = category;
}

void led_set_merchant_tag(led_ledger *led, led_acct m, uint32_t tag_bitmask)
{
    LED_ASSERT(led, m < led->n && led->hot[m].kind == LED_MERCHANT);
    led->hot[m].aux = tag_bitmask;
}

void led_set_overflow_policy(led_ledger *led, enum led_overflow_policy policy)
{
    LED_ASSERT(led, policy == LED_OVERFLOW_REJECT || policy == LED_OVERFLOW_SWEEP);
    led->overflow = policy;
}

void led_set_trace(led_ledger *led, led_trace_fn fn, void *ctx, double rate)
{
    led->trace_fn = rate > 0 ? fn : NULL;
    led->trace_ctx = ctx;
    led->trace_all = rate >= 1.0;
    led->trace_threshold = rate >= 1.0 ? UINT64_MAX : (uint64_t)(rate * 18446744073709551616.0);
}

void led_set_year_offset(led_ledger *led, int32_t offset_days)
{
    LED_ASSERT(led, offset_days >= 0 && offset_days < 366);
    led->year_offset_days = offset_days;
    led_year_recompute(led);
}

/* ---------------------------------------------------------------- queries */

int64_t led_balance(const led_ledger *led, led_acct a)
{
    return a < led->n ? led->hot[a].balance_fen : 0;
}

enum led_account_kind led_kind(const led_ledger *led, led_acct a)
{
    LED_ASSERT(led, a < led->n);
    return (enum led_account_kind)led->hot[a].kind;
}

int led_wallet_class(const led_ledger *led, led_acct a)
{
    return a < led->n ? led->hot[a].cls : 0;
}

uint16_t led_city(const led_ledger *led, led_acct a)
{
    LED_ASSERT(led, a < led->n);
    return led->hot[a].city;
}

uint32_t led_accounts(const led_ledger *led)
{
    return led->n;
}

int64_t led_circulation(const led_ledger *led)
{
    return -led->hot[0].balance_fen;
}

int64_t led_issued_total(const led_ledger *led)
{
    return led->issued_fen;
}

int64_t led_withdrawn_total(const led_ledger *led)
{
    return led->withdrawn_fen;
}

int32_t led_today(const led_ledger *led)
{
    return led->day;
}

const led_day_stats *led_day(const led_ledger *led, uint16_t city)
{
    LED_ASSERT(led, city < led->n_cities);
    return &led->today[city];
}

void led_totals(const led_ledger *led, led_day_stats *out)
{
    *out = led->past;
    for (uint32_t c = 0; c < led->n_cities; c++) {
        for (int k = 0; k < LED_TRANSFER_KINDS; k++) {
            out->count[k] += led->today[c].count[k];
            out->value_fen[k] += led->today[c].value_fen[k];
        }
        for (int r = 0; r < LED_REASONS; r++)
            out->rejected[r] += led->today[c].rejected[r];
    }
}

int64_t led_earmarked(const led_ledger *led, led_acct w)
{
    if (w >= led->n)
        return 0;
    const struct led_ext *e = led_ext_of(led, &led->hot[w]);
    return e ? e->earmarked_fen : 0;
}

uint32_t led_earmark_lots(const led_ledger *led)
{
    return led->lots_live;
}

static const struct led_ext *led_hard_ext(const led_ledger *led, led_acct w)
{
    if (w >= led->n || !(led->hot[w].flags & LED_F_HARD))
        return NULL;
    return &led->ext[led->hot[w].aux];
}

int64_t led_offline_limit(const led_ledger *led, led_acct w)
{
    const struct led_ext *e = led_hard_ext(led, w);
    return e ? e->offline_limit_fen : 0;
}

int64_t led_offline_balance(const led_ledger *led, led_acct w)
{
    const struct led_ext *e = led_hard_ext(led, w);
    return e ? e->offline_base_fen : 0;
}

int64_t led_pending_fen(const led_ledger *led, led_acct w)
{
    const struct led_ext *e = led_hard_ext(led, w);
    return e ? e->pending_fen : 0;
}

uint32_t led_pending_count(const led_ledger *led, led_acct w)
{
    const struct led_ext *e = led_hard_ext(led, w);
    return e ? e->pending_n : 0;
}

void led_set_offline_limit(led_ledger *led, led_acct w, int64_t limit_fen)
{
    LED_ASSERT(led, led_hard_ext(led, w) != NULL);
    LED_ASSERT(led, limit_fen >= 0 && limit_fen <= LED_AMOUNT_MAX_FEN);
    led->ext[led->hot[w].aux].offline_limit_fen = limit_fen;
}

/* ------------------------------------------------------------------- days */

void led_day_begin(led_ledger *led, int32_t day)
{
    LED_ASSERT(led, day >= led->day);
    LED_ASSERT(led, day <= LED_DAY_MAX - 1);
    for (uint32_t c = 0; c < led->n_cities; c++) {
        for (int k = 0; k < LED_TRANSFER_KINDS; k++) {
            led->past.count[k] += led->today[c].count[k];
            led->past.value_fen[k] += led->today[c].value_fen[k];
        }
        for (int r = 0; r < LED_REASONS; r++)
            led->past.rejected[r] += led->today[c].rejected[r];
    }
    memset(led->today, 0, (size_t)led->n_cities * sizeof *led->today);
    led->day = day;
    led->day_stamp = (uint16_t)(day + 1);
    led_year_recompute(led);
}

/* ------------------------------------------------------- issue / withdraw */

static bool led_amount_ok(int64_t amount_fen)
{
    return amount_fen > 0 && amount_fen <= LED_AMOUNT_MAX_FEN;
}

/* Central bank -> bank against reserve; no counting (callers count). */
static void led_apply_issue(led_ledger *led, led_acct bank, int64_t amount_fen)
{
    struct led_hot *k = &led->hot[bank];
    led->reserve_fen[k->link] -= amount_fen;
    led->hot[0].balance_fen -= amount_fen;
    led_sum(led, 0, &led->hot[0], -amount_fen);
    k->balance_fen += amount_fen;
    led_sum(led, bank, k, amount_fen);
    led->issued_fen += amount_fen;
    LED_ASSERT(led, led->reserve_fen[k->link] >= 0);
}

static bool led_issue_fits(const led_ledger *led, int64_t amount_fen)
{
    /* issued_fen and the issuer's balance move together; both stay in int64. */
    return led->issued_fen <= INT64_MAX - amount_fen &&
           led->hot[0].balance_fen >= INT64_MIN + amount_fen;
}

enum led_reason led_issue(led_ledger *led, led_acct bank, int64_t amount_fen)
{
    uint64_t seq = led->seq++;
    uint16_t city = led_city_or0(led, bank);
    if (bank >= led->n || led->hot[bank].kind != LED_BANK || !led_amount_ok(amount_fen) ||
        !led_issue_fits(led, amount_fen))
        return led_reject(led, seq, city, LED_T_ISSUE, 0, bank, amount_fen, LED_R_INVALID);
    if (led->reserve_fen[led->hot[bank].link] < amount_fen)
        return led_reject(led, seq, city, LED_T_ISSUE, 0, bank, amount_fen, LED_R_RESERVE);
    led_apply_issue(led, bank, amount_fen);
    led_count_ok(led, city, LED_T_ISSUE, amount_fen);
    led_emit(led, seq, city, LED_T_ISSUE, LED_OK, 0, bank, amount_fen);
    LED_DEBUG_CHECK(led, bank);
    return LED_OK;
}

enum led_reason led_withdraw(led_ledger *led, led_acct bank, int64_t amount_fen)
{
    uint64_t seq = led->seq++;
    uint16_t city = led_city_or0(led, bank);
    if (bank >= led->n || led->hot[bank].kind != LED_BANK || !led_amount_ok(amount_fen) ||
        led->reserve_fen[led->hot[bank].link] > INT64_MAX - amount_fen ||
        led->withdrawn_fen > INT64_MAX - amount_fen)
        return led_reject(led, seq, city, LED_T_WITHDRAW, bank, 0, amount_fen, LED_R_INVALID);
    struct led_hot *k = &led->hot[bank];
    if (k->balance_fen < amount_fen)
        return led_reject(led, seq, city, LED_T_WITHDRAW, bank, 0, amount_fen, LED_R_INSUFFICIENT);
    k->balance_fen -= amount_fen;
    led_sum(led, bank, k, -amount_fen);
    led->hot[0].balance_fen += amount_fen;
    led_sum(led, 0, &led->hot[0], amount_fen);
    led->reserve_fen[k->link] += amount_fen;
    led->withdrawn_fen += amount_fen;
    led_count_ok(led, city, LED_T_WITHDRAW, amount_fen);
    led_emit(led, seq, city, LED_T_WITHDRAW, LED_OK, bank, 0, amount_fen);
    LED_DEBUG_CHECK(led, bank);
    return LED_OK;
}

/* -------------------------------------------------------------- earmarks */

static bool led_lot_eligible(const struct led_lot *l, const struct led_hot *payee)
{
    if (payee->kind != LED_MERCHANT)
        return false;
    if (l->category_mask &&
        (payee->category >= 32 || !((l->category_mask >> payee->category) & 1u)))
        return false;
    if (l->tag_mask && !(l->tag_mask & payee->aux))
        return false;
    return l->city == LED_ANY_CITY || l->city == payee->city;
}

static void led_bucket_unlink(led_ledger *led, uint32_t li)
{
    struct led_lot *l = &led->lot[li];
    if (!l->in_bucket)
        return;
    if (l->b_prev != LED_NONE)
        led->lot[l->b_prev].b_next = l->b_next;
    else
        led->bucket[(uint32_t)l->expiry_day & (LED_BUCKETS - 1)] = l->b_next;
    if (l->b_next != LED_NONE)
        led->lot[l->b_next].b_prev = l->b_prev;
    l->in_bucket = 0;
}

static void led_lot_free(led_ledger *led, uint32_t li)
{
    led_bucket_unlink(led, li);
    led->lot[li].next = led->lot_free;
    led->lot_free = li;
    led->lots_live--;
}

/* Frees the wallet's spent (zero) lots; drops its ext when nothing is left.
 * Never called inside a batch (the undo journal restores remainders only). */
static void led_purge_lots(led_ledger *led, led_acct w)
{
    struct led_hot *h = &led->hot[w];
    if (!(h->flags & LED_F_EARMARK))
        return;
    struct led_ext *e = &led->ext[h->aux];
    uint32_t *link = &e->first_lot;
    uint32_t guard = led->max_lots + 1;
    while (*link != LED_NONE) {
        LED_ASSERT(led, guard-- > 0);
        uint32_t li = *link;
        if (led->lot[li].remaining_fen == 0) {
            *link = led->lot[li].next;
            led_lot_free(led, li);
        } else {
            link = &led->lot[li].next;
        }
    }
    if (e->first_lot == LED_NONE) {
        LED_ASSERT(led, e->earmarked_fen == 0);
        h->flags &= (uint8_t)~LED_F_EARMARK;
        if (!(h->flags & LED_F_HARD))
            led_ext_release(led, h);
    }
}

enum led_reason led_earmark_grant(led_ledger *led, led_acct pool, led_acct w, int64_t amount_fen,
                                  const led_earmark_rule *rule)
{
    uint64_t seq = led->seq++;
    uint16_t city = led_city_or0(led, w);
    enum led_reason r = LED_OK;
    led_acct ret = rule && rule->return_pool != LED_NONE ? rule->return_pool : pool;
    if (pool >= led->n || w >= led->n || ret >= led->n || pool == w || !rule ||
        !led_amount_ok(amount_fen) || !led_personal(led->hot[w].kind) ||
        (led->hot[pool].kind != LED_POOL && led->hot[pool].kind != LED_GOVERNMENT) ||
        (led->hot[ret].kind != LED_POOL && led->hot[ret].kind != LED_GOVERNMENT) ||
        (rule->city != LED_ANY_CITY && rule->city >= led->n_cities))
        return led_reject(led, seq, city, LED_T_EARMARK, pool, w, amount_fen, LED_R_INVALID);
    struct led_hot *p = &led->hot[pool], *h = &led->hot[w];
    int64_t done = led->expire_done_day > led->day ? led->expire_done_day : led->day;
    if (rule->expiry_day <= done)
        r = LED_R_EXPIRED;
    else if (p->balance_fen < amount_fen)
        r = LED_R_INSUFFICIENT;
    else if (amount_fen > led->caps[h->cls].balance_cap_fen - h->balance_fen)
        r = LED_R_BALANCE_CAP;
    else if ((led->lot_free == LED_NONE && led->lot_fresh >= led->max_lots) ||
             (h->aux == 0 && !led_ext_available(led)))
        r = LED_R_CAPACITY;
    if (r != LED_OK)
        return led_reject(led, seq, city, LED_T_EARMARK, pool, w, amount_fen, r);

    if (h->aux == 0)
        h->aux = led_ext_alloc(led, w);
    struct led_ext *e = &led->ext[h->aux];
    uint32_t li = led->lot_free;
    if (li != LED_NONE)
        led->lot_free = led->lot[li].next;
    else
        li = led->lot_fresh++;
    led->lots_live++;
    struct led_lot *l = &led->lot[li];
    *l = (struct led_lot){.remaining_fen = amount_fen, .wallet = w, .pool = ret,
                          .next = LED_NONE, .b_next = LED_NONE, .b_prev = LED_NONE,
                          .category_mask = rule->category_mask, .tag_mask = rule->tag_mask,
                          .expiry_day = rule->expiry_day, .city = rule->city};
    /* Wallet list sorted by expiry, ties in grant order: spending walks it
     * front to back, so the money that expires first is spent first. */
    uint32_t *link = &e->first_lot;
    while (*link != LED_NONE && led->lot[*link].expiry_day <= l->expiry_day)
        link = &led->lot[*link].next;
    l->next = *link;
    *link = li;
    if (l->expiry_day != LED_NO_EXPIRY) {
        uint32_t b = (uint32_t)l->expiry_day & (LED_BUCKETS - 1);
        l->b_next = led->bucket[b];
        if (l->b_next != LED_NONE)
            led->lot[l->b_next].b_prev = li;
        led->bucket[b] = li;
        l->in_bucket = 1;
    }
    p->balance_fen -= amount_fen;
    led_sum(led, pool, p, -amount_fen);
    h->balance_fen += amount_fen;
    led_sum(led, w, h, amount_fen);
    e->earmarked_fen += amount_fen;
    led->earmarked_total_fen += amount_fen;
    h->flags |= LED_F_EARMARK;
    led_count_ok(led, city, LED_T_EARMARK, amount_fen);
    led_emit(led, seq, city, LED_T_EARMARK, LED_OK, pool, w, amount_fen);
    LED_DEBUG_CHECK(led, pool);
    LED_DEBUG_CHECK(led, w);
    return LED_OK;
}

/* Moves a lot's remainder back to its pool and frees the lot. */
static void led_expire_lot(led_ledger *led, uint32_t li)
{
    struct led_lot *l = &led->lot[li];
    led_acct w = l->wallet;
    struct led_hot *h = &led->hot[w];
    struct led_ext *e = &led->ext[h->aux];
    LED_ASSERT(led, e->owner == w);
    int64_t r = l->remaining_fen;
    if (r > 0) {
        h->balance_fen -= r;
        led_sum(led, w, h, -r);
        e->earmarked_fen -= r;
        led->earmarked_total_fen -= r;
        led->hot[l->pool].balance_fen += r;
        led_sum(led, l->pool, &led->hot[l->pool], r);
        uint64_t seq = led->seq++;
        led_count_ok(led, h->city, LED_T_EXPIRE, r);
        led_emit(led, seq, h->city, LED_T_EXPIRE, LED_OK, w, l->pool, r);
        LED_ASSERT(led, h->balance_fen >= 0 && e->earmarked_fen >= 0);
    }
    /* Unlink only this lot: the caller is walking its bucket, and freeing the
     * wallet's other spent lots here could free the caller's next. */
    uint32_t *link = &e->first_lot;
    uint32_t guard = led->max_lots + 1;
    while (*link != li) {
        LED_ASSERT(led, *link != LED_NONE && guard-- > 0);
        link = &led->lot[*link].next;
    }
    *link = l->next;
    l->remaining_fen = 0;
    led_lot_free(led, li);
    if (e->first_lot == LED_NONE) {
        LED_ASSERT(led, e->earmarked_fen == 0);
        h->flags &= (uint8_t)~LED_F_EARMARK;
        if (!(h->flags & LED_F_HARD))
            led_ext_release(led, h);
    }
}

uint32_t led_expire(led_ledger *led, int32_t day)
{
    LED_ASSERT(led, !led->in_batch);
    if (day <= led->expire_done_day)
        return 0;
    int64_t from = led->expire_done_day + 1;
    led->expire_done_day = day;
    if (led->lots_live == 0)
        return 0;
    uint32_t expired = 0;
    int64_t span = (int64_t)day - from + 1;
    uint32_t nb = span >= (int64_t)LED_BUCKETS ? LED_BUCKETS : (uint32_t)span;
    for (uint32_t i = 0; i < nb; i++) {
        uint32_t b = (uint32_t)(from + i) & (LED_BUCKETS - 1);
        uint32_t li = led->bucket[b];
        while (li != LED_NONE) {
            uint32_t next = led->lot[li].b_next;
            if (led->lot[li].expiry_day <= day) {
                led_expire_lot(led, li);
                expired++;
            }
            li = next;
        }
    }
    return expired;
}

/* ---------------------------------------------------------------- payments */

/* Class caps of cap account c (the payer, or a sub-wallet's parent). */
static enum led_reason led_caps_check(const led_ledger *led, const struct led_hot *c,
                                      int64_t amount_fen, int64_t *daily, int64_t *annual)
{
    const struct led_caps *lim = &led->caps[c->cls];
    *daily = c->last_day == led->day_stamp ? c->daily_spent_fen : 0;
    *annual = c->last_day >= led->year_stamp ? c->annual_spent_fen : 0;
    if (amount_fen > lim->per_payment_fen)
        return LED_R_PER_PAYMENT;
    if (*daily + amount_fen > lim->daily_fen)
        return LED_R_DAILY;
    if (*annual + amount_fen > lim->annual_fen)
        return LED_R_ANNUAL;
    return LED_OK;
}

static void led_spend_record(const led_ledger *led, struct led_hot *c, int64_t daily,
                             int64_t annual, int64_t amount_fen)
{
    /* Saturating: uncapped classes may pass 2^32 fen; their count is unused. */
    c->daily_spent_fen = led_sat32(daily + amount_fen);
    c->annual_spent_fen = led_sat32(annual + amount_fen);
    c->last_day = led->day_stamp;
}

/* Payee's excess over its cap goes to its bank (LED_OVERFLOW_SWEEP). */
static void led_sweep(led_ledger *led, led_acct b, led_acct bank, int64_t excess_fen)
{
    led_j_hot(led, b);
    led_j_hot(led, bank);
    struct led_hot *g = &led->hot[b];
    g->balance_fen -= excess_fen;
    led_sum(led, b, g, -excess_fen);
    led->hot[bank].balance_fen += excess_fen;
    led_sum(led, bank, &led->hot[bank], excess_fen);
    led_count_ok(led, g->city, LED_T_REDEEM, excess_fen);
    if (led->in_batch) { /* reported at commit, in order, if the batch posts */
        struct led_journal *j = &led->journal[led->journal_n++];
        j->type = LED_J_SWEEP;
        j->idx = b;
        j->u.v.a = bank;
        j->u.v.b = excess_fen;
    } else {
        led_emit(led, led->seq++, g->city, LED_T_REDEEM, LED_OK, b, bank, excess_fen);
    }
    LED_DEBUG_CHECK(led, bank);
}

/* Decides what the payee's cap does to a credit of amount_fen: 0 excess and
 * LED_OK, a positive excess to sweep, or LED_R_BALANCE_CAP. */
static enum led_reason led_payee_room(const led_ledger *led, const struct led_hot *g,
                                      int64_t amount_fen, led_acct *sweep_bank,
                                      int64_t *excess_fen)
{
    int64_t room = led->caps[g->cls].balance_cap_fen - g->balance_fen;
    *excess_fen = 0;
    *sweep_bank = LED_NONE;
    if (amount_fen <= room)
        return LED_OK;
    if (led->overflow != LED_OVERFLOW_SWEEP || g->cls == 0)
        return LED_R_BALANCE_CAP; /* uncapped payee: only int64 headroom is short */
    led_acct bank = led_bank_acct(led, g);
    if (bank == LED_NONE || led->hot[bank].balance_fen > INT64_MAX - (amount_fen - room))
        return LED_R_BALANCE_CAP;
    *excess_fen = amount_fen - room;
    *sweep_bank = bank;
    return LED_OK;
}

/* Checks and posts one payment from any payer (earmarks, parent caps, hard
 * wallets, sweeps, batch journal). Counts success; the caller counts a
 * refusal. Accounts and amount are already validated. */
static enum led_reason led_pay_general(led_ledger *led, led_acct a, led_acct b,
                                       int64_t amount_fen, enum led_transfer_kind kind,
                                       uint64_t seq)
{
    struct led_hot *h = &led->hot[a], *g = &led->hot[b];
    led_acct ca = (h->flags & LED_F_PARENT) ? h->link : a;
    struct led_hot *c = &led->hot[ca];
    struct led_ext *e = led_ext_of(led, h);
    int64_t earmark_use = 0;
    uint32_t lots_touched = 0;

    if (h->flags & LED_F_EARMARK) {
        int64_t free_fen = h->balance_fen - e->earmarked_fen;
        int64_t usable = 0, expired = 0;
        if (g->kind == LED_MERCHANT) {
            uint32_t guard = led->max_lots + 1;
            for (uint32_t li = e->first_lot; li != LED_NONE; li = led->lot[li].next) {
                LED_ASSERT(led, guard-- > 0);
                const struct led_lot *l = &led->lot[li];
                if (l->remaining_fen == 0 || !led_lot_eligible(l, g))
                    continue;
                if (led->day < l->expiry_day) {
                    usable += l->remaining_fen;
                    lots_touched++;
                } else {
                    expired += l->remaining_fen;
                }
            }
        }
        earmark_use = usable < amount_fen ? usable : amount_fen;
        if (amount_fen - earmark_use > free_fen) {
            if (expired > 0 && free_fen + usable + expired >= amount_fen)
                return LED_R_EXPIRED;
            return h->balance_fen >= amount_fen ? LED_R_EARMARK : LED_R_INSUFFICIENT;
        }
    } else if (h->balance_fen < amount_fen) {
        return LED_R_INSUFFICIENT;
    }
    int64_t daily, annual;
    enum led_reason r = led_caps_check(led, c, amount_fen, &daily, &annual);
    if (r != LED_OK)
        return r;
    led_acct sweep_bank;
    int64_t excess;
    r = led_payee_room(led, g, amount_fen, &sweep_bank, &excess);
    if (r != LED_OK)
        return r;
    /* payer, cap account, payee, ext, lots, counter; sweep: 2 hot, counter, note */
    if (!led_journal_room(led, 9 + lots_touched))
        return LED_R_CAPACITY;

    led_j_hot(led, a);
    if (ca != a)
        led_j_hot(led, ca);
    led_j_hot(led, b);
    if (e)
        led_j_ext(led, h->aux);
    if (earmark_use > 0) {
        int64_t left = earmark_use;
        for (uint32_t li = e->first_lot; li != LED_NONE && left > 0; li = led->lot[li].next) {
            struct led_lot *l = &led->lot[li];
            if (l->remaining_fen == 0 || !led_lot_eligible(l, g) || led->day >= l->expiry_day)
                continue;
            int64_t take = l->remaining_fen < left ? l->remaining_fen : left;
            led_j_lot(led, li);
            l->remaining_fen -= take;
            left -= take;
        }
        LED_ASSERT(led, left == 0);
        e->earmarked_fen -= earmark_use;
        led->earmarked_total_fen -= earmark_use;
    }
    h->balance_fen -= amount_fen;
    led_sum(led, a, h, -amount_fen);
    led_spend_record(led, c, daily, annual, amount_fen);
    g->balance_fen += amount_fen;
    led_sum(led, b, g, amount_fen);
    if (h->flags & LED_F_HARD)
        e->offline_base_fen = h->balance_fen; /* the card is online: it knows its balance */
    led_count_ok(led, h->city, kind, amount_fen);
    led_emit(led, seq, h->city, kind, LED_OK, a, b, amount_fen);
    if (excess > 0)
        led_sweep(led, b, sweep_bank, excess);
    if (earmark_use > 0 && !led->in_batch)
        led_purge_lots(led, a);
    LED_ASSERT(led, h->balance_fen >= 0);
    LED_DEBUG_CHECK(led, a);
    LED_DEBUG_CHECK(led, b);
    LED_DEBUG_CHECK(led, ca);
    return LED_OK;
}

static enum led_reason led_pay_validate(const led_ledger *led, led_acct a, led_acct b,
                                        int64_t amount_fen)
{
    if (a >= led->n || b >= led->n || a == b || !led_amount_ok(amount_fen))
        return LED_R_INVALID;
    if (led->hot[a].kind == LED_CENTRAL_BANK || led->hot[b].kind == LED_CENTRAL_BANK)
        return LED_R_INVALID;
    return LED_OK;
}

static void led_sync_if_pending(led_ledger *led, led_acct a)
{
    const struct led_hot *h = &led->hot[a];
    if ((h->flags & LED_F_HARD) && led->ext[h->aux].pending_n > 0)
        led_sync(led, a);
}

/* Everything led_pay's fast path does not finish: validation failures, payers
 * with earmarks, parents or a card, cap refusals, payee overflow. It decides
 * from scratch (the fast path changed nothing), so both paths give one answer.
 * Kept out of line so the fast path stays a short leaf: on a large population
 * a payment is two cache misses, and the fewer instructions between them the
 * more payments the CPU overlaps. */
static __attribute__((noinline)) enum led_reason led_pay_slow(led_ledger *led, led_acct a,
                                                              led_acct b, int64_t amount_fen,
                                                              uint64_t seq)
{
    enum led_reason r = led_pay_validate(led, a, b, amount_fen);
    if (r != LED_OK)
        return led_reject(led, seq, led_city_or0(led, a), LED_T_PAYMENT, a, b, amount_fen, r);
    led_sync_if_pending(led, a);
    r = led_pay_general(led, a, b, amount_fen, LED_T_PAYMENT, seq);
    if (r != LED_OK)
        return led_reject(led, seq, led->hot[a].city, LED_T_PAYMENT, a, b, amount_fen, r);
    return LED_OK;
}

static __attribute__((noinline)) void led_pay_traced(led_ledger *led, led_acct a, led_acct b,
                                                     int64_t amount_fen, uint64_t seq)
{
    led_emit(led, seq, led->hot[a].city, LED_T_PAYMENT, LED_OK, a, b, amount_fen);
}

enum led_reason led_pay(led_ledger *led, led_acct a, led_acct b, int64_t amount_fen)
{
    uint64_t seq = led->seq++;
    uint32_t n = led->n;
    /* Fast path: a plain payer (no earmark, parent or card), every check
     * passing; anything else goes to led_pay_slow before any change. */
    if (a >= n || b >= n || a == b || (uint64_t)amount_fen - 1 >= (uint64_t)LED_AMOUNT_MAX_FEN)
        return led_pay_slow(led, a, b, amount_fen, seq);
    struct led_hot *h = &led->hot[a], *g = &led->hot[b];
    if ((h->flags & LED_F_SLOW) | (h->kind == LED_CENTRAL_BANK) | (g->kind == LED_CENTRAL_BANK))
        return led_pay_slow(led, a, b, amount_fen, seq);
    const struct led_caps *lim = &led->caps[h->cls];
    /* Masks, not branches: whether a wallet already paid today is a coin
     * toss the predictor loses, and a mispredict after a cache miss stops the
     * CPU overlapping this payment's misses with the next one's. */
    uint16_t last = h->last_day;
    uint64_t today_mask = (uint64_t)0 - (uint64_t)(last == led->day_stamp);
    uint64_t year_mask = (uint64_t)0 - (uint64_t)(last >= led->year_stamp);
    int64_t daily = (int64_t)(h->daily_spent_fen & today_mask);
    int64_t annual = (int64_t)(h->annual_spent_fen & year_mask);
    int64_t bal = h->balance_fen;
    if ((bal < amount_fen) | (amount_fen > lim->per_payment_fen) |
        (daily + amount_fen > lim->daily_fen) | (annual + amount_fen > lim->annual_fen) |
        (amount_fen > led->caps[g->cls].balance_cap_fen - g->balance_fen))
        return led_pay_slow(led, a, b, amount_fen, seq);
    h->balance_fen = bal - amount_fen;
    led_sum(led, a, h, -amount_fen);
    led_spend_record(led, h, daily, annual, amount_fen);
    g->balance_fen += amount_fen;
    led_sum(led, b, g, amount_fen);
    led_day_stats *st = &led->today[h->city];
    st->count[LED_T_PAYMENT]++;
    st->value_fen[LED_T_PAYMENT] += amount_fen;
    if (led->trace_fn)
        led_pay_traced(led, a, b, amount_fen, seq);
    LED_DEBUG_CHECK(led, a);
    LED_DEBUG_CHECK(led, b);
    return LED_OK;
}

uint32_t led_pay_many(led_ledger *led, const led_leg *legs, uint32_t n_legs, uint8_t *reasons)
{
    /* Prefetch distance: far enough to cover a memory latency (~100-150 ns)
     * at a few tens of ns per payment, near enough to stay in L1. */
    enum { AHEAD = 12 };
    LED_ASSERT(led, legs != NULL || n_legs == 0);
    uint32_t posted = 0;
    for (uint32_t i = 0; i < n_legs; i++) {
        if (i + AHEAD < n_legs) {
            led_acct pa = legs[i + AHEAD].from, pb = legs[i + AHEAD].to;
            pa = pa < led->n ? pa : 0; /* a prefetch must not leave the table */
            pb = pb < led->n ? pb : 0;
            __builtin_prefetch(&led->hot[pa], 1, 3);
            __builtin_prefetch(&led->hot[pb], 1, 3);
        }
        enum led_reason r = led_pay(led, legs[i].from, legs[i].to, legs[i].amount_fen);
        posted += r == LED_OK;
        if (reasons)
            reasons[i] = (uint8_t)r;
    }
    return posted;
}

enum led_reason led_topup(led_ledger *led, led_acct w, int64_t amount_fen)
{
    uint64_t seq = led->seq++;
    uint16_t city = led_city_or0(led, w);
    led_acct bank = w < led->n ? led_bank_acct(led, &led->hot[w]) : LED_NONE;
    if (w >= led->n || bank == LED_NONE || !led_amount_ok(amount_fen))
        return led_reject(led, seq, city, LED_T_TOPUP, bank, w, amount_fen, LED_R_INVALID);
    led_sync_if_pending(led, w);
    struct led_hot *h = &led->hot[w], *k = &led->hot[bank];
    if (amount_fen > led->caps[h->cls].balance_cap_fen - h->balance_fen)
        return led_reject(led, seq, city, LED_T_TOPUP, bank, w, amount_fen, LED_R_BALANCE_CAP);
    int64_t short_fen = amount_fen - k->balance_fen;
    if (short_fen > 0) {
        /* The bank converts deposits on demand: issue what its vault lacks. */
        if (led->reserve_fen[k->link] < short_fen)
            return led_reject(led, seq, city, LED_T_TOPUP, bank, w, amount_fen, LED_R_RESERVE);
        if (!led_issue_fits(led, short_fen))
            return led_reject(led, seq, city, LED_T_TOPUP, bank, w, amount_fen, LED_R_INVALID);
        uint64_t iseq = led->seq++;
        led_apply_issue(led, bank, short_fen);
        led_count_ok(led, k->city, LED_T_ISSUE, short_fen);
        led_emit(led, iseq, k->city, LED_T_ISSUE, LED_OK, 0, bank, short_fen);
    }
    k->balance_fen -= amount_fen;
    led_sum(led, bank, k, -amount_fen);
    h->balance_fen += amount_fen;
    led_sum(led, w, h, amount_fen);
    if (h->flags & LED_F_HARD)
        led->ext[h->aux].offline_base_fen = h->balance_fen;
    led_count_ok(led, city, LED_T_TOPUP, amount_fen);
    led_emit(led, seq, city, LED_T_TOPUP, LED_OK, bank, w, amount_fen);
    LED_ASSERT(led, k->balance_fen >= 0);
    LED_DEBUG_CHECK(led, w);
    LED_DEBUG_CHECK(led, bank);
    return LED_OK;
}

enum led_reason led_redeem(led_ledger *led, led_acct w, int64_t amount_fen)
{
    uint64_t seq = led->seq++;
    uint16_t city = led_city_or0(led, w);
    led_acct bank = w < led->n ? led_bank_acct(led, &led->hot[w]) : LED_NONE;
    if (w >= led->n || bank == LED_NONE || !led_amount_ok(amount_fen) ||
        led->hot[bank].balance_fen > INT64_MAX - amount_fen)
        return led_reject(led, seq, city, LED_T_REDEEM, w, bank, amount_fen, LED_R_INVALID);
    led_sync_if_pending(led, w);
    struct led_hot *h = &led->hot[w];
    struct led_ext *e = led_ext_of(led, h);
    int64_t free_fen = h->balance_fen - (e ? e->earmarked_fen : 0);
    if (free_fen < amount_fen) {
        enum led_reason r = h->balance_fen >= amount_fen ? LED_R_EARMARK : LED_R_INSUFFICIENT;
        return led_reject(led, seq, city, LED_T_REDEEM, w, bank, amount_fen, r);
    }
    h->balance_fen -= amount_fen;
    led_sum(led, w, h, -amount_fen);
    led->hot[bank].balance_fen += amount_fen;
    led_sum(led, bank, &led->hot[bank], amount_fen);
    if (h->flags & LED_F_HARD)
        e->offline_base_fen = h->balance_fen;
    led_count_ok(led, city, LED_T_REDEEM, amount_fen);
    led_emit(led, seq, city, LED_T_REDEEM, LED_OK, w, bank, amount_fen);
    LED_DEBUG_CHECK(led, w);
    LED_DEBUG_CHECK(led, bank);
    return LED_OK;
}

/* ------------------------------------------------------------------ batch */

static void led_rollback(led_ledger *led)
{
    while (led->journal_n > 0) {
        const struct led_journal *j = &led->journal[--led->journal_n];
        switch (j->type) {
        case LED_J_HOT: /* a batch never changes an account's kind or class */
            led_sum(led, j->idx, &j->u.hot, j->u.hot.balance_fen - led->hot[j->idx].balance_fen);
            led->hot[j->idx] = j->u.hot;
            break;
        case LED_J_EXT:
            led->earmarked_total_fen += j->u.v.a - led->ext[j->idx].earmarked_fen;
            led->ext[j->idx].earmarked_fen = j->u.v.a;
            led->ext[j->idx].offline_base_fen = j->u.v.b;
            break;
        case LED_J_LOT:
            led->lot[j->idx].remaining_fen = j->u.v.a;
            break;
        case LED_J_STAT:
            led->today[j->idx].count[j->u.v.a]--;
            led->today[j->idx].value_fen[j->u.v.a] -= j->u.v.b;
            break;
        case LED_J_SWEEP:
            break;
        default:
            LED_ASSERT(led, !"bad journal entry");
        }
    }
}

enum led_reason led_pay_batch(led_ledger *led, const led_leg *legs, uint32_t n_legs,
                              uint32_t *failed_leg)
{
    LED_ASSERT(led, !led->in_batch);
    LED_ASSERT(led, legs != NULL || n_legs == 0);
    if (failed_leg)
        *failed_leg = LED_NONE;
    if (n_legs == 0)
        return LED_OK;
    if (n_legs > led->max_batch_legs) {
        if (failed_leg)
            *failed_leg = 0;
        return led_reject(led, led->seq++, led_city_or0(led, legs[0].from), LED_T_BATCH,
                          legs[0].from, legs[0].to, legs[0].amount_fen, LED_R_CAPACITY);
    }
    /* A card that comes online uploads its offline payments first; a sync is
     * its own event, so it happens before, and outside, the all-or-nothing. */
    for (uint32_t i = 0; i < n_legs; i++)
        if (legs[i].from < led->n)
            led_sync_if_pending(led, legs[i].from);

    uint64_t seq0 = led->seq;
    led->seq += n_legs;
    led->in_batch = true;
    led->journal_n = 0;
    for (uint32_t i = 0; i < n_legs; i++) {
        const led_leg *l = &legs[i];
        enum led_reason r = led_pay_validate(led, l->from, l->to, l->amount_fen);
        if (r == LED_OK)
            r = led_pay_general(led, l->from, l->to, l->amount_fen, LED_T_BATCH, seq0 + i);
        if (r != LED_OK) {
            led_rollback(led);
            led->in_batch = false;
            if (failed_leg)
                *failed_leg = i;
            return led_reject(led, seq0 + i, led_city_or0(led, l->from), LED_T_BATCH, l->from,
                              l->to, l->amount_fen, r);
        }
    }
    led->in_batch = false;
    /* Report legs and their sweeps in the order they posted: a leg's counter
     * entry marks it, its sweep (if any) follows. */
    uint32_t leg = 0;
    for (uint32_t k = 0; k < led->journal_n && led->trace_fn; k++) {
        const struct led_journal *j = &led->journal[k];
        if (j->type == LED_J_STAT && j->u.v.a == LED_T_BATCH) {
            const led_leg *l = &legs[leg];
            led_emit(led, seq0 + leg, led->hot[l->from].city, LED_T_BATCH, LED_OK, l->from, l->to,
                     l->amount_fen);
            leg++;
        } else if (j->type == LED_J_SWEEP) {
            led_emit(led, led->seq++, led->hot[j->idx].city, LED_T_REDEEM, LED_OK, j->idx,
                     (led_acct)j->u.v.a, j->u.v.b);
        }
    }
    LED_ASSERT(led, leg == n_legs || !led->trace_fn);
    led->journal_n = 0;
    for (uint32_t i = 0; i < n_legs; i++)
        led_purge_lots(led, legs[i].from);
    return LED_OK;
}

/* ----------------------------------------------------------------- offline */

enum led_reason led_pay_offline(led_ledger *led, led_acct a, led_acct b, int64_t amount_fen)
{
    uint64_t seq = led->seq++;
    uint16_t city = led_city_or0(led, a);
    enum led_reason r = led_pay_validate(led, a, b, amount_fen);
    if (r == LED_OK && !(led->hot[a].flags & LED_F_HARD))
        r = LED_R_INVALID;
    if (r != LED_OK)
        return led_reject(led, seq, city, LED_T_OFFLINE, a, b, amount_fen, r);
    struct led_ext *e = &led->ext[led->hot[a].aux];
    if (e->pending_fen + amount_fen > e->offline_limit_fen)
        return led_reject(led, seq, city, LED_T_OFFLINE, a, b, amount_fen, LED_R_OFFLINE_LIMIT);
    if (led->pend_free == LED_NONE && led->pend_fresh >= led->max_pending)
        return led_reject(led, seq, city, LED_T_OFFLINE, a, b, amount_fen, LED_R_CAPACITY);
    uint32_t pi = led->pend_free;
    if (pi != LED_NONE)
        led->pend_free = led->pend[pi].next;
    else
        pi = led->pend_fresh++;
    led->pend_used++;
    led->pend[pi] = (struct led_pending){.amount_fen = amount_fen, .payee = b, .next = LED_NONE};
    if (e->pending_tail == LED_NONE)
        e->pending_head = pi;
    else
        led->pend[e->pending_tail].next = pi;
    e->pending_tail = pi;
    e->pending_n++;
    e->pending_fen += amount_fen;
    LED_ASSERT(led, e->pending_fen <= e->offline_limit_fen);
    return LED_OK;
}

uint32_t led_sync(led_ledger *led, led_acct a)
{
    LED_ASSERT(led, !led->in_batch);
    if (a >= led->n || !(led->hot[a].flags & LED_F_HARD))
        return 0;
    struct led_ext *e = &led->ext[led->hot[a].aux];
    int64_t base = e->offline_base_fen, posted = 0;
    uint32_t rejected = 0, guard = e->pending_n;
    uint32_t pi = e->pending_head;
    /* Detach the queue first: a posting must not see its own pending list. */
    e->pending_head = e->pending_tail = LED_NONE;
    e->pending_n = 0;
    e->pending_fen = 0;
    while (pi != LED_NONE) {
        LED_ASSERT(led, guard-- > 0);
        struct led_pending p = led->pend[pi];
        uint64_t seq = led->seq++;
        enum led_reason r;
        if (posted + p.amount_fen > base) {
            r = LED_R_DOUBLE_SPEND; /* beyond what the card held when it last synced */
        } else {
            r = led_pay_general(led, a, p.payee, p.amount_fen, LED_T_OFFLINE, seq);
            if (r == LED_R_INSUFFICIENT)
                r = LED_R_DOUBLE_SPEND; /* the value was spent online meanwhile */
        }
        if (r == LED_OK)
            posted += p.amount_fen;
        else {
            rejected++;
            led_reject(led, seq, led->hot[a].city, LED_T_OFFLINE, a, p.payee, p.amount_fen, r);
        }
        led->pend[pi].next = led->pend_free;
        led->pend_free = pi;
        led->pend_used--;
        pi = p.next;
    }
    e->offline_base_fen = led->hot[a].balance_fen;
    return rejected;
}

/* ------------------------------------------------------------------- check */

#define LED_FAIL(...)                                                                      \
    do {                                                                                   \
        if (why && why_len)                                                                \
            snprintf(why, why_len, __VA_ARGS__);                                           \
        return false;                                                                      \
    } while (0)

/* What a sweep gathers beside the per-account facts. */
struct led_sweep_acc {
    uint64_t sum;                /* balances, wrapping */
    int64_t kc_sum_fen[LED_ACCOUNT_KINDS][5];
    uint32_t kc_n[LED_ACCOUNT_KINDS][5];
    int64_t earmarked_fen;
    uint32_t lots, ext, pend;
};

/* The facts of one account alone (sign, kind, class, cap, parent, bank
 * reserve, ext record, its earmark lots and pending list), added to acc. */
static bool led_check_account(const led_ledger *led, led_acct a, struct led_sweep_acc *acc,
                              char *why, size_t why_len)
{
    const struct led_hot *h = &led->hot[a];
    acc->sum += (uint64_t)h->balance_fen;
    if (h->kind >= LED_ACCOUNT_KINDS || (a > 0 && h->kind == LED_CENTRAL_BANK))
        LED_FAIL("account %u: bad kind %u", a, h->kind);
    if (a > 0 && h->balance_fen < 0)
        LED_FAIL("account %u: negative balance %lld", a, (long long)h->balance_fen);
    if (led_personal(h->kind) ? (h->cls < 1 || h->cls > 4) : h->cls != 0)
        LED_FAIL("account %u: bad class %u", a, h->cls);
    acc->kc_sum_fen[h->kind][h->cls] += h->balance_fen;
    acc->kc_n[h->kind][h->cls]++;
    if (h->balance_fen > led->caps[h->cls].balance_cap_fen)
        LED_FAIL("account %u: balance %lld over class %u cap %lld", a,
                 (long long)h->balance_fen, h->cls,
                 (long long)led->caps[h->cls].balance_cap_fen);
    if ((h->flags & LED_F_PARENT) &&
        (h->link >= led->n || led->hot[h->link].kind != LED_WALLET))
        LED_FAIL("account %u: bad parent %u", a, h->link);
    if (h->kind == LED_BANK && (h->link >= led->n_banks || led->reserve_fen[h->link] < 0))
        LED_FAIL("bank %u: bad reserve slot or negative reserve", a);
    const struct led_ext *e = led_ext_of(led, h);
    if ((h->flags & (LED_F_EARMARK | LED_F_HARD)) && !e)
        LED_FAIL("account %u: flags %u without ext", a, h->flags);
    if (!e)
        return true;
    acc->ext++;
    if (h->aux > led->max_ext || e->owner != a)
        LED_FAIL("account %u: ext %u owned by %u", a, h->aux, e->owner);
    if (e->earmarked_fen < 0 || e->earmarked_fen > h->balance_fen)
        LED_FAIL("account %u: earmarked %lld outside 0..balance %lld", a,
                 (long long)e->earmarked_fen, (long long)h->balance_fen);
    int64_t lot_sum = 0;
    int32_t prev_expiry = INT32_MIN;
    uint32_t guard = led->max_lots + 1;
    for (uint32_t li = e->first_lot; li != LED_NONE; li = led->lot[li].next) {
        if (li >= led->max_lots || guard-- == 0)
            LED_FAIL("account %u: lot list corrupt", a);
        const struct led_lot *l = &led->lot[li];
        if (l->wallet != a || l->remaining_fen < 0 || l->expiry_day < prev_expiry)
            LED_FAIL("account %u: lot %u wrong owner, negative or out of order", a, li);
        prev_expiry = l->expiry_day;
        lot_sum += l->remaining_fen;
        acc->lots++;
    }
    if (lot_sum != e->earmarked_fen)
        LED_FAIL("account %u: lots sum %lld != earmarked %lld", a, (long long)lot_sum,
                 (long long)e->earmarked_fen);
    if (!(h->flags & LED_F_EARMARK) && e->first_lot != LED_NONE)
        LED_FAIL("account %u: lots without the earmark flag", a);
    acc->earmarked_fen += e->earmarked_fen;
    int64_t pend_sum = 0;
    uint32_t pn = 0;
    for (uint32_t pi = e->pending_head; pi != LED_NONE; pi = led->pend[pi].next) {
        if (pi >= led->max_pending || pn > led->max_pending)
            LED_FAIL("account %u: pending list corrupt", a);
        pend_sum += led->pend[pi].amount_fen;
        pn++;
    }
    acc->pend += pn;
    if (pn != e->pending_n || pend_sum != e->pending_fen || pend_sum > e->offline_limit_fen)
        LED_FAIL("account %u: pending %u/%lld != recorded %u/%lld (limit %lld)", a, pn,
                 (long long)pend_sum, e->pending_n, (long long)e->pending_fen,
                 (long long)e->offline_limit_fen);
    return true;
}

/* Cumulative value of one transfer kind: finished days plus today. */
static int64_t led_kind_total(const led_ledger *led, enum led_transfer_kind k)
{
    int64_t v = led->past.value_fen[k];
    for (uint32_t c = 0; c < led->n_cities; c++)
        v += led->today[c].value_fen[k];
    return v;
}

bool led_check_quick(const led_ledger *led, char *why, size_t why_len)
{
    const struct led_hot *cb = &led->hot[0];
    if (cb->kind != LED_CENTRAL_BANK)
        LED_FAIL("account 0 is not the central bank");
    if (led->issued_fen - led->withdrawn_fen != -cb->balance_fen)
        LED_FAIL("circulation %lld != issued %lld - withdrawn %lld",
                 (long long)-cb->balance_fen, (long long)led->issued_fen,
                 (long long)led->withdrawn_fen);
    if (led_kind_total(led, LED_T_ISSUE) != led->issued_fen ||
        led_kind_total(led, LED_T_WITHDRAW) != led->withdrawn_fen)
        LED_FAIL("issue/withdraw counters %lld/%lld != issued %lld, withdrawn %lld",
                 (long long)led_kind_total(led, LED_T_ISSUE),
                 (long long)led_kind_total(led, LED_T_WITHDRAW), (long long)led->issued_fen,
                 (long long)led->withdrawn_fen);
    if (led->kc_n[LED_CENTRAL_BANK][0] != 1 || led->kc_sum_fen[LED_CENTRAL_BANK][0] != cb->balance_fen)
        LED_FAIL("issuer's running sum %lld != its balance %lld",
                 (long long)led->kc_sum_fen[LED_CENTRAL_BANK][0], (long long)cb->balance_fen);
    uint64_t total = 0, parts = 0; /* wrap like the sweep's sum */
    uint64_t accounts = 0;
    int64_t personal = 0;
    for (int k = 0; k < LED_ACCOUNT_KINDS; k++)
        for (int c = 0; c < 5; c++) {
            int64_t s = led->kc_sum_fen[k][c];
            uint32_t n = led->kc_n[k][c];
            total += (uint64_t)s;
            accounts += n;
            if (k == LED_CENTRAL_BANK)
                continue;
            if (s < 0 || (n == 0 && s != 0))
                LED_FAIL("running sum of kind %d class %d is %lld over %u accounts", k, c,
                         (long long)s, n);
            int64_t cap = led->caps[c].balance_cap_fen;
            if (n > 0 && cap != LED_CAP_NONE && (s / n > cap || (s / n == cap && s % n > 0)))
                LED_FAIL("running sum of kind %d class %d is %lld: over %u x cap %lld", k, c,
                         (long long)s, n, (long long)cap);
            if (led_personal((unsigned)k))
                personal += s;
        }
    if (total != 0)
        LED_FAIL("running sums by kind do not sum to zero (off by %lld)", (long long)total);
    if (accounts != led->n)
        LED_FAIL("accounts by kind and class %llu != open accounts %u",
                 (unsigned long long)accounts, led->n);
    for (uint32_t p = 0; p < LED_CHECK_PARTS; p++)
        parts += (uint64_t)led->part_sum_fen[p];
    if (parts != 0)
        LED_FAIL("running sums by part do not sum to zero (off by %lld)", (long long)parts);
    if (led->earmarked_total_fen < 0 || led->earmarked_total_fen > personal)
        LED_FAIL("earmarked total %lld outside 0..personal balances %lld",
                 (long long)led->earmarked_total_fen, (long long)personal);
    return true;
}

static led_acct led_part_end(const led_ledger *led, uint32_t part)
{
    uint64_t end = (uint64_t)(part + 1) << led->part_shift;
    return end < led->n ? (led_acct)end : led->n;
}

bool led_check_part(const led_ledger *led, uint32_t part, char *why, size_t why_len)
{
    if (!led_check_quick(led, why, why_len))
        return false;
    part %= LED_CHECK_PARTS;
    struct led_sweep_acc acc;
    memset(&acc, 0, sizeof acc);
    led_acct a0 = (led_acct)((uint64_t)part << led->part_shift);
    for (led_acct a = a0; a < led_part_end(led, part); a++)
        if (!led_check_account(led, a, &acc, why, why_len))
            return false;
    if ((int64_t)acc.sum != led->part_sum_fen[part])
        LED_FAIL("accounts %u..%u: balances sum to %lld, running sum %lld (a balance changed "
                 "outside a transfer)", a0, led_part_end(led, part),
                 (long long)acc.sum, (long long)led->part_sum_fen[part]);
    return true;
}

bool led_check_day(const led_ledger *led, enum led_check_mode mode, char *why, size_t why_len)
{
    switch (mode) {
    case LED_CHECK_OFF:
        return true;
    case LED_CHECK_SAMPLED:
        return led_check_part(led, (uint32_t)led->day % LED_CHECK_PARTS, why, why_len);
    case LED_CHECK_FULL:
        return led_check(led, why, why_len);
    }
    LED_FAIL("unknown check mode %d", (int)mode);
}

bool led_check(const led_ledger *led, char *why, size_t why_len)
{
    if (!led_check_quick(led, why, why_len))
        return false;
    struct led_sweep_acc acc;
    memset(&acc, 0, sizeof acc);
    for (uint32_t part = 0; part < LED_CHECK_PARTS; part++) {
        uint64_t before = acc.sum;
        led_acct a0 = (led_acct)((uint64_t)part << led->part_shift);
        for (led_acct a = a0; a < led_part_end(led, part); a++)
            if (!led_check_account(led, a, &acc, why, why_len))
                return false;
        if ((int64_t)(acc.sum - before) != led->part_sum_fen[part])
            LED_FAIL("accounts %u..%u: balances sum to %lld, running sum %lld (a balance "
                     "changed outside a transfer)", a0, led_part_end(led, part),
                     (long long)(acc.sum - before), (long long)led->part_sum_fen[part]);
    }
    if (acc.sum != 0)
        LED_FAIL("balances do not sum to zero (off by %lld)", (long long)acc.sum);
    if (memcmp(acc.kc_sum_fen, led->kc_sum_fen, sizeof acc.kc_sum_fen) != 0 ||
        memcmp(acc.kc_n, led->kc_n, sizeof acc.kc_n) != 0)
        LED_FAIL("running sums by kind and class differ from the balances");
    if (acc.earmarked_fen != led->earmarked_total_fen)
        LED_FAIL("wallets' earmarked %lld != running earmarked total %lld",
                 (long long)acc.earmarked_fen, (long long)led->earmarked_total_fen);
    if (acc.lots != led->lots_live)
        LED_FAIL("lots in wallet lists %u != live lots %u", acc.lots, led->lots_live);
    if (acc.ext != led->ext_used)
        LED_FAIL("ext records in use %u != recorded %u", acc.ext, led->ext_used);
    if (acc.pend != led->pend_used)
        LED_FAIL("pending in lists %u != recorded %u", acc.pend, led->pend_used);
    int64_t lot_total = 0;
    uint32_t bucketed = 0;
    for (uint32_t b = 0; b < LED_BUCKETS; b++)
        for (uint32_t li = led->bucket[b]; li != LED_NONE; li = led->lot[li].b_next) {
            if (li >= led->max_lots || bucketed++ > led->lots_live)
                LED_FAIL("expiry bucket %u corrupt", b);
            lot_total += led->lot[li].remaining_fen;
        }
    for (uint32_t a = 0; a < led->n; a++) { /* lots that never expire are not bucketed */
        const struct led_ext *e = led_ext_of(led, &led->hot[a]);
        for (uint32_t li = e ? e->first_lot : LED_NONE; li != LED_NONE; li = led->lot[li].next)
            if (!led->lot[li].in_bucket)
                lot_total += led->lot[li].remaining_fen;
    }
    if (lot_total != acc.earmarked_fen)
        LED_FAIL("lot remainders %lld != wallets' earmarked %lld", (long long)lot_total,
                 (long long)acc.earmarked_fen);
    return true;
}

void led_test_corrupt_balance(led_ledger *led, led_acct a, int64_t delta_fen)
{
    LED_ASSERT(led, a < led->n);
    led->hot[a].balance_fen += delta_fen;
}

/* Rebuilds the running sums from the records (after a checkpoint load). */
static void led_sums_rebuild(led_ledger *led)
{
    memset(led->kc_sum_fen, 0, sizeof led->kc_sum_fen);
    memset(led->kc_n, 0, sizeof led->kc_n);
    memset(led->part_sum_fen, 0, sizeof led->part_sum_fen);
    led->earmarked_total_fen = 0;
    for (uint32_t a = 0; a < led->n; a++) {
        const struct led_hot *h = &led->hot[a];
        if (h->kind >= LED_ACCOUNT_KINDS || h->cls > 4)
            continue; /* led_check refuses it */
        led_sum(led, a, h, h->balance_fen);
        led->kc_n[h->kind][h->cls]++;
        const struct led_ext *e = led_ext_of(led, h);
        if (e && h->aux <= led->max_ext)
            led->earmarked_total_fen += e->earmarked_fen;
    }
}

/* ------------------------------------------------------------------ names */

const char *led_reason_name(enum led_reason r)
{
    static const char *const names[LED_REASONS] = {
        "ok",           "insufficient",   "per_payment", "daily",   "annual",
        "balance_cap",  "earmark",        "expired",     "double_spend",
        "offline_limit", "reserve",       "invalid",     "capacity",
    };
    _Static_assert(LED_REASONS == 13, "name every reason");
    return (unsigned)r < LED_REASONS ? names[r] : "unknown";
}

const char *led_transfer_kind_name(enum led_transfer_kind k)
{
    static const char *const names[LED_TRANSFER_KINDS] = {
        "issue", "withdraw", "topup", "redeem", "payment",
        "batch", "offline",  "earmark", "expire",
    };
    _Static_assert(LED_TRANSFER_KINDS == 9, "name every kind");
    return (unsigned)k < LED_TRANSFER_KINDS ? names[k] : "unknown";
}

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

#define LED_CKP_TAG CKP_TAG('L', 'E', 'D', 'G')

/* Records are written as they lie in memory (plain data, indices instead of
 * pointers, fixed widths): their sizes are written too, so a build with
 * another layout is refused instead of misread. */
void led_save(const led_ledger *led, ckp_writer *w)
{
    LED_ASSERT(led, !led->in_batch);
    ckp_put_tag(w, LED_CKP_TAG);
    uint32_t sizes[6] = {sizeof(struct led_hot), sizeof(struct led_ext), sizeof(struct led_lot),
                         sizeof(struct led_pending), sizeof(led_day_stats), LED_BUCKETS};
    ckp_put(w, sizes, sizeof sizes);
    ckp_put_u32(w, led->max_accounts);
    ckp_put_u32(w, led->n_cities);
    ckp_put_u32(w, led->max_banks);
    ckp_put_u32(w, led->max_ext);
    ckp_put_u32(w, led->max_lots);
    ckp_put_u32(w, led->max_pending);
    ckp_put_u32(w, led->ext_free);
    ckp_put_u32(w, led->ext_used);
    ckp_put_u32(w, led->lot_free);
    ckp_put_u32(w, led->lots_live);
    ckp_put_u32(w, led->pend_free);
    ckp_put_u32(w, led->pend_used);
    ckp_put_u32(w, led->ext_fresh);
    ckp_put_u32(w, led->lot_fresh);
    ckp_put_u32(w, led->pend_fresh);
    ckp_put_i64(w, led->expire_done_day);
    ckp_put_i32(w, led->day);
    ckp_put_i32(w, led->year_offset_days);
    ckp_put_u32(w, led->day_stamp);
    ckp_put_u32(w, led->year_stamp);
    ckp_put_i64(w, led->issued_fen);
    ckp_put_i64(w, led->withdrawn_fen);
    ckp_put_u64(w, led->seq);
    ckp_put_array(w, led->hot, sizeof *led->hot, led->n);
    ckp_put_array(w, led->reserve_fen, sizeof *led->reserve_fen, led->n_banks);
    ckp_put_array(w, led->ext, sizeof *led->ext, (uint64_t)led->max_ext + 1);
    ckp_put_array(w, led->lot, sizeof *led->lot, led->max_lots);
    ckp_put_array(w, led->bucket, sizeof *led->bucket, LED_BUCKETS);
    ckp_put_array(w, led->pend, sizeof *led->pend, led->max_pending);
    ckp_put_array(w, led->today, sizeof *led->today, led->n_cities);
    ckp_put(w, &led->past, sizeof led->past);
}

static void led_load_size(ckp_reader *r, uint32_t have, const char *what)
{
    uint32_t got = ckp_get_u32(r);
    if (!ckp_read_failed(r) && got != have)
        ckp_fail(r, "the checkpoint's ledger has %u %s, this scenario's %u: it was written for another "
                    "scenario or sizing", got, what, have);
}

void led_load(led_ledger *led, ckp_reader *r)
{
    LED_ASSERT(led, !led->in_batch);
    if (!ckp_expect_tag(r, LED_CKP_TAG, "ledger"))
        return;
    uint32_t sizes[6], want[6] = {sizeof(struct led_hot), sizeof(struct led_ext), sizeof(struct led_lot),
                                  sizeof(struct led_pending), sizeof(led_day_stats), LED_BUCKETS};
    ckp_get(r, sizes, sizeof sizes);
    if (!ckp_read_failed(r) && memcmp(sizes, want, sizeof want) != 0)
        ckp_fail(r, "the checkpoint's ledger records have another layout (written by another build)");
    led_load_size(r, led->max_accounts, "account slots");
    led_load_size(r, led->n_cities, "cities");
    led_load_size(r, led->max_banks, "bank slots");
    led_load_size(r, led->max_ext, "ext slots");
    led_load_size(r, led->max_lots, "earmark lot slots");
    led_load_size(r, led->max_pending, "pending slots");
    if (ckp_read_failed(r))
        return;
    led->ext_free = ckp_get_u32(r);
    led->ext_used = ckp_get_u32(r);
    led->lot_free = ckp_get_u32(r);
    led->lots_live = ckp_get_u32(r);
    led->pend_free = ckp_get_u32(r);
    led->pend_used = ckp_get_u32(r);
    led->ext_fresh = ckp_get_u32(r);
    led->lot_fresh = ckp_get_u32(r);
    led->pend_fresh = ckp_get_u32(r);
    led->expire_done_day = ckp_get_i64(r);
    led->day = ckp_get_i32(r);
    led->year_offset_days = ckp_get_i32(r);
    led->day_stamp = (uint16_t)ckp_get_u32(r);
    led->year_stamp = (uint16_t)ckp_get_u32(r);
    led->issued_fen = ckp_get_i64(r);
    led->withdrawn_fen = ckp_get_i64(r);
    led->seq = ckp_get_u64(r);
    uint64_t n = ckp_get_array(r, led->hot, sizeof *led->hot, led->max_accounts, "ledger accounts");
    led->n = (uint32_t)n;
    led->n_banks = (uint32_t)ckp_get_array(r, led->reserve_fen, sizeof *led->reserve_fen, led->max_banks, "banks");
    if (ckp_get_array(r, led->ext, sizeof *led->ext, (uint64_t)led->max_ext + 1, "ext records") !=
            (uint64_t)led->max_ext + 1 ||
        ckp_get_array(r, led->lot, sizeof *led->lot, led->max_lots, "earmark lots") != led->max_lots ||
        ckp_get_array(r, led->bucket, sizeof *led->bucket, LED_BUCKETS, "expiry buckets") != LED_BUCKETS ||
        ckp_get_array(r, led->pend, sizeof *led->pend, led->max_pending, "pending payments") != led->max_pending ||
        ckp_get_array(r, led->today, sizeof *led->today, led->n_cities, "cities' counters") != led->n_cities) {
        ckp_fail(r, "corrupt checkpoint: a ledger table is short");
        return;
    }
    ckp_get(r, &led->past, sizeof led->past);
    if (ckp_read_failed(r))
        return;
    /* Defended on the way in: the invariants must hold as they did when written. */
    led_sums_rebuild(led);
    char why[256];
    if (led->n < 1 || !led_check(led, why, sizeof why))
        ckp_fail(r, "the checkpoint's ledger fails its invariants: %s", led->n < 1 ? "no accounts" : why);
}
