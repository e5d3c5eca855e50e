#include "graph_scene_worker.h"

namespace underhood {

GraphSceneWorker::GraphSceneWorker(Deliver deliver) : deliver_(std::move(deliver)), thread_([this] { run(); }) {}

GraphSceneWorker::~GraphSceneWorker()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        cancel_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

uint64_t GraphSceneWorker::set_engine(std::shared_ptr<const IngestEngine> engine)
{
    std::lock_guard lock(mutex_);
    ++generation_;
    pending_.reset();
    next_engine_ = std::move(engine);
    engine_changed_ = true;
    cancel_ = true; // the move in progress (if any) is for the previous engine
    wake_.notify_all();
    return generation_;
}

uint64_t GraphSceneWorker::post(SceneRequest request)
{
    std::lock_guard lock(mutex_);
    if (pending_ && request.move == SceneRequest::Move::None) {
        // Only the options changed: the pending move still has to happen.
        request.move = pending_->move;
        request.time_ns = pending_->time_ns;
        request.end = pending_->end;
        request.pulse = pending_->pulse;
    }
    pending_ = std::move(request);
    pending_serial_ = ++serial_;
    wake_.notify_all();
    return pending_serial_;
}

bool GraphSceneWorker::busy() const
{
    std::lock_guard lock(mutex_);
    return pending_.has_value() || working_ || engine_changed_;
}

void GraphSceneWorker::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stop_ || engine_changed_ || pending_.has_value(); });
        if (stop_)
            break;
        if (engine_changed_) {
            engine_changed_ = false;
            cancel_ = false;
            std::shared_ptr<const IngestEngine> engine = std::move(next_engine_);
            next_engine_.reset();
            lock.unlock();
            cursor_.reset();
            window_.reset();
            engine_ = std::move(engine); // the previous engine may end here, off the owner's thread
            have_spans_ = false;
            if (engine_) {
                window_ = std::make_unique<TrafficWindow>();
                cursor_ = std::make_unique<WindowCursor>(*engine_, *window_);
                cursor_->set_cancel(&cancel_);
            }
            lock.lock();
            continue;
        }
        SceneRequest request = std::move(*pending_);
        pending_.reset();
        const uint64_t serial = pending_serial_, generation = generation_;
        working_ = true;
        lock.unlock();
        SceneResult result = compute(request);
        result.serial = serial;
        result.generation = generation;
        lock.lock();
        working_ = false;
        if (stop_ || engine_changed_ || generation != generation_)
            continue; // for a capture no longer shown
        lock.unlock();
        deliver_(std::move(result));
        lock.lock();
    }
    lock.unlock();
    cursor_.reset();
    window_.reset();
    engine_.reset();
}

SceneResult GraphSceneWorker::compute(const SceneRequest& r)
{
    SceneResult out;
    if (!cursor_)
        return out;
    if (!have_spans_ || spans_ != r.spans) {
        spans_ = r.spans;
        have_spans_ = true;
        if (r.move != SceneRequest::Move::None)
            cursor_->reset(); // it moves anyway: no need to rebuild at the old position first
        cursor_->set_spans(spans_);
    }
    switch (r.move) {
    case SceneRequest::Move::None: cursor_->refresh(); break;
    case SceneRequest::Move::Time: cursor_->seek(r.time_ns); break;
    case SceneRequest::Move::End: cursor_->seek_end(); break;
    case SceneRequest::Move::Packet: cursor_->seek_packet(r.end); break;
    }
    if (cancel_)
        return out; // never delivered
    builder_.locals().set_configured(r.local_subnets);
    builder_.locals().set_detect(r.detect_local);
    out.scene = engine_->with_state([&](const IngestEngine::State& st) {
        return builder_.build(*window_, cursor_->spans(), r.options, &st.model.names(), cursor_->time());
    });
    out.positioned = cursor_->positioned();
    out.time_ns = cursor_->time();
    out.end = cursor_->end_number();
    if (r.pulse && r.move == SceneRequest::Move::Packet)
        out.pulse = cursor_->last_number();
    return out;
}

} // namespace underhood
