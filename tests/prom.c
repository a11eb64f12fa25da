// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the Prometheus tier: --prom against the real thing.
 *
 * The fleet run: icmpcount -i 1 --prom DIR/icmpcount.prom traces while
 * senders of our own, each with its own comm (some of them hostile: quotes,
 * a backslash, a newline, control bytes, bytes that are not UTF-8), and a
 * real ping send echo requests on loopback.  prometheus-node-exporter reads
 * DIR with its textfile collector, and a prometheus server scrapes it every
 * second.  Each series is then checked three times: in the file (which
 * promtool must accept), in what node_exporter serves, and in what
 * Prometheus' HTTP API answers.
 *
 * The outage run: icmpcount -i 1 writes the file while a reader reads it
 * over and over, and the directory is taken away in four ways (removed, a
 * file in its place, mounted read-only, full).  Each must be said once on
 * stderr, tracing must go on, the file must come back once mended, and no
 * temporary file may be left.
 *
 * Every comm ends in four letters from our pid, so that test runs at the
 * same time on this machine count apart; what other processes send shows
 * in the file too, so files are read whole, however big.  The daemons
 * listen on loopback on free ports, are our children, and are stopped at
 * the end.  A case SKIPs only when a program it needs is not installed:
 * the packages prometheus (promtool too), prometheus-node-exporter, curl,
 * iputils-ping.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "icmpcount.h"
#include "test.h"

#define PROM_FILE	"icmpcount.prom"
#define PROM_TMP	".icmpcount.prom."	/* write_prom()'s temporary files */
#define METRIC		"icmpcount_echo_requests_total"
#define PROM_WAIT	30.0	/* seconds Prometheus gets to show every value */
#define BIG		(16 << 20)	/* room for a file of 10240 comms, twice */
#define SENDS		3	/* each sender's echo requests, at first */
#define CUM_MORE	2	/* icp_cum's, after the first tick */

/*
 * Every comm ends in our pid's low 16 bits, as four letters a-p: never a
 * digit, since iputils' ping takes a name ending in 6 for ping6.
 */
static char suffix[5];
static char top[64];		/* our temporary directory */

/*
 * A label value as the text exposition format writes it: backslash, quote
 * and newline escaped, every other byte as it is.  Written here from the
 * format's rules, not taken from output.c.
 */
static void prom_escape(char *out, size_t size, const char *s)
{
	out[0] = '\0';
	for (; *s; s++) {
		if (*s == '\\')
			app(out, size, "\\\\");
		else if (*s == '"')
			app(out, size, "\\\"");
		else if (*s == '\n')
			app(out, size, "\\n");
		else
			app(out, size, "%c", *s);
	}
}

/* The same value in a PromQL string: every byte but [A-Za-z0-9_] as \xHH. */
static void promql_escape(char *out, size_t size, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	out[0] = '\0';
	for (; *u; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || *u == '_')
			app(out, size, "%c", *u);
		else
			app(out, size, "\\x%02x", *u);
	}
}

/* Bytes for an EXP:/RES: line: printable ASCII as it is, others as \xHH. */
static void show_bytes(char *out, size_t size, const char *s, size_t n,
		       int keep_newlines)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((u[i] == '\n' && keep_newlines) ||
		    (u[i] >= 0x20 && u[i] < 0x7f))
			app(out, size, "%c", u[i]);
		else if (u[i] == '\n')
			app(out, size, "\\n");
		else
			app(out, size, "\\x%02x", u[i]);
	}
}

static const char *shown(const char *s, char *out, size_t size)
{
	out[0] = '\0';
	show_bytes(out, size, s, strlen(s), 0);
	return out;
}

/*
 * What of an exposition a RES: line shows: the comment lines and the lines
 * of this run (they hold its suffix), bytes as show_bytes().  The rest is
 * other processes' traffic.
 */
static const char *excerpt(const char *text)
{
	static char out[64 * 1024];
	const char *p = text, *nl;
	long others = 0;

	out[0] = '\0';
	if (!text)
		return "(none)";
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (*p == '#' || strncmp(p, "node_", 5) == 0 ||
		    strncmp(p, "icmpcount_not", 13) == 0 ||
		    strncmp(p, "icmpcount_dropped", 17) == 0 ||
		    memmem(p, (size_t)(nl - p), suffix, strlen(suffix))) {
			show_bytes(out, sizeof(out), p, (size_t)(nl - p), 0);
			app(out, sizeof(out), "\n");
		} else if (nl > p) {
			others++;
		}
		if (!*nl)
			break;
	}
	app(out, sizeof(out), "(and %ld lines of other processes)", others);
	return out;
}

static int count_of_text(const char *text, const char *needle)
{
	int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/*
 * Reads a whole file into buf + 1, with buf[0] = '\n' so that every line
 * starts after one; -1 if it cannot.
 */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	buf[0] = '\n';
	buf[1] = '\0';
	if (read_text(path, buf + 1, size - 1) != 0 && errno != EFBIG)
		return -1;
	return (ssize_t)strlen(buf + 1);
}

static int spit(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, len) == (ssize_t)len;
	return close(fd) == 0 && ok ? 0 : -1;
}

