#include "help_dialogs.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSet>
#include <QTextBrowser>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <pcap/pcap.h>

#include <algorithm>
#include <utility>

namespace underhood {

namespace {

QString plainText(const QAction* a)
{
    QString t = a->text();
    if (t.isEmpty()) {
        // Keyboard-only actions (a table's Copy) have no text: name them by their standard key.
        static const std::pair<QKeySequence::StandardKey, const char*> kNames[] = {
            {QKeySequence::Copy, "Copy"},   {QKeySequence::Cut, "Cut"},     {QKeySequence::Paste, "Paste"},
            {QKeySequence::SelectAll, "Select All"}, {QKeySequence::Delete, "Delete"}, {QKeySequence::Find, "Find"},
        };
        for (const auto& [key, name] : kNames)
            if (!a->shortcut().isEmpty() && QKeySequence::keyBindings(key).contains(a->shortcut()))
                return QApplication::translate("Shortcuts", name);
        return a->objectName();
    }
    // "&&" is a literal ampersand, a single one marks the mnemonic.
    t.replace("&&", QChar(0x1));
    t.remove('&');
    t.replace(QChar(0x1), "&");
    return t;
}

QString keysOf(const QAction* a)
{
    QStringList keys;
    for (const QKeySequence& k : a->shortcuts())
        if (!k.isEmpty())
            keys << k.toString(QKeySequence::NativeText);
    return keys.join(", ");
}

void walkMenu(const QMenu* menu, const QString& group, QList<ShortcutEntry>& out, QSet<const QAction*>& seen)
{
    for (const QAction* a : menu->actions()) {
        if (a->isSeparator())
            continue;
        if (a->menu()) {
            walkMenu(a->menu(), group, out, seen);
            continue;
        }
        seen.insert(a);
        const QString keys = keysOf(a);
        if (!keys.isEmpty())
            out.append({group, plainText(a), keys});
    }
}

// Where an action outside the menus works: its dock's title ("Hosts"), else the window.
QString contextOf(const QAction* a)
{
    for (const QObject* o = a->parent(); o; o = o->parent())
        if (const auto* dock = qobject_cast<const QDockWidget*>(o))
            return dock->windowTitle();
    return QApplication::translate("Shortcuts", "Window");
}

} // namespace

QString actionLabel(const QAction* a) { return plainText(a); }

QList<ShortcutEntry> actionShortcuts(const QWidget* window)
{
    QList<ShortcutEntry> out;
    QSet<const QAction*> seen;
    if (const auto* mw = qobject_cast<const QMainWindow*>(window)) {
        for (const QAction* top : mw->menuBar()->actions())
            if (top->menu())
                walkMenu(top->menu(), plainText(top), out, seen);
    }
    // The same key for the same thing in several places (Copy in each table) is one row.
    QList<std::pair<ShortcutEntry, QStringList>> others;
    for (const QAction* a : window->findChildren<QAction*>()) {
        if (seen.contains(a) || a->isSeparator())
            continue;
        seen.insert(a);
        const QString keys = keysOf(a);
        if (keys.isEmpty())
            continue;
        const ShortcutEntry e{QString(), plainText(a), keys};
        auto same = std::find_if(others.begin(), others.end(), [&](const auto& o) {
            return o.first.action == e.action && o.first.keys == e.keys;
        });
        if (same == others.end())
            others.append({e, {contextOf(a)}});
        else if (!same->second.contains(contextOf(a)))
            same->second << contextOf(a);
    }
    for (auto& [e, contexts] : others) {
        contexts.sort();
        out.append({contexts.join(", "), e.action, e.keys});
    }
    return out;
}

QList<ShortcutEntry> viewKeys()
{
    auto tr = [](const char* s) { return QApplication::translate("Shortcuts", s); };
    const QString graph = tr("Host graph"), find = tr("Find bar"), hex = tr("Bytes (hex view)");
    return {
        {graph, tr("Zoom in / out"), "+, -"},
        {graph, tr("Pan"), tr("Arrow keys")},
        {graph, tr("Fit everything in view"), "F, Home, 0"},
        {graph, tr("Pause or resume the animation"), tr("Space")},
        {graph, tr("Clear the node highlight"), tr("Esc")},
        {find, tr("Next match"), tr("Enter")},
        {find, tr("Previous match"), tr("Shift+Enter")},
        {find, tr("Close the find bar"), tr("Esc")},
        {hex, tr("Move the cursor"), tr("Arrow keys, Page Up, Page Down, Home, End")},
        {hex, tr("First byte"), tr("Ctrl+Home")},
        {hex, tr("Select bytes"), tr("Shift with the keys above")},
    };
}

ShortcutsDialog::ShortcutsDialog(QWidget* window, QWidget* parent) : QDialog(parent)
{
    setObjectName("shortcutsDialog");
    setWindowTitle(tr("Keyboard Shortcuts"));
    entries_ = actionShortcuts(window) + viewKeys();
    tree_ = new QTreeWidget;
    tree_->setObjectName("shortcutList");
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Action"), tr("Shortcut")});
    tree_->setRootIsDecorated(false);
    tree_->setUniformRowHeights(true);
    tree_->setSelectionMode(QAbstractItemView::NoSelection);
    tree_->setFocusPolicy(Qt::NoFocus);
    QTreeWidgetItem* group = nullptr;
    for (const ShortcutEntry& e : entries_) {
        if (!group || group->text(0) != e.group) {
            group = new QTreeWidgetItem(tree_, {e.group});
            QFont f = group->font(0);
            f.setBold(true);
            group->setFont(0, f);
            group->setFirstColumnSpanned(true);
        }
        new QTreeWidgetItem(group, {e.action, e.keys});
    }
    tree_->expandAll();
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->header()->setStretchLastSection(false);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addWidget(tree_);
    lay->addWidget(buttons);
    resize(560, 640);
}

UserGuideDialog::UserGuideDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName("userGuideDialog");
    setWindowTitle(tr("Underhood User Guide"));
    browser_ = new QTextBrowser;
    browser_->setOpenExternalLinks(true);
    browser_->setMarkdown(guideMarkdown());
    browser_->document()->setDocumentMargin(16);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addWidget(browser_);
    lay->addWidget(buttons);
    resize(760, 720);
}

