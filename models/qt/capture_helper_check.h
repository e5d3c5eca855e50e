#pragma once
// Why this user cannot capture, and what to type to fix it. One diagnosis for
// every place that starts or lists through underhood-capture (the capture
// dialog, `underhood -i`, a capture that ends with "no privilege"), so the
// advice is the same everywhere.
#include <QList>
#include <QString>
#include <QStringList>

#include <sys/types.h>

namespace underhood {

// Who is asking: the process's effective user and every group it holds now.
// Tests pass another identity; everyone else uses current().
struct CaptureIdentity {
    uid_t uid = 0;
    gid_t gid = 0;
    QList<gid_t> groups;
    QString user_name; // for "you were added to the group but have not logged in since"
    static CaptureIdentity current();
};

struct CaptureHelperStatus {
    enum class Problem {
        None,           // it can run and (as far as the file tells) capture
        Missing,        // no underhood-capture beside the app, in PREFIX/lib/underhood or on PATH
        NotInGroup,     // only its group may run it and this user is not in it (exec fails with EACCES)
        NotLoggedInAgain, // the user was added to the group after this session began
        NotExecutable,  // mode bits refuse it for another reason
        NoCapabilities, // it runs but cannot open a packet socket (no file capabilities; exit status 2)
    };
    Problem problem = Problem::None;
    QString path;  // the helper that was checked (empty when Missing)
    QString group; // the group allowed to run it

    bool canRun() const { return problem == Problem::None || problem == Problem::NoCapabilities; }
    // What is wrong and the command that fixes it, in a sentence or three.
    QString message() const;
};

// Where the helper is looked for, in order: beside the application (a build
// tree), PREFIX/lib/underhood relative to the application's folder (installed,
// the Debian package's /usr/lib/underhood), the configured prefix's.
QStringList captureHelperCandidates();

// The helper file: the first of captureHelperCandidates() that exists, else
// the first one on PATH. Found
// by existence, not by whether this user may execute it, so a refusal is
// reported as a refusal and not as "not found".
QString findCaptureHelper();

// Looks at the file only (mode, owner, group, the security.capability
// attribute); runs nothing.
CaptureHelperStatus checkCaptureHelper(const QString& path, const CaptureIdentity& who = CaptureIdentity::current());
CaptureHelperStatus checkCaptureHelper();

// The helper ran and exited with `exit_code`; 2 is its "no capture privilege".
// Returns the diagnosis to show instead of the bare exit status, or None.
CaptureHelperStatus diagnoseHelperExit(const QString& path, int exit_code,
                                       const CaptureIdentity& who = CaptureIdentity::current());

} // namespace underhood
