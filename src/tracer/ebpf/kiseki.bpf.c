// SPDX-License-Identifier: (Apache-2.0 OR GPL-2.0)
/*
 * Kiseki's eBPF capture program (libbpf CO-RE). See docs/ebpf-backend.md.
 *
 * - `traced` holds the tgids of the traced process tree (with, per process,
 *   the fds that have byte counters), mirrored by the bitmap `traced_bits`
 *   that every probe tests first, returning at once for other processes.
 * - Process events come from BTF tracepoints (tp_btf) of the scheduler:
 *   sched_process_fork / exec / exit.
 * - System calls are handled at syscall exit, when the return value is
 *   known; the arguments are read from the saved user registers (they are
 *   intact at syscall exit), and path strings are read at exit too, when the
 *   kernel has already faulted their pages in. Only close, close_range, dup2
 *   and dup3 have an enter probe, to flush the byte counters of the fd they
 *   are about to close.
 * - Two ways to hook the syscalls, chosen by the loader before load:
 *   "raw" (default): tp_btf/sys_enter + tp_btf/sys_exit, with the syscall
 *   number mapped to a kind by a table the loader fills (sys_kind);
 *   "each": one tracepoint per syscall (syscalls:sys_exit_*), the kind being
 *   a compile-time constant.
 * - read/write-like calls only add their byte counts to `io`, keyed by
 *   (tgid, fd); one io record per (tgid, fd) is sent before the fd is
 *   closed, and for all fds of a process before its exec and exit records.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kiseki.h"

/* GPL-only helpers (bpf_probe_read_user...) need a GPL-compatible license;
 * this file is Apache-2.0 OR GPL-2.0, and declares the GPL side. */
char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_CLOEXEC 02000000
#define F_DUPFD 0
#define F_SETFD 2
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define CLOSE_RANGE_CLOEXEC 4
#define PROT_WRITE 0x2
#define MAP_SHARED 0x1
#define SIGNAL_GROUP_EXIT 0x00000004
#define EEXIST 17

/* Traced processes not yet reported dead: +1 when one is added to `traced`,
 * -1 after its exit record is in the ring buffer. The loader reads it (the
 * .bss is mmapped) to know when every exit record has been written: the
 * `traced` map empties a moment before the last exit record is out. */
__u64 live_procs = 0;

/* Agent mode (set by the loader): a process that execs with SLURM_JOB_ID or
 * PBS_JOBID in its new environment becomes traced, with its descendants. */
const volatile __u8 agent_mode = 0;

/* Syscall number -> enum ks_sys, filled by the loader (raw mode). */
const volatile __u8 sys_kind[KS_NR_MAX] = {};
/* Syscall numbers of the calls with an enter probe (raw mode); -1: none. */
const volatile long nr_close = -1;
const volatile long nr_close_range = -1;
const volatile long nr_dup2 = -1;
const volatile long nr_dup3 = -1;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct ks_proc);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KS_PID_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} traced_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ks_io_key);
	__type(value, struct ks_io_val);
} io SEC(".maps");

/*
 * 4 MiB: user space maps the data pages twice (for records that wrap), so
 * every touched page counts twice in the loader's resident size. 16 MiB made
 * the loader 35 MB on a busy trace; 4 MiB is ~11 MB steady (its peak, ~14 MB,
 * is while it loads vmlinux BTF), still ~1 s of a 20k events/s burst if the
 * reader stalls. A full ring is counted (KS_DROP_RINGBUF), never silent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KS_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Per-CPU scratch for records with strings. A per-CPU array value is
 * limited to 32 KiB, so this is a plain array indexed by CPU number (the
 * loader sets max_entries to the number of possible CPUs). The programs run
 * with preemption disabled and never nest, so one slot per CPU suffices. */
struct scratch {
	struct ks_event ev;
	__u8 data[KS_DATA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline void drop(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&drops, &idx);
	if (c)
		*c += 1;
}

/* Fast membership test for the syscall probes, which run for every
 * syscall of the machine: one bit per pid (PID_MAX_LIMIT is 2^22), kept in
 * step with `traced` (which stays the authority: it elects the one exit
 * reporter and lists the survivors for the loader). */
static __always_inline bool is_traced(__u32 tgid)
{
	__u32 idx = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&traced_bits, &idx);
	return w && ((*w >> (tgid & 63)) & 1);
}

static __always_inline void set_traced_bit(__u32 tgid, bool on)
{
	__u32 idx = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&traced_bits, &idx);
	if (!w)
		return;
	if (on)
		__sync_fetch_and_or(w, 1ULL << (tgid & 63));
	else
		__sync_fetch_and_and(w, ~(1ULL << (tgid & 63)));
}

