/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_parse: one line of the text stream into MIDI bytes and time
 * actions.  See stream_parse.h.
 *
 * The line is first checked for stray bytes, then read token by token: a
 * time token or a command, then the command's arguments.  Everything
 * happens on a copy of the sticky state, written back only when the whole
 * line parsed, so a bad line changes nothing.  Times are exact: a decimal
 * number is kept as an integer over a power of ten and turned into
 * nanoseconds with 128-bit integer arithmetic, never floating point.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midiplay/event.h"
#include "midiplay/ports.h"
#include "midiplay/stream_parse.h"

/* Longest time or duration: 10^8 s (three years) in ns.  Far below 2^63,
 * so whoever adds a few of them up cannot wrap. */
#define MAX_NS ((uint64_t)100000000 * 1000000000u)

/* Largest integer part of a decimal number; anything bigger is too large
 * for every use, and keeps the 128-bit products below from wrapping. */
#define MAX_INT 1000000000000ull

/* Digits after the point: nanoseconds from seconds need 9. */
#define MAX_FRAC 9

/* The tempo command's limit, beats per minute. */
#define MAX_BPM 10000

/* Whole numbers past this are only ever out of range. */
#define BIG_INT (1ll << 40)

/* Longest token quoted in a message. */
#define QUOTE_MAX 40

enum cmd_id {
	CMD_VOICE,      /* channel voice message with 1 or 2 data bytes */
	CMD_CC14, CMD_PB, CMD_RPN, CMD_NRPN, CMD_SYX, CMD_RAW,
	CMD_SYS,        /* one-byte system message */
	CMD_SPP, CMD_SS, CMD_TC, CMD_PANIC,
	CMD_CH, CMD_HEX, CMD_DEC, CMD_OMC, CMD_TEMPO, CMD_NOTE, CMD_WAIT,
	CMD_PORT
};

/* A name and its length, worked out once here rather than on every
 * lookup. */
#define NAME(s) s, sizeof s - 1
#define NO_ALIAS NULL, 0

struct cmd {
	const char *name;       /* in lower case, like the alias */
	size_t name_len;
	const char *alias;
	size_t alias_len;
	enum cmd_id id;
	uint8_t status;         /* status byte on channel 1 */
	int nargs;              /* -1: a list of one or more */
	const char *args;       /* their names, for "needs" messages */
};

static const struct cmd cmds[] = {
	{ NAME("on"), NAME("note-on"), CMD_VOICE, 0x90, 2, "note velocity" },
	{ NAME("off"), NAME("note-off"), CMD_VOICE, 0x80, 2, "note velocity" },
	{ NAME("pp"), NAME("poly-pressure"),
	    CMD_VOICE, 0xa0, 2, "note pressure" },
	{ NAME("cc"), NAME("control-change"),
	    CMD_VOICE, 0xb0, 2, "controller value" },
	{ NAME("cc14"), NAME("control-change-14"),
	    CMD_CC14, 0xb0, 2, "controller value" },
	{ NAME("pc"), NAME("program-change"), CMD_VOICE, 0xc0, 1, "program" },
	{ NAME("cp"), NAME("channel-pressure"),
	    CMD_VOICE, 0xd0, 1, "pressure" },
	{ NAME("pb"), NAME("pitch-bend"), CMD_PB, 0xe0, 1, "value" },
	{ NAME("rpn"), NO_ALIAS, CMD_RPN, 0xb0, 2, "number value" },
	{ NAME("nrpn"), NO_ALIAS, CMD_NRPN, 0xb0, 2, "number value" },
	{ NAME("syx"), NAME("system-exclusive"), CMD_SYX, 0xf0, -1, "bytes" },
	{ NAME("raw"), NAME("raw-midi"), CMD_RAW, 0, -1, "bytes" },
	{ NAME("mc"), NAME("midi-clock"), CMD_SYS, 0xf8, 0, NULL },
	{ NAME("start"), NO_ALIAS, CMD_SYS, 0xfa, 0, NULL },
	{ NAME("stop"), NO_ALIAS, CMD_SYS, 0xfc, 0, NULL },
	{ NAME("cont"), NAME("continue"), CMD_SYS, 0xfb, 0, NULL },
	{ NAME("spp"), NAME("song-position"), CMD_SPP, 0xf2, 1, "position" },
	{ NAME("ss"), NAME("song-select"), CMD_SS, 0xf3, 1, "song" },
	{ NAME("tc"), NAME("time-code"), CMD_TC, 0xf1, 2, "type value" },
	{ NAME("tun"), NAME("tune-request"), CMD_SYS, 0xf6, 0, NULL },
	{ NAME("as"), NAME("active-sensing"), CMD_SYS, 0xfe, 0, NULL },
	{ NAME("rst"), NAME("reset"), CMD_SYS, 0xff, 0, NULL },
	{ NAME("panic"), NO_ALIAS, CMD_PANIC, 0, 0, NULL },
	{ NAME("ch"), NAME("channel"), CMD_CH, 0, 1, "channel" },
	{ NAME("hex"), NAME("hexadecimal"), CMD_HEX, 0, 0, NULL },
	{ NAME("dec"), NAME("decimal"), CMD_DEC, 0, 0, NULL },
	{ NAME("omc"), NAME("octave-middle-c"), CMD_OMC, 0, 1, "octave" },
	{ NAME("tempo"), NO_ALIAS, CMD_TEMPO, 0, 1, "bpm" },
	{ NAME("note"), NO_ALIAS,
	    CMD_NOTE, 0x90, 3, "note velocity duration" },
	{ NAME("wait"), NO_ALIAS, CMD_WAIT, 0, 1, "duration" },
	{ NAME("port"), NO_ALIAS, CMD_PORT, 0, 1, "name" },
};

