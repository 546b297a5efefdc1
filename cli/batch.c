/* batch.c: batches of runs: replications, sweeps, parallel jobs, and
 * their summaries (the 'run' command's batch side and 'summarize').
 *
 * A batch is points x replications: the points are the full factorial of the
 * swept keys ([sweep] varyK and --vary, the last key varying fastest), each
 * run with the seed bat_seed(base, replication), so every point sees the same
 * seeds (common random numbers). Run k (1-based, point-major) goes to
 * results/NAME/run-%04d/, written by one child process (fork + waitpid, at
 * most --jobs at a time) through cli_run, exactly as a single run would be.
 * The parent assembles runs.csv, all_daily.csv (long format) and
 * summary.csv / kpi_summary.csv in run order as soon as a prefix of runs is
 * complete, so the files are byte-identical whatever --jobs is, and
 * all_daily.csv is streamed run by run (one run's daily.csv read at a time;
 * a summary holds one point's replications in memory: R x rows x metrics
 * doubles). The whole batch folder is written under a temporary name and
 * renamed when complete (sim/output.h); a failed run aborts the batch.
 * Under mpirun (bat_cli_ranks) run i goes to rank i mod R, each rank forking
 * its share into rank 0's temporary folder and telling rank 0 by message
 * when each ends; rank 0 assembles as above (docs/distributed.md).
 * Cost: the runs, plus one parse of every daily.csv for all_daily and one
 * for the summary.
 */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/data.h"
#include "models/schema.h"
#include "models/world.h"
#include "sim/dist.h"
#include "cli/batch.h"
#include "sim/output.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/stats.h"
#include "sim/table.h"

#define BAT_MAX_DIMS (CLI_MAX_VARY + 8)
#define BAT_MAX_VALUES 10000
#define BAT_MAX_RUNS 1000000
#define BAT_PATH 4096
/* A point's summary reads its runs' daily.csv a block of rows at a time, the
 * block sized so the values held (runs x rows x metrics doubles) stay under this. */
#define BAT_SUMMARY_BYTES ((size_t)64 << 20)
#define BAT_POSTERIOR_MAX_KEYS 64

/* ---- small helpers ---- */

uint64_t bat_seed(uint64_t base, int replication)
{
    return replication <= 1 ? base : rng_mix(base, (uint64_t)replication) >> 2;
}

const char *bat_num(char buf[40], double v)
{
    snprintf(buf, 40, "%.10g", v == 0 ? 0.0 : v); /* no "-0" */
    return buf;
}

void bat_remove_tree(const char *dir)
{
    if (dir)
        out_remove_dir(dir); /* recurses into folders */
}

static char *dup_s(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ---- CSV reading (libcsv, streaming) ---- */

typedef struct {
    char **field;
    size_t n, cap;
    int line;
    bool (*row)(void *ctx, char **field, size_t n, int line);
    void *ctx;
    bool stop, oom;
} csv_reader;

static void on_field(void *s, size_t len, void *data)
{
    csv_reader *r = data;
    if (r->stop)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        char **f = realloc(r->field, cap * sizeof *f);
        if (!f) {
            r->stop = r->oom = true;
            return;
        }
        r->field = f;
        r->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        r->stop = r->oom = true;
        return;
    }
    memcpy(copy, s ? s : "", len);
    copy[len] = '\0';
    r->field[r->n++] = copy;
}

static void on_row(int c, void *data)
{
    (void)c;
    csv_reader *r = data;
    r->line++;
    if (!r->stop && r->n > 0 && r->field[0][0] != '#')
        r->stop = !r->row(r->ctx, r->field, r->n, r->line);
    for (size_t i = 0; i < r->n; i++)
        free(r->field[i]);
    r->n = 0;
}

bool bat_csv_rows(const char *path, bool (*row)(void *ctx, char **field, size_t n, int line), void *ctx,
                  err_list *errs)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_add(errs, "%s: cannot read: %s", path, strerror(errno));
        return false;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    csv_reader r = {.row = row, .ctx = ctx};
    char buf[65536];
    size_t n;
    bool ok = true;
    while (!r.stop && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (csv_parse(&p, buf, n, on_field, on_row, &r) != n) {
            err_add(errs, "%s:%d: %s", path, r.line + 1, csv_strerror(csv_error(&p)));
            ok = false;
            break;
        }
    }
    if (ok && !r.stop)
        csv_fini(&p, on_field, on_row, &r);
    if (ferror(f)) {
        err_add(errs, "%s: read error", path);
        ok = false;
    }
    if (r.oom)
        err_add(errs, "%s: out of memory", path);
    ok = ok && !r.stop;
    for (size_t i = 0; i < r.n; i++)
        free(r.field[i]);
    free(r.field);
    csv_free(&p);
    fclose(f);
    return ok;
}

typedef struct {
    bat_table *t;
    size_t cap;
    const char *path;
    err_list *errs;
} table_ctx;

static bool table_row(void *vctx, char **field, size_t n, int line)
{
    table_ctx *c = vctx;
    bat_table *t = c->t;
    if (!t->val_name) {
        if (n < 3 || strcmp(field[0], "date") != 0 || strcmp(field[1], "city") != 0) {
            err_add(c->errs, "%s:%d: expected a header 'date,city,...' with at least one value column", c->path, line);
            return false;
        }
        t->val_name = calloc(n - 2, sizeof *t->val_name);
        if (!t->val_name)
            return false;
        for (size_t i = 2; i < n; i++)
            if (!(t->val_name[t->n_val++] = dup_s(field[i])))
                return false;
        return true;
    }
    if (n != (size_t)t->n_val + 2) {
        err_add(c->errs, "%s:%d: %zu fields: expected %d", c->path, line, n, t->n_val + 2);
        return false;
    }
    if (t->n_rows == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        char **d = realloc(t->date, cap * sizeof *d), **ci = d ? realloc(t->city, cap * sizeof *ci) : NULL;
        if (d)
            t->date = d;
        if (ci)
            t->city = ci;
        double *v = ci ? realloc(t->v, cap * (size_t)t->n_val * sizeof *v) : NULL;
        if (!v) {
            err_add(c->errs, "%s: out of memory", c->path);
            return false;
        }
        t->v = v;
        c->cap = cap;
    }
    size_t r = t->n_rows;
    t->date[r] = dup_s(field[0]);
    t->city[r] = dup_s(field[1]);
    t->n_rows++;
    if (!t->date[r] || !t->city[r])
        return false;
    for (int i = 0; i < t->n_val; i++) {
        char *end;
        t->v[r * (size_t)t->n_val + (size_t)i] = strtod(field[i + 2], &end);
        if (!field[i + 2][0] || *end) {
            err_add(c->errs, "%s:%d: column '%s' is '%s': expected a number", c->path, line, t->val_name[i],
                    field[i + 2]);
            return false;
        }
    }
    return true;
}

bool bat_table_read(const char *path, bat_table *t, err_list *errs)
{
    memset(t, 0, sizeof *t);
    table_ctx c = {t, 0, path, errs};
    if (!bat_csv_rows(path, table_row, &c, errs) || !t->val_name) {
        if (!t->val_name && errs->count == 0)
            err_add(errs, "%s: empty file: expected a header row", path);
        bat_table_free(t);
        return false;
    }
    return true;
}

void bat_table_free(bat_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_val; i++)
        free(t->val_name[i]);
    for (size_t r = 0; r < t->n_rows; r++) {
        free(t->date[r]);
        free(t->city[r]);
    }
    free(t->val_name);
    free(t->date);
    free(t->city);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int bat_table_col(const bat_table *t, const char *name)
{
    for (int i = 0; i < t->n_val; i++)
        if (strcmp(t->val_name[i], name) == 0)
            return i;
    return -1;
}

/* ---- running children ---- */

static volatile sig_atomic_t bat_stop;

static void bat_on_signal(int sig)
{
    (void)sig;
    bat_stop = 1;
}

typedef struct {
    int32_t run, day, day_index, days;
} progress_rec;

typedef struct {
    int fd;
    int32_t run;
} child_ctx;

static bool child_on_day(void *vctx, const snap_frame *f, const eng_engine *eng)
{
    child_ctx *c = vctx;
    progress_rec r = {c->run, f->day, eng_day_index(eng), eng_days(eng)};
    ssize_t w = write(c->fd, &r, sizeof r); /* atomic: below PIPE_BUF */
    (void)w;
    return true;
}

