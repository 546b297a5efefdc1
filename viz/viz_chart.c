/* viz_chart.c: the time-series charts (wallets, active wallets, e-CNY
 * payments and value per day, e-CNY share of payments).
 *
 * One line per city in its categorical colour, drawn up to the cursor day;
 * the x axis spans the whole run (so a live run fills it from the left),
 * the y axis is 0 to a round number above the largest value up to the
 * cursor (the same picture for a date live, in replay and in snapshots);
 * daily flows are 7-day means.
 * Programme markers are dashed verticals with a label; the cursor is a red
 * vertical. Lines are decimated to one point per pixel column.
 * Cost: O(cities x days) per chart.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/calendar.h"
#include "viz/viz_int.h"

typedef struct {
    const char *title;
    viz_col col;   /* VIZ_COL_COUNT: the e-CNY share metric */
    double divide; /* fen to yuan */
    const char *prefix;
    bool smooth; /* a daily flow: drawn as its mean over the last 7 days */
} chart_spec;

static const chart_spec charts[VIZ_CHARTS] = {
    {"Wallets opened", VIZ_COL_WALLETS, 1, "", false},
    {"Active users (paid lately)", VIZ_COL_ACTIVE, 1, "", false},
    {"e-CNY payments per day", VIZ_COL_PAY_ECNY, 1, "", true},
    {"e-CNY value per day", VIZ_COL_VALUE_ECNY_FEN, 100, "¥", true},
    {"e-CNY share of payments", VIZ_COL_COUNT, 1, "", true},
};

static double raw_value(const viz_series *s, const chart_spec *cs, int d, int city)
{
    if (cs->col == VIZ_COL_COUNT)
        return viz_metric_value(s, VIZ_METRIC_ECNY_SHARE, d, city);
    return (double)(city < 0 ? viz_series_total(s, d, cs->col) : viz_series_get(s, d, city, cs->col)) / cs->divide;
}

/* The plotted value: the day's, or for daily flows the mean of the last 7
 * days (fewer at the start), which takes out the weekly sawtooth. */
static double value(const viz_series *s, const chart_spec *cs, int d, int city)
{
    if (!cs->smooth)
        return raw_value(s, cs, d, city);
    double sum = 0;
    int n = 0;
    for (int k = d; k >= 0 && k > d - 7; k--, n++)
        sum += raw_value(s, cs, k, city);
    return sum / n;
}

static double xof(const viz_ctx *c, SDL_Rect plot, int32_t day)
{
    double span = c->last_day > c->first_day ? c->last_day - c->first_day : 1;
    return plot.x + (day - c->first_day) / span * (plot.w - 1);
}

static void x_ticks(const viz_ctx *c, SDL_Rect plot)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y0, m0, d0, y1, m1, d1;
    cal_ymd(c->first_day, &y0, &m0, &d0);
    cal_ymd(c->last_day, &y1, &m1, &d1);
    int months = (y1 - y0) * 12 + (m1 - m0) + 1;
    int label_w = viz_text_width(c->t, VIZ_SMALL, "May 20") + (int)(8 * c->L.scale);
    int max_labels = plot.w / (label_w > 0 ? label_w : 1);
    int every = 1;
    while (months / every > (max_labels > 1 ? max_labels : 1))
        every = every == 1 ? 2 : every == 2 ? 3 : every == 3 ? 6 : every + 6;
    for (int k = 0; k <= months; k++) {
        int y = y0 + (m0 - 1 + k) / 12, m = (m0 - 1 + k) % 12 + 1;
        int32_t day = cal_day_from_ymd(y, m, 1);
        if (day < c->first_day || day > c->last_day || (m - 1) % every != 0)
            continue;
        int x = (int)xof(c, plot, day);
        SDL_SetRenderDrawColor(c->r, VIZ_BORDER.r, VIZ_BORDER.g, VIZ_BORDER.b, 255);
        SDL_RenderDrawLine(c->r, x, plot.y + plot.h, x, plot.y + plot.h + 3);
        char buf[16];
        if (m == 1 || months > 12)
            snprintf(buf, sizeof buf, "%s %02d", mon[m - 1], y % 100);
        else
            snprintf(buf, sizeof buf, "%s", mon[m - 1]);
        viz_text_draw(c->r, c->t, VIZ_SMALL, x, plot.y + plot.h + 4, VIZ_CENTER, VIZ_MUTED, buf);
    }
}

