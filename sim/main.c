/* main.c: the ecnysim command line: dispatch, flags and help. The commands
 * themselves are carried out in sim/main_*.c (see sim/cli.h).
 *
 * Exit status: 0 success, 1 runtime failure (I/O, a broken invariant,
 * memory), 2 bad usage or bad input (scenario, data, flags).
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli.h"

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
            "\n"
            "exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n"
            "examples:\n"
            "  ecnysim run scenarios/default.ini\n"
            "  ecnysim run scenarios/default.ini --seed 7 --set payments.ecny_choice=0.1 --out results/try7\n"
            "  ecnysim describe city\n");
}

int cli_parse(int argc, char **argv, int first, cli_args *a, bool run_options)
{
    for (int i = first; i < argc; i++) {
        const char *s = argv[i];
        bool has_next = i + 1 < argc;
        if (run_options && strcmp(s, "--out") == 0) {
            if (!has_next) {
                fprintf(stderr, "ecnysim: --out needs a folder: expected --out DIR\n");
                return EXIT_BADINPUT;
            }
            a->out = argv[++i];
        } else if (run_options && strcmp(s, "--seed") == 0) {
            if (!has_next) {
                fprintf(stderr, "ecnysim: --seed needs a number: expected --seed N\n");
                return EXIT_BADINPUT;
            }
            snprintf(a->seed_set, sizeof a->seed_set, "scenario.seed=%s", argv[++i]);
        } else if (strcmp(s, "--set") == 0) {
            if (!has_next) {
                fprintf(stderr, "ecnysim: --set needs a value: expected --set section.key=value\n");
                return EXIT_BADINPUT;
            }
            if (a->n_sets == CLI_MAX_SETS - 1) {
                fprintf(stderr, "ecnysim: more than %d --set options\n", CLI_MAX_SETS - 1);
                return EXIT_BADINPUT;
            }
            a->sets[a->n_sets++] = argv[++i];
        } else if (run_options && (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0)) {
            a->quiet = true;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "ecnysim: unknown option '%s': see 'ecnysim --help'\n", s);
            return EXIT_BADINPUT;
        } else if (!a->scenario) {
            a->scenario = s;
        } else {
            fprintf(stderr, "ecnysim: unexpected argument '%s': expected one scenario file\n", s);
            return EXIT_BADINPUT;
        }
    }
    if (!a->scenario) {
        fprintf(stderr, "ecnysim: no scenario given: expected 'ecnysim %s SCENARIO.ini'\n", argv[1]);
        return EXIT_BADINPUT;
    }
    if (a->seed_set[0])
        a->sets[a->n_sets++] = a->seed_set;
    return EXIT_OK;
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
    for (int i = 2; i < argc; i++) {
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
        return strcmp(cmd, "run") == 0 ? cli_run(&a, argc, argv, NULL) : cli_validate(&a);
    }
    if (strcmp(cmd, "describe") == 0)
        return cli_describe(argc, argv);
    fprintf(stderr, "ecnysim: unknown command '%s': expected run, validate or describe (see 'ecnysim --help')\n", cmd);
    return EXIT_BADINPUT;
}
