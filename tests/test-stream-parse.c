/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-stream-parse: lines of the text stream come out as the right bytes
 * and times; SendMIDI's commands, ReceiveMIDI's output and midiplay's own
 * --dump all parse; a bad line says where it is wrong and changes nothing.
 */
#include <stdlib.h>
#include "midiplay/stream_parse.h"
#include "tap.h"

static struct sp_state st;
static struct sp_line out;
static struct sp_error err;
static char got[1024];

/*
 * The actions of OUT as text, " | " between them: a SEND as its bytes in
 * hex, "note BYTES for NS", "panic", "wait NS", "at NS" or "stamp NS".
 */
static const char *
render(void)
{
	size_t i, n = 0;
	uint32_t j;

	got[0] = '\0';
	for (i = 0; i < out.n && n < sizeof got - 64; i++) {
		const struct sp_action *a = &out.actions[i];

		if (i > 0)
			n += (size_t)snprintf(got + n, sizeof got - n, " | ");
		switch (a->kind) {
		case SP_SEND:
		case SP_NOTE:
			if (a->kind == SP_NOTE)
				n += (size_t)snprintf(got + n, sizeof got - n,
				    "note ");
			for (j = 0; j < a->len && n < sizeof got - 64; j++)
				n += (size_t)snprintf(got + n, sizeof got - n,
				    "%s%02X", j ? " " : "",
				    out.bytes[a->off + j]);
			if (a->kind == SP_NOTE)
				n += (size_t)snprintf(got + n, sizeof got - n,
				    " for %" PRIu64 "%s", a->ns, a->beats ? "b" :
				    "");
			break;
		case SP_PANIC:
			n += (size_t)snprintf(got + n, sizeof got - n, "panic");
			break;
		case SP_PORT:
			n += (size_t)snprintf(got + n, sizeof got - n,
			    "port %.*s", (int)a->len, out.bytes + a->off);
			break;
		case SP_TEMPO:
			n += (size_t)snprintf(got + n, sizeof got - n,
			    "tempo %" PRIu64 "/%" PRIu64 " (%g)", a->tempo_num,
			    a->tempo_den, a->bpm);
			break;
		case SP_WAIT:
		case SP_AT:
		case SP_STAMP:
			n += (size_t)snprintf(got + n, sizeof got - n,
			    "%s %" PRIu64 "%s", a->kind == SP_WAIT ? "wait" :
			    a->kind == SP_AT ? "at" : "stamp", a->ns,
			    a->beats ? "b" : "");
			break;
		}
	}
	return got;
}

/* The columns of OUT's actions, space-separated. */
static const char *
render_cols(void)
{
	size_t i, n = 0;

	got[0] = '\0';
	for (i = 0; i < out.n && n < sizeof got - 16; i++)
		n += (size_t)snprintf(got + n, sizeof got - n, "%s%d",
		    i ? " " : "", out.actions[i].col);
	return got;
}

static void
reset(void)
{
	sp_state_init(&st);
}

/* LINE (LEN bytes) parses, with the state carried on, into WANT. */
static int
parses_n(const char *line, size_t len, const char *want, const char *desc)
{
	if (sp_parse_line(&st, line, len, &out, &err) < 0) {
		ok(0, "%s", desc);
		diag("col %d: %s", err.col, err.msg);
		return 0;
	}
	render();
	if (!ok(strcmp(got, want) == 0, "%s", desc)) {
		diag("got:  %s", got);
		diag("want: %s", want);
		return 0;
	}
	return 1;
}

static int
parses(const char *line, const char *want, const char *desc)
{
	return parses_n(line, strlen(line), want, desc);
}

/*
 * LINE (LEN bytes) is refused at COL with a message holding MSG, returns
 * no action and leaves the state as it was.
 */
