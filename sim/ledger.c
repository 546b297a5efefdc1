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
 *
 * Files. This file allocates the ledger, opens accounts, answers queries and
 * starts days; sim/ledger_pay.c moves money (issue, withdraw, earmarks,
 * payments, top-ups); sim/ledger_batch.c holds linked batches and offline
 * payments; sim/ledger_check.c the invariant checks and checkpoints. The
 * layout and the small shared helpers are in sim/ledger_int.h.
 */
#include "sim/ledger.h"
#include "sim/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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


_Noreturn void led_assert_fail(const led_ledger *led, const char *file, int line, const char *expr)
{
    fprintf(stderr, "ecnysim: %s:%d: ledger assertion failed: %s (day %ld)\n", file, line, expr,
            led ? (long)led->day : -1L);
    abort();
}

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

bool led_ext_available(const led_ledger *led)
{
    return led->ext_free != LED_NONE || led->ext_fresh <= led->max_ext;
}

uint32_t led_ext_alloc(led_ledger *led, led_acct owner)
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

void led_ext_release(led_ledger *led, struct led_hot *h)
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