static __always_inline void hdr(struct ks_event *e, __u32 type, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	e->type = type;
	e->flags = 0;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ts = bpf_ktime_get_boot_ns();
	e->ret = ret;
	e->len[0] = 0;
	e->len[1] = 0;
	e->len[2] = 0;
	e->pad = 0;
}

/* Waking the loader for every record costs the traced program an IPI and
 * a context switch; the loader polls with a short timeout instead, and is
 * woken early only when the buffer fills up (the loader sets the threshold
 * to an eighth of the ring). */
const volatile __u64 rb_wakeup_bytes = 2 << 20;

static __always_inline __u64 rb_flags(void)
{
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= rb_wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									    : BPF_RB_NO_WAKEUP;
}

static __always_inline void emit_small(struct ks_event *e)
{
	if (bpf_ringbuf_output(&rb, e, sizeof(*e), rb_flags()))
		drop(KS_DROP_RINGBUF);
}

static __always_inline void small(__u32 type, long ret, long a0, long a1, long a2)
{
	struct ks_event e = {};
	hdr(&e, type, ret);
	e.a[0] = a0;
	e.a[1] = a1;
	e.a[2] = a2;
	emit_small(&e);
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&scratch_map, &cpu);
}

static __always_inline void emit_scratch(struct scratch *s)
{
	__u64 size = sizeof(struct ks_event) + (__u64)s->ev.len[0] + s->ev.len[1] + s->ev.len[2];
	if (size > sizeof(struct scratch))
		size = sizeof(struct scratch);
	if (bpf_ringbuf_output(&rb, s, size, rb_flags()))
		drop(KS_DROP_RINGBUF);
}

/* Reads a user path string into s->data at off (off <= KS_PATH_MAX), stores
 * its length (without the NUL) in len[idx] and returns it. */
static __always_inline __u32 put_user_path(struct scratch *s, __u32 off, const char *p, int idx)
{
	long n = bpf_probe_read_user_str(&s->data[off & 0x1fff], KS_PATH_READ, p);
	__u32 len;
	if (n <= 0) {
		s->ev.flags |= KS_F_TRUNC0 << idx;
		len = 0;
	} else if (n >= KS_PATH_READ) {
		s->ev.flags |= KS_F_TRUNC0 << idx;
		len = KS_PATH_MAX;
	} else {
		len = n - 1;
	}
	s->ev.len[idx & 3] = len;
	return len;
}

/* ---------------------------------------------------------------- io -- */

/* Counts n bytes on (tgid, fd). Not inlined: it is called from several
 * places of the big syscall program, and is verified once this way. */
static __noinline int add_io(__u32 tgid, int fd, long n, int write)
{
	struct ks_io_key k = { .tgid = tgid, .fd = fd };
	struct ks_io_val *v = bpf_map_lookup_elem(&io, &k);
	if (!v) {
		struct ks_io_val z = {};
		long err = bpf_map_update_elem(&io, &k, &z, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			drop(KS_DROP_IO_FULL);
			return 0;
		}
		if (!err) {
			/* a new counter: remember its fd in the process entry */
			struct ks_proc *p = bpf_map_lookup_elem(&traced, &tgid);
			if (p) {
				if (fd >= 0 && fd < 64) {
					__sync_fetch_and_or(&p->lowfds, 1ULL << fd);
				} else {
					__u32 i = __sync_fetch_and_add(&p->nhigh, 1);
					if (i < KS_PROC_HIGH)
						p->high[i & (KS_PROC_HIGH - 1)] = fd;
				}
			}
		}
		v = bpf_map_lookup_elem(&io, &k);
		if (!v)
			return 0;
	}
	if (write)
		__sync_fetch_and_add(&v->wr, n);
	else
		__sync_fetch_and_add(&v->rd, n);
	return 0;
}

static __always_inline void emit_io(int fd, __u64 rd, __u64 wr)
{
	small(KS_EV_IO, 0, fd, rd, wr);
}

/* Sends and removes the counter of (tgid, fd), if any. The delete decides
 * who sends it when two threads flush at once. */
static __always_inline void flush_fd(__u32 tgid, int fd)
{
	struct ks_io_key k = { .tgid = tgid, .fd = fd };
	struct ks_io_val *v = bpf_map_lookup_elem(&io, &k);
	if (!v)
		return;
	__u64 rd = v->rd, wr = v->wr;
	if (bpf_map_delete_elem(&io, &k) == 0)
		emit_io(fd, rd, wr);
}

static __always_inline void forget_low_fd(__u32 tgid, int fd)
{
	if (fd < 0 || fd >= 64)
		return;
	struct ks_proc *p = bpf_map_lookup_elem(&traced, &tgid);
	if (p)
		__sync_fetch_and_and(&p->lowfds, ~(1ULL << fd));
}

struct flush_ctx {
	__u32 tgid;
	__u32 first;
	__u32 last;
};

