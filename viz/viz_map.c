/* viz_map.c: the map panel, its legend and the city detail panel.
 *
 * Each city is a disc whose area is proportional to its residents holding
 * a wallet, coloured by the chosen metric on a sequential ramp, inside a
 * thin ring whose area is its population (so a full disc is 100%
 * adoption), with a dark wedge for the rural share of those residents
 * (people over people). Under them, when the data folder has it
 * (viz_geo.h): sea, land, province outlines, borders and the coast; over it
 * a faint graticule and a scale bar.
 * Invariant: the pixel at a city's projected centre has the disc colour.
 * Cost: O(cities x radius^2) pixels.
 */
#include <math.h>
#include <stdio.h>

#include "sim/calendar.h"
#include "viz/viz_int.h"

double viz_map_radius(const viz_series *s, int d, int city, double radius_max, double *ring)
{
    double pop_max = 1;
    for (int i = 0; i < viz_series_cities(s); i++)
        pop_max = fmax(pop_max, (double)viz_series_get(s, d, i, VIZ_COL_POPULATION));
    double pop = (double)viz_series_get(s, d, city, VIZ_COL_POPULATION);
    /* Residents holding a wallet, not wallets: people hold several, so a
     * disc of wallets would outgrow its ring. */
    double holders = (double)viz_series_holders(s, d, city);
    *ring = radius_max * sqrt(fmax(pop, 0) / pop_max);
    if (holders <= 0)
        return 0;
    double r = radius_max * sqrt(holders / pop_max);
    if (*ring > 0 && r > *ring)
        r = *ring;
    return r < 3 ? 3 : r;
}

double viz_metric_top(const viz_series *s, viz_metric m)
{
    /* Fixed per metric, never from the data: the same date gives the same
     * colours live, in replay and in every snapshot. e-CNY's share of
     * payments stays small, so its ramp ends at 10%. */
    (void)s;
    return m == VIZ_METRIC_ECNY_SHARE ? 0.1 : 1;
}

static void graticule(const viz_ctx *c, SDL_Rect plot, const viz_proj *p)
{
    double lat_top, lon_left, lat_bot, lon_right;
    viz_proj_inverse(p, plot.x, plot.y, &lat_top, &lon_left);
    viz_proj_inverse(p, plot.x + plot.w, plot.y + plot.h, &lat_bot, &lon_right);
    double span = fmax(lat_top - lat_bot, lon_right - lon_left);
    double step = span > 40 ? 10 : span > 16 ? 5 : span > 7 ? 2 : 1;
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_BLEND);
    char buf[32];
    int fh = viz_text_height(c->t, VIZ_SMALL);
    for (double lat = ceil(lat_bot / step) * step; lat <= lat_top; lat += step) {
        double x, y;
        viz_proj_apply(p, lat, p->lon0, &x, &y);
        SDL_SetRenderDrawColor(c->r, 90, 110, 140, 40);
        SDL_RenderDrawLine(c->r, plot.x, (int)y, plot.x + plot.w - 1, (int)y);
        snprintf(buf, sizeof buf, "%g°N", lat);
        if (y - fh >= plot.y + fh)
            viz_text_draw(c->r, c->t, VIZ_SMALL, plot.x + 2, (int)y - fh, VIZ_LEFT, VIZ_MUTED, buf);
    }
    for (double lon = ceil(lon_left / step) * step; lon <= lon_right; lon += step) {
        double x, y;
        viz_proj_apply(p, p->lat0, lon, &x, &y);
        SDL_SetRenderDrawColor(c->r, 90, 110, 140, 40);
        SDL_RenderDrawLine(c->r, (int)x, plot.y, (int)x, plot.y + plot.h - 1);
        snprintf(buf, sizeof buf, "%g°E", lon);
        int half = viz_text_width(c->t, VIZ_SMALL, buf) / 2;
        if (x + half < plot.x + plot.w && x - half > plot.x + 40 * c->L.scale) /* centred on its meridian */
            viz_text_draw(c->r, c->t, VIZ_SMALL, (int)x, plot.y + 1, VIZ_CENTER, VIZ_MUTED, buf);
    }
}

