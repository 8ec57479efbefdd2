// Writes N small files (default 10000) into the directory "many".
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  char name[64];
  mkdir("many", 0755);
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof name, "many/f%05d", i);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 1;
    write(fd, "z", 1);
    close(fd);
  }
  return 0;
}
