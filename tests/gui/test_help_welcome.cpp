// The empty window's welcome page and the Help menu: the page's buttons do
// what the window's own actions do, it shows only while nothing is open, and
// Help > Keyboard Shortcuts lists the window's real actions and their keys.
#include "capture_helper_check.h"
#include "help_dialogs.h"
#include "main_window.h"
#include "welcome_page.h"

#include <QApplication>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QToolBar>
#include <QTreeWidget>
#include <QtTest>

#include <pcap/pcap.h>

using namespace underhood;

namespace {

QAction* actionWithKey(QWidget* w, const QKeySequence& key)
{
    for (QAction* a : w->findChildren<QAction*>())
        if (a->shortcuts().contains(key))
            return a;
    return nullptr;
}

// Saved when UNDERHOOD_SCREENSHOT_DIR is set, to look at.
void keepPicture(QWidget* w, const QString& name)
{
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(w->grab().save(dir + "/" + name));
}

} // namespace

class TestHelpWelcome : public QObject {
    Q_OBJECT

    MainWindow* w_ = nullptr;
    WelcomePage* page() const { return w_->findChild<WelcomePage*>(); }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("underhood-tests-welcome");
        QCoreApplication::setApplicationVersion("9.8.7");
        QSettings().clear();
        w_ = new MainWindow;
        w_->setQuiet(true);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_));
    }
    void cleanupTestCase()
    {
        delete w_;
        QSettings().clear();
    }

    void welcomeCoversTheEmptyWindow()
    {
        WelcomePage* p = page();
        QVERIFY(p);
        QVERIFY(!w_->session());
        QVERIFY(p->isVisible());
        QCOMPARE(p->geometry(), w_->centralWidget()->rect());
        QVERIFY(p->recentFiles().isEmpty());
        // The demo capture is found beside the program, as once installed.
        QVERIFY2(!WelcomePage::demoPath().isEmpty(), "no share/underhood/demo.pcapng beside bin/");
        // The rights state is the capture helper's diagnosis for this user.
        const CaptureHelperStatus s = checkCaptureHelper();
        const QString rights = p->captureRightsText();
        if (s.problem == CaptureHelperStatus::Problem::None)
            QVERIFY2(rights.contains(s.path), qPrintable(rights));
        else
            QVERIFY2(rights.contains(s.message()), qPrintable(rights));
        keepPicture(w_, "welcome.png");
    }

    void openAndStartButtonsTriggerTheWindowsActions()
    {
        // The actions open modal dialogs: count their triggers instead.
        for (auto [name, key] : {std::pair{"welcomeOpen", QKeySequence(QKeySequence::Open)},
                                 std::pair{"welcomeStart", QKeySequence(Qt::CTRL | Qt::Key_E)}}) {
            QAction* a = actionWithKey(w_, key);
            QVERIFY2(a, name);
            QObject::disconnect(a, &QAction::triggered, nullptr, nullptr);
            QSignalSpy spy(a, &QAction::triggered);
            auto* button = page()->findChild<QPushButton*>(name);
            QVERIFY2(button, name);
            // The button tells the action's shortcut.
            QVERIFY2(button->text().contains(key.toString(QKeySequence::NativeText)), qPrintable(button->text()));
            QTest::mouseClick(button, Qt::LeftButton);
            QCOMPARE(spy.count(), 1);
        }
    }

    void demoOpensThenTheWelcomeReturnsWithRecentFiles()
    {
        auto* demo = page()->findChild<QPushButton*>("welcomeDemo");
        QVERIFY(demo && demo->isEnabled());
        QTest::mouseClick(demo, Qt::LeftButton);
        QVERIFY(w_->session());
        QVERIFY(!page()->isVisible());
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
        QVERIFY(!page()->isVisible());

        // File > Close: the welcome page again, the demo among the recent files.
        QAction* close = actionWithKey(w_, QKeySequence::Close);
        QVERIFY(close);
        close->trigger();
        QVERIFY(!w_->session());
        QVERIFY(page()->isVisible());
        QCOMPARE(page()->recentFiles(), QStringList{WelcomePage::demoPath()});
        auto* recent = page()->findChild<QPushButton*>("welcomeRecent");
        QVERIFY(recent);
        QCOMPARE(recent->toolTip(), WelcomePage::demoPath());
        QTest::mouseClick(recent, Qt::LeftButton);
        QVERIFY(w_->session());
        QVERIFY(!page()->isVisible());
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
        close->trigger();
        QVERIFY(page()->isVisible());
    }

    void shortcutListHasEveryActionsKeys()
    {
        ShortcutsDialog dlg(w_);
        const QList<ShortcutEntry> entries = dlg.entries();
        int with_keys = 0;
        for (const QAction* a : w_->findChildren<QAction*>()) {
            if (a->shortcuts().isEmpty())
                continue;
            ++with_keys;
            const QString keys = a->shortcut().toString(QKeySequence::NativeText);
            const bool listed = std::any_of(entries.begin(), entries.end(), [&](const ShortcutEntry& e) {
                return e.action == actionLabel(a) && e.keys.split(", ").contains(keys);
            });
            QVERIFY2(listed, qPrintable(actionLabel(a) + " " + keys));
            QVERIFY2(!actionLabel(a).isEmpty(), qPrintable(keys));
        }
        QVERIFY(with_keys >= 15); // open, save, close, quit, capture x3, go x4, full screen, filter, find, guide
        // The menu's actions come under their menu's title.
        const auto start = std::find_if(entries.begin(), entries.end(),
                                        [](const ShortcutEntry& e) { return e.action == "Start Capture…"; });
        QVERIFY(start != entries.end());
        QCOMPARE(start->group, QString("Capture"));
        // And the dialog shows each row.
        auto* tree = dlg.findChild<QTreeWidget*>("shortcutList");
        QVERIFY(tree);
        int rows = 0;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            rows += tree->topLevelItem(i)->childCount();
        QCOMPARE(rows, entries.size());
        QVERIFY(entries.size() > with_keys); // the views' own keys too
        dlg.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dlg));
        keepPicture(&dlg, "shortcuts.png");
    }

    void shortcutListFollowsTheActions()
    {
        QAction* start = actionWithKey(w_, QKeySequence(Qt::CTRL | Qt::Key_E));
        QVERIFY(start);
        const QKeySequence other(Qt::CTRL | Qt::SHIFT | Qt::Key_K);
        start->setShortcut(other);
        const QList<ShortcutEntry> entries = ShortcutsDialog(w_).entries();
        start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
        const auto row = std::find_if(entries.begin(), entries.end(),
                                      [&](const ShortcutEntry& e) { return e.action == actionLabel(start); });
        QVERIFY(row != entries.end());
        QCOMPARE(row->keys, other.toString(QKeySequence::NativeText));
    }

    void helpMenuOpensTheShortcutList()
    {
        QAction* shortcuts = w_->findChild<QAction*>("shortcutsAction");
        QVERIFY(shortcuts);
        shortcuts->trigger();
        auto* dlg = w_->findChild<ShortcutsDialog*>();
        QVERIFY(dlg && dlg->isVisible());
        dlg->close();
    }

    void toolbarTooltipsShowShortcuts()
    {
        int checked = 0;
        for (QToolBar* bar : w_->findChildren<QToolBar*>())
            for (QAction* a : bar->actions()) {
                if (a->shortcut().isEmpty())
                    continue;
                const QString key = a->shortcut().toString(QKeySequence::NativeText);
                QVERIFY2(a->toolTip().endsWith("(" + key + ")"), qPrintable(a->toolTip()));
                ++checked;
            }
        QVERIFY(checked >= 5);
    }

    void userGuideCoversTheWindow()
    {
        QAction* guide = w_->findChild<QAction*>("userGuideAction");
        QVERIFY(guide);
        QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
        guide->trigger();
        auto* dlg = w_->findChild<UserGuideDialog*>();
        QVERIFY(dlg && dlg->isVisible());
        const QString text = dlg->guideText();
        for (const char* part : {"First steps", "Live capture and capture rights", "usermod -aG underhood",
                                 "The host graph", "Filters", "The Drops panel"})
            QVERIFY2(text.contains(part), part);
        keepPicture(dlg, "user-guide.png");
        dlg->close();
    }

    void aboutNamesVersionsAndLicence()
    {
        const QString about = aboutText();
        QVERIFY2(about.contains("Underhood 9.8.7"), qPrintable(about));
        QVERIFY2(about.contains(QString("Qt ") + qVersion()), qPrintable(about));
        QVERIFY2(about.contains(QString::fromLatin1(pcap_lib_version())), qPrintable(about));
        QVERIFY2(about.contains("GPL-3.0-or-later"), qPrintable(about));
    }
};

QTEST_MAIN(TestHelpWelcome)
#include "test_help_welcome.moc"
