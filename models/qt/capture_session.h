// One open capture for the GUI: a file, a pipe, or a live capture through
// underhood-capture. Reading runs on IngestEngine's threads; this object
// only tells the views, a few times a second, that there is more to show.
#pragma once

#include "ingest_engine.h"
#include "source_pump.h"

#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace underhood {

struct LiveCaptureOptions {
    QStringList interfaces;
    QString filter;
    int snaplen = 262144;
    int buffer_mib = 64;
    QString backend = "afpacket";
    bool promisc = true;
    qint64 history_packets = 0; // packets the list keeps (0: the preference)
    int threads = 1;            // AF_PACKET sockets in a fanout group (the helper's --threads)
    // Remote sensors (ssh://[USER@]HOST[:PORT]/IFACE[?filter=&helper=],
    // pcap-over-ip://HOST[:PORT]); with any, every source (the interfaces
    // above too) is merged into one capture, an interface per sensor.
    QStringList sources;
};

class CaptureSession : public QObject {
    Q_OBJECT
public:
    explicit CaptureSession(IngestOptions opts = {}, QObject* parent = nullptr);
    ~CaptureSession() override;

    // False with a one-line message (names the file, says what was expected).
    bool openFile(const QString& path, QString* error);
    // Starts underhood-capture over an inherited socketpair; the helper's own
    // message arrives through helperFailed() when it cannot capture.
    bool startLive(const LiveCaptureOptions& opts, QString* error);
    void stop();   // live: ends the helper cleanly (SIGTERM: it flushes and writes final statistics)
    void cancel(); // stops reading (a long file load)

    IngestEngine& engine() { return *engine_; }
    const IngestEngine& engine() const { return *engine_; }
    // For work on other threads that may outlive this session (a filter scan).
    std::shared_ptr<IngestEngine> sharedEngine() const { return engine_; }
    QString title() const { return title_; }
    QString sourcePath() const { return path_; }
    bool isLive() const { return live_; }
    bool isRunning() const;
    const LiveCaptureOptions& liveOptions() const { return live_opts_; }
    const IngestOptions& ingestOptions() const { return opts_; }
    // Helper lines on stderr (events, warnings, errors), newest last.
    QStringList helperMessages() const { return helper_messages_; }
    qint64 helperPid() const { return helper_ ? helper_->processId() : 0; }

    // Where underhood-capture lives: beside this program, or on PATH.
    static QString helperPath();
    // Several sources: each one's state, "" while it runs, else why it stopped.
    QMap<QString, QString> sensorErrors() const { return sensor_errors_; }
    // Several sources: each one's state and counts, in the order given
    // (empty for a file or a capture through the local helper alone).
    std::vector<SensorStatus> sensors() const { return pump_ ? pump_->sensors() : std::vector<SensorStatus>{}; }
    // Starts sensor i again after it failed or ended; the others go on and
    // what it sent stays. Its outcome arrives as sensorStarted or sensorFailed.
    bool reconnectSensor(int i) { return pump_ && i >= 0 && pump_->reconnect(size_t(i)); }
    // Shifts sensor i's time stamps by `offset_ns` for the packets it sends from now on.
    bool setSensorOffset(int i, qint64 offset_ns) { return pump_ && i >= 0 && pump_->set_offset(size_t(i), offset_ns); }

signals:
    void updated();             // new packets or statistics to show (at most ~10 per second)
    void finished();            // the input ended (end of file, helper exited, cancelled)
    void helperFailed(QString); // the helper's own explanation (privilege, bad filter, interface gone…)
    void helperMessage(QString);
    // Several sources: one of them could not start or ended early (the others go on).
    void sensorFailed(QString sensor, QString message);
    void sensorStarted(QString sensor);

private:
    bool startSources(const LiveCaptureOptions& opts, QString* error);
    void poll();
    void onHelperFinished(int code, QProcess::ExitStatus status);
    void onHelperStderr();

    std::shared_ptr<IngestEngine> engine_;
    IngestOptions opts_;
    QTimer timer_;
    QString title_, path_;
    bool live_ = false;
    bool finished_emitted_ = false;
    LiveCaptureOptions live_opts_;
    QProcess* helper_ = nullptr;
    QByteArray helper_err_;
    QStringList helper_messages_;
    QString helper_error_;
    std::unique_ptr<SourcePump> pump_;
    QMap<QString, QString> sensor_errors_;
};

} // namespace underhood
