// Least privilege for the capture helper: it needs CAP_NET_RAW (and
// CAP_NET_ADMIN for promiscuous mode and large rings) only while opening its
// sockets; after that it holds nothing, cannot regain anything, and may only
// make the few system calls its capture loop needs.
#pragma once

#include <string>

namespace underhood::capture {

bool has_capture_capability();
// One paragraph telling the user how to give the helper its privilege.
std::string privilege_advice(const std::string& program_path);
// Empties the permitted, effective, inheritable and ambient sets and sets
// no-new-privs. Returns false with a reason.
bool drop_privileges(std::string& error);
// Installs the seccomp allow-list for the capture loop.
bool restrict_system_calls(std::string& error);

} // namespace underhood::capture
