/* viz_text.c: fonts and text drawing (see viz_text.h).
 *
 * Sizes are base point sizes times the layout scale, never below 9 px, so
 * text stays legible in a small window. An optional CJK font (SDL_ttf has
 * no fallback fonts) draws Chinese names separately. Invariant: every font slot is open
 * while the viz_text exists.
 */
#include "viz/viz_text.h"

#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct viz_text {
    TTF_Font *font[VIZ_FONT_COUNT];
    TTF_Font *cjk; /* NULL: no CJK font on this machine */
    double scale;
};

/* Noto Sans CJK SC is face 2 of fonts-noto-cjk's collections. */
static TTF_Font *open_cjk(int px)
{
    const char *env = getenv("ECNYSIM_CJK_FONT");
    if (env && env[0])
        return TTF_OpenFont(env, px);
    static const char *const paths[] = {"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
                                        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        TTF_Font *f = TTF_OpenFontIndex(paths[i], px, 2);
        if (f)
            return f;
    }
    return NULL;
}

static int px_of(viz_font f, double scale);

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
    t->cjk = open_cjk(px_of(VIZ_BOLD, scale));
    t->scale = scale;
    return t;
}

void viz_text_close(viz_text *t)
{
    if (!t)
        return;
    for (int i = 0; i < VIZ_FONT_COUNT; i++)
        TTF_CloseFont(t->font[i]);
    if (t->cjk)
        TTF_CloseFont(t->cjk);
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
    if (t->cjk) { /* reopened at the new size; dropped if that fails */
        TTF_CloseFont(t->cjk);
        t->cjk = open_cjk(px_of(VIZ_BOLD, scale));
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

static int px_of(viz_font f, double scale)
{
    int px = (int)lround(base_size[f] * scale);
    return px < 9 ? 9 : px;
}

int viz_text_size_px(const viz_text *t, viz_font f)
{
    return px_of(f, t->scale);
}

bool viz_text_has_cjk(const viz_text *t)
{
    return t->cjk != NULL;
}

int viz_text_width_cjk(viz_text *t, const char *utf8)
{
    int w = 0, h = 0;
    if (t->cjk && utf8[0])
        TTF_SizeUTF8(t->cjk, utf8, &w, &h);
    return w;
}

static int draw_with(SDL_Renderer *r, TTF_Font *font, int x, int y, viz_align a, SDL_Color c, const char *utf8);

int viz_text_draw_cjk(SDL_Renderer *r, viz_text *t, int x, int y, SDL_Color c, const char *utf8)
{
    if (!t->cjk || !utf8[0])
        return 0;
    /* Noto CJK's line is taller than DejaVu's: centre it on the bold line. */
    int dy = (TTF_FontHeight(t->font[VIZ_BOLD]) - TTF_FontHeight(t->cjk)) / 2;
    return draw_with(r, t->cjk, x, y + dy, VIZ_LEFT, c, utf8);
}

int viz_text_height(viz_text *t, viz_font f)
{
    return TTF_FontHeight(t->font[f]);
}

int viz_text_draw(SDL_Renderer *r, viz_text *t, viz_font f, int x, int y, viz_align a, SDL_Color c, const char *utf8)
{
    return draw_with(r, t->font[f], x, y, a, c, utf8);
}

static int draw_with(SDL_Renderer *r, TTF_Font *font, int x, int y, viz_align a, SDL_Color c, const char *utf8)
{
    if (!utf8[0])
        return 0;
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, utf8, c);
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
