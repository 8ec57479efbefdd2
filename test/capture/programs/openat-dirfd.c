// openat with a dirfd: the path is relative to the directory fd, not the cwd.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  char buf[64];
  int dir = open("data", O_RDONLY | O_DIRECTORY);
  if (dir < 0) return 1;
  int fd = openat(dir, "in.txt", O_RDONLY);
  if (fd < 0) return 2;
  read(fd, buf, sizeof buf);
  close(fd);
  int out = openat(dir, "../result.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(out, "y", 1);
  close(out);
  close(dir);
  return 0;
}
