#include <stdio.h>

void
g(void)
{
	fprintf(stderr, "error: no\n  hint: A printed "
	    "hint.\n");
	fprintf(stderr, "  hint: %s\n", "not a hint: the printer of one");
}
