// Runs tshark on many captures, a few at a time, each writing its output to
// a file of its own so no pipe fills while another process is waited for.
// The user's Wireshark preferences stay out (HOME and XDG_CONFIG_HOME point
// at the work directory), and so does the locale.
#pragma once

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace tshark_compare {

struct TsharkJob {
    QStringList arguments;
    QString output_path; // set by run_tshark_jobs
    int exit_code = -1;
    QString error; // empty when tshark ran to its end
};

// The lines of a list file (expressions, known differences), trimmed;
// blank lines and lines starting with # left out. Empty when unreadable.
QStringList read_lines(const QString& path);

// Runs every job with `tshark`, writing outputs into `work_dir`.
void run_tshark_jobs(const QString& tshark, const QString& work_dir, std::vector<TsharkJob>& jobs,
                     int timeout_ms = 5 * 60 * 1000);

} // namespace tshark_compare
