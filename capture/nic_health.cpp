#include "nic_health.h"

#include "pcapng_format.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace underhood::capture {

namespace {

// The kernel answers with at most this many strings or counters per set;
// more means something is wrong, and the buffers stay bounded.
constexpr uint32_t kMaxStrings = 1u << 14;

std::string c_string(const char* s, size_t max)
{
    return std::string(s, strnlen(s, max));
}

std::string read_line(const std::string& path)
{
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

std::optional<uint64_t> read_number(const std::string& path)
{
    std::ifstream in(path);
    std::string s;
    if (!std::getline(in, s))
        return std::nullopt;
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end == s.data())
        return std::nullopt;
    return v;
}

// Names in /sys/class/net/IFACE/queues starting with `prefix`, in queue order.
std::vector<std::string> queue_names(const std::string& dir, const std::string& prefix)
{
    std::vector<std::pair<unsigned long, std::string>> found;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.rfind(prefix, 0) != 0)
                continue;
            unsigned long i = 0;
            auto [end, ec] = std::from_chars(n.data() + prefix.size(), n.data() + n.size(), i);
            if (ec == std::errc() && end == n.data() + n.size())
                found.emplace_back(i, n);
        }
        closedir(d);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& f : found)
        out.push_back(std::move(f.second));
    return out;
}

// /proc/net/softnet_stat: one line per CPU of hexadecimal columns: processed,
// dropped, time_squeeze, ...; since Linux 5.10 the 13th column is the CPU's
// number (lines skip offline CPUs), before that the line's position is.
std::vector<SoftnetCpu> read_softnet()
{
    std::vector<SoftnetCpu> out;
    std::ifstream in("/proc/net/softnet_stat");
    std::string line;
    uint32_t index = 0;
    while (std::getline(in, line) && out.size() < 4096) {
        std::istringstream f(line);
        std::vector<uint64_t> cols;
        std::string w;
        while (f >> w && cols.size() < 32) {
            uint64_t v = 0;
            auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v, 16);
            if (ec != std::errc() || end != w.data() + w.size())
                break;
            cols.push_back(v);
        }
        if (cols.size() >= 3) {
            SoftnetCpu c;
            c.cpu = cols.size() >= 13 ? uint32_t(cols[12]) : index;
            c.dropped = cols[1];
            c.time_squeeze = cols[2];
            out.push_back(c);
        }
        ++index;
    }
    return out;
}

bool name_matches_any(const std::string& name, std::initializer_list<const char*> names)
{
    for (const char* n : names)
        if (name == n)
            return true;
    return false;
}

} // namespace

bool is_loss_counter(const std::string& name)
{
    for (const char* word : {"miss", "drop", "fifo", "no_buffer", "discard"})
        if (name.find(word) != std::string::npos)
            return true;
    return false;
}

NicProbe::~NicProbe()
{
    if (fd_ >= 0)
        ::close(fd_);
}

NicProbe::NicProbe(NicProbe&& o) noexcept : fd_(o.fd_), name_(std::move(o.name_))
{
    o.fd_ = -1;
}

bool NicProbe::open(const std::string& interface, std::string& error)
{
    if (interface.empty() || interface.size() >= IFNAMSIZ) {
        error = "bad interface name '" + interface + "'";
        return false;
    }
    name_ = interface;
    // Any socket of the interface's network namespace carries ethtool requests.
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("cannot open a socket for ethtool requests: ") + std::strerror(errno);
        return false;
    }
    return true;
}