/* The data bytes of the CMD_VOICE commands, by status >> 4. */
static const char *const voice_args[8][2] = {
	{ "note", "velocity" }, { "note", "velocity" },
	{ "note", "pressure" }, { "controller", "value" },
	{ "program", NULL }, { "pressure", NULL }, { NULL, NULL },
	{ NULL, NULL }
};

struct tok {
	const char *s;
	size_t len;
	int col;                /* 1-based column of its first byte */
};

struct parser {
	const char *line;
	size_t len, pos;
	struct sp_state st;     /* the working copy */
	struct sp_line *out;
	struct sp_error *err;
};

/* Outcomes of the number readers, besides 0. */
enum {
	BAD_SYNTAX = -1,
	BAD_FRAC = -2,          /* more than MAX_FRAC digits after the point */
	BAD_BIG = -3            /* too large */
};

static int
fail(struct parser *p, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, int col, const char *fmt, ...)
{
	va_list ap;

	p->err->col = col;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* T's text for a message, cut at QUOTE_MAX bytes. */
static const char *
quote(const struct tok *t, char buf[QUOTE_MAX + 4])
{
	size_t n = t->len > QUOTE_MAX ? QUOTE_MAX : t->len;

	memcpy(buf, t->s, n);
	strcpy(buf + n, t->len > n ? "..." : "");
	return buf;
}

static int
col_of(size_t pos)
{
	return pos < 0x7fffffff ? (int)pos + 1 : 0x7fffffff;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* C in lower case if it is an ASCII letter, as strncasecmp would. */
static char
to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 0-15 for a hexadecimal digit, else -1. */
static int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 10^K; 1 for K below 0. */
static mp_u128
pow10_u128(int k)
{
	static const uint64_t p[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000, 10000000000
	};
	mp_u128 x = 1;

	/* the callers' K, from a table: this runs for every time token */
	if (k >= 0 && k < (int)(sizeof p / sizeof p[0]))
		return p[k];
	while (k-- > 0)
		x *= 10;
	return x;
}

/* round(n / d), half up; n stays far below 2^127 here. */
static mp_u128
div_round(mp_u128 n, mp_u128 d)
{
	return (2 * n + d) / (2 * d);
}

/*
 * Stray bytes, before anything else: a line of binary garbage should say
 * so, not "unknown command".  A comment is not looked into.
 */
static int
check_bytes(struct parser *p)
{
	size_t i;
	int start = 1;

	for (i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->line[i];

		/* the common case first: printable, and no comment */
		if (c > ' ' && c < 0x7f && c != '#') {
			start = 0;
			continue;
		}
		if (is_space((char)c)) {
			start = 1;
			continue;
		}
		if (c == '#' && start)
			return 0;
		if (c <= ' ' || c >= 0x7f)
			return fail(p, col_of(i), "stray byte 0x%02X", c);
		start = 0;
	}
	return 0;
}

/* The next token into T; 0 at the end of the line or at a comment. */
static int
next_tok(struct parser *p, struct tok *t)
{
	size_t i = p->pos;

	while (i < p->len && is_space(p->line[i]))
		i++;
	if (i == p->len || p->line[i] == '#') {
		p->pos = p->len;
		return 0;
	}
	t->s = p->line + i;
	t->col = col_of(i);
	while (i < p->len && !is_space(p->line[i]))
		i++;
	t->len = (size_t)(p->line + i - t->s);
	p->pos = i;
	return 1;
}

/* Whether the N bytes at S spell NAME, a lower-case name, in any case. */
static int
same_name(const char *s, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (to_lower(s[i]) != name[i])
			return 0;
	return 1;
}

/*
 * The command T names, or NULL.  This runs for every command and again
 * for every argument (take_arg), so a token that does not start with a
 * letter, as no name does, is turned away at once, and the lengths and
 * first letters are compared before the names.
 */
static const struct cmd *
lookup(const struct tok *t)
{
	char first = to_lower(t->s[0]);
	const struct cmd *c;

	if (first < 'a' || first > 'z')
		return NULL;
	for (c = cmds; c < cmds + sizeof cmds / sizeof cmds[0]; c++) {
		if (c->name_len == t->len && c->name[0] == first &&
		    same_name(t->s, c->name, t->len))
			return c;
		if (c->alias_len == t->len && c->alias[0] == first &&
		    same_name(t->s, c->alias, t->len))
			return c;
	}
	return NULL;
}

/* "+...", "@..." or a ReceiveMIDI timestamp ("wait" is a command). */
static int
is_time(const struct tok *t)
{
	return t->s[0] == '+' || t->s[0] == '@' ||
	    (is_digit(t->s[0]) && memchr(t->s, ':', t->len) != NULL);
}

/*
 * A whole number: decimal, hexadecimal with an H suffix or a 0x prefix,
 * decimal with an M suffix, else in the sticky mode; a '-' may lead (the
 * ranges refuse it where it does not belong).  0 or BAD_SYNTAX.  Values
 * too large to matter come out as BIG_INT.
 */
static int
parse_int(const struct parser *p, const char *s, size_t n, long long *v)
{
	int base = p->st.hex ? 16 : 10, neg = 0, d;
	long long x = 0;
	size_t i;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		s++;
		n--;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	} else if (n > 1 && (s[n - 1] == 'h' || s[n - 1] == 'H')) {
		base = 16;
		n--;
	} else if (n > 1 && (s[n - 1] == 'm' || s[n - 1] == 'M')) {
		base = 10;
		n--;
	}
	if (n == 0)
		return BAD_SYNTAX;
	for (i = 0; i < n; i++) {
		if ((d = digit_value(s[i])) < 0 || d >= base)
			return BAD_SYNTAX;
		x = x >= BIG_INT ? BIG_INT : x * base + d;
	}
	*v = neg ? -x : x;
	return 0;
}

/*
 * A note name: C D E F G A B or H, then '#' or 'b', then the octave (which
 * may be negative), all as one token.  0 with the note number (perhaps out
 * of 0-127), or BAD_SYNTAX when S is no note name.
 */
static int
parse_note_name(const struct parser *p, const char *s, size_t n, int *note)
{
	/* A to H */
	static const int pitch[] = { 9, 11, 0, 2, 4, 5, 7, 11 };
	int pc, octave = 0, neg = 0;
	size_t i = 1, digits = 0;
	char c;

	if (n < 2)
		return BAD_SYNTAX;
	c = s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 'a' + 'A') : s[0];
	if (c < 'A' || c > 'H')
		return BAD_SYNTAX;
	pc = pitch[c - 'A'];
	if (s[1] == '#') {
		pc++;
		i++;
	} else if (s[1] == 'b' || s[1] == 'B') {
		pc--;
		i++;
	}
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n; i++, digits++) {
		if (!is_digit(s[i]))
			return BAD_SYNTAX;
		if (octave < 1000)      /* far enough to be out of range */
			octave = octave * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return BAD_SYNTAX;
	if (neg)
		octave = -octave;
	*note = 12 * (octave + 5 - p->st.omc) + pc;
	return 0;
}

