// O_APPEND: adds a line to an existing log.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  int fd = open("log.txt", O_WRONLY | O_APPEND);
  if (fd < 0) return 1;
  write(fd, "more\n", 5);
  close(fd);
  return 0;
}
