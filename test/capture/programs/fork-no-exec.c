// fork without exec: the child writes child.txt, the parent reads in.txt.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("child.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, "c", 1);
    close(fd);
    _exit(0);
  }
  char buf[16];
  int fd = open("in.txt", O_RDONLY);
  read(fd, buf, sizeof buf);
  close(fd);
  int status;
  waitpid(pid, &status, 0);
  return 0;
}
