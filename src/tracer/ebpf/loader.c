// SPDX-License-Identifier: Apache-2.0
/*
 * kiseki-ebpf: loads kiseki.bpf.c, runs one command under it and writes the
 * records it sees, one line each, on fd 3 (see docs/ebpf-backend.md).
 *
 *   kiseki-ebpf [--linger-ms N] [--mode raw|each] [--hex-args] [--out-fd N]
 *               -- FILE [ARGV0 [ARGS...]]
 *   kiseki-ebpf --check [--mode raw|each]   (load, attach, exit 0 if it works)
 *
 * The command gets the loader's stdin/stdout/stderr, environment and cwd,
 * and no other fd. KISEKI_EBPF_TIMING=1 prints start-up phases on stderr,
 * KISEKI_EBPF_VERBOSE=1 libbpf's log, KISEKI_EBPF_RINGBUF_BYTES sets the ring
 * buffer size (tests use a tiny one to force losses).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kiseki.h"
#include "kiseki.skel.h"

#define WIRE_VERSION 1

extern char **environ;

/* ------------------------------------------------------------ output -- */

static int out_fd = 3;
static bool out_broken;
static char *obuf;
static size_t olen, ocap;

static void out_flush(void)
{
	size_t done = 0;
	while (done < olen && !out_broken) {
		ssize_t n = write(out_fd, obuf + done, olen - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out_broken = true; /* reader gone: keep running, stop writing */
			break;
		}
		done += (size_t)n;
	}
	olen = 0;
}

static void out_reserve(size_t n)
{
	if (olen + n <= ocap)
		return;
	out_flush();
	if (n > ocap) {
		ocap = n;
		obuf = realloc(obuf, ocap);
		if (!obuf)
			abort();
	}
}

static inline void out_ch(char c)
{
	obuf[olen++] = c;
}

static void out_str(const char *s)
{
	size_t n = strlen(s);
	out_reserve(n);
	memcpy(obuf + olen, s, n);
	olen += n;
}

static void out_fmt(const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	out_reserve((size_t)n);
	memcpy(obuf + olen, tmp, (size_t)n);
	olen += (size_t)n;
}

/* caller reserved 2*n bytes */
static void out_hex(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *o = obuf + olen;
	for (size_t i = 0; i < n; i++) {
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	olen += 2 * n;
}

/* "\t<hex>" */
static void out_thex(const unsigned char *p, size_t n)
{
	out_reserve(2 * n + 1);
	out_ch('\t');
	out_hex(p, n);
}

/* "\t<count>\t<hex>\t<hex>..." for a block of NUL-separated strings */
static void out_strlist(const unsigned char *p, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0)
			count++;
	if (n > 0 && p[n - 1] != 0)
		count++; /* cut block: last string has no NUL */
	out_fmt("\t%zu", count);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n ? (i > start) : p[i] == 0) {
			out_thex(p + start, i - start);
			start = i + 1;
		}
	}
}

/* ---------------------------------------------------------- records -- */

static int64_t boot_to_real_ns;

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t user_dev(uint64_t kdev)
{
	/* kernel dev_t: major << 20 | minor; userspace: glibc makedev */
	return makedev((unsigned)(kdev >> 20), (unsigned)(kdev & 0xfffff));
}

static void head(const char *kind, const struct ks_event *e)
{
	long long us = ((long long)e->ts + boot_to_real_ns) / 1000;
	out_fmt("%s\t%lld\t%u\t%u", kind, us, e->pid, e->tid);
}

static const char *xfer_name(long c)
{
	switch (c) {
	case KS_XFER_COPY_FILE_RANGE: return "copy_file_range";
	case KS_XFER_SENDFILE: return "sendfile";
	case KS_XFER_SPLICE: return "splice";
	case KS_XFER_TEE: return "tee";
	}
	return "unknown";
}

static unsigned long long n_records;