static bool overlaps(SDL_Rect a, SDL_Rect b, int margin)
{
    return a.x < b.x + b.w + margin && b.x < a.x + a.w + margin && a.y < b.y + b.h + margin &&
           b.y < a.y + a.h + margin;
}

/* Pixels of box inside the square inscribed in the circle (cx, cy, r): a
 * cheap stand-in for how much of a city's disc a label would hide. */
static double disc_cover(SDL_Rect b, double cx, double cy, double r)
{
    double h = r * 0.8;
    double w = fmin(b.x + b.w, cx + h) - fmax(b.x, cx - h), t = fmin(b.y + b.h, cy + h) - fmax(b.y, cy - h);
    return w > 0 && t > 0 ? w * t : 0;
}

#define LABEL_RINGS 40

/* Label placement, greedy, the most crowded city first: candidate boxes around
 * the city's ring in 16 directions (below, above, right and left first), on
 * rings further and further out (a leader line then joins box and ring);
 * a box must stay inside the plot, off the scale bar and off every label
 * already placed; among those left the cheapest wins: distance, direction,
 * and how much of other cities' discs it hides. Cost: O(cities^2 x 16 x
 * LABEL_RINGS) at most; the first ring with room ends the search. */
void viz_map_place_labels(const viz_ctx *c, const viz_proj *p, viz_label *out)
{
    int n = viz_series_cities(c->s), d = c->d < 0 ? 0 : c->d;
    double s = c->L.scale;
    SDL_Rect plot = viz_layout_map_plot(&c->L);
    SDL_Rect bar = {plot.x, plot.y + plot.h - (int)(40 * s), (int)(plot.w / 5.0 + 24 * s), (int)(40 * s)};
    double x[VIZ_MAX_CITIES], y[VIZ_MAX_CITIES], R[VIZ_MAX_CITIES];
    int order[VIZ_MAX_CITIES];
    bool placed[VIZ_MAX_CITIES] = {false};
    for (int i = 0; i < n; i++) {
        const viz_city *city = viz_series_city(c->s, i);
        double ring, r = viz_series_days(c->s) ? viz_map_radius(c->s, d, i, p->radius_max, &ring) : (ring = 3);
        viz_proj_apply(p, city->lat, city->lon, &x[i], &y[i]);
        R[i] = fmax(fmax(r, ring), 3);
        order[i] = i;
    }
    /* Crowded cities first (most neighbours within 120 px at scale 1: they
     * have the least room), then the largest. */
    double crowd[VIZ_MAX_CITIES];
    for (int i = 0; i < n; i++) {
        crowd[i] = R[i] / 1000.0;
        for (int j = 0; j < n; j++)
            if (j != i && hypot(x[i] - x[j], y[i] - y[j]) < 120 * s)
                crowd[i] += 1;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && crowd[order[j]] > crowd[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    static const double dir_deg[16] = {90, 270, 0, 180, 45, 315, 135, 225, 22.5, 337.5, 157.5, 202.5, 67.5, 112.5,
                                       247.5, 292.5};
    int fh = viz_text_height(c->t, VIZ_BOLD) + viz_text_height(c->t, VIZ_SMALL);
    int chip = (int)(9 * s) + (int)(4 * s) + 2;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        char v[32];
        viz_fmt_pct(viz_metric_value(c->s, c->st->metric, d, i), v, sizeof v);
        int tw = viz_text_width(c->t, VIZ_BOLD, viz_series_city(c->s, i)->display);
        int zw = viz_text_width_cjk(c->t, viz_series_city_zh(c->s, i));
        /* Two lines: the English name; the metric's value and the Chinese name. */
        int vw = viz_text_width(c->t, VIZ_SMALL, "100%") + (zw > 0 ? zw + (int)(6 * s) : 0);
        int w = chip + (tw > vw ? tw : vw) + 2;
        int h = zw > 0 ? fh + viz_text_height(c->t, VIZ_BOLD) - viz_text_height(c->t, VIZ_SMALL) : fh;
        double best = 1e300;
        viz_label pick = {{(int)(x[i] - w / 2.0), (int)(y[i] + R[i] + 2 * s), w, h}, false, x[i], y[i]};
        for (int ring = 0; ring < LABEL_RINGS && best > 1e200; ring++) {
            double dist = R[i] + 3 * s + ring * (h * 0.5 + 2 * s);
            for (int a = 0; a < 16; a++) {
                double rad = dir_deg[a] * M_PI / 180, ca = cos(rad), sa = sin(rad);
                double ax = x[i] + dist * ca, ay = y[i] + dist * sa;
                SDL_Rect b = {(int)lround(ax + (ca - 1) * w / 2.0), (int)lround(ay + (sa - 1) * h / 2.0), w, h};
                if (b.x < plot.x || b.y < plot.y || b.x + b.w > plot.x + plot.w || b.y + b.h > plot.y + plot.h ||
                    overlaps(b, bar, 0))
                    continue;
                bool clash = false;
                for (int j = 0; j < n && !clash; j++)
                    clash = placed[j] && overlaps(b, out[j].box, 2);
                if (clash)
                    continue;
                double cost = ring * 400.0 + a * 6.0;
                for (int j = 0; j < n; j++)
                    if (j != i)
                        cost += disc_cover(b, x[j], y[j], R[j]) * 2;
                if (cost < best) {
                    best = cost;
                    pick = (viz_label){b, ring > 0, x[i] + R[i] * ca, y[i] + R[i] * sa};
                }
            }
        }
        out[i] = pick;
        placed[i] = true;
    }
}

int viz_map_label_boxes(viz_text *t, const viz_series *s, const viz_state *st, int w, int h, SDL_Rect *out)
{
    viz_ctx c;
    viz_ctx_make(&c, NULL, t, s, st, w, h);
    viz_proj p;
    viz_proj_fit(s, viz_layout_map_plot(&c.L), c.L.scale, &p);
    viz_label labels[VIZ_MAX_CITIES];
    viz_map_place_labels(&c, &p, labels);
    for (int i = 0; i < viz_series_cities(s); i++)
        out[i] = labels[i].box;
    return viz_series_cities(s);
}

/* Land as horizontal spans: consecutive pixel rows in the same band of the
 * mask share one rectangle per run. */
static void land(const viz_ctx *c, SDL_Rect plot, const viz_proj *p, const viz_geo *g)
{
    double south, west, step;
    viz_geo_grid(g, &south, &west, &step);
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(c->r, VIZ_LAND.r, VIZ_LAND.g, VIZ_LAND.b, 255);
    int y = plot.y;
    while (y < plot.y + plot.h) {
        double lat, lon;
        viz_proj_inverse(p, 0, y + 0.5, &lat, &lon);
        int band = (int)floor((lat - south) / step), y_end = y + 1;
        for (; y_end < plot.y + plot.h; y_end++) {
            viz_proj_inverse(p, 0, y_end + 0.5, &lat, &lon);
            if ((int)floor((lat - south) / step) != band)
                break;
        }
        int n;
        const viz_geo_run *run = viz_geo_band(g, band, &n);
        for (int i = 0; i < n; i++) {
            double x0, x1, yy;
            viz_proj_apply(p, lat, west + run[i].first * step, &x0, &yy);
            viz_proj_apply(p, lat, west + (run[i].first + run[i].count) * step, &x1, &yy);
            int a = (int)lround(fmax(x0, plot.x)), b = (int)lround(fmin(x1, plot.x + plot.w));
            if (b > a)
                SDL_RenderFillRect(c->r, &(SDL_Rect){a, y, b - a, y_end - y});
        }
        y = y_end;
    }
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_BLEND);
}

