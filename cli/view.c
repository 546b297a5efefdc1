/* view.c: the view commands: 'run --view' (a live window over a run),
 * 'replay DIR' (a finished run played from its CSV files) and 'snapshot'
 * (one frame to PNG, headless). This file and viz/ are the only code that
 * touches SDL; the run itself is cli_run with an on_day hook, so a run with
 * --view writes exactly the files of the same run without it.
 *
 * It is compiled into the plug-in ecnysim-view.so with viz/, not into the
 * program, yet it lives in cli/: it wires the models and the view together,
 * and viz/ includes only sim/ (tests/e2e_architecture.sh).
 *
 * snapshot of a scenario simulates in memory up to the date and writes no
 * results at all (nothing to clean up); snapshot of a results folder reads
 * it like replay. Exit status: 0 done, 1 no display or a rendering/I/O
 * failure (or the window was closed before the run ended: its results are
 * kept, marked interrupted), 2 bad usage or bad input.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/data.h"
#include "models/schema.h"
#include "models/world.h"
#include "sim/calendar.h"
#include "cli/cli.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "viz/viz_draw.h"
#include "viz/viz_load.h"
#include "viz/viz_pace.h"
#include "viz/viz_png.h"
#include "viz/viz_record.h"
#include "viz/viz_series.h"
#include "viz/viz_view.h"

typedef struct {
    viz_view *view;
    bool axis_set;
} live_ctx;

static bool on_day(void *ctx, const snap_frame *frame, const eng_engine *eng)
{
    live_ctx *lc = ctx;
    if (!lc->axis_set) {
        viz_view_set_axis(lc->view, eng_start_day(eng), eng_start_day(eng) + eng_days(eng) - 1);
        lc->axis_set = true;
    }
    return viz_view_live_day(lc->view, frame);
}

/* Programme events, KPI sections and flows of the scenario as resolved
 * (defaults filled, --set applied), exactly what a results folder's
 * manifest holds: a snapshot of the scenario and a replay of its results
 * then name the same events. Read from a temporary INI file; from the
 * scenario file itself when no temporary file can be made. */
static void load_sections(const scn_doc *doc, const char *scenario_path, viz_series *s)
{
    char tmp[] = "/tmp/ecnysim-view-XXXXXX";
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    const char *path = scenario_path;
    if (f) {
        scn_write_resolved(doc, f);
        if (fclose(f) == 0)
            path = tmp;
    } else if (fd >= 0) {
        close(fd);
    }
    viz_load_markers(path, s);
    viz_load_kpi_info(path, s);
    viz_load_flows(path, s);
    if (fd >= 0)
        remove(tmp);
}

/* The scenario's name (or its file name without .ini) into out; gives s
 * the map of the scenario's data folder when s is not NULL. */
static void scenario_title(const cli_args *a, char *out, size_t len, viz_series *s)
{
    const char *base = strrchr(a->scenario, '/');
    snprintf(out, len, "%s", base ? base + 1 : a->scenario);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return;
    err_init(errs);
    scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
    if (doc && scn_has(scn_single(doc, "scenario"), "name"))
        snprintf(out, len, "%s", scn_str(scn_single(doc, "scenario"), "name"));
    if (doc && s) {
        char located[4096];
        err_init(errs);
        viz_load_geo(dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                sizeof located),
                     s, errs);
        load_sections(doc, a->scenario, s);
    }
    scn_free(doc);
    free(errs);
}

int cli_view_run(const cli_args *a, int argc, char **argv)
{
    if (a->replications || a->n_vary || a->jobs) {
        fprintf(stderr, "ecnysim: --view shows one run: drop --replications, --vary and --jobs\n");
        return EXIT_BADINPUT;
    }
    viz_series *s = viz_series_alloc();
    if (!s) {
        fprintf(stderr, "ecnysim: out of memory\n");
        return EXIT_RUNTIME;
    }
    char title[128], why[512];
    scenario_title(a, title, sizeof title, s);
    viz_view_opts o = {title, "LIVE", a->exit_at_end, a->speed_days_s};
    viz_view *v = viz_view_open(&o, s, why, sizeof why);
    if (!v) {
        fprintf(stderr, "ecnysim: run --view: %s\n", why);
        viz_series_free(s);
        return EXIT_RUNTIME;
    }
    assert(CLI_SPEED_MIN == VIZ_PACE_MIN && CLI_SPEED_MAX == VIZ_PACE_MAX); /* one speed range */
    live_ctx lc = {v, false};
    cli_hooks hooks = {&lc, on_day};
    int status = cli_run(a, argc, argv, &hooks);
    if (status == EXIT_OK && !a->exit_at_end && !viz_view_quit_requested(v))
        viz_view_play(v, false);
    viz_view_close(v);
    viz_series_free(s);
    return status;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int load_results(const char *dir, viz_series *s, char *title, size_t title_len)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return EXIT_RUNTIME;
    err_init(errs);
    bool ok = viz_load_results(dir, s, title, title_len, errs);
    err_print(errs, stderr);
    int status = ok ? EXIT_OK : CLI_STATUS_OF(errs);
    free(errs);
    return status;
}

