// Toolbar and transport icons drawn as vector glyphs in the palette's own
// colours at paint time, so they stay readable in light and dark themes (the
// style's stock media pixmaps are dark grey and vanish on a dark window).
#pragma once

#include <QColor>
#include <QIcon>

namespace underhood {

// PrevEvent/NextEvent: a step to the previous/next event of a kind (a diamond beside a triangle).
enum class Glyph { Play, Pause, Stop, StepBack, StepForward, ToStart, ToEnd, Follow, Restart, Up, Down, PrevEvent, NextEvent };

// `accent` (optional) colours an enabled glyph instead of the text colour,
// e.g. green for "start capture"; it is lightened on dark windows.
QIcon glyphIcon(Glyph glyph, QColor accent = {});

} // namespace underhood
