// underhood-cli fields: field values per packet, as tshark -T fields prints them.
#pragma once

#include <string>
#include <vector>

namespace underhood {

// Arguments after "fields". Returns the exit status.
int run_fields(const std::vector<std::string>& args);

} // namespace underhood