/* Where prog is in PATH, in out; 0 if it is there. */
static int which(const char *prog, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s",
		 path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", dir, prog);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/*
 * Processes whose output goes to files in our directory, not to pipes:
 * icmpcount -i 1 prints every comm of the machine, and a daemon logs what
 * it likes, with no one to read a pipe.  They die with us
 * (PR_SET_PDEATHSIG) should we die first.
 */
struct proc {
	pid_t pid;
	int status;
	int timed_out;
	char out[128], err[128];	/* the files */
};

static int proc_start(struct proc *p, const char *name,
		      const char *const argv[])
{
	char *v[24];
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->out, sizeof(p->out), "%s/%s.out", top, name);
	snprintf(p->err, sizeof(p->err), "%s/%s.err", top, name);
	for (i = 0; i < ARRAY_SIZE(v) - 1 && argv[i]; i++)
		v[i] = strdup(argv[i]);
	v[i] = NULL;
	if (!v[0])
		return -1;
	p->pid = fork();
	if (p->pid == 0) {
		int out = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(p->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (out < 0 || err < 0 || in < 0 || dup2(in, 0) < 0 ||
		    dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		execvp(v[0], v);
		_exit(127);
	}
	for (i = 0; v[i]; i++)
		free(v[i]);
	return p->pid > 0 ? 0 : -1;
}

/* Whether it has ended (its status then in p->status). */
static int proc_ended(struct proc *p)
{
	if (p->pid <= 0)
		return 1;
	if (waitpid(p->pid, &p->status, WNOHANG) != p->pid)
		return 0;
	p->pid = 0;
	return 1;
}

/* Sends sig (0: none) and waits for the end; SIGKILL after seconds. */
static void proc_end(struct proc *p, int sig, double seconds)
{
	double end = now() + seconds;

	if (p->pid <= 0)
		return;
	if (sig)
		kill(p->pid, sig);
	while (!proc_ended(p)) {
		if (now() > end) {
			p->timed_out = 1;
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &p->status, 0);
			p->pid = 0;
			break;
		}
		usleep(10 * 1000);
	}
}

static int proc_exited(const struct proc *p, int code)
{
	return !p->timed_out && WIFEXITED(p->status) &&
	       WEXITSTATUS(p->status) == code;
}

/* Waits until file has needle past offset from; 0 when it has. */
static int wait_for_text(const char *file, size_t from, const char *needle,
			 double seconds)
{
	static char buf[BIG];
	double end = now() + seconds;

	do {
		ssize_t n = slurp(file, buf, sizeof(buf));

		if (n >= 0 && (size_t)n >= from && strstr(buf + 1 + from, needle))
			return 0;
		usleep(20 * 1000);
	} while (now() < end);
	return -1;
}

/* A small program run to its end, output on pipes (run.c); 0 if exit 0. */
static int run_to_end(struct run *r, const char *const argv[], double seconds)
{
	if (run_start(r, argv, 0) != 0 || run_finish(r, 0, seconds) != 0)
		return -1;
	return exited_with(r, 0) && !r->timed_out ? 0 : -1;
}

/* promtool check metrics < path: 0 if it accepts the file; says why not. */
static int promtool_check(const char *path, char *says, size_t size)
{
	const char *argv[] = { "sh", "-c", "exec promtool check metrics < \"$1\"",
			       "sh", path, NULL };
	static struct run r;
	int ok = run_to_end(&r, argv, 30);

	says[0] = '\0';
	app(says, size, "%s%s", r.out, r.err);
	return ok;
}

/*
 * GET url into the file body (curl -o, so size is no matter), with a
 * PromQL query when query is not NULL; 0 if curl got a 2xx answer.
 */
static int http_get(const char *url, const char *query, const char *body)
{
	char q[1024];
	const char *argv[] = { "curl", "-sS", "-f", "-m", "5", "-o", body, url,
			       "--get", "--data-urlencode", q, NULL };
	static struct run r;

	if (!query)
		argv[8] = NULL;
	snprintf(q, sizeof(q), "query=%s", query ? query : "");
	return run_to_end(&r, argv, 10);
}

/* rm -rf path. */
static void remove_tree(const char *path)
{
	const char *argv[] = { "rm", "-rf", path, NULL };
	static struct run r;

	run_to_end(&r, argv, 30);
}

/*
 * The senders.  Each is a process of its own with its comm set by
 * prctl(PR_SET_NAME) (any bytes but NUL, at most 15), sending valid echo
 * requests to 127.0.0.1 on a raw socket, as kern.c's sender cases do; or a
 * real ping, run through a symlink so that its comm is our own.
 */
static const unsigned char echo_hdr[8] = { 8, 0, 0x12, 0x34, 0x56, 0x78, 0, 1 };
static const unsigned char seq0_hdr[8] = { 8, 0, 0x12, 0x34, 0x56, 0x78, 0, 0 };

static int send_echo(const char *comm, int n, const unsigned char *hdr)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sockaddr_in to = { .sin_family = AF_INET };
		unsigned char buf[64] = { 0 };
		int fd, i;

		prctl(PR_SET_NAME, comm);
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		memcpy(buf, hdr, 8);
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd < 0)
			_exit(3);
		/*
		 * icmpcount counts a call on entry, whether it succeeds or
		 * not: a busy loopback (ENOBUFS) is no reason to send again.
		 */
		for (i = 0; i < n; i++)
			sendto(fd, buf, sizeof(buf), MSG_DONTWAIT,
			       (struct sockaddr *)&to, sizeof(to));
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

static char ping_path[4096];
static char ping_says[1024];	/* how ping failed */

/*
 * ping -c N -i 0.2 127.0.0.1, its comm ours by way of a symlink.  It
 * exits 1 when a reply is missing, which says nothing of what it sent.
 */
static int send_ping(const char *comm, int n)
{
	char link[256], count[16];
	const char *argv[] = { link, "-c", count, "-i", "0.2", "-W", "1", "-q",
			       "127.0.0.1", NULL };
	static struct run r;

	snprintf(link, sizeof(link), "%s/%s", top, comm);
	snprintf(count, sizeof(count), "%d", n);
	unlink(link);
	if (symlink(ping_path, link) != 0 || run_start(&r, argv, 0) != 0 ||
	    run_finish(&r, 0, 10) != 0) {
		ping_says[0] = '\0';
		app(ping_says, sizeof(ping_says), "cannot run %s: %s",
		    ping_path, strerror(errno));
		return -1;
	}
	if (!r.timed_out && (exited_with(&r, 0) || exited_with(&r, 1)))
		return 0;
	ping_says[0] = '\0';
	app(ping_says, sizeof(ping_says), "status 0x%x%s, said:\n%s%s",
	    r.status, r.timed_out ? " (timed out)" : "", r.out, r.err);
	return -1;
}

/* The line of label in an exposition: how many there are, the last value. */
static int series_lines(const char *text, const char *label, long *value)
{
	char esc[256], head[320];
	const char *p = text;
	int n = 0;

	prom_escape(esc, sizeof(esc), label);
	snprintf(head, sizeof(head), "\n" METRIC "{comm=\"%s\",family=\"ipv4\"} ",
		 esc);
	*value = -1;
	while ((p = strstr(p, head)) != NULL) {
		p += strlen(head);
		*value = strtol(p, NULL, 10);
		n++;
	}
	return n;
}

