/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtcheck - LD_PRELOAD checker: does a JACK process callback allocate, lock
 * or make a system call?
 *
 * Build:
 *   gcc -std=c11 -D_GNU_SOURCE -shared -fPIC -O2 -Wall -Wextra -Werror \
 *       tests/rtcheck.c -o tests/rtcheck.so -ldl -lpthread
 * Use:
 *   LD_PRELOAD=/abs/path/rtcheck.so RTCHECK_OUT=report midiplay ...
 *
 * jack_set_process_callback is interposed: the program's callback and its
 * argument are kept, and a wrapper is registered in their place.  The
 * wrapper sets the thread-local flag in_process, calls the real callback,
 * clears the flag and counts the cycle.
 *
 * The allocator (malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc, memalign, valloc), the pthread mutex and condition
 * functions, sem_wait/sem_post, and the libc wrappers of system calls a
 * careless callback would use (read, write, open, close, poll, the sleeps,
 * stdio output, syscall, sched_yield) are interposed too: each one is
 * counted, with an atomic, when it is called on a thread whose in_process
 * is set, and always forwarded to the real function (dlsym(RTLD_NEXT)).
 * clock_gettime is not interposed: it is a vDSO call, allowed.  Calls made
 * by JACK's threads outside the callback, by the program's other threads
 * and by this library's own destructor are not counted.
 *
 * Only calls that cross a shared-object boundary are seen: the program's
 * and libjack's calls into libc, and libc's own calls of the allocator
 * (which glibc makes through interposable symbols).
 *
 * At exit, in a process that registered a callback, the report goes to the
 * file named by RTCHECK_OUT (else to stderr):
 *     cycles N          how many times the wrapped callback ran
 *     FUNCTION N        for each function called in the callback, N > 0
 *     total N           the sum of those
 * and, when total > 0, for the first call of each function counted, the
 * stack (backtrace_symbols_fd: module(symbol+offset) or module(+offset),
 * for addr2line) goes to stderr.
 *
 * RTCHECK_SELFTEST=1: the wrapper itself calls malloc and free once inside
 * the callback's flag, on the first cycle, so that a test can prove the
 * checker does report.
 */
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* JACK's types, declared here so that no JACK header is needed. */
typedef uint32_t jack_nframes_t;
typedef struct _jack_client jack_client_t;
typedef int (*JackProcessCallback)(jack_nframes_t nframes, void *arg);
int jack_set_process_callback(jack_client_t *client,
    JackProcessCallback process_callback, void *arg);

/* Declared by no header included here. */
void *memalign(size_t alignment, size_t size);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __printf_chk(int flag, const char *fmt, ...);
int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
int __vprintf_chk(int flag, const char *fmt, va_list ap);
int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap);

#define IE __attribute__((tls_model("initial-exec")))

/* Every function watched; jack_set_process_callback is only forwarded. */
#define WATCHED(X) \
	X(malloc) X(calloc) X(realloc) X(free) X(posix_memalign) \
	X(aligned_alloc) X(memalign) X(valloc) \
	X(pthread_mutex_lock) X(pthread_mutex_trylock) \
	X(pthread_mutex_unlock) X(pthread_cond_wait) \
	X(pthread_cond_timedwait) X(pthread_cond_signal) \
	X(pthread_cond_broadcast) X(sem_wait) X(sem_post) \
	X(write) X(read) X(open) X(open64) X(__open_2) X(__open64_2) \
	X(openat) X(close) X(poll) X(nanosleep) X(clock_nanosleep) \
	X(usleep) X(printf) X(fprintf) X(vprintf) X(vfprintf) \
	X(__printf_chk) X(__fprintf_chk) X(__vprintf_chk) \
	X(__vfprintf_chk) X(puts) X(fputs) X(fputc) X(putc) X(putchar) \
	X(fwrite) X(fflush) X(syscall) X(sched_yield)

#define ID(f) F_##f,
enum { WATCHED(ID) F_WATCHED, F_jack_set_process_callback = F_WATCHED,
	F_ALL };
#undef ID
#define NAME(f) #f,
static const char *const names[F_ALL] = { WATCHED(NAME)
	"jack_set_process_callback" };
#undef NAME

static void *real_fn[F_ALL];
static atomic_ulong counts[F_WATCHED];
static atomic_ulong cycles;

/* set on the thread running the wrapped callback, while it runs */
static __thread int in_process IE;
/* set while this library works (resolving, taking a backtrace) */
static __thread int in_rtcheck IE;
static __thread int resolving IE;

/* the first call's stack, for each function counted */
#define BT_MAX 32
static void *bt[F_WATCHED][BT_MAX];
static int bt_len[F_WATCHED];
static int bt_ready;            /* backtrace() primed outside the callback */

