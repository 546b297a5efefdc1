/* viz_text.h: text with SDL2_ttf (prefix viz_text_).
 *
 * Holds DejaVu Sans (regular and bold) at a few sizes scaled to the window;
 * each call renders the string to a texture, copies it and frees it, so a
 * viz_text works with any renderer (window or software surface). Cost: one
 * glyph rasterisation per call; a frame draws about a hundred strings.
 */
#ifndef ECNYSIM_VIZ_TEXT_H
#define ECNYSIM_VIZ_TEXT_H

#include <SDL.h>
#include <stdbool.h>

#define VIZ_FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define VIZ_FONT_BOLD_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

typedef enum { VIZ_SMALL, VIZ_BODY, VIZ_BOLD, VIZ_HEAD, VIZ_BIG, VIZ_FONT_COUNT } viz_font;
typedef enum { VIZ_LEFT, VIZ_CENTER, VIZ_RIGHT } viz_align;

typedef struct viz_text viz_text;

/* Opens the fonts at scale 1 (the environment variable ECNYSIM_FONT may name
 * another TTF). Initialises SDL_ttf if needed. NULL with a message in why
 * (why_len bytes) when a font cannot be opened. */
viz_text *viz_text_open(double scale, char *why, size_t why_len);
void viz_text_close(viz_text *t); /* NULL is fine */
/* Reopens the fonts for a new scale when it differs; false if that fails
 * (the old fonts stay). */
bool viz_text_scale(viz_text *t, double scale);
/* Draws utf8 with its top at y, aligned on x. Returns the width drawn. */
int viz_text_draw(SDL_Renderer *r, viz_text *t, viz_font f, int x, int y, viz_align a, SDL_Color c, const char *utf8);
int viz_text_width(viz_text *t, viz_font f, const char *utf8);
/* Chinese text, at the size of VIZ_BOLD, in a CJK font found at run time
 * (ECNYSIM_CJK_FONT, else Noto Sans CJK SC of fonts-noto-cjk). Without one
 * has_cjk is false and the two others draw nothing and measure 0. */
bool viz_text_has_cjk(const viz_text *t);
int viz_text_draw_cjk(SDL_Renderer *r, viz_text *t, int x, int y, SDL_Color c, const char *utf8);
int viz_text_width_cjk(viz_text *t, const char *utf8);
int viz_text_height(viz_text *t, viz_font f);
/* The pixel size font f is open at. */
int viz_text_size_px(const viz_text *t, viz_font f);

#endif