/*
 * A non-negative decimal number: digits, with an optional point and at
 * most MAX_FRAC digits after it.  Its value is *M / 10^*K.
 */
static int
parse_decimal(const char *s, size_t n, mp_u128 *m, int *k)
{
	/* the integer part and the fraction apart, each in 64 bits: the
	 * integer part stops growing past MAX_INT, the fraction at
	 * MAX_FRAC digits */
	uint64_t whole = 0, part = 0;
	int frac = -1, digits = 0, big = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (!is_digit(s[i]))
			return BAD_SYNTAX;
		digits++;
		if (frac >= 0) {
			if (++frac > MAX_FRAC)
				return BAD_FRAC;
			part = part * 10 + (unsigned)(s[i] - '0');
		} else if (whole > MAX_INT) {
			big = 1;        /* keep reading: a syntax error wins */
		} else {
			whole = whole * 10 + (unsigned)(s[i] - '0');
		}
	}
	if (digits == 0)
		return BAD_SYNTAX;
	if (big || whole > MAX_INT)
		return BAD_BIG;
	*k = frac > 0 ? frac : 0;
	*m = whole * pow10_u128(*k) + part;
	return 0;
}

/*
 * A duration: a decimal number with an optional unit, s (the default), ms,
 * us, or b for beats at the tempo of ST.  0 with *NS rounded half up, or a
 * BAD_ outcome.  With ST's beats (--link), b stays beats: *NS is then in
 * billionths of a beat, and *BEATS is set.
 */
