#include "anonymised_export.h"
#include "packet_anonymizer.h"

#include "display_anonymizer.h"
#include "ingest_engine.h"
#include "pcapng_writer.h"

#include <QFile>
#include <QObject>

#include <algorithm>
#include <optional>

namespace underhood {

bool export_anonymised(const IngestEngine& engine, const QVector<quint64>* numbers, const QString& path,
                       DisplayAnonymizer& anonymizer, QString* error, const std::function<bool(int)>& progress)
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
        return fail(QObject::tr("cannot write %1: %2").arg(path, QString::fromStdString(w.error())));
    auto [interfaces, first, count, section] = engine.with_state([](const IngestEngine::State& s) {
        return std::tuple(s.interfaces, s.first_number, uint64_t(s.index.size()),
                          s.section_comments.empty() ? std::string() : s.section_comments.front());
    });
    PcapngSectionInfo shb;
    shb.user_appl = "Underhood (anonymized)";
    shb.comment = section; // the teacher's own words, like the packet comments
    if (!w.write_section_header(shb))
        return fail(QString::fromStdString(w.error()));
    for (const CaptureInterface& itf : interfaces) {
        std::string name;
        PcapngInterfaceInfo idb = anonymizer.interface_info(itf, name);
        if (!idb.snaplen)
            idb.snaplen = 262144;
        if (!w.write_interface(idb))
            return fail(QString::fromStdString(w.error()));
    }
    const uint64_t total = numbers ? uint64_t(numbers->size()) : count;
    for (uint64_t i = 0; i < total; ++i) {
        const uint64_t n = numbers ? (*numbers)[qsizetype(i)] : first + i;
        auto info = engine.with_state(
            [n](const IngestEngine::State& s) -> std::optional<std::pair<PacketIndexEntry, std::string>> {
                if (n < s.first_number || n - s.first_number >= s.index.size())
                    return std::nullopt;
                auto c = s.comments.find(n);
                return std::pair(s.index[size_t(n - s.first_number)], c == s.comments.end() ? std::string() : c->second);
            });
        if (!info)
            continue;
        const std::vector<uint8_t> bytes = engine.packet_bytes(n);
        const uint32_t lt = engine.link_type_of(info->first.interface_id);
        const std::vector<uint8_t> out = anonymizer.rewrite(lt, Bytes(bytes.data(), bytes.size()), info->first.origlen);
        PcapngPacket pk;
        pk.interface_id = info->first.interface_id;
        pk.ts_ns = uint64_t(info->first.ts_ns);
        pk.data = {out.data(), out.size()};
        pk.origlen = std::max<uint32_t>(info->first.origlen, uint32_t(out.size()));
        pk.comment = info->second;
        if (!w.write_packet(pk))
            return fail(QObject::tr("cannot write %1: %2").arg(path, QString::fromStdString(w.error())));
        if (i % 2000 == 0 && progress && !progress(int(100 * i / std::max<uint64_t>(total, 1))))
            return fail(QObject::tr("the export was cancelled"));
    }
    if (!w.close())
        return fail(QObject::tr("cannot write %1: %2").arg(path, QString::fromStdString(w.error())));
    QFile::remove(path);
    if (!QFile::rename(tmp, path))
        return fail(QObject::tr("cannot rename %1 to %2").arg(tmp, path));
    return true;
}

} // namespace underhood
