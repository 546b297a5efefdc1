/* engine.h: the simulation clock and dispatch loop (prefix eng_).
 *
 * The engine owns the event queue and the clock. Models register a handler
 * per event kind and hooks for the start and end of each simulated day;
 * eng_step_day runs one day: day-start hooks (in registration order), then
 * every event with time before the next midnight in (time, seq) order, then
 * day-end hooks. Events scheduled during a day for the same day run in that
 * day. The engine knows nothing about e-CNY, files or windows: the view and
 * the CLI drive it one day at a time.
 */
#ifndef ECNYSIM_ENGINE_H
#define ECNYSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/event.h"

#define ENG_MAX_KINDS 64
#define ENG_MAX_HOOKS 32

typedef struct eng_engine eng_engine;
typedef void (*eng_event_fn)(void *ctx, eng_engine *eng, const ev_event *e);
/* day_index counts from 0 at the scenario start. */
typedef void (*eng_day_fn)(void *ctx, eng_engine *eng, int32_t day_index);

/* An engine for n_days from start_day (a calendar day number). max_events
 * bounds the queue. NULL when memory is short. */
eng_engine *eng_alloc(int32_t start_day, int32_t n_days, size_t initial_events, size_t max_events);
void eng_free(eng_engine *eng); /* NULL is fine */

/* Registers a handler for kind (< ENG_MAX_KINDS); false if taken or out of range. */
bool eng_on_event(eng_engine *eng, uint16_t kind, eng_event_fn fn, void *ctx);
bool eng_on_day_start(eng_engine *eng, eng_day_fn fn, void *ctx);
bool eng_on_day_end(eng_engine *eng, eng_day_fn fn, void *ctx);

/* Schedules an event at time_s (>= now). Returns false when the queue is
 * full: the caller reports the capacity and the key that raises it. */
bool eng_schedule(eng_engine *eng, int64_t time_s, uint16_t kind, uint16_t city, uint32_t agent, int64_t arg);

/* Runs the next day. Returns false when the run had already finished or an
 * error was raised (eng_failed tells which). */
bool eng_step_day(eng_engine *eng);
/* Marks the run failed (a handler hit a capacity limit): the day loop stops. */
void eng_fail(eng_engine *eng, const char *why);
const char *eng_failed(const eng_engine *eng); /* NULL when not failed */

bool eng_finished(const eng_engine *eng);
int64_t eng_now(const eng_engine *eng);            /* seconds from start */
int32_t eng_day_index(const eng_engine *eng);      /* day being run or next to run */
int32_t eng_days(const eng_engine *eng);
int32_t eng_start_day(const eng_engine *eng);
uint64_t eng_events_run(const eng_engine *eng);
size_t eng_pending(const eng_engine *eng);
/* Skips ahead: the next day to run is day_index (used when resuming). */
void eng_set_day(eng_engine *eng, int32_t day_index);

/* Checkpoints (issue 8), at a day boundary only (between eng_step_day
 * calls): the day index, clock, events run and the pending events (those
 * programmes scheduled for later days). eng_load expects an engine built
 * for the same start day and number of days, with its handlers attached;
 * otherwise it fails the reader with a message. */
struct ckp_writer;
struct ckp_reader;
void eng_save(const eng_engine *eng, struct ckp_writer *w);
void eng_load(eng_engine *eng, struct ckp_reader *r);

#endif