static void run_child(const bat_exec *x, const bat_run *run, int i, int fd)
{
    signal(SIGPIPE, SIG_IGN);
    cli_args ca;
    memset(&ca, 0, sizeof ca);
    ca.scenario = x->scenario;
    ca.quiet = true;
    if (run->n_sets >= CLI_MAX_SETS) {
        fprintf(stderr, "ecnysim: run %d: more than %d --set values\n", i + 1, CLI_MAX_SETS - 1);
        _exit(EXIT_BADINPUT);
    }
    for (int s = 0; s < run->n_sets; s++)
        ca.sets[ca.n_sets++] = run->sets[s];
    char out[BAT_PATH], final_out[BAT_PATH];
    snprintf(out, sizeof out, "%s/run-%04d", x->work_dir, i + 1);
    snprintf(final_out, sizeof final_out, "%s/run-%04d", x->final_dir, i + 1);
    ca.out = out;
    /* The command its manifest records: the equivalent single run. */
    char **av = calloc((size_t)run->n_sets * 2 + 8, sizeof *av);
    if (!av)
        _exit(EXIT_RUNTIME);
    int ac = 0;
    av[ac++] = (char *)x->argv0;
    av[ac++] = "run";
    av[ac++] = (char *)x->scenario;
    for (int s = 0; s < run->n_sets; s++) {
        av[ac++] = "--set";
        av[ac++] = (char *)run->sets[s];
    }
    av[ac++] = "--out";
    av[ac++] = final_out;
    child_ctx cc = {fd, i};
    cli_hooks hooks = {&cc, child_on_day};
    int status = cli_run(&ca, ac, av, fd >= 0 ? &hooks : NULL);
    fflush(NULL);
    _exit(status);
}

/* Messages of a batch spread over ranks (sim/dist.h dst_send_ints): {kind,
 * run, code}. A worker (rank > 0) sends DONE for each of its runs as it
 * ends, FAIL when it cannot take part, INTR when a signal stopped it, and
 * IDLE once it has no run going and none left to start; after IDLE it only
 * waits for END. Rank 0 sends STOP (code 1: kill the running runs, as on
 * a signal; 0: let them end) when the batch stops early, and END to each
 * worker once every worker is idle, so no message is left in flight. */
enum { MSG_DONE = 1, MSG_FAIL, MSG_INTR, MSG_IDLE, MSG_STOP, MSG_END };

static void send_msg(int to, int kind, int run, int code)
{
    int m[3] = {kind, run, code};
    if (!dst_send_ints(to, m, 3))
        dst_abort(EXIT_RUNTIME); /* a rank left waiting would hang the batch */
}

/* bat_execute, or this rank's share of a batch spread over ranks (ranks > 1):
 * runs i with i % ranks == rank, x->jobs at a time. Rank 0 learns of the
 * others' runs by message, assembles (on_done) and decides when to stop; the
 * others have no bar and no on_done. */
static int execute(const bat_exec *x, int rank, int ranks, const bat_run *runs, int n_runs, int *n_done,
                   bool *interrupted)
{
    enum { PENDING, RUNNING, OK, FAILED };
    if (ranks <= 1)
        ranks = 1, rank = 0;
    bool dist = ranks > 1, worker = dist && rank != 0;
    int *state = calloc((size_t)n_runs + 1, sizeof *state);
    pid_t *pid = calloc((size_t)n_runs + 1, sizeof *pid);
    double *frac = calloc((size_t)n_runs + 1, sizeof *frac);
    *n_done = 0;
    *interrupted = false;
    if (!state || !pid || !frac) {
        free(state);
        free(pid);
        free(frac);
        fprintf(stderr, "ecnysim: out of memory starting %d runs\n", n_runs);
        if (dist) /* the others would wait for this rank */
            dst_abort(EXIT_RUNTIME);
        return EXIT_RUNTIME;
    }
    int fds[2] = {-1, -1};
    bool show = x->bar && x->bar->on && !worker;
    if (show && pipe(fds) != 0)
        show = false;
    if (show)
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = bat_on_signal;
    bat_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    int status = EXIT_OK, running = 0, next = rank, assembled = 0;
    bool stopping = false, killed = false, kill_now = false;
    int idle = 0, told = 0;                 /* rank 0: workers idle; STOP sent (1, 2: with kill) */
    bool idle_sent = false, intr_sent = false, ended = false; /* a worker */
    int32_t last_day = PROG_NO_DAY, last_index = 0, last_days = 0;
    for (;;) {
        if (bat_stop)
            stopping = kill_now = true;
        while (!stopping && running < x->jobs && next < n_runs) {
            fflush(NULL);
            pid_t p = fork();
            if (p < 0) {
                fprintf(stderr, "ecnysim: cannot start run %d: %s\n", next + 1, strerror(errno));
                status = EXIT_RUNTIME;
                stopping = true;
                if (worker) /* rank 0 decides the status: say it as a failed run */
                    send_msg(0, MSG_DONE, next, EXIT_RUNTIME);
                break;
            }
            if (p == 0) {
                if (show)
                    close(fds[0]);
                run_child(x, &runs[next], next, show ? fds[1] : -1);
            }
            pid[next] = p;
            state[next] = RUNNING;
            next += ranks;
            running++;
        }
        if (kill_now && !killed) {
            for (int i = 0; i < n_runs; i++)
                if (state[i] == RUNNING)
                    kill(pid[i], SIGTERM);
            killed = true;
        }
        if (worker && bat_stop && !intr_sent && !idle_sent) {
            send_msg(0, MSG_INTR, -1, 0);
            intr_sent = true;
        }
        if (dist && !worker && stopping && told < (kill_now ? 2 : 1)) {
            for (int r = 1; r < ranks; r++)
                send_msg(r, MSG_STOP, -1, kill_now);
            told = kill_now ? 2 : 1;
        }
        /* Wait a little: for a child, a progress record, a message. */
        int ws = 0;
        pid_t p = 0;
        if (!dist && !show) {
            if (running == 0)
                break; /* every run started has ended */
            p = waitpid(-1, &ws, 0);
        } else {
            struct pollfd pf = {show ? fds[0] : -1, POLLIN, 0};
            poll(&pf, 1, dist ? 10 : 200);
            progress_rec r;
            while (show && read(fds[0], &r, sizeof r) == (ssize_t)sizeof r) {
                if (r.run >= 0 && r.run < n_runs && r.days > 0)
                    frac[r.run] = (double)r.day_index / r.days;
                last_day = r.day;
                last_index = r.day_index;
                last_days = r.days;
            }
            if (running > 0)
                p = waitpid(-1, &ws, WNOHANG);
        }
        /* Runs that ended: this rank's children, then the others' messages. */
        int ended_run = -1, code = 0;
        if (p > 0) {
            int i = rank;
            while (i < n_runs && pid[i] != p)
                i += ranks;
            if (i < n_runs && state[i] == RUNNING) {
                running--;
                code = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_RUNTIME;
                ended_run = i;
            }
        }
        for (int more = 1; more;) {
            if (ended_run >= 0) {
                int i = ended_run;
                ended_run = -1;
                state[i] = code == 0 ? OK : FAILED;
                frac[i] = 1;
                if (worker) {
                    send_msg(0, MSG_DONE, i, code);
                    if (code != 0)
                        stopping = true;
                } else if (code != 0) {
                    if (!bat_stop) {
                        fprintf(stderr, "ecnysim: run %d (seed %llu) failed (exit status %d): stopping the batch\n",
                                i + 1, (unsigned long long)runs[i].seed, code);
                        if (status == EXIT_OK)
                            status = code == EXIT_BADINPUT ? EXIT_BADINPUT : EXIT_RUNTIME;
                    }
                    stopping = true;
                }
            }
            more = 0;
            int m[DST_MSG_INTS], from = -1, got = dist ? dst_poll_ints(m, 3, &from) : 0;
            if (got < 0)
                dst_abort(EXIT_RUNTIME);
            if (got == 0)
                break;
            more = 1;
            if (worker) {
                if (m[0] == MSG_STOP) {
                    stopping = true;
                    kill_now = kill_now || m[2];
                } else if (m[0] == MSG_END) {
                    ended = true;
                    if (status == EXIT_OK)
                        status = m[2];
                }
            } else if (m[0] == MSG_DONE && m[1] >= 0 && m[1] < n_runs && m[1] % ranks == from &&
                       state[m[1]] == PENDING) {
                ended_run = m[1];
                code = m[2];
            } else if (m[0] == MSG_FAIL) {
                fprintf(stderr, "ecnysim: rank %d cannot take part in the batch: stopping it\n", from);
                if (status == EXIT_OK)
                    status = m[2] == EXIT_BADINPUT ? EXIT_BADINPUT : EXIT_RUNTIME;
                stopping = true;
            } else if (m[0] == MSG_INTR) {
                bat_stop = 1; /* as if the signal had come here */
                stopping = kill_now = true;
            } else if (m[0] == MSG_IDLE) {
                idle++;
            }
        }
        while (!worker && assembled < n_runs && state[assembled] == OK && status == EXIT_OK) {
            if (x->on_done && !x->on_done(x->ctx, assembled)) {
                status = EXIT_RUNTIME;
                stopping = true;
                break;
            }
            assembled++;
        }
        if (show) {
            double sum = 0;
            for (int i = 0; i < n_runs; i++)
                sum += frac[i];
            double total = x->runs_total > 0 ? x->runs_total : n_runs;
            prog_update(x->bar, (x->runs_before + sum) / total, last_day, last_index, last_days,
                        x->runs_before + assembled, false);
        }
        bool here_done = running == 0 && (stopping || next >= n_runs);
        if (!dist && here_done)
            break;
        if (worker && here_done && !idle_sent) {
            send_msg(0, MSG_IDLE, -1, 0);
            idle_sent = true;
        }
        if (worker && ended)
            break;
        if (dist && !worker && here_done && idle == ranks - 1) {
            if (bat_stop && status == EXIT_OK)
                status = EXIT_RUNTIME;
            for (int r = 1; r < ranks; r++)
                send_msg(r, MSG_END, -1, status);
            break;
        }
    }
    if (bat_stop) {
        *interrupted = true;
        if (status == EXIT_OK)
            status = EXIT_RUNTIME;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (show) {
        close(fds[0]);
        close(fds[1]);
    }
    if (worker)
        for (int i = rank; i < n_runs; i += ranks)
            assembled += state[i] == OK;
    *n_done = assembled;
    free(state);
    free(pid);
    free(frac);
    return status;
}

int bat_execute(const bat_exec *x, const bat_run *runs, int n_runs, int *n_done, bool *interrupted)
{
    return execute(x, 0, 1, runs, n_runs, n_done, interrupted);
}

/* ---- the plan: swept keys, points and runs ---- */

typedef struct {
    char key[256];
    char spec[1100];
    int n;
    char **val;
} bat_dim;

static void dim_free(bat_dim *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->val[i]);
    free(d->val);
    d->val = NULL;
    d->n = 0;
}