/* ---- the dlsym bootstrap --------------------------------------------
 * dlsym may allocate (glibc's dlerror state), and the allocator here needs
 * dlsym: while a thread resolves, its allocations come from this buffer,
 * each after a 16-byte header holding its size; they are never freed. */
static unsigned char boot_buf[64 * 1024] __attribute__((aligned(64)));
static atomic_size_t boot_used;

static int
is_boot(const void *p)
{
	return (const unsigned char *)p >= boot_buf &&
	    (const unsigned char *)p < boot_buf + sizeof boot_buf;
}

static void *
boot_alloc(size_t n, size_t align)
{
	size_t start, old, next;

	if (align < 16)
		align = 16;
	old = atomic_load(&boot_used);
	do {
		start = (old + 16 + align - 1) & ~(align - 1);
		next = start + n;
		if (next > sizeof boot_buf || next < start)
			return NULL;
	} while (!atomic_compare_exchange_weak(&boot_used, &old, next));
	memcpy(boot_buf + start - sizeof n, &n, sizeof n);
	return boot_buf + start;
}

static size_t
boot_size(const void *p)
{
	size_t n;

	memcpy(&n, (const unsigned char *)p - sizeof n, sizeof n);
	return n;
}

static void *
resolve(int id)
{
	void *p = __atomic_load_n(&real_fn[id], __ATOMIC_ACQUIRE);

	if (p != NULL)
		return p;
	resolving++;
	p = dlsym(RTLD_NEXT, names[id]);
	resolving--;
	if (p == NULL)
		abort();        /* no next definition: nothing to forward to */
	__atomic_store_n(&real_fn[id], p, __ATOMIC_RELEASE);
	return p;
}

#define REAL(f) ((__typeof__(&f))resolve(F_##f))

/* ---- counting ------------------------------------------------------- */
static void
note(int id)
{
	if (!in_process || in_rtcheck)
		return;
	if (atomic_fetch_add_explicit(&counts[id], 1,
	    memory_order_relaxed) == 0 &&
	    __atomic_load_n(&bt_ready, __ATOMIC_ACQUIRE)) {
		in_rtcheck++;
		bt_len[id] = backtrace(bt[id], BT_MAX);
		in_rtcheck--;
	}
}

/* ---- the process callback wrapper ------------------------------------ */
struct slot {
	JackProcessCallback cb;
	void *arg;
};
#define MAX_SLOTS 16
static struct slot slots[MAX_SLOTS];
static atomic_int nslots;
static atomic_int registered;
static int selftest;
static atomic_int selftest_done;

static void *(*volatile selftest_malloc)(size_t) = malloc;
static void (*volatile selftest_free)(void *) = free;

static int
wrapper(jack_nframes_t nframes, void *arg)
{
	struct slot *s = arg;
	int r;

	in_process = 1;
	if (selftest && !atomic_exchange(&selftest_done, 1))
		selftest_free(selftest_malloc(16));
	r = s->cb(nframes, s->arg);
	in_process = 0;
	atomic_fetch_add_explicit(&cycles, 1, memory_order_relaxed);
	return r;
}

int
jack_set_process_callback(jack_client_t *client,
    JackProcessCallback process_callback, void *arg)
{
	int i;
	const char *e;

	if (process_callback == NULL)
		return REAL(jack_set_process_callback)(client, NULL, arg);
	if (!__atomic_load_n(&bt_ready, __ATOMIC_ACQUIRE)) {
		/* the first backtrace() loads libgcc_s: do it here, not in
		 * the callback */
		void *dummy[2];

		in_rtcheck++;
		backtrace(dummy, 2);
		in_rtcheck--;
		__atomic_store_n(&bt_ready, 1, __ATOMIC_RELEASE);
	}
	e = getenv("RTCHECK_SELFTEST");
	selftest = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
	i = atomic_fetch_add(&nslots, 1);
	if (i >= MAX_SLOTS)
		abort();        /* more callbacks than any program here sets */
	slots[i].cb = process_callback;
	slots[i].arg = arg;
	atomic_store(&registered, 1);
	return REAL(jack_set_process_callback)(client, wrapper, &slots[i]);
}

/* ---- the report ------------------------------------------------------- */
struct out {
	char buf[4096];
	size_t len;
	int fd;
};

