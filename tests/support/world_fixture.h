/* world_fixture.h: a real world for unit tests (prefix wfx_), built from
 * scenario text the same way `ecnysim run` builds it: the schema, the data
 * in data/, the world and the engine. Failures are cmocka assertions. */
#ifndef ECNYSIM_TESTS_WORLD_FIXTURE_H
#define ECNYSIM_TESTS_WORLD_FIXTURE_H

#include "models/data.h"
#include "models/world.h"
#include "sim/engine.h"
#include "sim/scenario.h"

typedef struct {
    scn_doc *doc;
    dat_set data;
    wld_world *w;
    eng_engine *eng;
} wfx;

/* Writes ini to a temporary file, loads it with the --set style overrides
 * sets[0..n_sets), builds the world and attaches it to a new engine. */
void wfx_build(wfx *f, const char *ini, const char *const *sets, int n_sets);
/* Runs the next days (each must succeed). */
void wfx_run_days(wfx *f, int days);
/* Runs whole days until the next day to run is `day`. */
void wfx_run_to(wfx *f, int32_t day);
/* The ledger's full check holds (its reason printed when it does not). */
void wfx_check_ledger(wfx *f);
void wfx_free(wfx *f);

#endif
