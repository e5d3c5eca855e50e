// What happens to packets before they reach the capture socket: the NIC, its
// driver and the kernel's backlog. Read with the SIOCETHTOOL get requests
// (which need no capability), sysfs and /proc, once at the start of a capture
// and again in every statistics interval.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace underhood::capture {

struct NicCounter {
    std::string name;
    uint64_t value = 0; // as the kernel or driver keeps it, not reset by reading
};

struct SoftnetCpu {
    uint32_t cpu = 0;
    uint64_t dropped = 0;      // backlog full (netdev_max_backlog)
    uint64_t time_squeeze = 0; // NAPI budget or time ran out with work left
};

struct NicHealth {
    bool has_driver_info = false; // ETHTOOL_GDRVINFO answered
    std::string driver, driver_version, firmware, bus;
    std::optional<uint64_t> speed_mbps; // absent: no link, or the driver does not say
    std::string duplex;                 // "full", "half" or empty
    std::optional<uint32_t> mtu, rx_queues, tx_queues;
    std::optional<std::array<uint8_t, 6>> mac; // Ethernet-like interfaces
    // Offloads that change what a capture sees; absent when the device has
    // no feature strings (ETHTOOL_GFEATURES unanswered).
    std::optional<bool> gro, lro, gso, tso, rx_checksum, tx_checksum, rx_vlan_strip;
    struct Ring {
        uint32_t rx = 0, rx_max = 0;
    };
    std::optional<Ring> ring; // absent where the driver has no ring parameters (veth)
    // Per queue (rx-0, tx-0, ...): the CPU mask in sysfs' hexadecimal form.
    std::vector<std::pair<std::string, std::string>> rps, xps;
    // rx_dropped, rx_missed_errors, rx_fifo_errors, rx_over_errors.
    std::vector<NicCounter> interface_counters;
    // The driver's ETHTOOL_GSTATS counters whose names say they count losses.
    std::vector<NicCounter> driver_counters;
    std::vector<SoftnetCpu> softnet;
};

class NicProbe {
public:
    NicProbe() = default;
    ~NicProbe();
    NicProbe(const NicProbe&) = delete;
    NicProbe& operator=(const NicProbe&) = delete;
    NicProbe(NicProbe&& o) noexcept;
    NicProbe& operator=(NicProbe&&) = delete;

    // Opens the socket the ethtool requests go through; must happen before
    // the system calls are restricted (no socket() after that).
    bool open(const std::string& interface, std::string& error);
    // Everything above, now. Whatever does not answer stays absent.
    NicHealth read() const;

private:
    int fd_ = -1;
    std::string name_;
};

// ETHTOOL_GSTATS names worth reporting: those that count lost packets.
bool is_loss_counter(const std::string& name);

// `underhood-capture --describe IFACE`: one JSON object.
std::string describe_json(const std::string& interface, const NicHealth& h);

// if_hardware: "DRIVER VERSION[, firmware F][, bus B]"; empty if unknown.
std::string hardware_description(const NicHealth& h);

// The text of an Underhood NIC-health custom block (capture/README.md).
enum class HealthPhase { Start, Interval, Final };
std::string encode_health_record(uint32_t interface_id, uint64_t ts_ns, HealthPhase phase, const NicHealth& h);

// aa:bb:cc:dd:ee:ff
std::string mac_text(const std::array<uint8_t, 6>& mac);

// A JSON string literal.
std::string json_string(const std::string& s);

} // namespace underhood::capture
