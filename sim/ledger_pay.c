/* ledger_pay.c: the ledger's money movements: issue to and withdraw from
 * operating banks, earmark grants and expiry, payments (the plain fast path
 * and the general one), top-ups and redemptions (see sim/ledger.c for the
 * layout and invariants, sim/ledger.h for the contract).
 *
 * Cost. A plain payment reads and writes two 32-byte account records and one
 * per-city counter, with no allocation; the general path adds a walk of the
 * payer's earmark lots (usually 0-3). Expiry touches only the lots of the
 * day's bucket.
 */
#include "sim/ledger.h"
#include "sim/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
void led_purge_lots(led_ledger *led, led_acct w)
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
enum led_reason led_pay_general(led_ledger *led, led_acct a, led_acct b,
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

enum led_reason led_pay_validate(const led_ledger *led, led_acct a, led_acct b,
                                 int64_t amount_fen)
{
    if (a >= led->n || b >= led->n || a == b || !led_amount_ok(amount_fen))
        return LED_R_INVALID;
    if (led->hot[a].kind == LED_CENTRAL_BANK || led->hot[b].kind == LED_CENTRAL_BANK)
        return LED_R_INVALID;
    return LED_OK;
}

void led_sync_if_pending(led_ledger *led, led_acct a)
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