static bool dim_add(bat_dim *d, const char *v, size_t len)
{
    if (d->n == BAT_MAX_VALUES)
        return false;
    char **nv = realloc(d->val, (size_t)(d->n + 1) * sizeof *nv);
    if (!nv)
        return false;
    d->val = nv;
    char *s = malloc(len + 1);
    if (!s)
        return false;
    memcpy(s, v, len);
    s[len] = '\0';
    d->val[d->n++] = s;
    return true;
}

static bool parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0' && *out == *out;
}

/* Parses "section.key=v1,v2,..." or "section.key=start:stop:step". On
 * failure writes what is wrong to why. */
static bool dim_parse(const char *spec, bat_dim *d, char *why, size_t why_len)
{
    memset(d, 0, sizeof *d);
    snprintf(d->spec, sizeof d->spec, "%s", spec);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        snprintf(why, why_len, "no '=': expected section.key=v1,v2,... or section.key=start:stop:step");
        return false;
    }
    size_t klen = (size_t)(eq - spec);
    if (klen >= sizeof d->key || !memchr(spec, '.', klen)) {
        snprintf(why, why_len, "the key must be section.key (named sections as city.suzhou.key)");
        return false;
    }
    for (size_t i = 0; i < klen; i++) {
        char c = spec[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-')) {
            snprintf(why, why_len, "the key has '%c': expected section.key in letters, digits, '_', '-'", c);
            return false;
        }
        d->key[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    d->key[klen] = '\0';
    const char *v = eq + 1;
    if (!*v) {
        snprintf(why, why_len, "no values after '=': expected v1,v2,... or start:stop:step");
        return false;
    }
    if (strchr(v, ':') && !strchr(v, ',')) {
        const char *c1 = strchr(v, ':'), *c2 = strchr(c1 + 1, ':');
        double a, b, step;
        if (!c2 || strchr(c2 + 1, ':') || !parse_number(v, (size_t)(c1 - v), &a) ||
            !parse_number(c1 + 1, (size_t)(c2 - c1 - 1), &b) || !parse_number(c2 + 1, strlen(c2 + 1), &step)) {
            snprintf(why, why_len, "bad range '%s': expected start:stop:step, three numbers", v);
            return false;
        }
        double count = step != 0 ? (b - a) / step : -1;
        if (step == 0 || count < -1e-9 || count > BAT_MAX_VALUES - 1) {
            snprintf(why, why_len, "bad range '%s': expected a step that goes from start to stop in at most %d values",
                     v, BAT_MAX_VALUES);
            return false;
        }
        int n = (int)(count + 1e-9) + 1;
        for (int i = 0; i < n; i++) {
            char buf[40];
            bat_num(buf, a + i * step);
            if (!dim_add(d, buf, strlen(buf))) {
                snprintf(why, why_len, "out of memory");
                return false;
            }
        }
        return true;
    }
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            snprintf(why, why_len, "an empty value in '%s': expected v1,v2,... with no empty item", v);
            return false;
        }
        if (!dim_add(d, p, len)) {
            snprintf(why, why_len, "more than %d values (or out of memory)", BAT_MAX_VALUES);
            return false;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return true;
}

typedef struct {
    /* inputs */
    const cli_args *a;
    int argc;
    char **argv;
    /* the plan */
    bat_dim dim[BAT_MAX_DIMS];
    int n_dims;
    int n_points, reps, n_runs;
    bat_run *runs;
    char **owned; /* strings the runs point at */
    int n_owned;
    int *point_first;
    /* --ensemble / [sweep] ensemble: the parameter sets (posterior.csv) */
    int ensemble;        /* members per point (0: none; then reps = replications) */
    char posterior[BAT_PATH];
    int n_keys, n_sets;  /* columns after set,weight; parameter sets (rows) */
    char *key[BAT_POSTERIOR_MAX_KEYS];
    int64_t *set_id;
    double *weight;
    int *set_line;       /* line of each set in the file */
    char **assign;       /* [set * n_keys + k]: "section.key=value" */
    bool weighted;       /* weights differ: weighted summaries */
    bool summary_only;   /* [sweep] outputs = summary */
    /* output */
    out_run *out;
    out_csv *runs_csv, *all_csv, *sum_csv, *kpi_csv;
    err_list *errs;
} batch;

static char *own(batch *b, char *s)
{
    if (!s)
        return NULL;
    b->owned[b->n_owned++] = s;
    return s;
}

/* Value of dimension d at point p (0-based). */
static int point_index(const batch *b, int p, int d)
{
    int idx = p;
    for (int k = b->n_dims - 1; k > d; k--)
        idx /= b->dim[k].n;
    return idx % b->dim[d].n;
}

static const char *point_value(const batch *b, int p, int d) { return b->dim[d].val[point_index(b, p, d)]; }

/* ---- assembling the combined files, in run order ---- */

static void write_params(const batch *b, out_csv *c, int point)
{
    for (int d = 0; d < b->n_dims; d++)
        out_csv_str(c, point_value(b, point, d));
}

typedef struct {
    batch *b;
    int run;
    bool header_done;
    char **metric;
    size_t n_metric;
    char seed[32];
} daily_stream;

static bool stream_row(void *vctx, char **field, size_t n, int line)
{
    daily_stream *s = vctx;
    batch *b = s->b;
    if (!s->header_done) {
        s->header_done = true;
        if (n < 3 || strcmp(field[0], "date") != 0 || strcmp(field[1], "city") != 0)
            return false;
        s->metric = calloc(n, sizeof *s->metric);
        if (!s->metric)
            return false;
        for (size_t i = 2; i < n; i++)
            s->metric[s->n_metric++] = dup_s(field[i]);
        return true;
    }
    (void)line;
    if (n != s->n_metric + 2)
        return false;
    const bat_run *r = &b->runs[s->run];
    for (size_t i = 0; i < s->n_metric; i++) {
        out_csv_int(b->all_csv, s->run + 1);
        out_csv_str(b->all_csv, s->seed);
        write_params(b, b->all_csv, r->point - 1);
        out_csv_str(b->all_csv, field[0]);
        out_csv_str(b->all_csv, field[1]);
        out_csv_str(b->all_csv, s->metric[i] ? s->metric[i] : "");
        out_csv_str(b->all_csv, field[i + 2]);
        out_csv_end_row(b->all_csv);
    }
    return !out_failed(b->out);
}

static bool summarize_point(batch *b, const char *dir, int point);

static bool assemble_run(void *vctx, int i)
{
    batch *b = vctx;
    const bat_run *r = &b->runs[i];
    char seed[32], dir[32], path[BAT_PATH];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->seed);
    snprintf(dir, sizeof dir, "run-%04d", i + 1);
    out_csv_int(b->runs_csv, i + 1);
    out_csv_int(b->runs_csv, r->point);
    out_csv_int(b->runs_csv, r->replication);
    out_csv_str(b->runs_csv, seed);
    out_csv_str(b->runs_csv, b->summary_only ? "" : dir); /* outputs = summary: the folder goes */
    if (b->ensemble > 0)
        out_csv_int(b->runs_csv, r->set_id);
    write_params(b, b->runs_csv, r->point - 1);
    out_csv_end_row(b->runs_csv);

    bool ok = true;
    if (!b->summary_only) {
        daily_stream s = {b, i, false, NULL, 0, ""};
        snprintf(s.seed, sizeof s.seed, "%s", seed);
        snprintf(path, sizeof path, "%s/%s/daily.csv", out_temp_dir(b->out), dir);
        ok = bat_csv_rows(path, stream_row, &s, b->errs);
        if (!ok)
            err_add(b->errs, "%s: cannot add it to all_daily.csv: expected date,city,metrics... rows", path);
        for (size_t k = 0; k < s.n_metric; k++)
            free(s.metric[k]);
        free(s.metric);
    }
    if (ok && r->replication == b->reps) {
        ok = summarize_point(b, out_temp_dir(b->out), r->point - 1);
        for (int k = 0; ok && b->summary_only && k < b->reps; k++) {
            snprintf(path, sizeof path, "%s/run-%04d", out_temp_dir(b->out), (r->point - 1) * b->reps + k + 1);
            bat_remove_tree(path);
        }
    }
    return ok && out_flush(b->out);
}

