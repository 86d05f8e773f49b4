#include "training/distributed.h"

#include <torch/torch.h>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(USE_C10D_GLOO) && __has_include(<gloo/algorithm.h>)
#define AES_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <QElapsedTimer>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace aes {

namespace {

using Work = c10::intrusive_ptr<c10d::Work>;
using Milliseconds = std::chrono::milliseconds;

// About DDP's default bucket size: large enough that each all-reduce moves megabytes, small
// enough that a model's gradients take a few buckets.
constexpr int64_t kBucketBytes = 25 << 20;
// The heartbeat's period; a rank whose beat has not moved for four periods is gone.
constexpr int kBeatMs = 250;
const std::string kBeatKey = "aes/beat/";
const std::string kErrorKey = "aes/error/";

std::vector<uint8_t> bytesOf(const std::string &s) { return {s.begin(), s.end()}; }
std::string stringOf(const std::vector<uint8_t> &v) { return {v.begin(), v.end()}; }

// The first line of a library's message, without its C++ source location.
QString shortReason(const std::exception &e)
{
    QString s = QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0).trimmed();
    if (const int at = s.indexOf(QLatin1String(" (Triggered internally at")); at > 0)
        s.truncate(at);
    if (s.size() > 160)
        s = s.left(157) + QStringLiteral("...");
    return s;
}

bool isLoopback(const QString &address)
{
    return address.startsWith(QLatin1String("127.")) || address == QLatin1String("localhost")
        || address == QLatin1String("::1");
}

c10::intrusive_ptr<c10d::TCPStore> connectStore(const DistributedOptions &o, bool server)
{
    c10d::TCPStoreOptions so;
    so.port = std::uint16_t(o.masterPort);
    so.isServer = server;
    so.waitWorkers = false;
    so.timeout = Milliseconds(qint64(o.timeoutSeconds) * 1000);
    return c10::make_intrusive<c10d::TCPStore>(o.masterAddr.toStdString(), so);
}

} // namespace

bool glooAvailable()
{
#ifdef AES_HAVE_GLOO
    return true;
#else
    return false;
#endif
}

bool ncclAvailable()
{
#ifdef USE_C10D_NCCL
    return true;
#else
    return false;
#endif
}

QString backendProblem(const DistributedOptions &options)
{
    if (options.backend == QLatin1String("nccl") && !ncclAvailable())
        return QStringLiteral("--dist-backend nccl needs a LibTorch built with NCCL (this one has none); use gloo");
    if (options.backend == QLatin1String("gloo") && !glooAvailable())
        return QStringLiteral("this LibTorch has no Gloo backend (USE_C10D_GLOO, and libgloo-dev's headers)");
    return {};
}

// ---------------------------------------------------------------------------------------------

struct StoreHost::Impl {
    c10::intrusive_ptr<c10d::TCPStore> store;
};

