// A temporary file: created, unlinked while open, written and read back.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  char buf[8];
  int fd = open("scratch.tmp", O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return 1;
  unlink("scratch.tmp");
  write(fd, "tmpdata", 7);
  lseek(fd, 0, SEEK_SET);
  read(fd, buf, sizeof buf);
  close(fd);
  return 0;
}
