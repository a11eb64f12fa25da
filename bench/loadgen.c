// SPDX-License-Identifier: GPL-2.0
/*
 * loadgen.c - the load generator of `make bench`: threads that call
 * sendto() in a tight loop, for a while, and say how many calls they made
 * and how long one took.  Each thread is pinned: by default one thread per
 * online CPU, or with -C all threads on that CPU.  The process takes the
 * comm given with -n, so a tracer's count for that comm is what it sent.
 * It prints one line: mode=, threads=, cpu=, calls=, ok=, and ns= and
 * cpu_ns=, the wall-clock and CPU time of one call, averaged over the
 * threads.  Nothing goes anywhere but 127.0.0.1.  Needs root for the echo
 * mode (a raw socket).  Build: cc -O2 -pthread -o loadgen loadgen.c.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/icmp.h>

#define PAYLOAD_LEN	64	/* bytes per send: ping's 56 and the header */
#define WARMUP		1000	/* untimed calls per thread, counted all the same */
#define MAX_THREADS	256

/*
 * The modes.  echo and udp go through the network stack; the ebadf modes
 * fail at once in the kernel (fd -1), after the tracepoint, so they measure
 * the tracepoint and the program and little else.
 */
enum mode { ECHO, UDP, EBADF_ECHO, EBADF_OTHER, EBADF_NULL, GETPPID };

static const struct {
	const char *name;
	const char *what;
} modes[] = {
	[ECHO]		= { "echo",	   "echo requests on a raw ICMP socket to 127.0.0.1" },
	[UDP]		= { "udp",	   "UDP payloads to a closed port of 127.0.0.1" },
	[EBADF_ECHO]	= { "ebadf-echo",  "an echo request to 127.0.0.1 on fd -1" },
	[EBADF_OTHER]	= { "ebadf-other", "a payload that is no echo request to 127.0.0.1 on fd -1" },
	[EBADF_NULL]	= { "ebadf-null",  "an echo request to a NULL address on fd -1" },
	[GETPPID]	= { "getppid",	   "getppid(): a system call that sends nothing" },
};

struct worker {
	pthread_t thread;
	int cpu;
	int fd;
	uint64_t calls;		/* all calls, the warm-up included */
	uint64_t ok;		/* calls that returned >= 0 */
	uint64_t timed;		/* calls between the start and the stop */
	uint64_t ns;		/* the time they took */
	uint64_t cpu_ns;	/* of which this thread was on a CPU */
};

static enum mode mode;
static unsigned char echo[PAYLOAD_LEN], other[PAYLOAD_LEN];
static struct sockaddr_in dest;
static pthread_barrier_t start;
static atomic_int stop;

static void __attribute__((noreturn)) usage(void)
{
	size_t i;

	fprintf(stderr, "usage: loadgen [-C cpu] [-d secs] [-n comm] [-t threads] mode\n");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, "  %-12s %s\n", modes[i].name, modes[i].what);
	exit(2);
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* The Internet checksum (RFC 1071), so the echo request is a real one. */
static uint16_t in_cksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The echo request: type 8, code 0, id and sequence number not 0, and so
 * a checksum that is not 0 either; the reference counts exactly these.
 * The other payload starts with 'x' (type 120): one read rejects it.
 */
static void make_payloads(void)
{
	struct icmphdr *h = (struct icmphdr *)echo;
	uint16_t sum;
	size_t i;

	for (i = sizeof(*h); i < sizeof(echo); i++)
		echo[i] = (unsigned char)i;
	h->type = ICMP_ECHO;
	h->code = 0;
	h->un.echo.id = htons(0x4242);
	h->un.echo.sequence = htons(1);
	h->checksum = 0;
	sum = in_cksum(echo, sizeof(echo));
	memcpy(&h->checksum, (unsigned char[]){ sum >> 8, sum & 0xff }, 2);
	memset(other, 'x', sizeof(other));
}

/* A UDP port of 127.0.0.1 that nothing listens on: one just let go. */
static in_port_t closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		err(1, "cannot find a closed UDP port");
	close(fd);
	return a.sin_port;
}

