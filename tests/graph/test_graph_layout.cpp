// The host graph layout and label placement on synthetic scenes: nodes
// already placed stay put when others arrive, a step costs O(n log n) pair
// interactions (not all pairs), settled discs do not overlap, pins hold, the
// circle layout puts local hosts inside the remote ones, and label culling
// never lets two labels overlap.
#include "force_layout.h"
#include "graph_scene.h"
#include "label_placer.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <set>

using namespace underhood;

namespace {

// n nodes (about a third remote), m links: a few hubs and many leaves, like a
// real network (each new link prefers nodes that already have links).
GraphScene synthetic_scene(size_t n, size_t m, uint32_t seed, NodeId first_id = 1)
{
    std::mt19937 rng(seed);
    GraphScene s;
    for (size_t i = 0; i < n; ++i) {
        SceneNode node;
        node.id = first_id + i;
        node.local = rng() % 3 != 0;
        node.radius = float(4 + rng() % 9);
        node.key = "n" + std::to_string(node.id);
        node.label = node.key;
        node.endpoint = Endpoint::ip(IpAddress::v4(reinterpret_cast<const uint8_t*>(&node.id)));
        s.index.emplace(node.id, uint32_t(i));
        s.nodes.push_back(node);
    }
    std::vector<uint32_t> ends;
    for (size_t k = 0; k < m && n > 1; ++k) {
        uint32_t a = uint32_t(rng() % n);
        uint32_t b = ends.empty() || rng() % 2 ? uint32_t(rng() % n) : ends[rng() % ends.size()];
        if (a == b)
            b = (b + 1) % uint32_t(n);
        SceneLink l;
        l.a = a;
        l.b = b;
        l.id = GraphScene::link_id(s.nodes[a].id, s.nodes[b].id);
        s.links.push_back(l);
        ends.push_back(a);
        ends.push_back(b);
    }
    return s;
}

// The scene plus `extra` new nodes linked into it.
GraphScene grown(const GraphScene& base, size_t extra, uint32_t seed)
{
    GraphScene s = base;
    std::mt19937 rng(seed);
    const size_t n0 = s.nodes.size();
    for (size_t i = 0; i < extra; ++i) {
        SceneNode node;
        node.id = 1'000'000 + i;
        node.local = rng() % 3 != 0;
        node.radius = float(4 + rng() % 9);
        s.index.emplace(node.id, uint32_t(s.nodes.size()));
        s.nodes.push_back(node);
        for (int k = 0; k < 2; ++k) {
            SceneLink l;
            l.a = uint32_t(s.nodes.size() - 1);
            l.b = uint32_t(rng() % n0);
            l.id = GraphScene::link_id(s.nodes[l.a].id, s.nodes[l.b].id);
            s.links.push_back(l);
        }
    }
    return s;
}

size_t overlapping_pairs(const ForceLayout& l, double slack)
{
    size_t bad = 0;
    for (size_t i = 0; i < l.size(); ++i)
        for (size_t j = i + 1; j < l.size(); ++j) {
            const double d = std::hypot(l.xs()[i] - l.xs()[j], l.ys()[i] - l.ys()[j]);
            if (d + slack < double(l.radius(i)) + double(l.radius(j)))
                ++bad;
        }
    return bad;
}

} // namespace

class TestGraphLayout : public QObject {
    Q_OBJECT
private slots:
    void settlesWithoutOverlap()
    {
        const GraphScene s = synthetic_scene(400, 1200, 1);
        ForceLayout l;
        l.sync(s);
        const int steps = l.run(5000);
        QVERIFY(l.settled());
        QVERIFY2(steps < 1000, qPrintable(QString("took %1 steps").arg(steps)));
        for (size_t i = 0; i < l.size(); ++i)
            QVERIFY(std::isfinite(l.xs()[i]) && std::isfinite(l.ys()[i]));
        // Collisions are resolved while nodes move; allow a pixel of slack.
        QCOMPARE(overlapping_pairs(l, 1.0), size_t(0));
        // Settled: another step does nothing.
        QVERIFY(!l.step());
    }

    void localInsideRemoteRing()
    {
        const GraphScene s = synthetic_scene(300, 600, 2);
        ForceLayout l;
        l.sync(s);
        l.run(5000);
        double local_max = 0, remote_min = 1e300;
        std::vector<double> local_d;
        for (size_t i = 0; i < s.nodes.size(); ++i) {
            const double d = std::hypot(l.xs()[i], l.ys()[i]);
            if (s.nodes[i].local)
                local_d.push_back(d);
            else
                remote_min = std::min(remote_min, d);
        }
        std::sort(local_d.begin(), local_d.end());
        local_max = local_d[local_d.size() * 95 / 100];
        QVERIFY2(local_max < remote_min, qPrintable(QString("95%% of locals within %1, remotes from %2")
                                                         .arg(local_max)
                                                         .arg(remote_min)));
    }