QString UserGuideDialog::guideMarkdown()
{
    QFile f(":/underhood/guide/user-guide.md");
    if (!f.open(QIODevice::ReadOnly))
        return tr("The user guide is missing from this build.");
    return QString::fromUtf8(f.readAll());
}

QString UserGuideDialog::guideText() const { return browser_->toPlainText(); }

QString aboutText()
{
    return QApplication::translate(
               "About",
               "<h3>Underhood %1</h3>"
               "<p>A network analyzer for the Linux desktop: see your network, open captures, find where packets "
               "are lost.</p>"
               "<p>Qt %2 (built with %3)<br>%4</p>"
               "<p>Licence: %5. Underhood is free software: you may share and change it under the terms of the "
               "GNU General Public License, version 3 or later. It comes with no warranty.</p>")
        .arg(QApplication::applicationVersion().toHtmlEscaped(), QString::fromLatin1(qVersion()),
             QStringLiteral(QT_VERSION_STR), QString::fromLatin1(pcap_lib_version()).toHtmlEscaped(),
             QStringLiteral(UNDERHOOD_LICENSE));
}

void populateHelpMenu(QMenu* help, QWidget* window)
{
    QAction* guide = help->addAction(QApplication::translate("Help", "&User Guide"));
    guide->setShortcut(QKeySequence::HelpContents);
    guide->setObjectName("userGuideAction");
    QObject::connect(guide, &QAction::triggered, window, [window] {
        // One guide window, raised again when asked for again.
        auto* dlg = window->findChild<UserGuideDialog*>();
        if (!dlg) {
            dlg = new UserGuideDialog(window);
            dlg->setModal(false);
        }
        dlg->show();
        dlg->raise();
        dlg->activateWindow();
    });
    QAction* keys = help->addAction(QApplication::translate("Help", "&Keyboard Shortcuts"));
    keys->setObjectName("shortcutsAction");
    QObject::connect(keys, &QAction::triggered, window, [window] {
        // Built anew each time: the list is what the actions say now.
        delete window->findChild<ShortcutsDialog*>();
        auto* dlg = new ShortcutsDialog(window, window);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        dlg->show();
    });
    help->addSeparator();
    QAction* about = help->addAction(QApplication::translate("Help", "&About Underhood"));
    about->setObjectName("aboutAction");
    QObject::connect(about, &QAction::triggered, window, [window] {
        QMessageBox::about(window, QApplication::translate("Help", "About Underhood"), aboutText());
    });
    help->addAction(QApplication::translate("Help", "About &Qt"), qApp, &QApplication::aboutQt);
}

void showShortcutsInToolTips(QWidget* window)
{
    for (QToolBar* bar : window->findChildren<QToolBar*>())
        for (QAction* a : bar->actions()) {
            const QString keys = keysOf(a);
            if (keys.isEmpty() || a->isSeparator())
                continue;
            QString text = plainText(a);
            if (text.endsWith(QChar(0x2026)))
                text.chop(1);
            a->setToolTip(QString("%1 (%2)").arg(text, keys.section(", ", 0, 0)));
        }
}

} // namespace underhood
