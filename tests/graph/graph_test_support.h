// Shared by the graph tests.
#pragma once

#include "graph_scene.h"
#include "ingest_engine.h"
#include "traffic_window.h"
#include "window_cursor.h"

namespace underhood {

// The scene of a window where its cursor stands, built as the app builds it
// (with the capture's passive names).
inline GraphScene build_scene(GraphBuilder& b, const IngestEngine& e, const TrafficWindow& w, const WindowCursor& c,
                              const GraphOptions& o)
{
    return e.with_state([&](const IngestEngine::State& st) { return b.build(w, c.spans(), o, &st.model.names(), c.time()); });
}

} // namespace underhood
