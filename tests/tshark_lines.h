// tshark's answers for GUI tests: the non-empty lines it prints for a
// capture, and the frame numbers a display filter selects (in order).
#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <vector>

inline QList<QByteArray> tshark_lines(const QString& file, const QStringList& args)
{
    QProcess ts;
    ts.start("tshark", QStringList{"-n", "-r", file} + args);
    ts.waitForFinished(120000);
    QList<QByteArray> out;
    for (const QByteArray& l : ts.readAllStandardOutput().split('\n'))
        if (!l.trimmed().isEmpty())
            out << l.trimmed();
    return out;
}

inline std::vector<quint64> tshark_numbers(const QString& file, const QString& expr)
{
    std::vector<quint64> out;
    for (const QByteArray& l : tshark_lines(file, {"-Y", expr, "-T", "fields", "-e", "frame.number"}))
        out.push_back(l.toULongLong());
    return out;
}
