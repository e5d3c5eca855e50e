// A lesson is an ordinary pcapng file: packet comments are the captions,
// marks are comments starting with ★, and both survive Save As so that
// tshark (frame.comment) and the app read them back. Presentation mode shows
// the graph, its caption and timeline and a compact list in large type.
// With UNDERHOOD_SCREENSHOT_DIR set it saves presentation mode at 1280x720
// in the light and the dark theme, on a DNS query with its caption.
#include "capture_saver.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "legend_strip.h"
#include "main_window.h"
#include "packet_list_model.h"
#include "packet_list_view.h"

#include <QAction>
#include <QDockWidget>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolBar>
#include <QtTest>

#include <map>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");

QByteArray run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(120000);
    return p.readAllStandardOutput();
}

bool open_quiet(MainWindow& w, const QString& file)
{
    w.setQuiet(true);
    // Read, and the list filled (the window hears of the end on its next update).
    return w.openFile(file) && QTest::qWaitFor([&] {
        return w.session() && !w.session()->isRunning() && w.packetModel()->rowCount() > 0;
    }, 60000);
}

} // namespace

class TestLesson : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void commentsAreCaptionsAndSurviveSaveAs();
    void presentationMode();

private:
    QTemporaryDir dir_;
};

void TestLesson::initTestCase()
{
    QVERIFY(dir_.isValid());
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_lesson");
}

void TestLesson::commentsAreCaptionsAndSurviveSaveAs()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    const QString saved = dir_.filePath("lesson.pcapng");
    const QString caption = QString::fromUtf8("The laptop asks the router for api.fabrikam.org — «DNS» ✓");
    {
        MainWindow w;
        w.setSaver(save_capture);
        QVERIFY(open_quiet(w, kDemo));
        w.packetView()->selectNumber(1);
        QVERIFY(w.setPacketComment(1, caption));
        QCOMPARE(w.graphPane()->captionText(), caption); // the current packet's caption
        w.packetView()->selectNumber(3);
        QCOMPARE(w.graphPane()->captionText(), w.packetComment(3)); // its own comment, if the demo has one
        // A mark is a comment starting with ★.
        w.findChild<QAction*>("markPacket")->trigger();
        QVERIFY(w.packetModel()->isMarked(3));
        QVERIFY(w.packetComment(3).startsWith(QString::fromUtf8("★")));
        w.packetView()->selectNumber(1);
        QCOMPARE(w.graphPane()->captionText(), caption);
        // Closing asks, because comments would be lost; Save writes the file.
        QStringList questions;
        w.setUnsavedAnswer([&](const QString& q) {
            questions << q;
            MainWindow::UnsavedAnswer a;
            a.choice = MainWindow::UnsavedChoice::Save;
            a.path = saved;
            return a;
        });
        QVERIFY(w.close());
        QCOMPARE(questions.size(), 1);
        QVERIFY2(questions.first().contains("comments"), qPrintable(questions.first()));
    }
    QVERIFY(QFileInfo(saved).size() > 0);
    // tshark reads the comments where they were written.
    // The demo is a lesson already: its own comments stay, ours are added.
    auto comments = [](const QString& file) {
        std::map<QString, QString> m;
        for (const QByteArray& l : run("tshark", {"-n", "-r", file, "-Y", "frame.comment", "-T", "fields", "-e",
                                                  "frame.number", "-e", "frame.comment"})
                                       .split('\n'))
            if (const int tab = int(l.indexOf('\t')); tab > 0)
                m[QString::fromUtf8(l.left(tab))] = QString::fromUtf8(l.mid(tab + 1));
        return m;
    };
    std::map<QString, QString> expected = comments(kDemo);
    expected["1"] = caption;
    expected["3"] = expected.count("3") ? QString::fromUtf8("★ ") + expected["3"] : QString::fromUtf8("★");
    const QByteArray ts = run("tshark", {"-n", "-r", saved, "-Y", "frame.comment", "-T", "fields", "-e", "frame.number",
                                         "-e", "frame.comment"});
    QVERIFY(comments(saved) == expected);
    // underhood-cli prints the same.
    const QByteArray cli = run(kCli, {"fields", "-Y", "frame.comment", "-e", "frame.number", "-e", "frame.comment", saved});
    QCOMPARE(QString::fromUtf8(cli), QString::fromUtf8(ts));
    // Opened again: the caption is back, and the ★ comment is a mark again.
    MainWindow w;
    QVERIFY(open_quiet(w, saved));
    QTRY_VERIFY_WITH_TIMEOUT(w.packetModel()->isMarked(3), 5000); // once the window has heard the file is read
    QVERIFY(!w.packetModel()->isMarked(1));
    w.packetView()->selectNumber(1);
    QCOMPARE(w.graphPane()->captionText(), caption);
    // Unmarking takes the ★ away again.
    w.packetView()->selectNumber(3);
    w.findChild<QAction*>("markPacket")->trigger();
    QVERIFY(!w.packetComment(3).startsWith(QString::fromUtf8("★")));
    QCOMPARE(w.packetComment(3), comments(kDemo).count("3") ? comments(kDemo)["3"] : QString());
    w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
}

