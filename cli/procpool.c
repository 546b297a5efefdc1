/* procpool.c: the batch's process pool: runs a batch's runs in child
 * processes, at most --jobs at a time, and tells the batch (bat_exec.on_done)
 * in run order as soon as a prefix of runs is complete.
 *
 * Each child (fork) runs one run through cli_run into work_dir/run-XXXX,
 * exactly as a single run would be, and reports its days through a pipe for
 * the progress bar; the parent polls the pipe and reaps children with
 * waitpid. SIGINT/SIGTERM stop the pool: running children are killed, the
 * completed prefix stays handed over and *interrupted is set. Under mpirun a
 * rank runs runs i with i % ranks == rank and tells rank 0 by message
 * (bat_send_msg); rank 0 alone assembles and decides when to stop.
 * Cost: one fork per run; the parent holds three words per run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/batch.h"
#include "sim/dist.h"
#include "sim/engine.h"

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


void bat_send_msg(int to, int kind, int run, int code)
{
    int m[3] = {kind, run, code};
    if (!dst_send_ints(to, m, 3))
        dst_abort(EXIT_RUNTIME); /* a rank left waiting would hang the batch */
}

/* bat_execute, or this rank's share of a batch spread over ranks (ranks > 1):
 * runs i with i % ranks == rank, x->jobs at a time. Rank 0 learns of the
 * others' runs by message, assembles (on_done) and decides when to stop; the
 * others have no bar and no on_done. */
int bat_execute_ranks(const bat_exec *x, int rank, int ranks, const bat_run *runs, int n_runs, int *n_done,
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
                    bat_send_msg(0, MSG_DONE, next, EXIT_RUNTIME);
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
            bat_send_msg(0, MSG_INTR, -1, 0);
            intr_sent = true;
        }
        if (dist && !worker && stopping && told < (kill_now ? 2 : 1)) {
            for (int r = 1; r < ranks; r++)
                bat_send_msg(r, MSG_STOP, -1, kill_now);
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
                    bat_send_msg(0, MSG_DONE, i, code);
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
            bat_send_msg(0, MSG_IDLE, -1, 0);
            idle_sent = true;
        }
        if (worker && ended)
            break;
        if (dist && !worker && here_done && idle == ranks - 1) {
            if (bat_stop && status == EXIT_OK)
                status = EXIT_RUNTIME;
            for (int r = 1; r < ranks; r++)
                bat_send_msg(r, MSG_END, -1, status);
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
    return bat_execute_ranks(x, 0, 1, runs, n_runs, n_done, interrupted);
}
