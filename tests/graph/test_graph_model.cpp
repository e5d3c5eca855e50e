// The host graph's model on the demo capture: the window over the capture
// (moves forwards and back give the same sums as building from scratch), the
// scene per layer (its node packets add up to the CLI's host totals, with or
// without clusters), clusters that collapse and expand, the top-N filter,
// hidden protocols, local network detection, and --at. The worker that makes
// scenes on a thread of its own: coalesced requests, the same scenes.
#include "capture_reader.h"
#include "graph_scene.h"
#include "graph_scene_worker.h"
#include "graph_test_support.h"
#include "ingest_engine.h"
#include "window_cursor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
constexpr int64_t kSec = 1'000'000'000;

QJsonObject cli_stats(const QString& file, const QString& layer)
{
    QProcess p;
    p.start(kCli, {"stats", "--json", "--layer", layer, file});
    p.waitForFinished(60000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

QStringList cli_graph_list(const QStringList& args)
{
    QProcess p;
    p.start(kCli, QStringList{"graph", kDemo, "--list"} + args);
    p.waitForFinished(60000);
    if (p.exitCode() != 0)
        return {"exit " + QString::number(p.exitCode()) + ": " + QString::fromUtf8(p.readAllStandardError())};
    QStringList keys;
    for (const QString& line : QString::fromUtf8(p.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts))
        keys << line.section('\t', 0, 0);
    keys.sort();
    return keys;
}

uint64_t node_packets(const GraphScene& s)
{
    uint64_t n = 0;
    for (const SceneNode& node : s.nodes)
        n += node.packets;
    return n;
}

// Everything a window holds, in a form that compares exactly.
struct Snapshot {
    std::map<std::string, std::array<uint64_t, 8>> hosts, links;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const TrafficWindow& w)
{
    Snapshot s;
    for (int li = 0; li < kLayerCount; ++li) {
        for (const auto& [ep, h] : w.hosts(Layer(li)))
            s.hosts[std::to_string(li) + ep.to_string()] = {h.total.packets, h.total.bytes, h.tx.packets,
                                                            h.rx.bytes, h.rate.packets, h.rate.bytes, h.recent,
                                                            h.protocols.total()};
        for (const auto& [k, l] : w.links(Layer(li)))
            s.links[std::to_string(li) + k.a.to_string() + "-" + k.b.to_string()] = {
                l.total.packets, l.a_to_b.bytes,          l.b_to_a.packets, l.rate_a_to_b.bytes,
                l.rate_b_to_a.packets, l.recent, l.protocols.total(), l.protocols.counts.size()};
    }
    return s;
}

// What a GraphSceneWorker delivered, taken from its thread.
struct Inbox {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<SceneResult> results;
    void put(SceneResult&& r)
    {
        std::lock_guard lock(mutex);
        results.push_back(std::move(r));
        cv.notify_all();
    }
    // Waits for the answer to request `serial`.
    bool wait_for(uint64_t serial)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(30), [&] {
            return !results.empty() && results.back().serial >= serial;
        });
    }
};

