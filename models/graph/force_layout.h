// Places the nodes of a GraphScene: an incremental force-directed layout
// (Barnes–Hut many-body repulsion, springs along links, local hosts pulled to
// the middle and remote hosts to a ring around them, collisions resolved on a
// uniform grid), or a circle layout.
//
// Each node has its own temperature ("alpha", as in d3-force): a new node
// starts hot and cools over a few hundred steps, a node that has settled
// stays still. So nodes already placed do not move when others arrive; only
// a large change (more new nodes than old) warms everything a little. A step
// costs O(n log n) for n nodes plus O(links); a settled layout costs nothing.
#pragma once

#include "graph_scene.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace underhood {

struct Vec2 {
    double x = 0, y = 0;
};

enum class LayoutKind : uint8_t { Force, Circle };

struct LayoutParams {
    double link_distance = 34;       // between the rims of two linked nodes
    double charge = -36;             // many-body strength per node…
    double charge_per_radius = -5;   // …plus this per unit of radius
    double theta = 0.9;              // Barnes–Hut opening criterion
    double centre_strength = 1.0;    // pull of local nodes to the middle (1: a disc of even density)
    double cross_link_strength = 0.02; // a local-remote spring's pull on the local end
    double contain_strength = 0.5;   // local nodes back inside their disc
    double ring_strength = 0.6;      // remote nodes toward their ring
    double velocity_decay = 0.4;     // fraction of velocity lost per step
    double alpha_decay = 0.0228;     // a new node cools from 1 to alpha_min in ~300 steps
    double alpha_min = 0.001;
    double collide_padding = 4;      // space kept between discs
    double warm_new_fraction = 1.0;  // more new nodes than this times the old ones warms everything
};

class ForceLayout {
public:
    explicit ForceLayout(LayoutParams p = {}) : p_(p) {}

    // Takes the nodes and links of a scene: known nodes keep their places
    // (and pins), new ones start near their neighbours, their cluster, or in
    // their region (local middle, remote ring); positions() follow scene.nodes.
    void sync(const GraphScene& scene);
    // One iteration; false when nothing moved (settled).
    bool step();
    // Steps until settled or `max_steps`; returns the steps taken.
    int run(int max_steps);
    bool settled() const { return awake_ == 0; }

    void set_kind(LayoutKind k);
    // The shape of the picture it is laid out for (width / height): the local
    // disc and the remote ring become ellipses of about the square root of
    // that shape (at most 2.5:1 either way), so a wide pane is filled. Nodes
    // already placed are not moved by the change itself.
    void set_aspect(double width_over_height);
    double aspect() const { return sx_ / sy_; }
    LayoutKind kind() const { return kind_; }

    size_t size() const { return x_.size(); }
    Vec2 position(size_t i) const { return {x_[i], y_[i]}; }
    const std::vector<double>& xs() const { return x_; }
    const std::vector<double>& ys() const { return y_; }
    float radius(size_t i) const { return r_[i]; }

    // Drag: moves node i there and pins it.
    void drag(size_t i, Vec2 p);
    void set_pinned(size_t i, bool pinned);
    bool pinned(size_t i) const { return pinned_[i]; }
    // Warms every node to at least `alpha` (a new layout from where things are).
    void reheat(double alpha);
    // Forgets every position and pin (the next sync lays out from scratch).
    void clear();

    // Bounding box of the discs; false when empty.
    bool bounds(Vec2& lo, Vec2& hi) const;
    // Pair interactions (body–body and body–cell) in the last step.
    uint64_t interactions() const { return interactions_; }
    // Changes whenever a position does (views cache what depends on positions).
    uint64_t version() const { return version_; }
    double ring_radius() const { return ring_r_; }

private:
    struct Saved {
        double x, y;
        bool pinned;
    };
    void place_new(const GraphScene& scene, const std::vector<char>& known);
    void circle_targets(const GraphScene& scene);
    void many_body();
    void springs();
    void regions();
    void collide();
    void wake(size_t i, double alpha);

    LayoutParams p_;
    LayoutKind kind_ = LayoutKind::Force;
    std::vector<NodeId> id_;
    std::vector<double> x_, y_, vx_, vy_, alpha_, charge_, tx_, ty_;
    std::vector<float> r_;
    std::vector<char> pinned_, local_;
    std::vector<std::pair<uint32_t, uint32_t>> links_;
    std::vector<uint32_t> degree_;
    std::vector<std::string> keys_;
    std::unordered_map<NodeId, Saved> memory_;
    double local_r_ = 0, ring_r_ = 0, ring_outer_ = 0, centre_k_ = 0.05;
    double sx_ = 1, sy_ = 1; // the regions' axes: sx_ * sy_ == 1
    size_t awake_ = 0;
    uint64_t interactions_ = 0;
    uint64_t version_ = 0;
    std::vector<Endpoint> order_key_;

    // Barnes–Hut quadtree, rebuilt each step.
    struct Quad {
        double cx = 0, cy = 0, charge = 0, weight = 0;
        double x0 = 0, y0 = 0, size = 0;
        int child[4] = {-1, -1, -1, -1};
        int body = -1; // first body of a leaf (more chain through next_)
        bool leaf = true;
    };
    std::vector<Quad> quads_;
    std::vector<int> next_;
    std::vector<int> stack_;
    // Collision grid.
    std::vector<int> cell_head_, cell_next_;
};

} // namespace underhood
