/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portmap: decides, before a file plays, which output ports it needs and
 * which events go to which (ports.h, smf_reader.h's smf_portmap).
 *
 * --split track: a port per track that holds MIDI events and plays
 * (--tracks), named after the track's name (its first sequence/track
 * name event, FF 03, made safe for JACK: ports_safe_name), "track-N"
 * when it has none.  --split channel: a port per channel used that plays
 * (--channels), "ch1" ... "ch16".  Without --split: when the file has
 * port events (FF 21), a port for each port number its MIDI events are
 * sent under, "port1" for number 0 and so on (a track's events before
 * its first port event go to number 0); otherwise the one port "out".
 *
 * Deciding reads the file once more (a second reader over the same bytes,
 * its messages muted), but only with --split or when the file's bytes
 * hold FF 21 01 at all, so that a plain file starts as fast as before.
 */
#ifndef MIDIPLAY_PORTMAP_H
#define MIDIPLAY_PORTMAP_H

#include <stdint.h>
#include "midiplay/ports.h"
#include "midiplay/smf_reader.h"

struct portmap;

/*
 * Decide the ports of R for SPLIT (enum ports_split), with the tracks
 * (65536 flags, or NULL: all) and channels (a bit each) that play: add
 * them to PORTS (ports_add: the hook runs) and make R give every event
 * its port.  0, or -1 after reporting.
 */
int portmap_file(struct portmap **mp, struct smf_reader *r, int split,
    const uint8_t *tracks, uint16_t channels, struct ports *ports);

void portmap_close(struct portmap *m);

#endif
