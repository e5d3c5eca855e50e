#include "packet_anonymizer.h"

#include "dissect/engine.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

namespace underhood {

using namespace dissect;

// The engine's field ids the rewriter acts on, looked up once.
struct PacketAnonymizer::Fields {
    FieldId ip, ipv6, tcp, udp, icmp, icmpv6, igmp, gre, ospf, pim, vrrp;
    FieldId eth, arp, dns, mdns, llmnr, dns_length, dhcp, nbns, netbios;
    FieldId dns_a, dns_aaaa, dhcp_cookie, dhcp_mask, ospf_area;
    FieldId nhrp, nhrp_auth_src, nhrp_auth_data;
    FieldId nhrp_addr_bytes[5]; // addresses NHRP shows as octets (IPv6 ones among them)

    static const Fields& get()
    {
        static const Fields f = [] {
            Fields x;
            x.ip = field_by_name("ip");
            x.ipv6 = field_by_name("ipv6");
            x.tcp = field_by_name("tcp");
            x.udp = field_by_name("udp");
            x.icmp = field_by_name("icmp");
            x.icmpv6 = field_by_name("icmpv6");
            x.igmp = field_by_name("igmp");
            x.gre = field_by_name("gre");
            x.ospf = field_by_name("ospf");
            x.pim = field_by_name("pim");
            x.vrrp = field_by_name("vrrp");
            x.eth = field_by_name("eth");
            x.arp = field_by_name("arp");
            x.dns = field_by_name("dns");
            x.mdns = field_by_name("mdns");
            x.llmnr = field_by_name("llmnr");
            x.dns_length = field_by_name("dns.length");
            x.dhcp = field_by_name("dhcp");
            x.nbns = field_by_name("nbns");
            x.netbios = field_by_name("netbios");
            x.dns_a = field_by_name("dns.a");
            x.dns_aaaa = field_by_name("dns.aaaa");
            x.dhcp_cookie = field_by_name("dhcp.cookie");
            x.dhcp_mask = field_by_name("dhcp.option.subnet_mask");
            x.ospf_area = field_by_name("ospf.area_id");
            x.nhrp = field_by_name("nhrp");
            x.nhrp_auth_src = field_by_name("nhrp.auth_ext.src_addr");
            x.nhrp_auth_data = field_by_name("nhrp.auth_ext.data");
            const char* const bytes[] = {"nhrp.src.nbma.addr_bytes", "nhrp.src.prot.addr_bytes",
                                         "nhrp.dst.prot.addr_byets", "nhrp.client.nbma.addr_bytes",
                                         "nhrp.client.prot.addr_bytes"};
            for (size_t i = 0; i < 5; ++i)
                x.nhrp_addr_bytes[i] = field_by_name(bytes[i]);
            return x;
        }();
        return f;
    }
};

namespace {

// One's-complement sum (RFC 1071) of data[from, to), each byte weighted by
// its parity relative to `origin` (where the checksummed region starts).
uint32_t sum16(const uint8_t* d, size_t from, size_t to, size_t origin)
{
    uint64_t s = 0;
    for (size_t i = from; i < to; ++i)
        s += (i - origin) % 2 == 0 ? uint32_t(d[i]) << 8 : d[i];
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return uint32_t(s);
}

uint32_t fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return uint32_t(s);
}

struct Layer {
    FieldId proto;
    size_t off, len;
    uint16_t depth;
};

class Rewrite {
public:
    Rewrite(Anonymizer& a, PacketAnonymizer::Payload payload, PacketAnonymizer::Counts& counts, Bytes data)
        : a_(a), payload_(payload), counts_(counts), old_(data.data()), n_(data.size()), out_(data.begin(), data.end()),
          touched_(data.size(), 0)
    {
    }

    const uint8_t* old() const { return old_; }
    std::vector<uint8_t>& out() { return out_; }
    size_t size() const { return n_; }
    bool fits(size_t at, size_t len) const { return at <= n_ && len <= n_ - at; }
    uint16_t be16(size_t at) const { return fits(at, 2) ? uint16_t(old_[at] << 8 | old_[at + 1]) : 0; }

