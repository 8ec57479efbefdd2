// truncate(2) by path and ftruncate(2) by fd.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  if (truncate("by-path.txt", 2) != 0) return 1;
  int fd = open("by-fd.txt", O_RDWR);
  if (fd < 0 || ftruncate(fd, 1) != 0) return 2;
  close(fd);
  return 0;
}
