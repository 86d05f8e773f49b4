#include "cliparse.h"

#include "model/device.h"

#include <QRegularExpression>

#include <cstdio>

namespace aes::cli {

namespace {

QCommandLineOption opt(const char *name, const QString &help, const char *valueName = nullptr,
                       const QString &defaultValue = {})
{
    QCommandLineOption o(QString::fromLatin1(name), help);
    if (valueName)
        o.setValueName(QString::fromLatin1(valueName));
    if (!defaultValue.isEmpty())
        o.setDefaultValue(defaultValue);
    return o;
}

bool toInt(const QCommandLineParser &p, const char *name, int *out, QString *error)
{
    const QString key = QString::fromLatin1(name);
    if (!p.isSet(key))
        return true;
    bool ok = false;
    const int v = p.value(key).toInt(&ok);
    if (!ok) {
        *error = QStringLiteral("--%1 expects an integer, not \"%2\"").arg(key, p.value(key));
        return false;
    }
    *out = v;
    return true;
}

bool toDouble(const QCommandLineParser &p, const char *name, double *out, QString *error)
{
    const QString key = QString::fromLatin1(name);
    if (!p.isSet(key))
        return true;
    bool ok = false;
    const double v = p.value(key).toDouble(&ok);
    if (!ok) {
        *error = QStringLiteral("--%1 expects a number, not \"%2\"").arg(key, p.value(key));
        return false;
    }
    *out = v;
    return true;
}

template <typename E, typename Parse>
bool toEnum(const QCommandLineParser &p, const char *name, E *out, Parse parse, const QStringList &names,
            QString *error)
{
    const QString key = QString::fromLatin1(name);
    if (!p.isSet(key))
        return true;
    if (const auto v = parse(p.value(key))) {
        *out = *v;
        return true;
    }
    *error = QStringLiteral("--%1 must be one of %2, not \"%3\"").arg(key, names.join(QLatin1Char('|')), p.value(key));
    return false;
}

} // namespace

void addLoadOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        opt("size", QStringLiteral("Image size to use, e.g. 28x28 (default: the images' own size, or the most common one)."), "WxH"),
        opt("channels", QStringLiteral("1 (gray) or 3 (RGB); default: 1 when every image is gray."), "1|3"),
        opt("resize", QStringLiteral("How images of another size are fitted: crop (centre crop) or letterbox."), "crop|letterbox"),
        opt("audio-rate", QStringLiteral("Audio folders: sample rate clips are resampled to (default 16000)."), "HZ"),
        opt("audio-seconds", QStringLiteral("Audio folders: clip duration, padded or cut (default: the median clip, at most 10 s)."), "S"),
        opt("audio-window", QStringLiteral("Audio folders: split clips into windows of S seconds instead."), "S"),
        opt("n-fft", QStringLiteral("Audio folders: STFT window in samples (default 400, 25 ms at 16 kHz)."), "N"),
        opt("hop", QStringLiteral("Audio folders: STFT hop in samples (default 160, 10 ms at 16 kHz)."), "N"),
        opt("n-mels", QStringLiteral("Audio folders: mel bands (default 64)."), "N"),
        opt("fmin", QStringLiteral("Audio folders: lowest mel frequency (default 0)."), "HZ"),
        opt("fmax", QStringLiteral("Audio folders: highest mel frequency (default: half the rate)."), "HZ"),
        opt("db-range", QStringLiteral("Audio folders: dB below full scale that map to 0 (default 80)."), "DB"),
        opt("no-normalize", QStringLiteral("Audio folders: keep each clip's level (default: peak-normalised).")),
    });
}

void addModelOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        opt("model", QStringLiteral("Architecture: %1 (default conv).").arg(modelKindNames().join(QLatin1Char('|'))), "KIND"),
        opt("latent", QStringLiteral("Size of the code (default: from the data, 16 to 64; see the README)."), "N"),
        opt("widths", QStringLiteral("Hidden sizes from the input side, e.g. 8,16 (conv channels; default: from the image size) or 512,256 (dense units, the default)."), "LIST"),
        opt("activation", QStringLiteral("%1 (default relu).").arg(activationNames().join(QLatin1Char('|'))), "NAME"),
        opt("dropout", QStringLiteral("Dropout rate (default 0.2 for dense, 0 otherwise)."), "F"),
        opt("no-batch-norm", QStringLiteral("Leave batch normalisation out.")),
        opt("noise", QStringLiteral("denoising: gaussian or salt-pepper (default gaussian)."), "KIND"),
        opt("noise-level", QStringLiteral("denoising: Gaussian std or salt-and-pepper fraction (default 0.3)."), "F"),
        opt("beta", QStringLiteral("vae: weight of the KL term (default 1)."), "F"),
        opt("sparsity", QStringLiteral("sparse: weight of the L1 penalty on the code (default 0.001)."), "F"),
    });
}

void addTrainOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        opt("epochs", QStringLiteral("Epochs to train (default: enough to show 20000 images, 10 to 30), or auto: up to %1, stopping when the validation loss "
                                     "has not improved by --min-delta for --patience epochs (the best epoch's weights are kept).")
                          .arg(kAutoEpochCap), "N|auto"),
        opt("schedule", QStringLiteral("Learning-rate schedule: %1 (default cosine; plateau with --epochs auto).")
                            .arg(scheduleKindNames().join(QLatin1Char('|'))), "NAME"),
        opt("patience", QStringLiteral("--epochs auto: epochs without improvement before stopping (default 5)."), "N"),
        opt("min-delta", QStringLiteral("--epochs auto: the relative improvement that counts (default 0.001)."), "F"),
        opt("batch", QStringLiteral("Batch size (default: 16 below 10000 training images, else 32)."), "N"),
        opt("lr", QStringLiteral("Learning rate (default 0.005)."), "X"),
        opt("optimizer", QStringLiteral("adam|adamw|sgd (default adam)."), "NAME"),
        opt("loss", QStringLiteral("mse|bce|l1 (default mse)."), "NAME"),
        opt("weight-decay", QStringLiteral("Weight decay (default 0)."), "X"),
        opt("momentum", QStringLiteral("SGD momentum (default 0.9)."), "X"),
        opt("val-split", QStringLiteral("Fraction of images held out for validation (default 0.1)."), "F"),
        opt("seed", QStringLiteral("Random seed for weights, shuffling and the split (default 1)."), "N"),
        opt("threads", QStringLiteral("Compute threads (default: automatic, each epoch every core or one, whichever its first steps ran faster with)."), "N"),
        opt("no-knn", QStringLiteral("Skip the kNN accuracy of the codes after each epoch.")),
        opt("augment", QStringLiteral("Augment training batches: random flips, shifts of up to 10% and brightness/contrast "
                                      "jitter (never the validation images).")),
    });
    addDeviceOption(parser);
}

void addDeviceOption(QCommandLineParser &parser)
{
    parser.addOption(opt("device", QStringLiteral("Where the model runs: auto (the first CUDA device when there is one), cpu, "
                                                  "cuda or cuda:N (this build sees: %1).").arg(availableDevices().join(QStringLiteral(", "))),
                         "auto|cpu|cuda|cuda:N"));
}

bool readDevice(const QCommandLineParser &p, QString *device, QString *error)
{
    const QString spec = p.isSet(QStringLiteral("device")) ? p.value(QStringLiteral("device")).trimmed().toLower()
                                                           : QStringLiteral("auto");
    if (const QString problem = deviceProblem(spec); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    *device = spec;
    return true;
}

void addDistributedOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        opt("nproc", QStringLiteral("Train data-parallel in N processes on this machine (each takes --batch images per step, "
                                    "cores / N threads unless --threads). Under torchrun or a scheduler, leave it out: the "
                                    "RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT variables are read."), "N"),
        opt("dist-backend", QStringLiteral("Data-parallel backend: gloo (default) or nccl (CUDA devices, a LibTorch with NCCL)."), "gloo|nccl"),
        opt("dist-timeout", QStringLiteral("Seconds a data-parallel rank waits for the others (joining, each step) before "
                                           "it stops with an error naming the rank at fault (default 60)."), "S"),
    });
}

