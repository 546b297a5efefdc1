/* viz_gauge.c: KPI gauges and the gauge panel.
 *
 * A gauge takes (label, target, achieved): its bar fills min(achieved /
 * target, 1) of the track (proportionally, to the pixel) and the text gives
 * the attainment. The panel shows the KPI rows of the cursor day when the
 * series has any (a kpi table), else one adoption gauge per city with
 * target = population and achieved = wallets, so the fill is the adoption
 * share. Cost: O(gauges).
 */
#include <math.h>
#include <stdio.h>

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

void viz_gauges_draw(const viz_ctx *c)
{
    int nk = viz_series_kpis(c->s, c->d);
    int n = nk ? nk : viz_series_cities(c->s);
    viz_panel(c, c->L.gauges, nk ? "KPI attainment" : "Adoption by city · residents with a wallet");
    if (c->d < 0)
        return;
    double s = c->L.scale;
    int pad = (int)(12 * s), top = (int)(32 * s);
    SDL_Rect area = {c->L.gauges.x + pad, c->L.gauges.y + top, c->L.gauges.w - 2 * pad,
                     c->L.gauges.h - top - pad / 2};
    int row_h = viz_text_height(c->t, VIZ_SMALL) + (int)(18 * s);
    int rows = area.h / row_h, cols = 1;
    if (n > rows && rows > 0)
        cols = 2;
    int shown = rows * cols < n ? rows * cols : n;
    int col_w = (area.w - (cols - 1) * pad) / cols;
    for (int k = 0; k < shown; k++) {
        SDL_Rect rc = {area.x + (k / rows) * (col_w + pad), area.y + (k % rows) * row_h, col_w,
                       row_h - (int)(8 * s)};
        char detail[96], pct[32], a[32], b[32];
        if (nk) {
            const viz_kpi *kp = viz_series_kpi(c->s, c->d, k);
            double att = kp->target > 0 ? kp->achieved / kp->target : 0;
            viz_fmt_pct(att, pct, sizeof pct);
            viz_fmt_count(kp->achieved, a, sizeof a);
            viz_fmt_count(kp->target, b, sizeof b);
            snprintf(detail, sizeof detail, "%s of %s · %s", a, b, pct);
            viz_gauge_draw(c->r, c->t, rc, s, kp->label, detail, kp->target, kp->achieved, viz_gauge_color(att));
        } else {
            double pop = (double)viz_series_get(c->s, c->d, k, VIZ_COL_POPULATION);
            double w = (double)viz_series_holders(c->s, c->d, k);
            viz_fmt_pct(pop > 0 ? w / pop : 0, pct, sizeof pct);
            viz_fmt_count(w, a, sizeof a);
            viz_fmt_count(pop, b, sizeof b);
            snprintf(detail, sizeof detail, "%s of %s · %s", a, b, pct);
            viz_gauge_draw(c->r, c->t, rc, s, viz_series_city(c->s, k)->display, detail, pop, w, viz_pal_city(k));
        }
    }
    if (shown < n) {
        char more[32];
        snprintf(more, sizeof more, "+%d more", n - shown);
        viz_text_draw(c->r, c->t, VIZ_SMALL, area.x + area.w, c->L.gauges.y + (int)(8 * s), VIZ_RIGHT, VIZ_MUTED,
                      more);
    }
}
