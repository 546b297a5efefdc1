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

static void footer(const viz_ctx *c)
{
    SDL_Rect f = c->L.footer;
    double s = c->L.scale;
    int pad = (int)(16 * s), y = f.y + (f.h - viz_text_height(c->t, VIZ_SMALL)) / 2;
    const char *hint = c->st->interactive
                           ? "space pause · → step · +/− speed · tab metric · click a city · s save PNG · h help · q quit"
                           : "Simulated with ecnysim · agent-based model of retail e-CNY pilots";
    viz_text_draw(c->r, c->t, VIZ_SMALL, f.x + pad, y, VIZ_LEFT, VIZ_MUTED, hint);
    if (c->st->note && c->st->note[0])
        viz_text_draw(c->r, c->t, VIZ_SMALL, f.x + f.w - pad, y, VIZ_RIGHT, VIZ_INK, c->st->note);
}

static void help(const viz_ctx *c, int w, int h)
{
    static const char *const lines[][2] = {
        {"space", "pause / resume"},      {"→", "step one day (while paused)"},
        {"+ / −", "faster / slower (simulated days per second)"},
        {"tab", "next map colour metric"}, {"click", "a city: details; click again or elsewhere: close"},
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
    viz_layout_compute(w, h, viz_series_cities(s), &c->L);
    if (t)
        viz_text_scale(t, c->L.scale);
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
    viz_map_draw(&c);
    viz_legend_draw(&c);
    for (int i = 0; i < VIZ_CHARTS; i++)
        viz_chart_draw(&c, i);
    viz_gauges_draw(&c);
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
