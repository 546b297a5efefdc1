/* viz_png.h: a frame rendered headlessly and saved as PNG (prefix viz_png_).
 *
 * No window and no display: a software renderer draws onto an RGB888
 * surface (so the PNG has no alpha surprises), which SDL2_image saves.
 */
#ifndef ECNYSIM_VIZ_PNG_H
#define ECNYSIM_VIZ_PNG_H

#include <stdbool.h>
#include <stddef.h>

#include "viz/viz_draw.h"

/* Draws the frame of (s, st) at w x h and writes it to path. False with a
 * message in why (why_len bytes) when the fonts, the surface or the file
 * fail; a partial file is removed. */
bool viz_png_save(const viz_series *s, const viz_state *st, int w, int h, const char *path, char *why,
                  size_t why_len);

#endif