StoreHost::StoreHost(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
StoreHost::~StoreHost() = default;
int StoreHost::port() const { return m_impl->store->getPort(); }

std::unique_ptr<StoreHost> StoreHost::start(const QString &address, int port, int timeoutSeconds, QString *error)
{
    DistributedOptions o;
    o.masterAddr = address;
    o.masterPort = port;
    o.timeoutSeconds = timeoutSeconds;
    try {
        auto impl = std::make_unique<Impl>();
        impl->store = connectStore(o, /*server=*/true);
        return std::unique_ptr<StoreHost>(new StoreHost(std::move(impl)));
    } catch (const std::exception &e) {
        if (error)
            *error = QStringLiteral("cannot host the rendezvous store on %1:%2: %3").arg(address).arg(port).arg(shortReason(e));
        return nullptr;
    }
}

// ---------------------------------------------------------------------------------------------

struct DataParallelGroup::Impl {
    DistributedOptions options;
    c10::intrusive_ptr<c10d::TCPStore> store;      // this rank's client (the server too on rank 0)
    c10::intrusive_ptr<c10d::TCPStore> beatStore;  // the heartbeat thread's own connection
    // The backend's collectives (ProcessGroupGloo or ProcessGroupNCCL; their base class
    // differs between LibTorch versions, so they are held as functions that own the group).
    std::function<Work(std::vector<at::Tensor> &)> allreduce;
    std::function<Work(std::vector<at::Tensor> &)> broadcast;

    std::thread heartbeat;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::atomic<qint64> step{0};
    qint64 commNs = 0;

    ~Impl()
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        if (heartbeat.joinable())
            heartbeat.join();
        allreduce = nullptr;
        broadcast = nullptr;
    }

    void beat()
    {
        qint64 count = 0;
        std::unique_lock<std::mutex> lock(mutex);
        while (!stopping) {
            const std::string value = std::to_string(++count) + " " + std::to_string(step.load());
            lock.unlock();
            try {
                beatStore->set(kBeatKey + std::to_string(options.rank), bytesOf(value));
            } catch (const std::exception &) {
                return;  // the store is gone: the run is ending, or a collective will say why
            }
            lock.lock();
            wake.wait_for(lock, Milliseconds(kBeatMs), [this] { return stopping; });
        }
    }

    // Each rank's heartbeat ("count step"), empty for a rank that never published one. Throws
    // when the store cannot be reached.
    std::vector<std::string> beats()
    {
        std::vector<std::string> out(size_t(options.worldSize));
        for (int r = 0; r < options.worldSize; ++r) {
            const std::string key = kBeatKey + std::to_string(r);
            if (store->check({key}))
                out[size_t(r)] = stringOf(store->get(key));
        }
        return out;
    }

    QString reportedError()
    {
        for (int r = 0; r < options.worldSize; ++r) {
            const std::string key = kErrorKey + std::to_string(r);
            if (r != options.rank && store->check({key}))
                return QStringLiteral("rank %1 failed: %2").arg(r).arg(QString::fromStdString(stringOf(store->get(key))));
        }
        return {};
    }

    // One line naming the rank at fault, from what the ranks left in the store.
    QString diagnose(const QString &during, const std::exception &e)
    {
        const QString me = QStringLiteral("rank %1 stops").arg(options.rank);
        try {
            if (QString reported = reportedError(); !reported.isEmpty())
                return QStringLiteral("%1 (%2 during %3)").arg(reported, me, during);
            const std::vector<std::string> before = beats();
            std::this_thread::sleep_for(Milliseconds(4 * kBeatMs + 100));
            if (QString reported = reportedError(); !reported.isEmpty())
                return QStringLiteral("%1 (%2 during %3)").arg(reported, me, during);
            const std::vector<std::string> after = beats();
            QStringList missing, silent;
            qint64 slowestStep = -1;
            int slowest = -1;
            for (int r = 0; r < options.worldSize; ++r) {
                if (r == options.rank)
                    continue;
                if (after[size_t(r)].empty())
                    missing << QString::number(r);
                else if (after[size_t(r)] == before[size_t(r)])
                    silent << QString::number(r);
                const qint64 s = QString::fromStdString(after[size_t(r)]).section(QLatin1Char(' '), 1, 1).toLongLong();
                if (!after[size_t(r)].empty() && (slowest < 0 || s < slowestStep)) {
                    slowest = r;
                    slowestStep = s;
                }
            }
            const auto ranks = [](const QStringList &l) {
                return (l.size() == 1 ? QStringLiteral("rank ") : QStringLiteral("ranks ")) + l.join(QStringLiteral(", "));
            };
            if (!missing.isEmpty())
                return QStringLiteral("%1 never arrived within %2 s (%3 during %4)")
                    .arg(ranks(missing)).arg(options.timeoutSeconds).arg(me, during);
            if (!silent.isEmpty())
                return QStringLiteral("%1 stopped responding: its process ended or hung (%2 during %3: %4)")
                    .arg(ranks(silent), me, during, shortReason(e));
            if (slowest >= 0)
                return QStringLiteral("rank %1 did not take part in time: it is at step %2 after %3 s (%4 during %5: %6)")
                    .arg(slowest).arg(slowestStep).arg(options.timeoutSeconds).arg(me, during, shortReason(e));
        } catch (const std::exception &) {
            // The store is gone with the process that hosted it.
            return QStringLiteral("lost the rendezvous store at %1:%2, %3 is gone (%4 during %5: %6)")
                .arg(options.masterAddr).arg(options.masterPort)
                .arg(options.storeHostedByLauncher ? QStringLiteral("the launcher that hosted it")
                                                   : QStringLiteral("rank 0, which hosted it,"))
                .arg(me, during, shortReason(e));
        }
        return QStringLiteral("%1 during %2: %3").arg(me, during, shortReason(e));
    }

    template <typename F>
    void collective(const QString &during, F &&f)
    {
        QElapsedTimer clock;
        clock.start();
        try {
            f();
        } catch (const DistributedFailure &) {
            throw;
        } catch (const std::exception &e) {
            throw DistributedFailure(diagnose(during, e).toStdString());
        }
        commNs += clock.nsecsElapsed();
    }
};