static long flush_cb(struct bpf_map *map, struct ks_io_key *k, struct ks_io_val *v, struct flush_ctx *c)
{
	if (k->tgid != c->tgid || (__u32)k->fd < c->first || (__u32)k->fd > c->last)
		return 0;
	__u64 rd = v->rd, wr = v->wr;
	if (bpf_map_delete_elem(map, k) == 0)
		emit_io(k->fd, rd, wr);
	return 0;
}

struct flush_loop_ctx {
	__u32 tgid;
	__u32 first;
	__u32 last;
	__u32 pad;
	__u64 low;      /* fds 0..63 with counters */
	__u64 done;     /* of those, the ones flushed */
	__s32 high[KS_PROC_HIGH];
};

static long flush_low_cb(__u32 fd, struct flush_loop_ctx *c)
{
	if (!((c->low >> (fd & 63)) & 1) || fd < c->first || fd > c->last)
		return 0;
	flush_fd(c->tgid, fd);
	c->done |= 1ULL << (fd & 63);
	return 0;
}

static long flush_high_cb(__u32 i, struct flush_loop_ctx *c)
{
	int fd = c->high[i & (KS_PROC_HIGH - 1)];
	if ((__u32)fd >= c->first && (__u32)fd <= c->last)
		flush_fd(c->tgid, fd);
	return 0;
}

/* Flushes the counters of the process's fds in [first, last]: fds below 64
 * from the bitmap, higher ones from the list, or by scanning the whole io
 * map when the list overflowed (slow: the scan visits every bucket).
 * bpf_loop keeps the verifier's work linear. */
static __noinline int flush_range(__u32 tgid, __u32 first, __u32 last)
{
	struct ks_proc *p = bpf_map_lookup_elem(&traced, &tgid);
	if (!p)
		return 0;
	struct flush_loop_ctx c = { .tgid = tgid, .first = first, .last = last, .low = p->lowfds };
	if (c.low) {
		bpf_loop(64, flush_low_cb, &c, 0);
		if (c.done)
			__sync_fetch_and_and(&p->lowfds, ~c.done);
	}
	__u32 n = p->nhigh;
	if (n > KS_PROC_HIGH) {
		struct flush_ctx fc = { .tgid = tgid, .first = first < 64 ? 64 : first, .last = last };
		if (fc.first <= fc.last)
			bpf_for_each_map_elem(&io, flush_cb, &fc, 0);
	} else if (n > 0) {
		__builtin_memcpy(c.high, p->high, sizeof(c.high));
		bpf_loop(n, flush_high_cb, &c, 0);
	}
	if (first <= 64 && last == 0xffffffff)
		p->nhigh = 0;
	return 0;
}

/* ----------------------------------------------------------- process -- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ks_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	if (!is_traced(ptgid))
		return 0;
	__u32 cpid = BPF_CORE_READ(child, pid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	if (cpid != ctgid)
		return 0; /* a new thread */
	struct ks_proc fresh = {};
	long err = bpf_map_update_elem(&traced, &ctgid, &fresh, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* cannot happen (exits remove their entry); never count twice */
	} else if (err) {
		drop(KS_DROP_TRACED_FULL);
	} else {
		set_traced_bit(ctgid, true);
		__sync_fetch_and_add(&live_procs, 1);
	}
	/* Everything the parent did before the fork happened before anything the
	 * child does: send its byte counts now so they come first. */
	flush_range(ptgid, 0, 0xffffffff);
	struct ks_event e = {};
	hdr(&e, KS_EV_FORK, 0);
	e.a[0] = ctgid;
	e.a[1] = BPF_CORE_READ(child, start_boottime);
	if (BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files))
		e.flags |= KS_F_SHARES_FILES;
	emit_small(&e);
	return 0;
}

/* Agent mode: scan the environment block of the new image, one string per
 * bpf_loop step (bounded: KS_ENV_SCAN_MAX strings), for a job id variable. */
#define KS_ENV_SCAN_MAX 1024
struct env_ctx {
	__u64 addr;
	__u64 end;
	__u32 found;
};

static long env_cb(__u32 i, struct env_ctx *c)
{
	if (c->addr >= c->end)
		return 1;
	char b[16] = {};
	__u64 left = c->end - c->addr;
	if (left >= 13 && bpf_probe_read_user(b, 13, (void *)c->addr) == 0) {
		if (b[0] == 'S' && b[1] == 'L' && b[2] == 'U' && b[3] == 'R' && b[4] == 'M' && b[5] == '_' &&
		    b[6] == 'J' && b[7] == 'O' && b[8] == 'B' && b[9] == '_' && b[10] == 'I' && b[11] == 'D' &&
		    b[12] == '=') {
			c->found = KS_ATTACH_SLURM;
			return 1;
		}
		if (b[0] == 'P' && b[1] == 'B' && b[2] == 'S' && b[3] == '_' && b[4] == 'J' && b[5] == 'O' &&
		    b[6] == 'B' && b[7] == 'I' && b[8] == 'D' && b[9] == '=') {
			c->found = KS_ATTACH_PBS;
			return 1;
		}
	}
	/* length of this string: read it into the scratch buffer (unused yet) */
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	long n = bpf_probe_read_user_str(&s->data[0], 32768, (void *)c->addr);
	if (n <= 0)
		return 1;
	c->addr += n;
	return 0;
}