void TestLesson::presentationMode()
{
    for (const QString theme : {"light", "dark"}) {
        MainWindow w(QSize(1280, 720));
        w.applyTheme(theme);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(open_quiet(w, kDemo));
        HostGraphPane* graph = w.graphPane();
        QVERIFY(graph->waitForScene(10000));
        const QFont before = w.packetView()->font();
        const QStringList default_panes{"list", "caption", "timeline"};
        w.setPresentationPanes(default_panes);
        w.setPresentationScale(200, false);
        w.findChild<QAction*>("presentation")->trigger();
        QVERIFY(w.presenting());
        // Only the graph, its caption and timeline, and the list remain.
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            QVERIFY2(!d->isVisible(), qPrintable(d->objectName()));
        for (QToolBar* tb : w.findChildren<QToolBar*>())
            QVERIFY(!tb->isVisible());
        QVERIFY(w.packetView()->isColumnHidden(PacketListModel::Length));
        QVERIFY(QFontInfo(w.packetView()->font()).pointSizeF() >= 1.9 * QFontInfo(before).pointSizeF());
        QTRY_VERIFY_WITH_TIMEOUT(graph->height() > w.height() / 2, 5000);
        QVERIFY(!graph->controls()->isVisible());
        // The legend leaves the drawing for a row of its own, naming the scene's protocols.
        auto* legend = dynamic_cast<LegendStrip*>(graph->legendStrip());
        QVERIFY(legend && legend->isVisible());
        QVERIFY(!graph->view()->viewState().legend);
        QStringList in_scene, in_legend;
        for (const auto& [proto, packets] : graph->view()->scene().protocols)
            in_scene << GraphRenderer::protocolName(proto);
        for (const LegendStrip::Entry& e : legend->entries())
            in_legend << e.name;
        QVERIFY(!in_scene.isEmpty());
        QCOMPARE(in_legend, in_scene);
        QVERIFY(legend->geometry().bottom() <= graph->view()->geometry().top());
        // A click on an entry hides that protocol, as the legend in the graph does.
        const int hidden_proto = legend->entries().front().proto;
        QTest::mouseClick(legend, Qt::LeftButton, {}, QPoint(12, legend->height() / 2));
        QVERIFY(graph->options().hidden.test(size_t(hidden_proto)));
        QTest::mouseClick(legend, Qt::LeftButton, {}, QPoint(12, legend->height() / 2));
        QVERIFY(!graph->options().hidden.test(size_t(hidden_proto)));
        // The teacher's own choice of panes: the details and the timeline, no list.
        w.setPresentationPanes({"detailsDock", "timeline"});
        QVERIFY(w.findChild<QDockWidget*>("detailsDock")->isVisible());
        QVERIFY(!w.packetView()->isVisible());
        QVERIFY(graph->timeline()->isVisible());
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            QCOMPARE(d->isVisible(), d->objectName() == "detailsDock");
        w.setPresentationPanes(default_panes);
        QVERIFY(w.packetView()->isVisible());
        // A DNS query with its caption, as a class would see it.
        w.setPacketComment(1, "The laptop asks the router: where is api.fabrikam.org?");
        graph->transport()->setSpeed(0.1);
        graph->goToPacket(1);
        QVERIFY(graph->waitForScene(10000));
        QVERIFY(QTest::qWaitFor([&] { return !graph->captionText().isEmpty(); }, 5000));
        QVERIFY(graph->isVisible());
        if (const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR"); !dir.isEmpty()) {
            QTest::qWait(900); // the token part way along its link
            QVERIFY(w.grab().save(dir + "/presentation-" + theme + ".png"));
        }
        // F5 again: the everyday window comes back.
        w.findChild<QAction*>("presentation")->trigger();
        QVERIFY(!w.presenting());
        QVERIFY(!w.packetView()->isColumnHidden(PacketListModel::Length));
        QVERIFY(graph->controls()->isVisible());
        QVERIFY(!legend->isVisible());
        QVERIFY(graph->view()->viewState().legend);
        QCOMPARE(QFontInfo(w.packetView()->font()).pointSizeF(), QFontInfo(before).pointSizeF());
        w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
        QVERIFY(w.close());
    }
}

QTEST_MAIN(TestLesson)
#include "test_lesson.moc"