bool readDistributedOptions(const QCommandLineParser &p, DistributedOptions *out, int *nproc, QString *error)
{
    const std::optional<DistributedOptions> env = DistributedOptions::fromEnvironment(error);
    if (!env)
        return false;
    *out = *env;
    *nproc = 1;
    if (!toInt(p, "nproc", nproc, error) || !toInt(p, "dist-timeout", &out->timeoutSeconds, error))
        return false;
    if (*nproc < 1 || *nproc > 256) {
        *error = QStringLiteral("--nproc must be between 1 and 256");
        return false;
    }
    if (*nproc > 1 && out->enabled()) {
        *error = QStringLiteral("--nproc starts the processes itself; leave it out under torchrun (WORLD_SIZE is set)");
        return false;
    }
    if (p.isSet(QStringLiteral("dist-backend")))
        out->backend = p.value(QStringLiteral("dist-backend")).trimmed().toLower();
    if (const QString problem = out->validate(); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    return true;
}

bool readLoadOptions(const QCommandLineParser &p, LoadOptions *out, QString *error)
{
    if (p.isSet(QStringLiteral("size"))) {
        static const QRegularExpression re(QStringLiteral("^(\\d{1,5})[xX](\\d{1,5})$"));
        const auto m = re.match(p.value(QStringLiteral("size")));
        if (!m.hasMatch() || m.captured(1).toInt() < 1 || m.captured(2).toInt() < 1) {
            *error = QStringLiteral("--size expects WxH such as 28x28, not \"%1\"").arg(p.value(QStringLiteral("size")));
            return false;
        }
        out->width = m.captured(1).toInt();
        out->height = m.captured(2).toInt();
    }
    if (!toInt(p, "channels", &out->channels, error))
        return false;
    if (p.isSet(QStringLiteral("channels")) && out->channels != 1 && out->channels != 3) {
        *error = QStringLiteral("--channels must be 1 or 3");
        return false;
    }
    if (!toEnum(p, "resize", &out->resize, resizeModeFromString,
                {toString(ResizeMode::CenterCrop), toString(ResizeMode::Letterbox)}, error))
        return false;
    AudioOptions &a = out->audio;
    if (!toInt(p, "audio-rate", &a.sampleRate, error) || !toDouble(p, "audio-seconds", &a.seconds, error)
        || !toDouble(p, "audio-window", &a.windowSeconds, error) || !toInt(p, "n-fft", &a.nFft, error)
        || !toInt(p, "hop", &a.hop, error) || !toInt(p, "n-mels", &a.nMels, error)
        || !toDouble(p, "fmin", &a.fMin, error) || !toDouble(p, "fmax", &a.fMax, error)
        || !toDouble(p, "db-range", &a.dbRange, error))
        return false;
    if (p.isSet(QStringLiteral("no-normalize")))
        a.normalize = false;
    if (const QString problem = a.validate(); !problem.isEmpty()) {
        *error = QStringLiteral("audio options: %1").arg(problem);
        return false;
    }
    return true;
}

bool readModelOptions(const QCommandLineParser &p, ModelOptions *out, QString *error)
{
    if (!toEnum(p, "model", &out->kind, modelKindFromString, modelKindNames(), error)
        || !toInt(p, "latent", &out->latent, error)
        || !toEnum(p, "activation", &out->activation, activationFromString, activationNames(), error)
        || !toDouble(p, "dropout", &out->dropout, error)
        || !toEnum(p, "noise", &out->noise, noiseKindFromString,
                   QStringList{QStringLiteral("gaussian"), QStringLiteral("salt-pepper")}, error)
        || !toDouble(p, "noise-level", &out->noiseLevel, error)
        || !toDouble(p, "beta", &out->beta, error)
        || !toDouble(p, "sparsity", &out->sparsity, error))
        return false;
    if (p.isSet(QStringLiteral("widths"))) {
        out->widths.clear();
        for (const QString &part : p.value(QStringLiteral("widths")).split(QLatin1Char(','))) {
            bool ok = false;
            const int w = part.trimmed().toInt(&ok);
            if (!ok) {
                *error = QStringLiteral("--widths expects integers separated by commas, such as 32,64");
                return false;
            }
            out->widths.append(w);
        }
    }
    out->batchNorm = !p.isSet(QStringLiteral("no-batch-norm"));
    // Image size and channels come from the data; the rest is validated here with a placeholder.
    if (const QString problem = out->validate(); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    return true;
}

bool readTrainOptions(const QCommandLineParser &p, TrainOptions *out, QString *error)
{
    int seed = int(out->seed);
    if (p.value(QStringLiteral("epochs")).trimmed().toLower() == QLatin1String("auto")) {
        out->earlyStopping = true;
        out->epochs = kAutoEpochCap;
    } else if (!toInt(p, "epochs", &out->epochs, error)) {
        return false;
    }
    if (!toInt(p, "batch", &out->batchSize, error)
        || !toEnum(p, "schedule", &out->schedule, scheduleKindFromString, scheduleKindNames(), error)
        || !toInt(p, "patience", &out->patience, error) || !toDouble(p, "min-delta", &out->minDelta, error)
        || !toDouble(p, "lr", &out->learningRate, error)
        || !toEnum(p, "optimizer", &out->optimizer, optimizerKindFromString, optimizerKindNames(), error)
        || !toEnum(p, "loss", &out->loss, lossKindFromString, lossKindNames(), error)
        || !toDouble(p, "weight-decay", &out->weightDecay, error)
        || !toDouble(p, "momentum", &out->momentum, error)
        || !toDouble(p, "val-split", &out->valFraction, error)
        || !toInt(p, "seed", &seed, error) || !toInt(p, "threads", &out->threads, error))
        return false;
    if (p.isSet(QStringLiteral("device")) && !readDevice(p, &out->device, error))
        return false;
    if (seed < 0) {
        *error = QStringLiteral("--seed must not be negative");
        return false;
    }
    out->seed = quint64(seed);
    out->knn = !p.isSet(QStringLiteral("no-knn"));
    out->augment = p.isSet(QStringLiteral("augment"));
    if (const QString problem = out->validate(); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    return true;
}

int fail(const QString &message)
{
    printErr(QStringLiteral("aestudio-cli: %1\n").arg(message));
    return 2;
}

void printErr(const QString &text)
{
    std::fputs(qPrintable(text), stderr);
    std::fflush(stderr);
}

bool parse(QCommandLineParser &parser, const QStringList &args, int *exitCode)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help = parser.addHelpOption();
    if (!parser.parse(args)) {
        *exitCode = fail(parser.errorText());
        return false;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        *exitCode = 0;
        return false;
    }
    return true;
}

} // namespace aes::cli
