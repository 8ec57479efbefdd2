// fd juggling before exec: dup2 onto stdout, F_DUPFD, close-on-exec; the
// exec'd program writes through the inherited fd.
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) return 1;
  int fd = open("dup-out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int high = fcntl(fd, F_DUPFD, 10);
  dup2(high, 1);
  close(fd);
  close(high);
  int hidden = open("hidden.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  (void)hidden;
  char *args[] = {argv[1], "via-dup\n", 0};
  execv(argv[1], args);
  return 127;
}