/* Waits until the file has one line for label, at value; 0 when it has. */
static int wait_file_value(const char *file, const char *label, long value,
			   double seconds)
{
	static char buf[BIG];
	double end = now() + seconds;
	long v;

	do {
		if (slurp(file, buf, sizeof(buf)) >= 0 &&
		    series_lines(buf, label, &v) == 1 && v == value)
			return 0;
		usleep(20 * 1000);
	} while (now() < end);
	return -1;
}

/*
 * Daemons: prometheus-node-exporter and prometheus, on 127.0.0.1 at a
 * port that was free a moment ago.
 */
struct daemon {
	struct proc proc;
	int up;
	int port;
	char url[64];		/* http://127.0.0.1:PORT */
	char why[2048];		/* why it did not start */
};

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* The last lines a daemon logged. */
static const char *log_tail(const struct daemon *d)
{
	static char buf[BIG];
	ssize_t n = slurp(d->proc.err, buf, sizeof(buf));
	const char *p;
	int lines = 0;

	if (n <= 0)
		return "(nothing)";
	for (p = buf + n; p > buf + 1; p--)
		if (*p == '\n' && ++lines > 8)
			return p + 1;
	return buf + 1;
}

/*
 * Starts argv, "{PORT}" in an argument made the port, and waits until GET
 * ready_path answers.  A port taken meanwhile makes the daemon exit: then
 * it tries another, three times in all.
 */
static void start_daemon(struct daemon *d, const char *name,
			 const char *const argv[], const char *ready_path)
{
	char args[16][512], ready[128], body[192];
	const char *v[16];
	int tries;

	snprintf(body, sizeof(body), "%s/%s.ready", top, name);
	for (tries = 0; tries < 3 && !d->up; tries++) {
		double end;
		size_t i;

		d->port = free_port();
		for (i = 0; i < ARRAY_SIZE(v) - 1 && argv[i]; i++) {
			const char *p = strstr(argv[i], "{PORT}");

			if (p)
				snprintf(args[i], sizeof(args[i]), "%.*s%d%s",
					 (int)(p - argv[i]), argv[i], d->port,
					 p + 6);
			else
				snprintf(args[i], sizeof(args[i]), "%s", argv[i]);
			v[i] = args[i];
		}
		v[i] = NULL;
		snprintf(d->url, sizeof(d->url), "http://127.0.0.1:%d", d->port);
		snprintf(ready, sizeof(ready), "%s%s", d->url, ready_path);
		if (d->port < 0 || proc_start(&d->proc, name, v) != 0)
			break;
		for (end = now() + 20; now() < end && !proc_ended(&d->proc);) {
			if (http_get(ready, NULL, body) == 0) {
				d->up = 1;
				return;
			}
			usleep(100 * 1000);
		}
		proc_end(&d->proc, SIGTERM, 10);
	}
	snprintf(d->why, sizeof(d->why),
		 "%s did not answer on 127.0.0.1; its log ends:\n%s", name,
		 log_tail(d));
}

/*
 * The fleet run.  Each sender sends once, icp_cum last; once the file
 * shows icp_cum at 3 (so a tick came after every first send), icp_cum
 * sends twice more, and every series then has its final value.
 */
enum send_kind { K_ECHO, K_SEQ0, K_PING };

static struct sender {
	const char *prefix;	/* the comm, before the suffix */
	enum send_kind kind;
	char comm[COMM_LEN];
} senders[] = {
	{ .prefix = "icp_ping", .kind = K_PING },
	{ .prefix = "i\"q\\}\n{,=", .kind = K_ECHO },
	{ .prefix = "ic\t\r\x01\x7f", .kind = K_ECHO },
	{ .prefix = "ic\xff\xfe", .kind = K_ECHO },
	{ .prefix = "\x80icp", .kind = K_ECHO },
	{ .prefix = "\xef\xbf\xbdicp", .kind = K_ECHO },
	{ .prefix = "\xef\xbf\xbdicq", .kind = K_ECHO },
	{ .prefix = "\xf5icq", .kind = K_ECHO },
	{ .prefix = "icp_seq0", .kind = K_SEQ0 },
	{ .prefix = "icp_cum", .kind = K_ECHO },	/* last: see above */
};

/* The series the senders make, and what each layer showed of them. */
static struct series {
	const char *name;
	const char *prefix;	/* the label value, before the suffix */
	long value;
	int needs_ping;
	char label[64];
	int n[3];		/* lines or results: file, node_exporter, Prometheus */
	long v[3];		/* the value there */
} series[] = {
	{ .name = "a real ping -c 3 -i 0.2 127.0.0.1 counts 3",
	  .prefix = "icp_ping", .value = SENDS, .needs_ping = 1 },
	{ .name = "a comm that sent 3, then 2 after a tick, is at 5: counters are cumulative",
	  .prefix = "icp_cum", .value = SENDS + CUM_MORE },
	{ .name = "a comm with quotes, a backslash, braces, a comma, = and a newline is exact",
	  .prefix = "i\"q\\}\n{,=", .value = SENDS },
	{ .name = "a comm with a tab, CR, ^A and DEL keeps them as they are",
	  .prefix = "ic\t\r\x01\x7f", .value = SENDS },
	{ .name = "a comm with bytes that are not UTF-8 has U+FFFD for each",
	  .prefix = "ic\xef\xbf\xbd\xef\xbf\xbd", .value = SENDS },
	{ .name = "comms \\x80icp and U+FFFD icp share one series, summed (6)",
	  .prefix = "\xef\xbf\xbdicp", .value = 2L * SENDS },
	{ .name = "comms U+FFFD icq and \\xf5icq share one series, summed (6)",
	  .prefix = "\xef\xbf\xbdicq", .value = 2L * SENDS },
};

enum layer { L_FILE, L_NODE, L_PROM };

static struct fleet {
	int done;
	char dir[128], file[192];
	struct daemon node, prom;
	int started, sent;		/* icmpcount traced; senders all sent */
	char unsent[64];		/* a sender that could not */
	int ping_ok;			/* ping ran */
	int tick1, tick2;		/* the file showed icp_cum at 3, at 5 */
	char *text, *scrape;		/* the file, and node_exporter's page */
	int file_ok, node_ok;		/* promtool accepted them */
	char file_says[4096], node_says[4096];
	double prom_secs;		/* until Prometheus had every value */
	struct proc run;		/* icmpcount */
	char *out, *err;		/* its output */
} fleet;