static int
parse_dur(const struct sp_state *st, const char *s, size_t n, uint64_t *ns,
    int *in_beats)
{
	mp_u128 m, num, den, r;
	int k, rc, beats = 0;
	uint64_t mul = 1000000000u, unit;

	if (n >= 2 && to_lower(s[n - 2]) == 'm' && to_lower(s[n - 1]) == 's') {
		mul = 1000000u;
		n -= 2;
	} else if (n >= 2 && to_lower(s[n - 2]) == 'u' &&
	    to_lower(s[n - 1]) == 's') {
		mul = 1000u;
		n -= 2;
	} else if (n >= 1 && (s[n - 1] == 's' || s[n - 1] == 'S')) {
		n--;
	} else if (n >= 1 && (s[n - 1] == 'b' || s[n - 1] == 'B')) {
		beats = 1;
		n--;
	}
	if ((rc = parse_decimal(s, n, &m, &k)) < 0)
		return rc;
	*in_beats = beats && st->beats;
	if (*in_beats) {
		r = m * pow10_u128(9 - k);
	} else if (beats) {
		/* m / 10^k beats of 60 / (num / den) s each: in ns that is
		 * m * 6 * 10^(10 - k) * den / num, below 2^117 here */
		if (st->tempo_num == 0 || st->tempo_den == 0 ||
		    st->tempo_den > MAX_INT)
			return BAD_BIG;
		num = m * 6 * pow10_u128(10 - k) * st->tempo_den;
		den = st->tempo_num;
		r = div_round(num, den);
	} else if (mul % (unit = (uint64_t)pow10_u128(k)) == 0) {
		/* whole nanoseconds: the rounding division would give the
		 * same, slowly */
		r = m * (mul / unit);
	} else {
		r = div_round(m * mul, unit);
	}
	if (r > MAX_NS)
		return BAD_BIG;
	*ns = (uint64_t)r;
	return 0;
}

/*
 * SendMIDI's "+HH:MM:SS.mmm" or "+MM:SS.mmm" (the '+' already gone): the
 * first field is any whole number, the later ones below 60, and the
 * seconds may have a fraction.
 */
static int
parse_clock(const char *s, size_t n, uint64_t *ns)
{
	const char *end = s + n, *c;
	mp_u128 whole = 0, m;
	int fields = 0, k, rc;

	while ((c = memchr(s, ':', (size_t)(end - s))) != NULL) {
		uint64_t v = 0;
		const char *q;

		if (c == s || ++fields > 2)
			return BAD_SYNTAX;
		for (q = s; q < c; q++) {
			if (!is_digit(*q))
				return BAD_SYNTAX;
			if (v < MAX_INT)
				v = v * 10 + (uint64_t)(*q - '0');
		}
		if (fields > 1 && v >= 60)
			return BAD_SYNTAX;
		whole = whole * 60 + v;
		s = c + 1;
	}
	if ((rc = parse_decimal(s, (size_t)(end - s), &m, &k)) < 0)
		return rc;
	if (m >= 60 * pow10_u128(k))
		return BAD_SYNTAX;
	whole = whole * 60 * 1000000000u + m * pow10_u128(9 - k);
	if (whole > MAX_NS)
		return BAD_BIG;
	*ns = (uint64_t)whole;
	return 0;
}

/* ReceiveMIDI's "HH:MM:SS.mmm", exactly so. */
static int
parse_stamp(const char *s, size_t n, uint64_t *ns)
{
	static const char shape[] = "dd:dd:dd.ddd";
	int h, m, sec, ms;
	size_t i;

	if (n != sizeof shape - 1)
		return BAD_SYNTAX;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
			return BAD_SYNTAX;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	sec = (s[6] - '0') * 10 + (s[7] - '0');
	ms = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (h > 23 || m > 59 || sec > 59)
		return BAD_BIG;
	*ns = ((uint64_t)(h * 3600 + m * 60 + sec) * 1000 + (uint64_t)ms) *
	    1000000u;
	return 0;
}

/* Room for MORE bytes in the output. */
static int
reserve(struct parser *p, size_t more)
{
	struct sp_line *o = p->out;
	size_t cap;
	uint8_t *nb;

	if (o->nbytes + more <= o->bytes_cap)
		return 0;
	/* offsets are 32-bit in sp_action */
	if (o->nbytes + more > UINT32_MAX)
		return fail(p, 1, "line too long");
	cap = o->bytes_cap ? o->bytes_cap : 256;
	while (cap < o->nbytes + more)
		cap *= 2;
	if ((nb = realloc(o->bytes, cap)) == NULL)
		return fail(p, 1, "out of memory");
	o->bytes = nb;
	o->bytes_cap = cap;
	return 0;
}

