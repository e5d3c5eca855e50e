// The state of one packet's dissection and the bounds-checked view of its
// bytes that every dissector reads through.
//
// A Tvb is a window [begin, end) of the captured bytes. Every read goes
// through it and is checked: a read past the window records the problem
// where it happened and yields 0 — *truncated* when the capture ran out of
// bytes (snaplen), *malformed* when the packet contradicts itself (a header
// that does not fit its frame, a length field that claims more than there
// is). sub() nests a header inside a header: the inner window never reaches
// past the outer one.
//
// One code path fills every output; the caller chooses which it wants:
//   - the summary (DecodedPacket), always: cheap, no allocation (ingest);
//   - a field tree (details pane, fields output) when `tree` is set;
//   - the packet-list columns when `columns` is set;
//   - passive names (DNS answers, DHCP host names, SNI, HTTP Host) when `names` is set.
#pragma once

#include "address.h"
#include "bytes.h"
#include "dissect/field.h"
#include "packet_decoder.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace underhood::dissect {

struct FieldTree;
struct Columns;
class NameSink;
class Streams;
class TcpAnalysis;

class Packet;

class Tvb {
public:
    Tvb(Packet& pkt, size_t begin, size_t end) : pkt_(&pkt), begin_(begin), end_(end) {}

    size_t begin() const { return begin_; }
    size_t end() const { return end_; }
    size_t length() const { return end_ - begin_; }
    bool empty() const { return begin_ >= end_; }
    // True when `len` bytes from `at` are inside the window (records nothing).
    bool has(size_t at, size_t len) const { return at <= length() && len <= length() - at; }
    // Like has(), but a miss records truncated or malformed here: for the
    // fixed part of a header, before a dissector decides what it is. `what`
    // names the header in the tree's note ("TCP header").
    bool need(size_t at, size_t len, const char* what = nullptr);
    // Like need(), but a miss is noted in the tree only: for reads that only
    // the tree and columns make, so the summary stays what it is without them.
    bool check(size_t at, size_t len, const char* what);

    uint8_t u8(size_t at) { return has(at, 1) ? base()[at] : miss(at, 1); }
    uint16_t be16(size_t at) { return has(at, 2) ? load_be16(base() + at) : miss(at, 2); }
    uint32_t be24(size_t at) { return has(at, 3) ? load_be24(base() + at) : miss(at, 3); }
    uint32_t be32(size_t at) { return has(at, 4) ? load_be32(base() + at) : miss(at, 4); }
    uint16_t le16(size_t at) { return has(at, 2) ? load_le16(base() + at) : miss(at, 2); }
    uint32_t le32(size_t at) { return has(at, 4) ? load_le32(base() + at) : miss(at, 4); }
    // Pointer to `len` checked bytes, nullptr (recorded) when they are not there.
    const uint8_t* bytes(size_t at, size_t len) { return has(at, len) ? base() + at : (miss(at, len), nullptr); }
    // Bytes from `at` to the end of the window as a view (never records).
    std::string_view text(size_t at) const
    {
        return at < length() ? std::string_view(reinterpret_cast<const char*>(base() + at), length() - at)
                             : std::string_view();
    }

    // The window [at, at + len): a header inside a header. A length that
    // runs past this window records the problem and is clipped to it;
    // `what` names the length in the tree's note ("IPv4 total length").
    Tvb sub(size_t at, size_t len, const char* what = nullptr);
    // From `at` to the end of this window (clipped, never records).
    Tvb rest(size_t at) const { return Tvb(*pkt_, begin_ + std::min(at, length()), end_); }

    Packet& packet() const { return *pkt_; }

private:
    const uint8_t* base() const;
    uint8_t miss(size_t at, size_t len, const char* what = nullptr);

    Packet* pkt_;
    size_t begin_, end_;
};

// A field's value, as the tree and the fields output keep it.
struct FieldValue {
    FieldValue() = default;
    explicit FieldValue(uint64_t v) : kind(Kind::Uint), u(v) {}
    explicit FieldValue(const IpAddress& a) : kind(Kind::Ip), ip(a) {}
    explicit FieldValue(const MacAddress& m) : kind(Kind::Mac), mac(m) {}
    explicit FieldValue(std::string_view s) : kind(Kind::Text), text(s) {}

