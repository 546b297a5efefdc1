/* args.c: the one option parser of the command line (cli_parse), used by
 * run, validate and calibrate (cli/main.c, cli/calibrate.c), and the checks
 * of --out and --checkpoint-every that resume reuses (cli_check_out,
 * cli_check_checkpoint_every).
 *
 * Every flag is checked where it is read: a bad value prints one message
 * naming the flag and what was expected and gives exit status 2. No
 * allocation: cli_args points into argv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/error.h"

int cli_check_checkpoint_every(const char *value)
{
    char *end = NULL;
    long v = value ? strtol(value, &end, 10) : 0;
    if (!value || !*value || *end || v < 1 || v > 100000) {
        fprintf(stderr, "ecnysim: --checkpoint-every needs a number of days from 1 to 100000: expected "
                        "--checkpoint-every DAYS\n");
        return 0;
    }
    return (int)v;
}

bool cli_check_out(const char *out)
{
    size_t n = strlen(out);
    if (n == 0 || n > CLI_OUT_MAX) {
        fprintf(stderr, "ecnysim: --out is %s: expected a folder path of 1 to %d characters\n",
                n ? "too long" : "empty", CLI_OUT_MAX);
        return false;
    }
    char tmp[CLI_OUT_MAX + 1];
    snprintf(tmp, sizeof tmp, "%s", out);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    for (const char *part = tmp; *part;) {
        size_t len = strcspn(part, "/");
        if (len > 255) {
            fprintf(stderr, "ecnysim: --out: a folder name in the path is %zu characters long: expected at most 255\n",
                    len);
            return false;
        }
        part += len + (part[len] == '/');
    }
    const char *last = strrchr(tmp, '/');
    last = last ? last + 1 : tmp;
    err_list errs;
    err_init(&errs);
    if (!cli_check_name(last, "the results folder's name", "ecnysim: --out", &errs)) {
        fprintf(stderr, "%s\n", errs.msg[0]);
        return false;
    }
    return true;
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
            if (!cli_check_out(a->out))
                return EXIT_BADINPUT;
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
        } else if (run_options && strcmp(s, "--compress") == 0) {
            a->compress = true;
        } else if (run_options && strcmp(s, "--trace") == 0) {
            char *end = NULL;
            double rate = has_next ? strtod(argv[i + 1], &end) : -1;
            if (!has_next || !end || *end || !(rate > 0 && rate <= 1)) {
                fprintf(stderr, "ecnysim: --trace needs a sampling rate: expected --trace RATE with 0 < RATE <= 1 "
                                "(e.g. --trace 0.001)\n");
                return EXIT_BADINPUT;
            }
            a->trace_rate = rate;
            i++;
        } else if (run_options && strcmp(s, "--view") == 0) {
            a->view = true;
        } else if (run_options && strcmp(s, "--exit-at-end") == 0) {
            a->exit_at_end = true;
        } else if (run_options && strcmp(s, "--speed") == 0) {
            char *end = NULL;
            double v = has_next ? strtod(argv[i + 1], &end) : 0;
            if (!has_next || !*argv[i + 1] || *end || !(v >= CLI_SPEED_MIN && v <= CLI_SPEED_MAX)) {
                fprintf(stderr, "ecnysim: --speed needs simulated days per second from %g to %g: expected "
                                "--speed N with --view\n", CLI_SPEED_MIN, CLI_SPEED_MAX);
                return EXIT_BADINPUT;
            }
            a->speed_days_s = v;
            i++;
        } else if (run_options && (strcmp(s, "--replications") == 0 || strcmp(s, "--jobs") == 0 ||
                                   strcmp(s, "--ensemble") == 0)) {
            char *end = NULL;
            long v = has_next ? strtol(argv[i + 1], &end, 10) : 0;
            if (!has_next || !*argv[i + 1] || *end || v < 1 || v > 1000000) {
                fprintf(stderr, "ecnysim: %s needs a whole number from 1 to 1000000: expected %s N\n", s, s);
                return EXIT_BADINPUT;
            }
            *(strcmp(s, "--jobs") == 0 ? &a->jobs : strcmp(s, "--ensemble") == 0 ? &a->ensemble : &a->replications) =
                (int)v;
            i++;
        } else if (run_options && strcmp(s, "--posterior") == 0) {
            if (!has_next) {
                fprintf(stderr, "ecnysim: --posterior needs a file: expected --posterior FILE.csv\n");
                return EXIT_BADINPUT;
            }
            a->posterior = argv[++i];
        } else if (run_options && strcmp(s, "--checkpoint-every") == 0) {
            if (!(a->checkpoint_every = cli_check_checkpoint_every(has_next ? argv[i + 1] : NULL)))
                return EXIT_BADINPUT;
            i++;
        } else if (run_options && strcmp(s, "--vary") == 0) {
            if (!has_next || a->n_vary == CLI_MAX_VARY) {
                fprintf(stderr, "ecnysim: --vary %s: expected --vary section.key=v1,v2,... or "
                                "--vary section.key=start:stop:step (at most %d)\n",
                        has_next ? "given too often" : "needs a value", CLI_MAX_VARY);
                return EXIT_BADINPUT;
            }
            a->vary[a->n_vary++] = argv[++i];
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
