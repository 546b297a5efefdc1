/* mpi.c: 'run' spread over MPI ranks (docs/distributed.md).
 *
 * `mpirun -np R ecnysim run S.ini` (a `make mpi` binary): every rank loads
 * the scenario and the data, the cities are partitioned by population
 * (sim/dist.h, dst_partition), and each rank builds and simulates only its
 * own cities (wld_create_owned). Every day, every rank runs the day (the
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
 * single rank and takes the ordinary path (cli_batch).
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
#include "sim/dist.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "cli/batch.h"
#include "sim/scenario.h"

static bool distributed; /* this process is one rank of a split run */
static snap_frame gathered;
static int64_t *gathered_values;
static size_t gathered_cap;

/* Sections whose models reach across cities or hold the whole run. */
static const char *const whole_sections[] = {"airdrop", "transit", "rural", "payroll", "loans", "incentive", "kpi"};

/* Whether 'run' makes a batch (as cli_batch decides: cli/batch.c). */
static bool is_batch(const cli_args *a, const scn_doc *doc)
{
    if (a->replications || a->n_vary)
        return true;
    const scn_instance *sw = scn_single(doc, "sweep");
    for (int k = 1; k <= 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "vary%d", k);
        if (scn_has(sw, key) && scn_str(sw, key)[0])
            return true;
    }
    return scn_int(sw, "replications") > 1;
}

/* Why this single run cannot be split by cities (NULL: it can). */
static const char *whole_reason(const scn_doc *doc)
{
    if (scn_int(scn_single(doc, "peer"), "residents") > 0)
        return "the [peer] economy runs on rank 0";
    for (size_t i = 0; i < sizeof whole_sections / sizeof *whole_sections; i++)
        if (scn_count(doc, whole_sections[i]) > 0)
            return "programmes and KPIs run with every city on rank 0";
    return NULL;
}

wld_world *cli_world_create(const scn_doc *doc, const dat_set *data, err_list *errs)
{
    if (!distributed)
        return wld_create(doc, data, errs);
    int n = (int)scn_count(doc, "city"), ranks = dst_size(), rank = dst_rank();
    int64_t *weight = calloc((size_t)n + 1, sizeof *weight);
    int *owner = calloc((size_t)n + 1, sizeof *owner);
    int64_t *failed = calloc((size_t)ranks, sizeof *failed);
    wld_world *w = NULL;
    if (weight && owner && failed) {
        for (int i = 0; i < n; i++) {
            const scn_instance *in = scn_nth(doc, "city", (size_t)i);
            const dat_city *c = dat_find_city(data, scn_has(in, "area") ? scn_str(in, "area") : scn_name(in));
            weight[i] = scn_int(in, "population") ? scn_int(in, "population") : c ? c->population : 0;
        }
        dst_partition(weight, n, ranks, owner);
        w = wld_create_owned(doc, data, owner, rank, errs);
    } else {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
    }
    if (failed) {
        failed[rank] = w == NULL;
        if (!dst_allreduce_sum_i64(failed, (size_t)ranks))
            dst_abort(EXIT_RUNTIME);
        for (int r = 0; r < ranks; r++) {
            if (!failed[r] || r == rank)
                continue;
            if (w) {
                err_add(errs, "rank %d could not build its cities (its messages above)", r);
                wld_free(w);
                w = NULL;
            }
            break;
        }
        /* Rank 0 reports the scenario's errors; a worker only its own
         * (memory), when rank 0 itself got through. */
        if (rank != 0 && failed[rank] && !failed[0]) {
            fprintf(stderr, "ecnysim: rank %d:\n", rank);
            err_print(errs, stderr);
        }
    } else if (w) {
        dst_abort(EXIT_RUNTIME);
    }
    free(weight);
    free(owner);
    free(failed);
    return w;
}

bool cli_dist_go_on(bool go_on)
{
    if (!distributed)
        return go_on;
    int flag = go_on;
    if (!dst_bcast_int(&flag))
        dst_abort(EXIT_RUNTIME);
    return flag != 0;
}

