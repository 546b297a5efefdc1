/* viz_frame.c: one whole frame: header, panels, footer, help overlay (see
 * viz_draw.h), and the small formatting helpers of viz_int.h.
 *
 * Invariant: drawing reads the series and the state only. Cost: dominated
 * by the charts, O(cities x days), and about a hundred text renders.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/calendar.h"
#include "viz/viz_int.h"

void viz_state_init(viz_state *st)
{
    memset(st, 0, sizeof *st);
    st->day_index = -1;
    st->first_day = 0;
    st->last_day = -1;
    st->metric = VIZ_METRIC_ADOPTION;
    st->selected = -1;
    st->speed_days_s = 8;
    st->text_scale = 1;
    st->title = "";
    st->mode = "";
}

double viz_nice(double v)
{
    if (!(v > 0))
        return 1;
    double p = pow(10, floor(log10(v)));
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (v <= steps[i] * p * (1 + 1e-9))
            return steps[i] * p;
    return 10 * p;
}

void viz_fmt_count(double v, char *out, size_t len)
{
    double a = fabs(v);
    if (a >= 1e12)
        snprintf(out, len, "%.3gT", v / 1e12);
    else if (a >= 1e9)
        snprintf(out, len, "%.3gB", v / 1e9);
    else if (a >= 1e6)
        snprintf(out, len, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(out, len, "%.3gK", v / 1e3);
    else
        snprintf(out, len, "%.0f", v);
}

void viz_fmt_pct(double share, char *out, size_t len)
{
    double p = share * 100;
    if (p == 0)
        snprintf(out, len, "0%%");
    else if (fabs(p) >= 10)
        snprintf(out, len, "%.0f%%", p);
    else
        snprintf(out, len, "%.2g%%", p);
}

void viz_panel(const viz_ctx *c, SDL_Rect rc, const char *title)
{
    viz_gfx_rect(c->r, rc, VIZ_PANEL);
    viz_gfx_frame(c->r, rc, VIZ_BORDER);
    if (title) {
        int pad = (int)(10 * c->L.scale);
        SDL_Rect clip = {rc.x, rc.y, rc.w - pad, rc.h};
        SDL_RenderSetClipRect(c->r, &clip);
        viz_text_draw(c->r, c->t, VIZ_BOLD, rc.x + pad, rc.y + (int)(7 * c->L.scale), VIZ_LEFT, VIZ_INK, title);
        SDL_RenderSetClipRect(c->r, NULL);
    }
}

static void long_date(int32_t day, char *out, size_t len)
{
    static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, d;
    cal_ymd(day, &y, &m, &d);
    snprintf(out, len, "%s %d %s %d", wd[cal_weekday(day)], d, mon[m - 1], y);
}

static void header(const viz_ctx *c)
{
    SDL_Rect h = c->L.header;
    double s = c->L.scale;
    int pad = (int)(16 * s);
    viz_gfx_rect(c->r, h, VIZ_HEADER);
    viz_gfx_rect(c->r, (SDL_Rect){h.x, h.y + h.h - (int)(3 * s), h.w, (int)(3 * s)}, VIZ_ACCENT);
    SDL_Color white = {255, 255, 255, 255}, soft = {170, 180, 200, 255};
    int bh = viz_text_height(c->t, VIZ_HEAD), sh = viz_text_height(c->t, VIZ_SMALL);
    int y0 = h.y + (h.h - bh - sh) / 2;
    viz_text_draw(c->r, c->t, VIZ_HEAD, h.x + pad, y0, VIZ_LEFT, white, "e-CNY pilot simulation");
    char sub[160];
    int n = viz_series_cities(c->s);
    snprintf(sub, sizeof sub, "scenario %s · %d %s", c->st->title && c->st->title[0] ? c->st->title : "-", n,
             n == 1 ? "city" : "cities");
    viz_text_draw(c->r, c->t, VIZ_SMALL, h.x + pad, y0 + bh, VIZ_LEFT, soft, sub);
    /* Date in the centre. */
    char date[48], day[64];
    if (c->d >= 0) {
        int32_t today = viz_series_day(c->s, c->d);
        long_date(today, date, sizeof date);
        snprintf(day, sizeof day, "day %d of %d", today - c->first_day + 1, c->last_day - c->first_day + 1);
    } else {
        snprintf(date, sizeof date, "starting");
        day[0] = '\0';
    }
    int gh = viz_text_height(c->t, VIZ_BIG);
    int yd = h.y + (h.h - gh - sh) / 2;
    viz_text_draw(c->r, c->t, VIZ_BIG, h.x + h.w / 2, yd, VIZ_CENTER, white, date);
    viz_text_draw(c->r, c->t, VIZ_SMALL, h.x + h.w / 2, yd + gh - (int)(2 * s), VIZ_CENTER, soft, day);
    /* Mode pill and speed on the right. */
    const char *mode = c->st->mode && c->st->mode[0] ? c->st->mode : "VIEW";
    char pill[64], speed[64];
    snprintf(pill, sizeof pill, "%s%s", mode, c->st->interactive && c->st->paused ? " · PAUSED" : "");
    int pw = viz_text_width(c->t, VIZ_BOLD, pill) + (int)(20 * s), ph = viz_text_height(c->t, VIZ_BOLD) + (int)(6 * s);
    SDL_Rect pr = {h.x + h.w - pad - pw, y0, pw, ph};
    SDL_Color pc = c->st->paused ? (SDL_Color){226, 150, 30, 255} : VIZ_ACCENT;
    viz_gfx_rect(c->r, pr, pc);
    viz_text_draw(c->r, c->t, VIZ_BOLD, pr.x + pw / 2, pr.y + (int)(3 * s), VIZ_CENTER, white, pill);
    if (c->st->interactive) {
        if (c->st->achieved_days_s > 0 && !c->st->paused)
            snprintf(speed, sizeof speed, "%.3g days/s (set %g)", c->st->achieved_days_s, c->st->speed_days_s);
        else
            snprintf(speed, sizeof speed, "set %g days/s", c->st->speed_days_s);
        viz_text_draw(c->r, c->t, VIZ_SMALL, pr.x - (int)(10 * s), pr.y + (ph - sh) / 2, VIZ_RIGHT, soft, speed);
    }
}

