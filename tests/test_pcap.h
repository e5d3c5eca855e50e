// Writes the classic pcap files the tests feed to tcpreplay, the app and the
// CLI: Ethernet, microsecond time stamps, little-endian.
#pragma once

#include <QFile>
#include <QString>

#include <cstdint>
#include <vector>

// Frame i is stamped first_sec + i * step_us microseconds. A Frame is any
// byte container with data() and size() (QByteArray, std::vector<uint8_t>).
template <typename Frame>
bool write_pcap(const QString& path, const std::vector<Frame>& frames, uint32_t first_sec = 1700000000,
                uint64_t step_us = 1000000)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
    u32(0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);      // thiszone
    u32(0);      // sigfigs
    u32(65535);  // snaplen
    u32(1);      // LINKTYPE_ETHERNET
    for (size_t i = 0; i < frames.size(); ++i) {
        const uint64_t us = uint64_t(first_sec) * 1000000 + i * step_us;
        u32(uint32_t(us / 1000000));
        u32(uint32_t(us % 1000000));
        u32(uint32_t(frames[i].size()));
        u32(uint32_t(frames[i].size()));
        f.write(reinterpret_cast<const char*>(frames[i].data()), qint64(frames[i].size()));
    }
    return f.error() == QFileDevice::NoError;
}
