// Follow TCP/UDP Stream: one conversation's payload as the two ends
// exchanged it, each end in its own colour, shown as ASCII, UTF-8, a hex
// dump, C arrays or raw hex. The stream is read on a worker thread; while a
// capture runs, the dialog keeps reading the packets that arrive, so the
// conversation grows on screen.
#pragma once

#include "follow_stream.h"

#include <QDialog>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace underhood {

class DisplayAnonymizer;
class IngestEngine;

class FollowStreamDialog : public QDialog {
    Q_OBJECT
public:
    enum class View { Ascii, Utf8, HexDump, CArray, Raw };
    enum class Direction { Both, ClientToServer, ServerToClient };

    // `running` says whether the capture still grows (a live capture, a
    // pipe): the dialog reads on while it does.
    FollowStreamDialog(std::shared_ptr<IngestEngine> engine, std::function<bool()> running, QWidget* parent = nullptr);
    ~FollowStreamDialog() override;

    // Follows stream `stream` of `protocol`.
    void followStream(FollowProtocol protocol, uint32_t stream);
    // Follows the stream packet `number` belongs to (found on the worker).
    void followPacket(FollowProtocol protocol, uint64_t number);

    void setView(View v);
    void setDirection(Direction d);
    void setDechunk(bool on);
    // View > Anonymise (null: off): the payload is hidden (a sentence says
    // so), the endpoints are shown by their pseudonyms and nothing is saved.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);
    // Selects the next match of `text` after the cursor (wrapping); false when none.
    bool find(const QString& text);
    // Writes the payload of the chosen direction (both: in the order it
    // flowed), without gap notes; false with `error` set when it cannot.
    bool saveTo(const QString& path, QString* error = nullptr) const;

    // For tests and screenshots.
    QString text() const;
    QString endpointsText() const;
    uint32_t stream() const { return stream_; }
    FollowProtocol protocol() const { return protocol_; }
    // True once the stream has been read up to the end of what the engine
    // holds and the capture no longer grows.
    bool isComplete() const { return complete_; }
    QPlainTextEdit* textView() const { return text_; }

signals:
    // "Filter on/out this stream": the display filter to apply.
    void filterRequested(const QString& expression);
    // The stream was read (again) and the text shown anew.
    void updated();

protected:
    void closeEvent(QCloseEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    void follow(FollowProtocol protocol, uint32_t stream, uint64_t locate);
    void startScan();
    void onScanned();
    void render();
    void updateLabels();
    QByteArray payload(Direction d) const;
    void stopWorker();

    std::shared_ptr<IngestEngine> engine_;
    std::shared_ptr<DisplayAnonymizer> anon_;
    std::function<bool()> running_;
    FollowProtocol protocol_ = FollowProtocol::Tcp;
    uint32_t stream_ = 0;
    uint64_t locate_packet_ = 0; // a packet whose stream is to be found first
    // Owned by the worker while `busy_`; read by the GUI thread only after.
    std::shared_ptr<StreamFollower> follower_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    std::thread worker_;
    bool busy_ = false;
    bool complete_ = false;
    bool rescan_ = false; // the stream changed while a scan ran
    size_t shown_chunks_ = size_t(-1);
    size_t shown_pending_ = size_t(-1);

    QComboBox* proto_box_;
    QSpinBox* stream_box_;
    QLabel* endpoints_;
    QLabel* legend_client_;
    QLabel* legend_server_;
    QPlainTextEdit* text_;
    QComboBox* direction_box_;
    QComboBox* view_box_;
    QCheckBox* dechunk_;
    QLineEdit* find_edit_;
    QLabel* status_;
    QPushButton* filter_on_;
    QPushButton* filter_out_;
    QPushButton* save_;
    QTimer* timer_;
};

} // namespace underhood
