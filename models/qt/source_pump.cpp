#include "source_pump.h"

#include "pcapng_writer.h"

#include <chrono>
#include <unistd.h>

namespace underhood {

SourcePump::SourcePump(std::vector<SourceSpec> specs, SourceOptions opts, int fd, Callbacks cb)
    : specs_(std::move(specs)), opts_(std::move(opts)), fd_(fd), cb_(std::move(cb))
{
    opts_.on_message = cb_.message;
    slots_.resize(specs_.size());
    for (size_t i = 0; i < specs_.size(); ++i)
        slots_[i].offset_ns = specs_[i].offset_ns;
    thread_ = std::thread([this] { run(); });
}

SourcePump::~SourcePump()
{
    stop();
    if (thread_.joinable())
        thread_.join();
    for (std::thread& t : reconnects_)
        if (t.joinable())
            t.join();
}

void SourcePump::failed(const SourceSpec& spec, const std::string& why)
{
    {
        std::lock_guard lock(mutex_);
        for (size_t i = 0; i < specs_.size(); ++i)
            if (specs_[i].text == spec.text) {
                slots_[i].state = SensorStatus::State::Failed;
                slots_[i].error = why;
            }
    }
    if (cb_.failed)
        cb_.failed(spec, why);
}

std::vector<SensorStatus> SourcePump::sensors() const
{
    std::lock_guard lock(mutex_);
    std::vector<SensorStatus> out;
    for (size_t i = 0; i < specs_.size(); ++i) {
        const Slot& s = slots_[i];
        SensorStatus st;
        st.spec = specs_[i];
        st.name = specs_[i].sensor_name();
        st.state = s.state;
        st.error = s.error;
        st.reconnecting = s.reconnecting;
        st.offset_ns = s.offset_ns;
        if (s.feed != SIZE_MAX) {
            st.counts = merger_ ? merger_->counts(s.feed) : s.last;
            st.tcpdump = !st.counts.exact;
            if (st.state == SensorStatus::State::Running && (!merger_ || merger_->ended(s.feed)))
                st.state = SensorStatus::State::Ended;
        }
        out.push_back(std::move(st));
    }
    return out;
}

bool SourcePump::set_offset(size_t i, int64_t offset_ns)
{
    std::lock_guard lock(mutex_);
    if (i >= slots_.size() || !running_)
        return false;
    slots_[i].offset_ns = offset_ns;
    specs_[i].offset_ns = offset_ns; // a reconnection starts with it too
    if (merger_ && slots_[i].feed != SIZE_MAX)
        merger_->set_offset(slots_[i].feed, offset_ns);
    return true;
}

bool SourcePump::reconnect(size_t i)
{
    SourceSpec spec;
    {
        std::lock_guard lock(mutex_);
        if (i >= slots_.size() || stop_ || !merger_ || slots_[i].reconnecting)
            return false;
        const bool ended = slots_[i].state == SensorStatus::State::Failed ||
                           (slots_[i].feed != SIZE_MAX && merger_->ended(slots_[i].feed));
        if (!ended)
            return false;
        slots_[i].reconnecting = true;
        slots_[i].state = SensorStatus::State::Starting;
        slots_[i].error.clear();
        spec = specs_[i];
        reconnects_.emplace_back([this, i, spec] {
            std::string error;
            auto s = CaptureSource::open(spec, opts_, error);
            bool ok = false;
            {
                std::lock_guard lock(mutex_);
                slots_[i].reconnecting = false;
                if (s && merger_ && !stop_) {
                    if (slots_[i].feed == SIZE_MAX) {
                        const size_t at = merger_->add(std::move(s));
                        ok = at != SIZE_MAX;
                        if (ok)
                            slots_[i].feed = at;
                    } else {
                        ok = merger_->replace(slots_[i].feed, std::move(s));
                    }
                    if (!ok)
                        error = "could not rejoin the capture";
                } else if (s) {
                    error = "the capture has ended";
                }
                if (ok) {
                    slots_[i].state = SensorStatus::State::Running;
                    slots_[i].error.clear();
                }
            }
            if (ok) {
                if (cb_.started)
                    cb_.started(spec);
            } else {
                failed(spec, error.rfind(spec.text + ": ", 0) == 0 ? error.substr(spec.text.size() + 2) : error);
            }
        });
    }
    return true;
}

void SourcePump::stop()
{
    stop_ = true;
    std::lock_guard lock(mutex_);
    if (merger_)
        merger_->stop_all();
}

void SourcePump::run()
{
    PcapngWriter out(fd_, true);
    PcapngSectionInfo shb;
    shb.user_appl = "underhood (merged capture sources)";
    shb.os = "Linux";
    // The header at once: the engine's reader waits for it before anything else.
    out.write_section_header(shb);
    out.flush();

    std::vector<std::unique_ptr<CaptureSource>> sources;
    for (size_t i = 0; i < specs_.size(); ++i) {
        SourceSpec spec;
        {
            std::lock_guard lock(mutex_); // set_offset() may change it meanwhile
            spec = specs_[i];
        }
        if (stop_)
            break;
        std::string error;
        auto s = CaptureSource::open(spec, opts_, error);
        if (!s) {
            failed(spec, error.rfind(spec.text + ": ", 0) == 0 ? error.substr(spec.text.size() + 2) : error);
            continue;
        }
        {
            std::lock_guard lock(mutex_);
            slots_[i].state = SensorStatus::State::Running;
            slots_[i].feed = sources.size();
        }
        if (cb_.started)
            cb_.started(spec);
        sources.push_back(std::move(s));
    }
    if (sources.empty() || stop_) {
        out.close();
        running_ = false;
        return;
    }
    SourceMerger merger(std::move(sources), true);
    merger.set_report_statistics(true);
    merger.on_failure = [this](const SourceSpec& spec, const std::string& why) { failed(spec, why); };
    {
        std::lock_guard lock(mutex_);
        merger_ = &merger;
        // A clock correction set while the sources were starting.
        for (const auto& slot : slots_)
            if (slot.feed != SIZE_MAX)
                merger.set_offset(slot.feed, slot.offset_ns);
        if (stop_)
            merger.stop_all();
    }
    size_t described = 0;
    auto describe = [&] {
        // An interface description before the first block that names it.
        // Copies: the reading threads add interfaces as sensors join.
        for (const CaptureInterface& itf : merger.interfaces_from(described)) {
            ++described;
            PcapngInterfaceInfo idb;
            idb.link_type = uint16_t(itf.link_type);
            idb.snaplen = itf.snaplen ? itf.snaplen : 262144;
            idb.name = itf.name;
            idb.description = itf.description;
            idb.hardware = itf.hardware;
            idb.os = itf.os;
            idb.speed_bps = itf.speed_bps;
            idb.mac = itf.mac;
            idb.comment = itf.health ? std::string_view(itf.health->text) : std::string_view();
            out.write_interface(idb);
        }
    };
    auto last_flush = std::chrono::steady_clock::now();
    PacketRecord rec;
    bool good = true;
    for (;;) {
        const CaptureReader::Status st = merger.next(rec);
        if (st == CaptureReader::Status::Packet) {
            describe();
            good = out.write_packet(rec.interface_id, uint64_t(rec.ts_ns), {rec.data.data(), rec.data.size()},
                                    rec.origlen, rec.comment);
        } else if (st == CaptureReader::Status::Statistics) {
            describe();
            const InterfaceStatistics& is = merger.last_statistics();
            PcapngInterfaceStatistics o;
            o.interface_id = is.interface_id;
            o.ts_ns = uint64_t(is.ts_ns);
            if (is.start_ns)
                o.start_ns = uint64_t(*is.start_ns);
            if (is.end_ns)
                o.end_ns = uint64_t(*is.end_ns);
            o.ifrecv = is.ifrecv;
            o.ifdrop = is.ifdrop;
            o.filteraccept = is.filteraccept;
            o.osdrop = is.osdrop;
            o.usrdeliv = is.usrdeliv;
            if (is.health)
                o.health = is.health->text;
            good = out.write_statistics(o);
        } else {
            break;
        }
        // Batches while packets keep coming; each at once when the sources are quiet.
        const auto now = std::chrono::steady_clock::now();
        if (good && (merger.queued() == 0 || now - last_flush > std::chrono::milliseconds(100))) {
            good = out.flush();
            last_flush = now;
        }
        if (!good) {
            merger.stop_all(); // the reader went away
            break;
        }
    }
    {
        std::lock_guard lock(mutex_);
        for (Slot& s : slots_)
            if (s.feed != SIZE_MAX)
                s.last = merger.counts(s.feed);
        merger_ = nullptr;
        running_ = false;
    }
    out.close();
}

} // namespace underhood