static int on_record(void *ctx, void *data, size_t size)
{
	const struct ks_event *e = data;
	if (size < sizeof(*e))
		return 0;
	const unsigned char *d = (const unsigned char *)(e + 1);
	size_t avail = size - sizeof(*e);
	size_t l0 = e->len[0], l1 = e->len[1], l2 = e->len[2];
	if (l0 > avail) l0 = avail;
	if (l1 > avail - l0) l1 = avail - l0;
	if (l2 > avail - l0 - l1) l2 = avail - l0 - l1;
	const unsigned char *b0 = d, *b1 = d + l0, *b2 = d + l0 + l1;
	int trunc = (e->flags & (KS_F_TRUNC0 | KS_F_TRUNC1 | KS_F_TRUNC2)) ? 1 : 0;
	const long long *a = (const long long *)e->a;
	long long ret = e->ret;
	n_records++;

	out_reserve(3 * (l0 + l1 + l2) + 1024);
	switch (e->type) {
	case KS_EV_FORK:
		head("fork", e);
		out_fmt("\t%lld\t%lld\t%d", a[0], a[1], (e->flags & KS_F_SHARES_FILES) ? 1 : 0);
		break;
	case KS_EV_EXEC:
		head("exec", e);
		out_fmt("\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%d", ret, a[0], a[1], a[2], a[3], a[4], trunc);
		out_thex(b0, l0);
		out_strlist(b1, l1);
		out_strlist(b2, l2);
		break;
	case KS_EV_EXEC_FAIL:
		head("exec", e);
		out_fmt("\t%lld\t-\t-\t-\t-\t-\t%d", ret, trunc);
		out_thex(b0, l0);
		out_strlist(b1, l1);
		out_str("\t-");
		break;
	case KS_EV_EXIT:
		head("exit", e);
		out_fmt("\t%lld", a[0]);
		break;
	case KS_EV_OPEN:
		head("open", e);
		out_fmt("\t%lld\t%lld\t%lld\t%lld", a[0], a[1], a[2], ret);
		if (e->flags & KS_F_HAS_INODE)
			out_fmt("\t%llu\t%llu", (unsigned long long)user_dev((uint64_t)a[4]), (unsigned long long)a[5]);
		else
			out_str("\t-\t-");
		out_fmt("\t%d", trunc);
		out_thex(b0, l0);
		break;
	case KS_EV_CLOSE:
		head("close", e);
		out_fmt("\t%lld\t%lld", a[0], ret);
		break;
	case KS_EV_CLOSE_RANGE:
		head("close_range", e);
		out_fmt("\t%lld\t%lld\t%lld\t%lld", a[0], a[1], a[2], ret);
		break;
	case KS_EV_IO:
		head("io", e);
		out_fmt("\t%lld\t%llu\t%llu", a[0], (unsigned long long)a[1], (unsigned long long)a[2]);
		break;
	case KS_EV_DUP:
		head("dup", e);
		out_fmt("\t%lld\t%lld\t%lld", a[0], ret, a[1]);
		break;
	case KS_EV_SET_CLOEXEC:
		head("set_cloexec", e);
		out_fmt("\t%lld\t%lld\t%lld", a[0], a[1], ret);
		break;
	case KS_EV_PIPE:
		head("pipe", e);
		out_fmt("\t%lld\t%lld\t%lld\t%lld", a[0], a[1], a[2], ret);
		break;
	case KS_EV_CHDIR:
		head("chdir", e);
		out_fmt("\t%lld\t%d", ret, trunc);
		out_thex(b0, l0);
		break;
	case KS_EV_FCHDIR:
		head("fchdir", e);
		out_fmt("\t%lld\t%lld", a[0], ret);
		break;
	case KS_EV_RENAME:
	case KS_EV_LINK:
		head(e->type == KS_EV_RENAME ? "rename" : "link", e);
		out_fmt("\t%lld\t%lld\t%lld\t%lld\t%d", a[0], a[1], a[2], ret, trunc);
		out_thex(b0, l0);
		out_thex(b1, l1);
		break;
	case KS_EV_SYMLINK:
		head("symlink", e);
		out_fmt("\t%lld\t%lld\t%d", a[0], ret, trunc);
		out_thex(b0, l0);
		out_thex(b1, l1);
		break;
	case KS_EV_UNLINK:
		head("unlink", e);
		out_fmt("\t%lld\t%lld\t%lld\t%d", a[0], a[1], ret, trunc);
		out_thex(b0, l0);
		break;
	case KS_EV_MKDIR:
		head("mkdir", e);
		out_fmt("\t%lld\t%lld\t%lld\t%d", a[0], a[1], ret, trunc);
		out_thex(b0, l0);
		break;
	case KS_EV_TRUNCATE:
		head("truncate", e);
		out_fmt("\t%lld\t%lld\t%d", a[0], ret, trunc);
		out_thex(b0, l0);
		break;
	case KS_EV_FTRUNCATE:
		head("ftruncate", e);
		out_fmt("\t%lld\t%lld\t%lld", a[0], a[1], ret);
		break;
	case KS_EV_TRANSFER:
		head("transfer", e);
		out_fmt("\t%s\t%lld\t%lld\t%lld", xfer_name(a[0]), a[1], a[2], ret);
		break;
	case KS_EV_MMAP:
		head("mmap", e);
		out_fmt("\t%lld\t%lld\t%lld\t%lld", a[0], a[1], a[2], ret);
		break;
	case KS_EV_ATTACH: {
		/* the kernel cannot build the cwd path here (no bpf_d_path):
		 * read it now, while the process (just exec'd) most likely lives */
		char link[64], cwd[4096];
		snprintf(link, sizeof(link), "/proc/%u/cwd", e->pid);
		ssize_t cl = readlink(link, cwd, sizeof(cwd));
		head("attach", e);
		out_fmt("\t%s\t%lld\t%lld", a[0] == KS_ATTACH_PBS ? "pbs" : "slurm", a[1], a[2]);
		if (cl > 0 && cl < (ssize_t)sizeof(cwd)) {
			out_reserve(2 * (size_t)cl + 2);
			out_thex((const unsigned char *)cwd, (size_t)cl);
		} else {
			out_str("\t-");
		}
		break;
	}
	default:
		head("lost", e);
		out_fmt("\t1\tunknown_record_type_%u", e->type);
		break;
	}
	out_reserve(1);
	out_ch('\n');
	return 0;
}

