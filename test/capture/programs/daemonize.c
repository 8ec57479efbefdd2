// Daemonizes: the parent exits at once; the child detaches, waits, and
// writes a file after its parent is gone.
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  pid_t pid = fork();
  if (pid != 0) return 0;
  setsid();
  if (fork() != 0) _exit(0);
  usleep(300000);
  int fd = open("daemon.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "d", 1);
  close(fd);
  return 0;
}
