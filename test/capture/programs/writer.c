// Writes its first argument to stdout: the file behind stdout was opened by
// whoever started it (a shell redirection).
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  const char *s = argc > 1 ? argv[1] : "hello\n";
  write(1, s, strlen(s));
  return 0;
}
