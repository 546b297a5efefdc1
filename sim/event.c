/* event.c: the pending-event set, a calendar queue over one-second buckets.
 *
 * Events are ordered by (time_s, seq). A window of EV_WINDOW consecutive
 * seconds [base, base + EV_WINDOW) has one bucket per second, a FIFO list of
 * events; a bitmap marks the non-empty buckets. Because seq grows with every
 * push, appending keeps each bucket in seq order, so push and pop are O(1)
 * plus a bitmap scan to the next busy second (64 seconds a word). Events
 * outside the window (later, or earlier than base) wait in a 4-ary heap; when
 * a pop moves base forward, the heap's events that fall inside the new window
 * move into their buckets, in (time, seq) order, before anything else can be
 * pushed there, which keeps every bucket in seq order. An event pushed before
 * the window's start (earlier than an event already popped: the engine never
 * does this) waits in a second heap and still pops in order.
 *
 * Why: with tens of millions of pending events a heap is cache-bound (every
 * push and pop walks log n cache lines); here a push touches one bucket tail
 * and a pop one bucket head. Events live in a pool addressed by uint32 index
 * (36 bytes each with the link), grown by doubling up to max.
 */
#include "sim/event.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define EV_WINDOW_BITS 17
#define EV_WINDOW ((int64_t)1 << EV_WINDOW_BITS) /* seconds: about 1.5 days */
#define EV_SLOT(t) ((size_t)((uint64_t)(t) & (uint64_t)(EV_WINDOW - 1)))
#define EV_WORDS (EV_WINDOW / 64)
#define EV_NIL UINT32_MAX

struct ev_queue {
    ev_event *node;    /* pool of events */
    uint32_t *link;    /* next in its bucket, or in the free list */
    size_t capacity, max, used; /* used: the pool's high-water mark */
    uint32_t free_list;
    uint32_t head[EV_WINDOW], tail[EV_WINDOW];
    uint64_t busy[EV_WORDS];
    int64_t base;      /* the window is [base, base + EV_WINDOW) */
    uint32_t *heap;    /* node indices of events after the window */
    size_t heap_n, heap_cap;
    uint32_t *early;   /* events pushed before the window's start (the engine never does) */
    size_t early_n, early_cap;
    size_t size;
    uint64_t next_seq;
};

static inline bool before(const ev_event *a, const ev_event *b)
{
    return a->time_s < b->time_s || (a->time_s == b->time_s && a->seq < b->seq);
}

static inline bool in_window(const ev_queue *q, int64_t t)
{
    return t >= q->base && t - q->base < EV_WINDOW;
}

ev_queue *ev_alloc(size_t initial, size_t max)
{
    if (initial < 16)
        initial = 16;
    if (max < initial)
        max = initial;
    if (max > EV_NIL - 1)
        max = EV_NIL - 1;
    if (initial > max)
        initial = max;
    ev_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->node = malloc(initial * sizeof *q->node);
    q->link = malloc(initial * sizeof *q->link);
    if (!q->node || !q->link) {
        ev_free(q);
        return NULL;
    }
    q->capacity = initial;
    q->max = max;
    q->free_list = EV_NIL;
    memset(q->head, 0xff, sizeof q->head);
    memset(q->tail, 0xff, sizeof q->tail);
    return q;
}

void ev_free(ev_queue *q)
{
    if (!q)
        return;
    free(q->node);
    free(q->link);
    free(q->heap);
    free(q->early);
    free(q);
}

/* ---- 4-ary heaps of node indices: after the window, and before it ---- */

typedef struct {
    uint32_t **v;
    size_t *n, *cap;
} ev_heap;

static ev_heap later(ev_queue *q) { return (ev_heap){&q->heap, &q->heap_n, &q->heap_cap}; }
static ev_heap sooner(ev_queue *q) { return (ev_heap){&q->early, &q->early_n, &q->early_cap}; }

static void heap_up(const ev_queue *q, ev_heap h, size_t i)
{
    uint32_t *v = *h.v, n = v[i];
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&q->node[n], &q->node[v[parent]]))
            break;
        v[i] = v[parent];
        i = parent;
    }
    v[i] = n;
}

