/* viz_gfx.h: drawing primitives and palettes (prefix viz_gfx_, viz_pal_).
 *
 * Anti-aliased discs, rings, pie wedges and thick lines drawn with plain
 * SDL_Renderer calls (lines and points with alpha), so they work the same on
 * a window and on a software renderer over a surface. Pixels fully inside a
 * shape get exactly the shape's colour (tests rely on it); only edge pixels
 * are blended. Cost: proportional to the shape's bounding box.
 */
#ifndef ECNYSIM_VIZ_GFX_H
#define ECNYSIM_VIZ_GFX_H

#include <SDL.h>

void viz_gfx_rect(SDL_Renderer *r, SDL_Rect rc, SDL_Color c);
void viz_gfx_frame(SDL_Renderer *r, SDL_Rect rc, SDL_Color c); /* 1-px outline */
void viz_gfx_disc(SDL_Renderer *r, double cx, double cy, double radius, SDL_Color c);
void viz_gfx_ring(SDL_Renderer *r, double cx, double cy, double radius, double width, SDL_Color c);
/* The sector from turn t0 to t1 (fractions of a full turn, clockwise from
 * 12 o'clock). The 2-px core around the centre is left to the disc below. */
void viz_gfx_wedge(SDL_Renderer *r, double cx, double cy, double radius, double t0, double t1, SDL_Color c);
void viz_gfx_line(SDL_Renderer *r, double x0, double y0, double x1, double y1, double width, SDL_Color c);
void viz_gfx_dashed_vline(SDL_Renderer *r, int x, int y0, int y1, SDL_Color c);
void viz_gfx_triangle(SDL_Renderer *r, double cx, double cy, double size, SDL_Color c); /* pointing down */

/* The sequential colour of t in [0, 1] (pale yellow to deep red). */
SDL_Color viz_pal_ramp(double t);
/* The categorical colour of city i (chart lines, chips): VIZ_PAL_CITIES
 * distinct colours, the first 8 colour-blind safe (Okabe-Ito). */
#define VIZ_PAL_CITIES 30
SDL_Color viz_pal_city(int i);

/* Theme colours. */
#define VIZ_BG ((SDL_Color){243, 244, 247, 255})
#define VIZ_PANEL ((SDL_Color){255, 255, 255, 255})
#define VIZ_BORDER ((SDL_Color){218, 222, 229, 255})
#define VIZ_GRID ((SDL_Color){232, 235, 240, 255})
#define VIZ_INK ((SDL_Color){31, 41, 55, 255})
#define VIZ_MUTED ((SDL_Color){107, 114, 128, 255})
#define VIZ_ACCENT ((SDL_Color){200, 30, 45, 255})
#define VIZ_HEADER ((SDL_Color){24, 32, 48, 255})
#define VIZ_RURAL ((SDL_Color){34, 110, 84, 255})
#define VIZ_MARKER ((SDL_Color){50, 80, 170, 255})
#define VIZ_FLOW ((SDL_Color){150, 110, 200, 255})
#define VIZ_FLOW_DOT ((SDL_Color){90, 40, 150, 255})
#define VIZ_SEA ((SDL_Color){212, 227, 240, 255})
#define VIZ_LAND ((SDL_Color){247, 245, 238, 255})

#endif