    // Claims bytes for one rewrite; false when another rewrite already has them.
    bool claim(size_t at, size_t len)
    {
        if (!fits(at, len))
            return false;
        for (size_t i = at; i < at + len; ++i)
            if (touched_[i])
                return false;
        std::fill_n(touched_.begin() + long(at), len, 1);
        return true;
    }

    void ip(size_t at, size_t len)
    {
        if ((len != 4 && len != 16) || !claim(at, len))
            return;
        const IpAddress a = len == 4 ? IpAddress::v4(old_ + at) : IpAddress::v6(old_ + at);
        const IpAddress m = a_.map_ip(a);
        std::memcpy(out_.data() + at, m.bytes.data(), len);
        ++counts_.addresses;
    }

    void mac(size_t at)
    {
        if (!claim(at, 6))
            return;
        MacAddress m;
        std::memcpy(m.bytes.data(), old_ + at, 6);
        const MacAddress r = a_.map_mac(m);
        std::memcpy(out_.data() + at, r.bytes.data(), 6);
        ++counts_.addresses;
    }

    void label(size_t at, size_t len)
    {
        if (!len || !claim(at, len))
            return;
        const std::string r = a_.map_label(std::string_view(reinterpret_cast<const char*>(old_ + at), len));
        std::memcpy(out_.data() + at, r.data(), std::min(len, r.size()));
        ++counts_.labels;
    }

    void zero(size_t from, size_t to)
    {
        to = std::min(to, n_);
        for (size_t i = from; i < to; ++i)
            if (!touched_[i] && out_[i]) {
                out_[i] = 0;
                ++counts_.payload_bytes;
            }
        if (from < to)
            std::fill(touched_.begin() + long(from), touched_.begin() + long(to), 1);
    }

    // A name in DNS wire form at `at`, its labels rewritten where they lie
    // (a compression pointer ends it: what it points to is rewritten where
    // that is). Returns the position after the name, 0 when it does not fit.
    size_t wire_name(size_t at, size_t end)
    {
        for (int n = 0; n < 128; ++n) {
            if (at >= end)
                return 0;
            const uint8_t len = old_[at];
            if (len == 0)
                return at + 1;
            if ((len & 0xC0) == 0xC0)
                return at + 2 <= end ? at + 2 : 0;
            if (len & 0xC0)
                return 0; // an extended label type: nothing known to rewrite
            if (at + 1 + len > end)
                return 0;
            label(at + 1, len);
            at += 1 + len;
        }
        return 0;
    }

    // A dotted name in text at [at, end), up to a NUL.
    void text_name(size_t at, size_t end)
    {
        end = std::min(end, n_);
        size_t start = at;
        for (size_t i = at; i <= end; ++i) {
            const bool stop = i == end || old_[i] == 0;
            if (stop || old_[i] == '.') {
                label(start, i - start);
                start = i + 1;
            }
            if (stop)
                break;
        }
    }


    // NetBIOS names (RFC 1001 14): 15 characters padded with spaces (or
    // NULs), then a suffix byte saying which service. The wildcard "*" and
    // the browsers' __MSBROWSE__ name no one and stay.
    static bool kept_netbios(std::string_view name)
    {
        return name.empty() || name[0] == '*' || name.find("__MSBROWSE__") != std::string_view::npos;
    }
    static std::string_view netbios_trimmed(std::string_view s)
    {
        while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
            s.remove_suffix(1);
        return s;
    }

    // The 16 bytes of a name in the clear at `at` (NBSTAT answers): the
    // pseudonym, padded as the original was, and the same suffix.
    void netbios_raw(size_t at)
    {
        if (!fits(at, 16))
            return;
        const std::string_view name = netbios_trimmed({reinterpret_cast<const char*>(old_ + at), 15});
        if (kept_netbios(name) || !claim(at, 15))
            return;
        const std::string img = a_.netbios_pseudonym(name);
        const char pad = old_[at + 14] == 0 ? '\0' : ' ';
        for (size_t i = 0; i < 15; ++i)
            out_[at + i] = uint8_t(i < img.size() ? img[i] : pad);
        ++counts_.labels;
    }