void viz_chart_draw(const viz_ctx *c, int i)
{
    const chart_spec *cs = &charts[i];
    const viz_series *s = c->s;
    int n = viz_series_cities(s);
    double s_ = c->L.scale;
    char title[128], v[48];
    if (c->d >= 0) {
        double total = raw_value(s, cs, c->d, -1);
        if (cs->col == VIZ_COL_COUNT)
            viz_fmt_pct(total, v, sizeof v);
        else
            viz_fmt_count(total, v, sizeof v);
        snprintf(title, sizeof title, "%s · %s%s%s", cs->title, cs->prefix, v, n > 1 ? " all cities" : "");
    } else {
        snprintf(title, sizeof title, "%s", cs->title);
    }
    viz_panel(c, c->L.chart[i], title);
    SDL_Rect plot = viz_layout_chart_plot(&c->L, i);
    /* The y axis: from the days up to the cursor only, so a date looks the
     * same live, in replay and in a snapshot. */
    double top = 0;
    for (int d = 0; d <= c->d; d++)
        for (int k = 0; k < n; k++)
            top = fmax(top, value(s, cs, d, k));
    if (top > 0) { /* four round ticks: step 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k */
        static const double steps[] = {1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
        double want = top * 1.02 / 4, p = pow(10, floor(log10(want))), step = 10 * p;
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
            if (want <= steps[k] * p * (1 + 1e-9)) {
                step = steps[k] * p;
                break;
            }
        top = 4 * step;
    } else {
        top = 1;
    }
    bool have_data = top > 0 && c->d >= 0 && n > 0;
    if (!have_data || top == 1) {
        double any = 0;
        for (int d = 0; d <= c->d; d++)
            for (int k = 0; k < n; k++)
                any = fmax(any, value(s, cs, d, k));
        have_data = any > 0;
    }
    /* Grid and y labels. */
    int fh = viz_text_height(c->t, VIZ_SMALL);
    for (int k = 0; k <= 4; k++) {
        int y = plot.y + plot.h - (int)lround((double)plot.h * k / 4);
        SDL_Color g = k == 0 ? VIZ_MUTED : VIZ_GRID;
        SDL_SetRenderDrawColor(c->r, g.r, g.g, g.b, 255);
        SDL_RenderDrawLine(c->r, plot.x, y, plot.x + plot.w - 1, y);
        char buf[48], lab[56];
        if (cs->col == VIZ_COL_COUNT)
            viz_fmt_pct(top * k / 4, buf, sizeof buf);
        else
            viz_fmt_count(top * k / 4, buf, sizeof buf);
        snprintf(lab, sizeof lab, "%s%s", k ? cs->prefix : "", buf);
        if (k > 0 && !have_data)
            continue; /* an empty chart has no scale: only its 0 */
        viz_text_draw(c->r, c->t, VIZ_SMALL, plot.x - (int)(6 * s_), y - fh / 2, VIZ_RIGHT, VIZ_MUTED, lab);
    }
    x_ticks(c, plot);
    if (cs->smooth)
        viz_text_draw(c->r, c->t, VIZ_SMALL, plot.x + (int)(4 * s_), plot.y + (int)(2 * s_), VIZ_LEFT, VIZ_MUTED,
                      "7-day mean");
    /* Programme events: dashed verticals, named on the story timeline. */
    for (int k = 0; k < viz_series_markers(s); k++) {
        const viz_marker *m = viz_series_marker(s, k);
        if (m->day < c->first_day || m->day > c->last_day)
            continue;
        int x = (int)xof(c, plot, m->day);
        viz_gfx_dashed_vline(c->r, x, plot.y, plot.y + plot.h, (SDL_Color){70, 90, 160, 150});
        viz_gfx_triangle(c->r, x, plot.y, 6 * s_, (SDL_Color){70, 90, 160, 255});
    }
    if (c->d < 0)
        return;
    /* The cursor, when the axis runs past it. */
    int32_t today = viz_series_day(s, c->d);
    if (today < c->last_day) {
        int x = (int)xof(c, plot, today);
        SDL_SetRenderDrawColor(c->r, VIZ_ACCENT.r, VIZ_ACCENT.g, VIZ_ACCENT.b, 120);
        SDL_RenderDrawLine(c->r, x, plot.y, x, plot.y + plot.h);
    }
    SDL_Rect clip = {plot.x - 2, plot.y - 2, plot.w + 4, plot.h + 4};
    SDL_RenderSetClipRect(c->r, &clip);
    for (int k = 0; k < n; k++) {
        SDL_Color col = viz_pal_city(k);
        double px = 0, py = 0;
        bool have = false;
        for (int d = 0; d <= c->d; d++) {
            double x = xof(c, plot, viz_series_day(s, d));
            double y = plot.y + plot.h - value(s, cs, d, k) / top * plot.h;
            if (have && x - px < 1 && d < c->d)
                continue;
            if (have)
                viz_gfx_line(c->r, px, py, x, y, 2.2 * s_, col);
            else if (c->d == 0)
                viz_gfx_disc(c->r, x, y, 2 * s_, col);
            px = x;
            py = y;
            have = true;
        }
    }
    SDL_RenderSetClipRect(c->r, NULL);
}
