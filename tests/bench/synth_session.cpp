#include "synth_session.h"

#include <algorithm>

namespace synth {

void Session::add_raw(int64_t t, const Frame& f)
{
    Step st;
    st.t = t;
    st.ref = add_blob(f.data(), f.size());
    st.len = uint16_t(f.size());
    st.fill = Fill::Raw;
    steps.push_back(st);
}

uint32_t Session::add_blob(const uint8_t* p, size_t n)
{
    uint32_t off = uint32_t(blob.size());
    blob.insert(blob.end(), p, p + n);
    return off;
}

int64_t plan_tcp(Session& s, Rng& rng, int64_t t0, const TcpTiming& tm, const std::vector<TcpMessage>& msgs)
{
    uint32_t seq[2] = {uint32_t(rng.next()), uint32_t(rng.next())}; // client, server
    int64_t t = t0;
    auto add = [&](bool from_server, uint8_t flags, Fill fill, uint32_t ref, uint16_t len) {
        Step st;
        st.t = t;
        st.from_server = from_server;
        st.flags = flags;
        st.seq = seq[from_server];
        st.ack = (flags & kAck) ? seq[!from_server] : 0;
        st.fill = fill;
        st.ref = ref;
        st.len = len;
        s.steps.push_back(st);
        seq[from_server] += len + ((flags & (kSyn | kFin)) ? 1 : 0);
    };
    // An ACK from the server reaches the LAN side a round trip after the
    // client's segment; the client's own ACKs are seen at once.
    auto ack_delay = [&](bool acker_is_server) { return acker_is_server ? tm.rtt_ns : tm.client_ack_ns; };

    add(false, kSyn, Fill::None, 0, 0);
    t += tm.rtt_ns;
    add(true, kSyn | kAck, Fill::None, 0, 0);
    t += tm.client_ack_ns;
    add(false, kAck, Fill::None, 0, 0);

    for (size_t i = 0; i < msgs.size(); ++i) {
        const TcpMessage& m = msgs[i];
        const bool sender = m.from_server;
        t += m.gap_ns;
        uint32_t remaining = m.size, off = 0;
        int segs = 0;
        while (remaining > 0) {
            uint32_t len = std::min<uint32_t>(tm.mss, remaining);
            // A TLS record needs its 5-byte header and some ciphertext.
            if (m.fill == Fill::TlsRecords && remaining - len > 0 && remaining - len < 32)
                len = remaining - 32;
            remaining -= len;
            add(sender, uint8_t(kAck | (remaining == 0 ? kPsh : 0)), m.fill,
                m.fill == Fill::Literal ? m.ref + off : uint32_t(rng.next()), uint16_t(len));
            off += len;
            ++segs;
            if (remaining > 0) {
                if (segs % 2 == 0) {
                    int64_t d = std::min(ack_delay(!sender), tm.data_gap_ns);
                    t += d;
                    add(!sender, kAck, Fill::None, 0, 0);
                    t += tm.data_gap_ns - d;
                } else {
                    t += tm.data_gap_ns;
                }
            }
        }
        // The receiver acknowledges the end of a message unless its own reply
        // follows at once, or the sender goes on with another message.
        bool continued = i + 1 < msgs.size() && msgs[i + 1].from_server == sender && msgs[i + 1].gap_ns < 1000000;
        bool answered = i + 1 < msgs.size() && msgs[i + 1].from_server != sender && msgs[i + 1].gap_ns < 40000000;
        if (!continued && !answered) {
            t += sender ? std::min<int64_t>(tm.client_ack_ns * 4, 2000000) : tm.rtt_ns;
            add(!sender, kAck, Fill::None, 0, 0);
        }
    }

    t += 2000000 + int64_t(rng.below(50000000));
    if (tm.reset_close) {
        add(false, kRst | kAck, Fill::None, 0, 0);
        return t;
    }
    add(false, kFin | kAck, Fill::None, 0, 0);
    t += tm.rtt_ns;
    add(true, kFin | kAck, Fill::None, 0, 0);
    t += tm.client_ack_ns;
    add(false, kAck, Fill::None, 0, 0);
    return t;
}

Content::Content(Rng& rng)
{
    random.resize(size_t(1) << 20);
    rng.fill(random.data(), random.size());
    static const char* const kWords[] = {
        "<div class=\"article\">", "<p>", "</p>", "network", "packet", "router", "the", "of", "and", "a",
        "<a href=\"/news/today\">", "</a>", "switch", "traffic", "capture", "protocol", "host", "in", "to",
        "</div>\n", "<span>", "</span>", "address", "frame", "window", "latency", "is", "with", "for", "\n"};
    text.reserve(size_t(1) << 16);
    while (text.size() < (size_t(1) << 16)) {
        const char* w = kWords[rng.below(sizeof kWords / sizeof kWords[0])];
        text.insert(text.end(), w, w + std::char_traits<char>::length(w));
        text.push_back(' ');
    }
}

void render(Session& s, const Step& st, const Content& c, Frame& f)
{
    if (st.fill == Fill::Raw) {
        f.reset();
        f.bytes(s.blob.data() + st.ref, st.len);
        return;
    }
    const Flow& fl = s.flow;
    const bool srv = st.from_server;
    const uint16_t ethertype = fl.client_ip.v6() ? 0x86DD : 0x0800;
    f.ethernet(srv ? fl.client_mac : fl.server_mac, srv ? fl.server_mac : fl.client_mac, fl.vlan, ethertype);
    uint16_t& id = srv ? s.server_ip_id : s.client_ip_id;
    f.ip(srv ? fl.server_ip : fl.client_ip, srv ? fl.client_ip : fl.server_ip, fl.udp ? 17 : 6,
         srv ? fl.server_ttl : fl.client_ttl, id++, !fl.udp);
    const uint16_t sport = srv ? fl.server_port : fl.client_port;
    const uint16_t dport = srv ? fl.client_port : fl.server_port;
    const size_t pool = c.random.size() - 2048;
    if (fl.udp) {
        f.udp(sport, dport);
        if (st.fill == Fill::QuicShort) {
            const uint8_t* r = c.random.data() + st.ref % pool;
            // Short header (RFC 9000 17.3): fixed bit set, then the peer's
            // 8-byte connection id, then protected bytes.
            f.u8(uint8_t(0x40 | (r[0] & 0x3f)));
            f.bytes(s.blob.data() + (srv ? 0 : 8), 8);
            f.bytes(r + 1, st.len - 9);
        } else {
            f.bytes(s.blob.data() + st.ref, st.len);
        }
        f.finish();
        return;
    }
    const bool syn = st.flags & kSyn;
    f.tcp(sport, dport, st.seq, st.ack, st.flags, syn ? 64240 : uint16_t(501 + (st.seq & 0x3f)), syn);
    switch (st.fill) {
    case Fill::Literal: f.bytes(s.blob.data() + st.ref, st.len); break;
    case Fill::TlsRecords: put_tls_app_data(f, c.random.data() + st.ref % pool, st.len); break;
    case Fill::Text: f.bytes(c.text.data() + st.ref % (c.text.size() - 2048), st.len); break;
    case Fill::Random: f.bytes(c.random.data() + st.ref % pool, st.len); break;
    default: break;
    }
    f.finish();
}

void Scheduler::add(std::unique_ptr<Session> s)
{
    if (s->steps.empty())
        return;
    uint32_t slot;
    if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
        slots_[slot] = std::move(s);
    } else {
        slot = uint32_t(slots_.size());
        slots_.push_back(std::move(s));
    }
    heap_.push({slots_[slot]->steps[0].t, order_++, slot});
}

void Scheduler::advance()
{
    Entry e = heap_.top();
    heap_.pop();
    Session& s = *slots_[e.slot];
    if (++s.next < s.steps.size()) {
        heap_.push({s.steps[s.next].t, order_++, e.slot});
    } else {
        slots_[e.slot].reset();
        free_.push_back(e.slot);
    }
}

} // namespace synth
