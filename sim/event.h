/* event.h: the pending-event set (prefix ev_).
 *
 * Events are tagged data, totally ordered by (time_s, seq): seq is given by
 * the queue in push order, so ties break the same way on every run. The set
 * is a calendar queue (sim/event.c): one-second buckets over a 1.5-day window
 * and a heap for the rest, O(1) push and pop for the engine's events, no
 * allocation except when the pool doubles (capacity is sized at load from the
 * scenario, so that is rare), and a hard bound the caller sets.
 */
#ifndef ECNYSIM_EVENT_H
#define ECNYSIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t time_s;  /* seconds from the scenario start */
    uint64_t seq;    /* push order: breaks ties */
    uint32_t agent;  /* whom it concerns (an index into a model's columns) */
    uint16_t kind;   /* which handler runs it */
    uint16_t city;
    int64_t arg;     /* kind-specific: an amount in fen, a programme index */
} ev_event;

typedef struct ev_queue ev_queue;

/* Allocates a queue with room for initial events, growing up to max events.
 * NULL when memory is short. */
ev_queue *ev_alloc(size_t initial, size_t max);
void ev_free(ev_queue *q); /* NULL is fine */

/* Adds an event; its seq is assigned here. Returns false when the queue holds
 * max events or cannot grow (nothing is changed then). */
bool ev_push(ev_queue *q, int64_t time_s, uint16_t kind, uint16_t city, uint32_t agent, int64_t arg);
/* Removes the earliest event into *out. Returns false when empty. */
bool ev_pop(ev_queue *q, ev_event *out);
/* Time of the earliest event, or INT64_MAX when empty. */
int64_t ev_next_time(const ev_queue *q);
size_t ev_size(const ev_queue *q);
uint64_t ev_pushed_total(const ev_queue *q);

/* Checkpoints (issue 8): every pending event and the next sequence number,
 * so resumed events keep their order. ev_load replaces the queue's contents
 * (growing it up to its max); more events than max fail the reader. */
struct ckp_writer;
struct ckp_reader;
void ev_save(const ev_queue *q, struct ckp_writer *w);
void ev_load(ev_queue *q, struct ckp_reader *r);

#endif
