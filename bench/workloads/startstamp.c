/* Prints CLOCK_REALTIME in nanoseconds as its first act: the bench compares it
   with the time just before it spawned the tracer (start-up latency).
   Built static so main() is close to the program's first instruction. */
#include <stdio.h>
#include <time.h>

int main(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  return 0;
}