    enum class Kind : uint8_t { None, Uint, Ip, Mac, Text } kind = Kind::None;
    uint64_t u = 0;
    IpAddress ip;
    MacAddress mac;
    std::string text; // Text; also Bytes as raw bytes
};

// A pcapng interface as the frame layer names it; a remote sensor's is HOST/IFACE.
struct FrameInterface {
    uint32_t id = 0;
    std::string_view name, description;
};

class Packet {
public:
    Packet(Bytes data, uint32_t origlen, DecodedPacket& summary)
        : data_(data.data()), n_(data.size()), missing_(origlen > data.size() ? origlen - data.size() : 0),
          summary_(&summary)
    {
    }

    // Outputs beyond the summary; null when not wanted.
    FieldTree* tree = nullptr;
    Columns* columns = nullptr;
    NameSink* names = nullptr;
    Streams* streams = nullptr; // tcp.stream / udp.stream numbering across packets
    TcpAnalysis* tcp_analysis = nullptr; // tcp.analysis.*, tcp.seq: every TCP segment in capture order
    uint64_t frame_number = 0;
    int64_t ts_ns = 0;
    bool has_time = true; // false for a pcapng Simple Packet Block
    std::string_view comment; // the record's first comment (pcapng opt_comment): frame.comment
    // The pcapng interface the packet arrived on (frame.interface_id, _name,
    // _description); null for classic pcap, which has none, as in tshark.
    const FrameInterface* interface = nullptr;

    // The innermost IP header's addresses and the transport's ports, for
    // the layers above them (ports, streams, names).
    IpAddress net_src, net_dst;
    uint16_t sport = 0, dport = 0;
    // The IP payload's length as its header states it (may exceed what was
    // captured); SIZE_MAX when the header says nothing (length 0).
    size_t net_payload_len = SIZE_MAX;

    // Inside a Quote, a scratch copy: what a quoted datagram says stays there.
    DecodedPacket& summary() { return *summary_; }
    Tvb all() { return Tvb(*this, 0, n_); }
    size_t captured() const { return n_; }
    size_t missing() const { return missing_; }
    const uint8_t* data() const { return data_; }

    // Records a problem (the first one names the packet's problem). `why` is
    // static text for the summary; `detail`, when given, is the tree's
    // wording of it ("IPv4 total length of 120 bytes exceeds the 80 bytes left").
    // Nothing is recorded inside a quoted datagram.
    void mark(DecodedPacket::Flag f, const char* why, size_t at, std::string detail = {});
    // The tree's part of mark(): a flagged note, its ancestors flagged; the
    // summary untouched.
    void tree_problem(DecodedPacket::Flag f, std::string text, size_t at);
    // Enters a protocol layer: its name in the path, a layer in the tree.
    // False when the nesting limit is reached (recorded as malformed).
    bool push(Proto p);
    // Headers that do not show in the path (MACsec, NSH, Arista) still nest.
    bool enter_shim();

