/* viz_png.c: headless rendering to PNG (see viz_png.h).
 *
 * Cost: one full frame at w x h (tens of milliseconds) plus PNG encoding.
 */
#include "viz/viz_png.h"

#include <SDL_image.h>
#include <stdio.h>

bool viz_png_save(const viz_series *s, const viz_state *st, int w, int h, const char *path, char *why,
                  size_t why_len)
{
    viz_text *t = viz_text_open(1, why, why_len);
    if (!t)
        return false;
    bool ok = false;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        snprintf(why, why_len, "cannot make a %dx%d drawing surface: %s", w, h, SDL_GetError());
    } else {
        viz_draw(r, t, s, st, w, h);
        SDL_RenderPresent(r);
        if (IMG_SavePNG(surf, path) != 0) {
            snprintf(why, why_len, "cannot write %s: %s", path, IMG_GetError());
            remove(path);
        } else {
            ok = true;
        }
    }
    if (r)
        SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    viz_text_close(t);
    return ok;
}
