// Two execs that fail (missing file, not executable), then real work.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  char *argv[] = {"nope", 0};
  execv("./does-not-exist", argv);
  execv("./not-executable.txt", argv);
  int fd = open("after.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "a", 1);
  close(fd);
  return 0;
}
