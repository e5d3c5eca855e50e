// What an empty window shows: open a file, open the demo capture, start a
// capture (saying whether this user may), and the recent files. It covers
// the window's central area while no capture or file is open.
#pragma once

#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace underhood {

class MainWindow;

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    // `open` and `start` are the window's File > Open and Capture > Start
    // actions: the page's buttons trigger them and show their shortcuts.
    WelcomePage(MainWindow* window, QAction* open, QAction* start);

    // The bundled demo capture: share/underhood beside the program's bin/
    // (the build tree has the same layout). Empty when it is not there.
    static QString demoPath();
    // What the page says about live capture rights, as shown.
    QString captureRightsText() const;
    // The recent files listed, newest first.
    QStringList recentFiles() const { return recent_; }
    // Reads the recent files and the capture rights again.
    void refresh();

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;
    void showEvent(QShowEvent* e) override;

private:
    void follow();

    QPointer<MainWindow> window_;
    QPushButton* open_button_;
    QPushButton* demo_button_;
    QPushButton* start_button_;
    QLabel* rights_;
    QLabel* recent_title_;
    QWidget* recent_box_;
    QVBoxLayout* recent_layout_;
    QStringList recent_;
};

} // namespace underhood
