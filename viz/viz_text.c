/* viz_text.c: fonts and text drawing (see viz_text.h).
 *
 * Sizes are base point sizes times the layout scale, never below 9 px, so
 * text stays legible in a small window. Invariant: every font slot is open
 * while the viz_text exists.
 */
#include "viz/viz_text.h"

#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct viz_text {
    TTF_Font *font[VIZ_FONT_COUNT];
    double scale;
};

/* Pixel sizes at scale 1 (1280x720); 1920x1080 is scale 1.5, so the
 * smallest text there is 18 px, readable at 4 m on a projector. */
static const int base_size[VIZ_FONT_COUNT] = {12, 14, 14, 18, 26};
static const bool is_bold[VIZ_FONT_COUNT] = {false, false, true, true, true};

static bool open_all(TTF_Font *out[VIZ_FONT_COUNT], double scale, char *why, size_t why_len)
{
    const char *regular = getenv("ECNYSIM_FONT");
    if (!regular || !regular[0])
        regular = VIZ_FONT_PATH;
    for (int i = 0; i < VIZ_FONT_COUNT; i++) {
        int px = (int)lround(base_size[i] * scale);
        if (px < 9)
            px = 9;
        out[i] = is_bold[i] ? TTF_OpenFont(VIZ_FONT_BOLD_PATH, px) : NULL;
        if (!out[i])
            out[i] = TTF_OpenFont(regular, px);
        if (!out[i]) {
            if (why)
                snprintf(why, why_len, "cannot open the font %s: %s (install fonts-dejavu-core)", regular,
                         TTF_GetError());
            for (int j = 0; j < i; j++)
                TTF_CloseFont(out[j]);
            return false;
        }
    }
    return true;
}

viz_text *viz_text_open(double scale, char *why, size_t why_len)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(why, why_len, "SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    viz_text *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    if (!open_all(t->font, scale, why, why_len)) {
        free(t);
        return NULL;
    }
    t->scale = scale;
    return t;
}

void viz_text_close(viz_text *t)
{
    if (!t)
        return;
    for (int i = 0; i < VIZ_FONT_COUNT; i++)
        TTF_CloseFont(t->font[i]);
    free(t);
}

bool viz_text_scale(viz_text *t, double scale)
{
    if (fabs(scale - t->scale) < 0.05)
        return true;
    TTF_Font *f[VIZ_FONT_COUNT];
    if (!open_all(f, scale, NULL, 0))
        return false;
    for (int i = 0; i < VIZ_FONT_COUNT; i++) {
        TTF_CloseFont(t->font[i]);
        t->font[i] = f[i];
    }
    t->scale = scale;
    return true;
}

int viz_text_width(viz_text *t, viz_font f, const char *utf8)
{
    int w = 0, h = 0;
    if (utf8[0])
        TTF_SizeUTF8(t->font[f], utf8, &w, &h);
    return w;
}

int viz_text_size_px(const viz_text *t, viz_font f)
{
    int px = (int)lround(base_size[f] * t->scale);
    return px < 9 ? 9 : px;
}

int viz_text_height(viz_text *t, viz_font f)
{
    return TTF_FontHeight(t->font[f]);
}

int viz_text_draw(SDL_Renderer *r, viz_text *t, viz_font f, int x, int y, viz_align a, SDL_Color c, const char *utf8)
{
    if (!utf8[0])
        return 0;
    SDL_Surface *s = TTF_RenderUTF8_Blended(t->font[f], utf8, c);
    if (!s)
        return 0;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(r, s);
    int w = s->w;
    if (tex) {
        SDL_Rect dst = {a == VIZ_LEFT ? x : a == VIZ_CENTER ? x - s->w / 2 : x - s->w, y, s->w, s->h};
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
        SDL_RenderCopy(r, tex, NULL, &dst);
        SDL_DestroyTexture(tex);
    }
    SDL_FreeSurface(s);
    return w;
}