/* Every sender sends; 0 if all could.  ping's failure is its case's. */
static int fleet_send(void)
{
	size_t i;
	int r = 0;

	for (i = 0; i < ARRAY_SIZE(senders); i++) {
		struct sender *s = &senders[i];

		if (s->kind == K_PING)
			fleet.ping_ok = ping_path[0] && send_ping(s->comm, SENDS) == 0;
		else if (send_echo(s->comm, SENDS,
				   s->kind == K_SEQ0 ? seq0_hdr : echo_hdr) != 0) {
			shown(s->comm, fleet.unsent, sizeof(fleet.unsent));
			r = -1;
		}
	}
	return r;
}

static void fleet_node_exporter(void)
{
	char arg_dir[300];
	const char *argv[] = { "prometheus-node-exporter",
			       "--collector.disable-defaults",
			       "--collector.textfile", arg_dir,
			       "--web.disable-exporter-metrics",
			       "--web.listen-address=127.0.0.1:{PORT}", NULL };

	snprintf(arg_dir, sizeof(arg_dir), "--collector.textfile.directory=%s",
		 fleet.dir);
	start_daemon(&fleet.node, "node-exporter", argv, "/metrics");
}

static void fleet_prometheus(void)
{
	char conf[256], yml[512], arg_conf[300], arg_db[300];
	const char *argv[] = { "prometheus", arg_conf, arg_db,
			       "--web.listen-address=127.0.0.1:{PORT}",
			       "--log.level=warn", NULL };

	snprintf(conf, sizeof(conf), "%s/prometheus.yml", top);
	snprintf(yml, sizeof(yml),
		 "global:\n"
		 "  scrape_interval: 1s\n"
		 "  scrape_timeout: 1s\n"
		 "scrape_configs:\n"
		 "  - job_name: node\n"
		 "    static_configs:\n"
		 "      - targets: ['127.0.0.1:%d']\n", fleet.node.port);
	snprintf(arg_conf, sizeof(arg_conf), "--config.file=%s", conf);
	snprintf(arg_db, sizeof(arg_db), "--storage.tsdb.path=%s/tsdb", top);
	if (spit(conf, yml) != 0) {
		snprintf(fleet.prom.why, sizeof(fleet.prom.why),
			 "cannot write %s", conf);
		return;
	}
	start_daemon(&fleet.prom, "prometheus", argv, "/-/ready");
}

/* Prometheus: how many series the query for label found, and the value. */
static int prom_query(const char *label, long *value)
{
	static char buf[64 * 1024];
	char esc[512], query[640], url[128], body[192];
	const char *p;

	promql_escape(esc, sizeof(esc), label);
	snprintf(query, sizeof(query), METRIC "{comm=\"%s\"}", esc);
	snprintf(url, sizeof(url), "%s/api/v1/query", fleet.prom.url);
	snprintf(body, sizeof(body), "%s/query.json", top);
	*value = -1;
	if (http_get(url, query, body) != 0 || slurp(body, buf, sizeof(buf)) < 0 ||
	    !strstr(buf, "\"status\":\"success\""))
		return -1;
	p = strstr(buf, "\"value\":[");
	if (p && (p = strstr(p, ",\"")))
		*value = strtol(p + 2, NULL, 10);
	return count_of_text(buf, "\"metric\":");
}

/* Polls Prometheus until every series is at its value, or PROM_WAIT. */
static void fleet_poll_prometheus(void)
{
	double start = now(), end = start + PROM_WAIT;
	size_t i;
	int all;

	do {
		all = 1;
		for (i = 0; i < ARRAY_SIZE(series); i++) {
			struct series *s = &series[i];

			if (s->needs_ping && !fleet.ping_ok)
				continue;
			s->n[L_PROM] = prom_query(s->label, &s->v[L_PROM]);
			if (s->n[L_PROM] != 1 || s->v[L_PROM] != s->value)
				all = 0;
		}
		if (!all)
			usleep(250 * 1000);
	} while (!all && now() < end);
	fleet.prom_secs = now() - start;
}

static void fleet_go(void)
{
	static char text[BIG], scrape[BIG], out_text[BIG], err_text[BIG];
	const char *argv[] = { icmpcount_path, "-i", "1", "--prom", fleet.file,
			       NULL };
	const char *cum = senders[ARRAY_SIZE(senders) - 1].comm;
	char scraped[192], url[128];
	size_t i;

	fleet.done = 1;
	if (which("ping", ping_path, sizeof(ping_path)) != 0)
		ping_path[0] = '\0';
	snprintf(fleet.dir, sizeof(fleet.dir), "%s/textfile", top);
	snprintf(fleet.file, sizeof(fleet.file), "%s/" PROM_FILE, fleet.dir);
	if (mkdir(fleet.dir, 0755) != 0)
		return;

	/* The daemons first: Prometheus takes a few seconds to be ready. */
	if (have("prometheus-node-exporter") && have("curl")) {
		fleet_node_exporter();
		if (fleet.node.up && have("prometheus"))
			fleet_prometheus();
	}

	fleet.started = proc_start(&fleet.run, "icmpcount-fleet", argv) == 0 &&
			wait_for_text(fleet.run.out, 0,
				      "Tracing sendto() syscalls.\n", 10) == 0;
	if (fleet.started) {
		fleet.sent = fleet_send() == 0;
		fleet.tick1 = wait_file_value(fleet.file, cum, SENDS, 5) == 0;
		if (fleet.tick1 && send_echo(cum, CUM_MORE, echo_hdr) != 0)
			fleet.sent = 0;
		fleet.tick2 = wait_file_value(fleet.file, cum, SENDS + CUM_MORE,
					      5) == 0;
	}
	if (slurp(fleet.file, text, sizeof(text)) >= 0) {
		fleet.text = text;
		if (have("promtool"))
			fleet.file_ok = promtool_check(fleet.file, fleet.file_says,
						       sizeof(fleet.file_says)) == 0;
	}
	if (fleet.node.up) {
		snprintf(url, sizeof(url), "%s/metrics", fleet.node.url);
		snprintf(scraped, sizeof(scraped), "%s/scrape.txt", top);
		if (http_get(url, NULL, scraped) == 0 &&
		    slurp(scraped, scrape, sizeof(scrape)) >= 0) {
			fleet.scrape = scrape;
			if (have("promtool"))
				fleet.node_ok = promtool_check(scraped,
						fleet.node_says,
						sizeof(fleet.node_says)) == 0;
		}
	}
	if (fleet.prom.up)
		fleet_poll_prometheus();
	for (i = 0; i < ARRAY_SIZE(series); i++) {
		struct series *s = &series[i];

		if (fleet.text)
			s->n[L_FILE] = series_lines(fleet.text, s->label,
						    &s->v[L_FILE]);
		if (fleet.scrape)
			s->n[L_NODE] = series_lines(fleet.scrape, s->label,
						    &s->v[L_NODE]);
	}
	proc_end(&fleet.run, SIGINT, 10);
	proc_end(&fleet.prom.proc, SIGTERM, 10);
	proc_end(&fleet.node.proc, SIGTERM, 10);
	slurp(fleet.run.out, out_text, sizeof(out_text));
	slurp(fleet.run.err, err_text, sizeof(err_text));
	fleet.out = out_text;
	fleet.err = err_text;
}

