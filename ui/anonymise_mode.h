// View > Anonymise and File > Export Anonymised: one pseudonym key per open
// capture (random, or the one the teacher set so the screen matches a file
// exported elsewhere with it), the actions, and the views told when the
// mode changes. The views do the replacing where they make their text
// (models/display_anonymizer.h); the stored packets never change.
#pragma once

#include "anonymize.h"

#include <QObject>
#include <QPointer>
#include <QVector>

#include <memory>

class QAction;
class QDialog;
class QWidget;

namespace underhood {

class CaptureSession;
class DisplayAnonymizer;
class PacketListModel;

class AnonymiseMode : public QObject {
    Q_OBJECT
public:
    // `window` parents the dialogs; `packets` says which packets are displayed and marked.
    AnonymiseMode(QWidget* window, PacketListModel* packets);

    // View > Anonymise (checkable).
    QAction* toggleAction() const { return toggle_; }
    // View > Anonymise Key…: the key of this and later captures.
    QAction* keyAction() const { return key_action_; }
    // View > Keep MAC Vendors (checkable, remembered), as --keep-vendor.
    QAction* vendorAction() const { return vendor_; }
    // File > Export Anonymised…
    QAction* exportAction() const { return export_; }

    // A capture was opened (null: closed): a key of its own, unless one is set.
    void setSession(CaptureSession* session);
    bool isOn() const;
    void setOn(bool on);
    // The mapping the views use while on; the export uses it either way.
    std::shared_ptr<DisplayAnonymizer> anonymizer() const { return anon_; }
    // 64 hex digits or a passphrase, as underhood-cli anonymize --key; empty:
    // a random key per capture. `remember` keeps it in the settings.
    bool setKeyText(const QString& text, bool remember = true);
    QString keyText() const { return key_text_; }
    // The key of the open capture, as 64 hex digits (empty without a capture).
    QString keyHex() const;
    void setKeepVendor(bool keep);

    // Why the key in use is not a good one (the system's random source
    // failed, the saved key cannot be read, an all-zero key), empty when it
    // is; said in the status bar and the key dialog, never silently.
    QString keyWarning() const { return key_warning_; }
    // The dialog View > Anonymise Key… opens (the caller runs and deletes
    // it): the key masked, with a Show toggle; tests look at it.
    QDialog* makeKeyDialog();

    // Writes the capture (or `numbers`) anonymised with the views' mapping.
    bool exportTo(const QString& path, const QVector<quint64>* numbers, QString* error);
    // Shown in dialogs; tests read it.
    QString lastError() const { return last_error_; }
    void setQuiet(bool quiet) { quiet_ = quiet; }

signals:
    // The views' mapping changed: null when off.
    void changed(std::shared_ptr<DisplayAnonymizer> anonymizer);
    // A key warning (keyWarning()) for the status bar.
    void warning(const QString& text);

private:
    void rebuild(); // a new mapping (new capture, key or vendor choice)
    void emitChanged();
    void keyDialog();
    void exportDialog();

    QWidget* window_;
    PacketListModel* packets_;
    QPointer<CaptureSession> session_;
    QAction *toggle_, *key_action_, *vendor_, *export_;
    QString key_text_; // as set; empty: random
    Anonymizer::Key key_{};
    bool have_key_ = false;
    std::shared_ptr<DisplayAnonymizer> anon_;
    QString last_error_;
    QString key_warning_;
    bool quiet_ = false;
};

} // namespace underhood