static __always_inline __u32 env_job_var(struct task_struct *p)
{
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct env_ctx c = { .addr = BPF_CORE_READ(mm, env_start), .end = BPF_CORE_READ(mm, env_end) };
	if (c.end <= c.addr)
		return 0;
	bpf_loop(KS_ENV_SCAN_MAX, env_cb, &c, 0);
	return c.found;
}

/* Agent mode: a process not traced yet execs; trace it (and so its future
 * children) when its new environment names a job. */
static __always_inline bool agent_attach(struct task_struct *p, __u32 tgid)
{
	__u32 why = env_job_var(p);
	if (!why)
		return false;
	struct ks_proc fresh = {};
	long err = bpf_map_update_elem(&traced, &tgid, &fresh, BPF_NOEXIST);
	if (err && err != -EEXIST) {
		drop(KS_DROP_TRACED_FULL);
		return false;
	}
	if (!err)
		__sync_fetch_and_add(&live_procs, 1);
	set_traced_bit(tgid, true);
	struct ks_event e = {};
	hdr(&e, KS_EV_ATTACH, 0);
	e.a[0] = why;
	e.a[1] = BPF_CORE_READ(p, start_boottime);
	e.a[2] = BPF_CORE_READ(p, real_parent, tgid);
	/* wake the loader now: it reads /proc/PID/cwd of the new job process */
	if (bpf_ringbuf_output(&rb, &e, sizeof(e), BPF_RB_FORCE_WAKEUP))
		drop(KS_DROP_RINGBUF);
	return true;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ks_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	if (!is_traced(tgid)) {
		if (!agent_mode || !agent_attach(p, tgid))
			return 0;
	}
	/* Bytes of every fd so far, including those close-on-exec just shut. */
	flush_range(tgid, 0, 0xffffffff);

	struct scratch *s = get_scratch();
	if (!s) {
		drop(KS_DROP_RINGBUF);
		return 0;
	}
	hdr(&s->ev, KS_EV_EXEC, 0);
	const struct cred *cred = BPF_CORE_READ(p, cred);
	s->ev.a[0] = BPF_CORE_READ(cred, uid.val);
	s->ev.a[1] = BPF_CORE_READ(cred, gid.val);
	s->ev.a[2] = BPF_CORE_READ(cred, euid.val);
	s->ev.a[3] = BPF_CORE_READ(cred, egid.val);
	s->ev.a[4] = BPF_CORE_READ(p, start_boottime);
	s->ev.a[5] = old_pid;

	/* path, as given to execve (kernel copy) */
	const char *fname = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(&s->data[0], KS_PATH_READ, fname);
	__u32 off;
	if (n <= 0) {
		s->ev.flags |= KS_F_TRUNC0;
		off = 0;
	} else if (n >= KS_PATH_READ) {
		s->ev.flags |= KS_F_TRUNC0;
		off = KS_PATH_MAX;
	} else {
		off = n - 1;
	}
	s->ev.len[0] = off;

	/* argv and environment, from the new mm (current is the new image) */
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	__u64 as = BPF_CORE_READ(mm, arg_start), ae = BPF_CORE_READ(mm, arg_end);
	__u64 es = BPF_CORE_READ(mm, env_start), ee = BPF_CORE_READ(mm, env_end);
	__u64 alen = ae > as ? ae - as : 0;
	if (alen > KS_ARGS_MAX) {
		alen = KS_ARGS_MAX;
		s->ev.flags |= KS_F_TRUNC1;
	}
	alen &= 2 * KS_ARGS_MAX - 1;
	off &= 0x1fff;
	if (bpf_probe_read_user(&s->data[off], alen, (void *)as)) {
		alen = 0;
		s->ev.flags |= KS_F_TRUNC1;
	}
	s->ev.len[1] = alen;
	off = (off + alen) & 0x7fff;
	__u64 elen = ee > es ? ee - es : 0;
	if (elen > KS_ENV_MAX) {
		elen = KS_ENV_MAX;
		s->ev.flags |= KS_F_TRUNC2;
	}
	elen &= 2 * KS_ENV_MAX - 1;
	if (bpf_probe_read_user(&s->data[off], elen, (void *)es)) {
		elen = 0;
		s->ev.flags |= KS_F_TRUNC2;
	}
	s->ev.len[2] = elen;
	emit_scratch(s);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ks_exit)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!is_traced(tgid))
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	/* This thread has already decremented signal->live: 0 means the
	 * whole thread group is dead. Deleting from `traced` elects exactly one
	 * reporter even if the last threads exit at the same time. */
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	/* Flush while the process entry (its fd list) is still there; if two
	 * last threads get here together, each counter is still sent once. */
	flush_range(tgid, 0, 0xffffffff);
	if (bpf_map_delete_elem(&traced, &tgid))
		return 0;
	set_traced_bit(tgid, false);
	unsigned int sflags = BPF_CORE_READ(t, signal, flags);
	int status;
	if (sflags & SIGNAL_GROUP_EXIT)
		status = BPF_CORE_READ(t, signal, group_exit_code);
	else
		status = BPF_CORE_READ(t, group_leader, exit_code);
	small(KS_EV_EXIT, 0, status, 0, 0);
	__sync_fetch_and_add(&live_procs, -1);
	return 0;
}

