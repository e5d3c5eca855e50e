#include "capture_helper_check.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <vector>

namespace underhood {

namespace {

constexpr const char* kHelperName = "underhood-capture";

QString groupName(gid_t gid)
{
    if (const group* g = ::getgrgid(gid))
        return QString::fromLocal8Bit(g->gr_name);
    return QString::number(gid);
}

// Listed in the group database (as a member or by primary group), whether or
// not this login already carries the group.
bool listedInGroup(const QString& user, gid_t gid)
{
    if (user.isEmpty())
        return false;
    const QByteArray name = user.toLocal8Bit();
    if (const passwd* pw = ::getpwnam(name.constData()); pw && pw->pw_gid == gid)
        return true;
    if (const group* g = ::getgrgid(gid))
        for (char** m = g->gr_mem; m && *m; ++m)
            if (name == *m)
                return true;
    return false;
}

bool hasFileCapabilities(const QString& path)
{
    // The kernel grants a helper its privileges from this attribute at exec
    // (setcap writes it); without it, a non-root caller's helper has none.
    const QByteArray p = QFile::encodeName(path);
    return ::getxattr(p.constData(), "security.capability", nullptr, 0) > 0;
}

} // namespace

CaptureIdentity CaptureIdentity::current()
{
    CaptureIdentity who;
    who.uid = ::geteuid();
    who.gid = ::getegid();
    const int n = ::getgroups(0, nullptr);
    if (n > 0) {
        std::vector<gid_t> gids(static_cast<size_t>(n));
        const int got = ::getgroups(n, gids.data());
        for (int i = 0; i < got; ++i)
            who.groups << gids[size_t(i)];
    }
    if (const passwd* pw = ::getpwuid(who.uid))
        who.user_name = QString::fromLocal8Bit(pw->pw_name);
    return who;
}

QStringList captureHelperCandidates()
{
    const QString app_dir = QCoreApplication::applicationDirPath();
    QStringList paths;
    // A build tree keeps every program in one folder.
    paths << QDir(app_dir).filePath(kHelperName);
    // Installed: PREFIX/lib/underhood beside PREFIX/bin, whatever the prefix.
    paths << QDir::cleanPath(app_dir + "/" UNDERHOOD_BIN_TO_PKGLIBDIR "/" + kHelperName);
    paths << QStringLiteral(UNDERHOOD_INSTALLED_HELPER);
    paths.removeDuplicates();
    return paths;
}

namespace {
// In an installed place (the package's), not a build tree's or one set up by hand.
bool installedHelper(const QString& path)
{
    const QStringList candidates = captureHelperCandidates();
    return candidates.indexOf(QDir::cleanPath(QFileInfo(path).absoluteFilePath())) > 0;
}
} // namespace

QString findCaptureHelper()
{
    for (const QString& candidate : captureHelperCandidates())
        if (QFileInfo(candidate).isFile())
            return candidate;
    // Set up by hand somewhere on PATH (older setups).
    const QStringList dirs = qEnvironmentVariable("PATH").split(':', Qt::SkipEmptyParts);
    for (const QString& dir : dirs) {
        const QString candidate = QDir(dir).filePath(kHelperName);
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return QString();
}

CaptureHelperStatus checkCaptureHelper(const QString& path, const CaptureIdentity& who)
{
    CaptureHelperStatus s;
    s.path = path;
    struct stat st {};
    if (path.isEmpty() || ::stat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode)) {
        s.problem = CaptureHelperStatus::Problem::Missing;
        s.path.clear();
        return s;
    }
    s.group = groupName(st.st_gid);
    const bool in_group = who.gid == st.st_gid || who.groups.contains(st.st_gid);
    bool may_exec;
    if (who.uid == 0)
        may_exec = st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH);
    else if (who.uid == st.st_uid)
        may_exec = st.st_mode & S_IXUSR;
    else if (in_group)
        may_exec = st.st_mode & S_IXGRP;
    else
        may_exec = st.st_mode & S_IXOTH;