static int
fails_n(const char *line, size_t len, int col, const char *msg,
    const char *desc)
{
	struct sp_state before = st;
	int rc = sp_parse_line(&st, line, len, &out, &err);
	int same = st.channel == before.channel && st.hex == before.hex &&
	    st.omc == before.omc && st.tempo_num == before.tempo_num &&
	    st.tempo_den == before.tempo_den;

	if (!ok(rc == -1 && err.col == col && strstr(err.msg, msg) != NULL &&
	    out.n == 0 && same, "%s", desc)) {
		diag("rc %d, col %d (want %d), state %s: %s", rc,
		    rc < 0 ? err.col : 0, col, same ? "kept" : "changed",
		    rc < 0 ? err.msg : render());
		diag("want a message holding: %s", msg);
		return 0;
	}
	return 1;
}

static int
fails(const char *line, int col, const char *msg, const char *desc)
{
	return fails_n(line, strlen(line), col, msg, desc);
}

/* "syx 1 1 1 ..." with N bytes into BUF; its length. */
static size_t
long_syx(char *buf, int n)
{
	size_t len = 3;
	int i;

	memcpy(buf, "syx", 3);
	for (i = 0; i < n; i++) {
		memcpy(buf + len, " 1", 2);
		len += 2;
	}
	return len;
}