/* ---------------------------------------------------------- syscalls -- */

#if defined(__TARGET_ARCH_arm64)
struct pt_regs___kiseki_arm64 {
	__s32 syscallno;
} __attribute__((preserve_access_index));
#define SYSCALL_NR(regs) BPF_CORE_READ((struct pt_regs___kiseki_arm64 *)(regs), syscallno)
#else
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#endif

#define P1 PT_REGS_PARM1_CORE_SYSCALL(regs)
#define P2 PT_REGS_PARM2_CORE_SYSCALL(regs)
#define P3 PT_REGS_PARM3_CORE_SYSCALL(regs)
#define P4 PT_REGS_PARM4_CORE_SYSCALL(regs)
#define P5 PT_REGS_PARM5_CORE_SYSCALL(regs)

static __always_inline void do_open(long ret, int dirfd, const char *path, long flags, long mode)
{
	struct scratch *s = get_scratch();
	if (!s) {
		drop(KS_DROP_RINGBUF);
		return;
	}
	hdr(&s->ev, KS_EV_OPEN, ret);
	s->ev.a[0] = dirfd;
	s->ev.a[1] = flags;
	s->ev.a[2] = mode;
	s->ev.a[3] = 0;
	s->ev.a[4] = 0;
	s->ev.a[5] = 0;
	if (ret >= 0) {
		struct task_struct *t = bpf_get_current_task_btf();
		struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
		unsigned int max = BPF_CORE_READ(fdt, max_fds);
		if ((unsigned long)ret < max) {
			struct file **fda = BPF_CORE_READ(fdt, fd);
			struct file *f = NULL;
			bpf_probe_read_kernel(&f, sizeof(f), &fda[ret]);
			if (f) {
				struct inode *ino = BPF_CORE_READ(f, f_inode);
				s->ev.a[4] = BPF_CORE_READ(ino, i_sb, s_dev);
				s->ev.a[5] = BPF_CORE_READ(ino, i_ino);
				s->ev.flags |= KS_F_HAS_INODE;
			}
		}
	}
	put_user_path(s, 0, path, 0);
	emit_scratch(s);
}

static __always_inline void do_paths2(__u32 type, long ret, long a0, long a1, long a2,
				      const char *p0, const char *p1)
{
	struct scratch *s = get_scratch();
	if (!s) {
		drop(KS_DROP_RINGBUF);
		return;
	}
	hdr(&s->ev, type, ret);
	s->ev.a[0] = a0;
	s->ev.a[1] = a1;
	s->ev.a[2] = a2;
	__u32 off = put_user_path(s, 0, p0, 0);
	if (p1)
		put_user_path(s, off, p1, 1);
	emit_scratch(s);
}

static __always_inline void do_path(__u32 type, long ret, long a0, long a1, const char *p0)
{
	do_paths2(type, ret, a0, a1, 0, p0, NULL);
}

struct argv_ctx {
	const char *const *argv;
	__u32 start;   /* offset of the argv block in data */
	__u32 used;    /* bytes of argv block so far */
	__u32 trunc;
	__u32 done;
};

/* One argv string per call (bpf_loop keeps the verifier's work small). */
static long argv_cb(__u32 i, struct argv_ctx *c)
{
	struct scratch *s = get_scratch();
	const char *p = NULL;
	if (!s || bpf_probe_read_user(&p, sizeof(p), &c->argv[i & (KS_FAILED_EXEC_MAX_ARGS - 1)]) || !p) {
		c->done = 1;
		return 1;
	}
	__u32 used = c->used;
	if (used >= KS_ARGS_MAX) {
		c->trunc = 1;
		return 1;
	}
	long n = bpf_probe_read_user_str(&s->data[(c->start + used) & 0x7fff], KS_ARG_READ, p);
	if (n <= 0) {
		c->trunc = 1;
		return 1;
	}
	if (n >= KS_ARG_READ) {
		n = KS_ARG_READ;
		c->trunc = 1;
	}
	c->used = used + n;
	return 0;
}

