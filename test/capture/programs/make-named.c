// Creates one file per argument, named by the argument's bytes exactly.
// With -x first, the names are given hex-encoded, so that any byte
// (newline, 0xff) can be passed through exec's argv unchanged.
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void unhex(const char *in, char *out) {
  size_t n = strlen(in) / 2;
  for (size_t i = 0; i < n; i++) {
    char pair[3] = {in[2 * i], in[2 * i + 1], 0};
    out[i] = (char)strtol(pair, 0, 16);
  }
  out[n] = 0;
}
int main(int argc, char **argv) {
  int hex = argc > 1 && strcmp(argv[1], "-x") == 0;
  char name[8192];
  for (int i = 1 + hex; i < argc; i++) {
    if (hex) unhex(argv[i], name); else strncpy(name, argv[i], sizeof name - 1);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 1;
    write(fd, "n", 1);
    close(fd);
  }
  return 0;
}