/* Headline tiles: the all-city figures of the cursor day, large. */
static void tiles(const viz_ctx *c)
{
    SDL_Rect rc = c->L.tiles;
    double s = c->L.scale;
    const int n = 5;
    int gap = (int)(8 * s), w = (rc.w - (n - 1) * gap) / n, pad = (int)(8 * s);
    char value[n][48], sub[n][64];
    const char *label[5] = {"Residents with a wallet", "Active users", "e-CNY payments today", "e-CNY value today",
                            "KPIs"};
    for (int k = 0; k < n; k++) {
        snprintf(value[k], sizeof value[k], "-");
        sub[k][0] = '\0';
    }
    if (c->d >= 0) {
        char a[32];
        viz_fmt_count((double)viz_series_holders(c->s, c->d, -1), value[0], sizeof value[0]);
        viz_fmt_pct(viz_metric_value(c->s, VIZ_METRIC_ADOPTION, c->d, -1), a, sizeof a);
        snprintf(sub[0], sizeof sub[0], "%s of residents", a);
        viz_fmt_count((double)viz_series_total(c->s, c->d, VIZ_COL_ACTIVE), value[1], sizeof value[1]);
        viz_fmt_pct(viz_metric_value(c->s, VIZ_METRIC_ACTIVE, c->d, -1), a, sizeof a);
        snprintf(sub[1], sizeof sub[1], "%s of wallet holders", a);
        viz_fmt_count((double)viz_series_total(c->s, c->d, VIZ_COL_PAY_ECNY), value[2], sizeof value[2]);
        viz_fmt_pct(viz_metric_value(c->s, VIZ_METRIC_ECNY_SHARE, c->d, -1), a, sizeof a);
        snprintf(sub[2], sizeof sub[2], "%s of all payments", a);
        viz_fmt_count((double)viz_series_total(c->s, c->d, VIZ_COL_VALUE_ECNY_FEN) / 100, a, sizeof a);
        snprintf(value[3], sizeof value[3], "¥%s", a);
        snprintf(sub[3], sizeof sub[3], "yuan paid in e-CNY");
        int nk = viz_series_kpis(c->s, c->d), on_track = 0;
        for (int k = 0; k < nk; k++)
            on_track += viz_kpi_status(c->s, c->d, k) >= VIZ_KPI_ON_TRACK;
        if (nk) {
            snprintf(value[4], sizeof value[4], "%d of %d", on_track, nk);
            snprintf(sub[4], sizeof sub[4], "met or on track");
        } else {
            snprintf(value[4], sizeof value[4], "none");
            snprintf(sub[4], sizeof sub[4], "no KPI in the scenario");
        }
    }
    for (int k = 0; k < n; k++) {
        SDL_Rect t = {rc.x + k * (w + gap), rc.y, w, rc.h};
        viz_gfx_rect(c->r, t, VIZ_PANEL);
        viz_gfx_frame(c->r, t, VIZ_BORDER);
        viz_gfx_rect(c->r, (SDL_Rect){t.x, t.y, (int)fmax(3, 3 * s), t.h}, k == 4 ? VIZ_RURAL : VIZ_ACCENT);
        SDL_RenderSetClipRect(c->r, &t);
        int y = t.y + (t.h - viz_text_height(c->t, VIZ_SMALL) - viz_text_height(c->t, VIZ_HEAD)) / 2;
        viz_text_draw(c->r, c->t, VIZ_SMALL, t.x + pad + (int)(3 * s), y, VIZ_LEFT, VIZ_MUTED, label[k]);
        y += viz_text_height(c->t, VIZ_SMALL);
        int vw = viz_text_draw(c->r, c->t, VIZ_HEAD, t.x + pad + (int)(3 * s), y, VIZ_LEFT, VIZ_INK, value[k]);
        if (vw + viz_text_width(c->t, VIZ_SMALL, sub[k]) + 3 * pad < t.w)
            viz_text_draw(c->r, c->t, VIZ_SMALL, t.x + 2 * pad + (int)(3 * s) + vw,
                          y + viz_text_height(c->t, VIZ_HEAD) - viz_text_height(c->t, VIZ_SMALL) - (int)(2 * s),
                          VIZ_LEFT, VIZ_MUTED, sub[k]);
        SDL_RenderSetClipRect(c->r, NULL);
    }
}

