#include "source_pump.h"

#include "pcapng_writer.h"

#include <chrono>
#include <unistd.h>

namespace underhood {

SourcePump::SourcePump(std::vector<SourceSpec> specs, SourceOptions opts, int fd, Callbacks cb)
    : specs_(std::move(specs)), opts_(std::move(opts)), fd_(fd), cb_(std::move(cb))
{
    opts_.on_message = cb_.message;
    thread_ = std::thread([this] { run(); });
}

SourcePump::~SourcePump()
{
    stop();
    if (thread_.joinable())
        thread_.join();
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
    for (const SourceSpec& spec : specs_) {
        if (stop_)
            break;
        std::string error;
        auto s = CaptureSource::open(spec, opts_, error);
        if (!s) {
            if (cb_.failed)
                cb_.failed(spec, error.rfind(spec.text + ": ", 0) == 0 ? error.substr(spec.text.size() + 2) : error);
            continue;
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
    merger.on_failure = cb_.failed;
    {
        std::lock_guard lock(mutex_);
        merger_ = &merger;
        if (stop_)
            merger.stop_all();
    }
    size_t described = 0;
    auto describe = [&] {
        // An interface description before the first block that names it.
        for (; described < merger.interfaces().size(); ++described) {
            const CaptureInterface& itf = merger.interfaces()[described];
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
        merger_ = nullptr;
    }
    out.close();
    running_ = false;
}

} // namespace underhood