static __always_inline void do_exec_fail(long ret, int dirfd, const char *path, const char *const *argv)
{
	struct scratch *s = get_scratch();
	if (!s) {
		drop(KS_DROP_RINGBUF);
		return;
	}
	hdr(&s->ev, KS_EV_EXEC_FAIL, ret);
	s->ev.a[0] = dirfd;
	struct argv_ctx c = { .argv = argv };
	c.start = put_user_path(s, 0, path, 0) & 0x1fff;
	long n = bpf_loop(KS_FAILED_EXEC_MAX_ARGS, argv_cb, &c, 0);
	if (c.trunc || (n == KS_FAILED_EXEC_MAX_ARGS && !c.done))
		s->ev.flags |= KS_F_TRUNC1;
	s->ev.len[1] = c.used;
	emit_scratch(s);
}

static __always_inline void do_pipe(long ret, const int *fds, long flags)
{
	int v[2] = { -1, -1 };
	if (ret == 0)
		bpf_probe_read_user(v, sizeof(v), fds);
	small(KS_EV_PIPE, ret, v[0], v[1], flags);
}

/* Everything that happens at syscall exit; `kind` is a constant in the
 * per-syscall programs (the switch folds away) and a variable in raw mode. */
static __always_inline int on_sys_exit(__u32 kind, long ret, struct pt_regs *regs)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	switch (kind) {
	case KS_SYS_OPEN:
		do_open(ret, AT_FDCWD, (const char *)P1, P2, P3);
		break;
	case KS_SYS_OPENAT:
		do_open(ret, (int)P1, (const char *)P2, P3, P4);
		break;
	case KS_SYS_OPENAT2: {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)P3);
		do_open(ret, (int)P1, (const char *)P2, how.flags, how.mode);
		break;
	}
	case KS_SYS_CREAT:
		do_open(ret, AT_FDCWD, (const char *)P1, O_CREAT | O_WRONLY | O_TRUNC, P2);
		break;
	case KS_SYS_CLOSE:
		small(KS_EV_CLOSE, ret, (int)P1, 0, 0);
		break;
	case KS_SYS_CLOSE_RANGE:
		small(KS_EV_CLOSE_RANGE, ret, (__u32)P1, (__u32)P2, (__u32)P3);
		break;
	case KS_SYS_DUP:
		small(KS_EV_DUP, ret, (int)P1, 0, 0);
		break;
	case KS_SYS_DUP2:
		small(KS_EV_DUP, ret, (int)P1, 0, 0);
		break;
	case KS_SYS_DUP3:
		small(KS_EV_DUP, ret, (int)P1, (P3 & O_CLOEXEC) != 0, 0);
		break;
	case KS_SYS_FCNTL: {
		int cmd = P2;
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
			small(KS_EV_DUP, ret, (int)P1, cmd == F_DUPFD_CLOEXEC, 0);
		else if (cmd == F_SETFD)
			small(KS_EV_SET_CLOEXEC, ret, (int)P1, (P3 & FD_CLOEXEC) != 0, 0);
		break;
	}
	case KS_SYS_READ:
	case KS_SYS_READV:
	case KS_SYS_PREAD64:
	case KS_SYS_PREADV:
	case KS_SYS_PREADV2:
		if (ret > 0)
			add_io(tgid, (int)P1, ret, 0);
		break;
	case KS_SYS_WRITE:
	case KS_SYS_WRITEV:
	case KS_SYS_PWRITE64:
	case KS_SYS_PWRITEV:
	case KS_SYS_PWRITEV2:
		if (ret > 0)
			add_io(tgid, (int)P1, ret, 1);
		break;
	case KS_SYS_COPY_FILE_RANGE:
	case KS_SYS_SPLICE:
	case KS_SYS_SENDFILE:
	case KS_SYS_TEE: {
		int in, out, call;
		if (kind == KS_SYS_SENDFILE) {
			in = P2;
			out = P1;
			call = KS_XFER_SENDFILE;
		} else if (kind == KS_SYS_TEE) {
			in = P1;
			out = P2;
			call = KS_XFER_TEE;
		} else {
			in = P1;
			out = P3;
			call = kind == KS_SYS_SPLICE ? KS_XFER_SPLICE : KS_XFER_COPY_FILE_RANGE;
		}
		if (ret > 0) {
			add_io(tgid, in, ret, 0);
			add_io(tgid, out, ret, 1);
		}
		small(KS_EV_TRANSFER, ret, call, in, out);
		break;
	}
	case KS_SYS_PIPE:
		do_pipe(ret, (const int *)P1, 0);
		break;
	case KS_SYS_PIPE2:
		do_pipe(ret, (const int *)P1, (int)P2);
		break;
	case KS_SYS_CHDIR:
		do_path(KS_EV_CHDIR, ret, 0, 0, (const char *)P1);
		break;
	case KS_SYS_FCHDIR:
		small(KS_EV_FCHDIR, ret, (int)P1, 0, 0);
		break;
	case KS_SYS_RENAME:
		do_paths2(KS_EV_RENAME, ret, AT_FDCWD, AT_FDCWD, 0, (const char *)P1, (const char *)P2);
		break;
	case KS_SYS_RENAMEAT:
		do_paths2(KS_EV_RENAME, ret, (int)P1, (int)P3, 0, (const char *)P2, (const char *)P4);
		break;
	case KS_SYS_RENAMEAT2:
		do_paths2(KS_EV_RENAME, ret, (int)P1, (int)P3, (__u32)P5, (const char *)P2, (const char *)P4);
		break;
	case KS_SYS_LINK:
		do_paths2(KS_EV_LINK, ret, AT_FDCWD, AT_FDCWD, 0, (const char *)P1, (const char *)P2);
		break;
	case KS_SYS_LINKAT:
		do_paths2(KS_EV_LINK, ret, (int)P1, (int)P3, (int)P5, (const char *)P2, (const char *)P4);
		break;
	case KS_SYS_SYMLINK:
		do_paths2(KS_EV_SYMLINK, ret, AT_FDCWD, 0, 0, (const char *)P1, (const char *)P2);
		break;
	case KS_SYS_SYMLINKAT:
		do_paths2(KS_EV_SYMLINK, ret, (int)P2, 0, 0, (const char *)P1, (const char *)P3);
		break;
	case KS_SYS_UNLINK:
		do_path(KS_EV_UNLINK, ret, AT_FDCWD, 0, (const char *)P1);
		break;
	case KS_SYS_UNLINKAT:
		do_path(KS_EV_UNLINK, ret, (int)P1, (int)P3, (const char *)P2);
		break;
	case KS_SYS_RMDIR:
		do_path(KS_EV_UNLINK, ret, AT_FDCWD, AT_REMOVEDIR, (const char *)P1);
		break;
	case KS_SYS_MKDIR:
		do_path(KS_EV_MKDIR, ret, AT_FDCWD, (__u32)P2, (const char *)P1);
		break;
	case KS_SYS_MKDIRAT:
		do_path(KS_EV_MKDIR, ret, (int)P1, (__u32)P3, (const char *)P2);
		break;
	case KS_SYS_TRUNCATE:
		do_path(KS_EV_TRUNCATE, ret, P2, 0, (const char *)P1);
		break;
	case KS_SYS_FTRUNCATE:
		small(KS_EV_FTRUNCATE, ret, (int)P1, P2, 0);
		break;
	case KS_SYS_MMAP: {
		int fd = P5;
		long prot = P3, flags = P4;
		if (fd >= 0 && (prot & PROT_WRITE) && (flags & MAP_SHARED))
			small(KS_EV_MMAP, (unsigned long)ret >= (unsigned long)-4095 ? ret : 0, fd, prot, flags);
		break;
	}
	case KS_SYS_EXECVE:
		if (ret < 0)
			do_exec_fail(ret, AT_FDCWD, (const char *)P1, (const char *const *)P2);
		break;
	case KS_SYS_EXECVEAT:
		if (ret < 0)
			do_exec_fail(ret, (int)P1, (const char *)P2, (const char *const *)P3);
		break;
	}
	return 0;
}