/* ------------------------------------------------------------ errors -- */

static char libbpf_log[8192];
static size_t libbpf_log_len;
static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (verbose)
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG)
		return 0;
	/* keep the tail of warnings for the error line */
	char tmp[1024];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	if (libbpf_log_len + (size_t)n >= sizeof(libbpf_log))
		libbpf_log_len = 0;
	memcpy(libbpf_log + libbpf_log_len, tmp, (size_t)n);
	libbpf_log_len += (size_t)n;
	libbpf_log[libbpf_log_len] = 0;
	return 0;
}

/* Fatal error before the command started: an `error` line and exit 2. */
static void fail(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (libbpf_log_len && (size_t)n + 3 < sizeof(msg)) {
		/* the last libbpf line explains most failures */
		char *last = libbpf_log, *p;
		while (libbpf_log_len && libbpf_log[libbpf_log_len - 1] == '\n')
			libbpf_log[--libbpf_log_len] = 0;
		while ((p = strchr(last, '\n')) && p[1])
			last = p + 1;
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, " (libbpf: %s)", last);
		if ((size_t)n >= sizeof(msg))
			n = sizeof(msg) - 1;
	}
	fprintf(stderr, "kiseki-ebpf: %s\n", msg);
	if (obuf) {
		out_str("error");
		out_thex((const unsigned char *)msg, (size_t)n);
		out_str("\n");
		out_flush();
	}
	exit(2);
}

/* ------------------------------------------------------------- setup -- */

static double t0;
static bool timing;

static double mono_ms(void)
{
	return (double)now_ns(CLOCK_MONOTONIC) / 1e6;
}

static void phase(const char *what)
{
	if (timing)
		fprintf(stderr, "kiseki-ebpf: %8.2f ms %s\n", mono_ms() - t0, what);
}

static void set_kind(struct kiseki *skel, long nr, int kind)
{
	if (nr >= 0 && nr < KS_NR_MAX)
		skel->rodata->sys_kind[nr] = (__u8)kind;
}

