/* Shared between kiseki.bpf.c (kernel side) and loader.c (user side):
 * the layout of the records in the ring buffer and the syscall kinds.
 * Only fixed-width types, so both compilers agree on the layout. */
#ifndef KISEKI_H
#define KISEKI_H

#ifndef __bpf__
#include <linux/types.h> /* the BPF side gets __u32 & co. from vmlinux.h */
#endif

/* Path strings: PATH_MAX bytes including the NUL, so at most 4095 useful
 * bytes; we read one more byte to tell "exactly PATH_MAX-1" from "longer". */
#define KS_PATH_MAX 4096
#define KS_PATH_READ (KS_PATH_MAX + 1)
/* argv and environment blocks of an exec, each. */
#define KS_ARGS_MAX 16384
#define KS_ENV_MAX 16384
/* One argv string of a failed exec (read pointer by pointer). */
#define KS_ARG_READ 4096
#define KS_FAILED_EXEC_MAX_ARGS 256

/* Size of the per-CPU scratch buffer after the header: large enough for
 * every masked offset the verifier may assume (see kiseki.bpf.c). */
#define KS_DATA_MAX 65536

/* Record types in the ring buffer. */
enum ks_type {
	KS_EV_FORK = 1,
	KS_EV_EXEC,        /* successful exec, from sched_process_exec */
	KS_EV_EXEC_FAIL,   /* execve/execveat returned < 0 */
	KS_EV_EXIT,
	KS_EV_OPEN,
	KS_EV_CLOSE,
	KS_EV_CLOSE_RANGE,
	KS_EV_IO,
	KS_EV_DUP,
	KS_EV_SET_CLOEXEC,
	KS_EV_PIPE,
	KS_EV_CHDIR,
	KS_EV_FCHDIR,
	KS_EV_RENAME,
	KS_EV_LINK,
	KS_EV_SYMLINK,
	KS_EV_UNLINK,
	KS_EV_MKDIR,
	KS_EV_TRUNCATE,
	KS_EV_FTRUNCATE,
	KS_EV_TRANSFER,
	KS_EV_MMAP,
	KS_EV_ATTACH,      /* agent mode: a process became traced at exec */
	KS_EV_MAX
};

/* Flags of a record. */
#define KS_F_TRUNC0 0x1   /* blob 0 was cut (or could not be read) */
#define KS_F_TRUNC1 0x2
#define KS_F_TRUNC2 0x4
#define KS_F_HAS_INODE 0x8  /* open: a[4] = dev (kernel encoding), a[5] = ino */
#define KS_F_SHARES_FILES 0x10 /* fork: CLONE_FILES */

/* Why a process became traced in agent mode (a[0] of KS_EV_ATTACH). */
#define KS_ATTACH_SLURM 1 /* SLURM_JOB_ID= in the environment of the new image */
#define KS_ATTACH_PBS 2   /* PBS_JOBID= */

/* Transfer calls (a[0] of KS_EV_TRANSFER). */
enum ks_transfer {
	KS_XFER_COPY_FILE_RANGE = 1,
	KS_XFER_SENDFILE,
	KS_XFER_SPLICE,
	KS_XFER_TEE,
};

/*
 * One record. Numeric fields per type (a[] index):
 *  FORK        a0 child tgid, a1 child start_boottime ns
 *  EXEC        a0 uid a1 gid a2 euid a3 egid a4 start_boottime ns, a5 old tid;
 *              blobs: path, argv block (NUL-terminated strings), env block
 *  EXEC_FAIL   a0 dirfd (AT_FDCWD for execve); blobs: path, argv block
 *  EXIT        a0 wait status
 *  OPEN        a0 dirfd a1 flags a2 mode a4 dev a5 ino; blob path
 *  CLOSE       a0 fd
 *  CLOSE_RANGE a0 first a1 last a2 flags
 *  IO          a0 fd a1 bytes read a2 bytes written
 *  DUP         a0 oldfd a1 cloexec
 *  SET_CLOEXEC a0 fd a1 cloexec
 *  PIPE        a0 fd0 a1 fd1 a2 flags
 *  CHDIR       blob path
 *  FCHDIR      a0 fd
 *  RENAME/LINK a0 olddirfd a1 newdirfd a2 flags; blobs old, new
 *  SYMLINK     a0 newdirfd; blobs target, linkpath
 *  UNLINK      a0 dirfd a1 flags; blob path
 *  MKDIR       a0 dirfd a1 mode; blob path
 *  TRUNCATE    a0 length; blob path
 *  FTRUNCATE   a0 fd a1 length
 *  TRANSFER    a0 call (ks_transfer) a1 fd in a2 fd out
 *  MMAP        a0 fd a1 prot a2 flags
 *  ATTACH      a0 reason (KS_ATTACH_*) a1 start_boottime ns a2 parent tgid
 * Blob lengths are in len[] (no NUL terminators stored for paths), the blobs
 * follow the header back to back. Argv and env blocks are NUL-separated
 * strings as in /proc/PID/cmdline.
 */
