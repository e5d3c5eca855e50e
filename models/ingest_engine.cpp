#include "ingest_engine.h"

#include <algorithm>

#include <unistd.h>

namespace underhood {

namespace {
constexpr size_t kBatch = 4096;

uint8_t entry_flags(const PacketRecord& rec, const DecodedPacket& dp)
{
    uint8_t f = 0;
    if (dp.has(DecodedPacket::Truncated))
        f |= PacketIndexEntry::Truncated;
    if (dp.has(DecodedPacket::Malformed))
        f |= PacketIndexEntry::Malformed;
    if (rec.has_timestamp)
        f |= PacketIndexEntry::Timed;
    if (!rec.comment.empty())
        f |= PacketIndexEntry::Commented;
    return f;
}
} // namespace

IngestEngine::IngestEngine(IngestOptions opts) : opts_(opts), state_(opts.model) {}

IngestEngine::~IngestEngine()
{
    cancel();
    wait();
}

bool IngestEngine::open_path(const std::string& path, std::string& error)
{
    std::string why;
    auto input = open_capture_input(path, why);
    const std::string name = path == "-" ? "standard input" : path;
    if (!input) {
        error = name + ": " + why;
        return false;
    }
    path_ = path;
    return start(std::move(input), name, error);
}

bool IngestEngine::open_fd(int fd, const std::string& display_name, std::string& error)
{
    return start(std::make_unique<StreamInput>(fd, true), display_name, error);
}

bool IngestEngine::start(std::unique_ptr<CaptureInput> input, const std::string& name, std::string& error)
{
    if (auto* mapped = dynamic_cast<MappedFileInput*>(input.get())) {
        mapping_ = mapped->mapping();
        mapped_input_ = mapped; // owned by reader_ from here on
    }
    std::optional<uint64_t> total = input->size();
    reader_ = CaptureReader::open(std::move(input), name, error);
    if (!reader_) {
        mapping_ = {};
        mapped_input_ = nullptr;
        return false;
    }
    {
        std::lock_guard lock(mutex_);
        state_.format = reader_->format();
        state_.interfaces = reader_->interfaces();
        state_.progress.bytes_total = total;
    }
    running_ = true;
    if (mapping_.data()) {
        worker_ = std::thread([this] { run_mapped(); });
    } else {
        reader_->set_report_statistics(true);
        worker_ = std::thread([this] { run_stream_reader(); });
        decoder_ = std::thread([this] { run_stream_decoder(); });
    }
    return true;
}

void IngestEngine::cancel()
{
    cancel_ = true;
    std::lock_guard lock(mutex_);
    backlog_cv_.notify_all();
}

void IngestEngine::wait()
{
    if (worker_.joinable())
        worker_.join();
    if (decoder_.joinable())
        decoder_.join();
    for (std::thread& t : layer_passes_)
        if (t.joinable())
            t.join();
}

void IngestEngine::ensure_layer(Layer l)
{
    uint64_t before = 0;
    {
        std::lock_guard lock(mutex_);
        if (state_.model.has_layer(l))
            return;
        state_.model.enable_layer(l);
        before = state_.model.totals().packets;
        if (!mapping_.data() || before == 0) {
            // A stream cannot be read again: the layer counts from now on.
            state_.layer_ready[size_t(l)] = true;
            if (before)
                state_.warnings.push_back(std::string(layer_name(l)) + " layer: counted from packet " +
                                          std::to_string(before + 1) + " on");
            return;
        }
        state_.layer_ready[size_t(l)] = false;
    }
    layer_passes_.emplace_back([this, l, before] {
        std::string err;
        auto reader = CaptureReader::open_path(path_, err);
        TrafficModelOptions o;
        o.layers = {false, false, false};
        o.layers[size_t(l)] = true;
        o.throughput = false;
        o.names = false;
        TrafficModel part(o);
        DecodedRecord d;
        for (uint64_t n = 0; reader && n < before && !cancel_; ++n) {
            if (read_decoded(*reader, d) != CaptureReader::Status::Packet)
                break;
            part.add(d.rec, d.dp);
        }
        std::lock_guard lock(mutex_);
        state_.model.merge_layer(l, part.layer(l));
        state_.layer_ready[size_t(l)] = true;
    });
}

void IngestEngine::append(const PacketRecord& rec, const DecodedPacket& dp, uint64_t offset)
{
    PacketIndexEntry e;
    e.offset = offset;
    e.ts_ns = rec.ts_ns;
    e.caplen = rec.caplen;
    e.origlen = rec.origlen;
    e.interface_id = uint16_t(rec.interface_id);
    e.flags = entry_flags(rec, dp);
    e.top = uint8_t(dp.top());
    state_.index.push_back(e);
    if (rec.interface_id >= mtu_.size() && mtu_.size() != state_.interfaces.size()) {
        mtu_.clear();
        for (const CaptureInterface& i : state_.interfaces)
            mtu_.push_back(i.health && i.health->mtu ? *i.health->mtu : 0);
        state_.over_mtu.resize(mtu_.size(), 0);
    }
    // One comparison per packet: the length beyond the link header against the MTU.
    if (rec.interface_id < mtu_.size() && mtu_[rec.interface_id] && dp.has(DecodedPacket::HasIp) &&
        rec.origlen > dp.ip_offset && rec.origlen - dp.ip_offset > mtu_[rec.interface_id])
        ++state_.over_mtu[rec.interface_id];
    if (!rec.comment.empty())
        state_.comments.emplace(rec.number, std::string(rec.comment));
    state_.model.add(rec, dp);
}

void IngestEngine::take_warnings()
{
    // Appended, not copied over: the engine adds warnings of its own (a layer
    // counted from packet N on) that must stay.
    const std::vector<std::string>& w = reader_->warnings();
    for (; reader_warnings_taken_ < w.size(); ++reader_warnings_taken_)
        state_.warnings.push_back(w[reader_warnings_taken_]);
    if (reader_->section_comments().size() != state_.section_comments.size())
        state_.section_comments = reader_->section_comments();
}

void IngestEngine::run_mapped()
{
    DecodedRecord d;
    bool more = true;
    while (more && !cancel_) {
        std::lock_guard lock(mutex_);
        for (size_t i = 0; i < kBatch; ++i) {
            CaptureReader::Status s = read_decoded(*reader_, d);
            if (s != CaptureReader::Status::Packet) {
                more = false;
                if (s == CaptureReader::Status::Error)
                    state_.error = reader_->error();
                break;
            }
            // A pcapng interface is described before its first packet: known
            // to append() from that packet on.
            if (d.rec.interface_id >= state_.interfaces.size())
                state_.interfaces = reader_->interfaces();
            append(d.rec, d.dp, uint64_t(d.rec.data.data() - mapping_.data()));
            ++state_.ingest.received;
        }
        state_.progress.bytes_read = reader_->position();
        state_.progress.packets = state_.model.totals().packets;
        if (reader_->interfaces().size() != state_.interfaces.size())
            state_.interfaces = reader_->interfaces();
        state_.statistics = reader_->statistics();
        take_warnings();
    }
    std::lock_guard lock(mutex_);
    take_warnings();
    state_.progress.finished = true;
    state_.progress.cancelled = cancel_;
    running_ = false;
}

void IngestEngine::run_stream_reader()
{
    PacketRecord rec;
    size_t seen_interfaces = 0, seen_stats = 0;
    for (;;) {
        // Blocking read outside the lock: a live source may be quiet for long.
        CaptureReader::Status s = reader_->next(rec);
        std::unique_lock lock(mutex_);
        if (s == CaptureReader::Status::Statistics && !cancel_) {
            state_.interfaces = reader_->interfaces();
            seen_interfaces = state_.interfaces.size();
            state_.statistics = reader_->statistics();
            seen_stats = state_.statistics.size();
            continue;
        }
        if (s != CaptureReader::Status::Packet || cancel_) {
            if (s == CaptureReader::Status::Error)
                state_.error = reader_->error();
            take_warnings();
            // The final statistics blocks come after the last packet.
            state_.interfaces = reader_->interfaces();
            state_.statistics = reader_->statistics();
            state_.progress.bytes_read = reader_->position();
            break;
        }
        ++state_.ingest.received;
        // A live source's warnings show while it runs, not only when it ends.
        take_warnings();
        if (reader_->interfaces().size() != seen_interfaces) {
            state_.interfaces = reader_->interfaces();
            seen_interfaces = state_.interfaces.size();
        }
        if (reader_->statistics().size() != seen_stats) {
            state_.statistics = reader_->statistics();
            seen_stats = state_.statistics.size();
        }
        state_.progress.bytes_read = reader_->position();
        if (backlog_.size() >= opts_.max_backlog_packets) {
            ++state_.ingest.dropped; // decoding fell behind: counted, never silent
            continue;
        }
        uint64_t off = store_.append(rec.data);
        Pending p{rec, off};
        p.rec.data = store_.bytes(off, rec.caplen);
        p.rec.comment = {};
        if (!rec.comment.empty())
            state_.comments.emplace(rec.number, std::string(rec.comment));
        backlog_.push_back(p);
        if (backlog_.size() == 1 || backlog_.size() % 256 == 0)
            backlog_cv_.notify_one();
    }
    std::lock_guard lock(mutex_);
    reader_done_ = true;
    backlog_cv_.notify_all();
}

void IngestEngine::run_stream_decoder()
{
    DecodedPacket dp;
    std::unique_lock lock(mutex_);
    for (;;) {
        backlog_cv_.wait(lock, [&] { return !backlog_.empty() || reader_done_ || cancel_; });
        if (cancel_ || (backlog_.empty() && reader_done_))
            break;
        for (size_t i = 0; i < kBatch && !backlog_.empty(); ++i) {
            Pending& p = backlog_.front();
            decode_packet(p.rec.link_type, p.rec.data, p.rec.origlen, dp);
            append(p.rec, dp, p.offset);
            backlog_.pop_front();
        }
        // The packet list keeps the last N packets; the tables keep counting.
        if (state_.index.size() > opts_.max_stored_packets) {
            size_t drop = state_.index.size() - opts_.max_stored_packets;
            state_.index.erase(state_.index.begin(), state_.index.begin() + long(drop));
            state_.first_number += drop;
            store_.release_before(state_.index.front().offset);
            state_.comments.erase(state_.comments.begin(), state_.comments.lower_bound(state_.first_number));
        }
        state_.progress.packets = state_.model.totals().packets;
        // Let the reader and the views in between batches.
        lock.unlock();
        lock.lock();
    }
    state_.progress.finished = true;
    state_.progress.cancelled = cancel_;
    running_ = false;
}

std::vector<uint8_t> IngestEngine::packet_bytes(uint64_t number) const
{
    std::lock_guard lock(mutex_);
    if (number < state_.first_number || number - state_.first_number >= state_.index.size())
        return {};
    const PacketIndexEntry& e = state_.index[size_t(number - state_.first_number)];
    if (mapping_.data()) {
        // Checked before and after the copy: if the file shrank, the copy
        // faulted into the guard's zero pages, and those are not the packet.
        const uint64_t end = e.offset + e.caplen;
        if (end > mapped_input_->valid_size())
            return {};
        const Bytes b = mapping_.subspan(size_t(e.offset), e.caplen);
        std::vector<uint8_t> out(b.begin(), b.end());
        if (end > mapped_input_->valid_size())
            return {};
        return out;
    }
    const Bytes b = store_.bytes(e.offset, e.caplen);
    return {b.begin(), b.end()};
}

uint64_t IngestEngine::end_at(int64_t t_ns) const
{
    return with_state([&](const State& st) {
        auto it = std::partition_point(st.index.begin(), st.index.end(),
                                       [&](const PacketIndexEntry& e) { return e.ts_ns <= t_ns; });
        return st.first_number + uint64_t(it - st.index.begin());
    });
}

bool IngestEngine::time_bounds(int64_t& first_ns, int64_t& last_ns) const
{
    return with_state([&](const State& st) {
        if (st.index.empty())
            return false;
        first_ns = st.index.front().ts_ns;
        last_ns = st.index.back().ts_ns;
        return true;
    });
}

bool IngestEngine::decode(uint64_t number, const PacketIndexEntry& e, DecodedPacket& out) const
{
    const std::vector<uint8_t> bytes = packet_bytes(number);
    if (bytes.empty() && e.caplen)
        return false;
    decode_packet(link_type_of(e.interface_id), Bytes(bytes.data(), bytes.size()), e.origlen, out);
    return true;
}

uint32_t IngestEngine::link_type_of(uint16_t interface_id) const
{
    std::lock_guard lock(mutex_);
    return interface_id < state_.interfaces.size() ? state_.interfaces[interface_id].link_type : 0;
}

bool IngestEngine::set_comment(uint64_t number, const std::string& text)
{
    std::lock_guard lock(mutex_);
    if (number < state_.first_number || number - state_.first_number >= state_.index.size())
        return false;
    PacketIndexEntry& e = state_.index[size_t(number - state_.first_number)];
    if (text.empty()) {
        state_.comments.erase(number);
        e.flags &= uint8_t(~PacketIndexEntry::Commented);
    } else {
        state_.comments[number] = text;
        e.flags |= PacketIndexEntry::Commented;
    }
    return true;
}

std::vector<std::string> IngestEngine::section_comments() const
{
    std::lock_guard lock(mutex_);
    return state_.section_comments;
}

void IngestEngine::begin_display(uint64_t id)
{
    TrafficModelOptions o = opts_.model;
    o.layers = {true, true, true}; // small next to the whole capture: every layer at once
    o.names = false;
    auto model = std::make_shared<TrafficModel>(o);
    std::lock_guard lock(mutex_);
    auto mask = std::make_shared<DisplayMask>();
    mask->id = id;
    mask->first = mask->scanned_end = state_.first_number;
    state_.display = std::move(mask);
    state_.display_model = std::move(model);
}

void IngestEngine::clear_display()
{
    std::lock_guard lock(mutex_);
    state_.display.reset();
    state_.display_model.reset();
}

void IngestEngine::add_displayed(uint64_t id, const std::vector<uint64_t>& matches, uint64_t scanned_end)
{
    struct Item {
        PacketRecord rec;
        DecodedPacket dp;
    };
    std::vector<std::pair<uint64_t, PacketIndexEntry>> entries;
    std::vector<uint32_t> link_types;
    uint64_t first = 0;
    {
        std::lock_guard lock(mutex_);
        if (!state_.display || state_.display->id != id)
            return;
        first = state_.first_number;
        entries.reserve(matches.size());
        for (uint64_t n : matches)
            if (n >= first && n - first < state_.index.size())
                entries.emplace_back(n, state_.index[size_t(n - first)]);
        for (const CaptureInterface& itf : state_.interfaces)
            link_types.push_back(itf.link_type);
    }
    // Decoding happens unlocked: ingest goes on meanwhile.
    std::vector<Item> items;
    items.reserve(entries.size());
    std::vector<uint64_t> shown;
    shown.reserve(entries.size());
    for (const auto& [n, e] : entries) {
        const std::vector<uint8_t> bytes = packet_bytes(n);
        if (bytes.size() != e.caplen)
            continue; // no longer kept: it cannot be counted
        Item it;
        it.rec.number = n;
        it.rec.interface_id = e.interface_id;
        it.rec.link_type = e.interface_id < link_types.size() ? link_types[e.interface_id] : 0;
        it.rec.ts_ns = e.ts_ns;
        it.rec.has_timestamp = e.flags & PacketIndexEntry::Timed;
        it.rec.caplen = e.caplen;
        it.rec.origlen = e.origlen;
        decode_packet(it.rec.link_type, Bytes(bytes.data(), bytes.size()), e.origlen, it.dp);
        // The model reads the bytes only for names, which it does not keep here.
        it.rec.data = Bytes();
        items.push_back(std::move(it));
        shown.push_back(n);
    }
    std::lock_guard lock(mutex_);
    if (!state_.display || state_.display->id != id)
        return;
    auto mask = std::make_shared<DisplayMask>(*state_.display);
    const uint64_t end = std::max(mask->scanned_end, scanned_end);
    mask->words.resize(size_t((end - mask->first + 63) / 64), 0);
    mask->scanned_end = end;
    for (uint64_t n : shown) {
        if (n < mask->first)
            continue;
        const uint64_t i = n - mask->first;
        uint64_t& w = mask->words[size_t(i >> 6)];
        if (!((w >> (i & 63)) & 1)) {
            w |= uint64_t(1) << (i & 63);
            ++mask->shown_count;
        }
    }
    for (const Item& it : items)
        state_.display_model->add(it.rec, it.dp);
    state_.display = std::move(mask);
}

} // namespace underhood
