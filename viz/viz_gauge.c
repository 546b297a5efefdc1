/* viz_gauge.c: KPI gauges and the gauge panel.
 *
 * A gauge takes (label, target, achieved): its bar fills min(achieved /
 * target, 1) of the track (proportionally, to the pixel) and the text gives
 * the attainment. The panel shows the KPI rows of the cursor day when the
 * series has any (a kpi table): each with its unit, a pace mark, status,
 * projected date and deadline, coloured by status; else one adoption gauge
 * per city (target = population, achieved = residents with a wallet).
 * Gauges that do not fit are paged (PgUp/PgDn). Cost: O(gauges).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/calendar.h"

#include "viz/viz_int.h"

SDL_Rect viz_gauge_track(SDL_Rect rc, double scale)
{
    int h = (int)lround(9 * scale);
    if (h < 4)
        h = 4;
    return (SDL_Rect){rc.x, rc.y + rc.h - h, rc.w, h};
}

SDL_Color viz_gauge_color(double a)
{
    if (a >= 1)
        return (SDL_Color){46, 140, 80, 255};
    if (a >= 0.6)
        return (SDL_Color){226, 150, 30, 255};
    return (SDL_Color){204, 60, 50, 255};
}

void viz_gauge_draw(SDL_Renderer *r, viz_text *t, SDL_Rect rc, double scale, const char *label,
                    const char *detail, double target, double achieved, SDL_Color fill)
{
    SDL_Rect track = viz_gauge_track(rc, scale);
    int ty = track.y - viz_text_height(t, VIZ_SMALL) - (int)lround(2 * scale);
    /* The detail keeps its place; the label is cut short before it. */
    int dw = detail ? viz_text_width(t, VIZ_SMALL, detail) : 0;
    if (detail)
        viz_text_draw(r, t, VIZ_SMALL, rc.x + rc.w, ty, VIZ_RIGHT, VIZ_MUTED, detail);
    SDL_Rect old_clip, clip = {rc.x, ty, rc.w - dw - (int)lround(8 * scale), rc.h};
    bool clipped = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old_clip);
    if (clip.w > 0) {
        SDL_RenderSetClipRect(r, &clip);
        viz_text_draw(r, t, VIZ_SMALL, rc.x, ty, VIZ_LEFT, VIZ_INK, label);
        SDL_RenderSetClipRect(r, clipped ? &old_clip : NULL);
    }
    viz_gfx_rect(r, track, (SDL_Color){229, 231, 235, 255});
    double a = target > 0 ? achieved / target : 0;
    if (a < 0)
        a = 0;
    int w = (int)lround(track.w * fmin(a, 1));
    if (w > 0)
        viz_gfx_rect(r, (SDL_Rect){track.x, track.y, w, track.h}, fill);
    /* Target mark at the track's end. */
    int mark = (int)lround(2 * scale);
    viz_gfx_rect(r, (SDL_Rect){track.x + track.w - mark, track.y - mark, mark, track.h + 2 * mark}, VIZ_INK);
}

static void long_day(int32_t day, char *out, size_t len)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, dd;
    cal_ymd(day, &y, &m, &dd);
    snprintf(out, len, "%d %s %d", dd, mon[m - 1], y);
}

static SDL_Color state_colour(viz_kpi_state st)
{
    return st >= VIZ_KPI_ON_TRACK ? viz_gauge_color(1) : st == VIZ_KPI_AT_RISK ? viz_gauge_color(0.7)
                                                                               : viz_gauge_color(0);
}

int viz_gauges_per_page(const viz_ctx *c, bool kpi, SDL_Rect *area, int *row_h, int *cols)
{
    double s = c->L.scale;
    int pad = (int)(12 * s), top = viz_text_height(c->t, VIZ_BOLD) + (int)(14 * s);
    /* The bottom line is kept for the page indicator. */
    *area = (SDL_Rect){c->L.gauges.x + pad, c->L.gauges.y + top, c->L.gauges.w - 2 * pad,
                       c->L.gauges.h - top - pad / 2 - viz_text_height(c->t, VIZ_SMALL)};
    int fh = viz_text_height(c->t, VIZ_SMALL);
    *row_h = kpi ? 2 * fh + (int)(22 * s) : fh + (int)(18 * s);
    int rows = area->h / *row_h;
    rows = rows < 1 ? 1 : rows;
    *cols = kpi ? 1 : 2;
    return rows * *cols;
}

/* One KPI: "name · city" and "achieved of target unit · pct", the bar with
 * the pace mark (where a straight line from start to deadline stands
 * today), then the status, projected date and deadline. */
