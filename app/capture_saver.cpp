#include "capture_saver.h"

#include "pcapng_writer.h"

#include <QFile>
#include <QObject>

#include <map>

namespace underhood {

bool save_capture(const IngestEngine& engine, const QVector<quint64>* numbers, const QString& path, QString* error,
                  const std::function<bool(int)>& progress)
{
    const QString tmp = path + ".part";
    PcapngWriter w = PcapngWriter::create(tmp.toStdString());
    auto fail = [&](const QString& why) {
        if (error)
            *error = why;
        w.close();
        QFile::remove(tmp);
        return false;
    };
    if (!w.ok())
        return fail(QString::fromStdString(w.error()));
    auto [interfaces, first, count, stats, section] = engine.with_state([](const IngestEngine::State& s) {
        return std::tuple(s.interfaces, s.first_number, uint64_t(s.index.size()), s.statistics,
                          s.section_comments.empty() ? std::string() : s.section_comments.front());
    });
    PcapngSectionInfo shb;
    shb.user_appl = "Underhood";
    shb.comment = section; // a lesson's introduction stays with it
    w.write_section_header(shb);
    for (const CaptureInterface& itf : interfaces) {
        PcapngInterfaceInfo idb;
        idb.link_type = uint16_t(itf.link_type);
        idb.snaplen = itf.snaplen ? itf.snaplen : 262144;
        idb.name = itf.name;
        idb.description = itf.description;
        // What the capture helper said about the NIC travels on, so the
        // saved file still explains its drops and oversized frames.
        idb.hardware = itf.hardware;
        idb.os = itf.os;
        idb.speed_bps = itf.speed_bps;
        idb.mac = itf.mac;
        if (itf.health)
            idb.comment = itf.health->text;
        if (!w.write_interface(idb))
            return fail(QString::fromStdString(w.error()));
    }
    const uint64_t total = numbers ? uint64_t(numbers->size()) : count;
    for (uint64_t i = 0; i < total; ++i) {
        const uint64_t n = numbers ? (*numbers)[qsizetype(i)] : first + i;
        auto info = engine.with_state([n](const IngestEngine::State& s) -> std::optional<std::pair<PacketIndexEntry, std::string>> {
            if (n < s.first_number || n - s.first_number >= s.index.size())
                return std::nullopt;
            auto c = s.comments.find(n);
            return std::pair(s.index[size_t(n - s.first_number)], c == s.comments.end() ? std::string() : c->second);
        });
        if (!info)
            continue;
        std::vector<uint8_t> bytes = engine.packet_bytes(n);
        PcapngPacket pk;
        pk.interface_id = info->first.interface_id;
        pk.ts_ns = uint64_t(info->first.ts_ns);
        pk.data = {bytes.data(), bytes.size()};
        pk.origlen = std::max<uint32_t>(info->first.origlen, uint32_t(bytes.size()));
        pk.comment = info->second;
        if (!w.write_packet(pk))
            return fail(QString::fromStdString(w.error()));
        if (i % 20000 == 0 && progress && !progress(int(100 * i / std::max<uint64_t>(total, 1))))
            return fail(QObject::tr("saving was cancelled"));
    }
    std::map<uint32_t, InterfaceStatistics> last;
    for (const InterfaceStatistics& st : stats)
        last[st.interface_id] = st;
    for (const auto& [id, st] : last) {
        PcapngInterfaceStatistics isb;
        isb.interface_id = id;
        isb.ts_ns = uint64_t(st.ts_ns);
        isb.ifrecv = st.ifrecv;
        isb.ifdrop = st.ifdrop;
        isb.filteraccept = st.filteraccept;
        isb.osdrop = st.osdrop;
        isb.usrdeliv = st.usrdeliv;
        if (st.start_ns)
            isb.start_ns = uint64_t(*st.start_ns);
        if (st.end_ns)
            isb.end_ns = uint64_t(*st.end_ns);
        if (st.health)
            isb.health = st.health->text;
        w.write_statistics(isb);
    }
    if (!w.close())
        return fail(QString::fromStdString(w.error()));
    QFile::remove(path);
    if (!QFile::rename(tmp, path))
        return fail(QObject::tr("cannot rename %1 to %2").arg(tmp, path));
    return true;
}

} // namespace underhood