typedef struct {
    double x, w;
} wx;

static int wx_cmp(const void *a, const void *b)
{
    double x = ((const wx *)a)->x, y = ((const wx *)b)->x;
    return (x > y) - (x < y);
}

static double wx_quantile(const wx *v, size_t n, double q)
{
    /* The k-th smallest sits at (weight below it) / (weight below the
     * largest): R's type 7 when every weight is the same. */
    if (n == 1)
        return v[0].x;
    double below_last = 0;
    for (size_t k = 0; k + 1 < n; k++)
        below_last += v[k].w;
    double below = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double u0 = below / below_last, u1 = (below + v[k].w) / below_last;
        if (q <= u1 || k + 2 == n) {
            double t = u1 > u0 ? (q - u0) / (u1 - u0) : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            return v[k].x + t * (v[k + 1].x - v[k].x);
        }
        below += v[k].w;
    }
    return v[n - 1].x;
}

/* Summary of x[0..n) weighted by w (> 0): weighted mean, sd with reliability
 * weights (sum w (x - mean)^2 / (V1 - V2 / V1): the sample sd when weights
 * are equal), quantiles as wx_quantile. tmp holds n pairs. */
static void weighted_summary(const double *x, const double *w, size_t n, wx *tmp, sts_summary *s)
{
    double v1 = 0, v2 = 0, m = 0, ss = 0;
    for (size_t k = 0; k < n; k++) {
        tmp[k] = (wx){x[k], w[k]};
        v1 += w[k];
        v2 += w[k] * w[k];
        m += w[k] * x[k];
    }
    m /= v1;
    for (size_t k = 0; k < n; k++)
        ss += w[k] * (x[k] - m) * (x[k] - m);
    qsort(tmp, n, sizeof *tmp, wx_cmp);
    memset(s, 0, sizeof *s);
    s->n = n;
    s->mean = m;
    s->sd = n > 1 && v1 - v2 / v1 > 0 ? sqrt(ss / (v1 - v2 / v1)) : 0.0;
    s->p05 = wx_quantile(tmp, n, 0.05);
    s->p50 = wx_quantile(tmp, n, 0.50);
    s->p95 = wx_quantile(tmp, n, 0.95);
    s->min = tmp[0].x;
    s->max = tmp[n - 1].x;
}

/* Splits a daily.csv line in place at commas (the files are ours: dates,
 * area keys and numbers, never quoted). Returns the number of fields, or
 * max + 1 when there are more. */
