// underhood-cli anonymize: a capture rewritten with pseudonymous addresses and names.
#pragma once

#include <string>
#include <vector>

namespace underhood {

// Arguments after "anonymize". Returns the exit status.
int run_anonymize(const std::vector<std::string>& args);

} // namespace underhood
