/* progress.c: the progress bar; see progress.h.
 *
 * Invariant: nothing is written unless the stream is a terminal and the bar
 * was not silenced, so redirected stderr and every output file stay clean.
 * Cost: one clock read per update; at most 4 redraws a second.
 */
#include "sim/progress.h"

#include <assert.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/calendar.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void prog_begin(prog_bar *p, FILE *to, bool quiet, int runs_total)
{
    assert(p && to);
    memset(p, 0, sizeof *p);
    p->to = to;
    p->on = !quiet && isatty(fileno(to));
    p->runs_total = runs_total > 0 ? runs_total : 1;
    p->began_s = now_s();
}

static void format_duration(char *buf, size_t len, double s)
{
    if (s < 90)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 5400)
        snprintf(buf, len, "%.0fmin", s / 60);
    else
        snprintf(buf, len, "%.1fh", s / 3600);
}

void prog_format(char *buf, size_t len, double fraction, int32_t day, int32_t day_index, int32_t days, int runs_done,
                 int runs_total, double elapsed_s)
{
    enum { WIDTH = 30 };
    if (fraction < 0 || fraction != fraction)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int filled = (int)(fraction * WIDTH);
    assert(filled >= 0 && filled <= WIDTH);
    char date[CAL_DATE_LEN + 2] = "", dayc[48] = "", runs[48] = "", left[32] = "--";
    if (day != PROG_NO_DAY) {
        cal_format(day, date);
        strcat(date, " ");
    }
    if (days > 0)
        snprintf(dayc, sizeof dayc, " day %d/%d", day_index, days);
    if (runs_total > 1)
        snprintf(runs, sizeof runs, " run %d/%d done", runs_done, runs_total);
    if (fraction > 0)
        format_duration(left, sizeof left, elapsed_s * (1 - fraction) / fraction);
    snprintf(buf, len, "[%.*s%*s] %3.0f%% %s%s%s  %s left ", filled, "##############################",
             WIDTH - filled, "", fraction * 100, date, dayc, runs, left);
}

void prog_update(prog_bar *p, double fraction, int32_t day, int32_t day_index, int32_t days, int runs_done,
                 bool force)
{
    if (!p || !p->on)
        return;
    double t = now_s();
    if (!force && p->drawn && t - p->last_s < 0.25)
        return;
    p->last_s = t;
    char line[256];
    prog_format(line, sizeof line, fraction, day, day_index, days, runs_done, p->runs_total, t - p->began_s);
    fprintf(p->to, "\r%s", line);
    fflush(p->to);
    p->drawn = true;
}

void prog_end(prog_bar *p)
{
    if (!p || !p->on || !p->drawn)
        return;
    fputc('\n', p->to);
    fflush(p->to);
    p->drawn = false;
}
