// The diagnosis of capture_helper_check against the real thing: a copy of
// underhood-capture set up as the installer does (0750 root:GROUP, file
// capabilities), run as an unprivileged user through setpriv. Each cause the
// check names must be the one exec and the helper actually hit.
#include "capture_helper_check.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <grp.h>
#include <unistd.h>

using namespace underhood;
using Problem = CaptureHelperStatus::Problem;

namespace {

int run(const QString& program, const QStringList& args, QByteArray* output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(20000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (output)
        *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace

class TestCaptureHelperAccess : public QObject {
    Q_OBJECT

    QTemporaryDir dir_{"/tmp/uhaccess-XXXXXX"};
    QString group_;
    gid_t gid_ = 0;
    QString helper_;

    CaptureIdentity nobody(bool in_group) const
    {
        CaptureIdentity who;
        who.uid = 65534;
        who.gid = 65534;
        who.user_name = "nobody";
        if (in_group)
            who.groups << gid_;
        return who;
    }
    QStringList asNobody(bool in_group) const
    {
        QStringList a{"--reuid=65534", "--regid=65534"};
        a << (in_group ? "--groups=" + QString::number(gid_) : QStringLiteral("--clear-groups"));
        // setpriv's own exec of a file its new identity may not run was seen
        // to succeed; a shell started as that user execs the way a desktop
        // session would, and is refused as it would be.
        return a << "--" << "/bin/sh" << "-c" << "exec \"$0\" \"$@\"";
    }

private slots:
    void initTestCase()
    {
        if (geteuid() != 0)
            QSKIP("needs root to make a group and give a file capabilities (CI runs this as root)");
        for (const char* tool : {"setpriv", "setcap", "groupadd", "groupdel"})
            if (QStandardPaths::findExecutable(tool).isEmpty())
                QSKIP(qPrintable(QString("needs %1 (util-linux, libcap2-bin, passwd)").arg(tool)));
        QVERIFY(dir_.isValid());
        // The unprivileged user must reach the file to be refused by its mode.
        QVERIFY(QFile::setPermissions(dir_.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                       QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                                       QFile::ExeOther));
        helper_ = dir_.filePath("underhood-capture");
        QVERIFY(QFile::copy(QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-capture"), helper_));
        group_ = QString("uhtest%1").arg(getpid());
        QCOMPARE(run("groupadd", {group_}), 0);
        const group* g = getgrnam(group_.toLocal8Bit().constData());
        QVERIFY(g);
        gid_ = g->gr_gid;
        QCOMPARE(run("chown", {"root:" + group_, helper_}), 0);
        QCOMPARE(run("chmod", {"0750", helper_}), 0);
    }
    void cleanupTestCase()
    {
        if (!group_.isEmpty())
            run("groupdel", {group_});
    }

    void outsideTheGroupExecIsRefused()
    {
        QByteArray out;
        QVERIFY(run("setpriv", asNobody(false) + QStringList{helper_, "--version"}, &out) != 0);
        QVERIFY2(out.contains("Permission denied"), out.constData());
        const CaptureHelperStatus s = checkCaptureHelper(helper_, nobody(false));
        QCOMPARE(s.problem, Problem::NotInGroup);
        QCOMPARE(s.group, group_);
        QVERIFY(s.message().contains("sudo usermod -aG " + group_ + " $USER"));
    }

    void withoutCapabilitiesTheHelperSaysNoPrivilege()
    {
        QByteArray out;
        QCOMPARE(run("setpriv", asNobody(true) + QStringList{helper_, "--version"}, &out), 0);
        QCOMPARE(checkCaptureHelper(helper_, nobody(true)).problem, Problem::NoCapabilities);
        const int code =
            run("setpriv", asNobody(true) + QStringList{helper_, "-i", "lo", "-a", "duration:1", "-w", "/dev/null"},
                &out);
        QCOMPARE(code, 2);
        const CaptureHelperStatus s = diagnoseHelperExit(helper_, code, nobody(true));
        QCOMPARE(s.problem, Problem::NoCapabilities);
        QVERIFY(s.message().contains("sudo setcap cap_net_raw,cap_net_admin=eip " + helper_));
    }

    void withCapabilitiesItCaptures()
    {
        QCOMPARE(run("setcap", {"cap_net_raw,cap_net_admin=eip", helper_}), 0);
        QCOMPARE(checkCaptureHelper(helper_, nobody(true)).problem, Problem::None);
        QByteArray out;
        const int code =
            run("setpriv", asNobody(true) + QStringList{helper_, "-i", "lo", "-a", "duration:1", "-w", "/dev/null"},
                &out);
        QVERIFY2(code == 0, out.constData());
    }

    void missing()
    {
        QCOMPARE(checkCaptureHelper(dir_.filePath("gone"), nobody(true)).problem, Problem::Missing);
    }
};

QTEST_GUILESS_MAIN(TestCaptureHelperAccess)
#include "test_capture_helper_access.moc"
