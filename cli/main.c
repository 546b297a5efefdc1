/* main.c: the ecnysim command line: dispatch and help (the flags: cli/args.c). The commands
 * themselves are carried out in the other files of cli/, one per
 * command (see cli/cli.h); a plain 'run' goes from here through
 * cli/session.c (the scenario opened) to cli/run.c (its days) only.
 *
 * Exit status: 0 success, 1 runtime failure (I/O, a broken invariant,
 * memory), 2 bad usage or bad input (scenario, data, flags).
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/schema.h"
#include "cli/cli.h"
#include "sim/output.h"
#include "sim/scenario.h"

void cli_usage(FILE *to)
{
    fprintf(to,
            "usage: ecnysim COMMAND [ARGS]\n"
            "\n"
            "An agent-based simulator of retail e-CNY (digital yuan) pilots.\n"
            "\n"
            "commands:\n"
            "  run SCENARIO.ini [options]   simulate and write results/NAME/ (daily.csv, ledger.csv, manifest.ini)\n"
            "  validate SCENARIO.ini [--set section.key=value]...\n"
            "                               check a scenario and its data without running it\n"
            "  describe [SECTION] [--markdown]\n"
            "                               print the scenario reference (every section and key)\n"
            "  --help, -h                   this help\n"
            "  --version                    the version\n"
            "\n"
            "run options:\n"
            "  --out DIR                    write the results folder to DIR (default: results_dir/name)\n"
            "  --seed N                     base seed (same as --set scenario.seed=N)\n"
            "  --set section.key=value      override a scenario key; named sections as city.suzhou.key=value;\n"
            "                               may repeat; checked like the file\n"
            "  --quiet, -q                  no progress bar\n"
            "  --compress                   write the CSV files compressed, as FILE.csv.gz (zlib; pandas and R\n"
            "                               read them as they are; so do replay and snapshot); single runs only\n"
            "  --trace RATE                 also write transfers.csv: a deterministic sample (0 < RATE <= 1) of\n"
            "                               every ledger transfer, posted or refused\n"
            "  --view                       show the run live in a window (docs/view.md); needs a display\n"
            "  --exit-at-end                with --view: close the window when the run ends\n"
            "  --speed N                    with --view: simulated days per second (0.25 to 1024, default 8)\n"
            "  --replications N             N runs with seeds derived from the base seed: results/NAME/run-XXXX/,\n"
            "                               runs.csv, summary.csv (mean, sd, 5/50/95 %%, and 5/95 %% with the\n"
            "                               model's own error, data_dir/model_error.csv), all_daily.csv\n"
            "  --vary section.key=v1,v2,... or section.key=start:stop:step\n"
            "                               sweep a key (may repeat, up to %d: the full factorial); see [sweep]\n"
            "  --jobs J                     run up to J runs of a batch in parallel processes (same files)\n"
            "  --ensemble N                 N runs over the parameter ensemble: run i applies row i (cycling) of\n"
            "                               data_dir/posterior.csv as --set values, with its own seed\n"
            "  --posterior FILE             the parameter ensemble for --ensemble (default data_dir/posterior.csv)\n"
            "  --checkpoint-every DAYS      save the run's state every DAYS days to results/NAME.checkpoint/\n"
            "                               (atomically); 'resume' continues from it (docs/checkpoint.md)\n"
            "\n", CLI_MAX_VARY);
    fputs("research commands (docs/research.md):\n"
            "  calibrate SCENARIO.ini --targets FILE.csv --fit section.key,... [--replications R] [--jobs J]\n"
            "            [--max-evals N] [run options]  fit keys to targets: results/NAME-calibration/\n"
            "  targets [--seeds 1,2,3] [--jobs J] [--fit section.key,...] [--loao] [--abc N --posterior F]\n"
            "                               the model beside every published figure of data/targets.csv; the\n"
            "                               joint fit, leave-one-area-out check, ensemble and model error\n"
            "                               (--model-error F; docs/calibration.md)\n"
            "  rerun DIR [--keep]           re-run a results folder's recorded command and compare byte for byte\n"
            "  resume DIR [--out NEWDIR] [--set section.key=value]... [--checkpoint-every DAYS] [--quiet]\n"
            "                               continue a run from its last checkpoint (DIR: results/NAME or\n"
            "                               results/NAME.checkpoint); with --set, a branch into --out NEWDIR\n"
            "\n"
            "view commands (docs/view.md):\n"
            "  replay DIR [--speed N] [--exit-at-end]\n"
            "                               play a finished run from its results folder in a window\n"
            "  replay DIR --record OUT.mp4|OUT.gif [--speed N] [--size WxH]\n"
            "                               the same to a video file through ffmpeg, no display needed\n"
            "  snapshot (SCENARIO.ini | DIR) [--date YYYY-MM-DD] --out FILE.png [--size WxH] [--metric M]\n"
            "                               render one frame to PNG, no display needed\n"
            "\n"
            "exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n"
            "examples:\n"
            "  ecnysim run scenarios/default.ini\n"
            "  ecnysim run scenarios/default.ini --seed 7 --set payments.ecny_choice=0.1 --out results/try7\n"
            "  ecnysim describe city\n"
            "  ecnysim run scenarios/default.ini --vary adoption.open_rate=0.01,0.02 --replications 10 --jobs 2\n",
          to);
}

/* A batch (--replications, --vary) must not replace a single run's folder:
 * refused here, before any run, with exit 2. (A [sweep] batch is caught when
 * it commits: out_commit never replaces results of another kind.) A scenario
 * with errors passes: the batch reports them. */
