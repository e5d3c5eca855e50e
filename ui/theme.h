// The app's dark palette (View > Theme > Dark, `--theme dark`), also what
// the GUI tests' dark screenshots use.
#pragma once

#include <QPalette>

namespace underhood {

QPalette darkPalette();

} // namespace underhood