static void short_date(int32_t day, char *out, size_t len)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, d;
    cal_ymd(day, &y, &m, &d);
    snprintf(out, len, "%d %s %d", d, mon[m - 1], y);
}

/* The story: on the left a callout naming the latest event at or before
 * the cursor; on the right the whole run as a scrubber with every event as
 * a tick (passed ones dark), their names where they fit, and the cursor. */
static void timeline(const viz_ctx *c)
{
    SDL_Rect t = c->L.timeline, sc = viz_layout_scrubber(&c->L);
    double s = c->L.scale;
    viz_gfx_rect(c->r, t, VIZ_PANEL);
    viz_gfx_frame(c->r, t, VIZ_BORDER);
    int fh = viz_text_height(c->t, VIZ_SMALL), bh = viz_text_height(c->t, VIZ_BOLD), pad = (int)(10 * s);
    int32_t today = c->d >= 0 ? viz_series_day(c->s, c->d) : c->first_day - 1;
    int latest = -1, n = viz_series_markers(c->s);
    for (int k = 0; k < n; k++)
        if (viz_series_marker(c->s, k)->day <= today)
            latest = k;
    SDL_Rect call = {t.x, t.y, sc.x - t.x - pad, t.h};
    SDL_RenderSetClipRect(c->r, &call);
    int y = t.y + (t.h - fh - bh) / 2;
    char when[64];
    if (latest >= 0) {
        const viz_marker *m = viz_series_marker(c->s, latest);
        short_date(m->day, when, sizeof when);
        char head[96];
        snprintf(head, sizeof head, "Latest event · %s", when);
        viz_text_draw(c->r, c->t, VIZ_SMALL, t.x + pad, y, VIZ_LEFT, VIZ_MUTED, head);
        viz_text_draw(c->r, c->t, VIZ_BOLD, t.x + pad, y + fh, VIZ_LEFT, VIZ_MARKER, m->label);
    } else {
        viz_text_draw(c->r, c->t, VIZ_SMALL, t.x + pad, y, VIZ_LEFT, VIZ_MUTED,
                      n ? "Programme events" : "No programme events");
        if (n) {
            short_date(viz_series_marker(c->s, 0)->day, when, sizeof when);
            char first[96];
            snprintf(first, sizeof first, "first on %s", when);
            viz_text_draw(c->r, c->t, VIZ_BOLD, t.x + pad, y + fh, VIZ_LEFT, VIZ_INK, first);
        }
    }
    SDL_RenderSetClipRect(c->r, &t);
    double span = c->last_day > c->first_day ? c->last_day - c->first_day : 1;
    int ay = sc.y + sc.h - fh - (int)(8 * s);
    viz_gfx_rect(c->r, (SDL_Rect){sc.x, ay - (int)(1 * s), sc.w, (int)fmax(2, 3 * s)}, VIZ_BORDER);
    if (c->d >= 0) { /* the part already played */
        int x = sc.x + (int)lround((today - c->first_day) / span * sc.w);
        viz_gfx_rect(c->r, (SDL_Rect){sc.x, ay - (int)(1 * s), x - sc.x, (int)fmax(2, 3 * s)}, VIZ_ACCENT);
    }
    int y0, m0, d0, y1, m1, d1;
    cal_ymd(c->first_day, &y0, &m0, &d0);
    cal_ymd(c->last_day, &y1, &m1, &d1);
    for (int year = y0; year <= y1 + 1; year++) { /* years under the axis */
        int32_t day = cal_day_from_ymd(year, 1, 1);
        if (day < c->first_day || day > c->last_day)
            continue;
        int x = sc.x + (int)lround((day - c->first_day) / span * sc.w);
        viz_gfx_rect(c->r, (SDL_Rect){x, ay - (int)(4 * s), 1, (int)(8 * s)}, VIZ_MUTED);
        char yl[16];
        snprintf(yl, sizeof yl, "%d", year);
        viz_text_draw(c->r, c->t, VIZ_SMALL, x + (int)(3 * s), ay + (int)(3 * s), VIZ_LEFT, VIZ_MUTED, yl);
    }
    int label_end = sc.x - 1000;
    for (int k = 0; k < n; k++) {
        const viz_marker *m = viz_series_marker(c->s, k);
        if (m->day < c->first_day || m->day > c->last_day)
            continue;
        int x = sc.x + (int)lround((m->day - c->first_day) / span * sc.w);
        SDL_Color col = m->day <= today ? VIZ_MARKER : VIZ_BORDER;
        viz_gfx_triangle(c->r, x, ay - 9 * s, 8 * s, col);
        int lw = viz_text_width(c->t, VIZ_SMALL, m->label);
        int ly = sc.y + (int)(3 * s);
        if (x > label_end && x + lw < sc.x + sc.w) {
            viz_text_draw(c->r, c->t, VIZ_SMALL, x - (int)(3 * s), ly, VIZ_LEFT,
                          m->day <= today ? VIZ_MARKER : VIZ_MUTED, m->label);
            label_end = x + lw + (int)(8 * s);
        }
    }
    if (c->d >= 0) {
        int x = sc.x + (int)lround((today - c->first_day) / span * sc.w);
        viz_gfx_disc(c->r, x, ay + 0.5, 6 * s, VIZ_ACCENT);
        viz_gfx_ring(c->r, x, ay + 0.5, 6 * s, 1.5 * s, (SDL_Color){255, 255, 255, 255});
    }
    SDL_RenderSetClipRect(c->r, NULL);
}