/* Runs the fleet once, for the first case that needs it; 0 if it ran. */
static int fleet_ready(void)
{
	if (!fleet.done)
		fleet_go();
	if (fleet.started && fleet.sent && fleet.tick1 && fleet.tick2 &&
	    fleet.text)
		return 0;
	test_fail("EXP: icmpcount traced, every sender sent, the file showed "
		  "the first sends, then the later ones\n"
		  "RES: traced %d, sent %d%s%s, ticks %d %d, file %s\nstderr:\n%s",
		  fleet.started, fleet.sent, fleet.unsent[0] ? ", not by " : "",
		  fleet.unsent, fleet.tick1, fleet.tick2,
		  fleet.text ? "read" : "missing", fleet.err ? fleet.err : "");
	return -1;
}

/* Why a layer's cases cannot run here, or NULL. */
static const char *fleet_missing(enum layer layer)
{
	if (layer >= L_NODE && !have("curl"))
		return "curl is not installed";
	if (layer >= L_NODE && !have("prometheus-node-exporter"))
		return "prometheus-node-exporter is not installed";
	if (layer >= L_PROM && !have("prometheus"))
		return "prometheus is not installed";
	return NULL;
}

static void test_file(void)
{
	static const char *const heads[] = {
		"\n# HELP " METRIC " ",
		"\n# TYPE " METRIC " counter\n",
		"\n# HELP icmpcount_not_counted_total ",
		"\n# TYPE icmpcount_not_counted_total counter\n",
		"\n# HELP icmpcount_dropped_total ",
		"\n# TYPE icmpcount_dropped_total counter\n",
		"\nicmpcount_dropped_total ",
	};
	char show[256];
	long seq0 = -1;
	const char *p;
	size_t i;

	if (test_start("--prom: promtool check metrics accepts the file written during real sends")) {
		if (!have("promtool"))
			test_skip("promtool (package prometheus) is not installed");
		else if (fleet_ready() == 0)
			test_check(fleet.file_ok,
				   "EXP: promtool check metrics exits 0\n"
				   "RES: it said:\n%s\nthe file:\n%s",
				   fleet.file_says, excerpt(fleet.text));
	}
	if (test_start("--prom: HELP and TYPE counter for each counter; not_counted{reason=\"seq\"} has our 3") &&
	    fleet_ready() == 0) {
		for (i = 0; i < ARRAY_SIZE(heads); i++)
			if (!strstr(fleet.text, heads[i]))
				break;
		p = strstr(fleet.text, "\nicmpcount_not_counted_total{reason=\"seq\"} ");
		if (p)
			seq0 = strtol(strchr(p, '}') + 2, NULL, 10);
		test_check(i == ARRAY_SIZE(heads) && seq0 >= SENDS,
			   "EXP: a line starting \"%s\"; seq >= %d\n"
			   "RES: %s; seq %ld\nthe file:\n%s",
			   i < ARRAY_SIZE(heads) ?
			   shown(heads[i] + 1, show, sizeof(show)) : "...",
			   SENDS, i < ARRAY_SIZE(heads) ? "missing" : "all there",
			   seq0, excerpt(fleet.text));
	}
}

static void test_node_exporter(void)
{
	const char *missing = fleet_missing(L_NODE);
	long err = -1;
	const char *p;

	if (test_start("node_exporter reads the file: node_textfile_scrape_error 0")) {
		if (missing)
			test_skip("%s", missing);
		else if (fleet_ready() != 0)
			;
		else if (!fleet.scrape)
			test_fail("EXP: node_exporter serves its page\nRES: %s",
				  fleet.node.up ? "curl got nothing" : fleet.node.why);
		else {
			p = strstr(fleet.scrape, "\nnode_textfile_scrape_error ");
			if (p)
				err = strtol(p + 28, NULL, 10);
			test_check(err == 0 &&
				   strstr(fleet.scrape, "\n# TYPE " METRIC " counter\n"),
				   "EXP: node_textfile_scrape_error 0, and our counters\n"
				   "RES: %ld\n%s\nnode_exporter's log ends:\n%s",
				   err, excerpt(fleet.scrape), log_tail(&fleet.node));
		}
	}
	if (test_start("node_exporter: what it serves passes promtool check metrics")) {
		if (!missing && !have("promtool"))
			missing = "promtool (package prometheus) is not installed";
		if (missing)
			test_skip("%s", missing);
		else if (fleet_ready() == 0)
			test_check(fleet.scrape && fleet.node_ok,
				   "EXP: promtool check metrics exits 0\n"
				   "RES: it said:\n%s\nnode_exporter served:\n%s",
				   fleet.node_says, fleet.scrape ?
				   excerpt(fleet.scrape) : fleet.node.why);
	}
}

