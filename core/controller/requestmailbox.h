#pragma once
// The latent explorer's requests on their way from the controller to the worker: one slot per
// kind of request, and a newer request of a kind replaces the one still waiting (a user who
// moves the mouse wants the newest point decoded, not every point on the way).
//
// Ownership: shared by the controller (which posts) and the worker (which takes); plain values.
// Threads: every method is thread-safe. Failure: none; requests are not checked here (the
// controller checks ranges before posting, the worker against its data when serving).
//
// This header is torch-free.

#include "latent/projectionmethod.h"

#include <QMap>
#include <QMutex>
#include <QRectF>
#include <QVector>

#include <atomic>
#include <optional>

namespace aes {

// A map of the kept model; no method: automatic (Direct for a 2-number code, else Pca).
struct MapRequest {
    std::optional<ProjectionMethod> method;
    int dimX = 0, dimY = 1;
    UmapParameters umap;
};
// The image decoded at a point of the newest map.
struct DecodeRequest {
    double x = 0.0, y = 0.0;
};
// steps images decoded between the codes of two dataset rows.
struct InterpolationRequest {
    qint64 from = -1, to = -1;
    int steps = 2;
};
// columns x rows images decoded over a region of the newest map.
struct TraversalRequest {
    QRectF region;
    int columns = 1, rows = 1;
};

// Everything that was waiting when the worker took it; an empty slot: none of that kind.
struct LatentRequests {
    std::optional<qint64> image;         // a dataset row: its image and details
    std::optional<MapRequest> map;
    std::optional<DecodeRequest> decode;
    std::optional<InterpolationRequest> interpolation;
    std::optional<TraversalRequest> traversal;
    QMap<int, QVector<qint64>> images;   // dataset rows' images, by the asker's purpose
};

class RequestMailbox {
public:
    void post(const MapRequest &request);
    void post(const DecodeRequest &request);
    void postImage(qint64 row);
    void post(const InterpolationRequest &request);
    void post(const TraversalRequest &request);
    // Images of rows for purpose; replaces the rows still waiting for the same purpose.
    void postImages(int purpose, const QVector<qint64> &rows);

    // True from a post() until the next take(); lock-free, for polling between training steps.
    bool hasRequests() const { return m_waiting.load(); }
    // Every waiting request, leaving the mailbox empty.
    LatentRequests take();

private:
    template <typename Write> void write(Write &&write);

    QMutex m_mutex;
    LatentRequests m_requests;           // guarded by m_mutex
    std::atomic_bool m_waiting{false};
};

} // namespace aes
