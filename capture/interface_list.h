#pragma once

#include <string>

namespace underhood::capture {

// A JSON array: name, index, state, up, link_type, mtu, mac, addresses,
// rx_packets, rx_bytes, rx_dropped (rx_dropped + rx_missed_errors + rx_fifo_errors).
std::string list_interfaces_json();

} // namespace underhood::capture