static void fill_sys_kinds(struct kiseki *skel)
{
#define K(name, kind) set_kind(skel, SYS_##name, kind)
#ifdef SYS_open
	K(open, KS_SYS_OPEN);
#endif
	K(openat, KS_SYS_OPENAT);
#ifdef SYS_openat2
	K(openat2, KS_SYS_OPENAT2);
#else
	set_kind(skel, 437, KS_SYS_OPENAT2); /* same number on every arch */
#endif
#ifdef SYS_creat
	K(creat, KS_SYS_CREAT);
#endif
	K(close, KS_SYS_CLOSE);
#ifdef SYS_close_range
	K(close_range, KS_SYS_CLOSE_RANGE);
#else
	set_kind(skel, 436, KS_SYS_CLOSE_RANGE);
#endif
	K(dup, KS_SYS_DUP);
#ifdef SYS_dup2
	K(dup2, KS_SYS_DUP2);
#endif
	K(dup3, KS_SYS_DUP3);
	K(fcntl, KS_SYS_FCNTL);
	K(read, KS_SYS_READ);
	K(readv, KS_SYS_READV);
	K(pread64, KS_SYS_PREAD64);
	K(preadv, KS_SYS_PREADV);
	K(preadv2, KS_SYS_PREADV2);
	K(write, KS_SYS_WRITE);
	K(writev, KS_SYS_WRITEV);
	K(pwrite64, KS_SYS_PWRITE64);
	K(pwritev, KS_SYS_PWRITEV);
	K(pwritev2, KS_SYS_PWRITEV2);
	K(copy_file_range, KS_SYS_COPY_FILE_RANGE);
	K(sendfile, KS_SYS_SENDFILE);
	K(splice, KS_SYS_SPLICE);
	K(tee, KS_SYS_TEE);
#ifdef SYS_pipe
	K(pipe, KS_SYS_PIPE);
#endif
	K(pipe2, KS_SYS_PIPE2);
	K(chdir, KS_SYS_CHDIR);
	K(fchdir, KS_SYS_FCHDIR);
#ifdef SYS_rename
	K(rename, KS_SYS_RENAME);
#endif
#ifdef SYS_renameat
	K(renameat, KS_SYS_RENAMEAT);
#endif
	K(renameat2, KS_SYS_RENAMEAT2);
#ifdef SYS_link
	K(link, KS_SYS_LINK);
#endif
	K(linkat, KS_SYS_LINKAT);
#ifdef SYS_symlink
	K(symlink, KS_SYS_SYMLINK);
#endif
	K(symlinkat, KS_SYS_SYMLINKAT);
#ifdef SYS_unlink
	K(unlink, KS_SYS_UNLINK);
#endif
	K(unlinkat, KS_SYS_UNLINKAT);
#ifdef SYS_rmdir
	K(rmdir, KS_SYS_RMDIR);
#endif
#ifdef SYS_mkdir
	K(mkdir, KS_SYS_MKDIR);
#endif
	K(mkdirat, KS_SYS_MKDIRAT);
	K(truncate, KS_SYS_TRUNCATE);
	K(ftruncate, KS_SYS_FTRUNCATE);
	K(mmap, KS_SYS_MMAP);
	K(execve, KS_SYS_EXECVE);
	K(execveat, KS_SYS_EXECVEAT);
#undef K
	skel->rodata->nr_close = SYS_close;
#ifdef SYS_close_range
	skel->rodata->nr_close_range = SYS_close_range;
#else
	skel->rodata->nr_close_range = 436;
#endif
#ifdef SYS_dup2
	skel->rodata->nr_dup2 = SYS_dup2;
#endif
	skel->rodata->nr_dup3 = SYS_dup3;
}

static const char *tracefs_root(void)
{
	static const char *roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < 2; i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/events", roots[i]);
		if (access(p, F_OK) == 0)
			return roots[i];
	}
	return NULL;
}

/* "each" mode: keep the tracepoint programs whose event exists here. */
static void select_each_mode(struct kiseki *skel)
{
	const char *root = tracefs_root();
	if (!root)
		fail("tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		if (strncmp(sec, "tp_btf/sys_", 11) == 0) {
			bpf_program__set_autoload(prog, false);
		} else if (strncmp(sec, "tracepoint/", 11) == 0) {
			char p[512];
			snprintf(p, sizeof(p), "%s/events/%s", root, sec + 11);
			if (access(p, F_OK) != 0)
				bpf_program__set_autoload(prog, false);
		}
	}
}

static void select_raw_mode(struct kiseki *skel)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		if (strncmp(bpf_program__section_name(prog), "tracepoint/", 11) == 0)
			bpf_program__set_autoload(prog, false);
	}
	fill_sys_kinds(skel);
}