static int
put_byte(struct parser *p, uint8_t b)
{
	if (reserve(p, 1) < 0)
		return -1;
	p->out->bytes[p->out->nbytes++] = b;
	return 0;
}

/* An action whose bytes (if any) are those from OFF to the end. */
static int
push(struct parser *p, enum sp_kind kind, uint64_t ns, size_t off, int col)
{
	struct sp_line *o = p->out;
	struct sp_action *a;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;

		if ((a = realloc(o->actions, cap * sizeof *a)) == NULL)
			return fail(p, col, "out of memory");
		o->actions = a;
		o->cap = cap;
	}
	a = &o->actions[o->n++];
	a->kind = kind;
	a->ns = ns;
	a->off = (uint32_t)off;
	a->len = (uint32_t)(o->nbytes - off);
	a->col = col;
	a->tempo_num = a->tempo_den = 0;
	a->beats = 0;
	a->bpm = 0;
	return 0;
}

/* An action of kind KIND with the N bytes B. */
static int
emit(struct parser *p, enum sp_kind kind, uint64_t ns, int col,
    const uint8_t *b, size_t n)
{
	size_t off = p->out->nbytes;

	if (reserve(p, n) < 0)
		return -1;
	memcpy(p->out->bytes + off, b, n);
	p->out->nbytes += n;
	return push(p, kind, ns, off, col);
}

static int
send3(struct parser *p, int col, int b0, int b1, int b2)
{
	uint8_t b[3] = { (uint8_t)b0, (uint8_t)b1, (uint8_t)b2 };

	return emit(p, SP_SEND, 0, col, b, 3);
}

/* Whether T, where a command should be, is a value gone astray. */
static int
looks_like_value(const struct parser *p, const struct tok *t)
{
	long long v;
	int note;

	return is_digit(t->s[0]) || t->s[0] == '-' || t->s[0] == '.' ||
	    parse_int(p, t->s, t->len, &v) == 0 ||
	    parse_note_name(p, t->s, t->len, &note) == 0;
}

static int
out_of_range(struct parser *p, const struct tok *t, const char *what,
    long long v, long long lo, long long hi)
{
	char buf[QUOTE_MAX + 4];

	if (v >= BIG_INT || v <= -BIG_INT)
		return fail(p, t->col, "%s %s out of range %lld%s%lld", what,
		    quote(t, buf), lo, lo < 0 ? ".." : "-", hi);
	return fail(p, t->col, "%s %lld out of range %lld%s%lld", what, v, lo,
	    lo < 0 ? ".." : "-", hi);
}

/* The number in T, which must be from LO to HI. */
static int
get_int(struct parser *p, const struct tok *t, const char *what,
    long long lo, long long hi, long long *v)
{
	char buf[QUOTE_MAX + 4];

	if (parse_int(p, t->s, t->len, v) < 0)
		return fail(p, t->col, "'%s' is not a number", quote(t, buf));
	if (*v < lo || *v > hi)
		return out_of_range(p, t, what, *v, lo, hi);
	return 0;
}

/* A note number or name in T; a name wins over a hexadecimal number. */
static int
get_note(struct parser *p, const struct tok *t, long long *v)
{
	char buf[QUOTE_MAX + 4];
	int note;

	if (parse_note_name(p, t->s, t->len, &note) < 0)
		return get_int(p, t, "note", 0, 127, v);
	if (note < 0 || note > 127)
		return fail(p, t->col, "note %s is %d, out of range 0-127",
		    quote(t, buf), note);
	*v = note;
	return 0;
}

/*
 * SendMIDI's pitch bend "V/RANGE": V semitones (perhaps negative) of a
 * bend range of RANGE semitones.  Up is scaled to 8191 steps and down to
 * 8192, both truncated toward the centre.
 */
static int
get_bend(struct parser *p, const struct tok *t, long long *v)
{
	char buf[QUOTE_MAX + 4];
	const char *s = t->s, *slash = memchr(t->s, '/', t->len);
	size_t n = (size_t)(slash - s);
	mp_u128 vm, rm, a, b;
	int vk, rk, neg = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		s++;
		n--;
	}
	if (parse_decimal(s, n, &vm, &vk) < 0 ||
	    parse_decimal(slash + 1, (size_t)(t->s + t->len - slash - 1),
	    &rm, &rk) < 0)
		return fail(p, t->col, "bad pitch bend '%s': want SEMITONES/"
		    "RANGE, like 1/2 or -0.5/12", quote(t, buf));
	if (rm == 0)
		return fail(p, t->col, "bad pitch bend '%s': the range must be "
		    "more than 0", quote(t, buf));
	/* |V| / RANGE = a / b */
	a = vm * pow10_u128(rk);
	b = rm * pow10_u128(vk);
	if (a > b)
		return fail(p, t->col, "pitch bend '%s' beyond its range",
		    quote(t, buf));
	if (neg || a == 0)
		*v = 8192 - (long long)(a * 8192 / b);
	else
		*v = 8192 + (long long)(a * 8191 / b);
	return 0;
}

