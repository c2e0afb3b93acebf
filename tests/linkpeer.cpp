// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linkpeer - an Ableton Link peer for the midiplay tests: it stands in for
 * Live.  Run it only inside a private network namespace (tests/netns.sh).
 *
 * Usage: linkpeer [-s] [-q QUANTUM] [-b BPM] -o LOG [ACTION...]
 *
 * It joins the session at BPM (default 120), with start/stop sync under
 * -s, and follows its ACTIONs, each "WHEN:WHAT", WHEN in seconds from
 * its start (or from the first other peer it met, written +SECONDS):
 *     T:tempo:BPM   propose BPM to the session, from then
 *     T:start       start the session's transport then (start/stop sync)
 *     T:stop        stop it then
 *     T:quit        leave and exit (default: 3600 s)
 * It exits 0 after quit; 1 on error, 2 on usage.
 *
 * LOG gets, about every millisecond that something changed:
 *     tl NOW_US BEAT BPM      the timeline: BEAT at NOW_US (Link's clock,
 *                             CLOCK_MONOTONIC_RAW), then 60e6 / BPM
 *                             microseconds a beat (rounded, as Link does)
 *     peers N                 peers in the session
 *     playing 0|1 AT_US       the transport, and when it changed
 * and one "did T WHAT" line for each action it took.  The timeline line is
 * written whenever the beat at NOW_US differs from the one the last line
 * predicts by more than a microbeat, and once a second.
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <ableton/Link.hpp>

using std::chrono::microseconds;

struct action {
	double when;
	bool after_peer;
	std::string what;
	double bpm;
};

static void
usage()
{
	std::fprintf(stderr, "usage: linkpeer [-s] [-q QUANTUM] [-b BPM] "
	    "-o LOG "
	    "[T:tempo:BPM | T:start | T:stop | T:quit]...\n");
	std::exit(2);
}

static bool
parse_action(const char *arg, action &a)
{
	const char *p = arg;
	char *end;

	a.after_peer = *p == '+';
	if (a.after_peer)
		p++;
	a.when = std::strtod(p, &end);
	if (end == p || *end != ':' || !(a.when >= 0))
		return false;
	p = end + 1;
	if (std::strncmp(p, "tempo:", 6) == 0) {
		a.what = "tempo";
		a.bpm = std::strtod(p + 6, &end);
		return end != p + 6 && *end == '\0' && a.bpm >= 20 &&
		    a.bpm <= 999;
	}
	a.what = p;
	return a.what == "start" || a.what == "stop" || a.what == "quit";
}

int
main(int argc, char **argv)
{
	double quantum = 4, bpm = 120;
	bool sync = false;
	const char *logpath = nullptr;
	std::vector<action> acts;
	int i;

	for (i = 1; i < argc; i++) {
		std::string a = argv[i];

		if (a == "-s")
			sync = true;
		else if (a == "-q" && i + 1 < argc)
			quantum = std::atof(argv[++i]);
		else if (a == "-b" && i + 1 < argc)
			bpm = std::atof(argv[++i]);
		else if (a == "-o" && i + 1 < argc)
			logpath = argv[++i];
		else if (a[0] == '-')
			usage();
		else {
			action act{};

			if (!parse_action(argv[i], act))
				usage();
			acts.push_back(act);
		}
	}
	if (logpath == nullptr || !(quantum > 0) || !(bpm >= 20 && bpm <= 999))
		usage();
	FILE *log = std::fopen(logpath, "w");
	if (log == nullptr) {
		std::perror(logpath);
		return 1;
	}

	ableton::Link link(bpm);
	link.enableStartStopSync(sync);
	link.enable(true);

	const auto t0 = link.clock().micros();
	microseconds tpeer{-1};
	std::vector<bool> done(acts.size(), false);
	double last_beat = 0, last_bpm = 0;
	int64_t last_t = 0;
	size_t last_peers = SIZE_MAX;
	int last_playing = -1;
	int64_t last_playing_at = 0;
	bool quit = false;

	std::fprintf(log, "start %lld quantum %g\n",
	    static_cast<long long>(t0.count()), quantum);
	while (!quit) {
		const auto now = link.clock().micros();
		const double secs =
		    static_cast<double>((now - t0).count()) / 1e6;
		size_t peers = link.numPeers();

		if (peers > 0 && tpeer.count() < 0)
			tpeer = now;
		for (size_t k = 0; k < acts.size(); k++) {
			const action &a = acts[k];
			double since;

			if (done[k])
				continue;
			if (a.after_peer) {
				if (tpeer.count() < 0)
					continue;
				since = static_cast<double>(
				    (now - tpeer).count()) / 1e6;
			} else {
				since = secs;
			}
			if (since < a.when)
				continue;
			done[k] = true;
			auto s = link.captureAppSessionState();
			if (a.what == "tempo") {
				s.setTempo(a.bpm, now);
			} else if (a.what == "start") {
				/* as Live does: start now, the grid as
				 * it is */
				s.setIsPlaying(true, now);
			} else if (a.what == "stop") {
				s.setIsPlaying(false, now);
			} else {
				quit = true;
			}
			if (a.what != "quit")
				link.commitAppSessionState(s);
			std::fprintf(log, "did %lld %s %g\n",
			    static_cast<long long>(now.count()), a.what.c_str(),
			    a.what == "tempo" ? a.bpm : 0.0);
		}
		if (secs > 3600)
			quit = true;

		auto s = link.captureAppSessionState();
		const double beat = s.beatAtTime(now, quantum);
		const double tempo = s.tempo();
		const double mpb = std::llround(60e6 / tempo);
		const double predicted = last_beat +
		    static_cast<double>(now.count() - last_t) / mpb;
		if (tempo != last_bpm || std::fabs(beat - predicted) > 1.5e-6 ||
		    now.count() - last_t > 1000000) {
			std::fprintf(log, "tl %lld %.9f %.9f\n",
			    static_cast<long long>(now.count()), beat, tempo);
			last_beat = beat;
			last_bpm = tempo;
			last_t = now.count();
		}
		if (peers != last_peers) {
			std::fprintf(log, "peers %zu %lld\n", peers,
			    static_cast<long long>(now.count()));
			last_peers = peers;
		}
		if ((s.isPlaying() ? 1 : 0) != last_playing ||
		    s.timeForIsPlaying().count() != last_playing_at) {
			last_playing = s.isPlaying() ? 1 : 0;
			last_playing_at = s.timeForIsPlaying().count();
			std::fprintf(log, "playing %d %lld\n", last_playing,
			    static_cast<long long>(last_playing_at));
		}
		std::fflush(log);
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
	link.enable(false);
	std::fclose(log);
	return 0;
}