int32_t viz_timeline_day_at(viz_text *t, const viz_series *s, const viz_state *st, int w, int h, int x, int y)
{
    viz_ctx c;
    viz_ctx_make(&c, NULL, t, s, st, w, h);
    SDL_Rect sc = viz_layout_scrubber(&c.L);
    SDL_Point p = {x, y};
    if (!SDL_PointInRect(&p, &sc))
        return -1;
    return c.first_day + (int32_t)lround((double)(x - sc.x) / sc.w * (c.last_day - c.first_day));
}

static void footer(const viz_ctx *c)
{
    SDL_Rect f = c->L.footer;
    double s = c->L.scale;
    int pad = (int)(16 * s), y = f.y + (f.h - viz_text_height(c->t, VIZ_SMALL)) / 2;
    const char *hint = c->st->interactive
                           ? "space pause · ← → step · +/− speed · tab metric · f full screen · [ ] text · s save · h help · q quit"
                           : "Simulated with ecnysim · agent-based model of retail e-CNY pilots";
    viz_text_draw(c->r, c->t, VIZ_SMALL, f.x + pad, y, VIZ_LEFT, VIZ_MUTED, hint);
    if (c->st->note && c->st->note[0])
        viz_text_draw(c->r, c->t, VIZ_SMALL, f.x + f.w - pad, y, VIZ_RIGHT, VIZ_INK, c->st->note);
}