static void outlines(const viz_ctx *c, SDL_Rect plot, const viz_proj *p, const viz_geo *g)
{
    static const SDL_Color colour[VIZ_GEO_KINDS] = {{118, 140, 168, 255}, {150, 104, 104, 255},
                                                     {196, 190, 178, 255}};
    double lat_hi, lon_lo, lat_lo, lon_hi;
    viz_proj_inverse(p, plot.x, plot.y, &lat_hi, &lon_lo);
    viz_proj_inverse(p, plot.x + plot.w, plot.y + plot.h, &lat_lo, &lon_hi);
    SDL_FPoint pts[512];
    for (int kind = VIZ_GEO_PROVINCE; kind >= 0; kind--) { /* provinces under borders under the coast */
        SDL_Color col = colour[kind];
        SDL_SetRenderDrawColor(c->r, col.r, col.g, col.b, 255);
        for (int i = 0; i < viz_geo_lines(g); i++) {
            const viz_geo_line *l = viz_geo_line_at(g, i);
            if ((int)l->kind != kind || l->lon_hi < lon_lo || l->lon_lo > lon_hi || l->lat_hi < lat_lo ||
                l->lat_lo > lat_hi)
                continue;
            for (int k = 0; k < l->n;) { /* in chunks sharing their end points */
                int m = 0;
                for (; k < l->n && m < (int)(sizeof pts / sizeof pts[0]); k++, m++) {
                    double x, y;
                    viz_proj_apply(p, l->lat[k], l->lon[k], &x, &y);
                    pts[m] = (SDL_FPoint){(float)x, (float)y};
                }
                SDL_RenderDrawLinesF(c->r, pts, m);
                if (k < l->n)
                    k--;
            }
        }
    }
}