static size_t split_line(char *s, char **field, size_t max)
{
    size_t n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        field[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

/* Writes summary.csv rows of one point from its replications' daily.csv,
 * streaming: every run's file is read a block of rows at a time (reopened
 * at its offset, so any number of runs needs no more than a few open
 * files), the block sized to keep runs x rows x metrics values under
 * BAT_SUMMARY_BYTES. With a weighted ensemble, members count by weight. */
static bool summarize_point(batch *b, const char *dir, int point)
{
    int first = point * b->reps, R = b->reps;
    char path[BAT_PATH];
    long *off = calloc((size_t)R, sizeof *off);
    double *x = malloc((size_t)R * sizeof *x), *w = malloc((size_t)R * sizeof *w);
    wx *tmp = b->weighted ? malloc((size_t)R * sizeof *tmp) : NULL;
    char **names = NULL, *line = NULL, **field = NULL, **date = NULL, **city = NULL;
    double *v = NULL;
    size_t cap = 0, n_val = 0, block = 0;
    bool ok = off && x && w && (tmp || !b->weighted);
    for (int k = 0; ok && k < R; k++)
        w[k] = b->runs[first + k].weight;
    for (bool more = ok; ok && more;) {
        size_t rows0 = 0;
        for (int k = 0; ok && k < R; k++) {
            snprintf(path, sizeof path, "%s/run-%04d/daily.csv", dir, first + k + 1);
            FILE *f = fopen(path, "r");
            if (!f) {
                err_add(b->errs, "%s: cannot read: %s", path, strerror(errno));
                ok = false;
                break;
            }
            ssize_t len;
            if (off[k] == 0) { /* the header: run 1's names the metrics, the others' must match */
                len = getline(&line, &cap, f);
                if (len > 0 && line[len - 1] == '\n')
                    line[--len] = '\0';
                size_t nf = 0;
                if (!names && len <= 0) {
                    err_add(b->errs, "%s: empty file: expected a header 'date,city,...'", path);
                    ok = false;
                } else if (!names) {
                    size_t commas = 0;
                    for (ssize_t c = 0; c < len; c++)
                        commas += line[c] == ',';
                    names = calloc(commas + 1, sizeof *names);
                    field = calloc(commas + 2, sizeof *field);
                    if (names && field) {
                        nf = split_line(line, field, commas + 1);
                        for (size_t c = 2; c < nf; c++)
                            names[c - 2] = dup_s(field[c]);
                        n_val = nf >= 2 ? nf - 2 : 0;
                    }
                    if (nf < 3 || strcmp(field[0], "date") != 0 || strcmp(field[1], "city") != 0) {
                        err_add(b->errs, "%s:1: expected a header 'date,city,...' with at least one value column",
                                path);
                        ok = false;
                    } else {
                        block = BAT_SUMMARY_BYTES / ((size_t)R * n_val * sizeof(double));
                        block = block < 1 ? 1 : block > 65536 ? 65536 : block;
                        v = malloc(block * (size_t)R * n_val * sizeof *v);
                        date = calloc(block, sizeof *date);
                        city = calloc(block, sizeof *city);
                        ok = v && date && city;
                        if (!ok)
                            err_add(b->errs, "%s: out of memory summarising %d runs", path, R);
                    }
                } else if (len < 0 || split_line(line, field, n_val + 2) != n_val + 2) {
                    err_add(b->errs, "%s:1: %s: expected the %zu metrics of run %d", path,
                            len < 0 ? "no header" : "another header", n_val, first + 1);
                    ok = false;
                }
            } else if (fseek(f, off[k], SEEK_SET) != 0) {
                err_add(b->errs, "%s: cannot seek: %s", path, strerror(errno));
                ok = false;
            }
            size_t rows = 0;
            while (ok && rows < block && (len = getline(&line, &cap, f)) >= 0) {
                if (len > 0 && line[len - 1] == '\n')
                    line[--len] = '\0';
                if (split_line(line, field, n_val + 2) != n_val + 2) {
                    err_add(b->errs, "%s: a row without %zu fields: expected date,city and the metrics", path,
                            n_val + 2);
                    ok = false;
                    break;
                }
                double *dst = v + ((size_t)k * block + rows) * n_val;
                for (size_t m = 0; m < n_val; m++) {
                    char *end;
                    dst[m] = strtod(field[m + 2], &end);
                    if (!field[m + 2][0] || *end) {
                        err_add(b->errs, "%s: column '%s' is '%s': expected a number", path, names[m],
                                field[m + 2]);
                        ok = false;
                        break;
                    }
                }
                if (k == 0) {
                    free(date[rows]);
                    free(city[rows]);
                    date[rows] = dup_s(field[0]);
                    city[rows] = dup_s(field[1]);
                    ok = ok && date[rows] && city[rows];
                }
                rows++;
            }
            off[k] = ftell(f);
            if (ferror(f)) {
                err_add(b->errs, "%s: read error", path);
                ok = false;
            }
            fclose(f);
            if (k == 0)
                rows0 = rows;
            else if (ok && rows != rows0) {
                err_add(b->errs, "%s: a different number of rows: expected the rows of run %d", path, first + 1);
                ok = false;
            }
        }
        more = ok && rows0 == block;
        for (size_t row = 0; ok && row < rows0; row++) {
            for (size_t m = 0; m < n_val; m++) {
                for (int k = 0; k < R; k++)
                    x[k] = v[((size_t)k * block + row) * n_val + m];
                sts_summary st;
                if (b->weighted)
                    weighted_summary(x, w, (size_t)R, tmp, &st);
                else
                    sts_summarize(x, (size_t)R, &st);
                char buf[40];
                out_csv_int(b->sum_csv, point + 1);
                write_params(b, b->sum_csv, point);
                out_csv_str(b->sum_csv, date[row]);
                out_csv_str(b->sum_csv, city[row]);
                out_csv_str(b->sum_csv, names[m]);
                out_csv_int(b->sum_csv, R);
                out_csv_str(b->sum_csv, bat_num(buf, st.mean));
                out_csv_str(b->sum_csv, bat_num(buf, st.sd));
                out_csv_str(b->sum_csv, bat_num(buf, st.p05));
                out_csv_str(b->sum_csv, bat_num(buf, st.p50));
                out_csv_str(b->sum_csv, bat_num(buf, st.p95));
                out_csv_end_row(b->sum_csv);
            }
        }
        ok = ok && !out_failed(b->out);
    }
    if (!off || !x || !w || (!tmp && b->weighted))
        err_add(b->errs, "out of memory summarising %d runs", R);
    for (size_t r = 0; r < block && date; r++) {
        free(date[r]);
        free(city[r]);
    }
    for (size_t m = 0; names && m < n_val; m++)
        free(names[m]);
    free(names);
    free(field);
    free(line);
    free(date);
    free(city);
    free(v);
    free(off);
    /* KPI attainment, when the runs wrote kpi.csv. */
    snprintf(path, sizeof path, "%s/run-%04d/kpi.csv", dir, first + 1);
    struct stat st;
    if (ok && stat(path, &st) == 0) {
        static const char *const key_cols[] = {"kpi", "city", "metric", "target"};
        static const char *const req[] = {"attainment_pct", "status"};
        tab_table **kt = calloc((size_t)R, sizeof *kt);
        double *ach = malloc((size_t)R * sizeof *ach);
        ok = kt && ach;
        for (int k = 0; ok && k < R; k++) {
            snprintf(path, sizeof path, "%s/run-%04d/kpi.csv", dir, first + k + 1);
            kt[k] = tab_read(path, req, 1, b->errs);
            ok = kt[k] != NULL;
            if (!ok && k == 0) { /* not the KPI table we summarise: say so, go on without it */
                err_print(b->errs, stderr);
                err_init(b->errs);
                fprintf(stderr, "ecnysim: warning: %s lacks 'attainment_pct' or 'status': kpi_summary.csv skipped\n",
                        path);
                free(kt);
                free(ach);
                free(x);
                free(w);
                free(tmp);
                return !out_failed(b->out);
            }
            if (ok && tab_rows(kt[k]) != tab_rows(kt[0])) {
                err_add(b->errs, "%s: %zu KPI rows: expected %zu as in run %d", path, tab_rows(kt[k]), tab_rows(kt[0]),
                        first + 1);
                ok = false;
            }
        }
        if (ok && !b->kpi_csv) {
            const char *cols[64];
            int n = 0;
            cols[n++] = "point";
            for (int d = 0; d < b->n_dims; d++)
                cols[n++] = b->dim[d].key;
            for (int c = 0; c < 4; c++)
                cols[n++] = key_cols[c];
            const char *tail[] = {"runs", "achieved_mean", "attainment_mean", "attainment_sd", "attainment_p05",
                                  "attainment_p50", "attainment_p95", "p_attained"};
            for (int c = 0; c < 8; c++)
                cols[n++] = tail[c];
            b->kpi_csv = out_csv_open(b->out, "kpi_summary.csv", cols, (size_t)n);
            ok = b->kpi_csv != NULL;
        }
        for (size_t row = 0; ok && row < tab_rows(kt[0]); row++) {
            bool have_ach = true;
            double met = 0, w_all = 0;
            for (int k = 0; ok && k < R; k++) {
                for (int c = 0; c < 3; c++)
                    if (strcmp(tab_get(kt[k], row, key_cols[c]), tab_get(kt[0], row, key_cols[c])) != 0) {
                        err_add(b->errs, "%s:%d: KPI row differs from run %d's: expected the same kpi, city, metric",
                                tab_path(kt[k]), tab_line(kt[k], row), first + 1);
                        ok = false;
                    }
                /* attainment as a fraction of the target; met as the KPI module decided */
                ok = ok && tab_real(kt[k], row, "attainment_pct", -1e300, 1e300, &x[k], b->errs);
                x[k] /= 100.0;
                met += strcmp(tab_get(kt[k], row, "status"), "met") == 0 ? w[k] : 0;
                w_all += w[k];
                char *end;
                const char *a = tab_get(kt[k], row, "achieved");
                ach[k] = strtod(a, &end);
                have_ach = have_ach && *a && !*end;
            }
            if (!ok)
                break;
            /* Unweighted: the share of runs that met it, the plain mean. */
            double p = b->weighted ? met / w_all : met / R, mean_ach = 0;
            for (int k = 0; k < R; k++)
                mean_ach += b->weighted ? ach[k] * w[k] / w_all : ach[k] / R;
            sts_summary s;
            if (b->weighted)
                weighted_summary(x, w, (size_t)R, tmp, &s);
            else
                sts_summarize(x, (size_t)R, &s);
            char buf[40];
            out_csv_int(b->kpi_csv, point + 1);
            write_params(b, b->kpi_csv, point);
            for (int c = 0; c < 4; c++)
                out_csv_str(b->kpi_csv, tab_get(kt[0], row, key_cols[c]));
            out_csv_int(b->kpi_csv, R);
            out_csv_str(b->kpi_csv, have_ach ? bat_num(buf, mean_ach) : "");
            out_csv_str(b->kpi_csv, bat_num(buf, s.mean));
            out_csv_str(b->kpi_csv, bat_num(buf, s.sd));
            out_csv_str(b->kpi_csv, bat_num(buf, s.p05));
            out_csv_str(b->kpi_csv, bat_num(buf, s.p50));
            out_csv_str(b->kpi_csv, bat_num(buf, s.p95));
            out_csv_str(b->kpi_csv, bat_num(buf, p));
            out_csv_end_row(b->kpi_csv);
        }
        for (int k = 0; kt && k < R; k++)
            tab_free(kt[k]);
        free(kt);
        free(ach);
    }
    free(x);
    free(w);
    free(tmp);
    return ok && !out_failed(b->out);
}

/* ---- the parameter ensemble (posterior.csv) ---- */

static char *fmt_alloc(const char *fmt, const char *a, const char *c);

typedef struct {
    char *field[BAT_POSTERIOR_MAX_KEYS + 3];
    size_t n;
    bool too_many, oom;
} line_fields;

static void lf_field(void *v, size_t len, void *data)
{
    line_fields *lf = data;
    if (lf->n == BAT_POSTERIOR_MAX_KEYS + 3) {
        lf->too_many = true;
        return;
    }
    char *c = malloc(len + 1);
    if (!c) {
        lf->oom = true;
        return;
    }
    memcpy(c, v ? v : "", len);
    c[len] = '\0';
    lf->field[lf->n++] = c;
}

static void lf_row(int c, void *data)
{
    (void)c;
    (void)data;
}

static void lf_free(line_fields *lf)
{
    for (size_t i = 0; i < lf->n; i++)
        free(lf->field[i]);
    lf->n = 0;
}

/* Splits one CSV line (quotes allowed within it) into lf; false on bad CSV. */
static bool lf_parse(const char *line, size_t len, line_fields *lf)
{
    struct csv_parser p;
    memset(lf, 0, sizeof *lf);
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    bool ok = csv_parse(&p, line, len, lf_field, lf_row, lf) == len && csv_fini(&p, lf_field, lf_row, lf) == 0;
    csv_free(&p);
    return ok && !lf->oom;
}

static bool posterior_key_ok(const char *k)
{
    const char *dot = strchr(k, '.');
    if (!dot || dot == k || !dot[1])
        return false;
    for (const char *c = k; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '.' || *c == '-'))
            return false;
    return true;
}

/* Reads b->posterior: '#' lines and blank lines are skipped; the header is
 * set,weight,SECTION.KEY,...; each row an integer id, a positive weight and
 * one value per key. Every problem is printed as FILE:LINE: ...; returns an
 * exit status (2 for a bad file). */
static int read_posterior(batch *b)
{
    FILE *f = fopen(b->posterior, "r");
    if (!f) {
        fprintf(stderr, "ecnysim: %s: cannot read the parameter ensemble: %s (expected a CSV "
                        "set,weight,SECTION.KEY,... with one row per parameter set; --posterior FILE)\n",
                b->posterior, strerror(errno));
        return EXIT_BADINPUT;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, bad = 0, cap_sets = 0;
    bool header = false;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        size_t lead = strspn(line, " \t");
        if (line[lead] == '\0' || line[lead] == '#')
            continue;
        line_fields lf;
        if (!lf_parse(line, (size_t)len, &lf) || lf.too_many) {
            fprintf(stderr, "ecnysim: %s:%d: %s: expected comma-separated fields, at most %d keys\n", b->posterior,
                    lineno, lf.too_many ? "too many fields" : "bad CSV", BAT_POSTERIOR_MAX_KEYS);
            lf_free(&lf);
            bad++;
            break;
        }
        if (!header) {
            header = true;
            if (lf.n < 3 || strcmp(lf.field[0], "set") != 0 || strcmp(lf.field[1], "weight") != 0) {
                fprintf(stderr, "ecnysim: %s:%d: bad header: expected set,weight,SECTION.KEY,... (at least one key)\n",
                        b->posterior, lineno);
                bad++;
            }
            for (size_t i = 2; !bad && i < lf.n; i++) {
                if (!posterior_key_ok(lf.field[i])) {
                    fprintf(stderr, "ecnysim: %s:%d: column '%s': expected SECTION.KEY (named sections as "
                                    "city.suzhou.promotion)\n", b->posterior, lineno, lf.field[i]);
                    bad++;
                }
                for (size_t j = 2; j < i; j++)
                    if (strcmp(lf.field[i], lf.field[j]) == 0) {
                        fprintf(stderr, "ecnysim: %s:%d: column '%s' appears twice: expected each key once\n",
                                b->posterior, lineno, lf.field[i]);
                        bad++;
                    }
            }
            if (!bad) {
                b->n_keys = (int)lf.n - 2;
                for (int k = 0; k < b->n_keys; k++) {
                    b->key[k] = lf.field[k + 2];
                    lf.field[k + 2] = NULL;
                }
            }
            for (size_t i = 0; i < lf.n; i++)
                free(lf.field[i]);
            if (bad)
                break;
            continue;
        }
        if (lf.n != (size_t)b->n_keys + 2) {
            fprintf(stderr, "ecnysim: %s:%d: %zu fields: expected %d (set, weight and one value per key)\n",
                    b->posterior, lineno, lf.n, b->n_keys + 2);
            lf_free(&lf);
            bad++;
            continue;
        }
        char *end, *wend;
        errno = 0;
        long long id = strtoll(lf.field[0], &end, 10);
        bool id_bad = !lf.field[0][0] || *end || errno;
        double w = strtod(lf.field[1], &wend);
        if (id_bad) {
            fprintf(stderr, "ecnysim: %s:%d: set '%s': expected a whole number\n", b->posterior, lineno, lf.field[0]);
            bad++;
        }
        if (!lf.field[1][0] || *wend || !(w > 0) || w > 1e300) {
            fprintf(stderr, "ecnysim: %s:%d: weight '%s': expected a positive number\n", b->posterior, lineno,
                    lf.field[1]);
            bad++;
        }
        for (int k = 0; k < b->n_keys; k++)
            if (!lf.field[k + 2][0]) {
                fprintf(stderr, "ecnysim: %s:%d: empty value for '%s': expected a value the scenario accepts\n",
                        b->posterior, lineno, b->key[k]);
                bad++;
            }
        if (!bad) {
            if (b->n_sets == cap_sets) {
                int nc = cap_sets ? cap_sets * 2 : 64;
                int64_t *ids = realloc(b->set_id, (size_t)nc * sizeof *ids);
                if (ids)
                    b->set_id = ids;
                double *ws = ids ? realloc(b->weight, (size_t)nc * sizeof *ws) : NULL;
                if (ws)
                    b->weight = ws;
                int *ls = ws ? realloc(b->set_line, (size_t)nc * sizeof *ls) : NULL;
                if (ls)
                    b->set_line = ls;
                char **as = ls ? realloc(b->assign, (size_t)nc * (size_t)b->n_keys * sizeof *as) : NULL;
                if (!as) {
                    fprintf(stderr, "ecnysim: %s: out of memory\n", b->posterior);
                    lf_free(&lf);
                    free(line);
                    fclose(f);
                    return EXIT_RUNTIME;
                }
                b->assign = as;
                cap_sets = nc;
            }
            int r = b->n_sets;
            b->set_id[r] = id;
            b->weight[r] = w;
            b->set_line[r] = lineno;
            for (int k = 0; k < b->n_keys; k++)
                b->assign[(size_t)r * (size_t)b->n_keys + (size_t)k] =
                    fmt_alloc("%s=%s", b->key[k], lf.field[k + 2]);
            b->n_sets++;
            for (int k = 0; k < b->n_keys; k++)
                if (!b->assign[(size_t)r * (size_t)b->n_keys + (size_t)k]) {
                    fprintf(stderr, "ecnysim: %s: out of memory\n", b->posterior);
                    lf_free(&lf);
                    free(line);
                    fclose(f);
                    return EXIT_RUNTIME;
                }
        }
        lf_free(&lf);
        if (bad >= 20)
            break;
    }
    free(line);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error) {
        fprintf(stderr, "ecnysim: %s: read error\n", b->posterior);
        return EXIT_RUNTIME;
    }
    if (!bad && !header) {
        fprintf(stderr, "ecnysim: %s:%d: no header: expected set,weight,SECTION.KEY,... then one row per "
                        "parameter set\n", b->posterior, lineno);
        bad++;
    } else if (!bad && b->n_sets == 0) {
        fprintf(stderr, "ecnysim: %s:%d: no parameter sets: expected at least one row after the header\n",
                b->posterior, lineno);
        bad++;
    }
    for (int r = 1; !bad && r < b->n_sets; r++)
        b->weighted = b->weighted || b->weight[r] != b->weight[0];
    return bad ? EXIT_BADINPUT : EXIT_OK;
}

