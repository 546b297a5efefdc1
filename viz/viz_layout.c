/* viz_layout.c: frame geometry and the map projection (see viz_layout.h).
 *
 * Invariant: every rectangle lies inside the window and has a positive size
 * for windows down to 480x320 (smaller windows clamp the scale at 0.6).
 */
#include "viz/viz_layout.h"

#include <math.h>

static int iround(double v)
{
    return (int)lround(v);
}

void viz_layout_compute(int w, int h, int n_cities, viz_layout *L)
{
    viz_layout_compute_text(w, h, n_cities, 1, L);
}

void viz_layout_compute_text(int w, int h, int n_cities, double text_scale, viz_layout *L)
{
    double s = fmin(w / 1280.0, h / 720.0);
    s = s < 0.6 ? 0.6 : s > 3 ? 3 : s;
    double ts = text_scale < 0.5 ? 0.5 : text_scale > 2 ? 2 : text_scale;
    L->scale = s;
    L->text = s * ts;
    double grow = ts > 1 ? ts : 1; /* bands holding text grow with it */
    int pad = iround(10 * s), head = iround(58 * s * grow), foot = iround(28 * s * grow);
    int story = iround(46 * s * grow);
    L->header = (SDL_Rect){0, 0, w, head};
    L->footer = (SDL_Rect){0, h - foot, w, foot};
    L->timeline = (SDL_Rect){pad, h - foot - story, w - 2 * pad, story};
    int top = head + pad, bottom = h - foot - story - pad, body_h = bottom - top;
    int left_w = iround((w - 3 * pad) * 0.38);
    /* The legend: the colour ramp and symbols, then every city in columns
     * of about 150 px (at scale 1), 17 px a row. */
    int cols = (int)((w - 3 * pad) * 0.38 / (150 * s));
    cols = cols < 1 ? 1 : cols;
    int rows = n_cities > 0 ? (n_cities + cols - 1) / cols : 0;
    int legend_h = iround((84 + 21 * rows) * s * grow);
    if (legend_h > (h - head - foot) / 3)
        legend_h = (h - head - foot) / 3;
    L->legend_columns = cols;
    L->map = (SDL_Rect){pad, top, left_w, body_h - legend_h - pad};
    L->legend = (SDL_Rect){pad, bottom - legend_h, left_w, legend_h};
    int gx = 2 * pad + left_w, gw = w - gx - pad;
    int tiles_h = iround(52 * s * grow);
    L->tiles = (SDL_Rect){gx, top, gw, tiles_h};
    int gtop = top + tiles_h + pad, gbody = bottom - gtop;
    int cw = (gw - pad) / 2, ch = (gbody - 2 * pad) / 3;
    for (int i = 0; i < 6; i++) {
        SDL_Rect rc = {gx + (i % 2) * (cw + pad), gtop + (i / 2) * (ch + pad), cw, ch};
        if (i < VIZ_CHARTS)
            L->chart[i] = rc;
        else
            L->gauges = rc;
    }
}

SDL_Rect viz_layout_chart_plot(const viz_layout *L, int i)
{
    double s = L->scale, t = L->text;
    SDL_Rect c = L->chart[i];
    int left = iround(54 * t), right = iround(14 * s), top = iround(32 * t), bottom = iround(24 * t);
    return (SDL_Rect){c.x + left, c.y + top, c.w - left - right, c.h - top - bottom};
}

SDL_Rect viz_layout_map_plot(const viz_layout *L)
{
    double s = L->scale;
    int top = iround(32 * L->text), m = iround(8 * s);
    return (SDL_Rect){L->map.x + m, L->map.y + top, L->map.w - 2 * m, L->map.h - top - m};
}

void viz_proj_fit(const viz_series *s, SDL_Rect plot, double scale, viz_proj *p)
{
    int n = viz_series_cities(s);
    double lat_lo = 90, lat_hi = -90, lon_lo = 180, lon_hi = -180;
    for (int i = 0; i < n; i++) {
        const viz_city *c = viz_series_city(s, i);
        lat_lo = fmin(lat_lo, c->lat);
        lat_hi = fmax(lat_hi, c->lat);
        lon_lo = fmin(lon_lo, c->lon);
        lon_hi = fmax(lon_hi, c->lon);
    }
    if (n == 0) {
        lat_lo = 20;
        lat_hi = 40;
        lon_lo = 100;
        lon_hi = 122;
    }
    double min_span = 4;
    if (lat_hi - lat_lo < min_span) {
        double mid = (lat_hi + lat_lo) / 2;
        lat_lo = mid - min_span / 2;
        lat_hi = mid + min_span / 2;
    }
    if (lon_hi - lon_lo < min_span) {
        double mid = (lon_hi + lon_lo) / 2;
        lon_lo = mid - min_span / 2;
        lon_hi = mid + min_span / 2;
    }
    double rmax = fmin(plot.w, plot.h) * 0.13 / sqrt(n > 4 ? n / 4.0 : 1);
    rmax = fmax(8 * scale, fmin(rmax, 90 * scale));
    p->radius_max = rmax;
    double mx = fmax(rmax, 64 * scale) + 6 * scale, mt = rmax + 34 * scale, mb = rmax + 38 * scale;
    double avail_w = fmax(plot.w - 2 * mx, 20), avail_h = fmax(plot.h - mt - mb, 20);
    p->lat0 = (lat_lo + lat_hi) / 2;
    p->lon0 = (lon_lo + lon_hi) / 2;
    double coslat = cos(p->lat0 * M_PI / 180);
    double k = fmin(avail_w / ((lon_hi - lon_lo) * coslat), avail_h / (lat_hi - lat_lo));
    p->kx = k * coslat;
    p->ky = k;
    p->cx = plot.x + mx + avail_w / 2;
    p->cy = plot.y + mt + avail_h / 2;
}

void viz_proj_apply(const viz_proj *p, double lat, double lon, double *x, double *y)
{
    *x = p->cx + (lon - p->lon0) * p->kx;
    *y = p->cy - (lat - p->lat0) * p->ky;
}

void viz_proj_inverse(const viz_proj *p, double x, double y, double *lat, double *lon)
{
    *lon = p->lon0 + (x - p->cx) / p->kx;
    *lat = p->lat0 - (y - p->cy) / p->ky;
}

SDL_Rect viz_layout_scrubber(const viz_layout *L)
{
    SDL_Rect t = L->timeline;
    int left = iround(t.w * 0.30), m = iround(12 * L->scale);
    return (SDL_Rect){t.x + left + m, t.y, t.w - left - 2 * m, t.h};
}
