#include "anonymise_mode.h"
#include "packet_choice.h"

#include "anonymised_export.h"
#include "capture_session.h"
#include "display_anonymizer.h"
#include "packet_list_model.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>
#include <QWidget>

#include <algorithm>
#include <optional>

namespace underhood {

namespace {

// A key shown masked, as a password is: a projector shows the screen to a
// class that should not be able to map the pseudonyms back. "Show" reveals it.
QWidget* maskedKeyField(const QString& text, bool read_only, QLineEdit** edit_out)
{
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    auto* edit = new QLineEdit(text);
    edit->setObjectName("anonymiseKeyEdit");
    edit->setEchoMode(QLineEdit::Password);
    edit->setReadOnly(read_only);
    edit->setMinimumWidth(edit->fontMetrics().horizontalAdvance(QString(64, QChar('0'))) + 16);
    auto* show = new QCheckBox(QObject::tr("Show"));
    show->setObjectName("anonymiseKeyShow");
    QObject::connect(show, &QCheckBox::toggled, edit,
                     [edit](bool on) { edit->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password); });
    auto* copy = new QPushButton(QObject::tr("Copy"));
    copy->setToolTip(QObject::tr("Copy the key to the clipboard without showing it"));
    QObject::connect(copy, &QPushButton::clicked, edit, [edit] { QApplication::clipboard()->setText(edit->text()); });
    row->addWidget(edit, 1);
    row->addWidget(show);
    row->addWidget(copy);
    if (edit_out)
        *edit_out = edit;
    return box;
}

bool all_zero(const Anonymizer::Key& k)
{
    return std::all_of(k.begin(), k.end(), [](uint8_t b) { return b == 0; });
}

} // namespace

AnonymiseMode::AnonymiseMode(QWidget* window, PacketListModel* packets)
    : QObject(window), window_(window), packets_(packets)
{
    toggle_ = new QAction(tr("&Anonymise"), this);
    toggle_->setObjectName("anonymise");
    toggle_->setCheckable(true);
    toggle_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    toggle_->setStatusTip(tr("Show pseudonyms for every address and name, and hide packet bytes (Ctrl+Shift+A)"));
    connect(toggle_, &QAction::toggled, this, [this] { emitChanged(); });

    key_action_ = new QAction(tr("Anonymise &Key…"), this);
    key_action_->setObjectName("anonymiseKey");
    connect(key_action_, &QAction::triggered, this, &AnonymiseMode::keyDialog);

    vendor_ = new QAction(tr("Anonymise: Keep MAC &Vendors"), this);
    vendor_->setObjectName("anonymiseKeepVendor");
    vendor_->setCheckable(true);
    vendor_->setChecked(QSettings().value("anonymise/keepVendor", false).toBool());
    connect(vendor_, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue("anonymise/keepVendor", on);
        rebuild();
    });

    export_ = new QAction(tr("Export A&nonymised…"), this);
    export_->setObjectName("exportAnonymised");
    export_->setEnabled(false);
    connect(export_, &QAction::triggered, this, &AnonymiseMode::exportDialog);

    key_text_ = QSettings().value("anonymise/key").toString();
}

bool AnonymiseMode::isOn() const { return toggle_->isChecked(); }

void AnonymiseMode::setOn(bool on) { toggle_->setChecked(on); }

void AnonymiseMode::setSession(CaptureSession* session)
{
    session_ = session;
    have_key_ = false;
    export_->setEnabled(session != nullptr);
    rebuild();
}

void AnonymiseMode::setKeepVendor(bool keep) { vendor_->setChecked(keep); }

bool AnonymiseMode::setKeyText(const QString& text, bool remember)
{
    Anonymizer::Key k{};
    if (!text.isEmpty() && !Anonymizer::parse_key(text.toStdString(), k))
        return false;
    key_text_ = text;
    if (remember)
        QSettings().setValue("anonymise/key", text);
    have_key_ = false;
    rebuild();
    return true;
}

QString AnonymiseMode::keyHex() const
{
    return anon_ ? QString::fromStdString(Anonymizer::key_hex(anon_->key())) : QString();
}

void AnonymiseMode::rebuild()
{
    if (!session_) {
        anon_.reset();
        emitChanged();
        return;
    }
    if (!have_key_) {
        // A set key makes every capture map as underhood-cli anonymize --key
        // does; without one each capture gets its own, so two captures shown
        // one after the other cannot be matched host by host.
        key_warning_.clear();
        if (key_text_.isEmpty()) {
            try {
                key_ = Anonymizer::random_key();
            } catch (const std::exception& e) {
                key_ = {};
                key_warning_ = tr("No random key could be made (%1): the pseudonyms use an all-zero key, which "
                                  "anyone can use to map them back. Set a key with View > Anonymise Key…")
                                   .arg(QString::fromLocal8Bit(e.what()));
            }
        } else if (!Anonymizer::parse_key(key_text_.toStdString(), key_)) {
            key_ = {};
            key_warning_ = tr("The saved anonymise key cannot be read: the pseudonyms use an all-zero key, which "
                              "anyone can use to map them back. Set a key with View > Anonymise Key…");
        }
        if (key_warning_.isEmpty() && all_zero(key_))
            key_warning_ = tr("The anonymise key is all zeros: anyone can use it to map the pseudonyms back. "
                              "Set another with View > Anonymise Key…");
        have_key_ = true;
    }
    anon_ = std::make_shared<DisplayAnonymizer>(key_, vendor_->isChecked());
    emitChanged();
}