/*
 * The next token as an argument of C (at CT); the token is left alone when
 * it is a command or a time, so that it reads as "missing".
 */
static int
take_arg(struct parser *p, const struct tok *ct, const struct cmd *c,
    struct tok *t)
{
	char buf[QUOTE_MAX + 4];
	size_t save = p->pos;

	if (next_tok(p, t) && !is_time(t) && lookup(t) == NULL)
		return 0;
	p->pos = save;
	return fail(p, ct->col, "%s needs %d argument%s: %s", quote(ct, buf),
	    c->nargs, c->nargs == 1 ? "" : "s", c->args);
}

/*
 * The byte list of syx or raw, into the output after whatever is there:
 * every token up to a command or a time.  hex and dec switch the mode
 * and the list goes on, as in ReceiveMIDI's "system-exclusive hex 43 dec".
 */
static int
byte_list(struct parser *p, const struct tok *ct, const struct cmd *c,
    size_t off, int hi)
{
	char buf[QUOTE_MAX + 4];
	const struct cmd *sw;
	struct tok t;
	size_t save;
	long long v;
	int n = 0;

	for (;;) {
		save = p->pos;
		if (!next_tok(p, &t) || is_time(&t))
			break;
		if ((sw = lookup(&t)) != NULL) {
			if (sw->id != CMD_HEX && sw->id != CMD_DEC)
				break;
			p->st.hex = sw->id == CMD_HEX;
			continue;
		}
		if (get_int(p, &t, "byte", 0, hi, &v) < 0)
			return -1;
		/* this byte, and syx's F7 still to come */
		if (p->out->nbytes - off + 1 + (c->id == CMD_SYX) >
		    MP_MAX_EVENT)
			return fail(p, t.col, "message longer than %d bytes",
			    MP_MAX_EVENT);
		if (put_byte(p, (uint8_t)v) < 0)
			return -1;
		n++;
	}
	p->pos = save;
	if (n == 0)
		return fail(p, ct->col, "%s needs at least 1 argument: %s",
		    quote(ct, buf), c->args);
	return 0;
}

/* The tempo in T: a decimal number of beats per minute. */
static int
set_tempo(struct parser *p, const struct tok *t)
{
	char buf[QUOTE_MAX + 4];
	mp_u128 m, d;
	uint64_t num, den, a, b;
	int k, rc;

	if ((rc = parse_decimal(t->s, t->len, &m, &k)) == BAD_SYNTAX)
		return fail(p, t->col, "bad tempo '%s': want beats per minute, "
		    "like 120 or 92.5", quote(t, buf));
	if (rc == BAD_FRAC)
		return fail(p, t->col, "bad tempo '%s': more than %d digits "
		    "after the point", quote(t, buf), MAX_FRAC);
	/* on BAD_BIG, k is not set: decide before using it */
	if (rc == BAD_BIG || m == 0 || m > MAX_BPM * (d = pow10_u128(k)))
		return fail(p, t->col, "tempo %s out of range: more than 0, "
		    "at most %d", quote(t, buf), MAX_BPM);
	/* in lowest terms, only so the numbers stay small */
	num = (uint64_t)m;
	den = (uint64_t)d;
	for (a = num, b = den; b != 0;) {
		uint64_t r = a % b;

		a = b;
		b = r;
	}
	p->st.tempo_num = num / a;
	p->st.tempo_den = den / a;
	if (push(p, SP_TEMPO, 0, p->out->nbytes, t->col) < 0)
		return -1;
	p->out->actions[p->out->n - 1].tempo_num = p->st.tempo_num;
	p->out->actions[p->out->n - 1].tempo_den = p->st.tempo_den;
	return 0;
}

/* What a BAD_ outcome of the time readers means, for people. */
static const char *
time_why(int rc, const char *syntax)
{
	if (rc == BAD_FRAC)
		return "more than 9 digits after the point";
	if (rc == BAD_BIG)
		return "too large (at most 100000000 s)";
	return syntax;
}

#define DUR_SYNTAX "want a number and an optional unit s, ms, us or b"

/* A duration argument (wait, note) in T; *BEATS as parse_dur says. */
static int
get_dur(struct parser *p, const struct tok *t, uint64_t *ns, int *beats)
{
	char buf[QUOTE_MAX + 4];
	int rc;

	if ((rc = parse_dur(&p->st, t->s, t->len, ns, beats)) < 0)
		return fail(p, t->col, "bad duration '%s': %s", quote(t, buf),
		    time_why(rc, DUR_SYNTAX));
	return 0;
}

