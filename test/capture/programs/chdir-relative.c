// Relative path after chdir: reads sub/in.txt as "in.txt" after chdir("sub").
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  char buf[64];
  if (chdir("sub") != 0) return 1;
  int fd = open("in.txt", O_RDONLY);
  if (fd < 0) return 2;
  read(fd, buf, sizeof buf);
  close(fd);
  int out = open("../out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(out, "x", 1);
  close(out);
  return 0;
}
