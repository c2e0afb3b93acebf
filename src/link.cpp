// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link: Ableton Link (header-only, Debian's ableton-link-dev) behind the C
 * interface of link.h.  The only C++ in midiplay.
 *
 * The rt functions work on a SessionState captured once per cycle into
 * storage inside struct mplink: captureAudioSessionState is real-time
 * safe (no allocation, lock or system call; its clock read is a vDSO
 * call), and copying a SessionState copies plain data.  Every timeline
 * change is committed from an app thread (commitAppSessionState), never
 * from the callback: commitAudioSessionState wakes Link's thread through
 * a condition variable.
 */
#include <chrono>
#include <cstdint>
#include <new>
#include <type_traits>

#include <ableton/Link.hpp>

extern "C" {
#include "midiplay/log.h"
}
#include "midiplay/link.h"

using std::chrono::microseconds;

/* linkclock.c reads CLOCK_MONOTONIC_RAW itself, to the nanosecond, as
 * Link's clock: make sure it is. */
static_assert(std::is_same<ableton::link::platform::Clock,
    ableton::platforms::linux::ClockMonotonicRaw>::value,
    "Link's clock on this platform is not CLOCK_MONOTONIC_RAW");

/* A SessionState has no default constructor and nothing to destroy: keep
 * the captured one in plain storage, assigned each cycle. */
static_assert(std::is_trivially_destructible<
    ableton::Link::SessionState>::value, "SessionState owns something");

struct mplink {
	ableton::Link link;
	alignas(ableton::Link::SessionState)
	    unsigned char rt_store[sizeof(ableton::Link::SessionState)];
	size_t rt_peers;

	explicit mplink(double bpm) : link(bpm), rt_peers(0)
	{
		new (rt_store) ableton::Link::SessionState(
		    link.captureAppSessionState());
	}
	ableton::Link::SessionState &rt()
	{
		return *std::launder(reinterpret_cast<
		    ableton::Link::SessionState *>(rt_store));
	}
	const ableton::Link::SessionState &rt() const
	{
		return *std::launder(reinterpret_cast<
		    const ableton::Link::SessionState *>(rt_store));
	}
};

extern "C" struct mplink *
mplink_open(double bpm)
{
	try {
		return new mplink(bpm);
	} catch (const std::exception &e) {
		log_error("cannot start Ableton Link: %s", e.what());
	} catch (...) {
		log_error("cannot start Ableton Link");
	}
	return nullptr;
}

extern "C" void
mplink_close(struct mplink *l)
{
	if (l == nullptr)
		return;
	l->link.enable(false);
	delete l;
}

extern "C" void
mplink_enable(struct mplink *l, int on)
{
	l->link.enable(on != 0);
}

extern "C" void
mplink_start_stop_sync(struct mplink *l, int on)
{
	l->link.enableStartStopSync(on != 0);
}

extern "C" int64_t
mplink_clock_us(const struct mplink *l)
{
	return l->link.clock().micros().count();
}

extern "C" void
mplink_session(struct mplink *l, double quantum, struct mplink_session *out)
{
	auto s = l->link.captureAppSessionState();
	auto now = l->link.clock().micros();

	out->time_us = now.count();
	out->tempo = s.tempo();
	out->beat = s.beatAtTime(now, quantum);
	out->playing = s.isPlaying();
	out->playing_time_us = s.timeForIsPlaying().count();
	out->peers = l->link.numPeers();
}

extern "C" void
mplink_propose_tempo(struct mplink *l, double bpm, int64_t at_us)
{
	auto s = l->link.captureAppSessionState();

	s.setTempo(bpm, microseconds(at_us));
	l->link.commitAppSessionState(s);
}

extern "C" int64_t
mplink_request_beat(struct mplink *l, double beat, int64_t at_us,
    double quantum)
{
	auto s = l->link.captureAppSessionState();

	s.requestBeatAtTime(beat, microseconds(at_us), quantum);
	l->link.commitAppSessionState(s);
	return s.timeAtBeat(beat, quantum).count();
}

extern "C" int64_t
mplink_request_beat_at_start(struct mplink *l, double beat, double quantum)
{
	auto s = l->link.captureAppSessionState();

	if (!s.isPlaying())
		return INT64_MIN;
	s.requestBeatAtStartPlayingTime(beat, quantum);
	l->link.commitAppSessionState(s);
	return s.timeAtBeat(beat, quantum).count();
}

extern "C" int
mplink_align_alone(struct mplink *l, double beat, int64_t at_us,
    double quantum)
{
	auto s = l->link.captureAppSessionState();

	/* the peer count again, as close to the commit as it gets: a grid
	 * that others share is never moved */
	if (l->link.numPeers() > 0)
		return 0;
	s.forceBeatAtTime(beat, microseconds(at_us), quantum);
	l->link.commitAppSessionState(s);
	return 1;
}

extern "C" void
mplink_rt_capture(struct mplink *l)
{
	l->rt() = l->link.captureAudioSessionState();
	l->rt_peers = l->link.numPeers();
}

extern "C" double
mplink_rt_beat_at(const struct mplink *l, int64_t time_us, double quantum)
{
	return l->rt().beatAtTime(microseconds(time_us), quantum);
}

extern "C" double
mplink_rt_tempo(const struct mplink *l)
{
	return l->rt().tempo();
}

extern "C" int
mplink_rt_playing(const struct mplink *l)
{
	return l->rt().isPlaying();
}

extern "C" int64_t
mplink_rt_playing_time(const struct mplink *l)
{
	return l->rt().timeForIsPlaying().count();
}

extern "C" size_t
mplink_rt_peers(const struct mplink *l)
{
	return l->rt_peers;
}
