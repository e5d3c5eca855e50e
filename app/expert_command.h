// underhood-cli expert: the capture's expert information by severity and kind.
#pragma once

#include <string>
#include <vector>

namespace underhood {

// Arguments after "expert". Returns the exit status.
int run_expert(const std::vector<std::string>& args);

} // namespace underhood