DataParallelGroup::DataParallelGroup(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DataParallelGroup::~DataParallelGroup() = default;
int DataParallelGroup::rank() const { return m_impl->options.rank; }
int DataParallelGroup::worldSize() const { return m_impl->options.worldSize; }
const DistributedOptions &DataParallelGroup::options() const { return m_impl->options; }
double DataParallelGroup::communicationSeconds() const { return double(m_impl->commNs) * 1e-9; }
void DataParallelGroup::setProgress(qint64 step) { m_impl->step.store(step); }

std::shared_ptr<DataParallelGroup> DataParallelGroup::join(const DistributedOptions &o, QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return nullptr;
    };
    if (const QString problem = o.validate(); !problem.isEmpty())
        return fail(problem);
    auto impl = std::make_unique<Impl>();
    impl->options = o;
    const bool server = o.rank == 0 && !o.storeHostedByLauncher;
    try {
        impl->store = connectStore(o, server);
        impl->beatStore = connectStore(o, /*server=*/false);
    } catch (const std::exception &e) {
        return fail(server ? QStringLiteral("rank 0 cannot host the rendezvous store on %1:%2: %3")
                                 .arg(o.masterAddr).arg(o.masterPort).arg(shortReason(e))
                           : QStringLiteral("rank %1 could not reach the rendezvous store at %2:%3 within %4 s "
                                            "(rank 0 or the launcher hosts it: did it start?)")
                                 .arg(o.rank).arg(o.masterAddr).arg(o.masterPort).arg(o.timeoutSeconds));
    }
    impl->heartbeat = std::thread([raw = impl.get()] { raw->beat(); });
    const Milliseconds timeout(qint64(o.timeoutSeconds) * 1000);
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("aes/pg", impl->store);
    try {
        if (o.backend == QLatin1String("nccl")) {
#ifdef USE_C10D_NCCL
            auto options = c10d::ProcessGroupNCCL::Options::create();
            options->timeout = timeout;
            auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, o.rank, o.worldSize, options);
            impl->allreduce = [pg](std::vector<at::Tensor> &t) { return pg->allreduce(t); };
            impl->broadcast = [pg](std::vector<at::Tensor> &t) { return pg->broadcast(t); };
#else
            return fail(QStringLiteral("--dist-backend nccl needs a LibTorch built with NCCL (this one has none); use gloo"));
#endif
        } else {
#ifdef AES_HAVE_GLOO
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            // GLOO_SOCKET_IFNAME picks the network interface, as in PyTorch; on one machine
            // loopback; else the address this host's name resolves to.
            if (qEnvironmentVariableIsSet("GLOO_SOCKET_IFNAME"))
                options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(
                    qEnvironmentVariable("GLOO_SOCKET_IFNAME").toStdString()));
            else if (isLoopback(o.masterAddr))
                options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            options->threads = 2;
            auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, o.rank, o.worldSize, options);
            impl->allreduce = [pg](std::vector<at::Tensor> &t) { return pg->allreduce(t); };
            impl->broadcast = [pg](std::vector<at::Tensor> &t) { return pg->broadcast(t); };
#else
            return fail(QStringLiteral("this LibTorch has no Gloo backend (USE_C10D_GLOO, and libgloo-dev's headers)"));
#endif
        }
    } catch (const std::exception &e) {
        return fail(impl->diagnose(QStringLiteral("joining the group"), e));
    }
    return std::shared_ptr<DataParallelGroup>(new DataParallelGroup(std::move(impl)));
}

