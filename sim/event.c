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
