#include "table_format.h"

#include "time_math.h"

#include <QDateTime>

namespace underhood {

namespace {
// Splits nanoseconds into whole seconds and a non-negative remainder.
void split_ns(int64_t ns, int64_t& sec, int64_t& rem)
{
    sec = ns / 1000000000;
    rem = ns % 1000000000;
    if (rem < 0) {
        --sec;
        rem += 1000000000;
    }
}

QString seconds_text(int64_t ns)
{
    const bool negative = ns < 0;
    const uint64_t mag = negative ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
    const uint64_t usec = (mag + 500) / 1000; // rounded to the microsecond
    return QStringLiteral("%1%2.%3")
        .arg(negative ? QStringLiteral("-") : QString())
        .arg(usec / 1000000)
        .arg(usec % 1000000, 6, 10, QLatin1Char('0'));
}
} // namespace

QString format_bytes(uint64_t bytes)
{
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    double v = double(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(v, 0, 'f', 1).arg(QLatin1String(units[u]));
}

QString format_time(int64_t ts_ns, TimeFormat format, int64_t origin_ns)
{
    switch (format) {
    case TimeFormat::Relative:
    case TimeFormat::Delta: // a table row has no previous packet
        return seconds_text(time_sub(ts_ns, origin_ns));
    case TimeFormat::Epoch:
        return seconds_text(ts_ns);
    case TimeFormat::Absolute: {
        int64_t sec, rem;
        split_ns(ts_ns, sec, rem);
        const QDateTime t = QDateTime::fromSecsSinceEpoch(sec);
        return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.")) +
               QStringLiteral("%1").arg(rem / 1000, 6, 10, QLatin1Char('0'));
    }
    }
    return {};
}

QString format_duration(int64_t ns) { return seconds_text(ns) + QStringLiteral(" s"); }

double epoch_seconds(int64_t ts_ns)
{
    int64_t sec, rem;
    split_ns(ts_ns, sec, rem);
    return double(sec) + double(rem) / 1e9;
}

QVariant null_value() { return QVariant::fromValue(nullptr); }

} // namespace underhood
