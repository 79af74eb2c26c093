/* The pod sandbox's process: waits for a signal, reaps nothing, exits cleanly on SIGTERM/SIGINT.
   Built statically into a FROM scratch image, so the cluster never pulls registry.k8s.io/pause. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void stop (int sig) { (void)sig; _exit(0); }

int main (void) {
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  for (;;) pause();
  return 1;
}