NicHealth NicProbe::read() const
{
    NicHealth h;
    if (fd_ < 0)
        return h;
    auto request = [&](void* data) {
        ifreq ifr{};
        std::memcpy(ifr.ifr_name, name_.c_str(), name_.size());
        ifr.ifr_data = static_cast<char*>(data);
        return ::ioctl(fd_, SIOCETHTOOL, &ifr) == 0;
    };
    auto ifreq_of = [&](unsigned long req, ifreq& ifr) {
        ifr = {};
        std::memcpy(ifr.ifr_name, name_.c_str(), name_.size());
        return ::ioctl(fd_, req, &ifr) == 0;
    };

    ethtool_drvinfo drv{};
    drv.cmd = ETHTOOL_GDRVINFO;
    if (request(&drv)) {
        h.has_driver_info = true;
        h.driver = c_string(drv.driver, sizeof drv.driver);
        h.driver_version = c_string(drv.version, sizeof drv.version);
        h.firmware = c_string(drv.fw_version, sizeof drv.fw_version);
        h.bus = c_string(drv.bus_info, sizeof drv.bus_info);
    }

    // Link speed: ETHTOOL_GLINKSETTINGS first asks how many words the link
    // mode masks take (the kernel answers with their negated count), then
    // reads with room for them; old kernels only know ETHTOOL_GSET.
    {
        // Room for the three masks at their largest (the count is an int8).
        std::vector<uint64_t> buf((sizeof(ethtool_link_settings) + 3 * 128 * 4 + 7) / 8);
        auto* ls = reinterpret_cast<ethtool_link_settings*>(buf.data());
        ls->cmd = ETHTOOL_GLINKSETTINGS;
        bool have = false;
        if (request(ls) && ls->link_mode_masks_nwords < 0) {
            const int8_t words = int8_t(-ls->link_mode_masks_nwords);
            std::fill(buf.begin(), buf.end(), 0);
            ls->cmd = ETHTOOL_GLINKSETTINGS;
            ls->link_mode_masks_nwords = words;
            have = request(ls) && ls->link_mode_masks_nwords == words;
        }
        uint32_t speed = 0;
        uint8_t duplex = DUPLEX_UNKNOWN;
        if (have) {
            speed = ls->speed;
            duplex = ls->duplex;
        } else {
            ethtool_cmd cmd{};
            cmd.cmd = ETHTOOL_GSET;
            if (request(&cmd)) {
                speed = ethtool_cmd_speed(&cmd);
                duplex = cmd.duplex;
            }
        }
        if (speed != 0 && speed != uint32_t(SPEED_UNKNOWN))
            h.speed_mbps = speed;
        if (duplex == DUPLEX_FULL)
            h.duplex = "full";
        else if (duplex == DUPLEX_HALF)
            h.duplex = "half";
    }

    ifreq ifr{};
    if (ifreq_of(SIOCGIFMTU, ifr))
        h.mtu = uint32_t(ifr.ifr_mtu);
    if (ifreq_of(SIOCGIFHWADDR, ifr) && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
        std::array<uint8_t, 6> mac;
        std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, 6);
        h.mac = mac;
    }

    // A string set's size, then its names (ETH_GSTRING_LEN bytes each).
    auto strings = [&](uint32_t set, std::vector<std::string>& names) {
        uint64_t info_buf[(sizeof(ethtool_sset_info) + 4 + 7) / 8] = {};
        auto* si = reinterpret_cast<ethtool_sset_info*>(info_buf);
        si->cmd = ETHTOOL_GSSET_INFO;
        si->sset_mask = uint64_t(1) << set;
        if (!request(si) || !(si->sset_mask & (uint64_t(1) << set)))
            return false;
        const uint32_t n = si->data[0];
        if (n == 0 || n > kMaxStrings)
            return false;
        std::vector<uint64_t> buf((sizeof(ethtool_gstrings) + size_t(n) * ETH_GSTRING_LEN + 7) / 8);
        auto* gs = reinterpret_cast<ethtool_gstrings*>(buf.data());
        gs->cmd = ETHTOOL_GSTRINGS;
        gs->string_set = set;
        gs->len = n;
        if (!request(gs))
            return false;
        const uint32_t got = std::min(gs->len, n);
        const char* data = reinterpret_cast<const char*>(gs) + sizeof(ethtool_gstrings);
        names.clear();
        for (uint32_t i = 0; i < got; ++i)
            names.push_back(c_string(data + size_t(i) * ETH_GSTRING_LEN, ETH_GSTRING_LEN));
        return true;
    };

    std::vector<std::string> features;
    if (strings(ETH_SS_FEATURES, features)) {
        const uint32_t blocks = uint32_t((features.size() + 31) / 32);
        std::vector<uint32_t> buf(2 + size_t(blocks) * 4);
        auto* gf = reinterpret_cast<ethtool_gfeatures*>(buf.data());
        gf->cmd = ETHTOOL_GFEATURES;
        gf->size = blocks;
        if (request(gf)) {
            auto active = [&](size_t i) {
                return i / 32 < gf->size && (gf->features[i / 32].active >> (i % 32)) & 1;
            };
            // As `ethtool -k` shows them: a legacy name is on when any
            // feature under it is.
            auto any = [&](std::initializer_list<const char*> names) {
                bool on = false;
                for (size_t i = 0; i < features.size(); ++i)
                    if (name_matches_any(features[i], names) && active(i))
                        on = true;
                return on;
            };
            h.gro = any({"rx-gro"});
            h.lro = any({"rx-lro"});
            h.gso = any({"tx-generic-segmentation"});
            h.tso = any({"tx-tcp-segmentation", "tx-tcp-ecn-segmentation", "tx-tcp-mangleid-segmentation",
                         "tx-tcp6-segmentation", "tx-tcp-accecn-segmentation"});
            h.rx_checksum = any({"rx-checksum"});
            h.tx_checksum = any({"tx-checksum-ipv4", "tx-checksum-ip-generic", "tx-checksum-ipv6",
                                 "tx-checksum-fcoe-crc", "tx-checksum-sctp"});
            h.rx_vlan_strip = any({"rx-vlan-hw-parse"});
        }
    }

    ethtool_ringparam ring{};
    ring.cmd = ETHTOOL_GRINGPARAM;
    if (request(&ring))
        h.ring = NicHealth::Ring{ring.rx_pending, ring.rx_max_pending};

    // sysfs describes the interfaces of the network namespace it was mounted
    // in, which need not be ours (a helper started by setns()): trust it only
    // for the interface with our index.
    const std::string sys = "/sys/class/net/" + name_;
    bool sysfs_ours = false;
    if (ifreq_of(SIOCGIFINDEX, ifr)) {
        auto index = read_number(sys + "/ifindex");
        sysfs_ours = index && *index == uint64_t(ifr.ifr_ifindex);
    }
    if (sysfs_ours) {
        const std::string q = sys + "/queues";
        const auto rx = queue_names(q, "rx-");
        const auto tx = queue_names(q, "tx-");
        if (!rx.empty())
            h.rx_queues = uint32_t(rx.size());
        if (!tx.empty())
            h.tx_queues = uint32_t(tx.size());
        for (const auto& n : rx) {
            std::string mask = read_line(q + "/" + n + "/rps_cpus");
            if (!mask.empty())
                h.rps.emplace_back(n, mask);
        }
        for (const auto& n : tx) {
            std::string mask = read_line(q + "/" + n + "/xps_cpus");
            if (!mask.empty())
                h.xps.emplace_back(n, mask);
        }
        for (const char* c : {"rx_dropped", "rx_missed_errors", "rx_fifo_errors", "rx_over_errors"})
            if (auto v = read_number(sys + "/statistics/" + c))
                h.interface_counters.push_back({c, *v});
    } else {
        // /proc/net/dev answers for our namespace but folds rx_missed_errors
        // into its "drop" column and has no rx_over_errors.
        std::ifstream in("/proc/net/dev");
        std::string line;
        while (std::getline(in, line)) {
            auto colon = line.find(':');
            auto start = line.find_first_not_of(' ');
            if (colon == std::string::npos || start >= colon || line.compare(start, colon - start, name_) != 0 ||
                colon - start != name_.size())
                continue;
            std::istringstream f(line.substr(colon + 1));
            unsigned long long bytes = 0, packets = 0, errs = 0, drop = 0, fifo = 0;
            if (f >> bytes >> packets >> errs >> drop >> fifo) {
                h.interface_counters.push_back({"rx_dropped+rx_missed_errors", drop});
                h.interface_counters.push_back({"rx_fifo_errors", fifo});
            }
            break;
        }
    }
    if (!h.rx_queues) {
        ethtool_channels ch{};
        ch.cmd = ETHTOOL_GCHANNELS;
        if (request(&ch) && ch.rx_count + ch.combined_count > 0)
            h.rx_queues = ch.rx_count + ch.combined_count;
    }

    std::vector<std::string> stats;
    if (strings(ETH_SS_STATS, stats)) {
        std::vector<uint64_t> buf(1 + stats.size());
        auto* es = reinterpret_cast<ethtool_stats*>(buf.data());
        es->cmd = ETHTOOL_GSTATS;
        es->n_stats = uint32_t(stats.size());
        if (request(es)) {
            const uint32_t got = std::min<uint32_t>(es->n_stats, uint32_t(stats.size()));
            for (uint32_t i = 0; i < got; ++i)
                if (is_loss_counter(stats[i]))
                    h.driver_counters.push_back({stats[i], es->data[i]});
        }
    }

    h.softnet = read_softnet();
    return h;
}