/* One case per series in a layer. */
static void test_series(enum layer layer)
{
	static const char *const where[] = { "--prom", "node_exporter",
					     "Prometheus" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(series); i++) {
		struct series *s = &series[i];
		const char *missing = fleet_missing(layer);
		char name[256], show[256], esc[256];

		snprintf(name, sizeof(name), "%s: %s", where[layer], s->name);
		if (!test_start(name))
			continue;
		if (!missing && s->needs_ping && !have("ping"))
			missing = "ping (iputils-ping) is not installed";
		if (missing) {
			test_skip("%s", missing);
			continue;
		}
		if (fleet_ready() != 0)
			continue;
		if (layer == L_NODE && !fleet.scrape) {
			test_fail("EXP: node_exporter serves its page\nRES: %s",
				  fleet.node.up ? "curl got nothing" : fleet.node.why);
			continue;
		}
		if (layer == L_PROM && !fleet.prom.up) {
			test_fail("EXP: prometheus runs\nRES: %s", fleet.prom.why);
			continue;
		}
		if (s->needs_ping && !fleet.ping_ok) {
			test_fail("EXP: ping -c %d -i 0.2 -W 1 -q 127.0.0.1 runs\nRES: %s",
				  SENDS, ping_says);
			continue;
		}
		prom_escape(esc, sizeof(esc), s->label);
		shown(esc, show, sizeof(show));
		if (layer != L_PROM)
			test_check(s->n[layer] == 1 && s->v[layer] == s->value,
				   "EXP: one line " METRIC "{comm=\"%s\",family=\"ipv4\"} %ld\n"
				   "RES: %d such lines, the last at %ld\n%s:\n%s",
				   show, s->value, s->n[layer], s->v[layer],
				   where[layer], excerpt(layer == L_FILE ?
							 fleet.text : fleet.scrape));
		else
			test_check(s->n[layer] == 1 && s->v[layer] == s->value,
				   "EXP: query " METRIC "{comm=\"%s\"} finds one series at %ld within %.0f s\n"
				   "RES: %d series, value %ld, after %.1f s",
				   show, s->value, PROM_WAIT, s->n[layer],
				   s->v[layer], fleet.prom_secs);
	}
}

static void test_intervals(void)
{
	const char *cum = senders[ARRAY_SIZE(senders) - 1].comm;
	char spec[512];

	if (!test_start("-i --prom: stdout has icp_cum's 3, then its 2, then 5 in all; exit 0 at SIGINT") ||
	    fleet_ready() != 0)
		return;
	snprintf(spec, sizeof(spec),
		 "Tracing sendto() syscalls.\n|\n@[%s]: %d\n|\n@[%s]: %d\n|"
		 "Done tracing sendto() syscalls.\n|\n@[%s]: %d\n",
		 cum, SENDS, cum, CUM_MORE, cum, SENDS + CUM_MORE);
	test_check(proc_exited(&fleet.run, 0) && has_in_order(fleet.out, spec),
		   "EXP: exit 0; stdout has, in order: %s\n"
		   "RES: status 0x%x\nstdout:\n%s\nstderr:\n%s",
		   spec, fleet.run.status, excerpt(fleet.out), fleet.err);
}

/*
 * The outage run.  icmpcount -i 1 --prom DIR/icmpcount.prom; a reader
 * reads the file again and again; each outage breaks DIR, a sender sends
 * during it, and once icmpcount has said so (and failed once more) it is
 * mended and the file must show that sender.  The mounts live in a mount
 * namespace of the tier's own, so nothing is left should we die.
 */
struct outage_ctx {
	char dir[160], file[192], filler[192];
};

static int dir_remove(const struct outage_ctx *o)
{
	int tries;

	if (unlink(o->file) != 0 && errno != ENOENT)
		return -1;
	/* A temporary file of icmpcount's may be there for an instant. */
	for (tries = 0; tries < 100; tries++) {
		if (rmdir(o->dir) == 0)
			return 0;
		if (errno != ENOTEMPTY && errno != EEXIST)
			return -1;
		usleep(1000);
	}
	return -1;
}

static int dir_make(const struct outage_ctx *o)
{
	return mkdir(o->dir, 0755);
}