/* The point at t of the flow arc from (x0, y0) to (x1, y1): a quadratic
 * curve bowed to the left of the direction of travel by a quarter of its
 * length, so the two directions between two cities never share a line. */
void viz_map_arc_point(double x0, double y0, double x1, double y1, double t, double *x, double *y)
{
    double mx = (x0 + x1) / 2, my = (y0 + y1) / 2, dx = x1 - x0, dy = y1 - y0;
    double qx = mx + dy * 0.25, qy = my - dx * 0.25;
    double u = 1 - t;
    *x = u * u * x0 + 2 * u * t * qx + t * t * x1;
    *y = u * u * y0 + 2 * u * t * qy + t * t * y1;
}

/* Cross-city flows of the cursor day: an arc per flow, as wide as the
 * square root of the yuan sent against the largest day so far, with dots
 * travelling from sender to receiver (their phase follows the day, so a
 * date always gives the same picture). */
static void flows(const viz_ctx *c, const viz_proj *p)
{
    int nf = viz_series_flows(c->s);
    double top = 0, s = c->L.scale;
    for (int d = 0; d <= c->d; d++)
        for (int f = 0; f < nf; f++)
            top = fmax(top, viz_series_flow_value(c->s, d, f));
    if (!(top > 0))
        return;
    for (int f = 0; f < nf; f++) {
        const viz_flow *fl = viz_series_flow(c->s, f);
        int a = viz_series_find_city(c->s, fl->from), b = viz_series_find_city(c->s, fl->to);
        double v = viz_series_flow_value(c->s, c->d, f);
        if (a < 0 || b < 0 || a == b || !(v > 0))
            continue;
        double x0, y0, x1, y1;
        viz_proj_apply(p, viz_series_city(c->s, a)->lat, viz_series_city(c->s, a)->lon, &x0, &y0);
        viz_proj_apply(p, viz_series_city(c->s, b)->lat, viz_series_city(c->s, b)->lon, &x1, &y1);
        double w = (1.5 + 6 * sqrt(v / top)) * s, px = x0, py = y0;
        for (int k = 1; k <= 32; k++) {
            double x, y;
            viz_map_arc_point(x0, y0, x1, y1, k / 32.0, &x, &y);
            viz_gfx_line(c->r, px, py, x, y, w, VIZ_FLOW);
            px = x;
            py = y;
        }
        for (int k = 0; k < 3; k++) {
            double t = fmod(k / 3.0 + c->d * 0.07, 1.0), x, y;
            viz_map_arc_point(x0, y0, x1, y1, t, &x, &y);
            viz_gfx_disc(c->r, x, y, w * 0.5 + 2 * s, (SDL_Color){255, 255, 255, 255});
            viz_gfx_disc(c->r, x, y, w * 0.5 + 0.8 * s, VIZ_FLOW_DOT);
        }
    }
}