static int open_socket(void)
{
	/* Drop every ICMP message that comes back to the raw socket. */
	struct icmp_filter all = { .data = ~0U };
	int fd;

	switch (mode) {
	case ECHO:
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd < 0)
			err(1, "cannot open a raw ICMP socket (run as root)");
		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &all, sizeof(all)) != 0)
			err(1, "cannot set ICMP_FILTER");
		return fd;
	case UDP:
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			err(1, "cannot open a UDP socket");
		return fd;
	default:
		return -1;
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;
	const struct sockaddr *to = (const struct sockaddr *)&dest;
	const void *buf = mode == UDP || mode == EBADF_OTHER ? other : echo;
	socklen_t tolen = sizeof(dest);
	uint64_t calls = 0, ok = 0, t0, c0;
	cpu_set_t set;
	int fd = w->fd;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		errx(1, "cannot pin a thread to CPU %d", w->cpu);
	if (mode == EBADF_NULL) {
		to = NULL;
		tolen = 0;
	}
	for (; calls < WARMUP; calls++)
		ok += mode == GETPPID ? syscall(SYS_getppid) >= 0 :
		      sendto(fd, buf, PAYLOAD_LEN, 0, to, tolen) >= 0;
	pthread_barrier_wait(&start);

	/* The loop measured: one relaxed load beside each call. */
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (mode == GETPPID) {
		while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
			ok += syscall(SYS_getppid) >= 0;
			calls++;
		}
	}
	while (mode != GETPPID &&
	       !atomic_load_explicit(&stop, memory_order_relaxed)) {
		ok += sendto(fd, buf, PAYLOAD_LEN, 0, to, tolen) >= 0;
		calls++;
	}
	w->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	w->ns = now_ns(CLOCK_MONOTONIC) - t0;
	w->timed = calls - WARMUP;
	w->calls = calls;
	w->ok = ok;
	return NULL;
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static struct worker w[MAX_THREADS];
	const char *comm = NULL;
	struct timespec d;
	double secs = 1, per_call = 0, cpu_per_call = 0;
	uint64_t calls = 0, ok = 0;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = -1, threads = 0, i, ch;
	char *end;

	while ((ch = getopt(argc, argv, "C:d:n:t:")) != -1) {
		switch (ch) {
		case 'C':
			cpu = (int)number(optarg, 0, CPU_SETSIZE - 1);
			break;
		case 'd':
			secs = strtod(optarg, &end);
			if (end == optarg || *end || !(secs > 0 && secs < 3600))
				usage();
			break;
		case 'n':
			comm = optarg;
			break;
		case 't':
			threads = (int)number(optarg, 1, MAX_THREADS);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	for (mode = 0; mode < sizeof(modes) / sizeof(modes[0]); mode++)
		if (strcmp(argv[optind], modes[mode].name) == 0)
			break;
	if (mode == sizeof(modes) / sizeof(modes[0]))
		usage();
	if (ncpus < 1)
		ncpus = 1;
	if (threads == 0)
		threads = cpu >= 0 ? 1 : (int)(ncpus < MAX_THREADS ? ncpus : MAX_THREADS);

	/* The comm first: threads inherit it. */
	if (comm && prctl(PR_SET_NAME, comm) != 0)
		err(1, "cannot set the comm to %s", comm);
	make_payloads();
	dest.sin_family = AF_INET;
	dest.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (mode == UDP)
		dest.sin_port = closed_port();
	if (pthread_barrier_init(&start, NULL, (unsigned)threads + 1) != 0)
		errx(1, "cannot make a barrier");
	for (i = 0; i < threads; i++) {
		w[i].cpu = cpu >= 0 ? cpu : i % (int)ncpus;
		w[i].fd = open_socket();
		if (pthread_create(&w[i].thread, NULL, run, &w[i]) != 0)
			errx(1, "cannot start thread %d", i);
	}

	/* Start them together, let them run, stop them together. */
	pthread_barrier_wait(&start);
	d.tv_sec = (time_t)secs;
	d.tv_nsec = (long)((secs - (double)d.tv_sec) * 1e9);
	while (nanosleep(&d, &d) != 0 && errno == EINTR)
		;
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		calls += w[i].calls;
		ok += w[i].ok;
		per_call += (double)w[i].ns / (double)(w[i].timed ? w[i].timed : 1);
		cpu_per_call += (double)w[i].cpu_ns /
				(double)(w[i].timed ? w[i].timed : 1);
	}
	printf("mode=%s threads=%d cpu=", modes[mode].name, threads);
	if (cpu >= 0)
		printf("%d", cpu);
	else
		printf("all");
	printf(" calls=%llu ok=%llu ns=%.2f cpu_ns=%.2f\n",
	       (unsigned long long)calls, (unsigned long long)ok,
	       per_call / threads, cpu_per_call / threads);
	return 0;
}
