// A second thread writes a file: the write belongs to the process, and the
// thread is not a new process.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
static void *work(void *arg) {
  (void)arg;
  int fd = open("thread.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "t", 1);
  close(fd);
  return 0;
}
int main(void) {
  pthread_t t;
  pthread_create(&t, 0, work, 0);
  pthread_join(t, 0);
  int fd = open("main.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "m", 1);
  close(fd);
  return 0;
}