int cli_replay(int argc, char **argv)
{
    const char *dir = NULL, *record = NULL;
    bool exit_at_end = false;
    double speed = 0;
    int w = 1280, h = 720;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--exit-at-end") == 0) {
            exit_at_end = true;
        } else if (strcmp(argv[i], "--speed") == 0 && i + 1 < argc) {
            char *end;
            speed = strtod(argv[++i], &end);
            if (*end || !(speed >= VIZ_PACE_MIN && speed <= VIZ_PACE_MAX)) {
                fprintf(stderr, "ecnysim: --speed '%s': expected simulated days per second, %g to %g\n", argv[i],
                        VIZ_PACE_MIN, VIZ_PACE_MAX);
                return EXIT_BADINPUT;
            }
        } else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc) {
            record = argv[++i];
        } else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 480 || h < 320 || w > 3840 || h > 2160 || w % 2 ||
                h % 2) {
                fprintf(stderr, "ecnysim: --size '%s': expected WIDTHxHEIGHT, even, from 480x320 to 3840x2160\n",
                        argv[i]);
                return EXIT_BADINPUT;
            }
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "ecnysim: replay: unexpected '%s': expected 'ecnysim replay DIR [--speed N] "
                            "[--exit-at-end] [--record OUT.mp4|OUT.gif [--size WxH]]'\n", argv[i]);
            return EXIT_BADINPUT;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fprintf(stderr, "ecnysim: replay needs a results folder: expected 'ecnysim replay results/NAME/'\n");
        return EXIT_BADINPUT;
    }
    if (record) { /* no window: frames to the encoder */
        const char *ext = strrchr(record, '.');
        if (!ext || (strcmp(ext, ".mp4") != 0 && strcmp(ext, ".gif") != 0)) {
            fprintf(stderr, "ecnysim: --record '%s': expected a file name ending in .mp4 or .gif\n", record);
            return EXIT_BADINPUT;
        }
        char enc[4096], why[512];
        if (!viz_record_encoder(enc, sizeof enc, why, sizeof why)) {
            fprintf(stderr, "ecnysim: replay: %s\n", why);
            return EXIT_RUNTIME;
        }
        viz_series *s = viz_series_alloc();
        if (!s)
            return EXIT_RUNTIME;
        char title[128];
        int status = load_results(dir, s, title, sizeof title);
        if (status == EXIT_OK) {
            viz_state st;
            viz_state_init(&st);
            st.title = title;
            st.mode = "REPLAY";
            int frames = 0;
            if (!viz_record(s, &st, w, h, speed, record, &frames, why, sizeof why)) {
                fprintf(stderr, "ecnysim: replay: %s\n", why);
                status = EXIT_RUNTIME;
            } else {
                fprintf(stderr, "ecnysim: %d frames (%dx%d, %d per second) in %s\n", frames, w, h, VIZ_RECORD_FPS,
                        record);
            }
        }
        viz_series_free(s);
        return status;
    }
    viz_series *s = viz_series_alloc();
    if (!s)
        return EXIT_RUNTIME;
    char title[128], why[512];
    int status = load_results(dir, s, title, sizeof title);
    if (status == EXIT_OK) {
        viz_view_opts o = {title, "REPLAY", exit_at_end, speed};
        viz_view *v = viz_view_open(&o, s, why, sizeof why);
        if (!v) {
            fprintf(stderr, "ecnysim: replay: %s\n", why);
            status = EXIT_RUNTIME;
        } else {
            viz_view_play(v, true);
            viz_view_close(v);
        }
    }
    viz_series_free(s);
    return status;
}

/* Simulates the scenario in memory up to day (inclusive) into s; writes no
 * files. The scenario is opened as 'run' opens it (cli/session.c): the same
 * checks and messages for a bad scenario or data folder. */
static int simulate_to(const cli_args *a, int32_t day, bool to_end, viz_series *s, char *title, size_t title_len,
                       int32_t *first, int32_t *last)
{
    cli_session ss;
    int status = cli_session_begin(&ss, a, false);
    if (status == EXIT_OK)
        status = cli_session_load(&ss, true);
    if (status == EXIT_OK) {
        const wld_world *w = ss.world;
        *first = wld_start_day(w);
        *last = wld_start_day(w) + wld_days(w) - 1;
        if (to_end)
            day = *last;
        char d0[CAL_DATE_LEN], d1[CAL_DATE_LEN];
        cal_format(*first, d0);
        cal_format(*last, d1);
        if (day < *first || day > *last) {
            err_add(ss.errs, "--date is outside the run of %s: expected %s to %s", a->scenario, d0, d1);
            status = EXIT_BADINPUT;
        } else {
            status = cli_session_engine(&ss); /* says why when it fails */
        }
    }
    while (status == EXIT_OK && !eng_finished(ss.eng)) {
        if (!eng_step_day(ss.eng)) {
            err_add(ss.errs, "run failed: %s", eng_failed(ss.eng) ? eng_failed(ss.eng) : "unknown");
            status = EXIT_RUNTIME;
            break;
        }
        const snap_frame *f = wld_frame(ss.world);
        if (!viz_series_add_frame(s, f)) {
            err_add_kind(ss.errs, ERR_MEMORY, "out of memory keeping the series");
            status = EXIT_RUNTIME;
        }
        if (f->day >= day)
            break;
    }
    if (ss.doc) {
        const scn_instance *sc = scn_single(ss.doc, "scenario");
        if (scn_has(sc, "name"))
            snprintf(title, title_len, "%s", scn_str(sc, "name"));
    }
    if (ss.errs && ss.world) /* a failed load printed its own messages */
        err_print(ss.errs, stderr);
    cli_session_close(&ss);
    return status;
}

