/* event.c: 4-ary min-heap of events keyed by (time_s, seq).
 * Invariant: every node is <= its children. A 4-ary heap halves the depth of
 * a binary one and keeps siblings in one or two cache lines, which matters
 * with millions of pending events. Growth doubles the array (amortised O(1)),
 * bounded by max. */
#include "sim/event.h"

#include <assert.h>
#include <stdlib.h>

struct ev_queue {
    ev_event *heap;
    size_t size, capacity, max;
    uint64_t next_seq;
};

static inline bool before(const ev_event *a, const ev_event *b)
{
    return a->time_s < b->time_s || (a->time_s == b->time_s && a->seq < b->seq);
}

ev_queue *ev_alloc(size_t initial, size_t max)
{
    if (initial < 16)
        initial = 16;
    if (max < initial)
        max = initial;
    ev_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->heap = malloc(initial * sizeof *q->heap);
    if (!q->heap) {
        free(q);
        return NULL;
    }
    q->capacity = initial;
    q->max = max;
    return q;
}

void ev_free(ev_queue *q)
{
    if (!q)
        return;
    free(q->heap);
    free(q);
}

bool ev_push(ev_queue *q, int64_t time_s, uint16_t kind, uint16_t city, uint32_t agent, int64_t arg)
{
    if (q->size == q->capacity) {
        if (q->capacity >= q->max)
            return false;
        size_t grown = q->capacity * 2 > q->max ? q->max : q->capacity * 2;
        ev_event *h = realloc(q->heap, grown * sizeof *h);
        if (!h)
            return false;
        q->heap = h;
        q->capacity = grown;
    }
    ev_event e = {.time_s = time_s, .seq = q->next_seq++, .agent = agent, .kind = kind, .city = city, .arg = arg};
    size_t i = q->size++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return true;
}

bool ev_pop(ev_queue *q, ev_event *out)
{
    if (q->size == 0)
        return false;
    *out = q->heap[0];
    ev_event last = q->heap[--q->size];
    size_t n = q->size, i = 0;
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= n)
            break;
        size_t best = first;
        size_t end = first + 4 < n ? first + 4 : n;
        for (size_t c = first + 1; c < end; c++)
            if (before(&q->heap[c], &q->heap[best]))
                best = c;
        if (!before(&q->heap[best], &last))
            break;
        q->heap[i] = q->heap[best];
        i = best;
    }
    if (n > 0)
        q->heap[i] = last;
    assert(q->size == 0 || !before(&q->heap[0], out));
    return true;
}

int64_t ev_next_time(const ev_queue *q)
{
    return q->size ? q->heap[0].time_s : INT64_MAX;
}

size_t ev_size(const ev_queue *q)
{
    return q->size;
}

uint64_t ev_pushed_total(const ev_queue *q)
{
    return q->next_seq;
}

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

_Static_assert(sizeof(ev_event) == 32, "ev_event is written as a 32-byte record");

void ev_save(const ev_queue *q, ckp_writer *w)
{
    ckp_put_tag(w, CKP_TAG('E', 'V', 'N', 'T'));
    ckp_put_u64(w, q->next_seq);
    /* The heap array as it lies: it is a valid heap when read back. */
    ckp_put_array(w, q->heap, sizeof *q->heap, q->size);
}

void ev_load(ev_queue *q, ckp_reader *r)
{
    if (!ckp_expect_tag(r, CKP_TAG('E', 'V', 'N', 'T'), "events"))
        return;
    uint64_t next_seq = ckp_get_u64(r);
    uint64_t n = ckp_get_count(r, q->max, "pending events");
    if (ckp_read_failed(r))
        return;
    if (n > q->capacity) {
        ev_event *h = realloc(q->heap, (size_t)n * sizeof *h);
        if (!h) {
            ckp_fail(r, "out of memory for %llu pending events", (unsigned long long)n);
            return;
        }
        q->heap = h;
        q->capacity = (size_t)n;
    }
    ckp_get(r, q->heap, (size_t)n * sizeof *q->heap);
    q->size = ckp_read_failed(r) ? 0 : (size_t)n;
    q->next_seq = next_seq;
    for (size_t i = 1; i < q->size; i++) /* defended: the heap order and the seqs */
        if (before(&q->heap[i], &q->heap[(i - 1) / 4]) || q->heap[i].seq >= next_seq) {
            ckp_fail(r, "corrupt checkpoint: the pending events are out of order");
            q->size = 0;
            return;
        }
}