    if (!may_exec) {
        const bool group_may = (st.st_mode & S_IXGRP) && who.uid != st.st_uid && !in_group;
        if (!group_may)
            s.problem = CaptureHelperStatus::Problem::NotExecutable;
        else if (listedInGroup(who.user_name, st.st_gid))
            s.problem = CaptureHelperStatus::Problem::NotLoggedInAgain;
        else
            s.problem = CaptureHelperStatus::Problem::NotInGroup;
        return s;
    }
    if (who.uid != 0 && !hasFileCapabilities(path))
        s.problem = CaptureHelperStatus::Problem::NoCapabilities;
    return s;
}

CaptureHelperStatus checkCaptureHelper() { return checkCaptureHelper(findCaptureHelper()); }

CaptureHelperStatus diagnoseHelperExit(const QString& path, int exit_code, const CaptureIdentity& who)
{
    constexpr int kExitNoPrivilege = 2; // capture/capture_backend.h; the helper's README lists it
    CaptureHelperStatus s = checkCaptureHelper(path, who);
    if (exit_code != kExitNoPrivilege) {
        s.problem = CaptureHelperStatus::Problem::None;
        return s;
    }
    // It ran, so mode bits were not the problem: whatever the file says, the
    // process had no capture privilege.
    s.problem = CaptureHelperStatus::Problem::NoCapabilities;
    return s;
}

QString CaptureHelperStatus::message() const
{
    const QString group_name = group.isEmpty() ? QStringLiteral("underhood") : group;
    switch (problem) {
    case Problem::None:
        return QString();
    case Problem::Missing:
        return QCoreApplication::translate(
                   "CaptureHelper",
                   "The capture helper underhood-capture is not installed: it is neither beside the application nor "
                   "in %1 (nor on PATH), so nothing can be captured live (files still open). Install Underhood's "
                   "package (apt install ./underhood_*.deb), or build the underhood-capture target and run "
                   "installer/setup-capture-permissions.sh.")
            .arg(QFileInfo(captureHelperCandidates().value(1)).path());
    case Problem::NotInGroup:
        return QCoreApplication::translate(
                   "CaptureHelper",
                   "You may not run the capture helper %1: only members of the '%2' group may. Join it with\n"
                   "    sudo usermod -aG %2 $USER\n"
                   "then log out and in again (a new group only applies to a new login).")
            .arg(path, group_name);
    case Problem::NotLoggedInAgain:
        return QCoreApplication::translate(
                   "CaptureHelper",
                   "You are in the '%2' group that may run the capture helper %1, but this login started before "
                   "you joined it. Log out and in again (or start underhood from 'newgrp %2').")
            .arg(path, group_name);
    case Problem::NotExecutable:
        if (installedHelper(path))
            return QCoreApplication::translate(
                       "CaptureHelper",
                       "The capture helper %1 is not executable for you. Its package sets it up for members of the "
                       "'%2' group: restore that with\n"
                       "    sudo dpkg-reconfigure underhood")
                .arg(path, group_name);
        return QCoreApplication::translate(
                   "CaptureHelper",
                   "The capture helper %1 is not executable for you. Set it up with\n"
                   "    sudo installer/setup-capture-permissions.sh %1\n"
                   "(it lets members of the 'underhood' group run it, with capture privileges).")
            .arg(path);
    case Problem::NoCapabilities: {
        QString m = QCoreApplication::translate(
                        "CaptureHelper",
                        "The capture helper %1 runs but has no capture privilege (CAP_NET_RAW and CAP_NET_ADMIN). "
                        "Give it them with\n"
                        "    sudo setcap cap_net_raw,cap_net_admin=eip %1\n"
                        "(a filesystem without extended attributes cannot hold them: install it elsewhere).")
                        .arg(path);
        if (installedHelper(path))
            m += QCoreApplication::translate("CaptureHelper", " Its package sets them again with\n"
                                                              "    sudo dpkg-reconfigure underhood");
        return m;
    }
    }
    return QString();
}

} // namespace underhood
