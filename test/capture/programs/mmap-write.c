// Writes a file only through a shared writable mapping.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
  int fd = open("mapped.bin", O_RDWR | O_CREAT, 0644);
  if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
  char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 2;
  close(fd);
  memcpy(p, "mapped", 6);
  msync(p, 4096, MS_SYNC);
  munmap(p, 4096);
  return 0;
}