static int dir_to_file(const struct outage_ctx *o)
{
	int fd;

	if (dir_remove(o) != 0)
		return -1;
	fd = open(o->dir, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return fd < 0 ? -1 : close(fd);
}

static int file_to_dir(const struct outage_ctx *o)
{
	return unlink(o->dir) == 0 ? dir_make(o) : -1;
}

static int mount_ro(const struct outage_ctx *o)
{
	if (mount(o->dir, o->dir, NULL, MS_BIND, NULL) != 0)
		return -1;
	return mount(NULL, o->dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

static int umount_dir(const struct outage_ctx *o)
{
	return umount2(o->dir, MNT_DETACH);
}

/*
 * A tmpfs over DIR, filled up.  It is large enough for the file and its
 * temporary copy however many comms this machine has (the file holds them
 * all), so that taking the filler away is enough to mend it.
 */
static int mount_full(const struct outage_ctx *o)
{
	static const char block[64 * 1024];
	int fd;

	if (mount("tmpfs", o->dir, "tmpfs", 0, "size=8m,mode=0755") != 0)
		return -1;
	fd = open(o->filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (write(fd, block, sizeof(block)) > 0)
		;
	if (errno != ENOSPC) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Room again on the same tmpfs: the filler goes (the mount stays). */
static int unfill(const struct outage_ctx *o)
{
	return unlink(o->filler);
}

static const struct outage {
	const char *name;
	const char *prefix;	/* the comm that sends during it */
	const char *err;	/* strerror() of the failure */
	int (*brk)(const struct outage_ctx *o);
	int (*mend)(const struct outage_ctx *o);
} outages[] = {
	{ .name = "the directory removed", .prefix = "icp_gone",
	  .err = "No such file or directory", .brk = dir_remove,
	  .mend = dir_make },
	{ .name = "a file where the directory was", .prefix = "icp_notdir",
	  .err = "Not a directory", .brk = dir_to_file, .mend = file_to_dir },
	{ .name = "the directory mounted read-only", .prefix = "icp_rofs",
	  .err = "Read-only file system", .brk = mount_ro,
	  .mend = umount_dir },
	{ .name = "the disk full", .prefix = "icp_full",
	  .err = "No space left on device", .brk = mount_full,
	  .mend = unfill },
};

static struct {
	int done, ns, started, base_sent;
	struct outage_ctx ctx;
	char base[COMM_LEN];
	struct {
		char comm[COMM_LEN];
		int reached, brk_errno, sent, said_within, said, tmp_left,
		    mended, recovered;
		char seen[2048];	/* the file, when it did not come back */
	} o[ARRAY_SIZE(outages)];
	int said_before;		/* "cannot write" lines before any outage */
	int tmp_end;			/* temporary files at the end */
	char tmp_names[512];
	long reads, absent, partial;	/* the reader's */
	char bad[512];			/* the first partial file it saw */
	struct proc run;		/* icmpcount */
	char *out, *err;		/* its output */
} outage;

/* Temporary files of write_prom() in dir; their names in outage.tmp_names. */
static int temporaries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, PROM_TMP, strlen(PROM_TMP)) == 0) {
			app(outage.tmp_names, sizeof(outage.tmp_names), "%s ", e->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/*
 * The reader: reads the file until its stop pipe closes, then writes what
 * it saw.  A whole file begins with the first HELP line and ends with the
 * dropped_total line.
 */
struct reader_says {
	long reads, absent, partial;
	char bad[512];
};

static int whole(const char *t, size_t len)
{
	static const char head[] = "# HELP " METRIC " ";
	static const char last[] = "\nicmpcount_dropped_total ";
	const char *p;

	if (len < strlen(head) || strncmp(t, head, strlen(head)) != 0 ||
	    t[len - 1] != '\n')
		return 0;
	p = strstr(t, last);
	if (!p)
		return 0;
	for (p += strlen(last); *p >= '0' && *p <= '9'; p++)
		;
	return p == t + len - 1;
}

static pid_t start_reader(const char *file, int *stop_w, int *says_r)
{
	int stop[2], says[2];
	pid_t pid;

	if (pipe2(stop, O_CLOEXEC) != 0 || pipe2(says, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		static char buf[BIG];
		struct reader_says r = { 0 };
		struct pollfd p = { .fd = stop[0], .events = POLLIN };
		ssize_t n;

		close(stop[1]);
		close(says[0]);
		while (poll(&p, 1, 0) == 0) {
			n = slurp(file, buf, sizeof(buf));
			r.reads++;
			if (n < 0) {
				r.absent++;
			} else if (!whole(buf + 1, (size_t)n) && !r.partial++) {
				show_bytes(r.bad, sizeof(r.bad), buf + 1,
					   (size_t)n, 1);
			}
			usleep(200);
		}
		if (write(says[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(stop[0]);
	close(says[1]);
	*stop_w = stop[1];
	*says_r = says[0];
	return pid;
}

static void stop_reader(pid_t pid, int stop_w, int says_r)
{
	struct reader_says r = { .reads = -1 };

	close(stop_w);
	if (read(says_r, &r, sizeof(r)) != sizeof(r))
		r.reads = -1;
	close(says_r);
	waitpid(pid, NULL, 0);
	outage.reads = r.reads;
	outage.absent = r.absent;
	outage.partial = r.partial;
	memcpy(outage.bad, r.bad, sizeof(outage.bad));
}

/* The tier's own mount namespace, with tracefs there for icmpcount. */
static int own_mount_ns(void)
{
	struct stat st;

	if (private_mount_ns() != 0)
		return -1;
	if (stat("/sys/kernel/tracing/events", &st) == 0 ||
	    stat("/sys/kernel/debug/tracing/events", &st) == 0)
		return 0;
	return mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static void outage_one(size_t i)
{
	static char err[BIG];
	const struct outage *o = &outages[i];
	struct outage_ctx *c = &outage.ctx;
	char needle[256];
	size_t from = file_size(outage.run.err);

	snprintf(needle, sizeof(needle), "cannot write %s: %s (", c->file,
		 o->err);
	outage.o[i].reached = 1;
	if (o->brk(c) != 0) {
		outage.o[i].brk_errno = errno ? errno : -1;
		return;
	}
	outage.o[i].sent = send_echo(outage.o[i].comm, SENDS, echo_hdr) == 0;
	outage.o[i].said_within = wait_for_text(outage.run.err, from, needle, 3) == 0;
	/* Past one more tick, which fails again. */
	usleep(1300 * 1000);
	if (slurp(outage.run.err, err, sizeof(err)) >= 0)
		outage.o[i].said = count_of_text(err, needle);
	outage.o[i].tmp_left = temporaries(c->dir);
	outage.o[i].mended = o->mend(c) == 0;
	outage.o[i].recovered = outage.o[i].mended &&
		wait_file_value(c->file, outage.o[i].comm, SENDS, 3) == 0;
	if (!outage.o[i].recovered) {
		static char buf[BIG];

		snprintf(outage.o[i].seen, sizeof(outage.o[i].seen), "%s",
			 slurp(c->file, buf, sizeof(buf)) < 0 ? strerror(errno) :
			 excerpt(buf));
	}
}

static void outages_go(void)
{
	static char out_text[BIG], err_text[BIG];
	struct outage_ctx *c = &outage.ctx;
	const char *argv[] = { icmpcount_path, "-i", "1", "--prom", c->file, NULL };
	int stop_w = -1, says_r = -1;
	pid_t reader;
	size_t i;

	outage.done = 1;
	snprintf(c->dir, sizeof(c->dir), "%s/outage", top);
	snprintf(c->file, sizeof(c->file), "%s/" PROM_FILE, c->dir);
	snprintf(c->filler, sizeof(c->filler), "%s/filler", c->dir);
	snprintf(outage.base, sizeof(outage.base), "icp_base%s", suffix);
	for (i = 0; i < ARRAY_SIZE(outages); i++)
		snprintf(outage.o[i].comm, COMM_LEN, "%s%s", outages[i].prefix,
			 suffix);
	outage.ns = own_mount_ns() == 0;
	if (!outage.ns || mkdir(c->dir, 0755) != 0)
		return;
	outage.started = proc_start(&outage.run, "icmpcount-outage", argv) == 0 &&
		      wait_for_text(outage.run.out, 0,
				    "Tracing sendto() syscalls.\n", 10) == 0;
	if (outage.started) {
		outage.base_sent = send_echo(outage.base, SENDS, echo_hdr) == 0 &&
				wait_file_value(c->file, outage.base, SENDS, 5) == 0;
		reader = start_reader(c->file, &stop_w, &says_r);
		usleep(500 * 1000);
		if (slurp(outage.run.err, err_text, sizeof(err_text)) >= 0)
			outage.said_before = count_of_text(err_text, "cannot write");
		for (i = 0; i < ARRAY_SIZE(outages); i++) {
			outage_one(i);
			if (outage.o[i].brk_errno)
				break;
		}
		if (reader > 0)
			stop_reader(reader, stop_w, says_r);
	}
	proc_end(&outage.run, SIGINT, 10);
	outage.tmp_names[0] = '\0';
	outage.tmp_end = temporaries(c->dir);
	while (umount2(c->dir, MNT_DETACH) == 0)
		;
	outage.tmp_end += temporaries(c->dir);
	slurp(outage.run.out, out_text, sizeof(out_text));
	slurp(outage.run.err, err_text, sizeof(err_text));
	outage.out = out_text;
	outage.err = err_text;
}

/* Runs the outages once, for the first case that needs it; 0 if it ran. */
static int outages_ready(void)
{
	if (!outage.done)
		outages_go();
	if (outage.ns && outage.started && outage.base_sent)
		return 0;
	test_fail("EXP: a mount namespace of our own, icmpcount tracing, %s "
		  "in the file\nRES: namespace %d, traced %d, in the file %d\nstderr:\n%s",
		  outage.base, outage.ns, outage.started, outage.base_sent,
		  outage.err ? outage.err : "");
	return -1;
}

static void test_outages(void)
{
	size_t i;
	int ok;

	if (test_start("--prom: nothing on stderr while the writes succeed") &&
	    outages_ready() == 0)
		test_check(outage.said_before == 0,
			   "EXP: no \"cannot write\" line before the first outage\n"
			   "RES: %d\nstderr:\n%s", outage.said_before, outage.err);
	if (test_start("--prom replaces the file whole: a reader reading it all along never saw part of one") &&
	    outages_ready() == 0)
		test_check(outage.reads > 100 && outage.partial == 0,
			   "EXP: > 100 reads, 0 partial files\n"
			   "RES: %ld reads (%ld with no file), %ld partial; the first:\n%s",
			   outage.reads, outage.absent, outage.partial, outage.bad);
	for (i = 0; i < ARRAY_SIZE(outages); i++) {
		const struct outage *o = &outages[i];
		char name[256];

		snprintf(name, sizeof(name),
			 "--prom with %s: one line on stderr for all its failed writes",
			 o->name);
		if (test_start(name) && outages_ready() == 0) {
			if (!outage.o[i].reached)
				test_fail("EXP: %s\nRES: not reached: an earlier outage could not be made",
					  o->name);
			else if (outage.o[i].brk_errno)
				test_fail("EXP: %s\nRES: could not: %s", o->name,
					  strerror(outage.o[i].brk_errno));
			else
				test_check(outage.o[i].said_within &&
					   outage.o[i].said == 1 &&
					   outage.o[i].tmp_left == 0,
					   "EXP: within 3 s of it, and 1.3 s later still exactly one line "
					   "\"icmpcount: cannot write %s: %s (trying again at the next interval)\"; "
					   "no temporary file\nRES: said in time %d, %d such lines, "
					   "%d temporary files %s\nstderr:\n%s",
					   outage.ctx.file, o->err, outage.o[i].said_within,
					   outage.o[i].said, outage.o[i].tmp_left,
					   outage.tmp_names, outage.err);
		}
		snprintf(name, sizeof(name),
			 "--prom with %s: the file is written again once mended",
			 o->name);
		if (test_start(name) && outages_ready() == 0)
			test_check(outage.o[i].recovered,
				   "EXP: mended, and within 3 s the file has %s at %d\n"
				   "RES: sent %d, mended %d, in the file %d; the file:\n%s\nstderr:\n%s",
				   outage.o[i].comm, SENDS, outage.o[i].sent,
				   outage.o[i].mended, outage.o[i].recovered,
				   outage.o[i].seen, outage.err);
	}
	if (test_start("--prom: tracing went on through every failure: the report counts every send") &&
	    outages_ready() == 0) {
		ok = proc_exited(&outage.run, 0) && count_of(outage.out, outage.base) == SENDS;
		for (i = 0; i < ARRAY_SIZE(outages); i++)
			if (count_of(outage.out, outage.o[i].comm) != SENDS)
				ok = 0;
		test_check(ok && count_of_text(outage.err, "cannot write") ==
			   (int)ARRAY_SIZE(outages),
			   "EXP: exit 0, %d for %s and each outage's comm, %zu "
			   "\"cannot write\" lines in all\nRES: status 0x%x\nstdout:\n%s\nstderr:\n%s",
			   SENDS, outage.base, ARRAY_SIZE(outages),
			   outage.run.status, excerpt(outage.out), outage.err);
	}
	if (test_start("--prom: no temporary file (.icmpcount.prom.XXXXXX) is left after the run") &&
	    outages_ready() == 0)
		test_check(outage.tmp_end == 0, "EXP: none\nRES: %d: %s",
			   outage.tmp_end, outage.tmp_names);
}

void run_prom_tests(void)
{
	size_t i;

	for (i = 0; i < 4; i++)
		suffix[i] = (char)('a' + ((unsigned int)getpid() >> (4 * i) & 0xf));
	for (i = 0; i < ARRAY_SIZE(senders); i++)
		snprintf(senders[i].comm, COMM_LEN, "%s%s", senders[i].prefix,
			 suffix);
	for (i = 0; i < ARRAY_SIZE(series); i++)
		snprintf(series[i].label, sizeof(series[i].label), "%s%s",
			 series[i].prefix, suffix);
	snprintf(top, sizeof(top), "/tmp/icmpcount-prom-XXXXXX");
	if (geteuid() == 0 && !mkdtemp(top))
		test_skip_rest("cannot make a temporary directory");

	test_file();
	test_series(L_FILE);
	test_node_exporter();
	test_series(L_NODE);
	test_series(L_PROM);
	test_intervals();
	test_outages();

	if (geteuid() == 0 && top[strlen(top) - 1] != 'X') {
		proc_end(&fleet.run, SIGINT, 10);
		proc_end(&fleet.prom.proc, SIGTERM, 10);
		proc_end(&fleet.node.proc, SIGTERM, 10);
		remove_tree(top);
	}
}