static uint32_t heap_pop(const ev_queue *q, ev_heap h)
{
    uint32_t *v = *h.v, top = v[0], last = v[--*h.n];
    size_t n = *h.n, i = 0;
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= n)
            break;
        size_t best = first, end = first + 4 < n ? first + 4 : n;
        for (size_t c = first + 1; c < end; c++)
            if (before(&q->node[v[c]], &q->node[v[best]]))
                best = c;
        if (!before(&q->node[v[best]], &q->node[last]))
            break;
        v[i] = v[best];
        i = best;
    }
    if (n > 0)
        v[i] = last;
    return top;
}

static bool heap_push(const ev_queue *q, ev_heap h, uint32_t n)
{
    if (*h.n == *h.cap) {
        size_t cap = *h.cap ? *h.cap * 2 : 64;
        uint32_t *v = realloc(*h.v, cap * sizeof *v);
        if (!v)
            return false;
        *h.v = v;
        *h.cap = cap;
    }
    (*h.v)[(*h.n)++] = n;
    heap_up(q, h, *h.n - 1);
    return true;
}

/* ---- buckets ---- */

static void bucket_append(ev_queue *q, uint32_t n)
{
    size_t s = EV_SLOT(q->node[n].time_s);
    q->link[n] = EV_NIL;
    if (q->tail[s] == EV_NIL) {
        q->head[s] = n;
        q->busy[s / 64] |= UINT64_C(1) << (s % 64);
    } else {
        q->link[q->tail[s]] = n;
    }
    q->tail[s] = n;
}

/* The first busy bucket at or after base's slot, within the window; EV_NIL if none. */
static uint32_t window_first(const ev_queue *q)
{
    size_t start = EV_SLOT(q->base), w = start / 64;
    uint64_t word = q->busy[w] & (~UINT64_C(0) << (start % 64));
    for (size_t k = 0; k <= EV_WORDS; k++) {
        if (word) {
            size_t s = (w * 64 + (size_t)__builtin_ctzll(word));
            return q->head[s];
        }
        w = (w + 1) % EV_WORDS;
        word = q->busy[w];
        if (k == EV_WORDS - 1) /* back at the start word: only the slots before start */
            word &= start % 64 ? ~(~UINT64_C(0) << (start % 64)) : 0;
    }
    return EV_NIL;
}

/* Moves the window's start to t (>= base) and pulls in the heap's events
 * that now fall inside it, in (time, seq) order. */
static void advance(ev_queue *q, int64_t t)
{
    if (t <= q->base)
        return;
    q->base = t;
    while (q->heap_n > 0 && in_window(q, q->node[q->heap[0]].time_s))
        bucket_append(q, heap_pop(q, later(q)));
}

static uint32_t node_new(ev_queue *q)
{
    if (q->free_list != EV_NIL) {
        uint32_t n = q->free_list;
        q->free_list = q->link[n];
        return n;
    }
    if (q->used == q->capacity) {
        if (q->capacity >= q->max)
            return EV_NIL;
        size_t grown = q->capacity * 2 > q->max ? q->max : q->capacity * 2;
        ev_event *node = realloc(q->node, grown * sizeof *node);
        if (!node)
            return EV_NIL;
        q->node = node;
        uint32_t *link = realloc(q->link, grown * sizeof *link);
        if (!link)
            return EV_NIL;
        q->link = link;
        q->capacity = grown;
    }
    return (uint32_t)q->used++;
}

static bool insert(ev_queue *q, const ev_event *e)
{
    uint32_t n = node_new(q);
    if (n == EV_NIL)
        return false;
    q->node[n] = *e;
    bool ok = true;
    if (in_window(q, e->time_s))
        bucket_append(q, n);
    else
        ok = heap_push(q, e->time_s < q->base ? sooner(q) : later(q), n);
    if (!ok) {
        q->link[n] = q->free_list;
        q->free_list = n;
        return false;
    }
    q->size++;
    return true;
}

bool ev_push(ev_queue *q, int64_t time_s, uint16_t kind, uint16_t city, uint32_t agent, int64_t arg)
{
    if (q->size >= q->max)
        return false;
    ev_event e = {.time_s = time_s, .seq = q->next_seq, .agent = agent, .kind = kind, .city = city, .arg = arg};
    if (!insert(q, &e))
        return false;
    q->next_seq++;
    return true;
}