static void kpi_gauge(const viz_ctx *c, SDL_Rect rc, int k)
{
    double s = c->L.scale;
    const viz_kpi *kp = viz_series_kpi(c->s, c->d, k);
    const viz_kpi_info *info = viz_series_kpi_info(c->s, kp->label);
    viz_kpi_state st = viz_kpi_status(c->s, c->d, k);
    char label[160], detail[128], pct[32], a[32], b[32], line[200], dl[32], pj[32];
    double att = kp->target > 0 ? kp->achieved / kp->target : 0;
    viz_fmt_pct(att, pct, sizeof pct);
    viz_fmt_count(kp->achieved, a, sizeof a);
    viz_fmt_count(kp->target, b, sizeof b);
    int city = info ? viz_series_find_city(c->s, info->city) : -1;
    snprintf(label, sizeof label, "%s%s%s", kp->label, city >= 0 ? " · " : "",
             city >= 0 ? viz_series_city(c->s, city)->display : "");
    for (char *p = label; *p; p++)
        if (*p == '_')
            *p = ' ';
    snprintf(detail, sizeof detail, "%s of %s %s · %s", a, b, info ? info->unit : "", pct);
    int fh = viz_text_height(c->t, VIZ_SMALL);
    SDL_Rect top = {rc.x, rc.y, rc.w, rc.h - fh - (int)(4 * s)};
    viz_gauge_draw(c->r, c->t, top, s, label, detail, kp->target, kp->achieved, state_colour(st));
    SDL_Rect track = viz_gauge_track(top, s);
    if (info && kp->target > 0) {
        double pace = viz_kpi_pace(info, viz_series_day(c->s, c->d)) / kp->target;
        int x = track.x + (int)lround(track.w * fmin(fmax(pace, 0), 1));
        viz_gfx_rect(c->r, (SDL_Rect){x - (int)fmax(1, s), track.y - (int)(4 * s), (int)fmax(2, 2 * s),
                                      track.h + (int)(8 * s)},
                     (SDL_Color){40, 90, 200, 255});
    }
    int32_t projected = viz_kpi_projected(c->s, c->d, k);
    if (st == VIZ_KPI_MET)
        snprintf(pj, sizeof pj, "reached");
    else if (projected >= 0)
        long_day(projected, pj, sizeof pj);
    else
        snprintf(pj, sizeof pj, "not at this trend");
    if (info)
        long_day(info->deadline, dl, sizeof dl);
    else
        snprintf(dl, sizeof dl, "-");
    snprintf(line, sizeof line, "%s%s · deadline %s", st == VIZ_KPI_MET ? "" : "projected ", pj, dl);
    int y = track.y + track.h + (int)(3 * s);
    int w = viz_text_draw(c->r, c->t, VIZ_BOLD, rc.x, y - (int)(1 * s), VIZ_LEFT, state_colour(st),
                          viz_kpi_state_name(st));
    viz_text_draw(c->r, c->t, VIZ_SMALL, rc.x + w + (int)(8 * s), y, VIZ_LEFT, VIZ_MUTED, line);
}

void viz_gauges_draw(const viz_ctx *c)
{
    int nk = viz_series_kpis(c->s, c->d);
    int n = nk ? nk : viz_series_cities(c->s);
    viz_panel(c, c->L.gauges, nk ? "KPIs · blue mark = pace to the deadline"
                                  : "Adoption by city · residents with a wallet");
    if (c->d < 0)
        return;
    double s = c->L.scale;
    int pad = (int)(12 * s), row_h, cols;
    SDL_Rect area;
    int per_page = viz_gauges_per_page(c, nk > 0, &area, &row_h, &cols);
    if (cols == 2 && n <= per_page / 2) { /* one column when they fit */
        cols = 1;
        per_page /= 2;
    }
    int rows = per_page / cols, pages = (n + per_page - 1) / per_page;
    int page = c->st->gauge_page % (pages > 0 ? pages : 1);
    int col_w = (area.w - (cols - 1) * pad) / cols;
    for (int slot = 0; slot < per_page; slot++) {
        int k = page * per_page + slot;
        if (k >= n)
            break;
        SDL_Rect rc = {area.x + (slot / rows) * (col_w + pad), area.y + (slot % rows) * row_h, col_w,
                       row_h - (int)(8 * s)};
        if (nk) {
            kpi_gauge(c, rc, k);
        } else {
            char detail[96], pct[32], a[32], b[32];
            double pop = (double)viz_series_get(c->s, c->d, k, VIZ_COL_POPULATION);
            double w = (double)viz_series_holders(c->s, c->d, k);
            viz_fmt_pct(pop > 0 ? w / pop : 0, pct, sizeof pct);
            viz_fmt_count(w, a, sizeof a);
            viz_fmt_count(pop, b, sizeof b);
            snprintf(detail, sizeof detail, "%s of %s · %s", a, b, pct);
            const char *name = viz_series_city(c->s, k)->display;
            if (viz_text_width(c->t, VIZ_SMALL, name) + viz_text_width(c->t, VIZ_SMALL, detail) + pad > rc.w)
                snprintf(detail, sizeof detail, "%s", pct); /* the name first, then the share alone */
            viz_gauge_draw(c->r, c->t, rc, s, name, detail, pop, w, viz_pal_city(k));
        }
    }
    if (pages > 1) {
        char more[64];
        snprintf(more, sizeof more, "page %d of %d%s", page + 1, pages, c->st->interactive ? " · PgDn" : "");
        SDL_Rect g = c->L.gauges;
        viz_text_draw(c->r, c->t, VIZ_SMALL, g.x + g.w - pad, g.y + g.h - viz_text_height(c->t, VIZ_SMALL) - pad / 3,
                      VIZ_RIGHT, VIZ_MUTED, more);
    }
}