/* ----------------------------------------------------------- signals -- */

static volatile pid_t child_pid;
static volatile sig_atomic_t pending_sig;

static void forward_signal(int sig)
{
	pid_t c = child_pid;
	if (c > 0)
		kill(c, sig);
	else
		pending_sig = sig;
}

static void reset_child_signals(void)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTERM, SIGHUP, SIGPIPE };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* -------------------------------------------------------------- args -- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static char *unhex(const char *s)
{
	size_t n = strlen(s);
	if (n % 2)
		return NULL;
	char *out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
		if (h < 0 || l < 0) {
			free(out);
			return NULL;
		}
		out[i] = (char)(h << 4 | l);
		if (out[i] == 0) {
			free(out);
			return NULL;
		}
	}
	out[n / 2] = 0;
	return out;
}

static void usage(void)
{
	fprintf(stderr, "usage: kiseki-ebpf [--linger-ms N] [--mode raw|each] [--hex-args] [--out-fd N] -- FILE [ARGV0 [ARGS...]]\n"
			"       kiseki-ebpf --agent [--mode raw|each] [--out-fd N]   (trace the jobs of this node)\n"
			"       kiseki-ebpf --check [--mode raw|each]\n");
	exit(2);
}

/* ------------------------------------------------------------- drops -- */

static const char *drop_reason[KS_DROP_MAX] = {
	[KS_DROP_RINGBUF] = "ring_buffer_full",
	[KS_DROP_TRACED_FULL] = "traced_map_full",
	[KS_DROP_IO_FULL] = "io_map_full",
};
static unsigned long long drops_seen[KS_DROP_MAX];
static unsigned long long drops_reported;
static __u64 *drop_vals;
static int drop_ncpu;

/* Sends a `lost` record for every drop counter that grew since last time:
 * called every poll round, so losses show up near where they happened. */
static void report_drops(int fd, pid_t root)
{
	if (!drop_vals)
		return;
	for (__u32 d = 0; d < KS_DROP_MAX; d++) {
		if (bpf_map_lookup_elem(fd, &d, drop_vals) != 0)
			continue;
		unsigned long long sum = 0;
		for (int c = 0; c < drop_ncpu; c++)
			sum += drop_vals[c];
		if (sum <= drops_seen[d])
			continue;
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		long long now_us = (long long)rt.tv_sec * 1000000LL + rt.tv_nsec / 1000;
		out_fmt("lost\t%lld\t%d\t%d\t%llu\t%s\n", now_us, (int)root, (int)root, sum - drops_seen[d], drop_reason[d]);
		drops_reported += sum - drops_seen[d];
		drops_seen[d] = sum;
	}
}

/* ------------------------------------------------------------- agent -- */

static volatile sig_atomic_t agent_stop;

static void on_stop(int sig)
{
	agent_stop = 1;
}

/* Clears (or sets) one pid's bit in the fast-path bitmap. A read-modify-write
 * from user space: a fork that sets another bit of the same 64-pid word in
 * the same microsecond can be undone (that process then goes untraced). */
static void user_set_bit(int bits_fd, __u32 pid, bool on)
{
	__u32 w = pid >> 6;
	__u64 v = 0;
	bpf_map_lookup_elem(bits_fd, &w, &v);
	if (on)
		v |= 1ULL << (pid & 63);
	else
		v &= ~(1ULL << (pid & 63));
	bpf_map_update_elem(bits_fd, &w, &v, BPF_ANY);
}

/* One command per line on stdin:
 *   trace PID     start tracing PID (and its future children): a pid
 *                 registered by a scheduler hook, or found at start-up
 *   untrace PID   stop tracing PID (a job that did not opt in)
 * Answers nothing; EOF on stdin stops the agent like SIGTERM. */
static bool agent_command(struct kiseki *skel, int traced_fd, char *line)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return true;
	*sp = 0;
	long pid = strtol(sp + 1, NULL, 10);
	if (pid <= 0 || pid >= (1L << 22))
		return true;
	__u32 key = (__u32)pid;
	int bits_fd = bpf_map__fd(skel->maps.traced_bits);
	if (strcmp(line, "trace") == 0) {
		struct ks_proc fresh = { 0 };
		if (bpf_map_update_elem(traced_fd, &key, &fresh, BPF_NOEXIST) == 0)
			__atomic_add_fetch(&skel->bss->live_procs, 1, __ATOMIC_SEQ_CST);
		user_set_bit(bits_fd, key, true);
	} else if (strcmp(line, "untrace") == 0) {
		user_set_bit(bits_fd, key, false);
		if (bpf_map_delete_elem(traced_fd, &key) == 0)
			__atomic_sub_fetch(&skel->bss->live_procs, 1, __ATOMIC_SEQ_CST);
	}
	return true;
}

