/* flows.h: money flowing between the cities of a scenario (prefix flw_).
 *
 * A [flow.NAME] section links two [city.NAME] sections: residents of `from`
 * travelling and spending at `to`'s merchants (travel), wallets of `from`
 * sending money to wallets of `to` (remittance), firms of `from` paying
 * suppliers in `to` (b2b). What a city sends on day d depends only on its
 * own state and its own streams; it is debited in the sending city on day d,
 * exchanged at the day boundary and credited in the receiving city at the
 * start of day d+1, in a fixed order. The same path is taken whether both
 * cities live in one process or on two MPI ranks (sim/dist.h), so results do
 * not depend on the process layout. docs/distributed.md gives the rules.
 *
 * Called by world.c only; the state lives in flw_set, referenced from
 * wld_world.
 */
#ifndef ECNYSIM_FLOWS_H
#define ECNYSIM_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

#include "models/world_int.h"

typedef struct flw_set flw_set;

/* Reads every [flow.NAME] section; checks cities (FILE:LINE), dates and
 * kinds. Adds the clearing accounts this process will open to *accounts.
 * Returns an empty set when there are no flows; NULL on any problem. */
flw_set *flw_create(const scn_doc *doc, wld_world *w, uint64_t *accounts, err_list *errs);
/* After the ledger exists: opens the clearing accounts of owned cities,
 * allocates streams and adds flows.csv to frame (when there are flows). */
bool flw_setup(flw_set *s, wld_world *w, snap_frame *frame, err_list *errs);
void flw_free(flw_set *s); /* NULL is fine */
int flw_count(const flw_set *s);

/* Start of day: credits what arrived (sent on the day before), by sending
 * city index then flow order. Call after the cities' own day start. */
void flw_day_start(flw_set *s, wld_world *w, int32_t day);
/* End of day: the owned cities send, the clearing accounts settle with the
 * central bank, and the records are exchanged (collective when the world is
 * distributed: every rank calls it every day). False when memory is short;
 * the reason is written to why. */
bool flw_day_end(flw_set *s, wld_world *w, int32_t day, char *why, size_t why_len);
/* Fills the flows.csv row values of the day just run (before publishing). */
void flw_publish(flw_set *s, wld_world *w);

#endif