    void existingNodesBarelyMove()
    {
        const GraphScene base = synthetic_scene(500, 1500, 3);
        ForceLayout l;
        l.sync(base);
        l.run(5000);
        QVERIFY(l.settled());
        std::vector<double> x0 = l.xs(), y0 = l.ys();
        double extent = 0;
        for (size_t i = 0; i < x0.size(); ++i)
            extent = std::max(extent, std::hypot(x0[i], y0[i]));

        // 10% more nodes arrive, linked to old ones.
        const GraphScene more = grown(base, 50, 4);
        l.sync(more);
        const int steps = l.run(5000);
        QVERIFY(steps > 0);
        QVERIFY(l.settled());
        double max_move = 0, sum_move = 0;
        for (size_t i = 0; i < base.nodes.size(); ++i) {
            const double d = std::hypot(l.xs()[i] - x0[i], l.ys()[i] - y0[i]);
            max_move = std::max(max_move, d);
            sum_move += d;
        }
        const double mean_move = sum_move / double(base.nodes.size());
        qInfo("graph extent %.0f, old nodes moved: mean %.3f, max %.3f", extent, mean_move, max_move);
        QVERIFY2(max_move < 2.0, qPrintable(QString("an old node moved %1").arg(max_move)));
        // The new nodes found places near their neighbours, not far away.
        for (size_t i = base.nodes.size(); i < more.nodes.size(); ++i)
            QVERIFY(std::hypot(l.xs()[i], l.ys()[i]) < 2 * extent);
        QCOMPARE(overlapping_pairs(l, 1.0), size_t(0));

        // A scene rebuilt with the same nodes (the next refresh) moves nothing.
        std::vector<double> x1 = l.xs(), y1 = l.ys();
        l.sync(more);
        QVERIFY(l.settled());
        QCOMPARE(l.xs(), x1);
        QCOMPARE(l.ys(), y1);
    }

    void nodesKeepTheirPlaceWhenTheyReturn()
    {
        const GraphScene a = synthetic_scene(100, 200, 5);
        ForceLayout l;
        l.sync(a);
        l.run(5000);
        const double x = l.xs()[10], y = l.ys()[10];
        GraphScene b = a;
        b.nodes.erase(b.nodes.begin() + 10); // node 11 times out…
        b.links.clear();
        b.index.clear();
        for (uint32_t i = 0; i < b.nodes.size(); ++i)
            b.index.emplace(b.nodes[i].id, i);
        l.sync(b);
        l.run(5000);
        l.sync(a); // …and comes back
        QCOMPARE(l.xs()[10], x);
        QCOMPARE(l.ys()[10], y);
    }

    void stepIsSubQuadratic()
    {
        // Pair interactions of one step from a fresh layout (every node awake).
        std::vector<std::pair<size_t, uint64_t>> counts;
        for (size_t n : {1000, 2000, 4000, 8000, 16000}) {
            const GraphScene s = synthetic_scene(n, 4 * n, 6);
            ForceLayout l;
            l.sync(s);
            QElapsedTimer t;
            t.start();
            l.step();
            const double ms = double(t.nsecsElapsed()) / 1e6;
            counts.emplace_back(n, l.interactions());
            qInfo("n=%zu: %llu interactions (%.1f per node, all pairs would be %.0f per node), step %.1f ms", n,
                  (unsigned long long)l.interactions(), double(l.interactions()) / double(n), double(n - 1), ms);
        }
        // Per node the count grows like log n: 16x the nodes, well under 16x the work per node.
        const double per_first = double(counts.front().second) / double(counts.front().first);
        const double per_last = double(counts.back().second) / double(counts.back().first);
        QVERIFY2(per_last / per_first < 2.5, qPrintable(QString("per-node work grew %1x").arg(per_last / per_first)));
        QVERIFY(per_last < 0.05 * double(counts.back().first));
    }

    void pinsHold()
    {
        const GraphScene s = synthetic_scene(200, 400, 7);
        ForceLayout l;
        l.sync(s);
        l.run(50);
        l.drag(3, {500, -500});
        QVERIFY(l.pinned(3));
        l.run(5000);
        QCOMPARE(l.xs()[3], 500.0);
        QCOMPARE(l.ys()[3], -500.0);
        // Pins survive a new scene with the same node.
        l.sync(s);
        QVERIFY(l.pinned(3));
        QCOMPARE(l.xs()[3], 500.0);
        l.set_pinned(3, false);
        QVERIFY(!l.pinned(3));
        QVERIFY(!l.settled()); // released: it settles in again
    }

