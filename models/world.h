/* world.h: the simulated economy of a scenario (prefix wld_).
 *
 * wld_create builds every city of the scenario from the data files (the
 * population by segment, merchants by category, the operating banks) and the
 * ledger that every e-CNY movement passes through. wld_attach registers the
 * models' event handlers and day hooks with the engine; after each day,
 * wld_frame publishes the day's metrics. The world never touches files.
 */
#ifndef ECNYSIM_WORLD_H
#define ECNYSIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "models/data.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/ledger.h"
#include "sim/scenario.h"
#include "sim/snapshot.h"

typedef struct wld_world wld_world;

/* Builds the world. Semantic problems in the scenario (a city not in the
 * data, end before start, a population too big for memory_limit_gib) are
 * reported with FILE:LINE and the key. NULL on any problem. */
wld_world *wld_create(const scn_doc *doc, const dat_set *data, err_list *errs);
/* The same for one rank of a distributed run (sim/dist.h): city i is
 * simulated here only when city_rank[i] == rank; the others are named and
 * sized but get no agents, accounts or streams, and their rows stay zero.
 * city_rank is copied; NULL means every city (wld_create). Flows are then
 * exchanged between ranks at each day end (a collective call). */
wld_world *wld_create_owned(const scn_doc *doc, const dat_set *data, const int *city_rank, int rank,
                            err_list *errs);
void wld_free(wld_world *w); /* NULL is fine */

int32_t wld_start_day(const wld_world *w);
int32_t wld_days(const wld_world *w);
uint64_t wld_seed(const wld_world *w);
/* Bytes the world will allocate (agents, merchants, ledger), known before
 * wld_create allocates: main refuses a run that cannot fit. */
uint64_t wld_bytes(const wld_world *w);
uint64_t wld_agents(const wld_world *w);
const led_ledger *wld_ledger(const wld_world *w);

/* Registers handlers and hooks. False when the engine is out of slots. */
bool wld_attach(wld_world *w, eng_engine *eng);
/* The metrics of the day just run (valid until the next day runs). */
const snap_frame *wld_frame(const wld_world *w);
/* Whether name is a column of daily.csv (for files that name them). */
bool wld_daily_column_exists(const char *name);
/* Sends a deterministic sample (rate) of every ledger transfer to fn. */
void wld_set_trace(wld_world *w, led_trace_fn fn, void *ctx, double rate);
/* Why the run failed, when a day hook found a broken invariant; else NULL. */
const char *wld_failure(const wld_world *w);

/* Checkpoints (issue 8, sim/checkpoint.h), at a day boundary: every
 * city's counters, segment counts, adopter columns, firm and merchant
 * account arrays, active ring and random streams, then the ledger
 * (led_save) and the programmes (prg_save). wld_load reads them into a
 * world freshly built from the same scenario (or a branch of it that keeps
 * its sizes) by wld_create: sizes that differ fail the reader with a
 * message naming what differs. On failure the world is unusable: free it. */
struct ckp_writer;
struct ckp_reader;
void wld_save(const wld_world *w, struct ckp_writer *ck);
void wld_load(wld_world *w, struct ckp_reader *ck);
/* Why this world cannot be checkpointed yet (cities spread over MPI ranks,
 * [flow] sections, whose in-flight records are not written), or NULL. */
const char *wld_checkpoint_unsupported(const wld_world *w);

#endif