    // A name in first-level encoding: 32 letters 'A'..'P', a nibble each.
    void netbios_encoded(size_t at)
    {
        if (!fits(at, 32))
            return;
        char raw[16];
        for (size_t i = 0; i < 16; ++i) {
            const int hi = old_[at + 2 * i] - 'A', lo = old_[at + 2 * i + 1] - 'A';
            if (hi < 0 || hi > 15 || lo < 0 || lo > 15)
                return; // not encoded as it should be: nothing known to rewrite
            raw[i] = char(hi << 4 | lo);
        }
        const std::string_view name = netbios_trimmed({raw, 15});
        if (kept_netbios(name) || !claim(at, 30))
            return;
        const std::string img = a_.netbios_pseudonym(name);
        const char pad = raw[14] == 0 ? '\0' : ' ';
        for (size_t i = 0; i < 15; ++i) {
            const auto c = uint8_t(i < img.size() ? img[i] : pad);
            out_[at + 2 * i] = uint8_t('A' + (c >> 4));
            out_[at + 2 * i + 1] = uint8_t('A' + (c & 0xF));
        }
        ++counts_.labels;
    }

    // An encoded NetBIOS name as NBNS and NBDS carry it: a 32-byte label,
    // then the scope's labels as in DNS (or a compression pointer). Returns
    // the position after it, 0 when it does not fit.
    size_t netbios_wire_name(size_t at, size_t end)
    {
        if (at >= end)
            return 0;
        if (old_[at] == 32 && at + 33 <= end) {
            netbios_encoded(at + 1);
            if (at + 33 < end && (old_[at + 33] & 0xC0) == 0)
                return wire_name(at + 33, end);
            return at + 33 < end && (old_[at + 33] & 0xC0) == 0xC0 ? (at + 35 <= end ? at + 35 : 0) : 0;
        }
        return wire_name(at, end);
    }

    // A NUL-terminated name in a browser message, rewritten in its own
    // bytes: the pseudonym, space-padded as NetBIOS names are (a list of
    // names keeps its count of strings), when it fits, else one of the same
    // length. Returns the position after the NUL, 0 without one.
    size_t netbios_cstr(size_t at, size_t end)
    {
        end = std::min(end, n_);
        size_t e = at;
        while (e < end && old_[e])
            ++e;
        if (e >= end)
            return 0;
        const std::string_view name(reinterpret_cast<const char*>(old_ + at), e - at);
        netbios_text(at, name, e - at, ' ');
        return e + 1;
    }

    // A name in a fixed field of `width` bytes, NUL-padded.
    void netbios_fixed(size_t at, size_t width)
    {
        if (!fits(at, width))
            return;
        size_t e = at;
        while (e < at + width && old_[e])
            ++e;
        netbios_text(at, {reinterpret_cast<const char*>(old_ + at), e - at}, width, '\0');
    }

    void netbios_text(size_t at, std::string_view name, size_t room, char pad)
    {
        const std::string_view trimmed = netbios_trimmed(name);
        if (kept_netbios(trimmed) || !claim(at, room))
            return;
        std::string img = a_.netbios_pseudonym(trimmed);
        if (img.size() > room) {
            img = a_.map_label(trimmed);
            for (char& c : img)
                c = char(std::toupper(uint8_t(c)));
        }
        for (size_t i = 0; i < room; ++i)
            out_[at + i] = uint8_t(i < img.size() ? img[i] : pad);
        ++counts_.labels;
    }

    uint16_t le16(size_t at) const { return fits(at, 2) ? uint16_t(old_[at] | old_[at + 1] << 8) : 0; }

