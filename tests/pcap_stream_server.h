// A pcap-over-IP sensor on the loopback for tests: each reader gets a
// classic pcap header, then a UDP frame 10.0.0.TAG -> 10.0.0.1 every 20 ms
// stamped with the current time (as `tcpdump -w - | nc -l` would send).
#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtEndian>

#include <cstring>

namespace underhood::test {

class PcapStreamServer : public QObject {
public:
    explicit PcapStreamServer(quint8 tag = 2) : tag_(tag)
    {
        connect(&server_, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = server_.nextPendingConnection()) {
                QByteArray h(24, '\0');
                qToLittleEndian<quint32>(0xa1b2c3d4, h.data());
                qToLittleEndian<quint16>(2, h.data() + 4);
                qToLittleEndian<quint16>(4, h.data() + 6);
                qToLittleEndian<quint32>(65535, h.data() + 16);
                qToLittleEndian<quint32>(1, h.data() + 20); // Ethernet
                s->write(h);
                readers_ << s;
            }
        });
        connect(&timer_, &QTimer::timeout, this, [this] {
            for (QTcpSocket* s : readers_)
                if (s->state() == QAbstractSocket::ConnectedState) {
                    s->write(frame());
                    ++sent_;
                }
        });
        timer_.start(20);
    }
    bool listen(quint16 port = 0) { return server_.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return server_.serverPort(); }
    quint64 sent() const { return sent_; }
    // The sensor goes away (its capture was stopped, the link cut).
    void dropReaders()
    {
        for (QTcpSocket* s : readers_)
            s->disconnectFromHost();
        readers_.clear();
    }

private:
    QByteArray frame()
    {
        const qint64 us = QDateTime::currentMSecsSinceEpoch() * 1000;
        QByteArray f(60, '\0');
        // Ethernet, IPv4 10.0.0.TAG -> 10.0.0.1, UDP 4000 -> 5000.
        const char eth[] = {'\x02', 0, 0, 0, 0, 1, '\x02', 0, 0, 0, 0, char(tag_), 8, 0};
        std::memcpy(f.data(), eth, 14);
        const char ip[] = {0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, char(tag_), 10, 0, 0, 1};
        std::memcpy(f.data() + 14, ip, 20);
        const char udp[] = {0x0f, char(0xa0), 0x13, char(0x88), 0, 26, 0, 0};
        std::memcpy(f.data() + 34, udp, 8);
        QByteArray rec(16, '\0');
        qToLittleEndian<quint32>(quint32(us / 1000000), rec.data());
        qToLittleEndian<quint32>(quint32(us % 1000000), rec.data() + 4);
        qToLittleEndian<quint32>(quint32(f.size()), rec.data() + 8);
        qToLittleEndian<quint32>(quint32(f.size()), rec.data() + 12);
        return rec + f;
    }
    QTcpServer server_;
    QTimer timer_;
    QList<QTcpSocket*> readers_;
    quint64 sent_ = 0;
    quint8 tag_;
};

// A loopback port nobody listens on (a sensor that refuses).
inline quint16 free_port()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace underhood::test