static void
out_flush(struct out *o)
{
	size_t done = 0;

	while (done < o->len) {
		ssize_t n = REAL(write)(o->fd, o->buf + done, o->len - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	o->len = 0;
}

static void
out_str(struct out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (o->len == sizeof o->buf)
			out_flush(o);
		o->buf[o->len++] = *s;
	}
}

static void
out_line(struct out *o, const char *key, unsigned long n)
{
	char num[24];
	int i = sizeof num - 1;

	num[i] = '\0';
	do {
		num[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	out_str(o, key);
	out_str(o, " ");
	out_str(o, num + i);
	out_str(o, "\n");
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("RTCHECK_OUT");
	unsigned long total = 0, c[F_WATCHED];
	struct out o;
	int i;

	if (!atomic_load(&registered))
		return;
	in_rtcheck++;   /* nothing here is counted, whatever the thread */
	for (i = 0; i < F_WATCHED; i++)
		total += c[i] = atomic_load(&counts[i]);
	o.len = 0;
	o.fd = 2;
	if (path != NULL && *path != '\0') {
		o.fd = REAL(open)(path, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0666);
		if (o.fd < 0) {
			o.fd = 2;
			out_str(&o, "rtcheck: cannot write RTCHECK_OUT; "
			    "the report follows\n");
		}
	}
	out_line(&o, "cycles", atomic_load(&cycles));
	for (i = 0; i < F_WATCHED; i++)
		if (c[i] > 0)
			out_line(&o, names[i], c[i]);
	out_line(&o, "total", total);
	out_flush(&o);
	if (o.fd != 2)
		REAL(close)(o.fd);
	o.fd = 2;
	for (i = 0; i < F_WATCHED; i++) {
		if (c[i] == 0)
			continue;
		out_str(&o, "rtcheck: ");
		out_str(&o, names[i]);
		out_str(&o, " called in the process callback; the first "
		    "call's stack:\n");
		out_flush(&o);
		if (bt_len[i] > 0)
			backtrace_symbols_fd(bt[i], bt_len[i], 2);
	}
	in_rtcheck--;
}

/* ---- the allocator ---------------------------------------------------- */
void *
malloc(size_t n)
{
	if (resolving)
		return boot_alloc(n, 16);
	note(F_malloc);
	return REAL(malloc)(n);
}

void *
calloc(size_t n, size_t size)
{
	if (resolving) {
		if (size != 0 && n > SIZE_MAX / size)
			return NULL;
		return boot_alloc(n * size, 16);  /* static: zeroed */
	}
	note(F_calloc);
	return REAL(calloc)(n, size);
}

void *
realloc(void *p, size_t n)
{
	void *q;
	size_t old;

	if (resolving && (p == NULL || is_boot(p))) {
		if ((q = boot_alloc(n, 16)) != NULL && p != NULL) {
			old = boot_size(p);
			memcpy(q, p, old < n ? old : n);
		}
		return q;
	}
	note(F_realloc);
	if (p != NULL && is_boot(p)) {
		if ((q = REAL(malloc)(n)) != NULL) {
			old = boot_size(p);
			memcpy(q, p, old < n ? old : n);
		}
		return q;
	}
	return REAL(realloc)(p, n);
}

void
free(void *p)
{
	if (p != NULL && is_boot(p))
		return;
	if (resolving && p == NULL)
		return;
	note(F_free);
	REAL(free)(p);
}

int
posix_memalign(void **pp, size_t align, size_t n)
{
	if (resolving) {
		*pp = boot_alloc(n, align);
		return *pp == NULL ? 12 /* ENOMEM */ : 0;
	}
	note(F_posix_memalign);
	return REAL(posix_memalign)(pp, align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	if (resolving)
		return boot_alloc(n, align);
	note(F_aligned_alloc);
	return REAL(aligned_alloc)(align, n);
}

void *
memalign(size_t align, size_t n)
{
	if (resolving)
		return boot_alloc(n, align);
	note(F_memalign);
	return REAL(memalign)(align, n);
}

void *
valloc(size_t n)
{
	if (resolving)
		return boot_alloc(n, 4096);
	note(F_valloc);
	return REAL(valloc)(n);
}

/* ---- locks ------------------------------------------------------------ */
int
pthread_mutex_lock(pthread_mutex_t *m)
{
	note(F_pthread_mutex_lock);
	return REAL(pthread_mutex_lock)(m);
}

int
pthread_mutex_trylock(pthread_mutex_t *m)
{
	note(F_pthread_mutex_trylock);
	return REAL(pthread_mutex_trylock)(m);
}

int
pthread_mutex_unlock(pthread_mutex_t *m)
{
	note(F_pthread_mutex_unlock);
	return REAL(pthread_mutex_unlock)(m);
}

int
pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	note(F_pthread_cond_wait);
	return REAL(pthread_cond_wait)(c, m);
}

int
pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
    const struct timespec *t)
{
	note(F_pthread_cond_timedwait);
	return REAL(pthread_cond_timedwait)(c, m, t);
}

int
pthread_cond_signal(pthread_cond_t *c)
{
	note(F_pthread_cond_signal);
	return REAL(pthread_cond_signal)(c);
}

int
pthread_cond_broadcast(pthread_cond_t *c)
{
	note(F_pthread_cond_broadcast);
	return REAL(pthread_cond_broadcast)(c);
}

int
sem_wait(sem_t *s)
{
	note(F_sem_wait);
	return REAL(sem_wait)(s);
}

int
sem_post(sem_t *s)
{
	note(F_sem_post);
	return REAL(sem_post)(s);
}

/* ---- system call wrappers ------------------------------------------ */
ssize_t
write(int fd, const void *p, size_t n)
{
	note(F_write);
	return REAL(write)(fd, p, n);
}

ssize_t
read(int fd, void *p, size_t n)
{
	note(F_read);
	return REAL(read)(fd, p, n);
}

/* the mode argument is there only with O_CREAT or O_TMPFILE */
#define NEEDS_MODE(flags) (((flags) & O_CREAT) != 0 || \
	((flags) & O_TMPFILE) == O_TMPFILE)

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	note(F_open);
	if (NEEDS_MODE(flags)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return REAL(open)(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	note(F_open64);
	if (NEEDS_MODE(flags)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return REAL(open64)(path, flags, mode);
}

int
__open_2(const char *path, int flags)
{
	note(F___open_2);
	return REAL(__open_2)(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	note(F___open64_2);
	return REAL(__open64_2)(path, flags);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	note(F_openat);
	if (NEEDS_MODE(flags)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return REAL(openat)(dirfd, path, flags, mode);
}

int
close(int fd)
{
	note(F_close);
	return REAL(close)(fd);
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	note(F_poll);
	return REAL(poll)(fds, n, timeout);
}

int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	note(F_nanosleep);
	return REAL(nanosleep)(req, rem);
}

int
clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
    struct timespec *rem)
{
	note(F_clock_nanosleep);
	return REAL(clock_nanosleep)(clk, flags, req, rem);
}

int
usleep(useconds_t us)
{
	note(F_usleep);
	return REAL(usleep)(us);
}

long
syscall(long number, ...)
{
	long a[6];
	va_list ap;
	int i;

	note(F_syscall);
	/* as glibc's syscall() does: take six arguments, whatever the call */
	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int
sched_yield(void)
{
	note(F_sched_yield);
	return REAL(sched_yield)();
}

/* ---- stdio output ----------------------------------------------------- */
int
printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	note(F_printf);
	va_start(ap, fmt);
	r = REAL(vprintf)(fmt, ap);
	va_end(ap);
	return r;
}

int
fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int r;

	note(F_fprintf);
	va_start(ap, fmt);
	r = REAL(vfprintf)(fp, fmt, ap);
	va_end(ap);
	return r;
}

int
vprintf(const char *fmt, va_list ap)
{
	note(F_vprintf);
	return REAL(vprintf)(fmt, ap);
}

int
vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	note(F_vfprintf);
	return REAL(vfprintf)(fp, fmt, ap);
}

int
__printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	note(F___printf_chk);
	va_start(ap, fmt);
	r = REAL(__vprintf_chk)(flag, fmt, ap);
	va_end(ap);
	return r;
}