static __always_inline int on_sys_enter(__u32 kind, struct pt_regs *regs)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	switch (kind) {
	case KS_SYS_CLOSE:
		flush_fd(tgid, (int)P1);
		forget_low_fd(tgid, (int)P1);
		break;
	case KS_SYS_CLOSE_RANGE: {
		__u32 flags = P3;
		if (!(flags & CLOSE_RANGE_CLOEXEC))
			flush_range(tgid, (__u32)P1, (__u32)P2);
		break;
	}
	case KS_SYS_DUP2:
	case KS_SYS_DUP3: {
		int oldfd = P1, newfd = P2;
		if (oldfd != newfd) {
			flush_fd(tgid, newfd);
			forget_low_fd(tgid, newfd);
		}
		break;
	}
	}
	return 0;
}

/* A 32-bit process on x86_64 makes ia32 syscalls, whose numbers mean other
 * calls: raw mode skips them (as the per-syscall tracepoints do). */
#if defined(__TARGET_ARCH_x86)
#define TS_COMPAT 0x0002
static __always_inline bool compat_syscall(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	return BPF_CORE_READ(t, thread_info.status) & TS_COMPAT;
}
#else
static __always_inline bool compat_syscall(void)
{
	return false;
}
#endif

/* raw mode: two BTF tracepoints for all syscalls */

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long id)
{
	__u32 kind;
	if (id == nr_close)
		kind = KS_SYS_CLOSE;
	else if (id == nr_close_range)
		kind = KS_SYS_CLOSE_RANGE;
	else if (id == nr_dup2)
		kind = KS_SYS_DUP2;
	else if (id == nr_dup3)
		kind = KS_SYS_DUP3;
	else
		return 0;
	if (!is_traced(bpf_get_current_pid_tgid() >> 32) || compat_syscall())
		return 0;
	return on_sys_enter(kind, regs);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	unsigned long nr = SYSCALL_NR(regs); /* a trusted pointer: plain load */
	if (nr >= KS_NR_MAX)
		return 0;

	__u32 kind = sys_kind[nr];
	if (kind == KS_SYS_NONE)
		return 0;
	if (!is_traced(bpf_get_current_pid_tgid() >> 32) || compat_syscall())
		return 0;
	return on_sys_exit(kind, ret, regs);
}

