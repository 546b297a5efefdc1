/* viz_gfx.c: anti-aliased primitives (see viz_gfx.h).
 *
 * Coverage of a pixel is approximated from the distance of its centre to
 * the shape's edge: clamp(edge_distance + 0.5, 0, 1). Runs of full coverage
 * are drawn as one horizontal line, partial pixels as single points blended
 * with alpha = coverage. Blend mode is set and restored to BLEND per call.
 */
#include "viz/viz_gfx.h"

#include <math.h>

static void color(SDL_Renderer *r, SDL_Color c, double cover)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, (Uint8)(c.a * cover + 0.5));
}

void viz_gfx_rect(SDL_Renderer *r, SDL_Rect rc, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    color(r, c, 1);
    SDL_RenderFillRect(r, &rc);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

void viz_gfx_frame(SDL_Renderer *r, SDL_Rect rc, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    color(r, c, 1);
    SDL_RenderDrawRect(r, &rc);
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Scans the bounding box; cover(x, y) gives the coverage of pixel centre. */
typedef double (*cover_fn)(const void *shape, double px, double py);

static void scan(SDL_Renderer *r, int x0, int y0, int x1, int y1, cover_fn f, const void *shape, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    for (int y = y0; y <= y1; y++) {
        int run = -1;
        for (int x = x0; x <= x1 + 1; x++) {
            double cv = x <= x1 ? f(shape, x + 0.5, y + 0.5) : 0;
            if (cv >= 0.999) {
                if (run < 0)
                    run = x;
                continue;
            }
            if (run >= 0) {
                color(r, c, 1);
                SDL_Rect span = {run, y, x - run, 1}; /* FillRect: exact on every backend */
                SDL_RenderFillRect(r, &span);
                run = -1;
            }
            if (cv > 0.004) {
                color(r, c, cv);
                SDL_RenderDrawPoint(r, x, y);
            }
        }
    }
}

typedef struct {
    double cx, cy, r_out, r_in, t0, t1;
} round_shape;

static double cover_ring(const void *p, double px, double py)
{
    const round_shape *s = p;
    double d = hypot(px - s->cx, py - s->cy);
    double cv = clamp01(s->r_out - d + 0.5);
    if (s->r_in > 0)
        cv = fmin(cv, clamp01(d - s->r_in + 0.5));
    return cv;
}

void viz_gfx_disc(SDL_Renderer *r, double cx, double cy, double radius, SDL_Color c)
{
    round_shape s = {cx, cy, radius, 0, 0, 1};
    scan(r, (int)floor(cx - radius - 1), (int)floor(cy - radius - 1), (int)ceil(cx + radius + 1),
         (int)ceil(cy + radius + 1), cover_ring, &s, c);
}

void viz_gfx_ring(SDL_Renderer *r, double cx, double cy, double radius, double width, SDL_Color c)
{
    round_shape s = {cx, cy, radius + width / 2, radius - width / 2, 0, 1};
    scan(r, (int)floor(cx - s.r_out - 1), (int)floor(cy - s.r_out - 1), (int)ceil(cx + s.r_out + 1),
         (int)ceil(cy + s.r_out + 1), cover_ring, &s, c);
}

static double cover_wedge(const void *p, double px, double py)
{
    const round_shape *s = p;
    double dx = px - s->cx, dy = py - s->cy, d = hypot(dx, dy);
    if (d < 2)
        return 0;
    double t = atan2(dx, -dy) / (2 * M_PI); /* 0 at 12 o'clock, clockwise */
    if (t < 0)
        t += 1;
    if (t < s->t0 || t > s->t1)
        return 0;
    return clamp01(s->r_out - d + 0.5);
}

void viz_gfx_wedge(SDL_Renderer *r, double cx, double cy, double radius, double t0, double t1, SDL_Color c)
{
    if (t1 <= t0)
        return;
    round_shape s = {cx, cy, radius, 0, t0, t1};
    scan(r, (int)floor(cx - radius - 1), (int)floor(cy - radius - 1), (int)ceil(cx + radius + 1),
         (int)ceil(cy + radius + 1), cover_wedge, &s, c);
}

typedef struct {
    double x0, y0, x1, y1, half;
} seg_shape;

static double cover_seg(const void *p, double px, double py)
{
    const seg_shape *s = p;
    double vx = s->x1 - s->x0, vy = s->y1 - s->y0, len2 = vx * vx + vy * vy;
    double t = len2 > 0 ? ((px - s->x0) * vx + (py - s->y0) * vy) / len2 : 0;
    t = clamp01(t);
    double d = hypot(px - (s->x0 + t * vx), py - (s->y0 + t * vy));
    return clamp01(s->half - d + 0.5);
}

void viz_gfx_line(SDL_Renderer *r, double x0, double y0, double x1, double y1, double width, SDL_Color c)
{
    seg_shape s = {x0, y0, x1, y1, width / 2};
    double m = width / 2 + 1;
    scan(r, (int)floor(fmin(x0, x1) - m), (int)floor(fmin(y0, y1) - m), (int)ceil(fmax(x0, x1) + m),
         (int)ceil(fmax(y0, y1) + m), cover_seg, &s, c);
}

void viz_gfx_dashed_vline(SDL_Renderer *r, int x, int y0, int y1, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    color(r, c, 1);
    for (int y = y0; y <= y1; y += 6)
        SDL_RenderDrawLine(r, x, y, x, y + 2 < y1 ? y + 2 : y1);
}

void viz_gfx_triangle(SDL_Renderer *r, double cx, double cy, double size, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    color(r, c, 1);
    for (int i = 0; i <= (int)size; i++) {
        double half = size * (1 - (double)i / size) / 2;
        SDL_RenderDrawLine(r, (int)(cx - half), (int)cy + i, (int)(cx + half), (int)cy + i);
    }
}

SDL_Color viz_pal_ramp(double t)
{
    /* YlOrRd-like stops. */
    static const Uint8 stop[6][3] = {{255, 237, 160}, {254, 204, 92}, {253, 141, 60},
                                     {240, 59, 32},   {200, 16, 38},  {128, 0, 38}};
    t = clamp01(t) * 5;
    int i = (int)t;
    if (i >= 5)
        i = 4;
    double f = t - i;
    SDL_Color c;
    c.r = (Uint8)(stop[i][0] + (stop[i + 1][0] - stop[i][0]) * f + 0.5);
    c.g = (Uint8)(stop[i][1] + (stop[i + 1][1] - stop[i][1]) * f + 0.5);
    c.b = (Uint8)(stop[i][2] + (stop[i + 1][2] - stop[i][2]) * f + 0.5);
    c.a = 255;
    return c;
}

SDL_Color viz_pal_city(int i)
{
    /* Okabe and Ito's eight colour-blind-safe colours first (yellow darkened
     * and black softened for lines on white), then 22 more, spread in hue
     * and lightness so that 30 cities never repeat a colour. */
    static const SDL_Color pal[VIZ_PAL_CITIES] = {
        {0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {213, 94, 0, 255},
        {86, 180, 233, 255}, {204, 121, 167, 255}, {220, 200, 30, 255}, {64, 64, 64, 255},
        {140, 86, 75, 255}, {255, 60, 200, 255}, {127, 127, 127, 255}, {155, 156, 30, 255},
        {23, 190, 207, 255}, {57, 59, 121, 255}, {99, 121, 57, 255}, {200, 140, 40, 255},
        {120, 20, 40, 255}, {123, 65, 115, 255}, {49, 130, 189, 255}, {250, 60, 60, 255},
        {49, 163, 84, 255}, {150, 120, 230, 255}, {165, 81, 148, 255}, {60, 60, 220, 255},
        {150, 190, 60, 255}, {231, 186, 82, 255}, {180, 40, 110, 255}, {253, 141, 60, 255},
        {0, 80, 60, 255}, {255, 150, 170, 255},
    };
    return pal[(i < 0 ? 0 : i) % VIZ_PAL_CITIES];
}
