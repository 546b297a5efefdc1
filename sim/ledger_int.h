/* ledger_int.h: the ledger's private layout, shared by the ledger's files
 * (sim/ledger.c: allocation, accounts, queries, days, names; ledger_pay.c:
 * issue, withdraw, earmarks, payments; ledger_batch.c: linked batches and
 * offline payments; ledger_check.c: the invariant checks and checkpoints)
 * and by its white-box tests and benchmark only (nothing else in sim/ or
 * models/ may include it). The small helpers every part uses are static
 * inline here, so a payment costs what it cost in one file.
 *
 * The account table is one array of 32-byte records (array of structs): a
 * payment reads and writes a few fields of the payer and of the payee, and on
 * a population far larger than the caches the cost is one cache miss per
 * account touched. Keeping every field a payment needs in one 32-byte record,
 * aligned so it never straddles a 64-byte line, makes that exactly one miss
 * per side; columns would cost one miss per field. Everything rare (earmark
 * lots, hard-wallet offline state, pending offline payments, bank reserves)
 * lives in side tables sized at led_alloc_ex and reached through `aux`/`link`.
 */
#ifndef ECNYSIM_LEDGER_INT_H
#define ECNYSIM_LEDGER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/ledger.h"
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


/* Account flags: any of LED_F_SLOW sends a debit through the general path. */
#define LED_F_EARMARK 0x01u /* holds earmark lots (aux = ext index) */
#define LED_F_HARD 0x02u    /* hard wallet (aux = ext index, always) */
#define LED_F_PARENT 0x04u  /* sub-wallet with a parent (link = parent) */
#define LED_F_SLOW (LED_F_EARMARK | LED_F_HARD | LED_F_PARENT)

struct led_hot {
    int64_t balance_fen;
    uint32_t daily_spent_fen;  /* valid when last_day == today's stamp */
    uint32_t annual_spent_fen; /* valid when last_day >= this year's first stamp */
    uint32_t link;             /* wallet/merchant/...: its bank account (LED_NONE);
                                  sub-wallet with LED_F_PARENT: the parent;
                                  bank: its ordinal in the reserve table */
    uint32_t aux;              /* personal wallet: ext index (0 = none);
                                  merchant: tag bitmask */
    uint16_t city;
    uint16_t last_day;         /* day + 1 of the last capped debit; 0 = never */
    uint8_t kind;              /* enum led_account_kind */
    uint8_t cls;               /* wallet class 1..4; 0 = no caps */
    uint8_t flags;             /* LED_F_* */
    uint8_t category;          /* merchant category 0..31, LED_CATEGORY_NONE */
};
_Static_assert(sizeof(struct led_hot) == 32, "account record must stay 32 bytes");


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


/* Prints the failed ledger assertion (file:line, the day) and aborts. */
_Noreturn void led_assert_fail(const led_ledger *led, const char *file, int line, const char *expr);

/* ---------------------------------------------------------------- helpers */

static inline bool led_personal(unsigned kind)
{
    return kind == LED_WALLET || kind == LED_SUB_WALLET || kind == LED_HARD_WALLET;
}

static inline int64_t led_cap(int64_t c)
{
    return c == 0 ? LED_CAP_NONE : c;
}

static inline uint32_t led_sat32(int64_t x)
{
    return x > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static inline uint64_t led_mix(uint64_t z) /* one splitmix64 step from z: sample choice */
{
    return rng_fmix64(z + RNG_GOLDEN64);
}

static inline uint32_t led_bank_acct(const led_ledger *led, const struct led_hot *h)
{
    if (h->flags & LED_F_PARENT)
        return led->hot[h->link].link;
    return h->kind == LED_BANK || h->kind == LED_CENTRAL_BANK ? LED_NONE : h->link;
}

static inline struct led_ext *led_ext_of(const led_ledger *led, const struct led_hot *h)
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

static inline void led_year_recompute(led_ledger *led)
{
    int64_t d = (int64_t)led->day + led->year_offset_days;
    int64_t year = d >= 0 ? d / 365 : -((-d + 364) / 365);
    int64_t first = year * 365 - led->year_offset_days; /* day 0 of this year */
    led->year_stamp = (uint16_t)(first + 1 < 1 ? 1 : first + 1);
}

/* ------------------------------------------------------- counting, tracing */

static inline void led_emit(led_ledger *led, uint64_t seq, uint16_t city, enum led_transfer_kind kind,
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

static inline bool led_journal_room(const led_ledger *led, uint32_t entries)
{
    return !led->in_batch || led->journal_cap - led->journal_n >= entries;
}

static inline void led_j_hot(led_ledger *led, uint32_t acct)
{
    if (!led->in_batch)
        return;
    LED_ASSERT(led, led->journal_n < led->journal_cap);
    struct led_journal *j = &led->journal[led->journal_n++];
    j->type = LED_J_HOT;
    j->idx = acct;
    j->u.hot = led->hot[acct];
}

static inline void led_j_ext(led_ledger *led, uint32_t e)
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

static inline void led_j_lot(led_ledger *led, uint32_t li)
{
    if (!led->in_batch)
        return;
    LED_ASSERT(led, led->journal_n < led->journal_cap);
    struct led_journal *j = &led->journal[led->journal_n++];
    j->type = LED_J_LOT;
    j->idx = li;
    j->u.v.a = led->lot[li].remaining_fen;
}

static inline void led_count_ok(led_ledger *led, uint16_t city, enum led_transfer_kind kind,
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

static inline enum led_reason led_reject(led_ledger *led, uint64_t seq, uint16_t city,
                                  enum led_transfer_kind kind, led_acct from, led_acct to,
                                  int64_t amount_fen, enum led_reason r)
{
    LED_ASSERT(led, r > LED_OK && r < LED_REASONS);
    led->today[city].rejected[r]++;
    led_emit(led, seq, city, kind, r, from, to, amount_fen);
    return r;
}

static inline uint16_t led_city_or0(const led_ledger *led, led_acct a)
{
    return a < led->n ? led->hot[a].city : 0;
}

#if ECNYSIM_DEBUG
/* Per-account facts cheap enough to check after every transfer in debug. */
static inline void led_check_acct(const led_ledger *led, led_acct a)
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


/* Shared between the ledger's files. sim/ledger.c: whether an ext record is
 * free, taking one for a wallet, giving a wallet's back. */
bool led_ext_available(const led_ledger *led);
uint32_t led_ext_alloc(led_ledger *led, led_acct owner);
void led_ext_release(led_ledger *led, struct led_hot *h);
/* sim/ledger_pay.c: the payment steps the batch and offline paths share:
 * validating accounts and amount, syncing a hard wallet's pending payments
 * first, posting through the general path (counts success; the caller
 * counts a refusal), and freeing a wallet's spent lots (never in a batch). */
enum led_reason led_pay_validate(const led_ledger *led, led_acct a, led_acct b, int64_t amount_fen);
void led_sync_if_pending(led_ledger *led, led_acct a);
enum led_reason led_pay_general(led_ledger *led, led_acct a, led_acct b, int64_t amount_fen,
                                enum led_transfer_kind kind, uint64_t seq);
void led_purge_lots(led_ledger *led, led_acct w);

/* For tests that plant a corruption: changes account a's balance by
 * delta_fen outside any transfer (no counterpart, no running sums), as a
 * stray write would. The invariant checks must then fail. */
void led_test_corrupt_balance(led_ledger *led, led_acct a, int64_t delta_fen);

#endif
