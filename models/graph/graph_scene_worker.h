// Moves the host graph's window over a capture and builds its scenes on a
// thread of its own, so that a far jump on the timeline of a large capture
// (hundreds of thousands of packets to decode again) never holds up the GUI.
//
// The owner posts requests (move to a time, to the newest packet or to a
// packet number, and build with these options); the worker answers each with
// a finished scene through the callback it was made with, called on the
// worker's thread. Requests coalesce: while one is being computed only the
// newest pending one is kept (a request that only changes the options keeps
// the move of the one it replaces), so dragging the timeline never queues
// up work.
//
// The worker holds the engine it reads (shared), so a capture closed while a
// scene is being made stays readable until the worker lets go of it. Each
// set_engine starts a new generation: work for the previous one is cancelled
// and never delivered. No Qt here.
#pragma once

#include "graph_scene.h"
#include "ingest_engine.h"
#include "local_networks.h"
#include "traffic_window.h"
#include "window_cursor.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace underhood {

struct SceneRequest {
    enum class Move : uint8_t {
        None,   // stay where the window is (options, spans or the capture's names changed)
        Time,   // end the window at time_ns
        End,    // end the window at the newest packet
        Packet, // end the window just before packet `end` (a step: packet end - 1 is the last in it)
    };
    Move move = Move::None;
    int64_t time_ns = 0;
    uint64_t end = 0;
    bool pulse = false; // Packet: the answer names the packet stepped to
    GraphOptions options;
    WindowSpans spans;
    std::vector<IpPrefix> local_subnets;
    bool detect_local = true;
};

struct SceneResult {
    uint64_t generation = 0; // of set_engine
    uint64_t serial = 0;     // of the newest request this answers
    GraphScene scene;
    bool positioned = false; // false: the window has no position yet (nothing read)
    int64_t time_ns = 0;     // the end of the window
    uint64_t end = 0;        // one past the last packet in the window
    uint64_t pulse = 0;      // the packet a step went to, else 0
};

class GraphSceneWorker {
public:
    using Deliver = std::function<void(SceneResult&&)>;
    // `deliver` is called on the worker's thread, never after the destructor returns.
    explicit GraphSceneWorker(Deliver deliver);
    ~GraphSceneWorker(); // cancels what is in progress and joins the thread
    GraphSceneWorker(const GraphSceneWorker&) = delete;
    GraphSceneWorker& operator=(const GraphSceneWorker&) = delete;

    // Another capture (or none): drops the pending request, cancels the one
    // in progress, and starts from an empty window. Returns the new generation.
    uint64_t set_engine(std::shared_ptr<const IngestEngine> engine);
    // Posts a request for the current engine; returns its serial (results
    // carry the serial of the newest request they answer).
    uint64_t post(SceneRequest request);
    // A request pending or in progress.
    bool busy() const;

private:
    void run();
    SceneResult compute(const SceneRequest& r);

    Deliver deliver_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // Guarded by mutex_.
    std::optional<SceneRequest> pending_;
    uint64_t pending_serial_ = 0, serial_ = 0;
    uint64_t generation_ = 0;
    std::shared_ptr<const IngestEngine> next_engine_;
    bool engine_changed_ = false;
    bool working_ = false;
    bool stop_ = false;
    std::atomic<bool> cancel_{false};

    // The worker thread's own.
    std::shared_ptr<const IngestEngine> engine_;
    std::unique_ptr<TrafficWindow> window_;
    std::unique_ptr<WindowCursor> cursor_;
    GraphBuilder builder_;
    WindowSpans spans_;
    bool have_spans_ = false;

    std::thread thread_; // last: starts once the rest is ready
};

} // namespace underhood
