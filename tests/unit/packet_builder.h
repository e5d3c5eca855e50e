// Builds test frames layer by layer, outermost first; lengths are filled in
// when the frame is finished so every test packet is self-consistent.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace underhood::test {

class FrameBuilder {
public:
    FrameBuilder& bytes(std::initializer_list<uint8_t> b)
    {
        data.insert(data.end(), b);
        return *this;
    }
    FrameBuilder& raw(const std::vector<uint8_t>& b)
    {
        data.insert(data.end(), b.begin(), b.end());
        return *this;
    }
    FrameBuilder& text(const std::string& s)
    {
        data.insert(data.end(), s.begin(), s.end());
        return *this;
    }
    FrameBuilder& u16(uint16_t v) { return bytes({uint8_t(v >> 8), uint8_t(v)}); }
    FrameBuilder& u32(uint32_t v) { return u16(uint16_t(v >> 16)).u16(uint16_t(v)); }
    FrameBuilder& ether(uint16_t type, uint8_t src_last = 0x01, uint8_t dst_last = 0x02)
    {
        bytes({0x00, 0x11, 0x22, 0x33, 0x44, dst_last});
        bytes({0x00, 0x11, 0x22, 0x33, 0x44, src_last});
        return u16(type);
    }
    FrameBuilder& vlan(uint16_t tci, uint16_t inner) { return u16(tci).u16(inner); }
    // IPv4 header with total length patched by finish().
    FrameBuilder& ipv4(std::initializer_list<uint8_t> src, std::initializer_list<uint8_t> dst, uint8_t proto,
                       uint16_t frag = 0)
    {
        ip_starts.push_back({data.size(), 4});
        bytes({0x45, 0x00, 0x00, 0x00, 0x12, 0x34});
        u16(frag);
        bytes({64, proto, 0x00, 0x00});
        data.insert(data.end(), src);
        data.insert(data.end(), dst);
        return *this;
    }
    FrameBuilder& ipv6(uint8_t src_last, uint8_t dst_last, uint8_t next)
    {
        ip_starts.push_back({data.size(), 6});
        bytes({0x60, 0, 0, 0, 0, 0, next, 64});
        bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, src_last});
        bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dst_last});
        return *this;
    }
    FrameBuilder& udp(uint16_t sp, uint16_t dp)
    {
        udp_starts.push_back(data.size());
        return u16(sp).u16(dp).u32(0);
    }
    FrameBuilder& tcp(uint16_t sp, uint16_t dp, uint8_t flags = 0x18)
    {
        u16(sp).u16(dp).u32(1000).u32(0);
        return bytes({0x50, flags, 0xff, 0xff, 0, 0, 0, 0});
    }
    std::vector<uint8_t> finish()
    {
        for (auto [off, ver] : ip_starts) {
            size_t len = data.size() - off;
            if (ver == 4) {
                data[off + 2] = uint8_t(len >> 8);
                data[off + 3] = uint8_t(len);
            } else {
                len -= 40;
                data[off + 4] = uint8_t(len >> 8);
                data[off + 5] = uint8_t(len);
            }
        }
        for (size_t off : udp_starts) {
            size_t len = data.size() - off;
            data[off + 4] = uint8_t(len >> 8);
            data[off + 5] = uint8_t(len);
        }
        return data;
    }

    std::vector<uint8_t> data;
    std::vector<std::pair<size_t, int>> ip_starts;
    std::vector<size_t> udp_starts;
};

// A DNS response: question `qname` A, answers given as raw resource records.
inline std::vector<uint8_t> dns_name(const std::string& name)
{
    std::vector<uint8_t> out;
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos)
            dot = name.size();
        out.push_back(uint8_t(dot - start));
        out.insert(out.end(), name.begin() + long(start), name.begin() + long(dot));
        start = dot + 1;
    }
    out.push_back(0);
    return out;
}

inline std::vector<uint8_t> dns_rr(const std::string& owner, uint16_t type, const std::vector<uint8_t>& rdata)
{
    FrameBuilder b;
    b.raw(dns_name(owner)).u16(type).u16(1).u32(60).u16(uint16_t(rdata.size())).raw(rdata);
    return b.data;
}

inline std::vector<uint8_t> dns_response(const std::string& qname, uint16_t qtype,
                                         const std::vector<std::vector<uint8_t>>& answers)
{
    FrameBuilder b;
    b.u16(0x1234).u16(0x8180).u16(1).u16(uint16_t(answers.size())).u16(0).u16(0);
    b.raw(dns_name(qname)).u16(qtype).u16(1);
    for (const auto& a : answers)
        b.raw(a);
    return b.data;
}

inline std::vector<uint8_t> tls_client_hello(const std::string& sni)
{
    FrameBuilder ext;
    ext.u16(0).u16(uint16_t(sni.size() + 5)).u16(uint16_t(sni.size() + 3)).bytes({0}).u16(uint16_t(sni.size())).text(sni);
    FrameBuilder hello;
    hello.bytes({3, 3});
    for (int i = 0; i < 32; ++i)
        hello.bytes({uint8_t(i)});
    hello.bytes({0});            // session id
    hello.u16(2).u16(0x1301);    // cipher suites
    hello.bytes({1, 0});         // compression
    hello.u16(uint16_t(ext.data.size())).raw(ext.data);
    FrameBuilder rec;
    size_t hs_len = hello.data.size();
    rec.bytes({22, 3, 1}).u16(uint16_t(hs_len + 4));
    rec.bytes({1, uint8_t(hs_len >> 16), uint8_t(hs_len >> 8), uint8_t(hs_len)}).raw(hello.data);
    return rec.data;
}

} // namespace underhood::test