void DataParallelGroup::broadcast(std::vector<at::Tensor> tensors)
{
    m_impl->collective(QStringLiteral("the broadcast of the weights"), [&] {
        torch::NoGradGuard noGrad;
        // One flat tensor per dtype (parameters are float, batch norm counts int64).
        std::vector<at::ScalarType> types;
        for (const at::Tensor &t : tensors)
            if (std::find(types.begin(), types.end(), t.scalar_type()) == types.end())
                types.push_back(t.scalar_type());
        for (const at::ScalarType type : types) {
            std::vector<at::Tensor> parts, targets;
            for (const at::Tensor &t : tensors)
                if (t.scalar_type() == type) {
                    parts.push_back(t.detach().reshape({-1}));
                    targets.push_back(t);
                }
            std::vector<at::Tensor> flat{torch::cat(parts)};
            m_impl->broadcast(flat)->wait();
            int64_t offset = 0;
            for (at::Tensor &t : targets) {
                t.detach().copy_(flat[0].slice(0, offset, offset + t.numel()).view_as(t));
                offset += t.numel();
            }
        }
    });
}

void DataParallelGroup::broadcastValues(std::vector<double> *values)
{
    m_impl->collective(QStringLiteral("the broadcast of the validation figures"), [&] {
        std::vector<at::Tensor> t{torch::tensor(*values, torch::kDouble)};
        m_impl->broadcast(t)->wait();
        const at::Tensor back = t[0].contiguous();
        for (size_t i = 0; i < values->size(); ++i)
            (*values)[i] = back.data_ptr<double>()[i];
    });
}

void DataParallelGroup::averageGradients(const std::vector<at::Tensor> &parameters, std::vector<double> *sums)
{
    m_impl->collective(QStringLiteral("the gradient all-reduce of step %1").arg(m_impl->step.load() + 1), [&] {
        torch::NoGradGuard noGrad;
        std::vector<at::Tensor> grads;
        for (const at::Tensor &p : parameters) {
            at::Tensor g = p.grad();
            if (!g.defined()) {
                // A rank without images this step contributes zeros.
                const_cast<at::Tensor &>(p).mutable_grad() = torch::zeros_like(p);
                g = p.grad();
            }
            grads.push_back(g);
        }
        // Consecutive gradients into buckets of about kBucketBytes.
        std::vector<std::pair<size_t, size_t>> buckets;  // [begin, end) into grads
        size_t begin = 0;
        int64_t bytes = 0;
        for (size_t i = 0; i < grads.size(); ++i) {
            bytes += grads[i].numel() * int64_t(grads[i].element_size());
            if (bytes >= kBucketBytes || i + 1 == grads.size()) {
                buckets.emplace_back(begin, i + 1);
                begin = i + 1;
                bytes = 0;
            }
        }
        if (buckets.empty())
            buckets.emplace_back(0, 0);
        std::vector<std::vector<at::Tensor>> flats;
        std::vector<Work> works;
        for (size_t b = 0; b < buckets.size(); ++b) {
            std::vector<at::Tensor> parts;
            for (size_t i = buckets[b].first; i < buckets[b].second; ++i)
                parts.push_back(grads[i].reshape({-1}));
            if (b + 1 == buckets.size() && sums && !sums->empty()) {
                const c10::Device device = grads.empty() ? c10::Device(c10::kCPU) : grads.front().device();
                parts.push_back(torch::tensor(std::vector<float>(sums->begin(), sums->end()), torch::kFloat).to(device));
            }
            flats.push_back({torch::cat(parts)});
            works.push_back(m_impl->allreduce(flats.back()));  // SUM: Gloo has no AVG
        }
        const double world = double(m_impl->options.worldSize);
        for (size_t b = 0; b < buckets.size(); ++b) {
            works[b]->wait();
            const at::Tensor &flat = flats[b][0];
            int64_t offset = 0;
            for (size_t i = buckets[b].first; i < buckets[b].second; ++i) {
                const int64_t n = grads[i].numel();
                grads[i].copy_(flat.slice(0, offset, offset + n).view_as(grads[i])).div_(world);
                offset += n;
            }
            if (b + 1 == buckets.size() && sums && !sums->empty()) {
                const at::Tensor tail = flat.slice(0, offset).to(torch::kCPU, torch::kDouble).contiguous();
                for (size_t i = 0; i < sums->size(); ++i)
                    (*sums)[i] = tail.data_ptr<double>()[i];
            }
        }
    });
}

void DataParallelGroup::reportError(const QString &message)
{
    try {
        m_impl->store->set(kErrorKey + std::to_string(m_impl->options.rank),
                           bytesOf(message.section(QLatin1Char('\n'), 0, 0).toStdString()));
    } catch (const std::exception &) {
        // The store is gone too: the others find this rank silent instead.
    }
}

} // namespace aes
