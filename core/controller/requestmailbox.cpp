#include "controller/requestmailbox.h"

#include <utility>

namespace aes {

// The flag is set under the lock, after the slot: a poller that sees it finds the request
// when it takes the lock.
template <typename Write> void RequestMailbox::write(Write &&write)
{
    QMutexLocker lock(&m_mutex);
    write(m_requests);
    m_waiting.store(true);
}

void RequestMailbox::post(const MapRequest &request)
{
    write([&](LatentRequests &r) { r.map = request; });
}

void RequestMailbox::post(const DecodeRequest &request)
{
    write([&](LatentRequests &r) { r.decode = request; });
}

void RequestMailbox::postImage(qint64 row)
{
    write([&](LatentRequests &r) { r.image = row; });
}

void RequestMailbox::post(const InterpolationRequest &request)
{
    write([&](LatentRequests &r) { r.interpolation = request; });
}

void RequestMailbox::post(const TraversalRequest &request)
{
    write([&](LatentRequests &r) { r.traversal = request; });
}

void RequestMailbox::postImages(int purpose, const QVector<qint64> &rows)
{
    write([&](LatentRequests &r) { r.images.insert(purpose, rows); });
}

LatentRequests RequestMailbox::take()
{
    QMutexLocker lock(&m_mutex);
    m_waiting.store(false);
    return std::exchange(m_requests, {});
}

} // namespace aes