    Anonymizer& a_;
    PacketAnonymizer::Payload payload_;
    PacketAnonymizer::Counts& counts_;

private:
    const uint8_t* old_;
    size_t n_;
    std::vector<uint8_t> out_;
    std::vector<uint8_t> touched_;
};

void dns_message(Rewrite& r, size_t m, size_t end)
{
    if (!r.fits(m, 12) || end < m + 12)
        return;
    const size_t qd = r.be16(m + 4);
    const size_t rrs = size_t(r.be16(m + 6)) + r.be16(m + 8) + r.be16(m + 10);
    size_t at = m + 12;
    for (size_t i = 0; i < qd; ++i) {
        at = r.wire_name(at, end);
        if (!at || at + 4 > end)
            return;
        at += 4;
    }
    const bool hide = r.payload_ != PacketAnonymizer::Payload::Keep;
    for (size_t i = 0; i < rrs; ++i) {
        at = r.wire_name(at, end);
        if (!at || at + 10 > end)
            return;
        const uint16_t type = r.be16(at);
        const size_t rdlen = r.be16(at + 8);
        const size_t rd = at + 10;
        const size_t rd_end = std::min(rd + rdlen, end);
        switch (type) {
        case 1: // A
        case 28: // AAAA
            if (rdlen == (type == 1 ? 4u : 16u) && rd + rdlen <= end)
                r.ip(rd, rdlen);
            break;
        case 2: // NS
        case 5: // CNAME
        case 12: // PTR
        case 39: // DNAME
        case 47: // NSEC: the next owner name first
            r.wire_name(rd, rd_end);
            break;
        case 15: // MX
            r.wire_name(rd + 2, rd_end);
            break;
        case 33: // SRV
            r.wire_name(rd + 6, rd_end);
            break;
        case 6: { // SOA: mname, rname
            const size_t next = r.wire_name(rd, rd_end);
            if (next)
                r.wire_name(next, rd_end);
            break;
        }
        case 10: // NULL
        case 13: // HINFO
        case 16: // TXT: device models, user names, anything
            if (hide)
                r.zero(rd, rd_end);
            break;
        default:
            break;
        }
        if (rd + rdlen > end)
            return;
        at = rd + rdlen;
    }
}

void dhcp_message(Rewrite& r, size_t d, size_t end)
{
    constexpr size_t kFixed = 236;
    if (!r.fits(d, kFixed) || end < d + kFixed)
        return;
    // sname and file: names the server gave; gone unless payloads are kept.
    if (r.payload_ != PacketAnonymizer::Payload::Keep)
        r.zero(d + 44, d + kFixed);
    else {
        r.text_name(d + 44, d + 108);
    }
    if (!r.fits(d + kFixed, 4) || r.be16(d + kFixed) != 0x6382 || r.be16(d + kFixed + 2) != 0x5363)
        return;
    size_t at = d + kFixed + 4;
    for (int n = 0; n < 512 && at < end; ++n) {
        const uint8_t code = r.old()[at];
        if (code == 0) {
            ++at;
            continue;
        }
        if (code == 255 || at + 2 > end)
            return;
        const size_t len = r.old()[at + 1];
        const size_t v = at + 2;
        if (v + len > end)
            return;
        switch (code) {
        case 12: // host name
        case 15: // domain name
            r.text_name(v, v + len);
            break;
        case 81: // client FQDN: flags, two rcodes, then the name
            if (len > 3) {
                if (r.old()[v] & 0x04)
                    r.wire_name(v + 3, v + len);
                else
                    r.text_name(v + 3, v + len);
            }
            break;
        case 119: // domain search list
            for (size_t p = v; p && p < v + len;)
                p = r.wire_name(p, v + len);
            break;
        default:
            break;
        }
        at = v + len;
    }
}

// NetBIOS Name Service (RFC 1002 4.2, UDP 137): DNS's layout with encoded
// names; NB records hold (flags, IPv4 address) pairs, NBSTAT answers a list
// of names in the clear and the adapter's MAC.
void nbns_message(Rewrite& r, size_t m, size_t end)
{
    if (!r.fits(m, 12) || end < m + 12)
        return;
    const size_t qd = r.be16(m + 4);
    const size_t rrs = size_t(r.be16(m + 6)) + r.be16(m + 8) + r.be16(m + 10);
    size_t at = m + 12;
    for (size_t i = 0; i < qd && i < 64; ++i) {
        at = r.netbios_wire_name(at, end);
        if (!at || at + 4 > end)
            return;
        at += 4;
    }
    for (size_t i = 0; i < rrs && i < 64; ++i) {
        at = r.netbios_wire_name(at, end);
        if (!at || at + 10 > end)
            return;
        const uint16_t type = r.be16(at);
        const size_t rdlen = r.be16(at + 8);
        const size_t rd = at + 10;
        const size_t rd_end = std::min(rd + rdlen, end);
        switch (type) {
        case 0x0001: // A
            if (rdlen == 4 && rd + 4 <= end)
                r.ip(rd, 4);
            break;
        case 0x0002: // NS
            r.netbios_wire_name(rd, rd_end);
            break;
        case 0x0020: // NB: flags, then an address, per entry
            for (size_t e = rd; e + 6 <= rd_end; e += 6)
                r.ip(e + 2, 4);
            break;
        case 0x0021: { // NBSTAT
            if (rd >= rd_end)
                break;
            const size_t names = r.old()[rd];
            size_t e = rd + 1;
            for (size_t k = 0; k < names && e + 18 <= rd_end; ++k, e += 18)
                r.netbios_raw(e);
            if (e + 6 <= rd_end)
                r.mac(e); // the unit id
            break;
        }
        default:
            break;
        }
        if (rd + rdlen > end)
            return;
        at = rd + rdlen;
    }
}

// A browser announcement (MS-BRWS 2.2) in a \MAILSLOT\BROWSE transaction:
// the server, domain and browser names; a host's comment is free text and
// goes.
void browser_message(Rewrite& r, size_t b, size_t end)
{
    if (b >= end || !r.fits(b, 1))
        return;
    switch (r.old()[b]) {
    case 1: // host announcement
    case 15: // local master announcement
    case 12: // domain announcement: the comment names the master browser
        if (b + 32 > end)
            return;
        r.netbios_fixed(b + 6, 16);
        if (r.old()[b] == 12)
            r.netbios_cstr(b + 32, end);
        else
            r.zero(b + 32, end);
        break;
    case 2: // announcement request: the name to answer
        r.netbios_cstr(b + 2, end);
        break;
    case 8: // election request
        r.netbios_cstr(b + 14, end);
        break;
    case 10: { // backup list response: the backup browsers' names
        const size_t count = b + 1 < end ? r.old()[b + 1] : 0;
        size_t at = b + 6;
        for (size_t k = 0; k < count && at && at < end; ++k)
            at = r.netbios_cstr(at, end);
        break;
    }
    case 11: // become backup
    case 13: // master announcement
        r.netbios_cstr(b + 1, end);
        break;
    default:
        break;
    }
}

// SMB (v1) Transaction to a mailslot, as NetBIOS datagrams carry them: the
// browser's are rewritten; another mailslot's data is payload.
void smb_mailslot(Rewrite& r, size_t s, size_t end)
{
    static constexpr uint8_t kSmb[] = {0xFF, 'S', 'M', 'B', 0x25};
    if (!r.fits(s, 33) || end < s + 33 || std::memcmp(r.old() + s, kSmb, sizeof kSmb) != 0)
        return;
    const size_t wc = r.old()[s + 32];
    const size_t words = s + 33;
    if (wc < 14 || words + wc * 2 + 2 > end)
        return;
    const size_t data = s + r.le16(words + 24), dend = std::min(end, data + r.le16(words + 22));
    const size_t name = words + wc * 2 + 2;
    static constexpr std::string_view kBrowse = "\\MAILSLOT\\BROWSE";
    const bool browse = name + kBrowse.size() <= end &&
                        std::string_view(reinterpret_cast<const char*>(r.old() + name), kBrowse.size()) == kBrowse;
    if (data >= dend)
        return;
    if (browse)
        browser_message(r, data, dend);
    else if (r.payload_ != PacketAnonymizer::Payload::Keep)
        r.zero(data, dend);
}

// NetBIOS Datagram Service (RFC 1002 4.4, UDP 138): the sender's address
// in the header, the source and destination names, then (direct and
// broadcast datagrams) an SMB mailslot message.
void nbds_message(Rewrite& r, size_t d, size_t end)
{
    if (!r.fits(d, 10) || end < d + 10)
        return;
    const uint8_t type = r.old()[d];
    if (type < 0x10 || type > 0x16)
        return;
    r.ip(d + 4, 4);
    if (type <= 0x12) {
        size_t at = r.netbios_wire_name(d + 14, end);
        if (at)
            at = r.netbios_wire_name(at, end);
        if (at)
            smb_mailslot(r, at, end);
    } else if (type >= 0x14) {
        r.netbios_wire_name(d + 10, end);
    }
}

// ICMPv6 neighbour discovery: the link-layer address options.
void icmpv6_nd(Rewrite& r, size_t at, size_t end)
{
    if (!r.fits(at, 4))
        return;
    size_t opts;
    switch (r.old()[at]) {
    case 133: opts = 8; break;
    case 134: opts = 16; break;
    case 135:
    case 136: opts = 24; break;
    case 137: opts = 40; break;
    default: return;
    }
    for (size_t o = at + opts; o + 2 <= end;) {
        const size_t len = size_t(r.old()[o + 1]) * 8;
        if (len == 0 || o + len > end)
            break;
        const uint8_t type = r.old()[o];
        if ((type == 1 || type == 2) && len == 8)
            r.mac(o + 2);
        o += len;
    }
}

} // namespace