/* "each" mode: one tracepoint per syscall; regs come from the task. */

static __always_inline struct pt_regs *user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

#define EXIT_TP(name, kind)                                                        \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int tp_exit_##name(struct trace_event_raw_sys_exit *ctx)                   \
	{                                                                          \
		if (!is_traced(bpf_get_current_pid_tgid() >> 32))                  \
			return 0;                                                  \
		return on_sys_exit(kind, ctx->ret, user_regs());                   \
	}

#define ENTER_TP(name, kind)                                                       \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                \
	int tp_enter_##name(struct trace_event_raw_sys_enter *ctx)                 \
	{                                                                          \
		if (!is_traced(bpf_get_current_pid_tgid() >> 32))                  \
			return 0;                                                  \
		return on_sys_enter(kind, user_regs());                            \
	}

ENTER_TP(close, KS_SYS_CLOSE)
ENTER_TP(close_range, KS_SYS_CLOSE_RANGE)
ENTER_TP(dup2, KS_SYS_DUP2)
ENTER_TP(dup3, KS_SYS_DUP3)

EXIT_TP(open, KS_SYS_OPEN)
EXIT_TP(openat, KS_SYS_OPENAT)
EXIT_TP(openat2, KS_SYS_OPENAT2)
EXIT_TP(creat, KS_SYS_CREAT)
EXIT_TP(close, KS_SYS_CLOSE)
EXIT_TP(close_range, KS_SYS_CLOSE_RANGE)
EXIT_TP(dup, KS_SYS_DUP)
EXIT_TP(dup2, KS_SYS_DUP2)
EXIT_TP(dup3, KS_SYS_DUP3)
EXIT_TP(fcntl, KS_SYS_FCNTL)
EXIT_TP(read, KS_SYS_READ)
EXIT_TP(readv, KS_SYS_READV)
EXIT_TP(pread64, KS_SYS_PREAD64)
EXIT_TP(preadv, KS_SYS_PREADV)
EXIT_TP(preadv2, KS_SYS_PREADV2)
EXIT_TP(write, KS_SYS_WRITE)
EXIT_TP(writev, KS_SYS_WRITEV)
EXIT_TP(pwrite64, KS_SYS_PWRITE64)
EXIT_TP(pwritev, KS_SYS_PWRITEV)
EXIT_TP(pwritev2, KS_SYS_PWRITEV2)
EXIT_TP(copy_file_range, KS_SYS_COPY_FILE_RANGE)
EXIT_TP(sendfile64, KS_SYS_SENDFILE)
EXIT_TP(splice, KS_SYS_SPLICE)
EXIT_TP(tee, KS_SYS_TEE)
EXIT_TP(pipe, KS_SYS_PIPE)
EXIT_TP(pipe2, KS_SYS_PIPE2)
EXIT_TP(chdir, KS_SYS_CHDIR)
EXIT_TP(fchdir, KS_SYS_FCHDIR)
EXIT_TP(rename, KS_SYS_RENAME)
EXIT_TP(renameat, KS_SYS_RENAMEAT)
EXIT_TP(renameat2, KS_SYS_RENAMEAT2)
EXIT_TP(link, KS_SYS_LINK)
EXIT_TP(linkat, KS_SYS_LINKAT)
EXIT_TP(symlink, KS_SYS_SYMLINK)
EXIT_TP(symlinkat, KS_SYS_SYMLINKAT)
EXIT_TP(unlink, KS_SYS_UNLINK)
EXIT_TP(unlinkat, KS_SYS_UNLINKAT)
EXIT_TP(rmdir, KS_SYS_RMDIR)
EXIT_TP(mkdir, KS_SYS_MKDIR)
EXIT_TP(mkdirat, KS_SYS_MKDIRAT)
EXIT_TP(truncate, KS_SYS_TRUNCATE)
EXIT_TP(ftruncate, KS_SYS_FTRUNCATE)
EXIT_TP(mmap, KS_SYS_MMAP)
EXIT_TP(execve, KS_SYS_EXECVE)
EXIT_TP(execveat, KS_SYS_EXECVEAT)
