/* ledger_check.c: the ledger's invariant checks (the full sweep, the quick
 * check of the running sums, one part of 64 a day) and its checkpoint
 * save/load (sim/checkpoint.h).
 *
 * Cost. led_check is O(accounts + lots + pending); led_check_quick
 * O(kinds x classes); led_check_part 1/64 of the accounts. Saving writes the
 * records as they lie in memory, with their sizes, so another layout is
 * refused instead of misread.
 */
#include "sim/ledger.h"
#include "sim/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