static void posterior_free(batch *b)
{
    for (int k = 0; k < b->n_keys; k++)
        free(b->key[k]);
    for (size_t i = 0; b->assign && i < (size_t)b->n_sets * (size_t)b->n_keys; i++)
        free(b->assign[i]);
    free(b->assign);
    free(b->set_id);
    free(b->weight);
    free(b->set_line);
}

/* ---- the plan ---- */

static int add_dim(batch *b, const char *spec, const char *where)
{
    bat_dim d;
    char why[300];
    if (!dim_parse(spec, &d, why, sizeof why)) {
        fprintf(stderr, "ecnysim: %s '%s': %s\n", where, spec, why);
        dim_free(&d);
        return EXIT_BADINPUT;
    }
    for (int k = 0; k < b->n_dims; k++) {
        if (strcmp(b->dim[k].key, d.key) == 0) { /* --vary replaces [sweep]'s */
            dim_free(&b->dim[k]);
            b->dim[k] = d;
            return EXIT_OK;
        }
    }
    if (b->n_dims == BAT_MAX_DIMS) {
        fprintf(stderr, "ecnysim: %s '%s': more than %d swept keys\n", where, spec, BAT_MAX_DIMS);
        dim_free(&d);
        return EXIT_BADINPUT;
    }
    b->dim[b->n_dims++] = d;
    return EXIT_OK;
}

/* Reads the swept keys and replications; *is_batch says whether there is a batch at all. */
static int read_plan(batch *b, const scn_doc *doc, bool *is_batch)
{
    const scn_instance *sw = scn_single(doc, "sweep");
    for (int k = 1; k <= 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "vary%d", k);
        if (!scn_has(sw, key) || !scn_str(sw, key)[0])
            continue;
        char where[600];
        scn_where(doc, sw, key, where, sizeof where);
        char label[700];
        snprintf(label, sizeof label, "%s: [sweep] %s", where, key);
        int st = add_dim(b, scn_str(sw, key), label);
        if (st != EXIT_OK)
            return st;
    }
    bool from_file = b->n_dims > 0;
    for (int k = 0; k < b->a->n_vary; k++) {
        int st = add_dim(b, b->a->vary[k], "--vary");
        if (st != EXIT_OK)
            return st;
    }
    if (b->a->ensemble && b->a->replications) {
        fprintf(stderr, "ecnysim: --ensemble N runs N members, each with its own replication seed: expected "
                        "--ensemble or --replications, not both\n");
        return EXIT_BADINPUT;
    }
    /* --replications overrides the file's ensemble as it does its replications. */
    int64_t ens = b->a->ensemble ? b->a->ensemble : b->a->replications ? 0 : scn_int(sw, "ensemble");
    int64_t reps = ens > 0 ? ens : b->a->replications ? b->a->replications : scn_int(sw, "replications");
    *is_batch = b->a->replications || b->a->n_vary || from_file || reps > 1 || ens > 0;
    b->reps = (int)reps;
    b->ensemble = (int)ens;
    b->summary_only = strcmp(scn_str(sw, "outputs"), "summary") == 0;
    double points = 1;
    for (int d = 0; d < b->n_dims; d++)
        points *= b->dim[d].n;
    if (points * reps > BAT_MAX_RUNS) {
        fprintf(stderr, "ecnysim: the batch has %.0f points x %lld replications: expected at most %d runs\n", points,
                (long long)reps, BAT_MAX_RUNS);
        return EXIT_BADINPUT;
    }
    b->n_points = (int)points;
    b->n_runs = b->n_points * b->reps;
    return EXIT_OK;
}

/* With an ensemble: finds and reads the parameter sets (--posterior, else
 * data_dir/posterior.csv as the scenario locates data_dir). */
static int plan_ensemble(batch *b, const scn_doc *doc)
{
    if (b->ensemble <= 0)
        return EXIT_OK;
    if (b->a->posterior) {
        snprintf(b->posterior, sizeof b->posterior, "%s", b->a->posterior);
    } else {
        char located[BAT_PATH];
        const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                     sizeof located);
        snprintf(b->posterior, sizeof b->posterior, "%s/posterior.csv", dir);
    }
    return read_posterior(b);
}

static char *fmt_alloc(const char *fmt, const char *a, const char *c)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, a, c);
    return s;
}