/* A time token: "+DUR", "+HH:MM:SS.mmm", "@TIME" or "HH:MM:SS.mmm". */
static int
time_token(struct parser *p, const struct tok *t)
{
	char buf[QUOTE_MAX + 4];
	const char *s = t->s + 1, *why = DUR_SYNTAX;
	size_t n = t->len - 1;
	enum sp_kind kind = t->s[0] == '@' ? SP_AT : SP_WAIT;
	uint64_t ns;
	int rc, beats = 0;

	if (t->s[0] != '+' && t->s[0] != '@') {
		if ((rc = parse_stamp(t->s, t->len, &ns)) < 0)
			return fail(p, t->col, "bad timestamp '%s': %s",
			    quote(t, buf), rc == BAD_BIG ? "hour, minute or "
			    "second out of range" : "want HH:MM:SS.mmm");
		return push(p, SP_STAMP, ns, p->out->nbytes, t->col);
	}
	if (kind == SP_WAIT && memchr(s, ':', n) != NULL) {
		why = "want +HH:MM:SS.mmm or +MM:SS.mmm";
		rc = parse_clock(s, n, &ns);
	} else {
		rc = parse_dur(&p->st, s, n, &ns, &beats);
	}
	if (rc < 0)
		return fail(p, t->col, "bad time '%s': %s", quote(t, buf),
		    time_why(rc, why));
	if (push(p, kind, ns, p->out->nbytes, t->col) < 0)
		return -1;
	p->out->actions[p->out->n - 1].beats = beats;
	return 0;
}