    void circleLayout()
    {
        const GraphScene s = synthetic_scene(120, 300, 8);
        ForceLayout l;
        l.set_kind(LayoutKind::Circle);
        l.sync(s);
        l.run(5000);
        QVERIFY(l.settled());
        double local_r = -1, remote_r = -1;
        for (size_t i = 0; i < s.nodes.size(); ++i) {
            const double d = std::hypot(l.xs()[i], l.ys()[i]);
            double& r = s.nodes[i].local ? local_r : remote_r;
            if (r < 0)
                r = d;
            QVERIFY2(std::abs(d - r) < 0.01, "every node of a ring is on its circle");
        }
        QVERIFY(local_r < remote_r);
        QCOMPARE(overlapping_pairs(l, 0.0), size_t(0));
    }

    void labelsNeverOverlap()
    {
        std::mt19937 rng(9);
        std::vector<LabelCandidate> cand;
        std::vector<std::pair<double, double>> size;
        for (uint32_t i = 0; i < 3000; ++i) {
            LabelCandidate c;
            c.node = i;
            c.x = double(rng() % 1200);
            c.y = double(rng() % 800);
            c.r = 1 + rng() % 15;
            c.priority = c.r;
            c.always = i == 42;
            cand.push_back(c);
            size.emplace_back(30 + rng() % 120, 14 + (rng() % 2) * 14);
        }
        cand[42].r = 1; // the selection gets its label even when tiny
        LabelOptions opts;
        opts.viewport = {0, 0, 1200, 800};
        opts.max_labels = 1000;
        opts.blocked.push_back({0, 0, 100, 200}); // a legend
        size_t measured = 0;
        const auto placed = place_labels(cand, opts, [&](uint32_t n, double& w, double& h) {
            ++measured;
            w = size[n].first;
            h = size[n].second;
        });
        QVERIFY(!placed.empty());
        QVERIFY(placed.size() < cand.size()); // dense: most are culled
        for (size_t i = 0; i < placed.size(); ++i) {
            const LabelRect& r = placed[i].rect;
            QVERIFY(r.x >= 0 && r.y >= 0 && r.x + r.w <= 1200 && r.y + r.h <= 800);
            QVERIFY(!r.intersects(opts.blocked[0]));
            for (size_t j = i + 1; j < placed.size(); ++j)
                QVERIFY2(!r.intersects(placed[j].rect), "two labels overlap");
        }
        QCOMPARE(placed.front().node, 42u);
        // Priority: the biggest node anywhere in the open gets its label.
        const auto biggest = std::max_element(cand.begin() + 43, cand.end(), [](const auto& a, const auto& b) {
            return a.priority < b.priority;
        });
        (void)biggest;
        QVERIFY(placed.size() >= 20);
        for (size_t i = 2; i < std::min<size_t>(placed.size(), 20); ++i)
            QVERIFY(cand[placed[i - 1].node].priority >= cand[placed[i].node].priority);
        // Text is measured only for labels that got that far, not for all 3000.
        QVERIFY(measured < cand.size());
    }

    void labelLevelOfDetail()
    {
        std::vector<LabelCandidate> cand;
        for (uint32_t i = 0; i < 10; ++i)
            cand.push_back({i, 100.0 + 100 * i, 100, i < 5 ? 1.0 : 6.0, double(i), false});
        LabelOptions opts;
        opts.viewport = {0, 0, 1200, 800};
        opts.min_radius = 3; // zoomed out: small discs go without labels
        const auto placed = place_labels(cand, opts, [](uint32_t, double& w, double& h) {
            w = 40;
            h = 14;
        });
        QCOMPARE(placed.size(), size_t(5));
        for (const PlacedLabel& p : placed)
            QVERIFY(p.node >= 5);

        // Landmarks: the busiest small ones are named anyway (node 4 is the busiest small disc).
        opts.landmarks = 2;
        const auto with_landmarks = place_labels(cand, opts, [](uint32_t, double& w, double& h) {
            w = 40;
            h = 14;
        });
        std::set<uint32_t> named;
        for (const PlacedLabel& p : with_landmarks)
            named.insert(p.node);
        QCOMPARE(named, (std::set<uint32_t>{3, 4, 5, 6, 7, 8, 9}));
    }

    void wideAspectGivesWideLayout()
    {
        // Laid out for a pane four times as wide as high, the local hosts and
        // the remote ring spread sideways; square, they stay round.
        const GraphScene s = synthetic_scene(400, 1200, 5);
        auto extent = [&](double aspect) {
            ForceLayout l;
            l.set_aspect(aspect);
            l.sync(s);
            l.run(5000);
            Vec2 lo, hi;
            l.bounds(lo, hi);
            return (hi.x - lo.x) / (hi.y - lo.y);
        };
        const double square = extent(1.0), wide = extent(4), tall = extent(0.25);
        QVERIFY2(square > 0.75 && square < 1.33, qPrintable(QString::number(square)));
        QVERIFY2(wide > 1.6, qPrintable(QString::number(wide)));
        QVERIFY2(tall < 1 / 1.6, qPrintable(QString::number(tall)));
    }
};

QTEST_APPLESS_MAIN(TestGraphLayout)
#include "test_graph_layout.moc"