/* Builds every run's --set list: the command's, the point's, [sweep] cleared, the seed. */
static int build_runs(batch *b, const scn_doc *doc)
{
    const scn_instance *sw = scn_single(doc, "sweep");
    const char *clear[16];
    int n_clear = 0;
    for (int k = 1; k <= 8; k++) {
        static const char *const names[] = {"", "vary1", "vary2", "vary3", "vary4", "vary5", "vary6", "vary7", "vary8"};
        static const char *const sets[] = {"", "sweep.vary1=", "sweep.vary2=", "sweep.vary3=", "sweep.vary4=",
                                           "sweep.vary5=", "sweep.vary6=", "sweep.vary7=", "sweep.vary8="};
        if (scn_has(sw, names[k]) && scn_str(sw, names[k])[0])
            clear[n_clear++] = sets[k];
    }
    if (scn_int(sw, "replications") != 1)
        clear[n_clear++] = "sweep.replications=1";
    if (scn_int(sw, "ensemble") != 0)
        clear[n_clear++] = "sweep.ensemble=0";
    int per_run = b->a->n_sets + b->n_keys + b->n_dims + n_clear + 1;
    b->runs = calloc((size_t)b->n_runs, sizeof *b->runs);
    b->owned = calloc((size_t)b->n_runs * (size_t)(b->n_dims + 1) + 1, sizeof *b->owned);
    const char **sets = calloc((size_t)b->n_runs * (size_t)per_run, sizeof *sets);
    if (!b->runs || !b->owned || !sets) {
        free(sets);
        fprintf(stderr, "ecnysim: out of memory planning %d runs\n", b->n_runs);
        return EXIT_RUNTIME;
    }
    b->owned[b->n_owned++] = (char *)sets;
    uint64_t base = (uint64_t)scn_int(scn_single(doc, "scenario"), "seed");
    for (int p = 0; p < b->n_points; p++) {
        char *point_sets[BAT_MAX_DIMS];
        uint64_t pbase = base;
        for (int d = 0; d < b->n_dims; d++) {
            point_sets[d] = own(b, fmt_alloc("%s=%s", b->dim[d].key, point_value(b, p, d)));
            if (!point_sets[d])
                return EXIT_RUNTIME;
            if (strcmp(b->dim[d].key, "scenario.seed") == 0)
                pbase = strtoull(point_value(b, p, d), NULL, 10);
        }
        for (int r = 1; r <= b->reps; r++) {
            int i = p * b->reps + r - 1;
            bat_run *run = &b->runs[i];
            run->sets = sets + (size_t)i * (size_t)per_run;
            run->point = p + 1;
            run->replication = r;
            run->seed = bat_seed(pbase, r);
            run->weight = 1;
            for (int s = 0; s < b->a->n_sets; s++)
                run->sets[run->n_sets++] = b->a->sets[s];
            if (b->ensemble > 0) { /* member r: parameter set r (cycling), after --set, before the point */
                int row = (r - 1) % b->n_sets;
                run->set_id = b->set_id[row];
                run->weight = b->weight[row];
                for (int k = 0; k < b->n_keys; k++)
                    run->sets[run->n_sets++] = b->assign[(size_t)row * (size_t)b->n_keys + (size_t)k];
            }
            for (int d = 0; d < b->n_dims; d++)
                run->sets[run->n_sets++] = point_sets[d];
            for (int c = 0; c < n_clear; c++)
                run->sets[run->n_sets++] = clear[c];
            char seed[32];
            snprintf(seed, sizeof seed, "%llu", (unsigned long long)run->seed);
            char *s = own(b, fmt_alloc("scenario.seed=%s%s", seed, ""));
            if (!s)
                return EXIT_RUNTIME;
            run->sets[run->n_sets++] = s;
        }
    }
    return EXIT_OK;
}

/* Checks every point's scenario loads (keys exist, values in range) before running anything. */
static int validate_points(batch *b)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return EXIT_RUNTIME;
    int status = EXIT_OK;
    /* Every parameter set in use, on the scenario and the command's --set:
     * a bad value is named by its line in the file. */
    int in_use = b->ensemble > 0 ? (b->n_sets < b->reps ? b->n_sets : b->reps) : 0;
    const char **sets = in_use ? calloc((size_t)(b->a->n_sets + b->n_keys), sizeof *sets) : NULL;
    if (in_use && !sets)
        status = EXIT_RUNTIME;
    for (int k = 0; k < in_use && status == EXIT_OK; k++) {
        int n = 0;
        for (int c = 0; c < b->a->n_sets; c++)
            sets[n++] = b->a->sets[c];
        for (int c = 0; c < b->n_keys; c++)
            sets[n++] = b->assign[(size_t)k * (size_t)b->n_keys + (size_t)c];
        err_init(errs);
        scn_doc *d = scn_load(&ecny_schema, b->a->scenario, sets, n, errs);
        if (!d) {
            err_print(errs, stderr);
            fprintf(stderr, "ecnysim: %s:%d: parameter set %lld is not valid for this scenario (see above)\n",
                    b->posterior, b->set_line[k], (long long)b->set_id[k]);
            status = EXIT_BADINPUT;
        }
        scn_free(d);
    }
    free(sets);
    for (int p = 0; p < b->n_points && status == EXIT_OK; p++) {
        err_init(errs);
        const bat_run *r = &b->runs[p * b->reps];
        scn_doc *d = scn_load(&ecny_schema, b->a->scenario, r->sets, r->n_sets, errs);
        if (!d) {
            err_print(errs, stderr);
            fprintf(stderr, "ecnysim: point %d of the sweep is not a valid scenario (see above)\n", p + 1);
            status = EXIT_BADINPUT;
        }
        scn_free(d);
    }

    free(errs);
    return status;
}

/* Refuses, before anything runs, a batch whose memory would pass
 * memory_limit_gib: --jobs runs at once, each as large as the first run's
 * world (wld_bytes, built here and freed), plus the summary's block of values
 * (at least one row of every replication: R x 64 metrics x 8 bytes). The
 * data loaded here is handed to the forked runs (cli_preload_data). */
static int check_memory(batch *b, int jobs)
{
    err_list *errs = malloc(sizeof *errs);
    dat_set *data = malloc(sizeof *data);
    if (!errs || !data) {
        free(errs);
        free(data);
        return EXIT_RUNTIME;
    }
    err_init(errs);
    int status = EXIT_OK;
    scn_doc *doc = scn_load(&ecny_schema, b->a->scenario, b->runs[0].sets, b->runs[0].n_sets, errs);
    wld_world *w = NULL;
    if (doc && scn_int(scn_single(doc, "peer"), "residents") == 0) { /* the peer model sizes itself */
        char located[BAT_PATH];
        const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                     sizeof located);
        if (dat_load(dir, data, errs)) {
            cli_preload_data(dir, data); /* loaded once here, copied by every forked run */
            w = wld_create(doc, data, errs);
        }
        if (!w) { /* the run itself reports why, the same way */
            scn_free(doc);
            free(data);
            free(errs);
            return EXIT_OK;
        }
        double limit = scn_real(scn_single(doc, "scenario"), "memory_limit_gib") * 1073741824.0;
        int at_once = jobs < b->n_runs ? jobs : b->n_runs;
        double run_bytes = (double)wld_bytes(w), sum_bytes = (double)b->reps * 64 * sizeof(double);
        if (sum_bytes < (double)BAT_SUMMARY_BYTES)
            sum_bytes = (double)BAT_SUMMARY_BYTES;
        double need = at_once * run_bytes + sum_bytes;
        if (need > limit) {
            fprintf(stderr,
                    "ecnysim: %d runs, %d at a time, need about %.2f GiB (%d x %.2f GiB per run + %.2f GiB for "
                    "the summary of %d replications): over memory_limit_gib = %g: expected fewer --jobs or "
                    "replications, a larger 'scale', or a larger memory_limit_gib in [scenario]\n",
                    b->n_runs, at_once, need / 1073741824.0, at_once, run_bytes / 1073741824.0,
                    sum_bytes / 1073741824.0, b->reps, limit / 1073741824.0);
            status = EXIT_BADINPUT;
        }
    }
    wld_free(w);
    scn_free(doc);
    free(data);
    free(errs);
    return status;
}

static void batch_free(batch *b)
{
    for (int d = 0; d < b->n_dims; d++)
        dim_free(&b->dim[d]);
    for (int i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b->runs);
    free(b->errs);
    posterior_free(b);
}

static void write_batch_manifest(FILE *m, const batch *b, const scn_doc *doc, int jobs, const char *status,
                                 int n_done)
{
    fprintf(m, "; manifest.ini: how this batch was made. Reproduce it by running 'command' from 'cwd',\n"
               "; or check it with 'ecnysim rerun DIR' (re-runs it into a temporary folder and compares\n"
               "; every file byte for byte). Each run-XXXX/manifest.ini gives that run's own command.\n"
               "; Seeds: replication 1 runs the base seed, replication r > 1 runs rng_mix(base, r) >> 2\n"
               "; (sim/rng.h); every point uses the same seeds. Files: docs/research.md.\n");
    fprintf(m, "\n[batch]\nstatus = %s\nversion = %s\n", status, ECNYSIM_VERSION);
    cli_write_command(m, b->argc, b->argv);
    fprintf(m, "scenario_file = %s\nscenario_hash = %016llx\nbase_seed = %lld\n", scn_path(doc),
            (unsigned long long)scn_hash(doc), (long long)scn_int(scn_single(doc, "scenario"), "seed"));
    fprintf(m, "points = %d\nreplications = %d\nruns = %d\nruns_done = %d\njobs = %d\n", b->n_points, b->reps,
            b->n_runs, n_done, jobs);
    for (int d = 0; d < b->n_dims; d++)
        fprintf(m, "vary%d = \"%s\"\n", d + 1, b->dim[d].spec);
    if (b->ensemble > 0)
        fprintf(m, "ensemble = %d\nposterior = %s\nparameter_sets = %d\nweighted = %s\n", b->ensemble,
                b->posterior, b->n_sets, b->weighted ? "true" : "false");
    scn_write_resolved(doc, m);
}