static void help(const viz_ctx *c, int w, int h)
{
    static const char *const lines[][2] = {
        {"space", "pause / resume"},      {"← →", "one day back / forward (pauses)"},
        {"Home End", "first / last day (after a live run ends too)"},
        {"+ / −", "faster / slower (simulated days per second)"},
        {"tab", "next map colour metric"}, {"click", "a city: details; click again or elsewhere: close"},
        {"f", "full screen on / off"},    {"[ ]", "smaller / larger text"},
        {"PgUp PgDn", "previous / next page of gauges"},
        {"s", "save this frame as PNG"},  {"h", "this help"},
        {"q / Esc", "quit"},
    };
    int n = (int)(sizeof lines / sizeof lines[0]);
    double s = c->L.scale;
    int lh = viz_text_height(c->t, VIZ_BODY) + (int)(6 * s), pad = (int)(20 * s);
    int bw = (int)(520 * s), bh = 2 * pad + viz_text_height(c->t, VIZ_HEAD) + (int)(8 * s) + n * lh;
    viz_gfx_rect(c->r, (SDL_Rect){0, 0, w, h}, (SDL_Color){15, 20, 30, 150});
    SDL_Rect box = {(w - bw) / 2, (h - bh) / 2, bw, bh};
    viz_gfx_rect(c->r, box, VIZ_PANEL);
    viz_gfx_frame(c->r, box, VIZ_INK);
    int y = box.y + pad;
    viz_text_draw(c->r, c->t, VIZ_HEAD, box.x + pad, y, VIZ_LEFT, VIZ_INK, "Controls");
    y += viz_text_height(c->t, VIZ_HEAD) + (int)(8 * s);
    for (int i = 0; i < n; i++, y += lh) {
        viz_text_draw(c->r, c->t, VIZ_BOLD, box.x + pad, y, VIZ_LEFT, VIZ_ACCENT, lines[i][0]);
        viz_text_draw(c->r, c->t, VIZ_BODY, box.x + pad + (int)(110 * s), y, VIZ_LEFT, VIZ_INK, lines[i][1]);
    }
}

void viz_ctx_make(viz_ctx *c, SDL_Renderer *r, viz_text *t, const viz_series *s, const viz_state *st, int w,
                     int h)
{
    c->r = r;
    c->t = t;
    c->s = s;
    c->st = st;
    viz_layout_compute_text(w, h, viz_series_cities(s), st->text_scale, &c->L);
    if (t)
        viz_text_scale(t, c->L.text);
    int n = viz_series_days(s);
    c->d = st->day_index < n ? st->day_index : n - 1;
    if (st->last_day >= st->first_day) {
        c->first_day = st->first_day;
        c->last_day = st->last_day;
    } else {
        c->first_day = n ? viz_series_day(s, 0) : 0;
        c->last_day = n ? viz_series_day(s, n - 1) : 1;
    }
    if (c->last_day <= c->first_day)
        c->last_day = c->first_day + 1;
}

void viz_draw(SDL_Renderer *r, viz_text *t, const viz_series *s, const viz_state *st, int w, int h)
{
    viz_ctx c;
    viz_ctx_make(&c, r, t, s, st, w, h);
    SDL_RenderSetClipRect(r, NULL);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, VIZ_BG.r, VIZ_BG.g, VIZ_BG.b, 255);
    SDL_RenderClear(r);
    header(&c);
    tiles(&c);
    viz_map_draw(&c);
    viz_legend_draw(&c);
    for (int i = 0; i < VIZ_CHARTS; i++)
        viz_chart_draw(&c, i);
    viz_gauges_draw(&c);
    timeline(&c);
    viz_detail_draw(&c);
    footer(&c);
    if (st->help)
        help(&c, w, h);
}

int viz_hit_city(viz_text *t, const viz_series *s, const viz_state *st, int w, int h, int x, int y)
{
    viz_ctx c;
    viz_ctx_make(&c, NULL, t, s, st, w, h);
    if (c.d < 0)
        return -1;
    SDL_Rect plot = viz_layout_map_plot(&c.L);
    viz_proj p;
    viz_proj_fit(s, plot, c.L.scale, &p);
    viz_label labels[VIZ_MAX_CITIES];
    viz_map_place_labels(&c, &p, labels);
    int best = -1;
    double best_d = 1e300;
    for (int i = 0; i < viz_series_cities(s); i++) {
        const viz_city *city = viz_series_city(s, i);
        double cx, cy, ring, r = viz_map_radius(s, c.d, i, p.radius_max, &ring);
        viz_proj_apply(&p, city->lat, city->lon, &cx, &cy);
        double reach = fmax(fmax(r, ring), 12 * c.L.scale);
        double dist = hypot(x - cx, y - cy);
        SDL_Point pt = {x, y};
        if (SDL_PointInRect(&pt, &labels[i].box))
            return i;
        if (dist <= reach && dist < best_d) {
            best = i;
            best_d = dist;
        }
    }
    return best;
}