enum { FROM_BUCKET, FROM_LATER, FROM_EARLY };

/* The earliest event's node and where it is; EV_NIL if empty. */
static uint32_t earliest(const ev_queue *q, int *from)
{
    uint32_t best = EV_NIL;
    if (q->early_n) {
        best = q->early[0];
        *from = FROM_EARLY;
    }
    uint32_t w = window_first(q);
    if (w != EV_NIL && (best == EV_NIL || before(&q->node[w], &q->node[best]))) {
        best = w;
        *from = FROM_BUCKET;
    }
    if (q->heap_n && (best == EV_NIL || before(&q->node[q->heap[0]], &q->node[best]))) {
        best = q->heap[0];
        *from = FROM_LATER;
    }
    return best;
}

bool ev_pop(ev_queue *q, ev_event *out)
{
    int from = FROM_BUCKET;
    uint32_t n = earliest(q, &from);
    if (n == EV_NIL)
        return false;
    *out = q->node[n];
    if (from == FROM_BUCKET) {
        size_t s = EV_SLOT(out->time_s);
        assert(q->head[s] == n);
        q->head[s] = q->link[n];
        if (q->head[s] == EV_NIL) {
            q->tail[s] = EV_NIL;
            q->busy[s / 64] &= ~(UINT64_C(1) << (s % 64));
        }
    } else {
        heap_pop(q, from == FROM_EARLY ? sooner(q) : later(q));
    }
    q->link[n] = q->free_list;
    q->free_list = n;
    q->size--;
    advance(q, out->time_s);
    return true;
}

int64_t ev_next_time(const ev_queue *q)
{
    int from;
    uint32_t n = earliest(q, &from);
    return n == EV_NIL ? INT64_MAX : q->node[n].time_s;
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

static int by_time_seq(const void *a, const void *b)
{
    const ev_event *x = a, *y = b;
    return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* The pending events in (time, seq) order, in a new array the caller frees. */
static ev_event *pending_sorted(const ev_queue *q)
{
    ev_event *all = malloc((q->size ? q->size : 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t k = 0;
    for (size_t s = 0; s < (size_t)EV_WINDOW; s++)
        for (uint32_t n = q->head[s]; n != EV_NIL; n = q->link[n])
            all[k++] = q->node[n];
    for (size_t i = 0; i < q->heap_n; i++)
        all[k++] = q->node[q->heap[i]];
    for (size_t i = 0; i < q->early_n; i++)
        all[k++] = q->node[q->early[i]];
    assert(k == q->size);
    qsort(all, k, sizeof *all, by_time_seq);
    return all;
}

void ev_save(const ev_queue *q, ckp_writer *w)
{
    ckp_put_tag(w, CKP_TAG('E', 'V', 'N', 'T'));
    ckp_put_u64(w, q->next_seq);
    ev_event *all = pending_sorted(q);
    if (!all) {
        ckp_put_array(w, NULL, sizeof(ev_event), 0);
        return;
    }
    ckp_put_array(w, all, sizeof *all, q->size);
    free(all);
}

void ev_load(ev_queue *q, ckp_reader *r)
{
    if (!ckp_expect_tag(r, CKP_TAG('E', 'V', 'N', 'T'), "events"))
        return;
    uint64_t next_seq = ckp_get_u64(r);
    uint64_t n = ckp_get_count(r, q->max, "pending events");
    if (ckp_read_failed(r))
        return;
    ev_event *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        ckp_fail(r, "out of memory for %llu pending events", (unsigned long long)n);
        return;
    }
    ckp_get(r, all, (size_t)n * sizeof *all);
    if (ckp_read_failed(r)) {
        free(all);
        return;
    }
    for (uint64_t i = 0; i < n; i++) /* defended: the order and the seqs */
        if ((i > 0 && !before(&all[i - 1], &all[i])) || all[i].seq >= next_seq) {
            ckp_fail(r, "corrupt checkpoint: the pending events are out of order");
            free(all);
            return;
        }
    for (uint64_t i = 0; i < n; i++)
        if (!insert(q, &all[i])) {
            ckp_fail(r, "out of memory for %llu pending events", (unsigned long long)n);
            break;
        }
    q->next_seq = next_seq;
    free(all);
}