/* A bar of a round number of kilometres, about a fifth of the plot wide. */
static void scale_bar(const viz_ctx *c, SDL_Rect plot, const viz_proj *p)
{
    double s = c->L.scale, km_per_px = 111.195 / p->ky, want_km = plot.w / 5.0 * km_per_px;
    double km = pow(10, floor(log10(want_km)));
    if (5 * km <= want_km)
        km *= 5;
    else if (2 * km <= want_km)
        km *= 2;
    int bar = (int)lround(km / km_per_px), pad = (int)(8 * s), th = (int)fmax(3, 4 * s);
    int fh = viz_text_height(c->t, VIZ_SMALL);
    int x = plot.x + pad, y = plot.y + plot.h - pad - th;
    char label[32];
    snprintf(label, sizeof label, "%g km", km);
    viz_gfx_rect(c->r, (SDL_Rect){x - 4, y - fh - 4, bar + 8, fh + th + 8}, (SDL_Color){255, 255, 255, 190});
    viz_gfx_rect(c->r, (SDL_Rect){x, y, bar / 2, th}, VIZ_INK);
    viz_gfx_rect(c->r, (SDL_Rect){x + bar / 2, y, bar - bar / 2, th}, (SDL_Color){255, 255, 255, 255});
    viz_gfx_frame(c->r, (SDL_Rect){x, y, bar, th}, VIZ_INK);
    viz_text_draw(c->r, c->t, VIZ_SMALL, x, y - fh - 1, VIZ_LEFT, VIZ_INK, label);
}

