// What the Qt item models share: the roles they answer and how numbers and
// times read in a table cell.
#pragma once

#include <QString>
#include <QVariant>

#include <cstdint>

namespace underhood {

enum TableRole {
    // The raw value a column sorts by: counts as qulonglong, times and
    // durations in nanoseconds, addresses as a key that orders numerically.
    SortRole = Qt::UserRole,
    // The value written by export_csv / export_json: numbers as numbers, times
    // as seconds since the epoch, an unknown value as a null QVariant holding
    // std::nullptr_t.
    ExportRole = Qt::UserRole + 1,
};

enum class TimeFormat {
    Absolute, // local date and time of day: "2024-09-16 09:00:00.300000"
    Relative, // seconds since the first packet of the capture: "12.345678"
    Epoch,    // seconds since 1970-01-01 UTC: "1726477200.300000"
    Delta,    // the packet list only: seconds since the previous packet (tables show Relative)
};

// "512 B", "1.5 KiB", "2.0 MiB" (binary units, as the CLI prints them).
QString format_bytes(uint64_t bytes);
// A packet time; `origin_ns` is the first packet's time, used by Relative.
QString format_time(int64_t ts_ns, TimeFormat format, int64_t origin_ns);
// "1.250000 s"
QString format_duration(int64_t ns);
// Seconds since the epoch as a number, for export.
double epoch_seconds(int64_t ts_ns);
// The explicit null ExportRole answers for a value that is not known.
QVariant null_value();

} // namespace underhood