/* What rank 0 of a batch under mpirun tells the others before anything runs
 * (dst_bcast_int): GO, then the folder paths; ALONE: rank 0 goes on alone
 * (a single run, or the scenario's errors); > 0: the batch failed with that
 * exit status (rank 0 said why). */
enum { PLAN_GO = 0, PLAN_ALONE = -1 };

static void tell_ranks(bool dist, int plan)
{
    if (dist && !dst_bcast_int(&plan))
        dst_abort(EXIT_RUNTIME);
}

/* cli_batch, or rank 0 of bat_cli_ranks (dist). */
static int batch_main(const cli_args *a, int argc, char **argv, bool dist)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs) {
        fprintf(stderr, "ecnysim: out of memory\n");
        tell_ranks(dist, EXIT_RUNTIME);
        return EXIT_RUNTIME;
    }
    err_init(errs);
    scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
    free(errs);
    if (!doc) { /* cli_run reports the errors, the same ones */
        tell_ranks(dist, PLAN_ALONE);
        return cli_run(a, argc, argv, NULL);
    }
    batch b;
    memset(&b, 0, sizeof b);
    b.a = a;
    b.argc = argc;
    b.argv = argv;
    bool is_batch = false;
    int status = read_plan(&b, doc, &is_batch);
    if (status == EXIT_OK && !is_batch) {
        tell_ranks(dist, PLAN_ALONE);
        batch_free(&b);
        scn_free(doc);
        return cli_run(a, argc, argv, NULL);
    }
    int jobs = a->jobs ? a->jobs : 1;
    if (status == EXIT_OK)
        status = plan_ensemble(&b, doc);
    if (status == EXIT_OK)
        status = build_runs(&b, doc);
    if (status == EXIT_OK)
        status = validate_points(&b);
    if (status == EXIT_OK)
        status = check_memory(&b, jobs);
    b.errs = malloc(sizeof *b.errs);
    if (status == EXIT_OK && !b.errs)
        status = EXIT_RUNTIME;
    if (status != EXIT_OK) {
        tell_ranks(dist, status);
        batch_free(&b);
        scn_free(doc);
        return status;
    }
    err_init(b.errs);
    char root[BAT_PATH], name[1024];
    cli_results_location(doc, a, root, sizeof root, name, sizeof name);
    b.out = out_begin(root, name, b.errs);
    if (b.out) {
        const char *cols[64];
        int n = 0;
        const char *head[] = {"run", "point", "replication", "seed", "dir"};
        for (int c = 0; c < 5; c++)
            cols[n++] = head[c];
        if (b.ensemble > 0)
            cols[n++] = "set";
        for (int d = 0; d < b.n_dims; d++)
            cols[n++] = b.dim[d].key;
        b.runs_csv = out_csv_open(b.out, "runs.csv", cols, (size_t)n);
        n = 0;
        cols[n++] = "run";
        cols[n++] = "seed";
        for (int d = 0; d < b.n_dims; d++)
            cols[n++] = b.dim[d].key;
        const char *tail[] = {"date", "city", "metric", "value"};
        for (int c = 0; c < 4; c++)
            cols[n++] = tail[c];
        b.all_csv = b.summary_only ? NULL : out_csv_open(b.out, "all_daily.csv", cols, (size_t)n);
        n = 0;
        cols[n++] = "point";
        for (int d = 0; d < b.n_dims; d++)
            cols[n++] = b.dim[d].key;
        const char *stail[] = {"date", "city", "metric", "runs", "mean", "sd", "p05", "p50", "p95"};
        for (int c = 0; c < 9; c++)
            cols[n++] = stail[c];
        b.sum_csv = out_csv_open(b.out, "summary.csv", cols, (size_t)n);
    }
    if (!b.out || !b.runs_csv || (!b.all_csv && !b.summary_only) || !b.sum_csv) {
        if (b.out)
            err_add(b.errs, "%s", out_error(b.out));
        err_print(b.errs, stderr);
        out_abort(b.out);
        tell_ranks(dist, EXIT_RUNTIME);
        batch_free(&b);
        scn_free(doc);
        return EXIT_RUNTIME;
    }
    /* Under mpirun: every rank writes its runs into this temporary folder
     * (a shared file system across machines), named absolutely. */
    char dirs[2][BAT_PATH];
    memset(dirs, 0, sizeof dirs);
    if (!realpath(out_temp_dir(b.out), dirs[0]))
        snprintf(dirs[0], sizeof dirs[0], "%s", out_temp_dir(b.out));
    snprintf(dirs[1], sizeof dirs[1], "%s", out_final_dir(b.out));
    tell_ranks(dist, PLAN_GO);
    if (dist && !dst_bcast_bytes(dirs, sizeof dirs))
        dst_abort(EXIT_RUNTIME);
    prog_bar bar;
    prog_begin(&bar, stderr, a->quiet, b.n_runs);
    char argv0[BAT_PATH];
    snprintf(argv0, sizeof argv0, "%s", argv[0]);
    bat_exec x = {a->scenario, argv0, out_temp_dir(b.out), out_final_dir(b.out), jobs, &bar, 0, b.n_runs,
                  assemble_run, &b};
    int n_done = 0;
    bool interrupted = false;
    status = execute(&x, 0, dist ? dst_size() : 1, b.runs, b.n_runs, &n_done, &interrupted);
    prog_update(&bar, (double)n_done / b.n_runs, PROG_NO_DAY, 0, 0, n_done, true);
    prog_end(&bar);
    if (status == EXIT_OK || interrupted) {
        FILE *m = out_text_open(b.out, "manifest.ini");
        if (m)
            write_batch_manifest(m, &b, doc, jobs, interrupted ? "interrupted" : "complete", n_done);
        if (!out_commit(b.out, b.errs)) {
            status = EXIT_RUNTIME;
        } else if (interrupted) {
            fprintf(stderr, "ecnysim: interrupted after %d of %d runs; results so far in %s/%s (status=interrupted)\n",
                    n_done, b.n_runs, root, name);
        } else if (!a->quiet) {
            char over[48] = "";
            if (dist)
                snprintf(over, sizeof over, " on each of %d ranks", dst_size());
            fprintf(stderr, "ecnysim: %d runs (%d points x %d replications, %d jobs%s): results in %s/%s\n",
                    b.n_runs, b.n_points, b.reps, jobs, over, root, name);
        }
    } else {
        if (out_failed(b.out))
            err_add(b.errs, "%s", out_error(b.out));
        out_abort(b.out);
    }
    err_print(b.errs, stderr);
    batch_free(&b);
    scn_free(doc);
    return status;
}

int cli_batch(const cli_args *a, int argc, char **argv) { return batch_main(a, argc, argv, false); }

/* A rank > 0 of bat_cli_ranks: the same plan as rank 0's, its share of the runs. */
static int batch_worker(const cli_args *a, char **argv)
{
    int plan = PLAN_GO;
    if (!dst_bcast_int(&plan))
        dst_abort(EXIT_RUNTIME);
    if (plan != PLAN_GO)
        return EXIT_OK; /* rank 0 reports, and gives the exit status */
    char dirs[2][BAT_PATH];
    if (!dst_bcast_bytes(dirs, sizeof dirs))
        dst_abort(EXIT_RUNTIME);
    dirs[0][BAT_PATH - 1] = dirs[1][BAT_PATH - 1] = '\0';
    /* Rank 0 loaded, planned and checked the same inputs: this can fail
     * only for want of memory, and then says so to rank 0. */
    err_list *errs = malloc(sizeof *errs);
    scn_doc *doc = NULL;
    if (errs) {
        err_init(errs);
        doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
        if (!doc)
            err_print(errs, stderr);
        free(errs);
    }
    batch b;
    memset(&b, 0, sizeof b);
    b.a = a;
    bool is_batch = false;
    int status = doc ? read_plan(&b, doc, &is_batch) : EXIT_RUNTIME;
    if (status == EXIT_OK && !is_batch)
        status = EXIT_RUNTIME;
    if (status == EXIT_OK)
        status = plan_ensemble(&b, doc);
    if (status == EXIT_OK)
        status = build_runs(&b, doc);
    if (status != EXIT_OK) {
        fprintf(stderr, "ecnysim: rank %d could not plan the batch\n", dst_rank());
        send_msg(0, MSG_FAIL, -1, status);
    }
    char argv0[BAT_PATH];
    snprintf(argv0, sizeof argv0, "%s", argv[0]);
    bat_exec x = {a->scenario, argv0, dirs[0], dirs[1], a->jobs ? a->jobs : 1, NULL, 0, b.n_runs, NULL, NULL};
    int n_done = 0;
    bool interrupted = false;
    execute(&x, dst_rank(), dst_size(), b.runs, status == EXIT_OK ? b.n_runs : 0, &n_done, &interrupted);
    batch_free(&b);
    scn_free(doc);
    /* EXIT_OK whatever the batch did: rank 0 gives its status, and a rank
     * exiting non-zero first would make mpirun end rank 0 mid-cleanup. */
    return EXIT_OK;
}

int bat_cli_ranks(const cli_args *a, int argc, char **argv)
{
    if (dst_size() <= 1)
        return cli_batch(a, argc, argv);
    return dst_rank() == 0 ? batch_main(a, argc, argv, true) : batch_worker(a, argv);
}
