// The diagnosis behind every "cannot capture" message: one cause per case,
// each with the command that fixes it. The identities are made up, so this
// runs as any user; test_capture_helper_access checks them against what the
// kernel really does.
#include "capture_helper_check.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <pwd.h>
#include <unistd.h>

using namespace underhood;
using Problem = CaptureHelperStatus::Problem;

class TestCaptureHelperCheck : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    // A stand-in for the helper, owned by whoever runs the test.
    QString helper(QFile::Permissions perms)
    {
        const QString path = dir_.filePath("underhood-capture");
        QFile::remove(path);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write("#!/bin/sh\nexit 0\n") < 0)
            return QString();
        f.close();
        f.setPermissions(perms);
        return path;
    }
    // Neither the file's owner nor in its group, and not root.
    static CaptureIdentity stranger()
    {
        CaptureIdentity who;
        who.uid = getuid() == 12345 ? 12346 : 12345;
        who.gid = getgid() == 54321 ? 54322 : 54321;
        who.user_name = QStringLiteral("no-such-user-here");
        return who;
    }
    static constexpr QFile::Permissions kGroupOnly = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                     QFile::ReadGroup | QFile::ExeGroup; // 0750
    static constexpr QFile::Permissions kEveryone = kGroupOnly | QFile::ReadOther | QFile::ExeOther; // 0755

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void missing()
    {
        for (const QString& path : {QString(), dir_.filePath("nothing-here")}) {
            const CaptureHelperStatus s = checkCaptureHelper(path, stranger());
            QCOMPARE(s.problem, Problem::Missing);
            QVERIFY(!s.canRun());
            QVERIFY2(s.message().contains("not installed"), qPrintable(s.message()));
            QVERIFY(!s.message().contains("usermod"));
        }
    }

    // Beside the program first (a build tree), then PREFIX/lib/underhood from
    // the program's bin/ (the package's /usr/lib/underhood), which a missing
    // helper's message names.
    void lookupOrder()
    {
        const QString app_dir = QCoreApplication::applicationDirPath();
        const QStringList c = captureHelperCandidates();
        QVERIFY(c.size() >= 2);
        QCOMPARE(c[0], QDir(app_dir).filePath("underhood-capture"));
        QCOMPARE(c[1], QDir::cleanPath(app_dir + "/../lib/underhood/underhood-capture"));
        QCOMPARE(findCaptureHelper(), c[0]); // the build tree's helper is beside this test
        const CaptureHelperStatus s = checkCaptureHelper(QString(), stranger());
        QVERIFY2(s.message().contains(QDir::cleanPath(app_dir + "/../lib/underhood")), qPrintable(s.message()));
    }

    // An installed helper the user may not run at all is the package's to set
    // up again, not the source tree's script.
    void notExecutableWhereInstalled()
    {
        const QString installed = captureHelperCandidates().value(1);
        QDir().mkpath(QFileInfo(installed).path());
        QFile f(installed);
        if (!f.open(QIODevice::WriteOnly))
            QSKIP("cannot write beside the build tree's bin/");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
        const CaptureHelperStatus s = checkCaptureHelper(installed, stranger());
        // Runnable but without file capabilities: setcap, or the package again.
        QVERIFY(f.setPermissions(kEveryone));
        const CaptureHelperStatus nocaps = checkCaptureHelper(installed, stranger());
        f.remove();
        QCOMPARE(nocaps.problem, Problem::NoCapabilities);
        QVERIFY2(nocaps.message().contains("sudo setcap cap_net_raw,cap_net_admin=eip " + installed),
                 qPrintable(nocaps.message()));
        QVERIFY2(nocaps.message().contains("sudo dpkg-reconfigure underhood"), qPrintable(nocaps.message()));
        QDir().rmpath(QFileInfo(installed).path()); // and lib/ if this made it
        QCOMPARE(s.problem, Problem::NotExecutable);
        QVERIFY2(s.message().contains("sudo dpkg-reconfigure underhood"), qPrintable(s.message()));
        QVERIFY(!s.message().contains("setup-capture-permissions.sh"));
    }

    void notInGroup()
    {
        const QString path = helper(kGroupOnly);
        const CaptureHelperStatus s = checkCaptureHelper(path, stranger());
        QCOMPARE(s.problem, Problem::NotInGroup);
        QVERIFY(!s.canRun());
        QVERIFY(!s.group.isEmpty());
        const QString m = s.message();
        QVERIFY2(m.contains("sudo usermod -aG " + s.group + " $USER"), qPrintable(m));
        QVERIFY2(m.contains("log out and in again"), qPrintable(m));
        QVERIFY2(m.contains(path), qPrintable(m));
        QVERIFY2(!m.contains("not installed") && !m.contains("not found"), qPrintable(m));
    }

    void inGroupButNotYetLoggedIn()
    {
        // Listed in the group database (here: by primary group) while this
        // login does not carry the group: joining again would not help.
        const QString path = helper(kGroupOnly);
        const passwd* me = getpwuid(getuid());
        QVERIFY(me);
        QCOMPARE(QFileInfo(path).groupId(), uint(me->pw_gid));
        CaptureIdentity who = stranger();
        who.user_name = QString::fromLocal8Bit(me->pw_name);
        const CaptureHelperStatus s = checkCaptureHelper(path, who);
        QCOMPARE(s.problem, Problem::NotLoggedInAgain);
        QVERIFY2(s.message().contains("Log out and in again"), qPrintable(s.message()));
        QVERIFY(!s.message().contains("usermod"));
    }

    void memberMayRun()
    {
        const QString path = helper(kGroupOnly);
        CaptureIdentity who = stranger();
        who.groups << gid_t(QFileInfo(path).groupId());
        const CaptureHelperStatus s = checkCaptureHelper(path, who);
        // A plain file has no capabilities: it runs, but cannot capture.
        QCOMPARE(s.problem, Problem::NoCapabilities);
        QVERIFY(s.canRun());
    }

    void noCapabilities()
    {
        const QString path = helper(kEveryone);
        const CaptureHelperStatus s = checkCaptureHelper(path, stranger());
        QCOMPARE(s.problem, Problem::NoCapabilities);
        const QString m = s.message();
        QVERIFY2(m.contains("sudo setcap cap_net_raw,cap_net_admin=eip " + path), qPrintable(m));
        QVERIFY(!m.contains("usermod"));
    }

    void exitStatusTwoIsNoPrivilege()
    {
        const QString path = helper(kEveryone);
        QCOMPARE(diagnoseHelperExit(path, 2, stranger()).problem, Problem::NoCapabilities);
        QVERIFY(diagnoseHelperExit(path, 2, stranger()).message().contains("setcap"));
        for (int code : {0, 1, 3, 5, 8})
            QCOMPARE(diagnoseHelperExit(path, code, stranger()).problem, Problem::None);
    }

    void rootNeedsNoCapabilities()
    {
        const QString path = helper(kGroupOnly);
        CaptureIdentity root;
        const CaptureHelperStatus s = checkCaptureHelper(path, root);
        QCOMPARE(s.problem, Problem::None);
        QVERIFY(s.message().isEmpty());
    }

    void notExecutableAtAll()
    {
        const QString path = helper(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        const CaptureHelperStatus s = checkCaptureHelper(path, stranger());
        QCOMPARE(s.problem, Problem::NotExecutable);
        QVERIFY2(s.message().contains("setup-capture-permissions.sh"), qPrintable(s.message()));
    }
};

QTEST_GUILESS_MAIN(TestCaptureHelperCheck)
#include "test_capture_helper_check.moc"