int
main(void)
{
	static char big[2 * 16384 + 16];
	size_t len;

	plan(197);
	reset();

	/* every command's bytes */
	parses("on 60 100", "90 3C 64", "on: note-on");
	parses("note-on 60 100", "90 3C 64", "note-on is on");
	parses("off 60 0", "80 3C 00", "off: note-off");
	parses("note-off 60 64", "80 3C 40", "note-off is off");
	parses("pp 60 30", "A0 3C 1E", "pp: poly pressure");
	parses("poly-pressure 60 30", "A0 3C 1E", "poly-pressure is pp");
	parses("cc 7 100", "B0 07 64", "cc: control change");
	parses("control-change 7 100", "B0 07 64", "control-change is cc");
	parses("cc14 1 8193", "B0 01 40 | B0 21 01",
	    "cc14 sends the MSB, then the LSB at controller + 32");
	parses("control-change-14 31 16383", "B0 1F 7F | B0 3F 7F",
	    "control-change-14 is cc14, up to controller 31");
	parses("pc 5", "C0 05", "pc: program change");
	parses("program-change 127", "C0 7F", "program-change is pc");
	parses("cp 99", "D0 63", "cp: channel pressure");
	parses("channel-pressure 0", "D0 00", "channel-pressure is cp");
	parses("pb 8192", "E0 00 40", "pb 8192 is the centre, LSB first");
	parses("pitch-bend 0", "E0 00 00", "pitch-bend is pb");
	parses("pb 16383", "E0 7F 7F", "pb 16383 is the top");
	parses("rpn 0 1000", "B0 65 00 | B0 64 00 | B0 06 07 | B0 26 68",
	    "rpn: 101, 100, data entry 6 and 38");
	parses("nrpn 300 16383", "B0 63 02 | B0 62 2C | B0 06 7F | B0 26 7F",
	    "nrpn: 99, 98, data entry 6 and 38");
	parses("syx 67 16 76", "F0 43 10 4C F7",
	    "syx wraps its bytes in F0 .. F7 as one message");
	parses("raw 0xF8 255 0", "F8 FF 00", "raw sends its bytes as given");
	parses("raw-midi 0x90 60 100", "90 3C 64", "raw-midi is raw");
	parses("mc", "F8", "mc: clock");
	parses("midi-clock", "F8", "midi-clock is mc");
	parses("start", "FA", "start");
	parses("stop", "FC", "stop");
	parses("cont", "FB", "cont: continue");
	parses("continue", "FB", "continue is cont");
	parses("spp 300", "F2 2C 02", "spp: song position, LSB first");
	parses("song-position 16383", "F2 7F 7F", "song-position is spp");
	parses("ss 3", "F3 03", "ss: song select");
	parses("song-select 127", "F3 7F", "song-select is ss");
	parses("tc 3 5", "F1 35", "tc: time code type and value");
	parses("time-code 7 15", "F1 7F", "time-code is tc");
	parses("tun", "F6", "tun: tune request");
	parses("tune-request", "F6", "tune-request is tun");
	parses("as", "FE", "as: active sensing");
	parses("active-sensing", "FE", "active-sensing is as");
	parses("rst", "FF", "rst: reset");
	parses("reset", "FF", "reset is rst");
	parses("panic", "panic", "panic is a panic action");
	parses("note 60 100 0.5", "note 90 3C 64 for 500000000",
	    "note: the note-on and its duration");
	parses("note C3 1 250ms", "note 90 3C 01 for 250000000",
	    "note takes a name and a unit");

	/* case */
	parses("NOTE-ON 60 100", "90 3C 64", "command names ignore case");
	parses("Cc 7 1", "B0 07 01", "mixed case too");
	parses("SYX 1 HEX 7F DEC", "F0 01 7F F7", "hex and dec in capitals");

	/* sticky state */
	parses("ch 10", "", "ch alone makes no action");
	parses("on 60 100", "99 3C 64", "the channel sticks to the next line");
	parses("channel 16 pb 16383", "EF 7F 7F", "channel is ch");
	parses("ch 1 hex", "", "hex alone makes no action");
	parses("cc 7 7f", "B0 07 7F", "after hex, bare numbers are hex");
	parses("on 10 10", "90 10 10", "so 10 is 16");
	parses("cc 10M 10", "B0 0A 10", "an M suffix is decimal in hex mode");
	parses("decimal on 10 10", "90 0A 0A", "decimal is dec");
	parses("hexadecimal cc 7f 1 dec", "B0 7F 01", "hexadecimal is hex");
	parses("omc 4 on C4 1", "90 3C 01", "omc 4 makes C4 middle C");
	parses("on C3 1", "90 30 01", "and omc sticks: C3 is 48");
	parses("octave-middle-c 5 on C5 1 omc 3", "90 3C 01",
	    "octave-middle-c is omc");
	parses("tempo 90", "tempo 90/1 (90)", "tempo: an action saying where");
	parses("+1b", "wait 666666667",
	    "a beat at 90 bpm is 666666667 ns, rounded");
	parses("tempo 92.5 +1b", "tempo 185/2 (92.5) | wait 648648649",
	    "tempo 92.5: a beat is 648648649 ns");
	ok(st.tempo_num * 2 == st.tempo_den * 185,
	    "tempo 92.5 is kept exactly (%" PRIu64 "/%" PRIu64 ")",
	    st.tempo_num, st.tempo_den);
	/* --link: beats stay beats (billionths), tempo is a proposal */
	reset();
	st.beats = 1;
	parses("+1b on 60 100", "wait 1000000000b | 90 3C 64",
	    "--link: +1b is a session beat");
	parses("tempo 92.5 +0.25b note 60 100 1.5b +0.1",
	    "tempo 185/2 (92.5) | wait 250000000b | note 90 3C 64 for "
	    "1500000000b | "
	    "wait 100000000", "--link: tempo proposes, b stays beats at any "
	    "tempo, seconds stay seconds");
	parses("@2.5b on 61 1 @3 off 61 0", "at 2500000000b | 90 3D 01 | "
	    "at 3000000000 | 80 3D 00", "--link: @ in beats is a song beat, "
	    "@ in seconds a time");
	reset();
	reset();

	/* note names */
	parses("on C3 100", "90 3C 64", "C3 is 60");
	parses("on C-2 100", "90 00 64", "C-2 is 0");
	parses("on G8 100", "90 7F 64", "G8 is 127");
	parses("on C#3 100", "90 3D 64", "C#3 is 61");
	parses("on Db3 100", "90 3D 64", "Db3 is 61");
	parses("on H3 100", "90 47 64", "H3 is B3, 71");
	parses("on B3 100", "90 47 64", "B3 is 71");
	parses("on bb3 100", "90 46 64", "bb3 is B flat, 70");
	parses("on c3 100", "90 3C 64", "note names ignore case");
	parses("pp Cb3 1 off B#3 0", "A0 3B 01 | 80 48 00",
	    "Cb3 is 59 and B#3 is 72, in pp and off too");
	parses("hex on C3 7F dec", "90 3C 7F",
	    "after hex, C3 is still the note, not 0xC3");
	parses("hex raw C3 dec", "C3", "but elsewhere C3 is 0xC3");

	/* numbers */
	parses("cc 7FH 10M", "B0 7F 0A", "an H suffix is hex, M decimal");
	parses("cc 0x7f 0X10", "B0 7F 10", "a 0x prefix is hex");
	parses("cc 7fh 1", "B0 7F 01", "the H suffix ignores case");

	/* pitch bend as semitones of a range */
	parses("pb 2/2", "E0 7F 7F", "pb 2/2 is 16383");
	parses("pb -2/2", "E0 00 00", "pb -2/2 is 0");
	parses("pb 0/2", "E0 00 40", "pb 0/2 is 8192");
	parses("pb 1/2", "E0 7F 5F", "pb 1/2 is 12287");
	parses("pb -1/2", "E0 00 20", "pb -1/2 is 4096");
	parses("pb 0.5/12", "E0 55 42", "pb 0.5/12 is 8533");
	parses("hex pb 1/2 dec", "E0 7F 5F", "pb V/RANGE is decimal in hex "
	    "mode");

	/* syx and raw lists */
	parses("system-exclusive hex 43 10 4C dec", "F0 43 10 4C F7",
	    "ReceiveMIDI's system-exclusive hex .. dec");
	ok(st.hex == 0, "and it leaves decimal mode");
	parses("syx hex 7f dec 10 hex 10", "F0 7F 0A 10 F7",
	    "hex and dec switch inside a list and the list goes on");
	ok(st.hex == 1, "the last switch inside a list sticks");
	parses("syx 1 dec 2", "F0 01 02 F7", "in hex mode dec is the command, "
	    "not 0xDEC");
	parses("syx 1 2 on 3 4", "F0 01 02 F7 | 90 03 04",
	    "a command ends the list");
	parses("syx 1 2 +1 raw 3", "F0 01 02 F7 | wait 1000000000 | 03",
	    "a time token ends the list");
	reset();
	len = long_syx(big, 16382);
	ok(sp_parse_line(&st, big, len, &out, &err) == 0 && out.n == 1 &&
	    out.actions[0].len == 16384 && out.bytes[0] == 0xF0 &&
	    out.bytes[16383] == 0xF7,
	    "16382 SysEx bytes make one message of 16384 bytes");
	len = long_syx(big, 16383);
	fails_n(big, len, 32769, "message longer than 16384 bytes",
	    "16383 SysEx bytes are too many for one message");

	/* time tokens */
	parses("+0.5", "wait 500000000", "+0.5 waits half a second");
	parses("+250ms", "wait 250000000", "+250ms");
	parses("+2b", "wait 1000000000", "+2b at 120 bpm is 1 s");
	parses("@1.5", "at 1500000000", "@1.5");
	parses("@2b", "at 1000000000", "@ takes beats too");
	parses("wait 10us", "wait 10000", "wait 10us");
	parses("wait 1.5s", "wait 1500000000", "wait with s");
	parses("08:10:17.056", "stamp 29417056000000",
	    "a ReceiveMIDI timestamp is ns since midnight");
	parses("+00:00:01.060", "wait 1060000000", "+HH:MM:SS.mmm waits");
	parses("+01:30.5", "wait 90500000000", "+MM:SS.mmm waits");
	parses("+01.060", "wait 1060000000", "+SS.mmm is seconds");
	parses("+1.123456789", "wait 1123456789",
	    "nine digits after the point");
	parses("@10000000", "at 10000000000000000", "10^7 s works");
	parses("+0.0000001ms", "wait 0", "a tenth of a ns rounds to 0");
	parses("+0.0000005ms", "wait 1", "half a ns rounds up");

	/* several things on a line, and their columns */
	parses("@0.5 on 60 100 +250ms off 60 0",
	    "at 500000000 | 90 3C 64 | wait 250000000 | 80 3C 00",
	    "time tokens and commands in any number on a line");
	ok(strcmp(render_cols(), "1 6 16 23") == 0,
	    "each action has the column of its token (%s)", got);
	parses("cc14 1 1 wait 1", "B0 01 00 | B0 21 01 | wait 1000000000",
	    "cc14 and wait");
	ok(strcmp(render_cols(), "1 1 10") == 0,
	    "both halves of cc14 have its column; wait has its own (%s)", got);

	/* ReceiveMIDI and --dump output */
	parses("08:10:17.056   channel  1   note-on      C3 100",
	    "stamp 29417056000000 | 90 3C 64", "ReceiveMIDI note-on with a "
	    "timestamp");
	parses("channel 10   control-change     7   100", "B9 07 64",
	    "ReceiveMIDI control-change");
	parses("channel  1   pitch-bend      8192", "E0 00 40",
	    "ReceiveMIDI pitch-bend");
	parses("time-code  3 5", "F1 35", "ReceiveMIDI time-code");
	parses("song-position    12", "F2 0C 00", "ReceiveMIDI song-position");
	parses("song-select   3", "F3 03", "ReceiveMIDI song-select");
	parses("tune-request", "F6", "ReceiveMIDI tune-request");
	parses("midi-clock", "F8", "ReceiveMIDI midi-clock");
	parses("start", "FA", "ReceiveMIDI start");
	parses("active-sensing", "FE", "ReceiveMIDI active-sensing");
	parses("reset", "FF", "ReceiveMIDI reset");
	parses("@0.250000000 ch 1 on 60 100", "at 250000000 | 90 3C 64",
	    "--dump channel message");
	parses("@1.5 syx 0x43 0x10", "at 1500000000 | F0 43 10 F7",
	    "--dump SysEx");
	parses("@2 raw 0xF8", "at 2000000000 | F8", "--dump raw");
	parses("@0.000000000 ch 16 pb 16383", "at 0 | EF 7F 7F",
	    "--dump pitch bend");
	reset();

	/* comments and blank lines */
	parses("", "", "an empty line is no action");
	parses(" \t \r", "", "a blank line is no action");
	parses("# on 60 100", "", "a comment is no action");
	parses("  #comment \x01\xff", "", "a comment is not looked into");
	parses("on 60 100 # note", "90 3C 64", "a comment after a command");
	fails("syx 1#2", 5, "'1#2' is not a number",
	    "'#' inside a token is no comment");

	/* errors, each at its column */
	fails("on 60 100 foo 1", 11, "unknown command 'foo'",
	    "an unknown command");
	fails("cc 7 1 on 60", 8, "on needs 2 arguments: note velocity",
	    "a missing argument, at its command");
	fails("on 60 off 60 0", 1, "on needs 2 arguments",
	    "a command is no argument");
	fails("wait", 1, "wait needs 1 argument: duration",
	    "wait without a duration");
	fails("note 60 100 +1", 1, "note needs 3 arguments",
	    "a time is no argument");
	fails("cc 7 100 60", 10, "'60' is not a command", "a stray number");
	fails("-5", 1, "'-5' is not a command", "a stray negative number");
	fails("C3", 1, "'C3' is not a command", "a stray note name");
	fails("  on 60 128", 9, "velocity 128 out of range 0-127",
	    "a value out of range");
	fails("on -1 100", 4, "note -1 out of range 0-127",
	    "negative numbers are out of range");
	fails("on G9 1", 4, "note G9 is 139, out of range 0-127",
	    "a note name out of range");
	fails("on C-3 1", 4, "out of range 0-127", "C-3 is below 0");
	fails("note 60 0 1", 9, "velocity 0 out of range 1-127",
	    "note needs a velocity of 1 or more");
	fails("cc14 32 0", 6, "controller 32 out of range 0-31",
	    "cc14 controller above 31");
	fails("cc14 1 16384", 8, "value 16384 out of range 0-16383",
	    "cc14 value above 16383");
	fails("pb 16384", 4, "out of range 0-16383", "pb above 16383");
	fails("rpn 16384 0", 5, "out of range 0-16383", "rpn number too big");
	fails("tc 8 0", 4, "out of range 0-7", "time code type above 7");
	fails("tc 1 16", 6, "out of range 0-15", "time code value above 15");
	fails("ch 17", 4, "channel 17 out of range 1-16", "channel 17");
	fails("ch 0", 4, "channel 0 out of range 1-16", "channel 0");
	fails("omc 10", 5, "octave 10 out of range -5..9", "omc 10");
	fails("cc 99999999999999999999 1", 4,
	    "99999999999999999999 out of range", "a huge number");
	fails("cc 6x0 1", 4, "'6x0' is not a number", "a bad number");
	fails("cc 7f 1", 4, "'7f' is not a number",
	    "hex digits in decimal mode");
	fails("syx", 1, "syx needs at least 1 argument", "syx with no bytes");
	fails("syx hex on 1 1", 1, "syx needs at least 1 argument",
	    "syx with only a switch");
	fails("syx 1 128", 7, "byte 128 out of range 0-127",
	    "a SysEx byte above 127");
	fails("raw 1 256", 7, "byte 256 out of range 0-255",
	    "a raw byte above 255");
	fails("raw", 1, "raw needs at least 1 argument", "raw with no bytes");
	fails("pb 3/2", 4, "beyond its range", "pb V/RANGE beyond the range");
	fails("pb -3/2", 4, "beyond its range", "and below it");
	fails("pb 1/0", 4, "the range must be more than 0", "a range of 0");
	fails("pb 1/x", 4, "bad pitch bend", "a bad range");
	fails("tempo 0", 7, "tempo 0 out of range", "tempo 0");
	fails("tempo 10000.1", 7, "out of range", "tempo above 10000");
	fails("tempo fast", 7, "bad tempo 'fast'", "tempo not a number");
	fails("on 1 1 +1.1234567891", 8, "more than 9 digits after the point",
	    "ten digits after the point");
	fails("+abc", 1, "bad time '+abc'", "a bad +DUR");
	fails("+", 1, "bad time '+'", "a lone +");
	fails("on 1 1 @1h", 8, "bad time '@1h'", "a bad unit");
	fails("@100000001", 1, "too large", "more than 10^8 s");
	fails("+1:60.000", 1, "bad time", "+MM:SS with 60 seconds");
	fails("wait 5x", 6, "bad duration '5x'", "a bad wait duration");
	fails("note 60 1 -1", 11, "bad duration", "a negative duration");
	fails("25:00:00.000", 1, "bad timestamp", "hour 25");
	fails("on 1 1 08:10:17.05", 8, "bad timestamp '08:10:17.05'",
	    "a timestamp needs 3 digits of ms");
	fails("on 60\x01 100", 6, "stray byte 0x01", "a control byte");
	fails_n("on 60\0 100", 10, 6, "stray byte 0x00", "a NUL byte");
	fails("\xff\xff\xff", 1, "stray byte 0xFF", "0xFF bytes");
	fails("on 60 100 caf\xc3\xa9", 14, "stray byte 0xC3",
	    "UTF-8 outside a comment");

	/* a bad line changes nothing */
	reset();
	fails("ch 5 on 60 200", 12, "velocity 200", "ch 5 then a bad velocity");
	parses("on 60 100", "90 3C 64", "leaves channel 1");
	fails("hex omc 4 tempo 60 ch 3 foo", 25, "unknown command",
	    "hex, omc, tempo and ch then a bad command");
	parses("on 10 1 on C3 1 +1b", "90 0A 01 | 90 3C 01 | wait 500000000",
	    "leave decimal, omc 3 and 120 bpm");
	fails("syx hex 1 dec foo", 15, "'foo' is not a number",
	    "a switch inside a failed list");
	ok(st.hex == 0, "is undone too");
	parses("hex", "", "in hex mode");
	fails("on 60 dec", 1, "on needs 2 arguments",
	    "dec is a command, not the number 0xDEC");
	ok(st.hex == 1, "and a bad line keeps hex mode");

	sp_line_free(&out);
	ok(out.actions == NULL && out.bytes == NULL && out.n == 0,
	    "sp_line_free leaves an empty line");
	return tap_done();
}