static int agent_loop(struct kiseki *skel, struct ring_buffer *rb, int traced_fd)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	out_fmt("start\t%d\t0\t%s\n", WIRE_VERSION, "agent");
	out_flush();
	phase("agent started");
	int rb_fd = ring_buffer__epoll_fd(rb);
	int drops_fd = bpf_map__fd(skel->maps.drops);
	char cmd[256];
	size_t clen = 0;
	bool stdin_open = true;
	while (!agent_stop) {
		struct pollfd pfd[2] = {
			{ .fd = rb_fd, .events = POLLIN },
			{ .fd = stdin_open ? 0 : -1, .events = POLLIN },
		};
		poll(pfd, 2, 50);
		if (stdin_open && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(0, cmd + clen, sizeof(cmd) - 1 - clen);
			if (n <= 0) {
				if (n == 0 || errno != EINTR)
					break; /* our parent is gone */
			} else {
				clen += (size_t)n;
				cmd[clen] = 0;
				char *nl;
				while ((nl = strchr(cmd, '\n'))) {
					*nl = 0;
					agent_command(skel, traced_fd, cmd);
					size_t used = (size_t)(nl - cmd) + 1;
					memmove(cmd, nl + 1, clen - used + 1);
					clen -= used;
				}
				if (clen >= sizeof(cmd) - 1)
					clen = 0; /* overlong line: drop it */
			}
		}
		ring_buffer__consume(rb);
		report_drops(drops_fd, 0);
		out_flush();
	}
	ring_buffer__consume(rb);
	report_drops(drops_fd, 0);
	out_fmt("end\t0\t-\t%llu\t-\n", drops_reported);
	out_flush();
	_exit(0);
}

/* -------------------------------------------------------------- main -- */