/* The command at CT and its arguments. */
static int
command(struct parser *p, const struct tok *ct)
{
	char buf[QUOTE_MAX + 4];
	const struct cmd *c;
	struct tok a[3];
	long long v[3];
	uint64_t ns;
	size_t off;
	int i, col = ct->col, ch = p->st.channel, st, beats = 0;

	if ((c = lookup(ct)) == NULL) {
		if (looks_like_value(p, ct))
			return fail(p, col, "'%s' is not a command",
			    quote(ct, buf));
		return fail(p, col, "unknown command '%s'", quote(ct, buf));
	}
	for (i = 0; i < c->nargs; i++)
		if (take_arg(p, ct, c, &a[i]) < 0)
			return -1;
	st = c->status | ch;

	switch (c->id) {
	case CMD_VOICE: {
		const char *const *names = voice_args[(c->status >> 4) - 8];
		int rc;

		/* on, off and pp take a note, perhaps by name */
		if (c->status <= 0xa0)
			rc = get_note(p, &a[0], &v[0]);
		else
			rc = get_int(p, &a[0], names[0], 0, 127, &v[0]);
		if (rc < 0)
			return -1;
		if (c->nargs == 1) {
			uint8_t b[2] = { (uint8_t)st, (uint8_t)v[0] };

			return emit(p, SP_SEND, 0, col, b, 2);
		}
		if (get_int(p, &a[1], names[1], 0, 127, &v[1]) < 0)
			return -1;
		return send3(p, col, st, (int)v[0], (int)v[1]);
	}
	case CMD_CC14:
		if (get_int(p, &a[0], "controller", 0, 31, &v[0]) < 0 ||
		    get_int(p, &a[1], "value", 0, 16383, &v[1]) < 0)
			return -1;
		if (send3(p, col, st, (int)v[0], (int)(v[1] >> 7)) < 0)
			return -1;
		return send3(p, col, st, (int)v[0] + 32, (int)(v[1] & 127));
	case CMD_PB:
		if (memchr(a[0].s, '/', a[0].len) != NULL ?
		    get_bend(p, &a[0], &v[0]) :
		    get_int(p, &a[0], "pitch bend", 0, 16383, &v[0]))
			return -1;
		return send3(p, col, st, (int)(v[0] & 127), (int)(v[0] >> 7));
	case CMD_RPN:
	case CMD_NRPN: {
		int msb = c->id == CMD_RPN ? 101 : 99;

		if (get_int(p, &a[0], "number", 0, 16383, &v[0]) < 0 ||
		    get_int(p, &a[1], "value", 0, 16383, &v[1]) < 0)
			return -1;
		if (send3(p, col, st, msb, (int)(v[0] >> 7)) < 0 ||
		    send3(p, col, st, msb - 1, (int)(v[0] & 127)) < 0 ||
		    send3(p, col, st, 6, (int)(v[1] >> 7)) < 0)
			return -1;
		return send3(p, col, st, 38, (int)(v[1] & 127));
	}
	case CMD_SYX:
		off = p->out->nbytes;
		if (put_byte(p, 0xf0) < 0 ||
		    byte_list(p, ct, c, off, 127) < 0 ||
		    put_byte(p, 0xf7) < 0)
			return -1;
		return push(p, SP_SEND, 0, off, col);
	case CMD_RAW:
		off = p->out->nbytes;
		if (byte_list(p, ct, c, off, 255) < 0)
			return -1;
		return push(p, SP_SEND, 0, off, col);
	case CMD_SYS:
		return emit(p, SP_SEND, 0, col, &c->status, 1);
	case CMD_SPP:
		if (get_int(p, &a[0], "song position", 0, 16383, &v[0]) < 0)
			return -1;
		return send3(p, col, c->status, (int)(v[0] & 127),
		    (int)(v[0] >> 7));
	case CMD_SS: {
		uint8_t b[2] = { c->status, 0 };

		if (get_int(p, &a[0], "song", 0, 127, &v[0]) < 0)
			return -1;
		b[1] = (uint8_t)v[0];
		return emit(p, SP_SEND, 0, col, b, 2);
	}
	case CMD_TC: {
		uint8_t b[2] = { c->status, 0 };

		if (get_int(p, &a[0], "time code type", 0, 7, &v[0]) < 0 ||
		    get_int(p, &a[1], "time code value", 0, 15, &v[1]) < 0)
			return -1;
		b[1] = (uint8_t)(v[0] << 4 | v[1]);
		return emit(p, SP_SEND, 0, col, b, 2);
	}
	case CMD_PANIC:
		return push(p, SP_PANIC, 0, p->out->nbytes, col);
	case CMD_CH:
		if (get_int(p, &a[0], "channel", 1, 16, &v[0]) < 0)
			return -1;
		p->st.channel = (int)v[0] - 1;
		return 0;
	case CMD_HEX:
	case CMD_DEC:
		p->st.hex = c->id == CMD_HEX;
		return 0;
	case CMD_OMC:
		if (get_int(p, &a[0], "octave", -5, 9, &v[0]) < 0)
			return -1;
		p->st.omc = (int)v[0];
		return 0;
	case CMD_TEMPO:
		/* an SP_TEMPO action: with --link, a proposal to the session
		 * at the line's time; with --export, a tempo event */
		if (set_tempo(p, &a[0]) < 0)
			return -1;
		p->out->actions[p->out->n - 1].bpm = (double)p->st.tempo_num /
		    (double)p->st.tempo_den;
		return 0;
	case CMD_NOTE:
		/* velocity 0 would be a note-off, with a note-off after it */
		if (get_note(p, &a[0], &v[0]) < 0 ||
		    get_int(p, &a[1], "velocity", 1, 127, &v[1]) < 0 ||
		    get_dur(p, &a[2], &ns, &beats) < 0)
			return -1;
		if (send3(p, col, st, (int)v[0], (int)v[1]) < 0)
			return -1;
		p->out->actions[p->out->n - 1].kind = SP_NOTE;
		p->out->actions[p->out->n - 1].ns = ns;
		p->out->actions[p->out->n - 1].beats = beats;
		return 0;
	case CMD_WAIT:
		if (get_dur(p, &a[0], &ns, &beats) < 0 ||
		    push(p, SP_WAIT, ns, p->out->nbytes, col) < 0)
			return -1;
		p->out->actions[p->out->n - 1].beats = beats;
		return 0;
	case CMD_PORT:
		if (!ports_name_ok(a[0].s, a[0].len))
			return fail(p, a[0].col, "bad port name '%s': 1 to %d "
			    "bytes, no ':'", quote(&a[0], buf),
			    PORTS_NAME - 1);
		off = p->out->nbytes;
		for (i = 0; i < (int)a[0].len; i++)
			if (put_byte(p, (uint8_t)a[0].s[i]) < 0)
				return -1;
		return push(p, SP_PORT, 0, off, col);
	}
	return fail(p, col, "internal error: command '%s'", quote(ct, buf));
}

void
sp_state_init(struct sp_state *st)
{
	st->channel = 0;
	st->hex = 0;
	st->omc = 3;
	st->tempo_num = 120;
	st->tempo_den = 1;
	st->beats = 0;
}

int
sp_parse_line(struct sp_state *st, const char *line, size_t len,
    struct sp_line *out, struct sp_error *err)
{
	struct parser p;
	struct tok t;

	p.line = line;
	p.len = len;
	p.pos = 0;
	p.st = *st;
	p.out = out;
	p.err = err;
	out->n = 0;
	out->nbytes = 0;
	if (check_bytes(&p) < 0)
		goto bad;
	while (next_tok(&p, &t)) {
		if (is_time(&t) ? time_token(&p, &t) : command(&p, &t))
			goto bad;
	}
	*st = p.st;
	return 0;
bad:
	/* all or nothing */
	out->n = 0;
	out->nbytes = 0;
	return -1;
}

void
sp_line_free(struct sp_line *out)
{
	free(out->actions);
	free(out->bytes);
	memset(out, 0, sizeof *out);
}
