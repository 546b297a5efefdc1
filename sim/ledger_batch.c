/* ledger_batch.c: the ledger's two transfer kinds with more than one step:
 * linked batches (all legs post or none: an undo journal restores every
 * record a failed batch touched) and offline payments on hard wallets
 * (pending until the wallet syncs, when a second spend of the same value is
 * refused). See sim/ledger.h for the contract.
 *
 * Cost. A batch journals at most LED_JOURNAL_PER_LEG records per leg, in a
 * journal sized at led_alloc_ex; a sync walks the wallet's pending FIFO once.
 */
#include "sim/ledger.h"
#include "sim/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

