// NHRP, the Next Hop Resolution Protocol (RFC 2332), as Cisco DMVPN and
// opennhrp speak it over GRE (protocol type 0x2001): a fixed header, a
// mandatory part with the sender's NBMA and protocol addresses and the
// client information entries, then extensions (more entries, authentication,
// vendor data). An Error Indication carries the NHRP packet in error, a
// Traffic Indication the packet that caused it: the tree shows either as a
// quoted packet, as for an ICMP error.
//
// NHRP adds nothing to the summary (it shows in no protocol path): it runs
// only for the tree and the columns.
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>
#include <string_view>

namespace underhood::dissect {
namespace {

constexpr uint16_t kEtherNhrp = 0x2001;
constexpr size_t kFixed = 20; // the fixed header
constexpr size_t kCieFixed = 12; // a client information entry before its addresses

enum {
    kNhrp, kAfn, kProType, kProSnapOui, kProSnapPid, kProLong, kHopCount, kPktSize, kChecksum, kChecksumStatus,
    kExtOffset, kVersion, kOpType, kShtl, kShtlType, kShtlLen, kSstl, kSstlType, kSstlLen,
    kSrcProtoLen, kDstProtoLen, kFlags, kFlagQ, kFlagN, kFlagA, kFlagD, kFlagU, kFlagS, kFlagNat, kReqId,
    kSrcNbma, kSrcNbmaBytes, kSrcNbmaSub, kSrcProto, kSrcProtoBytes, kDstProto, kDstProtoBytes,
    kErrCode, kErrOffset,
    kCode, kPrefix, kUnused, kMtu, kHoldTime, kCliAddrTl, kCliAddrTlType, kCliAddrTlLen, kCliSaddrTl,
    kCliSaddrTlType, kCliSaddrTlLen, kCliProtoLen, kPref, kCliNbma, kCliNbmaBytes, kCliNbmaSub, kCliProto,
    kCliProtoBytes,
    kExtC, kExtType, kExtLen, kAuthReserved, kAuthSpi, kAuthSrc, kAuthSrcBytes, kAuthData, kVendorId, kVendorData,
    kDevSrcCap, kDevSrcCapV, kDevDstCap, kDevDstCapV, kExtValue,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"nhrp", "NBMA Next Hop Resolution Protocol", FieldType::Protocol},
    {"nhrp.hdr.afn", "Address Family Number", FieldType::Uint, Base::Hex, 4},
    {"nhrp.hdr.pro.type", "Protocol Type (short form)", FieldType::Uint, Base::Hex, 4},
    {"nhrp.hdr.pro.snap.oui", "Protocol Type (long form) - OUI", FieldType::Uint, Base::Hex, 6},
    {"nhrp.hdr.pro.snap.pid", "Protocol Type (long form) - PID", FieldType::Uint, Base::Hex, 4},
    {"nhrp.protocol_type", "Protocol Type (long form)", FieldType::Bytes},
    {"nhrp.hdr.hopcnt", "Hop Count", FieldType::Uint},
    {"nhrp.hdr.pktsz", "Packet Length", FieldType::Uint},
    {"nhrp.hdr.chksum", "NHRP Packet Checksum", FieldType::Uint, Base::Hex, 4},
    {"nhrp.hdr.chksum.status", "NHRP Packet Checksum Status", FieldType::Uint},
    {"nhrp.hdr.extoff", "Extension Offset", FieldType::Uint},
    {"nhrp.hdr.version", "Version", FieldType::Uint},
    {"nhrp.hdr.op.type", "NHRP Packet Type", FieldType::Uint},
    {"nhrp.hdr.shtl", "Source Address Type/Len", FieldType::Uint},
    {"nhrp.hdr.shtl.type", "Type", FieldType::Uint},
    {"nhrp.hdr.shtl.len", "Length", FieldType::Uint},
    {"nhrp.hdr.sstl", "Source SubAddress Type/Len", FieldType::Uint},
    {"nhrp.hdr.sstl.type", "Type", FieldType::Uint},
    {"nhrp.hdr.sstl.len", "Length", FieldType::Uint},
    {"nhrp.src.prot.len", "Source Protocol Len", FieldType::Uint},
    {"nhrp.dst.prot.len", "Destination Protocol Len", FieldType::Uint},
    {"nhrp.flags", "Flags", FieldType::Uint, Base::Hex, 4},
    {"nhrp.flag.q", "Is Router", FieldType::Bool},
    {"nhrp.flag.n", "Expected Purge Reply", FieldType::Bool},
    {"nhrp.flag.a", "Authoritative", FieldType::Bool},
    {"nhrp.flag.d", "Stable Association", FieldType::Bool},
    {"nhrp.flag.u", "Uniqueness Bit", FieldType::Bool},
    {"nhrp.flag.s", "Stable Binding", FieldType::Bool},
    {"nhrp.flag.nat", "Cisco NAT Supported", FieldType::Bool},
    {"nhrp.reqid", "Request ID", FieldType::Uint, Base::Hex, 8},
    {"nhrp.src.nbma.addr", "Source NBMA Address", FieldType::Ipv4},
    {"nhrp.src.nbma.addr_bytes", "Source NBMA Address", FieldType::Bytes},
    {"nhrp.src.nbma.saddr", "Source NBMA Sub Address", FieldType::Bytes},
    {"nhrp.src.prot.addr", "Source Protocol Address", FieldType::Ipv4},
    {"nhrp.src.prot.addr_bytes", "Source Protocol Address", FieldType::Bytes},
    {"nhrp.dst.prot.addr", "Destination Protocol Address", FieldType::Ipv4},
    // Spelled as Wireshark spells it.
    {"nhrp.dst.prot.addr_byets", "Destination Protocol Address", FieldType::Bytes},
    {"nhrp.err.code", "Error Code", FieldType::Uint},
    {"nhrp.err.offset", "Error Offset", FieldType::Uint},
    {"nhrp.code", "Code", FieldType::Uint},
    {"nhrp.prefix", "Prefix Length", FieldType::Uint},
    {"nhrp.unused", "Unused", FieldType::Uint},
    {"nhrp.mtu", "Max Transmission Unit", FieldType::Uint},
    {"nhrp.htime", "Holding Time (s)", FieldType::Uint},
    {"nhrp.cli.addr_tl", "Client Address Type/Len", FieldType::Uint},
    {"nhrp.cli.addr_tl.type", "Type", FieldType::Uint},
    {"nhrp.cli.addr_tl.len", "Length", FieldType::Uint},
    {"nhrp.cli.saddr_tl", "Client Sub Address Type/Len", FieldType::Uint},
    {"nhrp.cli.saddr_tl.type", "Type", FieldType::Uint},
    {"nhrp.cli.saddr_tl.len", "Length", FieldType::Uint},
    {"nhrp.prot.len", "Client Protocol Length", FieldType::Uint},
    {"nhrp.pref", "CIE Preference Value", FieldType::Uint},
    {"nhrp.client.nbma.addr", "Client NBMA Address", FieldType::Ipv4},
    {"nhrp.client.nbma.addr_bytes", "Client NBMA Address", FieldType::Bytes},
    {"nhrp.client.nbma.saddr", "Client NBMA Sub Address", FieldType::Bytes},
    {"nhrp.client.prot.addr", "Client Protocol Address", FieldType::Ipv4},
    {"nhrp.client.prot.addr_bytes", "Client Protocol Address", FieldType::Bytes},
    {"nhrp.ext.c", "Compulsory Flag", FieldType::Bool},
    {"nhrp.ext.type", "Extension Type", FieldType::Uint, Base::Hex, 4},
    {"nhrp.ext.len", "Extension length", FieldType::Uint},
    {"nhrp.auth_ext.reserved", "Reserved", FieldType::Uint},
    {"nhrp.auth_ext.spi", "SPI", FieldType::Uint},
    {"nhrp.auth_ext.src_addr", "Source Address", FieldType::Ipv4},
    {"nhrp.auth_ext.src_addr_bytes", "Source Address", FieldType::Bytes},
    {"nhrp.auth_ext.data", "Data", FieldType::Bytes},
    {"nhrp.vendor_ext.id", "Vendor ID", FieldType::Uint},
    {"nhrp.vendor_ext.data", "Data", FieldType::Bytes},
    {"nhrp.devcap_ext.srccap", "Source Capabilities", FieldType::Uint, Base::Hex, 8},
    {"nhrp.devcap_ext.srccap.V", "VPN-aware", FieldType::Bool},
    {"nhrp.devcap_ext.dstcap", "Destination Capabilities", FieldType::Uint, Base::Hex, 8},
    {"nhrp.devcap_ext.dstcap.V", "VPN-aware", FieldType::Bool},
    {"nhrp.unknown_ext.value", "Extension Value", FieldType::Bytes},
};
FieldId f0 = 0;

enum Op : uint8_t {
    kResolutionRequest = 1, kResolutionReply, kRegistrationRequest, kRegistrationReply, kPurgeRequest, kPurgeReply,
    kErrorIndication, kTrafficIndication,
};

const char* op_name(uint8_t op)
{
    switch (op) {
    case kResolutionRequest: return "NHRP Resolution Request";
    case kResolutionReply: return "NHRP Resolution Reply";
    case kRegistrationRequest: return "NHRP Registration Request";
    case kRegistrationReply: return "NHRP Registration Reply";
    case kPurgeRequest: return "NHRP Purge Request";
    case kPurgeReply: return "NHRP Purge Reply";
    case kErrorIndication: return "NHRP Error Indication";
    case kTrafficIndication: return "NHRP Traffic Indication";
    default: return nullptr;
    }
}

const char* afn_name(uint16_t afn)
{
    switch (afn) {
    case 1: return "IPv4";
    case 2: return "IPv6";
    case 3: return "NSAP";
    case 6: return "802 (includes all 802 media plus Ethernet canonical format)";
    case 8: return "E.164 (SMDS, Frame Relay, ATM)";
    default: return "Unknown";
    }
}

// Client information entry codes (RFC 2332 5.2.2 and 5.2.4).
const char* cie_code_name(uint8_t code)
{
    switch (code) {
    case 0: return "Success";
    case 4: return "Administratively Prohibited";
    case 5: return "Insufficient Resources";
    case 11: return "No Interworking Layer Address to NBMA Address Binding Exists";
    case 12: return "Binding Exists But Is Not Unique";
    case 13: return "Unique Internetworking Layer Address Already Registered";
    case 14: return "Unique Internetworking Layer Address Already Registered";
    default: return "Unknown";
    }
}

// Error Indication codes (RFC 2332 5.2.7).
const char* error_name(uint16_t code)
{
    switch (code) {
    case 1: return "Unrecognized Extension";
    case 3: return "NHRP Loop Detected";
    case 6: return "Protocol Address Unreachable";
    case 7: return "Protocol Error";
    case 8: return "NHRP SDU Size Exceeded";
    case 9: return "Invalid Extension";
    case 10: return "Invalid NHRP Resolution Reply Received";
    case 11: return "Authentication Failure";
    case 15: return "Hop Count Exceeded";
    default: return "Unknown";
    }
}

const char* ext_name(uint16_t type)
{
    switch (type) {
    case 0: return "End of Extension";
    case 1: return "Payload Extension";
    case 3: return "Responder Address Extension";
    case 4: return "Forward Transit NHS Record Extension";
    case 5: return "Reverse Transit NHS Record Extension";
    case 7: return "NHRP Authentication Extension";
    case 8: return "NHRP Vendor Private Extension";
    case 9: return "Cisco NAT Address Extension";
    case 0x1001: return "Device Capabilities Extension";
    case 0x8001: return "Mobile NHC Authentication Extension";
    default: return nullptr;
    }
}

std::string_view raw(Tvb& t, size_t at, size_t len)
{
    const uint8_t* b = t.bytes(at, len);
    return b ? std::string_view(reinterpret_cast<const char*>(b), len) : std::string_view();
}

// A type/length octet (RFC 2332 5.2.0.1): bit 6 says NSAP or E.164, the
// low six bits how many octets the address has.
void type_len(Packet& p, size_t o, uint8_t v, FieldId whole, FieldId type, FieldId len, const char* name)
{
    const char* kind = (v & 0x40) ? "E.164 format" : "NSAP format";
    p.add_uint(whole, o, 1, v, strf("%s: %s/%u", name, kind, v & 0x3F));
    Packet::Subtree sub(p);
    p.add_bits(type, o, 1, (v >> 6) & 1, bit_label(v, 8, 0x40, strf("Type: %s (%u)", kind, (v >> 6) & 1)));
    p.add_bits(len, o, 1, v & 0x3F, bit_label(v, 8, 0x3F, strf("Length: %u", v & 0x3F)));
}

// An address of `len` octets: an IPv4 address when it has four (and, for
// an NBMA address, the family says IPv4), raw octets otherwise.
void address(Tvb& t, Packet& p, size_t at, size_t len, bool ipv4, FieldId as_ip, FieldId as_bytes,
             const char* name)
{
    if (len == 0)
        return;
    if (!t.check(at, len, name))
        return;
    const size_t o = t.begin() + at;
    if (len == 4 && ipv4)
        p.add_ip(as_ip, o, 4, IpAddress::v4(t.bytes(at, 4)));
    else
        p.add_text(as_bytes, o, len, raw(t, at, len), strf("%s: %s", name, hex_text(t.bytes(at, len), len, 64).c_str()));
}

struct Header {
    uint16_t afn = 0, pro_type = 0;
    uint8_t op = 0;
};

// Client information entries in [at, end) (RFC 2332 5.2.0.1).
void cie_list(Tvb& t, Packet& p, size_t at, size_t end, const Header& h)
{
    for (int n = 0; at + kCieFixed <= end && n < 256; ++n) {
        const uint8_t code = t.u8(at), atl = t.u8(at + 8), satl = t.u8(at + 9), plen = t.u8(at + 10);
        const size_t alen = atl & 0x3F, salen = satl & 0x3F;
        const size_t len = kCieFixed + alen + salen + plen;
        const size_t o = t.begin() + at;
        p.add_note(o, len, "Client Information Entry");
        Packet::Subtree sub(p);
        if (!t.check(at, kCieFixed, "Client information entry"))
            return;
        p.add_uint(f0 + kCode, o, 1, code, strf("Code: %s (%u)", cie_code_name(code), code));
        p.add_uint(f0 + kPrefix, o + 1, 1, t.u8(at + 1));
        p.add_uint(f0 + kUnused, o + 2, 2, t.be16(at + 2));
        p.add_uint(f0 + kMtu, o + 4, 2, t.be16(at + 4));
        p.add_uint(f0 + kHoldTime, o + 6, 2, t.be16(at + 6));
        type_len(p, o + 8, atl, f0 + kCliAddrTl, f0 + kCliAddrTlType, f0 + kCliAddrTlLen, "Client Address Type/Len");
        type_len(p, o + 9, satl, f0 + kCliSaddrTl, f0 + kCliSaddrTlType, f0 + kCliSaddrTlLen,
                 "Client Sub Address Type/Len");
        p.add_uint(f0 + kCliProtoLen, o + 10, 1, plen);
        p.add_uint(f0 + kPref, o + 11, 1, t.u8(at + 11));
        if (at + len > end) {
            p.tree_problem(DecodedPacket::Malformed,
                           strf("[Client information entry of %zu bytes runs past its part's end]", len), o);
            return;
        }
        size_t a = at + kCieFixed;
        address(t, p, a, alen, h.afn == 1, f0 + kCliNbma, f0 + kCliNbmaBytes, "Client NBMA Address");
        a += alen;
        if (salen && t.check(a, salen, "Client NBMA Sub Address"))
            p.add_text(f0 + kCliNbmaSub, t.begin() + a, salen, raw(t, a, salen));
        a += salen;
        address(t, p, a, plen, true, f0 + kCliProto, f0 + kCliProtoBytes, "Client Protocol Address");
        at += len;
    }
}

void nhrp(Tvb t, Packet& p);

// The mandatory part, [kFixed, end).
void mandatory(Tvb& t, Packet& p, size_t end, const Header& h, uint8_t shtl, uint8_t sstl)
{
    const size_t o = t.begin();
    p.add_note(o + kFixed, end - kFixed, "NHRP Mandatory Part");
    Packet::Subtree sub(p);
    if (end < kFixed + 8) {
        p.tree_problem(DecodedPacket::Malformed, "[NHRP mandatory part shorter than its fixed fields]", o + kFixed);
        return;
    }
    if (!t.check(kFixed, 8, "NHRP mandatory part"))
        return;
    const uint8_t src_len = t.u8(20), dst_len = t.u8(21);
    p.add_uint(f0 + kSrcProtoLen, o + 20, 1, src_len);
    p.add_uint(f0 + kDstProtoLen, o + 21, 1, dst_len);
    const bool indication = h.op == kErrorIndication || h.op == kTrafficIndication;
    if (h.op == kErrorIndication) {
        const uint16_t code = t.be16(24);
        p.add_uint(f0 + kErrCode, o + 24, 2, code, strf("Error Code: %s (%u)", error_name(code), code));
        p.add_uint(f0 + kErrOffset, o + 26, 2, t.be16(26));
    } else if (!indication) {
        const uint16_t flags = t.be16(22);
        const auto bit = [&](FieldId f, uint16_t mask, const char* name) {
            p.add_bits(f, o + 22, 2, (flags & mask) != 0, bit_label(flags, 16, mask, strf("%s: %s", name,
                                                                                       (flags & mask) ? "True" : "False")));
        };
        p.add_uint(f0 + kFlags, o + 22, 2, flags);
        {
            Packet::Subtree fl(p);
            switch (h.op) {
            case kResolutionRequest:
            case kResolutionReply:
                bit(f0 + kFlagQ, 0x8000, "Is Router");
                bit(f0 + kFlagA, 0x4000, "Authoritative");
                bit(f0 + kFlagD, 0x2000, "Stable Association");
                bit(f0 + kFlagU, 0x1000, "Uniqueness Bit");
                bit(f0 + kFlagS, 0x0800, "Stable Binding");
                break;
            case kRegistrationRequest:
            case kRegistrationReply:
                bit(f0 + kFlagU, 0x8000, "Uniqueness Bit");
                break;
            case kPurgeRequest:
            case kPurgeReply:
                bit(f0 + kFlagN, 0x8000, "Expected Purge Reply");
                break;
            default: break;
            }
            bit(f0 + kFlagNat, 0x0002, "Cisco NAT Supported");
        }
        const uint32_t id = t.be32(24);
        p.add_uint(f0 + kReqId, o + 24, 4, id, strf("Request ID: 0x%08x (%u)", id, id));
    }
    size_t at = 28;
    const size_t shl = shtl & 0x3F, ssl = sstl & 0x3F;
    if (at + shl + ssl + src_len + dst_len > end) {
        // Addresses that overlap the extensions: neither is shown as what it is not.
        p.tree_problem(DecodedPacket::Malformed, "[NHRP addresses run past the mandatory part]", o + at);
        return;
    }
    address(t, p, at, shl, h.afn == 1, f0 + kSrcNbma, f0 + kSrcNbmaBytes, "Source NBMA Address");
    at += shl;
    if (ssl && t.check(at, ssl, "Source NBMA Sub Address"))
        p.add_text(f0 + kSrcNbmaSub, o + at, ssl, raw(t, at, ssl));
    at += ssl;
    address(t, p, at, src_len, true, f0 + kSrcProto, f0 + kSrcProtoBytes, "Source Protocol Address");
    at += src_len;
    address(t, p, at, dst_len, true, f0 + kDstProto, f0 + kDstProtoBytes, "Destination Protocol Address");
    at += dst_len;
    if (indication) {
        // What caused the indication: an NHRP packet (error), or a packet of
        // the protocol type (traffic). The rest of the part is that packet.
        if (at < end) {
            p.add_note(o + at, end - at, "Packet Causing Indication");
            Packet::Subtree q(p);
            Packet::Quote quote(p);
            Tvb inner = t.sub(at, end - at);
            if (h.op == kErrorIndication)
                nhrp(inner, p);
            else if (h.pro_type >= 0x0600)
                dissect_ethertype(h.pro_type, inner, p);
            else
                dissect_data(inner, p);
        }
        return;
    }
    cie_list(t, p, at, end, h);
}

void extensions(Tvb& t, Packet& p, size_t at, size_t end, const Header& h)
{
    for (int n = 0; at + 4 <= end && n < 256; ++n) {
        const uint16_t tc = t.be16(at), type = tc & 0x3FFF, len = t.be16(at + 2);
        const size_t o = t.begin() + at;
        const char* name = ext_name(type);
        p.add_note(o, 4 + size_t(len), name ? name : strf("Unknown (%u)", type));
        Packet::Subtree sub(p);
        p.add_bits(f0 + kExtC, o, 2, tc >> 15, bit_label(tc, 16, 0x8000, strf("Compulsory Flag: %s",
                                                                              (tc & 0x8000) ? "True" : "False")));
        p.add_bits(f0 + kExtType, o, 2, type, bit_label(tc, 16, 0x3FFF, strf("Extension Type: 0x%04x", type)));
        p.add_uint(f0 + kExtLen, o + 2, 2, len);
        at += 4;
        if (at + len > end) {
            p.tree_problem(DecodedPacket::Malformed, strf("[Extension length of %u runs past the packet]", len), o + 2);
            return;
        }
        if (!t.check(at, len, "NHRP extension"))
            return; // cut short by the capture
        const size_t v = t.begin() + at;
        switch (type) {
        case 0:
            if (at < end)
                p.add_note(v, end - at, "[Superfluous data follows End Extension]");
            return;
        case 3: // responder address
        case 4: // forward transit NHS record
        case 5: // reverse transit NHS record
        case 9: // Cisco NAT address
            cie_list(t, p, at, at + len, h);
            break;
        case 7: // authentication: reserved, SPI, then the authentication data
            if (len >= 4) {
                p.add_uint(f0 + kAuthReserved, v, 2, t.be16(at));
                p.add_uint(f0 + kAuthSpi, v + 2, 2, t.be16(at + 2));
                size_t d = 4;
                if (len >= 8) {
                    // What Wireshark calls the source address: the first
                    // four octets after the SPI.
                    p.add_ip(f0 + kAuthSrc, v + 4, 4, IpAddress::v4(t.bytes(at + 4, 4)));
                    d = 8;
                }
                if (len > d)
                    p.add_text(f0 + kAuthData, v + d, len - d, raw(t, at + d, len - d));
            } else if (len) {
                p.tree_problem(DecodedPacket::Malformed, "[Incomplete Authentication Extension]", v);
            }
            break;
        case 8: // vendor private: an OUI, then its data
            if (len >= 3) {
                p.add_uint(f0 + kVendorId, v, 3, t.be24(at));
                if (len > 3)
                    p.add_text(f0 + kVendorData, v + 3, len - 3, raw(t, at + 3, len - 3));
            }
            break;
        case 0x1001: // device capabilities (RFC 2735)
            if (len >= 8) {
                const uint32_t s = t.be32(at), d = t.be32(at + 4);
                p.add_uint(f0 + kDevSrcCap, v, 4, s);
                {
                    Packet::Subtree c(p);
                    p.add_bits(f0 + kDevSrcCapV, v, 4, s & 1, bit_flag(s, 32, 1, "VPN-aware"));
                }
                p.add_uint(f0 + kDevDstCap, v + 4, 4, d);
                Packet::Subtree c(p);
                p.add_bits(f0 + kDevDstCapV, v + 4, 4, d & 1, bit_flag(d, 32, 1, "VPN-aware"));
            }
            break;
        default:
            if (len)
                p.add_text(f0 + kExtValue, v, len, raw(t, at, len));
            break;
        }
        at += len;
    }
}

// RFC 1071 over the whole NHRP packet: zero when the checksum is right.
uint16_t checksum_of(const uint8_t* d, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += uint32_t(d[i]) << 8 | d[i + 1];
    if (n & 1)
        s += uint32_t(d[n - 1]) << 8;
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return uint16_t(~s);
}

void nhrp(Tvb t, Packet& p)
{
    if (!p.enter_shim())
        return;
    Columns* c = p.col();
    if (!p.want_tree() && !c)
        return;
    Packet::DetailsOnly details(p);
    const size_t o = t.begin();
    const uint8_t op = t.has(17, 1) ? t.u8(17) : 0;
    const char* opn = op_name(op);
    const std::string op_text = opn ? std::string(opn) : strf("0x%02X - unknown", op);
    const size_t item = layer_at(p, f0 + kNhrp, t, kFixed, "Next Hop Resolution Protocol (" + op_text + ")");
    if (c) {
        c->protocol = "NHRP";
        c->info = op_text;
    }
    if (!t.check(0, kFixed, "NHRP fixed header"))
        return;
    Header h;
    h.afn = t.be16(0);
    h.pro_type = t.be16(2);
    h.op = op;
    const uint16_t pktsz = t.be16(10), extoff = t.be16(14);
    const uint8_t shtl = t.u8(18), sstl = t.u8(19);
    if (pktsz < kFixed) {
        p.tree_problem(DecodedPacket::Malformed, "[Packet length is less than the fixed header length]", o + 10);
        return;
    }
    p.cover(item, o, o + pktsz);
    Tvb n = t.sub(0, pktsz, "NHRP packet length");
    if (p.want_tree()) {
        p.add_note(o, kFixed, "NHRP Fixed Header");
        Packet::Subtree sub(p);
        p.add_uint(f0 + kAfn, o, 2, h.afn, strf("Address Family Number: %s (0x%04x)", afn_name(h.afn), h.afn));
        p.add_uint(f0 + kProType, o + 2, 2, h.pro_type,
                   strf("Protocol Type (short form): %s (0x%04x)", ethertype_name(h.pro_type), h.pro_type));
        const uint32_t oui = t.be24(4);
        if (oui == 0) {
            p.add_text(f0 + kProLong, o + 4, 5, raw(t, 4, 5),
                       "Protocol Type (long form): " + hex_text(t.bytes(4, 5), 5));
        } else {
            p.add_uint(f0 + kProSnapOui, o + 4, 3, oui);
            p.add_uint(f0 + kProSnapPid, o + 7, 2, t.be16(7));
        }
        p.add_uint(f0 + kHopCount, o + 9, 1, t.u8(9));
        p.add_uint(f0 + kPktSize, o + 10, 2, pktsz);
        const uint16_t ck = t.be16(12);
        if (n.has(0, pktsz)) {
            const uint16_t rest = checksum_of(p.data() + o, pktsz);
            if (rest == 0) {
                p.add_uint(f0 + kChecksum, o + 12, 2, ck, strf("NHRP Packet Checksum: 0x%04x [correct]", ck));
                p.add_uint(f0 + kChecksumStatus, o + 12, 0, 1, "[NHRP Packet Checksum Status: Good]");
            } else {
                // The value that would make the sum come out right.
                uint32_t want = uint32_t(uint16_t(~ck)) + uint16_t(~rest);
                while (want >> 16)
                    want = (want & 0xFFFF) + (want >> 16);
                p.add_uint(f0 + kChecksum, o + 12, 2, ck,
                           strf("NHRP Packet Checksum: 0x%04x [incorrect, should be 0x%04x]", ck,
                                uint16_t(~want)));
                p.add_uint(f0 + kChecksumStatus, o + 12, 0, 0, "[NHRP Packet Checksum Status: Bad]");
            }
        } else {
            p.add_uint(f0 + kChecksum, o + 12, 2, ck);
        }
        p.add_uint(f0 + kExtOffset, o + 14, 2, extoff);
        const uint8_t version = t.u8(16);
        p.add_uint(f0 + kVersion, o + 16, 1, version,
                   strf("Version: %u (%s)", version, version == 1 ? "NHRP - rfc2332" : "Unknown"));
        p.add_uint(f0 + kOpType, o + 17, 1, op, strf("NHRP Packet Type: %s (%u)", opn ? opn : "Unknown", op));
        type_len(p, o + 18, shtl, f0 + kShtl, f0 + kShtlType, f0 + kShtlLen, "Source Address Type/Len");
        type_len(p, o + 19, sstl, f0 + kSstl, f0 + kSstlType, f0 + kSstlLen, "Source SubAddress Type/Len");
    }
    size_t mand_end = pktsz;
    if (extoff != 0) {
        if (extoff < kFixed || extoff > pktsz) {
            p.tree_problem(DecodedPacket::Malformed,
                           "[Extension offset is less than the fixed header length or larger than the packet size]",
                           o + 14);
            return;
        }
        mand_end = extoff;
    }
    if (c) {
        if (op == kErrorIndication && n.has(24, 2)) {
            c->info += strf(", Code=%s", error_name(n.be16(24)));
        } else if (op != kTrafficIndication && n.has(24, 4)) {
            c->info += strf(", ID=%u", n.be32(24));
            // A reply's first client information entry says how it went.
            const size_t cie = 28 + size_t(shtl & 0x3F) + (sstl & 0x3F) + n.u8(20) + n.u8(21);
            if ((op == kResolutionReply || op == kRegistrationReply || op == kPurgeReply) &&
                cie + kCieFixed <= mand_end && n.has(cie, 1))
                c->info += strf(", Code=%s", cie_code_name(n.u8(cie)));
        }
    }
    if (!p.want_tree())
        return;
    mandatory(n, p, mand_end, h, shtl, sstl);
    if (extoff != 0)
        extensions(n, p, extoff, pktsz, h);
}

} // namespace

void register_nhrp()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(kEtherNhrp, nhrp);
}

} // namespace underhood::dissect