bool idle(const GraphSceneWorker& w)
{
    for (int i = 0; i < 3000 && w.busy(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return !w.busy();
}

std::map<NodeId, uint64_t> packets_by_node(const GraphScene& s)
{
    std::map<NodeId, uint64_t> m;
    for (const SceneNode& n : s.nodes)
        m[n.id] = n.packets;
    return m;
}

} // namespace

class TestGraphModel : public QObject {
    Q_OBJECT
    IngestEngine engine_;
    int64_t first_ = 0, last_ = 0;

    // The scene of the whole capture (a window with no limit, at its end).
    GraphScene whole_capture(const GraphOptions& o)
    {
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(WindowSpans{.window_ns = 0});
        c.seek_end();
        GraphBuilder b;
        return build_scene(b, engine_, w, c, o);
    }

private slots:
    void initTestCase()
    {
        std::string err;
        QVERIFY2(engine_.open_path(kDemo.toStdString(), err), err.c_str());
        engine_.wait();
        TrafficWindow w;
        WindowCursor c(engine_, w);
        QVERIFY(c.capture_bounds(first_, last_));
        QVERIFY(last_ - first_ > 100 * kSec);
    }

    void modeSwitchKeepsCounts()
    {
        // One window, every layer: no reading again when the layer changes.
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(WindowSpans{.window_ns = 0}); // the whole capture
        c.seek_end();
        QCOMPARE(c.decoded_last_move(), uint64_t(3161));
        GraphBuilder b;
        for (const char* layer : {"ip", "ether", "port"}) {
            Layer l;
            QVERIFY(parse_layer(layer, l));
            const QJsonObject stats = cli_stats(kDemo, layer);
            QVERIFY(!stats.isEmpty());
            uint64_t cli_packets = 0;
            for (const QJsonValue& h : stats["hosts"].toArray())
                cli_packets += uint64_t(h.toObject()["packets"].toDouble());
            for (ClusterMode m : {ClusterMode::Off, ClusterMode::Auto, ClusterMode::Internet}) {
                GraphOptions o;
                o.layer = l;
                o.cluster = m;
                const GraphScene s = build_scene(b, engine_, w, c, o);
                QCOMPARE(s.hosts, size_t(stats["hosts"].toArray().size()));
                QCOMPARE(node_packets(s), cli_packets);
            }
        }
    }

    void windowMovesMatchFreshBuilds()
    {
        WindowSpans sp;
        sp.window_ns = 20 * kSec;
        TrafficWindow moving;
        WindowCursor c(engine_, moving);
        c.set_spans(sp);
        // Forwards, back, across most of the capture, then single packets.
        const int64_t stops[] = {30, 31, 45, 44, 90, 60, 61, 115, 5, 6};
        for (int64_t s : stops) {
            c.seek(first_ + s * kSec);
            TrafficWindow fresh;
            WindowCursor f(engine_, fresh);
            f.set_spans(sp);
            f.seek(first_ + s * kSec);
            QVERIFY2(snapshot(moving) == snapshot(fresh), qPrintable(QString("at %1 s").arg(s)));
        }
        // A small move re-decodes only what entered or left a span.
        c.seek(first_ + 50 * kSec);
        const uint64_t full = moving.packets();
        c.seek(first_ + 50 * kSec + kSec / 10);
        QVERIFY(c.decoded_last_move() < full / 4);

        // One packet forward and back is the identity (from a window that ends on a packet).
        QVERIFY(c.step(+1));
        const Snapshot before = snapshot(moving);
        const uint64_t n = c.last_number();
        for (int i = 0; i < 25; ++i)
            QVERIFY(c.step(+1));
        QCOMPARE(c.last_number(), n + 25);
        for (int i = 0; i < 25; ++i)
            QVERIFY(c.step(-1));
        QCOMPARE(c.last_number(), n);
        QVERIFY(snapshot(moving) == before);
        // Stepping matches a fresh window ending at the same packet.
        QVERIFY(c.step(+1));
        TrafficWindow fresh;
        WindowCursor f(engine_, fresh);
        f.set_spans(sp);
        f.seek(c.time());
        QCOMPARE(f.last_number(), c.last_number());
        QVERIFY(snapshot(moving) == snapshot(fresh));
        // The ends.
        c.seek(first_ - kSec);
        QCOMPARE(moving.packets(), uint64_t(0));
        QVERIFY(!c.step(-1));
        c.seek_end();
        QVERIFY(!c.step(+1));
    }

    void seekPacketAndCancel()
    {
        WindowSpans sp;
        sp.window_ns = 20 * kSec;
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(sp);
        c.seek(first_ + 40 * kSec);
        const uint64_t end = c.end_number();
        for (int i = 0; i < 3; ++i)
            QVERIFY(c.step(+1));
        const Snapshot stepped = snapshot(w);
        const int64_t t = c.time();
        // seek_packet lands where the steps did, from anywhere.
        TrafficWindow w2;
        WindowCursor c2(engine_, w2);
        c2.set_spans(sp);
        c2.seek(first_ + 100 * kSec);
        QVERIFY(c2.seek_packet(end + 3));
        QCOMPARE(c2.end_number(), end + 3);
        QCOMPARE(c2.last_number(), end + 2);
        QCOMPARE(c2.time(), t);
        QVERIFY(snapshot(w2) == stepped);
        // Clamped to the packets listed.
        QVERIFY(c2.seek_packet(0));
        QCOMPARE(c2.last_number(), uint64_t(0));
        QCOMPARE(w2.packets(), uint64_t(0));
        QVERIFY(c2.seek_packet(UINT64_MAX));
        QCOMPARE(c2.time(), last_);

        // A cancelled move leaves no position and an empty window; the next
        // move builds it again.
        std::atomic<bool> cancel{true};
        c2.set_cancel(&cancel);
        c2.seek(first_ + 40 * kSec); // far enough to decode thousands of packets
        QVERIFY(!c2.positioned());
        QCOMPARE(w2.packets(), uint64_t(0));
        QVERIFY(w2.hosts(Layer::Ip).empty());
        cancel = false;
        QVERIFY(c2.seek_packet(end + 3));
        QVERIFY(snapshot(w2) == stepped);
    }

    void workerMakesTheSameScenes()
    {
        auto engine = std::make_shared<IngestEngine>();
        std::string err;
        QVERIFY2(engine->open_path(kDemo.toStdString(), err), err.c_str());
        engine->wait();
        Inbox inbox;
        GraphSceneWorker worker([&](SceneResult&& r) { inbox.put(std::move(r)); });
        const uint64_t gen = worker.set_engine(engine);
        WindowSpans sp;
        sp.window_ns = 30 * kSec;
        auto request = [&](SceneRequest::Move m, int64_t t, uint64_t end = 0) {
            SceneRequest r;
            r.move = m;
            r.time_ns = t;
            r.end = end;
            r.pulse = m == SceneRequest::Move::Packet;
            r.spans = sp;
            return worker.post(r);
        };
        auto fresh = [&](int64_t t, Layer layer) {
            TrafficWindow w;
            WindowCursor c(*engine, w);
            c.set_spans(sp);
            c.seek(t);
            GraphBuilder b;
            GraphOptions o;
            o.layer = layer;
            return build_scene(b, *engine, w, c, o);
        };

        // A burst of seeks: answered at least once, never more than asked,
        // and the last answer is the last seek's scene.
        uint64_t serial = 0;
        int64_t t = 0;
        for (int i = 0; i < 200; ++i) {
            t = first_ + (i % 2 ? 100 : 10) * kSec + i * 1000;
            serial = request(SceneRequest::Move::Time, t);
        }
        QVERIFY(inbox.wait_for(serial));
        {
            std::lock_guard lock(inbox.mutex);
            QVERIFY(inbox.results.size() <= 200);
            const SceneResult& r = inbox.results.back();
            QCOMPARE(r.serial, serial);
            QCOMPARE(r.generation, gen);
            QVERIFY(r.positioned);
            QCOMPARE(r.time_ns, t);
            QCOMPARE(r.scene.time_ns, t);
            QVERIFY(packets_by_node(r.scene) == packets_by_node(fresh(t, Layer::Ip)));
            for (size_t i = 1; i < inbox.results.size(); ++i)
                QVERIFY(inbox.results[i].serial > inbox.results[i - 1].serial);
        }
        QVERIFY(idle(worker));

        // An option change right after a move keeps the move.
        const int64_t t2 = first_ + 70 * kSec;
        request(SceneRequest::Move::Time, t2);
        SceneRequest layer_only;
        layer_only.options.layer = Layer::Ether;
        layer_only.spans = sp;
        serial = worker.post(layer_only);
        QVERIFY(inbox.wait_for(serial));
        {
            std::lock_guard lock(inbox.mutex);
            const SceneResult& r = inbox.results.back();
            QCOMPARE(r.time_ns, t2);
            QCOMPARE(r.scene.layer, Layer::Ether);
            QVERIFY(packets_by_node(r.scene) == packets_by_node(fresh(t2, Layer::Ether)));
        }

        // A step names the packet it went to.
        const uint64_t end = engine->with_state([](const IngestEngine::State& st) { return st.first_number + 100; });
        serial = request(SceneRequest::Move::Packet, 0, end);
        QVERIFY(inbox.wait_for(serial));
        {
            std::lock_guard lock(inbox.mutex);
            const SceneResult& r = inbox.results.back();
            QCOMPARE(r.end, end);
            QCOMPARE(r.pulse, end - 1);
        }

        // Another engine: a new generation, and an empty window to start from.
        const uint64_t gen2 = worker.set_engine(nullptr);
        QVERIFY(gen2 > gen);
        QVERIFY(idle(worker));
    }

    void rateAndRecentSpans()
    {
        WindowSpans sp;
        sp.window_ns = 60 * kSec;
        sp.rate_ns = 2 * kSec;
        sp.recent_ns = 3 * kSec;
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(sp);
        c.seek(first_ + 70 * kSec);
        // Count the packets of the last 2 s by hand from the index.
        const uint64_t expect = engine_.with_state([&](const IngestEngine::State& st) {
            uint64_t n = 0;
            for (const PacketIndexEntry& e : st.index)
                if (e.ts_ns > c.time() - 2 * kSec && e.ts_ns <= c.time())
                    ++n;
            return n;
        });
        uint64_t rate_packets = 0;
        for (const auto& [k, l] : w.links(Layer::Ether))
            rate_packets += l.rate_a_to_b.packets + l.rate_b_to_a.packets;
        QCOMPARE(rate_packets, expect);
        GraphBuilder b;
        GraphOptions o;
        o.cluster = ClusterMode::Off;
        const GraphScene s = build_scene(b, engine_, w, c, o);
        double pps = 0;
        for (const SceneLink& l : s.links)
            pps += l.a_to_b_pps + l.b_to_a_pps;
        QVERIFY(pps > 0);
    }

    void clustersCollapseAndExpand()
    {
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(WindowSpans{.window_ns = 0});
        c.seek_end();
        GraphBuilder b;
        GraphOptions o;
        o.cluster = ClusterMode::Off;
        const GraphScene flat = build_scene(b, engine_, w, c, o);
        size_t remote = 0;
        for (const SceneNode& n : flat.nodes)
            remote += !n.local;
        QVERIFY2(remote > 20, "the demo has remote hosts");

        o.cluster = ClusterMode::Auto;
        o.cluster_threshold = 12;
        o.keep_busiest_remote = 3;
        const GraphScene grouped = build_scene(b, engine_, w, c, o);
        size_t shown_remote = 0, clusters = 0, members = 0;
        const SceneNode* cluster = nullptr;
        for (const SceneNode& n : grouped.nodes) {
            shown_remote += !n.local;
            if (n.cluster) {
                ++clusters;
                members += n.members;
                QVERIFY(!n.local);
                QCOMPARE(size_t(n.members), n.member_ids.size());
                uint64_t sum = 0;
                for (NodeId m : n.member_ids)
                    sum += flat.nodes[size_t(flat.find(m))].packets;
                QCOMPARE(n.packets, sum);
                if (!cluster || n.members > cluster->members)
                    cluster = &n;
            }
        }
        QVERIFY(clusters > 0);
        QVERIFY(shown_remote < remote);
        QCOMPARE(grouped.clustered, members);
        QCOMPARE(grouped.nodes.size(), flat.nodes.size() - members + clusters);
        QCOMPARE(node_packets(grouped), node_packets(flat));
        // Hosts inside a cluster are shown as it.
        for (NodeId m : cluster->member_ids)
            QCOMPARE(grouped.shown_as.at(m), cluster->id);

        // Expand: the cluster gives way to its members, which know where they came from.
        const NodeId cid = cluster->id;
        const std::vector<NodeId> ids = cluster->member_ids;
        o.expanded.insert(cid);
        const GraphScene open = build_scene(b, engine_, w, c, o);
        QCOMPARE(open.find(cid), -1);
        for (NodeId m : ids) {
            const int i = open.find(m);
            QVERIFY(i >= 0);
            QCOMPARE(open.nodes[size_t(i)].parent, cid);
        }
        QCOMPARE(open.nodes.size(), grouped.nodes.size() - 1 + ids.size());
        QCOMPARE(node_packets(open), node_packets(flat));

        // Collapse again: the same scene as before.
        o.expanded.clear();
        const GraphScene again = build_scene(b, engine_, w, c, o);
        QCOMPARE(again.nodes.size(), grouped.nodes.size());
        QVERIFY(again.find(cid) >= 0);

        // One Internet node.
        o.cluster = ClusterMode::Internet;
        const GraphScene internet = build_scene(b, engine_, w, c, o);
        size_t remote_nodes = 0;
        for (const SceneNode& n : internet.nodes)
            if (!n.local) {
                ++remote_nodes;
                if (n.cluster)
                    QCOMPARE(QString::fromStdString(n.key), QString("Internet"));
            }
        QCOMPARE(remote_nodes, o.keep_busiest_remote + 1);
    }

    void topNAndHiddenProtocols()
    {
        GraphOptions o;
        o.cluster = ClusterMode::Off;
        const GraphScene all = whole_capture(o);
        o.top_n = 10;
        const GraphScene top = whole_capture(o);
        QCOMPARE(top.nodes.size(), size_t(10));
        QCOMPARE(top.filtered_out, all.nodes.size() - 10);
        uint64_t smallest_kept = UINT64_MAX;
        for (const SceneNode& n : top.nodes)
            smallest_kept = std::min(smallest_kept, n.bytes);
        size_t bigger = 0;
        for (const SceneNode& n : all.nodes)
            bigger += n.bytes >= smallest_kept;
        QCOMPARE(bigger, size_t(10));
        for (const SceneLink& l : top.links)
            QVERIFY(l.a < 10 && l.b < 10);

        o.top_n = 0;
        o.hidden.set(size_t(Proto::Tls));
        const GraphScene no_tls = whole_capture(o);
        QVERIFY(no_tls.links.size() < all.links.size());
        for (const SceneLink& l : no_tls.links)
            QVERIFY(l.dominant != Proto::Tls);
        for (const SceneNode& n : no_tls.nodes)
            QVERIFY(n.dominant != Proto::Tls);
        // The legend still lists it (so it can be shown again).
        bool listed = false;
        for (const auto& [p, n] : no_tls.protocols)
            listed = listed || p == Proto::Tls;
        QVERIFY(listed);
    }

    // Hide and "only its neighbours", as the node's menu asks for them.
    void hiddenNodesAndNeighbours()
    {
        GraphOptions o;
        o.cluster = ClusterMode::Off;
        const GraphScene all = whole_capture(o);
        // The node with the most links, and its neighbours by the full scene's links.
        std::vector<size_t> degree(all.nodes.size());
        for (const SceneLink& l : all.links)
            ++degree[l.a], ++degree[l.b];
        const size_t centre = size_t(std::max_element(degree.begin(), degree.end()) - degree.begin());
        std::set<NodeId> expected{all.nodes[centre].id};
        for (const SceneLink& l : all.links) {
            if (l.a == centre)
                expected.insert(all.nodes[l.b].id);
            if (l.b == centre)
                expected.insert(all.nodes[l.a].id);
        }
        QVERIFY(expected.size() > 2 && expected.size() < all.nodes.size());
        o.neighbours_of = all.nodes[centre].id;
        const GraphScene near = whole_capture(o);
        std::set<NodeId> shown;
        for (const SceneNode& n : near.nodes)
            shown.insert(n.id);
        QVERIFY(shown == expected);
        QCOMPARE(near.hidden_by_user, all.nodes.size() - expected.size());
        QCOMPARE(near.filtered_out, near.hidden_by_user);

        // Hiding one neighbour takes it and its links away; the centre stays.
        const NodeId gone = *std::next(expected.begin(), expected.begin() == expected.find(o.neighbours_of) ? 1 : 0);
        QVERIFY(gone != o.neighbours_of);
        o.hidden_nodes.insert(gone);
        o.hidden_nodes.insert(o.neighbours_of); // the centre cannot hide itself away
        const GraphScene fewer = whole_capture(o);
        QCOMPARE(fewer.nodes.size(), expected.size() - 1);
        for (const SceneNode& n : fewer.nodes)
            QVERIFY(n.id != gone);
        QVERIFY(fewer.index.count(o.neighbours_of));

        // Without the neighbourhood: everything but the hidden node, links to it gone.
        o.neighbours_of = 0;
        o.hidden_nodes = {gone};
        const GraphScene one_less = whole_capture(o);
        QCOMPARE(one_less.nodes.size(), all.nodes.size() - 1);
        QCOMPARE(one_less.hidden_by_user, size_t(1));
        size_t links_to_gone = 0;
        for (const SceneLink& l : all.links)
            links_to_gone += all.nodes[l.a].id == gone || all.nodes[l.b].id == gone;
        QCOMPARE(one_less.links.size(), all.links.size() - links_to_gone);
    }

    void localNetworkDetected()
    {
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(WindowSpans{.window_ns = 0});
        c.seek_end();
        GraphBuilder b;
        GraphOptions o;
        o.cluster = ClusterMode::Off;
        const GraphScene s = build_scene(b, engine_, w, c, o);
        auto local_of = [&](const char* key) {
            for (const SceneNode& n : s.nodes)
                if (n.key == key)
                    return int(n.local);
            return -1;
        };
        QCOMPARE(local_of("192.168.1.102"), 1);
        QCOMPARE(local_of("192.168.1.1"), 1);
        QCOMPARE(local_of("2001:db8:1:0:628b:eff:fe3f:c064"), 1); // a LAN host's global IPv6 address
        QCOMPARE(local_of("2001:db8:1::1"), 1);                   // in the detected /64
        QCOMPARE(local_of("192.0.2.12"), 0);
        QCOMPARE(local_of("2001:db8:8000::2d8b"), 0);
        QCOMPARE(local_of("255.255.255.255"), 1);

        // Set subnets win.
        IpPrefix p;
        QVERIFY(IpPrefix::parse("192.0.2.0/24", p));
        QCOMPARE(QString::fromStdString(p.to_string()), QString("192.0.2.0/24"));
        b.locals().set_configured({p});
        const GraphScene s2 = build_scene(b, engine_, w, c, o);
        for (const SceneNode& n : s2.nodes)
            if (n.key == "192.0.2.12")
                QVERIFY(n.local);
        QVERIFY(!IpPrefix::parse("192.0.2.0/33", p));
        QVERIFY(!IpPrefix::parse("nonsense", p));
    }

    void atShowsOnlyHostsActiveByThen()
    {
        const int64_t at = first_ + 20 * kSec;
        // Hosts with a packet by then, straight from the file.
        std::set<std::string> expect;
        std::string err;
        auto reader = CaptureReader::open_path(kDemo.toStdString(), err);
        QVERIFY(reader);
        PacketRecord rec;
        DecodedPacket dp;
        while (reader->next(rec) == CaptureReader::Status::Packet) {
            if (rec.ts_ns > at)
                break;
            decode_packet(rec.link_type, rec.data, rec.origlen, dp);
            Endpoint s, d;
            if (TrafficModel::endpoints(Layer::Ip, dp, s, d)) {
                expect.insert(s.to_string());
                expect.insert(d.to_string());
            }
        }
        QVERIFY(expect.size() > 5);
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(WindowSpans{.window_ns = 0});
        c.seek(at);
        GraphBuilder b;
        GraphOptions o;
        o.cluster = ClusterMode::Off;
        const GraphScene s = build_scene(b, engine_, w, c, o);
        std::set<std::string> got;
        for (const SceneNode& n : s.nodes)
            got.insert(n.key);
        QVERIFY(got == expect);

        // The CLI agrees, and the whole capture has more.
        QStringList want;
        for (const std::string& k : expect)
            want << QString::fromStdString(k);
        want.sort();
        QCOMPARE(cli_graph_list({"--at", "20", "--cluster", "off"}), want);
        QVERIFY(cli_graph_list({"--cluster", "off"}).size() > want.size());
    }
};

QTEST_APPLESS_MAIN(TestGraphModel)
#include "test_graph_model.moc"