void viz_map_draw(const viz_ctx *c)
{
    char title[160];
    snprintf(title, sizeof title, "Pilot cities · colour: %s", viz_metric_name(c->st->metric));
    viz_panel(c, c->L.map, title);
    SDL_Rect plot = viz_layout_map_plot(&c->L);
    SDL_RenderSetClipRect(c->r, &plot);
    viz_proj p;
    viz_proj_fit(c->s, plot, c->L.scale, &p);
    const viz_geo *g = viz_series_geo(c->s);
    if (g) {
        viz_gfx_rect(c->r, plot, VIZ_SEA);
        land(c, plot, &p, g);
        outlines(c, plot, &p, g);
    }
    graticule(c, plot, &p);
    scale_bar(c, plot, &p);
    if (c->d < 0) {
        SDL_RenderSetClipRect(c->r, NULL);
        return;
    }
    double top = viz_metric_top(c->s, c->st->metric), s = c->L.scale;
    int n = viz_series_cities(c->s);
    /* Largest first, so small cities stay visible on top. */
    int order[VIZ_MAX_CITIES];
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && viz_series_get(c->s, c->d, order[j], VIZ_COL_POPULATION) >
                                     viz_series_get(c->s, c->d, order[j - 1], VIZ_COL_POPULATION);
             j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for (int k = 0; k < n; k++) {
        int i = order[k];
        const viz_city *city = viz_series_city(c->s, i);
        double x, y, ring, r = viz_map_radius(c->s, c->d, i, p.radius_max, &ring);
        viz_proj_apply(&p, city->lat, city->lon, &x, &y);
        viz_gfx_disc(c->r, x, y, ring, (SDL_Color){236, 239, 244, 200});
        viz_gfx_ring(c->r, x, y, ring, 1.2 * s, (SDL_Color){150, 158, 170, 255});
        if (r > 0) {
            SDL_Color col = viz_pal_ramp(viz_metric_value(c->s, c->st->metric, c->d, i) / top);
            viz_gfx_disc(c->r, x, y, r, col);
            /* Rural residents with a wallet among all residents with one:
             * people over people (rural_wallets counts adopters, not wallets). */
            double rural_share = viz_metric_value(c->s, VIZ_METRIC_RURAL, c->d, i);
            if (rural_share > 0 && r >= 6)
                viz_gfx_wedge(c->r, x, y, r, 0, fmin(rural_share, 1), VIZ_RURAL);
            viz_gfx_ring(c->r, x, y, r, 1.2 * s, (SDL_Color){90, 30, 30, 200});
        }
        if (i == c->st->selected)
            viz_gfx_ring(c->r, x, y, fmax(r, ring) + 4 * s, 2.5 * s, VIZ_INK);
    }
    flows(c, &p);
    viz_label labels[VIZ_MAX_CITIES];
    viz_map_place_labels(c, &p, labels);
    int chip = (int)(9 * s), fh = viz_text_height(c->t, VIZ_BOLD);
    for (int i = 0; i < n; i++) {
        const viz_label *lb = &labels[i];
        SDL_Rect b = lb->box;
        if (lb->leader) {
            double tx = fmin(fmax(lb->ax, b.x), b.x + b.w), ty = fmin(fmax(lb->ay, b.y), b.y + b.h);
            viz_gfx_line(c->r, lb->ax, lb->ay, tx, ty, 1.2 * s, VIZ_MUTED);
        }
        viz_gfx_rect(c->r, b, (SDL_Color){255, 255, 255, 170});
        viz_gfx_rect(c->r, (SDL_Rect){b.x + 1, b.y + (fh - chip) / 2, chip, chip}, viz_pal_city(i));
        int tx = b.x + 1 + chip + (int)(4 * s);
        viz_text_draw(c->r, c->t, VIZ_BOLD, tx, b.y, VIZ_LEFT, VIZ_INK, viz_series_city(c->s, i)->display);
        char v[32];
        viz_fmt_pct(viz_metric_value(c->s, c->st->metric, c->d, i), v, sizeof v);
        const char *zh = viz_series_city_zh(c->s, i);
        bool two = viz_text_width_cjk(c->t, zh) > 0;
        int line2 = b.y + fh + (two ? (fh - viz_text_height(c->t, VIZ_SMALL)) / 2 : 0);
        int vw = viz_text_draw(c->r, c->t, VIZ_SMALL, tx, line2, VIZ_LEFT, VIZ_MUTED, v);
        if (two)
            viz_text_draw_cjk(c->r, c->t, tx + vw + (int)(6 * s), b.y + fh, VIZ_INK, zh);
    }
    SDL_RenderSetClipRect(c->r, NULL);
}