void AnonymiseMode::emitChanged()
{
    emit changed(isOn() ? anon_ : nullptr);
    if (isOn() && anon_ && !key_warning_.isEmpty())
        emit warning(key_warning_);
}

QDialog* AnonymiseMode::makeKeyDialog()
{
    auto* dlg = new QDialog(window_);
    dlg->setObjectName("anonymiseKeyDialog");
    dlg->setWindowTitle(tr("Anonymise Key"));
    auto* lay = new QVBoxLayout(dlg);
    auto* about = new QLabel(
        tr("The key that chooses the pseudonyms: 64 hex digits or a passphrase, as underhood-cli anonymize --key.\n"
           "The same key gives the same pseudonyms, on screen and in exported files.\n"
           "Leave it empty for a new random key for each capture."));
    about->setWordWrap(true);
    lay->addWidget(about);
    QLineEdit* edit = nullptr;
    lay->addWidget(maskedKeyField(key_text_.isEmpty() ? keyHex() : key_text_, false, &edit));
    if (!key_warning_.isEmpty()) {
        auto* warn = new QLabel("⚠ " + key_warning_);
        warn->setObjectName("anonymiseKeyWarning");
        warn->setWordWrap(true);
        lay->addWidget(warn);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, dlg, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
    lay->addWidget(buttons);
    connect(dlg, &QDialog::accepted, this, [this, edit] {
        const QString text = edit->text().trimmed();
        // The random key shown and accepted as it was stays this capture's, not a setting.
        if (key_text_.isEmpty() && text == keyHex())
            return;
        if (!setKeyText(text))
            QMessageBox::warning(window_, tr("Anonymise Key"), tr("That key cannot be used."));
    });
    return dlg;
}

void AnonymiseMode::keyDialog()
{
    QDialog* dlg = makeKeyDialog();
    dlg->exec();
    delete dlg;
}

bool AnonymiseMode::exportTo(const QString& path, const QVector<quint64>* numbers, QString* error)
{
    if (!session_ || !anon_) {
        if (error)
            *error = tr("no capture is open");
        return false;
    }
    QProgressDialog dlg(tr("Exporting anonymised…"), tr("Cancel"), 0, 100, window_);
    dlg.setWindowModality(Qt::WindowModal);
    dlg.setMinimumDuration(300);
    const bool ok = export_anonymised(session_->engine(), numbers, path, *anon_, error, [&](int pct) {
        dlg.setValue(pct);
        QApplication::processEvents();
        return !dlg.wasCanceled();
    });
    dlg.setValue(100);
    return ok;
}

void AnonymiseMode::exportDialog()
{
    if (!session_)
        return;
    const QString path = QFileDialog::getSaveFileName(window_, tr("Export Anonymised"),
                                                      QSettings().value("files/lastDir").toString(),
                                                      tr("pcapng (*.pcapng)"));
    if (path.isEmpty())
        return;
    // As Save As: the displayed or the marked packets may be what is meant.
    const std::optional<QVector<quint64>> shown =
        choosePackets(window_, *packets_, tr("Export Anonymised"), tr("Which packets should be exported?"));
    QString err;
    if (!exportTo(path, shown ? &*shown : nullptr, &err)) {
        last_error_ = tr("Cannot export %1: %2").arg(path, err);
        if (!quiet_)
            QMessageBox::warning(window_, tr("Export Anonymised"), last_error_);
        return;
    }
    last_error_.clear();
    if (!quiet_ && key_text_.isEmpty()) {
        // Without the key nobody can map another file the same way; masked, as it may be on a projector.
        QDialog dlg(window_);
        dlg.setWindowTitle(tr("Export Anonymised"));
        auto* lay = new QVBoxLayout(&dlg);
        lay->addWidget(new QLabel(tr("Exported %1.\n\nKey (to map other files the same way):").arg(path)));
        lay->addWidget(maskedKeyField(keyHex(), true, nullptr));
        if (!key_warning_.isEmpty()) {
            auto* warn = new QLabel("⚠ " + key_warning_);
            warn->setWordWrap(true);
            lay->addWidget(warn);
        }
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok);
        connect(buttons, &QDialogButtonBox::accepted, &dlg, &QDialog::accept);
        lay->addWidget(buttons);
        dlg.exec();
    }
}

} // namespace underhood
