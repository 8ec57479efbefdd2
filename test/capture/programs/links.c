// A hard link and a symbolic link to a data file, then a read through each.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  char buf[16];
  if (link("orig.txt", "hard.txt") != 0) return 1;
  if (symlink("orig.txt", "soft.txt") != 0) return 2;
  int fd = open("hard.txt", O_RDONLY);
  read(fd, buf, sizeof buf);
  close(fd);
  fd = open("soft.txt", O_RDONLY);
  read(fd, buf, sizeof buf);
  close(fd);
  return 0;
}