PacketAnonymizer::PacketAnonymizer(Anonymizer& anonymizer, Payload payload) : anon_(anonymizer), payload_(payload) {}

std::vector<uint8_t> PacketAnonymizer::rewrite(uint32_t link_type, Bytes data, uint32_t origlen)
{
    const Fields& F = Fields::get();
    DecodedPacket summary;
    FieldTree tree;
    Packet p(data, origlen, summary);
    p.tree = &tree;
    dissect::dissect(link_type, p);
    ++counts_.packets;

    Rewrite r(anon_, payload_, counts_, data);
    const size_t n = data.size();

    // The layers, in the tree's order (outer to inner; a quoted datagram's
    // nested deeper).
    std::vector<Layer> layers;
    for (const FieldItem& item : tree.items)
        if (item.field != kNoField && field_info(item.field).type == FieldType::Protocol)
            layers.push_back({item.field, item.offset, item.length, item.depth});

    // Application layers first: they claim their A/AAAA bytes themselves.
    for (size_t i = 0; i < tree.items.size(); ++i) {
        const FieldItem& item = tree.items[i];
        const FieldId f = item.field;
        if (f == kNoField)
            continue;
        const size_t end = std::min<size_t>(n, size_t(item.offset) + item.length);
        if (f == F.dns || f == F.mdns || f == F.llmnr) {
            size_t m = item.offset;
            if (i + 1 < tree.items.size() && tree.items[i + 1].field == F.dns_length &&
                tree.items[i + 1].offset == item.offset)
                m += 2;
            dns_message(r, m, end);
        } else if (f == F.dhcp) {
            dhcp_message(r, item.offset, end);
        } else if (f == F.icmpv6) {
            icmpv6_nd(r, item.offset, end);
        } else if (f == F.nhrp_auth_src || f == F.nhrp_auth_data) {
            // NHRP authentication carries a password in the clear.
            r.zero(item.offset, end);
        } else if (f == F.udp && r.fits(item.offset, 8)) {
            // NetBIOS over UDP, which the engine names by port only.
            const size_t u = item.offset, sport = r.be16(u), dport = r.be16(u + 2), ulen = r.be16(u + 4);
            const size_t uend = std::min(n, u + std::max<size_t>(ulen, 8));
            if (sport == 137 || dport == 137)
                nbns_message(r, u + 8, uend);
            else if (sport == 138 || dport == 138)
                nbds_message(r, u + 8, uend);
        }
    }

    // Every address the tree shows, wherever it lies.
    for (const FieldItem& item : tree.items) {
        const FieldId f = item.field;
        if (f == kNoField || f == F.dhcp_cookie || f == F.dhcp_mask || f == F.ospf_area)
            continue;
        if (item.value.kind == FieldValue::Kind::Ip) {
            const size_t len = item.value.ip.family == 4 ? 4 : 16;
            if (item.length == len && r.fits(item.offset, len) &&
                std::memcmp(data.data() + item.offset, item.value.ip.bytes.data(), len) == 0)
                r.ip(item.offset, len);
        } else if (item.value.kind == FieldValue::Kind::Text && (item.length == 4 || item.length == 16) &&
                   std::find(std::begin(F.nhrp_addr_bytes), std::end(F.nhrp_addr_bytes), f) !=
                       std::end(F.nhrp_addr_bytes)) {
            // An NHRP address of IPv6's size (or IPv4's, in an unusual family).
            r.ip(item.offset, item.length);
        } else if (item.value.kind == FieldValue::Kind::Mac) {
            // A bridge id (STP) is a priority, then the MAC.
            const size_t at = item.offset + (item.length == 8 ? 2 : 0);
            if ((item.length == 6 || item.length == 8) && r.fits(at, 6) &&
                std::memcmp(data.data() + at, item.value.mac.bytes.data(), 6) == 0)
                r.mac(at);
        }
    }

    // Where each layer's IP datagram ends, and the IP header it rides in.
    struct Ip {
        size_t off = 0, end = 0;
        bool v6 = false;
        bool valid = false;
    };
    std::vector<Ip> carrier(layers.size());
    {
        std::vector<Ip> by_depth; // the innermost IP header seen, per nesting depth
        for (size_t i = 0; i < layers.size(); ++i) {
            const Layer& L = layers[i];
            // A quoted datagram's layers see only the quote's own headers.
            by_depth.resize(L.depth + 1);
            carrier[i] = by_depth[L.depth];
            if ((L.proto == F.ip || L.proto == F.ipv6) && r.fits(L.off, L.proto == F.ip ? 20 : 40)) {
                Ip ip;
                ip.off = L.off;
                ip.v6 = L.proto == F.ipv6;
                const size_t total = ip.v6 ? (r.be16(L.off + 4) ? 40 + size_t(r.be16(L.off + 4)) : 0)
                                           : r.be16(L.off + 2);
                ip.end = total ? std::min(n, L.off + total) : n;
                // A quoted datagram ends where what quotes it ends (an NHRP
                // indication's extensions follow the packet it carries).
                for (size_t j = i; L.depth > 0 && j-- > 0;)
                    if (layers[j].depth < L.depth) {
                        size_t end = layers[j].off + layers[j].len;
                        if (layers[j].proto == F.nhrp && r.be16(layers[j].off + 14) != 0)
                            end = layers[j].off + r.be16(layers[j].off + 14); // the mandatory part's end
                        ip.end = std::min(ip.end, std::max(L.off, end));
                        break;
                    }
                ip.valid = true;
                by_depth[L.depth] = ip;
            }
        }
    }

    // Payloads: of the outermost-level TCP and UDP layers, the innermost
    // that carries nothing the rewriter understands.
    size_t cut = n;
    if (payload_ != Payload::Keep) {
        for (size_t i = 0; i < layers.size(); ++i) {
            const Layer& L = layers[i];
            if (L.depth != 0 || (L.proto != F.tcp && L.proto != F.udp))
                continue;
            bool carrier_of_more = false, understood = false;
            for (size_t j = i + 1; j < layers.size(); ++j) {
                const FieldId q = layers[j].proto;
                if (layers[j].depth != 0)
                    continue;
                if (q == F.ip || q == F.ipv6 || q == F.eth || q == F.arp || q == F.tcp || q == F.udp)
                    carrier_of_more = true;
                if (q == F.dns || q == F.mdns || q == F.llmnr || q == F.dhcp || q == F.nbns ||
                    (q == F.netbios && L.proto == F.udp))
                    understood = true;
            }
            if (carrier_of_more || understood)
                continue;
            size_t hdr = 8;
            if (L.proto == F.tcp) {
                if (!r.fits(L.off + 12, 1))
                    continue;
                hdr = size_t(r.old()[L.off + 12] >> 4) * 4;
                if (hdr < 20)
                    continue;
            }
            const size_t start = std::min(n, L.off + hdr);
            const size_t end = carrier[i].valid ? carrier[i].end : n;
            if (start >= end)
                continue;
            r.zero(start, end);
            if (payload_ == Payload::Drop)
                cut = std::min(cut, start);
        }
    }

    // Checksums, innermost first, so an outer one covers the inner ones'
    // new values.
    std::vector<uint8_t>& out = r.out();
    for (size_t i = layers.size(); i-- > 0;) {
        const Layer& L = layers[i];
        size_t ck = 0, from = L.off, to = 0;
        bool pseudo = false, udp = false;
        const Ip& ip = carrier[i];
        const size_t dgram_end = ip.valid ? ip.end : n;
        if (L.proto == F.ip) {
            if (!r.fits(L.off, 20) || (r.old()[L.off] >> 4) != 4)
                continue;
            ck = L.off + 10;
            to = std::min(n, L.off + size_t(r.old()[L.off] & 0xF) * 4);
        } else if (L.proto == F.tcp) {
            ck = L.off + 16, to = dgram_end, pseudo = true;
        } else if (L.proto == F.udp) {
            ck = L.off + 6, to = dgram_end, pseudo = true, udp = true;
        } else if (L.proto == F.icmpv6) {
            ck = L.off + 2, to = dgram_end, pseudo = true;
        } else if (L.proto == F.icmp || L.proto == F.igmp) {
            ck = L.off + 2, to = dgram_end;
        } else if (L.proto == F.gre) {
            if (!r.fits(L.off, 2) || !(r.old()[L.off] & 0x80))
                continue;
            ck = L.off + 4, to = dgram_end;
        } else if (L.proto == F.nhrp) {
            // Over the whole NHRP packet, its extensions included.
            if (!r.fits(L.off, 20))
                continue;
            ck = L.off + 12, to = std::min(dgram_end, L.off + r.be16(L.off + 10));
        } else if (L.proto == F.ospf) {
            if (!r.fits(L.off, 1))
                continue;
            ck = L.off + 12, to = dgram_end, pseudo = r.old()[L.off] == 3;
        } else if (L.proto == F.pim) {
            ck = L.off + 2, to = dgram_end, pseudo = ip.v6;
        } else if (L.proto == F.vrrp) {
            if (!r.fits(L.off, 1))
                continue;
            ck = L.off + 6, to = dgram_end, pseudo = (r.old()[L.off] >> 4) == 3;
        } else {
            continue;
        }
        to = std::min(to, n);
        if (!r.fits(ck, 2) || ck + 2 > to || (pseudo && !ip.valid))
            continue;
        const uint16_t old_ck = uint16_t(out[ck] << 8 | out[ck + 1]);
        if (udp && old_ck == 0)
            continue; // no checksum
        // The checksum field holds its old value on both sides still: only
        // this layer writes it, and it comes last.
        uint64_t s_old = sum16(r.old(), from, to, from), s_new = sum16(out.data(), from, to, from);
        if (pseudo) {
            const size_t a = ip.off + (ip.v6 ? 8 : 12), b = a + (ip.v6 ? 32 : 8);
            s_old += sum16(r.old(), a, b, a);
            s_new += sum16(out.data(), a, b, a);
        }
        const uint32_t so = fold(s_old), sn = fold(s_new);
        if (so == sn)
            continue;
        uint16_t v = uint16_t(~fold(uint64_t(uint16_t(~old_ck)) + sn + uint16_t(~so)));
        if (udp && v == 0)
            v = 0xFFFF;
        out[ck] = uint8_t(v >> 8);
        out[ck + 1] = uint8_t(v);
        ++counts_.checksums;
    }

    out.resize(cut);
    return std::move(out);
}