void viz_legend_draw(const viz_ctx *c)
{
    SDL_Rect rc = c->L.legend;
    viz_panel(c, rc, NULL);
    SDL_RenderSetClipRect(c->r, &rc);
    double s = c->L.scale, top = viz_metric_top(c->s, c->st->metric);
    int pad = (int)(12 * s), fh = viz_text_height(c->t, VIZ_SMALL);
    /* Colour ramp with ticks. */
    int rx = rc.x + pad, ry = rc.y + pad, rw = rc.w / 2 - 2 * pad, rh = (int)(12 * s);
    viz_text_draw(c->r, c->t, VIZ_SMALL, rx, ry, VIZ_LEFT, VIZ_MUTED, viz_metric_name(c->st->metric));
    ry += fh + (int)(3 * s);
    for (int x = 0; x < rw; x++) {
        SDL_Color col = viz_pal_ramp((double)x / (rw - 1));
        SDL_SetRenderDrawColor(c->r, col.r, col.g, col.b, 255);
        SDL_RenderDrawLine(c->r, rx + x, ry, rx + x, ry + rh - 1);
    }
    for (int k = 0; k <= 4; k += 2) {
        char buf[32];
        viz_fmt_pct(top * k / 4, buf, sizeof buf);
        int x = rx + (rw - 1) * k / 4;
        viz_text_draw(c->r, c->t, VIZ_SMALL, x, ry + rh + 2, k == 0 ? VIZ_LEFT : k == 4 ? VIZ_RIGHT : VIZ_CENTER,
                      VIZ_MUTED, buf);
    }
    /* Symbols. */
    int sx = rc.x + rc.w / 2 + pad, sy = rc.y + pad + fh / 2, r = (int)(fh / 2.0);
    viz_gfx_disc(c->r, sx + r, sy + r / 2, r, viz_pal_ramp(0.6));
    viz_text_draw(c->r, c->t, VIZ_SMALL, sx + 2 * r + pad / 2, sy + r / 2 - fh / 2, VIZ_LEFT, VIZ_INK,
                  "disc area = residents with a wallet");
    sy += fh + (int)(6 * s);
    viz_gfx_ring(c->r, sx + r, sy + r / 2, r, 1.2 * s, (SDL_Color){150, 158, 170, 255});
    viz_text_draw(c->r, c->t, VIZ_SMALL, sx + 2 * r + pad / 2, sy + r / 2 - fh / 2, VIZ_LEFT, VIZ_INK,
                  "ring area = population");
    sy += fh + (int)(6 * s);
    viz_gfx_disc(c->r, sx + r, sy + r / 2, r, viz_pal_ramp(0.6));
    viz_gfx_wedge(c->r, sx + r, sy + r / 2, r, 0, 0.3, VIZ_RURAL);
    viz_text_draw(c->r, c->t, VIZ_SMALL, sx + 2 * r + pad / 2, sy + r / 2 - fh / 2, VIZ_LEFT, VIZ_INK,
                  "wedge = rural share of them");
    /* Every city with its colour (chart lines, chips), in columns. */
    int cols = c->L.legend_columns, n = viz_series_cities(c->s);
    int row_h = fh + (int)(4 * s), col_w = (rc.w - 2 * pad) / (cols > 0 ? cols : 1);
    int top_y = (int)fmax(ry + rh + fh + 6 * s, sy + fh + 6 * s);
    int rows = (rc.y + rc.h - top_y - pad / 2) / row_h, chip = (int)(9 * s);
    rows = rows < 1 ? 1 : rows;
    SDL_RenderSetClipRect(c->r, &rc);
    for (int i = 0; i < n; i++) {
        int col = i / rows, row = i % rows;
        if (col >= cols) {
            char more[32];
            snprintf(more, sizeof more, "+%d more", n - i);
            viz_text_draw(c->r, c->t, VIZ_SMALL, rc.x + rc.w - pad, rc.y + rc.h - fh - 2, VIZ_RIGHT, VIZ_MUTED, more);
            break;
        }
        int cx = rc.x + pad + col * col_w, cy = top_y + row * row_h;
        viz_gfx_rect(c->r, (SDL_Rect){cx, cy + (fh - chip) / 2, chip, chip}, viz_pal_city(i));
        SDL_Rect clip = {cx, cy, col_w - (int)(4 * s), row_h};
        SDL_RenderSetClipRect(c->r, &clip);
        viz_text_draw(c->r, c->t, VIZ_SMALL, cx + chip + (int)(4 * s), cy, VIZ_LEFT, VIZ_INK,
                      viz_series_city(c->s, i)->display);
        SDL_RenderSetClipRect(c->r, &rc);
    }
    SDL_RenderSetClipRect(c->r, NULL);
}

