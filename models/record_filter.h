// A display filter over records read in order, as underhood-cli applies it
// (stats -Y, fields -Y): the packet is dissected once, its summary and (when
// the filter or the caller needs one) its field tree filled together, with
// tcp.stream and udp.stream numbered across the whole input as tshark
// numbers them, and TCP sequence analysis (tcp.analysis.*) run over it in
// order whenever a tree is made. BPF programs are compiled per link type as they appear.
#pragma once

#include "capture_reader.h"
#include "display_filter.h"
#include "dissect/outputs.h"
#include "dissect/tcp_analysis.h"
#include "packet_decoder.h"

#include <map>
#include <memory>
#include <string>

namespace underhood {

class RecordFilter {
public:
    // An empty expression passes every packet. False with `error` set when
    // neither language takes it.
    bool compile(const std::string& expr, std::string& error);
    bool active() const { return !expr_.empty(); }
    DisplayFilter::Language language() const { return probe_.language(); }

    // Dissects `rec` into `dp` (and tree() when `want_tree` or the filter
    // reads fields) and says whether it passes. Call for every packet in
    // order, passing or not: stream numbers count them all.
    bool decode_and_match(const PacketRecord& rec, DecodedPacket& dp, bool want_tree = false);
    const dissect::FieldTree& tree() const { return tree_; }
    // The input's pcapng interfaces (they may grow while it is read), for
    // frame.interface_id and frame.interface_name; null for classic pcap.
    void set_interfaces(const std::vector<CaptureInterface>* interfaces) { interfaces_ = interfaces; }

private:
    std::string expr_;
    DisplayFilter probe_;
    std::map<uint32_t, std::unique_ptr<DisplayFilter>> bpf_;
    dissect::Streams streams_;
    dissect::TcpAnalysis tcp_analysis_;
    dissect::FieldTree tree_;
    const std::vector<CaptureInterface>* interfaces_ = nullptr;
};

} // namespace underhood
