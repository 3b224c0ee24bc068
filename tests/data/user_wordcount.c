/* SPDX-License-Identifier: MIT */
/*
 * A plain C program (no kmem in it): counts the words of a text with a hash
 * table of strdup'ed keys, a growing array (realloc) and qsort, prints the
 * most frequent ones and frees everything. tests/integration/malloc_user.c
 * compiles it into a simulated process's body through <kmem/user.h>.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
	char *text;
	int count;
	struct word *next;
};

static const char *text =
	"the quick brown fox jumps over the lazy dog and the dog sleeps while "
	"the fox runs over the hill and far away from the dog and the farm";

static unsigned int hash(const char *s)
{
	unsigned int h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static int by_count(const void *a, const void *b)
{
	const struct word *x = *(struct word *const *)a,
			  *y = *(struct word *const *)b;

	if (x->count != y->count)
		return y->count - x->count;
	return strcmp(x->text, y->text);
}

int main(void)
{
	struct word **table = calloc(64, sizeof(*table));
	struct word **all = NULL;
	size_t nall = 0, i;
	char *copy = strdup(text), *tok, *save;
	int round;

	if (!table || !copy)
		return 1;
	for (round = 0; round < 200; round++) {
		strcpy(copy, text);
		for (tok = strtok_r(copy, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			unsigned int h = hash(tok) % 64;
			struct word *w;

			for (w = table[h]; w; w = w->next)
				if (!strcmp(w->text, tok))
					break;
			if (!w) {
				w = malloc(sizeof(*w));
				w->text = strdup(tok);
				w->count = 0;
				w->next = table[h];
				table[h] = w;
				all = realloc(all, (nall + 1) * sizeof(*all));
				all[nall++] = w;
			}
			w->count++;
		}
	}
	qsort(all, nall, sizeof(*all), by_count);
	for (i = 0; i < 3 && i < nall; i++)
		printf("%s %d\n", all[i]->text, all[i]->count);
	if (strcmp(all[0]->text, "the") || all[0]->count != 1400)
		return 2;
	for (i = 0; i < nall; i++) {
		free(all[i]->text);
		free(all[i]);
	}
	free(all);
	free(table);
	free(copy);
	return 0;
}
