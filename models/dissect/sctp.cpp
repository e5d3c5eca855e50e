// SCTP (RFC 9260): the common header and the chunks after it, named in the
// Info column as Wireshark names them ("INIT", "DATA SACK").
#include "dissect/ip_layer.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kSctp, kSrcport, kDstport, kVtag, kChecksum, kChunkType, kChunkFlags, kChunkLength, kDataTsn, kDataSid, kDataSsn,
    kDataPpid, kInitTag, kInitCredit, kInitOut, kInitIn, kInitTsn,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"sctp", "Stream Control Transmission Protocol", FieldType::Protocol},
    {"sctp.srcport", "Source port", FieldType::Uint},
    {"sctp.dstport", "Destination port", FieldType::Uint},
    {"sctp.verification_tag", "Verification tag", FieldType::Uint, Base::Hex, 8},
    {"sctp.checksum", "Checksum", FieldType::Uint, Base::Hex, 8},
    {"sctp.chunk_type", "Chunk type", FieldType::Uint},
    {"sctp.chunk_flags", "Chunk flags", FieldType::Uint, Base::Hex, 2},
    {"sctp.chunk_length", "Chunk length", FieldType::Uint},
    {"sctp.data_tsn_raw", "Transmission sequence number (raw)", FieldType::Uint},
    {"sctp.data_sid", "Stream identifier", FieldType::Uint, Base::Hex, 4},
    {"sctp.data_ssn", "Stream sequence number", FieldType::Uint},
    {"sctp.data_payload_proto_id", "Payload protocol identifier", FieldType::Uint},
    {"sctp.init_initiate_tag", "Initiate tag", FieldType::Uint, Base::Hex, 8},
    {"sctp.init_credit", "Advertised receiver window credit (a_rwnd)", FieldType::Uint},
    {"sctp.init_nr_out_streams", "Number of outbound streams", FieldType::Uint},
    {"sctp.init_nr_in_streams", "Number of inbound streams", FieldType::Uint},
    {"sctp.init_initial_tsn", "Initial TSN", FieldType::Uint},
};
FieldId f0 = 0;

const char* chunk_name(uint8_t type)
{
    switch (type) {
    case 0: return "DATA";
    case 1: return "INIT";
    case 2: return "INIT_ACK";
    case 3: return "SACK";
    case 4: return "HEARTBEAT";
    case 5: return "HEARTBEAT_ACK";
    case 6: return "ABORT";
    case 7: return "SHUTDOWN";
    case 8: return "SHUTDOWN_ACK";
    case 9: return "ERROR";
    case 10: return "COOKIE_ECHO";
    case 11: return "COOKIE_ACK";
    case 14: return "SHUTDOWN_COMPLETE";
    case 15: return "AUTH";
    case 64: return "I_DATA";
    case 128: return "ASCONF_ACK";
    case 130: return "RE_CONFIG";
    case 192: return "FORWARD_TSN";
    case 193: return "ASCONF";
    default: return "UNKNOWN";
    }
}

// The fields of the chunks whose fixed part tells something.
void chunk_fields(Tvb c, Packet& p, uint8_t type)
{
    const size_t o = c.begin();
    if (type == 0 && c.has(0, 16)) {
        p.add_uint(f0 + kDataTsn, o + 4, 4, c.be32(4));
        p.add_uint(f0 + kDataSid, o + 8, 2, c.be16(8));
        p.add_uint(f0 + kDataSsn, o + 10, 2, c.be16(10));
        p.add_uint(f0 + kDataPpid, o + 12, 4, c.be32(12));
        if (c.length() > 16)
            p.add_note(o + 16, c.length() - 16, strf("Chunk data (%zu bytes)", c.length() - 16));
    } else if ((type == 1 || type == 2) && c.has(0, 20)) {
        p.add_uint(f0 + kInitTag, o + 4, 4, c.be32(4));
        p.add_uint(f0 + kInitCredit, o + 8, 4, c.be32(8));
        p.add_uint(f0 + kInitOut, o + 12, 2, c.be16(12));
        p.add_uint(f0 + kInitIn, o + 14, 2, c.be16(14));
        p.add_uint(f0 + kInitTsn, o + 16, 4, c.be32(16));
    }
}

void sctp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Sctp))
        return;
    const size_t item = p.layer(f0 + kSctp, t, {});
    if (!t.need(0, 12, "SCTP common header"))
        return;
    Columns* c = p.col();
    if (!p.want_tree() && !c)
        return; // the chunks are for the tree and the Info column
    const uint16_t sp = t.be16(0), dp = t.be16(2);
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.relabel(item, strf("Stream Control Transmission Protocol, Src Port: %u, Dst Port: %u", sp, dp));
        p.add_uint(f0 + kSrcport, o, 2, sp);
        p.add_uint(f0 + kDstport, o + 2, 2, dp);
        p.add_uint(f0 + kVtag, o + 4, 4, t.be32(4));
        p.add_uint(f0 + kChecksum, o + 8, 4, t.be32(8));
    }
    if (c)
        c->protocol = "SCTP";
    std::string info;
    size_t at = 12;
    for (int i = 0; i < 256 && at < t.length(); ++i) {
        // The chunks are read for the tree and the columns only: what is
        // wrong with them is the tree's to say, the summary stays ingest's.
        if (!t.check(at, 4, "SCTP chunk header"))
            break;
        const uint8_t type = t.u8(at);
        const size_t len = t.be16(at + 2);
        const char* name = chunk_name(type);
        if (len < 4) {
            p.tree_problem(DecodedPacket::Malformed, "SCTP chunk length below 4", o + at + 2);
            break;
        }
        const Tvb chunk = t.has(at, len) ? t.sub(at, len) : (t.check(at, len, "SCTP chunk"), t.rest(at));
        if (p.want_tree()) {
            p.add_note(chunk.begin(), chunk.length(), strf("%s chunk", name));
            Packet::Subtree sub(p);
            p.add_uint(f0 + kChunkType, o + at, 1, type, strf("Chunk type: %s (%u)", name, type));
            p.add_uint(f0 + kChunkFlags, o + at + 1, 1, t.u8(at + 1));
            p.add_uint(f0 + kChunkLength, o + at + 2, 2, len);
            chunk_fields(chunk, p, type);
        }
        if (c)
            info += std::string(info.empty() ? "" : " ") + name;
        if (chunk.length() < len)
            break;
        at += (len + 3) & ~size_t(3);
    }
    if (c)
        c->info = std::move(info);
}

} // namespace

void register_sctp()
{
    f0 = register_fields(kFields, kCount);
    add_ip_protocol(132, sctp);
}

} // namespace underhood::dissect