int main(int argc, char **argv)
{
	long linger_ms = 0;
	const char *mode = "raw";
	bool hex_args = false;
	bool check = false;
	bool agent = false;
	int i;

	t0 = mono_ms();
	timing = getenv("KISEKI_EBPF_TIMING") != NULL;
	verbose = getenv("KISEKI_EBPF_VERBOSE") != NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--linger-ms") == 0 && i + 1 < argc) {
			linger_ms = strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
			mode = argv[++i];
		} else if (strcmp(argv[i], "--out-fd") == 0 && i + 1 < argc) {
			out_fd = (int)strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--hex-args") == 0) {
			hex_args = true;
		} else if (strcmp(argv[i], "--agent") == 0) {
			agent = true;
		} else if (strcmp(argv[i], "--check") == 0) {
			check = true; /* load and attach, then exit: can we trace here? */
		} else {
			usage();
		}
	}
	if ((!check && !agent && i + 1 > argc) || (strcmp(mode, "raw") != 0 && strcmp(mode, "each") != 0))
		usage();
	if (linger_ms < 0)
		linger_ms = 0;

	char *file = NULL;
	char **cargv = NULL;
	char *argv0_default[2] = { NULL, NULL };
	if (!check && agent) {
		if (fcntl(out_fd, F_SETFD, FD_CLOEXEC) != 0) {
			fprintf(stderr, "kiseki-ebpf: fd %d is not open: the records go there (e.g. run with 3>records.txt)\n", out_fd);
			return 2;
		}
		ocap = 1 << 20;
		obuf = malloc(ocap);
		if (!obuf)
			return 2;
	} else if (!check) {
		if (fcntl(out_fd, F_SETFD, FD_CLOEXEC) != 0) {
			fprintf(stderr, "kiseki-ebpf: fd %d is not open: the records go there (e.g. run with 3>records.txt)\n", out_fd);
			return 2;
		}
		ocap = 1 << 20;
		obuf = malloc(ocap);
		if (!obuf)
			return 2;

		/* the command */
		file = argv[i];
		cargv = &argv[i + 1];
		int cargc = argc - i - 1;
		argv0_default[0] = file;
		if (cargc == 0 && !hex_args)
			cargv = argv0_default; /* `-- FILE` alone: argv[0] = FILE */
		if (hex_args) {
			file = unhex(argv[i]);
			cargv = calloc((size_t)cargc + 2, sizeof(char *));
			if (!file || !cargv)
				fail("--hex-args: bad hex in FILE");
			if (cargc == 0)
				cargv[0] = file;
			for (int k = 0; k < cargc; k++) {
				cargv[k] = unhex(argv[i + 1 + k]);
				if (!cargv[k])
					fail("--hex-args: bad hex in argument %d", k);
			}
		}
	}

	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { 0 };
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: wake poll() */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* The probes see the kernel's (initial namespace) pids, the loader and
	 * node see their own: refuse rather than trace nothing or mislabel. */
	struct stat nsst;
	if (stat("/proc/self/ns/pid", &nsst) == 0 && nsst.st_ino != 0xEFFFFFFCU)
		fail("runs in a PID namespace (a container?): the eBPF backend needs the host's");

	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_MEMLOCK, &rl); /* not needed with memcg accounting */

	libbpf_set_print(libbpf_print);
	phase("start");

	struct kiseki *skel = kiseki__open();
	if (!skel)
		fail("cannot open the BPF object: %s", strerror(errno));
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		ncpu = 1;
	bpf_map__set_max_entries(skel->maps.scratch_map, (__u32)ncpu);
	drop_ncpu = ncpu;
	drop_vals = calloc((size_t)ncpu, sizeof(__u64));
	const char *rbsize = getenv("KISEKI_EBPF_RINGBUF_BYTES"); /* tests: force losses */
	if (rbsize) {
		long v = strtol(rbsize, NULL, 10);
		if (v < 4096 || (v & (v - 1)))
			fail("KISEKI_EBPF_RINGBUF_BYTES must be a power of 2 >= 4096");
		bpf_map__set_max_entries(skel->maps.rb, (__u32)v);
	}
	skel->rodata->rb_wakeup_bytes = bpf_map__max_entries(skel->maps.rb) / 8;
	skel->rodata->agent_mode = agent ? 1 : 0;
	if (strcmp(mode, "raw") == 0)
		select_raw_mode(skel);
	else
		select_each_mode(skel);
	phase("opened");

	int err = kiseki__load(skel);
	if (err)
		fail("cannot load the BPF programs: %s", strerror(-err));
	phase("loaded");
	err = kiseki__attach(skel);
	if (err)
		fail("cannot attach the BPF programs: %s", strerror(-err));
	phase("attached");
	if (check)
		_exit(0);

	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_record, NULL, NULL);
	if (!rb)
		fail("cannot open the ring buffer: %s", strerror(errno));
	int traced_fd = bpf_map__fd(skel->maps.traced);

	boot_to_real_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME);
	if (agent)
		return agent_loop(skel, rb, traced_fd);

	/* Handshake: the child first gets ready (signals, fds) and says so on
	 * `ready`, then waits on `go` until its pid is in `traced`. Everything
	 * it does before that is untraced; after it, it only polls (not a
	 * traced syscall) and execs. Both pipes are close-on-exec. */
	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0)
		fail("pipe2: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		reset_child_signals();
		/* nothing of ours crosses exec: close every fd above stderr but
		 * the two pipe ends we still need (close-on-exec themselves) */
		int lo = ready[1] < go[0] ? ready[1] : go[0];
		int hi = ready[1] < go[0] ? go[0] : ready[1];
		if (lo > 3)
			syscall(SYS_close_range, 3U, (unsigned)lo - 1, 0U);
		if (hi > lo + 1)
			syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U);
		syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U);
		if (write(ready[1], "r", 1) != 1)
			_exit(127);
		struct pollfd pf = { .fd = go[0], .events = POLLIN };
		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
		if (!(pf.revents & POLLIN))
			_exit(127); /* the loader failed or died */
		execve(file, cargv, environ);
		int e = errno;
		dprintf(2, "kiseki: %s: %s\n", file, strerror(e));
		_exit(e == EACCES ? 126 : 127);
	}
	child_pid = pid;
	close(ready[1]);
	close(go[0]);
	char c;
	ssize_t rn;
	while ((rn = read(ready[0], &c, 1)) < 0 && errno == EINTR)
		;
	if (rn != 1) {
		waitpid(pid, NULL, 0);
		fail("the command's process died before it could start");
	}
	close(ready[0]);
	__u32 key = (__u32)pid;
	struct ks_proc fresh = { 0 };
	if (bpf_map_update_elem(traced_fd, &key, &fresh, BPF_ANY) != 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail("cannot register the command's pid: %s", strerror(e));
	}
	{
		/* the fast-path bitmap; empty before the root is in */
		__u32 w = (__u32)pid >> 6;
		__u64 bits = 1ULL << ((__u32)pid & 63);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.traced_bits), &w, &bits, BPF_ANY) != 0) {
			int e = errno;
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail("cannot register the command's pid: %s", strerror(e));
		}
	}
	__atomic_store_n(&skel->bss->live_procs, 1, __ATOMIC_SEQ_CST);
	out_fmt("start\t%d\t%d\t%s\n", WIRE_VERSION, (int)pid, mode);
	out_flush();
	if (write(go[1], "g", 1) != 1)
		fail("cannot start the command: %s", strerror(errno));
	close(go[1]);
	phase("command released");
	if (pending_sig)
		kill(pid, pending_sig);

	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int rb_fd = ring_buffer__epoll_fd(rb);
	bool root_done = false;
	int status = 0;
	double deadline = 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = rb_fd, .events = POLLIN },
			{ .fd = root_done ? -1 : pidfd, .events = POLLIN },
		};
		/* The BPF side wakes us only when 1 MiB is pending: drain every
		 * 20 ms so that records reach node promptly. */
		int timeout = 20;
		if (root_done) {
			double left = deadline - mono_ms();
			timeout = left <= 0 ? 0 : (int)left + 1;
			if (timeout > 20)
				timeout = 20; /* re-check the traced map now and then */
		}
		poll(pfd, 2, timeout);
		ring_buffer__consume(rb);
		if (!root_done) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				root_done = true;
				deadline = mono_ms() + (double)linger_ms;
				if (pidfd >= 0)
					close(pidfd);
			}
		}
		report_drops(bpf_map__fd(skel->maps.drops), pid);
		if (root_done) {
			if (__atomic_load_n(&skel->bss->live_procs, __ATOMIC_SEQ_CST) == 0)
				break; /* every traced process has exited, its records are out */
			if (mono_ms() >= deadline)
				break;
		}
		out_flush();
	}

	/* Survivors (the linger ran out): take them out of the trace before the
	 * final drain, so that a busy one cannot keep it going. Their whole
	 * bitmap word goes: every pid in it is a survivor being dropped too. */
	static __u32 alive[65536];
	int nalive = 0;
	__u32 k, next, *prev = NULL;
	while (bpf_map_get_next_key(traced_fd, prev, &next) == 0 && nalive < 65536) {
		alive[nalive++] = next;
		k = next;
		prev = &k;
	}
	int bits_fd = bpf_map__fd(skel->maps.traced_bits);
	for (int a = 0; a < nalive; a++) {
		__u32 w = alive[a] >> 6;
		__u64 zero = 0;
		bpf_map_update_elem(bits_fd, &w, &zero, BPF_ANY);
	}
	ring_buffer__consume(rb);
	report_drops(bpf_map__fd(skel->maps.drops), pid);

	/* end: root status, lost count, traced processes still alive */
	if (WIFSIGNALED(status))
		out_fmt("end\t-\t%d\t%llu\t", WTERMSIG(status), drops_reported);
	else
		out_fmt("end\t%d\t-\t%llu\t", WEXITSTATUS(status), drops_reported);
	for (int a = 0; a < nalive; a++)
		out_fmt(a ? ",%u" : "%u", alive[a]);
	if (!nalive)
		out_str("-");
	out_str("\n");
	out_flush();
	phase("done");
	if (timing)
		fprintf(stderr, "kiseki-ebpf: %llu records\n", n_records);
	/* The kernel detaches everything when our fds close; skipping
	 * kiseki__destroy() saves the time of doing it one link at a time. */
	_exit(0);
}