    // Tree output. Each returns at once when no tree is wanted. A layer is
    // a top-level item ("Internet Protocol Version 4, Src: ..."); the fields
    // after it nest under it, and under an open subtree (flags) one deeper.
    // The add_* functions return the item's index for relabel() and
    // cover(), kNoItem when nothing was added.
    static constexpr size_t kNoItem = SIZE_MAX;
    // At most this many items: the rest of the packet gets one note.
    static constexpr size_t kMaxItems = 20000;
    bool want_tree() const { return tree != nullptr; }
    size_t layer(FieldId protocol, const Tvb& t, std::string label);
    void open_subtree() { ++depth_; }
    // Items added next are top-level notes (after the last layer).
    void top_level() { depth_ = base_depth_; }
    void close_subtree() { depth_ = depth_ > base_depth_ + 1 ? depth_ - 1 : base_depth_ + 1; }
    size_t add_uint(FieldId f, size_t offset, size_t length, uint64_t v, std::string label = {});
    size_t add_ip(FieldId f, size_t offset, size_t length, const IpAddress& a, std::string label = {});
    size_t add_mac(FieldId f, size_t offset, size_t length, const MacAddress& a, std::string label = {});
    size_t add_text(FieldId f, size_t offset, size_t length, std::string_view s, std::string label = {});
    // A field naming some bits of its bytes ("..1. .... = Don't fragment:
    // Set", see bit_label): a click on its bytes picks the whole word instead.
    size_t add_bits(FieldId f, size_t offset, size_t length, uint64_t v, std::string label);
    // A note that is not a field (Wireshark's "[...]" lines); length may be 0.
    size_t add_note(size_t offset, size_t length, std::string label);
    void relabel(size_t item, std::string label);
    // The item now covers [offset, end) (a header whose length is known late).
    void cover(size_t item, size_t offset, size_t end);

    // The items added while a Subtree lives nest under the item added last.
    class Subtree {
    public:
        explicit Subtree(Packet& p) : p_(p), saved_(p.depth_) { ++p_.depth_; }
        ~Subtree() { p_.depth_ = saved_; }
        Subtree(const Subtree&) = delete;
        Subtree& operator=(const Subtree&) = delete;

    private:
        Packet& p_;
        uint16_t saved_;
    };

    // While a Quote lives, the layers dissected are a datagram quoted inside
    // this one (an ICMP error's): they nest under the current item, may be
    // cut short without a problem, and touch neither the summary, the
    // columns, the names nor the stream numbers.
    class Quote {
    public:
        explicit Quote(Packet& p);
        ~Quote();
        Quote(const Quote&) = delete;
        Quote& operator=(const Quote&) = delete;

    private:
        Packet& p_;
        DecodedPacket scratch_;
        DecodedPacket* summary_;
        uint16_t depth_, base_;
        NameSink* names_;
        Streams* streams_;
        IpAddress src_, dst_;
        uint16_t sport_, dport_;
        size_t payload_len_;
    };
    bool quoted() const { return quoted_ > 0; }

    // While a DetailsOnly lives, the dissector reads what only the tree and
    // the columns show (after its "nothing more for the summary" return):
    // a problem found then is the tree's alone, so the summary ingest keys
    // on never depends on which outputs were asked for.
    class DetailsOnly {
    public:
        explicit DetailsOnly(Packet& p) : p_(p) { ++p_.details_only_; }
        ~DetailsOnly() { --p_.details_only_; }
        DetailsOnly(const DetailsOnly&) = delete;
        DetailsOnly& operator=(const DetailsOnly&) = delete;

    private:
        Packet& p_;
    };

    // Packet-list columns, nullptr when not wanted or inside a quoted datagram.
    Columns* col() { return quoted_ ? nullptr : columns; }
    bool want_columns() const { return columns && !quoted_; }
    // The last layer entered, tree or not (for an Info column nothing filled).
    FieldId last_layer() const { return last_layer_; }

    // Summary helpers shared by the dissectors.
    void set_mac(const uint8_t* dst, const uint8_t* src);
    void set_ip(const IpAddress& src, const IpAddress& dst, size_t offset);
    void set_ports(Proto transport, const IpAddress& src, const IpAddress& dst, uint16_t sp, uint16_t dp);
    void set_app(Proto p, const Tvb& payload);

private:
    const uint8_t* data_;
    size_t n_;
    size_t missing_;
    DecodedPacket* summary_;
    int shims_ = 0;
    int quoted_ = 0;
    int details_only_ = 0;
    uint16_t depth_ = 0;
    uint16_t base_depth_ = 0; // where layers go: 0, or inside a quote
    FieldId last_layer_ = kNoField;
    bool full_ = false; // kMaxItems reached
    size_t add(FieldId f, size_t offset, size_t length, FieldValue&& v, std::string&& label);
};

inline const uint8_t* Tvb::base() const { return pkt_->data() + begin_; }

} // namespace underhood::dissect
