#include "capture_session.h"

#include "capture_helper_check.h"
#include "source_pump.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace underhood {

CaptureSession::CaptureSession(IngestOptions opts, QObject* parent) : QObject(parent), opts_(opts)
{
    timer_.setInterval(100);
    connect(&timer_, &QTimer::timeout, this, &CaptureSession::poll);
}

CaptureSession::~CaptureSession()
{
    timer_.stop();
    pump_.reset(); // ends the sources (bounded), closing the engine's stream
    if (helper_) {
        helper_->disconnect(this);
        if (helper_->state() != QProcess::NotRunning) {
            ::kill(pid_t(helper_->processId()), SIGTERM);
            if (!helper_->waitForFinished(3000))
                helper_->kill();
            helper_->waitForFinished(1000);
        }
    }
    if (engine_) {
        engine_->cancel();
        engine_->wait();
    }
}

QString CaptureSession::helperPath() { return findCaptureHelper(); }

bool CaptureSession::isRunning() const { return engine_ && engine_->running(); }

bool CaptureSession::openFile(const QString& path, QString* error)
{
    engine_ = std::make_shared<IngestEngine>(opts_);
    std::string err;
    if (!engine_->open_path(path.toStdString(), err)) {
        if (error)
            *error = QString::fromStdString(err);
        engine_.reset();
        return false;
    }
    path_ = path;
    title_ = path == "-" ? tr("standard input") : QFileInfo(path).fileName();
    live_ = false;
    finished_emitted_ = false;
    timer_.start();
    return true;
}

bool CaptureSession::startSources(const LiveCaptureOptions& o, QString* error)
{
    std::vector<SourceSpec> specs;
    QStringList names;
    auto add = [&](const QString& text, bool interface) {
        SourceSpec spec;
        std::string why;
        if (!parse_source(text.toStdString(), interface, spec, why)) {
            if (error)
                *error = QString::fromStdString(why);
            return false;
        }
        if (spec.kind == SourceSpec::Kind::Interface)
            spec.filter = o.filter.trimmed().toStdString();
        names << QString::fromStdString(spec.sensor_name());
        specs.push_back(spec);
        return true;
    };
    for (const QString& i : o.interfaces)
        if (!add(i, true))
            return false;
    for (const QString& s : o.sources)
        if (!add(s, true))
            return false;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        if (error)
            *error = tr("cannot create a pipe: %1").arg(strerror(errno));
        return false;
    }
    SourceOptions so;
    so.local_helper = helperPath().toStdString();
    SourcePump::Callbacks cb;
    // Called on the pump's threads: handed over to this object's thread.
    cb.started = [this](const SourceSpec& spec) {
        const QString name = QString::fromStdString(spec.sensor_name());
        QMetaObject::invokeMethod(this, [this, name] {
            sensor_errors_[name] = QString();
            emit sensorStarted(name);
        }, Qt::QueuedConnection);
    };
    cb.failed = [this](const SourceSpec& spec, const std::string& why) {
        const QString name = QString::fromStdString(spec.sensor_name()), msg = QString::fromStdString(why);
        QMetaObject::invokeMethod(this, [this, name, msg] {
            sensor_errors_[name] = msg;
            helper_messages_ << name + ": error: " + msg;
            emit sensorFailed(name, msg);
        }, Qt::QueuedConnection);
    };
    cb.message = [this](const SourceSpec& spec, const std::string& line) {
        const QString text = QString::fromStdString(spec.sensor_name() + ": " + line);
        QMetaObject::invokeMethod(this, [this, text] {
            helper_messages_ << text;
            emit helperMessage(text);
        }, Qt::QueuedConnection);
    };
    for (const QString& n : names)
        sensor_errors_[n] = QString();
    pump_ = std::make_unique<SourcePump>(std::move(specs), so, fds[1], std::move(cb));
    engine_ = std::make_shared<IngestEngine>(opts_);
    std::string err;
    // The pump writes the section header at once; the sources' interfaces follow as they start.
    if (!engine_->open_fd(fds[0], names.join(", ").toStdString(), err)) {
        pump_.reset();
        engine_.reset();
        if (error)
            *error = QString::fromStdString(err);
        return false;
    }
    live_opts_ = o;
    live_ = true;
    title_ = names.join(", ");
    path_.clear();
    finished_emitted_ = false;
    timer_.start();
    return true;
}

