// Atomic save: write a temporary file, then rename it over the existing one.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  int fd = open("doc.txt.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "new", 3);
  fsync(fd);
  close(fd);
  return rename("doc.txt.tmp", "doc.txt") == 0 ? 0 : 1;
}
