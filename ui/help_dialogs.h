// The Help menu: the user guide, the keyboard shortcuts (read from the
// window's own actions, so the list cannot drift from what the keys do) and
// About with the versions and the licence.
#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QAction;
class QMenu;
class QTextBrowser;
class QTreeWidget;

namespace underhood {

struct ShortcutEntry {
    QString group;  // the menu ("File", "Capture", ...) or the view the keys work in
    QString action; // what the key does, as the menu says it
    QString keys;   // every key sequence, in the desktop's notation, comma-separated
};

// Every action of `window` (and of its children) that has a shortcut: the
// menu bar's actions under their menu's title, in menu order, then the others
// grouped by where they work. Read at call time from the QActions themselves.
QList<ShortcutEntry> actionShortcuts(const QWidget* window);

// An action's name as the list shows it: its text without the mnemonic, or
// for a keyboard-only action the name of its standard key ("Copy").
QString actionLabel(const QAction* a);

// Keys that views handle themselves rather than through actions (the host
// graph, the find bar, the hex view).
QList<ShortcutEntry> viewKeys();

// Help > Keyboard Shortcuts.
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(QWidget* window, QWidget* parent = nullptr);
    // The rows shown: the window's actions, then the views' keys.
    QList<ShortcutEntry> entries() const { return entries_; }

private:
    QTreeWidget* tree_;
    QList<ShortcutEntry> entries_;
};

// Help > User Guide: the guide bundled with the app, shown as rich text.
class UserGuideDialog : public QDialog {
    Q_OBJECT
public:
    explicit UserGuideDialog(QWidget* parent = nullptr);
    QString guideText() const; // the guide's plain text, as shown
    static QString guideMarkdown();

private:
    QTextBrowser* browser_;
};

// About's text: the version, Qt's and libpcap's versions, the licence.
QString aboutText();

// Fills the Help menu of `window`: User Guide (F1), Keyboard Shortcuts, About.
void populateHelpMenu(QMenu* help, QWidget* window);

// Toolbar buttons' tooltips name their action's shortcut ("Open… (Ctrl+O)").
void showShortcutsInToolTips(QWidget* window);

} // namespace underhood
