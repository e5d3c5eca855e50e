#include "force_layout.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace underhood {

namespace {

constexpr double kTau = 2 * std::numbers::pi;

// Deterministic numbers in [0, 1) from a node id: layouts repeat exactly.
double unit_hash(uint64_t id, uint64_t salt)
{
    uint64_t x = id ^ (salt * 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    return double(x >> 11) * (1.0 / 9007199254740992.0);
}

// Where a remote address sits on the ring: in address order, so neighbouring
// subnets sit side by side.
double address_angle(const Endpoint& e, NodeId id)
{
    if (e.kind == Endpoint::Kind::None || e.family == 0)
        return kTau * unit_hash(id, 7);
    const double v = double(uint32_t(e.bytes[0]) << 24 | uint32_t(e.bytes[1]) << 16 | uint32_t(e.bytes[2]) << 8 |
                            e.bytes[3]) /
                     4294967296.0;
    return kTau * (v + (e.family == 6 ? 0.5 : 0.0));
}

} // namespace

void ForceLayout::clear()
{
    memory_.clear();
    id_.clear();
    x_.clear();
    y_.clear();
    vx_.clear();
    vy_.clear();
    alpha_.clear();
    charge_.clear();
    tx_.clear();
    ty_.clear();
    r_.clear();
    pinned_.clear();
    local_.clear();
    links_.clear();
    degree_.clear();
    order_key_.clear();
    awake_ = 0;
}

void ForceLayout::sync(const GraphScene& scene)
{
    ++version_;
    // Remember where everything was (pins included), then lay the new set out.
    std::unordered_map<NodeId, double> old_alpha;
    old_alpha.reserve(id_.size());
    for (size_t i = 0; i < id_.size(); ++i) {
        memory_[id_[i]] = {x_[i], y_[i], bool(pinned_[i])};
        old_alpha[id_[i]] = alpha_[i];
    }
    if (memory_.size() > 4 * scene.nodes.size() + 20000) {
        std::unordered_map<NodeId, Saved> keep;
        for (size_t i = 0; i < id_.size(); ++i)
            keep[id_[i]] = memory_[id_[i]];
        memory_.swap(keep);
    }

    const size_t n = scene.nodes.size();
    id_.resize(n);
    x_.assign(n, 0);
    y_.assign(n, 0);
    vx_.assign(n, 0);
    vy_.assign(n, 0);
    alpha_.assign(n, 0);
    charge_.resize(n);
    tx_.assign(n, 0);
    ty_.assign(n, 0);
    r_.resize(n);
    pinned_.assign(n, 0);
    local_.resize(n);
    order_key_.resize(n);
    std::vector<char> known(n, 0);
    size_t fresh = 0, carried = 0;
    double ring_need = 0, ring_area = 0, radius_sum = 0, charge_sum = 0;
    size_t n_local = 0;
    for (size_t i = 0; i < n; ++i) {
        const SceneNode& sn = scene.nodes[i];
        id_[i] = sn.id;
        r_[i] = sn.radius;
        local_[i] = sn.local;
        order_key_[i] = sn.endpoint;
        charge_[i] = p_.charge + p_.charge_per_radius * sn.radius;
        if (sn.local) {
            ++n_local;
            radius_sum += sn.radius;
            charge_sum += std::abs(charge_[i]);
        } else {
            ring_need += 2 * (sn.radius + p_.collide_padding + 6);
            ring_area += 4 * (sn.radius + p_.collide_padding + 6) * (sn.radius + p_.collide_padding + 6);
        }
        auto a = old_alpha.find(sn.id);
        if (a != old_alpha.end()) {
            alpha_[i] = a->second;
            ++carried;
        }
        auto m = memory_.find(sn.id);
        if (m != memory_.end()) {
            x_[i] = m->second.x;
            y_[i] = m->second.y;
            pinned_[i] = m->second.pinned;
            known[i] = 1;
            if (a == old_alpha.end())
                alpha_[i] = 0.3; // back after a while: settle in again
        } else {
            alpha_[i] = 1;
            ++fresh;
        }
    }
    // Locals fill a disc, remotes a ring outside it. Many-body repulsion
    // (1/d, like charges in the plane) against a linear pull to the middle
    // settles into a disc of even density whose radius is set by the pull:
    // choose the pull that gives each local node room for itself and a label.
    const double spacing = 2 * (n_local ? radius_sum / double(n_local) : 8) + p_.link_distance;
    local_r_ = spacing * std::sqrt(double(n_local) / std::numbers::pi);
    centre_k_ = n_local > 1 ? p_.centre_strength * charge_sum / (local_r_ * local_r_) : 0.05;
    // One ring while the remote nodes fit around it; past that, a band wide
    // enough to hold them all.
    ring_r_ = std::max(1.25 * local_r_ + 4 * p_.link_distance, 4 * p_.link_distance);
    ring_outer_ = ring_need / kTau <= ring_r_ ? ring_r_ : std::sqrt(ring_r_ * ring_r_ + ring_area / std::numbers::pi);

    links_.clear();
    degree_.assign(n, 0);
    for (const SceneLink& l : scene.links) {
        if (l.a == l.b)
            continue;
        links_.emplace_back(l.a, l.b);
        ++degree_[l.a];
        ++degree_[l.b];
    }
    place_new(scene, known);
    if (carried && double(fresh) > p_.warm_new_fraction * double(carried))
        reheat(0.3);
    if (kind_ == LayoutKind::Circle)
        circle_targets(scene);
    awake_ = 0;
    for (size_t i = 0; i < n; ++i)
        if (alpha_[i] >= p_.alpha_min && !pinned_[i])
            ++awake_;
}

void ForceLayout::place_new(const GraphScene& scene, const std::vector<char>& known_in)
{
    const size_t n = scene.nodes.size();
    std::vector<char> placed = known_in;
    std::vector<std::vector<uint32_t>> adj(n);
    for (const auto& [a, b] : links_) {
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    auto remembered = [&](NodeId id, Vec2& out) {
        int j = scene.find(id);
        if (j >= 0 && placed[size_t(j)]) {
            out = {x_[size_t(j)], y_[size_t(j)]};
            return true;
        }
        auto m = memory_.find(id);
        if (m == memory_.end())
            return false;
        out = {m->second.x, m->second.y};
        return true;
    };
    for (size_t i = 0; i < n; ++i) {
        if (placed[i])
            continue;
        const SceneNode& sn = scene.nodes[i];
        const double jitter_a = kTau * unit_hash(sn.id, 1);
        const double d = p_.link_distance + sn.radius;
        Vec2 at;
        bool have = false;
        // A host of a cluster just expanded: around where the cluster was.
        if (sn.parent && remembered(sn.parent, at)) {
            const double rr = d * (0.6 + unit_hash(sn.id, 2));
            at.x += rr * std::cos(jitter_a);
            at.y += rr * std::sin(jitter_a);
            have = true;
        }
        // A cluster just collapsed: where its members were.
        if (!have && sn.cluster) {
            double sx = 0, sy = 0;
            size_t k = 0;
            for (NodeId m : sn.member_ids) {
                Vec2 v;
                if (remembered(m, v)) {
                    sx += v.x;
                    sy += v.y;
                    ++k;
                }
            }
            if (k) {
                at = {sx / double(k), sy / double(k)};
                have = true;
            }
        }
        // Beside its placed neighbours, outwards for a remote node.
        if (!have) {
            double sx = 0, sy = 0;
            size_t k = 0;
            for (uint32_t j : adj[i])
                if (placed[j]) {
                    sx += x_[j];
                    sy += y_[j];
                    ++k;
                }
            if (k) {
                at = {sx / double(k), sy / double(k)};
                double ang = jitter_a;
                if (!sn.local) {
                    const double len = std::hypot(at.x, at.y);
                    const double out = len > 1 ? std::atan2(at.y, at.x) : address_angle(sn.endpoint, sn.id);
                    ang = out + (unit_hash(sn.id, 3) - 0.5);
                }
                at.x += d * std::cos(ang);
                at.y += d * std::sin(ang);
                have = true;
            }
        }
        if (!have) {
            if (sn.local) {
                const double rr = local_r_ * 0.8 * std::sqrt(unit_hash(sn.id, 4));
                at = {rr * sx_ * std::cos(jitter_a), rr * sy_ * std::sin(jitter_a)};
            } else {
                const double ang = address_angle(sn.endpoint, sn.id);
                const double rr = ring_r_ + (ring_outer_ - ring_r_) * unit_hash(sn.id, 5);
                at = {rr * sx_ * std::cos(ang), rr * sy_ * std::sin(ang)};
            }
        }
        x_[i] = at.x;
        y_[i] = at.y;
        placed[i] = 1;
    }
}

void ForceLayout::set_aspect(double width_over_height)
{
    // Softened: a graph spreads sideways along its links by itself, so a
    // 16:10 picture wants only a slightly oval layout, a strip a long one.
    const double a = std::isfinite(width_over_height) && width_over_height > 0
                         ? std::clamp(std::sqrt(width_over_height), 1 / 2.5, 2.5)
                         : 1.0;
    sx_ = std::sqrt(a);
    sy_ = 1 / sx_;
}

void ForceLayout::set_kind(LayoutKind k)
{
    if (k == kind_)
        return;
    kind_ = k;
    reheat(k == LayoutKind::Force ? 0.3 : 1.0);
}

void ForceLayout::circle_targets(const GraphScene& scene)
{
    const size_t n = scene.nodes.size();
    std::vector<uint32_t> inner, outer;
    for (uint32_t i = 0; i < n; ++i)
        (local_[i] ? inner : outer).push_back(i);
    auto by_address = [&](uint32_t a, uint32_t b) {
        if (!(order_key_[a] == order_key_[b]))
            return order_key_[a] < order_key_[b];
        return id_[a] < id_[b];
    };
    auto lay = [&](std::vector<uint32_t>& ring, double min_r) {
        std::sort(ring.begin(), ring.end(), by_address);
        double length = 0;
        for (uint32_t i : ring)
            length += 2 * (r_[i] + p_.collide_padding + 4);
        const double radius = std::max(min_r, length / kTau);
        double s = 0;
        for (uint32_t i : ring) {
            const double half = r_[i] + p_.collide_padding + 4;
            const double ang = ring.size() == 1 ? 0 : kTau * (s + half) / std::max(length, 1.0);
            s += 2 * half;
            tx_[i] = radius * std::cos(ang - std::numbers::pi / 2);
            ty_[i] = radius * std::sin(ang - std::numbers::pi / 2);
        }
        return radius;
    };
    const double r_in = inner.size() <= 1 ? 0 : lay(inner, 2 * p_.link_distance);
    if (inner.size() == 1)
        tx_[inner[0]] = ty_[inner[0]] = 0;
    lay(outer, r_in + 4 * p_.link_distance);
}

void ForceLayout::reheat(double alpha)
{
    awake_ = 0;
    for (size_t i = 0; i < alpha_.size(); ++i) {
        alpha_[i] = std::max(alpha_[i], alpha);
        if (!pinned_[i])
            ++awake_;
    }
}

void ForceLayout::wake(size_t i, double alpha)
{
    if (alpha_[i] < p_.alpha_min && !pinned_[i])
        ++awake_;
    alpha_[i] = std::max(alpha_[i], alpha);
}

void ForceLayout::drag(size_t i, Vec2 p)
{
    if (i >= size())
        return;
    ++version_;
    x_[i] = p.x;
    y_[i] = p.y;
    vx_[i] = vy_[i] = 0;
    if (!pinned_[i] && alpha_[i] >= p_.alpha_min)
        --awake_;
    pinned_[i] = 1;
    // The neighbours follow a little; everything else stays put.
    for (const auto& [a, b] : links_) {
        if (a == i)
            wake(b, 0.08);
        else if (b == i)
            wake(a, 0.08);
    }
}

void ForceLayout::set_pinned(size_t i, bool on)
{
    if (i >= size() || bool(pinned_[i]) == on)
        return;
    pinned_[i] = on;
    if (on) {
        if (alpha_[i] >= p_.alpha_min)
            --awake_;
    } else {
        alpha_[i] = std::max(alpha_[i], 0.1);
        ++awake_;
    }
}

bool ForceLayout::bounds(Vec2& lo, Vec2& hi) const
{
    if (x_.empty())
        return false;
    lo = {1e300, 1e300};
    hi = {-1e300, -1e300};
    for (size_t i = 0; i < x_.size(); ++i) {
        lo.x = std::min(lo.x, x_[i] - r_[i]);
        lo.y = std::min(lo.y, y_[i] - r_[i]);
        hi.x = std::max(hi.x, x_[i] + r_[i]);
        hi.y = std::max(hi.y, y_[i] + r_[i]);
    }
    return true;
}

int ForceLayout::run(int max_steps)
{
    int steps = 0;
    while (steps < max_steps && step())
        ++steps;
    return steps;
}

bool ForceLayout::step()
{
    interactions_ = 0;
    const size_t n = size();
    if (awake_ == 0 || n == 0)
        return false;
    ++version_;
    if (kind_ == LayoutKind::Circle) {
        double moved = 0;
        for (size_t i = 0; i < n; ++i) {
            if (pinned_[i])
                continue;
            const double dx = (tx_[i] - x_[i]) * 0.18, dy = (ty_[i] - y_[i]) * 0.18;
            x_[i] += dx;
            y_[i] += dy;
            moved = std::max(moved, std::abs(dx) + std::abs(dy));
        }
        if (moved < 0.02) {
            for (size_t i = 0; i < n; ++i)
                if (!pinned_[i]) {
                    x_[i] = tx_[i];
                    y_[i] = ty_[i];
                }
            std::fill(alpha_.begin(), alpha_.end(), 0.0);
            awake_ = 0;
        }
        return true;
    }

    many_body();
    springs();
    regions();
    awake_ = 0;
    const double keep = 1 - p_.velocity_decay;
    for (size_t i = 0; i < n; ++i) {
        if (pinned_[i] || alpha_[i] < p_.alpha_min) {
            vx_[i] = vy_[i] = 0;
            continue;
        }
        vx_[i] *= keep;
        vy_[i] *= keep;
        const double v = std::hypot(vx_[i], vy_[i]);
        if (v > 40) { // a body thrown by a near coincidence is slowed, not lost
            vx_[i] *= 40 / v;
            vy_[i] *= 40 / v;
        }
        x_[i] += vx_[i];
        y_[i] += vy_[i];
        alpha_[i] *= 1 - p_.alpha_decay;
        if (alpha_[i] >= p_.alpha_min)
            ++awake_;
    }
    collide();
    return true;
}

void ForceLayout::many_body()
{
    const size_t n = size();
    // Bounding square.
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (size_t i = 0; i < n; ++i) {
        x0 = std::min(x0, x_[i]);
        y0 = std::min(y0, y_[i]);
        x1 = std::max(x1, x_[i]);
        y1 = std::max(y1, y_[i]);
    }
    const double size = std::max({x1 - x0, y1 - y0, 1.0}) * 1.0001;
    quads_.clear();
    quads_.reserve(2 * n + 1);
    next_.assign(n, -1);
    Quad root;
    root.x0 = x0;
    root.y0 = y0;
    root.size = size;
    quads_.push_back(root);
    auto quadrant = [&](const Quad& q, size_t b) {
        const double h = q.size / 2;
        return (x_[b] >= q.x0 + h ? 1 : 0) | (y_[b] >= q.y0 + h ? 2 : 0);
    };
    auto child_of = [&](int qi, int k) {
        if (quads_[size_t(qi)].child[k] < 0) {
            const Quad& q = quads_[size_t(qi)];
            Quad c;
            c.size = q.size / 2;
            c.x0 = q.x0 + (k & 1 ? c.size : 0);
            c.y0 = q.y0 + (k & 2 ? c.size : 0);
            quads_.push_back(c);
            quads_[size_t(qi)].child[k] = int(quads_.size() - 1);
        }
        return quads_[size_t(qi)].child[k];
    };
    for (size_t b = 0; b < n; ++b) {
        int qi = 0;
        for (int depth = 0;; ++depth) {
            Quad& q = quads_[size_t(qi)];
            if (q.leaf) {
                if (q.body < 0) {
                    q.body = int(b);
                    break;
                }
                const size_t other = size_t(q.body);
                // Coincident bodies (or too deep) share a leaf.
                if (depth > 40 || (x_[other] == x_[b] && y_[other] == y_[b])) {
                    next_[b] = q.body;
                    q.body = int(b);
                    break;
                }
                // Split: the chain moves down to one child.
                const int k = quadrant(q, other);
                q.leaf = false;
                const int body = q.body;
                q.body = -1;
                const int c = child_of(qi, k);
                quads_[size_t(c)].body = body;
                // (chains only form at identical points, so they move as one)
            }
            qi = child_of(qi, quadrant(quads_[size_t(qi)], b));
        }
    }
    // Charges and charge-weighted centres, children before parents.
    for (size_t qi = quads_.size(); qi-- > 0;) {
        Quad& q = quads_[qi];
        double c = 0, w = 0, sx = 0, sy = 0;
        if (q.leaf) {
            for (int b = q.body; b >= 0; b = next_[size_t(b)]) {
                const double wb = std::abs(charge_[size_t(b)]);
                c += charge_[size_t(b)];
                w += wb;
                sx += x_[size_t(b)] * wb;
                sy += y_[size_t(b)] * wb;
            }
        } else {
            for (int k : q.child)
                if (k >= 0) {
                    const Quad& ch = quads_[size_t(k)];
                    c += ch.charge;
                    w += ch.weight;
                    sx += ch.cx * ch.weight;
                    sy += ch.cy * ch.weight;
                }
        }
        q.charge = c;
        q.weight = w;
        q.cx = w > 0 ? sx / w : q.x0;
        q.cy = w > 0 ? sy / w : q.y0;
    }

    const double theta2 = p_.theta * p_.theta;
    constexpr double kMin2 = 1.0;
    uint64_t count = 0;
    for (size_t i = 0; i < n; ++i) {
        const double a = alpha_[i];
        if (pinned_[i] || a < p_.alpha_min)
            continue;
        double fx = 0, fy = 0;
        stack_.clear();
        stack_.push_back(0);
        while (!stack_.empty()) {
            const Quad& q = quads_[size_t(stack_.back())];
            stack_.pop_back();
            if (q.weight == 0)
                continue;
            double dx = q.cx - x_[i], dy = q.cy - y_[i];
            double l = dx * dx + dy * dy;
            if (!q.leaf && q.size * q.size / theta2 < l) {
                ++count;
                if (l < kMin2)
                    l = std::sqrt(kMin2 * l);
                fx += dx * q.charge / l;
                fy += dy * q.charge / l;
                continue;
            }
            if (!q.leaf) {
                for (int k : q.child)
                    if (k >= 0)
                        stack_.push_back(k);
                continue;
            }
            for (int b = q.body; b >= 0; b = next_[size_t(b)]) {
                if (size_t(b) == i)
                    continue;
                ++count;
                dx = x_[size_t(b)] - x_[i];
                dy = y_[size_t(b)] - y_[i];
                if (dx == 0 && dy == 0) { // nudge coincident bodies apart
                    dx = (unit_hash(id_[i], 11) - 0.5) * 1e-3;
                    dy = (unit_hash(id_[i], 12) - 0.5) * 1e-3;
                }
                l = dx * dx + dy * dy;
                if (l < kMin2)
                    l = std::sqrt(kMin2 * l);
                fx += dx * charge_[size_t(b)] / l;
                fy += dy * charge_[size_t(b)] / l;
            }
        }
        vx_[i] += fx * a;
        vy_[i] += fy * a;
    }
    interactions_ += count;
}

void ForceLayout::springs()
{
    for (const auto& [s, t] : links_) {
        const double as = pinned_[s] ? 0 : alpha_[s], at = pinned_[t] ? 0 : alpha_[t];
        if (as < p_.alpha_min && at < p_.alpha_min)
            continue;
        double dx = x_[t] + vx_[t] - x_[s] - vx_[s];
        double dy = y_[t] + vy_[t] - y_[s] - vy_[s];
        double l = std::hypot(dx, dy);
        if (l < 1e-6) {
            dx = (unit_hash(id_[t], 13) - 0.5) * 1e-3;
            dy = (unit_hash(id_[t], 14) - 0.5) * 1e-3;
            l = std::hypot(dx, dy);
        }
        const double rest = p_.link_distance + r_[s] + r_[t];
        const double strength = 1.0 / std::max<uint32_t>(1, std::min(degree_[s], degree_[t]));
        const double k = (l - rest) / l * strength;
        const double bias = double(degree_[s]) / double(degree_[s] + degree_[t]);
        double share_t = bias, share_s = 1 - bias;
        // A link from the middle to the ring turns the remote node towards its
        // partners; it barely moves the local one, or every host talking to
        // the Internet would be dragged out of the disc.
        if (local_[s] != local_[t]) {
            // (strength is 1 / the smaller degree: the local end's, usually;
            // the remote end takes its share of all its partners' pull.)
            const double remote_share =
                double(std::min(degree_[s], degree_[t])) / double(local_[s] ? degree_[t] : degree_[s]);
            share_t = local_[t] ? p_.cross_link_strength : remote_share;
            share_s = local_[s] ? p_.cross_link_strength : remote_share;
        }
        double ftx = -dx * k * share_t * at, fty = -dy * k * share_t * at;
        double fsx = dx * k * share_s * as, fsy = dy * k * share_s * as;
        if (local_[s] != local_[t]) {
            // The remote end only slides along its ring: its radius is the ring's.
            const size_t r = local_[s] ? t : s;
            double& fx = local_[s] ? ftx : fsx;
            double& fy = local_[s] ? fty : fsy;
            const double d = std::hypot(x_[r], y_[r]);
            if (d > 1e-6) {
                const double ux = x_[r] / d, uy = y_[r] / d, along = fx * ux + fy * uy;
                fx -= along * ux;
                fy -= along * uy;
            }
        }
        vx_[t] += ftx;
        vy_[t] += fty;
        vx_[s] += fsx;
        vy_[s] += fsy;
    }
}

void ForceLayout::regions()
{
    for (size_t i = 0; i < size(); ++i) {
        const double a = alpha_[i];
        if (pinned_[i] || a < p_.alpha_min)
            continue;
        // Distances are measured in the regions' own (elliptical) metric.
        const double d = std::max(std::hypot(x_[i] / sx_, y_[i] / sy_), 1e-6);
        if (local_[i]) {
            // A weak pull to the middle, and a firm one back inside the disc.
            double k = centre_k_;
            if (d > 1.2 * local_r_)
                k += p_.contain_strength * (d - 1.2 * local_r_) / d;
            vx_[i] -= x_[i] * k * a / (sx_ * sx_);
            vy_[i] -= y_[i] * k * a / (sy_ * sy_);
        } else {
            const double target = d < ring_r_ ? ring_r_ : d > ring_outer_ ? ring_outer_ : d;
            const double k = (target - d) * p_.ring_strength * a / d;
            vx_[i] += x_[i] * k;
            vy_[i] += y_[i] * k;
        }
    }
}

void ForceLayout::collide()
{
    const size_t n = size();
    if (n < 2)
        return;
    float rmax = 0;
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (size_t i = 0; i < n; ++i) {
        rmax = std::max(rmax, r_[i]);
        x0 = std::min(x0, x_[i]);
        y0 = std::min(y0, y_[i]);
        x1 = std::max(x1, x_[i]);
        y1 = std::max(y1, y_[i]);
    }
    const double cell = 2 * (double(rmax) + p_.collide_padding);
    // A grid no larger than about 4n cells; the cells stay at least one
    // collision distance wide, so only the 3x3 neighbourhood can collide.
    const double gw = std::max(1.0, std::ceil((x1 - x0) / cell) + 1), gh = std::max(1.0, std::ceil((y1 - y0) / cell) + 1);
    const double scale = std::max(1.0, std::sqrt(gw * gh / (4.0 * double(n))));
    const double cs = cell * scale;
    const int cols = int(std::ceil((x1 - x0) / cs)) + 1, rows = int(std::ceil((y1 - y0) / cs)) + 1;
    cell_head_.assign(size_t(cols) * size_t(rows), -1);
    cell_next_.assign(n, -1);
    auto cell_of = [&](size_t i, int& cx, int& cy) {
        cx = std::clamp(int((x_[i] - x0) / cs), 0, cols - 1);
        cy = std::clamp(int((y_[i] - y0) / cs), 0, rows - 1);
    };
    for (size_t i = 0; i < n; ++i) {
        int cx, cy;
        cell_of(i, cx, cy);
        const size_t c = size_t(cy) * size_t(cols) + size_t(cx);
        cell_next_[i] = cell_head_[c];
        cell_head_[c] = int(i);
    }
    auto mobility = [&](size_t i) { return pinned_[i] || alpha_[i] < p_.alpha_min ? 0.0 : std::max(alpha_[i], 0.02); };
    for (size_t i = 0; i < n; ++i) {
        const double mi = mobility(i);
        int cx, cy;
        cell_of(i, cx, cy);
        for (int yy = std::max(0, cy - 1); yy <= std::min(rows - 1, cy + 1); ++yy)
            for (int xx = std::max(0, cx - 1); xx <= std::min(cols - 1, cx + 1); ++xx)
                for (int j = cell_head_[size_t(yy) * size_t(cols) + size_t(xx)]; j >= 0; j = cell_next_[size_t(j)]) {
                    if (size_t(j) <= i)
                        continue;
                    const double mj = mobility(size_t(j));
                    if (mi == 0 && mj == 0)
                        continue;
                    double dx = x_[size_t(j)] - x_[i], dy = y_[size_t(j)] - y_[i];
                    const double want = double(r_[i]) + double(r_[size_t(j)]) + p_.collide_padding;
                    double d2 = dx * dx + dy * dy;
                    if (d2 >= want * want)
                        continue;
                    ++interactions_;
                    if (d2 < 1e-12) {
                        dx = unit_hash(id_[size_t(j)], 15) - 0.5;
                        dy = unit_hash(id_[size_t(j)], 16) - 0.5;
                        d2 = dx * dx + dy * dy;
                    }
                    const double d = std::sqrt(d2);
                    const double push = (want - d) / d * 0.5;
                    const double wi = mi / (mi + mj), wj = mj / (mi + mj);
                    x_[i] -= dx * push * wi * 2;
                    y_[i] -= dy * push * wi * 2;
                    x_[size_t(j)] += dx * push * wj * 2;
                    y_[size_t(j)] += dy * push * wj * 2;
                }
    }
}

} // namespace underhood