bool CaptureSession::startLive(const LiveCaptureOptions& o, QString* error)
{
    if (!o.sources.isEmpty())
        return startSources(o, error);
    const QString helper = helperPath();
    if (const CaptureHelperStatus check = checkCaptureHelper(helper); !check.canRun()) {
        if (error)
            *error = check.message();
        return false;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        if (error)
            *error = tr("cannot create the socket pair for the capture helper: %1").arg(strerror(errno));
        return false;
    }
    // Only validated options reach the helper, each as its own argv element.
    QStringList args;
    for (const QString& i : o.interfaces)
        args << "-i" << i;
    if (!o.filter.trimmed().isEmpty())
        args << "-f" << o.filter.trimmed();
    args << "-s" << QString::number(o.snaplen) << "-B" << QString::number(o.buffer_mib) << "--backend" << o.backend
         << "--fd" << "3";
    if (!o.promisc)
        args << "--no-promisc";
    if (o.threads > 1 && o.backend == "afpacket")
        args << "--threads" << QString::number(std::min(o.threads, 64));

    helper_ = new QProcess(this);
    const int child_end = sv[1];
    // The child gets its end as fd 3; nothing else is shared (no named socket).
    helper_->setChildProcessModifier([child_end] { ::dup2(child_end, 3); });
    connect(helper_, &QProcess::readyReadStandardError, this, &CaptureSession::onHelperStderr);
    connect(helper_, &QProcess::finished, this, &CaptureSession::onHelperFinished);
    helper_->start(helper, args);
    ::close(sv[1]);
    if (!helper_->waitForStarted(5000)) {
        ::close(sv[0]);
        if (error)
            *error = tr("cannot start %1: %2").arg(helper, helper_->errorString());
        return false;
    }
    engine_ = std::make_shared<IngestEngine>(opts_);
    std::string err;
    // Reads the stream's header: blocks until the helper writes it or exits.
    if (!engine_->open_fd(sv[0], o.interfaces.join(", ").toStdString(), err)) {
        helper_->waitForFinished(3000);
        onHelperStderr();
        const CaptureHelperStatus why =
            helper_->state() == QProcess::NotRunning && helper_->exitStatus() == QProcess::NormalExit
                ? diagnoseHelperExit(helper, helper_->exitCode())
                : CaptureHelperStatus{};
        if (error)
            *error = why.problem != CaptureHelperStatus::Problem::None ? why.message()
                     : helper_error_.isEmpty()                        ? QString::fromStdString(err)
                                                                      : helper_error_;
        engine_.reset();
        return false;
    }
    live_opts_ = o;
    live_ = true;
    title_ = o.interfaces.join(", ");
    path_.clear();
    finished_emitted_ = false;
    timer_.start();
    return true;
}

void CaptureSession::stop()
{
    if (pump_) {
        pump_->stop();
        return;
    }
    if (helper_ && helper_->state() != QProcess::NotRunning)
        ::kill(pid_t(helper_->processId()), SIGTERM);
    else if (engine_)
        engine_->cancel();
}

void CaptureSession::cancel()
{
    if (live_)
        stop();
    else if (engine_)
        engine_->cancel();
}

void CaptureSession::poll()
{
    emit updated();
    if (engine_ && !engine_->running() && !finished_emitted_) {
        finished_emitted_ = true;
        timer_.stop();
        emit finished();
    }
}

void CaptureSession::onHelperStderr()
{
    if (!helper_)
        return;
    helper_err_ += helper_->readAllStandardError();
    int nl;
    while ((nl = helper_err_.indexOf('\n')) >= 0) {
        QString line = QString::fromUtf8(helper_err_.left(nl)).trimmed();
        helper_err_.remove(0, nl + 1);
        line.remove(QRegularExpression("^underhood-capture: "));
        if (line.isEmpty())
            continue;
        helper_messages_ << line;
        if (line.startsWith("error: "))
            helper_error_ = line.mid(7);
        emit helperMessage(line);
    }
}

void CaptureSession::onHelperFinished(int code, QProcess::ExitStatus status)
{
    onHelperStderr();
    if (status != QProcess::NormalExit)
        emit helperFailed(tr("the capture helper stopped unexpectedly (%1); everything captured so far is kept")
                              .arg(helper_->errorString()));
    else if (const CaptureHelperStatus why = diagnoseHelperExit(helper_->program(), code);
             why.problem != CaptureHelperStatus::Problem::None)
        emit helperFailed(why.message());
    else if (code != 0)
        emit helperFailed(helper_error_.isEmpty() ? tr("the capture helper exited with status %1").arg(code)
                                                  : helper_error_);
}

} // namespace underhood