static bool batch_location_free(const cli_session *s)
{
    if (!s->doc)
        return true;
    char root[4096], name[1024], dir[5200];
    cli_results_location(s->doc, s->a, root, sizeof root, name, sizeof name);
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    bool ok = out_check_kind(dir, "batch", s->errs);
    if (!ok)
        err_print(s->errs, stderr);
    return ok;
}

/* --compress is for single runs: a batch's summaries and a checkpoint's
 * rows are read back by code that reads plain CSV. */
static bool compress_allowed(const cli_session *s)
{
    const cli_args *a = s->a;
    bool sweep = false;
    if (!a->replications && !a->n_vary && s->doc) {
        const scn_instance *sw = scn_single(s->doc, "sweep");
        char key[8];
        for (int i = 1; i <= 8; i++) {
            snprintf(key, sizeof key, "vary%d", i);
            sweep |= scn_has(sw, key);
        }
        sweep |= scn_int(sw, "replications") > 1;
    }
    if (a->replications || a->n_vary || sweep || a->checkpoint_every > 0) {
        fprintf(stderr, "ecnysim: --compress applies to a single run: expected it without --replications, --vary, "
                        "a [sweep] section and --checkpoint-every\n");
        return false;
    }
    return true;
}

/* 'run': the scenario parsed once (cli/session.c), then what it is: spread
 * over MPI ranks (cli/mpi.c), a batch (cli/batch.c), the [peer] economy
 * (cli/peer.c), or a plain run: a session opened and its days run
 * (cli/run.c). */
static int run_command(const cli_args *a, int argc, char **argv)
{
    cli_session s;
    int status = cli_session_begin(&s, a, true);
    if (status != EXIT_OK)
        ;
    else if ((a->replications || a->n_vary) && !batch_location_free(&s))
        status = EXIT_BADINPUT;
    else if (a->compress && !compress_allowed(&s))
        status = EXIT_BADINPUT;
    else if (s.ranks > 1)
        status = cli_dist_run(&s, argc, argv);
    else if (cli_session_batch(&s))
        status = cli_batch(a, argc, argv);
    else if (cli_session_peer(&s))
        status = cli_run_peer(&s, argc, argv);
    else if ((status = cli_session_open(&s, true)) == EXIT_OK)
        status = cli_run_session(&s, argc, argv, NULL);
    cli_session_close(&s);
    return status;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        cli_usage(stderr);
        return EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("ecnysim %s\n", ECNYSIM_VERSION);
        return EXIT_OK;
    }
    for (int i = 2; i < argc && strcmp(cmd, "targets") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_usage(stdout);
            return EXIT_OK;
        }
    }
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "validate") == 0) {
        cli_args a = {0};
        int status = cli_parse(argc, argv, 2, &a, strcmp(cmd, "run") == 0);
        if (status != EXIT_OK)
            return status;
        if (a.checkpoint_every > 0 &&
            (a.view || a.replications || a.n_vary || a.jobs || a.ensemble || a.trace_rate > 0)) {
            fprintf(stderr, "ecnysim: --checkpoint-every applies to a single run: expected it without --view, "
                            "--replications, --vary, --jobs, --ensemble and --trace (docs/checkpoint.md)\n");
            return EXIT_BADINPUT;
        }
        if (a.speed_days_s > 0 && !a.view) {
            fprintf(stderr, "ecnysim: --speed sets the pace of the window: expected it with --view\n");
            return EXIT_BADINPUT;
        }
        if (strcmp(cmd, "run") == 0 && a.view)
            return cli_view_run_plugin(&a, argc, argv);
        return strcmp(cmd, "run") == 0 ? run_command(&a, argc, argv) : cli_validate(&a);
    }
    if (strcmp(cmd, "describe") == 0)
        return cli_describe(argc, argv);
    if (strcmp(cmd, "replay") == 0)
        return cli_replay_plugin(argc, argv);
    if (strcmp(cmd, "snapshot") == 0)
        return cli_snapshot_plugin(argc, argv);
    if (strcmp(cmd, "calibrate") == 0)
        return cli_calibrate(argc, argv);
    if (strcmp(cmd, "rerun") == 0)
        return cli_rerun(argc, argv);
    if (strcmp(cmd, "targets") == 0)
        return cli_targets(argc, argv);
    if (strcmp(cmd, "resume") == 0)
        return cli_resume(argc, argv);
    fprintf(stderr, "ecnysim: unknown command '%s': expected run, validate, describe, calibrate, targets, rerun, "
                    "resume, replay or snapshot "
                    "(see 'ecnysim --help')\n", cmd);
    return EXIT_BADINPUT;
}