struct ks_event {
	__u32 type;
	__u32 flags;
	__u32 pid;   /* tgid */
	__u32 tid;
	__u64 ts;    /* bpf_ktime_get_boot_ns() */
	__s64 ret;
	__s64 a[6];
	__u32 len[3];
	__u32 pad;
	/* followed by the blobs: data[len[0] + len[1] + len[2]] */
};

/* Syscall kinds: the loader fills the nr -> kind table (raw mode) from its
 * libc's SYS_* numbers, so the BPF object needs no per-arch syscall table. */
enum ks_sys {
	KS_SYS_NONE = 0,
	KS_SYS_OPEN,
	KS_SYS_OPENAT,
	KS_SYS_OPENAT2,
	KS_SYS_CREAT,
	KS_SYS_CLOSE,
	KS_SYS_CLOSE_RANGE,
	KS_SYS_DUP,
	KS_SYS_DUP2,
	KS_SYS_DUP3,
	KS_SYS_FCNTL,
	KS_SYS_READ,
	KS_SYS_READV,
	KS_SYS_PREAD64,
	KS_SYS_PREADV,
	KS_SYS_PREADV2,
	KS_SYS_WRITE,
	KS_SYS_WRITEV,
	KS_SYS_PWRITE64,
	KS_SYS_PWRITEV,
	KS_SYS_PWRITEV2,
	KS_SYS_COPY_FILE_RANGE,
	KS_SYS_SENDFILE,
	KS_SYS_SPLICE,
	KS_SYS_TEE,
	KS_SYS_PIPE,
	KS_SYS_PIPE2,
	KS_SYS_CHDIR,
	KS_SYS_FCHDIR,
	KS_SYS_RENAME,
	KS_SYS_RENAMEAT,
	KS_SYS_RENAMEAT2,
	KS_SYS_LINK,
	KS_SYS_LINKAT,
	KS_SYS_SYMLINK,
	KS_SYS_SYMLINKAT,
	KS_SYS_UNLINK,
	KS_SYS_UNLINKAT,
	KS_SYS_RMDIR,
	KS_SYS_MKDIR,
	KS_SYS_MKDIRAT,
	KS_SYS_TRUNCATE,
	KS_SYS_FTRUNCATE,
	KS_SYS_MMAP,
	KS_SYS_EXECVE,
	KS_SYS_EXECVEAT,
	KS_SYS_MAX
};

/* One bit per possible pid (PID_MAX_LIMIT = 2^22 on 64-bit). */
#define KS_PID_WORDS ((1 << 22) / 64)

/* Size of the nr -> kind table. */
#define KS_NR_MAX 1024

/* Indices of the per-CPU drop counters. */
enum ks_drop {
	KS_DROP_RINGBUF = 0,  /* ring buffer full: record lost */
	KS_DROP_TRACED_FULL,  /* traced map full: a new process is not traced */
	KS_DROP_IO_FULL,      /* io map full: bytes of an fd not counted */
	KS_DROP_MAX
};

/* Value of the `traced` map: which fds of the process have byte counters in
 * `io`, so that exec and exit flush them without scanning the whole map.
 * fds 0..63 are bits; higher fds go to a short list (duplicates possible,
 * harmless); when the list overflows, the flush falls back to a scan. */
#define KS_PROC_HIGH 16
struct ks_proc {
	__u64 lowfds;
	__u32 nhigh;
	__u32 pad;
	__s32 high[KS_PROC_HIGH];
};

struct ks_io_key {
	__u32 tgid;
	__s32 fd;
};

struct ks_io_val {
	__u64 rd;
	__u64 wr;
};

#endif