static const char *const metric_keys[VIZ_METRIC_COUNT] = {"adoption", "active", "ecny_share", "acceptance",
                                                          "rural"};

int cli_snapshot(int argc, char **argv)
{
    cli_args a = {0};
    const char *out = NULL, *date = NULL, *metric = NULL;
    int w = 1600, h = 900;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        bool next = i + 1 < argc;
        if (strcmp(s, "--out") == 0 && next) {
            out = argv[++i];
        } else if (strcmp(s, "--date") == 0 && next) {
            date = argv[++i];
        } else if (strcmp(s, "--metric") == 0 && next) {
            metric = argv[++i];
        } else if (strcmp(s, "--size") == 0 && next) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 480 || h < 320 || w > 8000 || h > 8000) {
                fprintf(stderr, "ecnysim: --size '%s': expected WIDTHxHEIGHT, from 480x320 to 8000x8000\n", argv[i]);
                return EXIT_BADINPUT;
            }
        } else if (strcmp(s, "--set") == 0 && next && a.n_sets < CLI_MAX_SETS) {
            a.sets[a.n_sets++] = argv[++i];
        } else if (s[0] == '-' || a.scenario) {
            fprintf(stderr, "ecnysim: snapshot: unexpected '%s': expected 'ecnysim snapshot (SCENARIO.ini | "
                            "results/NAME/) [--date YYYY-MM-DD] --out FILE.png'\n", s);
            return EXIT_BADINPUT;
        } else {
            a.scenario = s;
        }
    }
    int32_t day = 0;
    if (!a.scenario || !out) {
        fprintf(stderr, "ecnysim: snapshot needs %s: expected 'ecnysim snapshot (SCENARIO.ini | results/NAME/) "
                        "[--date YYYY-MM-DD] --out FILE.png'\n", a.scenario ? "--out FILE.png" : "a scenario or results folder");
        return EXIT_BADINPUT;
    }
    if (date && !cal_parse_date(date, &day)) {
        fprintf(stderr, "ecnysim: --date '%s': expected a real date YYYY-MM-DD\n", date);
        return EXIT_BADINPUT;
    }
    viz_state st;
    viz_state_init(&st);
    if (metric) {
        int m = 0;
        while (m < VIZ_METRIC_COUNT && strcmp(metric_keys[m], metric) != 0)
            m++;
        if (m == VIZ_METRIC_COUNT) {
            fprintf(stderr, "ecnysim: --metric '%s': expected adoption, active, ecny_share, acceptance or rural\n",
                    metric);
            return EXIT_BADINPUT;
        }
        st.metric = (viz_metric)m;
    }
    viz_series *s = viz_series_alloc();
    if (!s)
        return EXIT_RUNTIME;
    char title[128];
    int status;
    if (is_dir(a.scenario)) {
        status = load_results(a.scenario, s, title, sizeof title);
    } else {
        scenario_title(&a, title, sizeof title, s); /* flows before the frames that carry their values */
        status = simulate_to(&a, day, date == NULL, s, title, sizeof title, &st.first_day, &st.last_day);

    }
    if (status == EXIT_OK) {
        int n = viz_series_days(s);
        st.day_index = date ? viz_series_index_of(s, day) : n - 1;
        if (st.day_index < 0 || viz_series_day(s, st.day_index) != day) {
            if (date) {
                char d0[CAL_DATE_LEN], d1[CAL_DATE_LEN];
                cal_format(viz_series_day(s, 0), d0);
                cal_format(viz_series_day(s, n - 1), d1);
                fprintf(stderr, "ecnysim: --date %s is not in %s: expected %s to %s\n", date, a.scenario, d0, d1);
                status = EXIT_BADINPUT;
            }
        }
    }
    if (status == EXIT_OK) {
        char why[512];
        st.title = title;
        st.mode = "SNAPSHOT";
        if (!viz_png_save(s, &st, w, h, out, why, sizeof why)) {
            fprintf(stderr, "ecnysim: snapshot: %s\n", why);
            status = EXIT_RUNTIME;
        }
    }
    viz_series_free(s);
    return status;
}
