/* mpi.c: 'run' spread over MPI ranks (docs/distributed.md).
 *
 * `mpirun -np R ecnysim run S.ini` (a `make mpi` binary): every rank loads
 * the scenario and the data, the cities are partitioned by population
 * (sim/dist.h, dst_partition), and each rank builds and simulates only its
 * own cities (wld_create_owned, in cli/session.c: the session holds the
 * ranks' state). Every day, every rank runs the day (the
 * flows between cities are exchanged inside it, at the day end), then the
 * day's tables are summed onto rank 0 (a rank's rows of cities it does not
 * own are zero, so the sum is the owner's row; the ledger 'all' row is the
 * sum of city rows, so it sums too), and rank 0 writes them exactly as a
 * single process would. Rank 0 decides, before each day, whether the run
 * goes on (end, a signal, an error) and tells the others.
 *
 * A batch (replications, sweeps) is split by runs instead: run i (0-based,
 * in plan order) goes to rank i mod R, each a whole single run in a child
 * process; rank 0 assembles the combined files (bat_cli_ranks,
 * cli/batch.c). What is not split: the [peer] economy and scenarios
 * with programmes or KPIs run whole on rank 0 while the other ranks exit at
 * once. A binary built without MPI, or one started without mpirun, is a
 * single rank: cli/main.c never comes here and takes the ordinary path.
 *
 * A rank that hits a runtime failure in the day loop ends every rank
 * (MPI_Abort): a collective left waiting would hang the run; the results
 * folder is then left as its temporary .partial name.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/data.h"
#include "models/schema.h"
#include "models/world.h"
#include "cli/cli.h"
#include "sim/assert.h"
#include "sim/dist.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "cli/batch.h"
#include "models/programme.h"
#include "sim/scenario.h"

/* Why this single run cannot be split by cities (NULL: it can). */
static const char *whole_reason(const scn_doc *doc)
{
    if (scn_int(scn_single(doc, "peer"), "residents") > 0)
        return "the [peer] economy runs on rank 0";
    /* programmes and KPIs reach across cities or hold the whole run */
    if (prg_sections_in(doc) > 0 || scn_count(doc, "kpi") > 0)
        return "programmes and KPIs run with every city on rank 0";
    return NULL;
}

static volatile sig_atomic_t worker_signalled;
static void worker_signal(int sig)
{
    (void)sig;
    worker_signalled = 1; /* rank 0 decides when the run stops */
}

/* A rank other than 0: build its cities, run the days rank 0 asks for.
 * Loading is deterministic: when it fails here it fails, and is reported,
 * on rank 0 the same way. */
static int worker(cli_session *s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = worker_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int loaded = cli_session_load(s, false);
    if (loaded != EXIT_OK)
        return loaded; /* bad input, or memory: the same status as rank 0's */
    if (cli_session_engine(s) != EXIT_OK) /* ends every rank */
        dst_abort(EXIT_RUNTIME);
    while (cli_session_go_on(s, false)) {
        if (!eng_step_day(s->eng)) {
            fprintf(stderr, "ecnysim: rank %d: run failed: %s\n", dst_rank(),
                    eng_failed(s->eng) ? eng_failed(s->eng) : "unknown");
            dst_abort(EXIT_RUNTIME);
        }
        cli_session_frame(s);
    }
    return EXIT_OK;
}

int cli_dist_run(cli_session *s, int argc, char **argv)
{
    SIM_ASSERT(s && s->a && s->started_ranks, "a session begun with its ranks");
    const cli_args *a = s->a;
    int status;
    bool loaded = s->doc != NULL, batch = loaded && cli_scenario_is_batch(a, s->doc); /* an ensemble too */
    const char *whole = loaded ? whole_reason(s->doc) : "the scenario has errors";
    if (batch) {
        status = bat_cli_ranks(a, argc, argv); /* runs spread over the ranks */
    } else if (whole) {
        if (dst_rank() == 0) {
            if (loaded)
                fprintf(stderr, "ecnysim: %s; the other %d ranks are idle (docs/distributed.md)\n", whole,
                        dst_size() - 1);
            status = cli_batch(a, argc, argv);
        } else {
            status = loaded ? EXIT_OK : EXIT_BADINPUT;
        }
    } else {
        s->split = true;
        if (dst_rank() != 0)
            status = worker(s);
        else if ((status = cli_session_open(s, true)) == EXIT_OK)
            status = cli_run_session(s, argc, argv, NULL);
        s->split = false;
    }
    return status;
}