void viz_detail_draw(const viz_ctx *c)
{
    int i = c->st->selected;
    if (i < 0 || i >= viz_series_cities(c->s) || c->d < 0)
        return;
    double s = c->L.scale;
    const viz_series *S = c->s;
    int d = c->d, fh = viz_text_height(c->t, VIZ_SMALL) + (int)(3 * s), pad = (int)(10 * s);
    int w = (int)(270 * s), h = pad * 2 + viz_text_height(c->t, VIZ_HEAD) + 10 * fh;
    SDL_Rect plot = viz_layout_map_plot(&c->L);
    /* In the plot's corner that hides the fewest cities (their discs' centres),
     * then the one farthest from the selected city. */
    viz_proj p;
    viz_proj_fit(c->s, plot, s, &p);
    double sx, sy, best = 1e300;
    viz_proj_apply(&p, viz_series_city(S, i)->lat, viz_series_city(S, i)->lon, &sx, &sy);
    SDL_Rect rc = {plot.x + plot.w - w - pad / 2, plot.y + pad / 2, w, h};
    for (int corner = 0; corner < 4; corner++) {
        SDL_Rect cand = {corner & 1 ? plot.x + pad / 2 : plot.x + plot.w - w - pad / 2,
                         corner & 2 ? plot.y + plot.h - h - pad / 2 : plot.y + pad / 2, w, h};
        int hidden = 0;
        for (int k = 0; k < viz_series_cities(S); k++) {
            double kx, ky;
            viz_proj_apply(&p, viz_series_city(S, k)->lat, viz_series_city(S, k)->lon, &kx, &ky);
            hidden += kx > cand.x - 12 * s && kx < cand.x + cand.w + 12 * s && ky > cand.y - 12 * s &&
                      ky < cand.y + cand.h + 12 * s;
        }
        double cost = hidden * 1e6 - hypot(cand.x + w / 2.0 - sx, cand.y + h / 2.0 - sy);
        if (cost < best) {
            best = cost;
            rc = cand;
        }
    }
    viz_gfx_rect(c->r, (SDL_Rect){rc.x + 3, rc.y + 3, rc.w, rc.h}, (SDL_Color){0, 0, 0, 40});
    viz_gfx_rect(c->r, rc, VIZ_PANEL);
    viz_gfx_frame(c->r, rc, VIZ_INK);
    int x = rc.x + pad, xr = rc.x + rc.w - pad, y = rc.y + pad;
    viz_gfx_rect(c->r, (SDL_Rect){x, y + (int)(4 * s), (int)(10 * s), (int)(10 * s)}, viz_pal_city(i));
    viz_text_draw(c->r, c->t, VIZ_HEAD, x + (int)(15 * s), y, VIZ_LEFT, VIZ_INK, viz_series_city(S, i)->display);
    y += viz_text_height(c->t, VIZ_HEAD) + (int)(2 * s);
    char a[48], line[96];
    struct {
        const char *label;
        double v;
        int kind; /* 0 count, 1 share, 2 yuan */
    } rows[] = {
        {"Population", (double)viz_series_get(S, d, i, VIZ_COL_POPULATION), 0},
        {"Wallets", (double)viz_series_get(S, d, i, VIZ_COL_WALLETS), 0},
        {"Adoption", viz_metric_value(S, VIZ_METRIC_ADOPTION, d, i), 1},
        {"Residents with a wallet", (double)viz_series_holders(S, d, i), 0},
        {"Active users", (double)viz_series_get(S, d, i, VIZ_COL_ACTIVE), 0},
        {"Rural residents with a wallet", (double)viz_series_get(S, d, i, VIZ_COL_RURAL), 0},
        {"e-CNY payments / day", (double)viz_series_get(S, d, i, VIZ_COL_PAY_ECNY), 0},
        {"e-CNY value / day", (double)viz_series_get(S, d, i, VIZ_COL_VALUE_ECNY_FEN) / 100, 2},
        {"e-CNY share of payments", viz_metric_value(S, VIZ_METRIC_ECNY_SHARE, d, i), 1},
        {"Merchants accepting", viz_metric_value(S, VIZ_METRIC_ACCEPTANCE, d, i), 1},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        if (rows[k].kind == 1)
            viz_fmt_pct(rows[k].v, a, sizeof a);
        else
            viz_fmt_count(rows[k].v, a, sizeof a);
        snprintf(line, sizeof line, "%s%s", rows[k].kind == 2 ? "¥" : "", a);
        viz_text_draw(c->r, c->t, VIZ_SMALL, x, y, VIZ_LEFT, VIZ_MUTED, rows[k].label);
        viz_text_draw(c->r, c->t, VIZ_SMALL, xr, y, VIZ_RIGHT, VIZ_INK, line);
        y += fh;
    }
}
