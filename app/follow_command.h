// underhood-cli follow: one TCP or UDP stream's payload, as tshark -z follow prints it.
#pragma once

#include <string>
#include <vector>

namespace underhood {

// Arguments after "follow". Returns the exit status.
int run_follow(const std::vector<std::string>& args);

} // namespace underhood