int
__fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	note(F___fprintf_chk);
	va_start(ap, fmt);
	r = REAL(__vfprintf_chk)(fp, flag, fmt, ap);
	va_end(ap);
	return r;
}

int
__vprintf_chk(int flag, const char *fmt, va_list ap)
{
	note(F___vprintf_chk);
	return REAL(__vprintf_chk)(flag, fmt, ap);
}

int
__vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap)
{
	note(F___vfprintf_chk);
	return REAL(__vfprintf_chk)(fp, flag, fmt, ap);
}

int
puts(const char *s)
{
	note(F_puts);
	return REAL(puts)(s);
}

int
fputs(const char *s, FILE *fp)
{
	note(F_fputs);
	return REAL(fputs)(s, fp);
}

int
fputc(int c, FILE *fp)
{
	note(F_fputc);
	return REAL(fputc)(c, fp);
}

int
putc(int c, FILE *fp)
{
	note(F_putc);
	return REAL(putc)(c, fp);
}

int
putchar(int c)
{
	note(F_putchar);
	return REAL(putchar)(c);
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *fp)
{
	note(F_fwrite);
	return REAL(fwrite)(p, size, n, fp);
}

int
fflush(FILE *fp)
{
	note(F_fflush);
	return REAL(fflush)(fp);
}