PcapngInterfaceInfo anonymised_interface(const CaptureInterface& itf, Anonymizer& anonymizer, std::string& name)
{
    PcapngInterfaceInfo idb;
    idb.link_type = uint16_t(itf.link_type);
    idb.snaplen = itf.snaplen;
    name = anonymised_sensor_name(itf.name, [&](std::string_view host) {
        IpAddress a;
        return IpAddress::parse(std::string(host), a) ? anonymizer.map_ip(a).to_string() : anonymizer.map_name(host);
    });
    idb.name = name;
    idb.os = itf.os;
    idb.speed_bps = itf.speed_bps;
    if (itf.mac) {
        MacAddress m;
        m.bytes = *itf.mac;
        idb.mac = anonymizer.map_mac(m).bytes;
    }
    return idb;
}

std::string anonymised_sensor_name(std::string_view s, const std::function<std::string(std::string_view)>& map_host)
{
    if (s.empty())
        return {};
    if (s.front() == '[') {
        const size_t close = s.find(']');
        if (close == std::string_view::npos)
            return map_host(s.substr(1));
        return "[" + map_host(s.substr(1, close - 1)) + "]" + std::string(s.substr(close + 1));
    }
    if (s.front() == '/' || s.front() == '.') // a file's path: the directories may name the user
        return std::string(s.substr(s.rfind('/') + 1));
    size_t cut = s.find('/');
    const size_t colons = size_t(std::count(s.begin(), s.end(), ':'));
    if (cut == std::string_view::npos && colons == 1)
        cut = s.find(':');
    const std::string_view host = s.substr(0, cut);
    if (cut == std::string_view::npos && colons == 0 && host.find('.') == std::string_view::npos)
        return std::string(s); // an interface of this machine: eth0, wlan0, any
    return map_host(host) + std::string(cut == std::string_view::npos ? std::string_view() : s.substr(cut));
}

} // namespace underhood
