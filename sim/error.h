/* error.h: the error record every loader and writer fills (prefix err_).
 *
 * Operating errors (bad scenario, bad data, I/O, capacity) are collected, not
 * printed where they happen, so a loader can report every problem in a file
 * at once and the caller decides where messages go. Each message is one line
 * in the GNU form "FILE:LINE: what is wrong (what was expected)"; err_print
 * adds the "ecnysim: " prefix. At most ERR_MAX messages are kept; the rest
 * are counted.
 */
#ifndef ECNYSIM_ERROR_H
#define ECNYSIM_ERROR_H

#include <stdio.h>

#define ERR_MAX 64
#define ERR_MSG_LEN 512

typedef struct {
    int count;                    /* messages reported, kept or not */
    char msg[ERR_MAX][ERR_MSG_LEN];
} err_list;

void err_init(err_list *e);
/* Adds one message (printf format). Never fails: past ERR_MAX it only counts. */
void err_add(err_list *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints every kept message, one per line, prefixed "ecnysim: ". */
void err_print(const err_list *e, FILE *to);

#endif