void cli_dist_fail(void)
{
    if (distributed)
        dst_abort(EXIT_RUNTIME);
}

const snap_frame *cli_dist_frame(const wld_world *w)
{
    const snap_frame *f = wld_frame(w);
    if (!distributed)
        return f;
    size_t need = 0;
    for (int t = 0; t < f->n_tables; t++)
        if (!f->table[t].at_end)
            need += (size_t)f->table[t].n_rows * (size_t)f->table[t].n_columns;
    if (need > gathered_cap) {
        int64_t *grown = realloc(gathered_values, need * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "ecnysim: rank %d: out of memory gathering a day's rows\n", dst_rank());
            dst_abort(EXIT_RUNTIME);
        }
        gathered_values = grown;
        gathered_cap = need;
    }
    gathered = *f;
    size_t pos = 0;
    for (int t = 0; t < f->n_tables; t++) {
        const snap_table *tb = &f->table[t];
        if (tb->at_end)
            continue;
        size_t cells = (size_t)tb->n_rows * (size_t)tb->n_columns;
        if (cells)
            memcpy(gathered_values + pos, tb->value, cells * sizeof *gathered_values);
        gathered.table[t].value = gathered_values + pos;
        pos += cells;
    }
    if (!dst_reduce_sum_i64(gathered_values, pos))
        dst_abort(EXIT_RUNTIME);
    return &gathered;
}

static volatile sig_atomic_t worker_signalled;
static void worker_signal(int sig)
{
    (void)sig;
    worker_signalled = 1; /* rank 0 decides when the run stops */
}

/* A rank other than 0: build its cities, run the days rank 0 asks for. */
static int worker(const cli_args *a)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = worker_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    err_list *errs = malloc(sizeof *errs);
    dat_set *data = malloc(sizeof *data);
    if (!errs || !data)
        dst_abort(EXIT_RUNTIME);
    err_init(errs);
    scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
    wld_world *w = NULL;
    /* Loading is deterministic: rank 0 fails, and reports, the same way. */
    char located[4096];
    if (doc && dat_load(dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                   sizeof located),
                        data, errs))
        w = cli_world_create(doc, data, errs);
    int status = EXIT_BADINPUT;
    if (w) {
        eng_engine *eng = eng_alloc(wld_start_day(w), wld_days(w), 4096, (size_t)1 << 30);
        if (!eng || !wld_attach(w, eng)) {
            fprintf(stderr, "ecnysim: rank %d: out of memory setting up the engine\n", dst_rank());
            dst_abort(EXIT_RUNTIME);
        }
        while (cli_dist_go_on(false)) {
            if (!eng_step_day(eng)) {
                fprintf(stderr, "ecnysim: rank %d: run failed: %s\n", dst_rank(),
                        eng_failed(eng) ? eng_failed(eng) : "unknown");
                dst_abort(EXIT_RUNTIME);
            }
            cli_dist_frame(w);
        }
        status = EXIT_OK;
        eng_free(eng);
    }
    wld_free(w);
    scn_free(doc);
    free(data);
    free(errs);
    return status;
}

int cli_dist_run(const cli_args *a, int argc, char **argv)
{
    dst_init(NULL, NULL);
    int status;
    if (dst_size() == 1) {
        status = cli_batch(a, argc, argv);
    } else {
        err_list *errs = malloc(sizeof *errs);
        if (!errs)
            dst_abort(EXIT_RUNTIME);
        err_init(errs);
        scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
        free(errs);
        bool loaded = doc != NULL, batch = loaded && is_batch(a, doc);
        const char *whole = loaded ? whole_reason(doc) : "the scenario has errors";
        scn_free(doc);
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
            distributed = true;
            status = dst_rank() == 0 ? cli_run(a, argc, argv, NULL) : worker(a);
            distributed = false;
        }
    }
    free(gathered_values);
    gathered_values = NULL;
    gathered_cap = 0;
    dst_finalize();
    return status;
}