std::string json_string(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += char(c);
        }
    }
    return out + "\"";
}

std::string mac_text(const std::array<uint8_t, 6>& mac)
{
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

std::string describe_json(const std::string& interface, const NicHealth& h)
{
    std::ostringstream o;
    auto text = [&](const std::string& s, bool known) { return known ? json_string(s) : std::string("null"); };
    auto num = [](const auto& v) { return v ? std::to_string(*v) : std::string("null"); };
    auto flag = [](const std::optional<bool>& v) { return v ? (*v ? "true" : "false") : "null"; };
    auto counters = [&](const std::vector<NicCounter>& cs) {
        std::string s = "{";
        for (size_t i = 0; i < cs.size(); ++i)
            s += (i ? ", " : "") + json_string(cs[i].name) + ": " + std::to_string(cs[i].value);
        return s + "}";
    };
    auto masks = [&](const std::vector<std::pair<std::string, std::string>>& ms) {
        std::string s = "{";
        for (size_t i = 0; i < ms.size(); ++i)
            s += (i ? ", " : "") + json_string(ms[i].first) + ": " + json_string(ms[i].second);
        return s + "}";
    };
    o << "{\"interface\": " << json_string(interface) << ",\n"
      << " \"driver\": " << text(h.driver, h.has_driver_info) << ", \"driver_version\": "
      << text(h.driver_version, h.has_driver_info) << ", \"firmware\": " << text(h.firmware, h.has_driver_info)
      << ", \"bus\": " << text(h.bus, h.has_driver_info) << ",\n"
      << " \"speed_mbps\": " << num(h.speed_mbps) << ", \"duplex\": " << text(h.duplex, !h.duplex.empty())
      << ", \"mtu\": " << num(h.mtu) << ", \"rx_queues\": " << num(h.rx_queues) << ", \"tx_queues\": "
      << num(h.tx_queues) << ", \"mac\": " << (h.mac ? json_string(mac_text(*h.mac)) : std::string("null")) << ",\n"
      << " \"offloads\": {\"gro\": " << flag(h.gro) << ", \"lro\": " << flag(h.lro) << ", \"gso\": " << flag(h.gso)
      << ", \"tso\": " << flag(h.tso) << ", \"rx_checksum\": " << flag(h.rx_checksum)
      << ", \"tx_checksum\": " << flag(h.tx_checksum) << ", \"rx_vlan_strip\": " << flag(h.rx_vlan_strip) << "},\n"
      << " \"ring\": ";
    if (h.ring)
        o << "{\"rx\": " << h.ring->rx << ", \"rx_max\": " << h.ring->rx_max << "}";
    else
        o << "null";
    o << ",\n \"rps\": " << masks(h.rps) << ", \"xps\": " << masks(h.xps) << ",\n"
      << " \"interface_counters\": " << counters(h.interface_counters) << ",\n"
      << " \"driver_counters\": " << counters(h.driver_counters) << ",\n"
      << " \"softnet\": [";
    for (size_t i = 0; i < h.softnet.size(); ++i)
        o << (i ? ", " : "") << "{\"cpu\": " << h.softnet[i].cpu << ", \"dropped\": " << h.softnet[i].dropped
          << ", \"time_squeeze\": " << h.softnet[i].time_squeeze << "}";
    o << "]}\n";
    return o.str();
}

std::string hardware_description(const NicHealth& h)
{
    if (!h.has_driver_info || h.driver.empty())
        return {};
    std::string s = h.driver;
    if (!h.driver_version.empty())
        s += " " + h.driver_version;
    if (!h.firmware.empty() && h.firmware != "N/A")
        s += ", firmware " + h.firmware;
    if (!h.bus.empty() && h.bus != "N/A")
        s += ", bus " + h.bus;
    return s;
}

namespace {

// Keys and values are single lines of printable text without '=' in keys.
std::string clean(const std::string& s, bool key)
{
    std::string out;
    for (unsigned char c : s)
        out += (c < 0x20 || c == 0x7f || (key && (c == '=' || c == ' '))) ? '_' : char(c);
    return out;
}

} // namespace

std::string encode_health_record(uint32_t interface_id, uint64_t ts_ns, HealthPhase phase, const NicHealth& h)
{
    std::string r(pcapng::kHealthMagic);
    auto put = [&](const std::string& key, const std::string& value) {
        r += clean(key, true);
        r += '=';
        r += clean(value, false);
        r += '\n';
    };
    put("interface", std::to_string(interface_id));
    put("time", std::to_string(ts_ns));
    put("phase", phase == HealthPhase::Start ? "start" : phase == HealthPhase::Final ? "final" : "interval");
    if (h.has_driver_info) {
        put("driver", h.driver);
        put("driver_version", h.driver_version);
        put("firmware", h.firmware);
        put("bus", h.bus);
    }
    if (h.speed_mbps)
        put("speed_mbps", std::to_string(*h.speed_mbps));
    if (!h.duplex.empty())
        put("duplex", h.duplex);
    if (h.mtu)
        put("mtu", std::to_string(*h.mtu));
    if (h.rx_queues)
        put("rx_queues", std::to_string(*h.rx_queues));
    if (h.tx_queues)
        put("tx_queues", std::to_string(*h.tx_queues));
    auto flag = [&](const char* name, const std::optional<bool>& v) {
        if (v)
            put(std::string("offload.") + name, *v ? "1" : "0");
    };
    flag("gro", h.gro);
    flag("lro", h.lro);
    flag("gso", h.gso);
    flag("tso", h.tso);
    flag("rx_checksum", h.rx_checksum);
    flag("tx_checksum", h.tx_checksum);
    flag("rx_vlan_strip", h.rx_vlan_strip);
    if (h.ring) {
        put("ring.rx", std::to_string(h.ring->rx));
        put("ring.rx_max", std::to_string(h.ring->rx_max));
    }
    for (const auto& [q, mask] : h.rps)
        put("rps." + q, mask);
    for (const auto& [q, mask] : h.xps)
        put("xps." + q, mask);
    for (const NicCounter& c : h.interface_counters)
        put("if." + c.name, std::to_string(c.value));
    for (const NicCounter& c : h.driver_counters)
        put("ethtool." + c.name, std::to_string(c.value));
    for (const SoftnetCpu& c : h.softnet) {
        put("softnet." + std::to_string(c.cpu) + ".dropped", std::to_string(c.dropped));
        put("softnet." + std::to_string(c.cpu) + ".time_squeeze", std::to_string(c.time_squeeze));
    }
    if (r.size() > pcapng::kMaxHealthRecord)
        r.resize(r.rfind('\n', pcapng::kMaxHealthRecord - 1) + 1); // whole lines only
    return r;
}

} // namespace underhood::capture
