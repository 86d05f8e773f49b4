#pragma once
// Everything that defines an autoencoder's architecture. A plain value: no torch,
// no widgets; the GUI edits it, the CLI parses it, checkpoints store it as JSON.
// Threads: a value; any thread. Torch-free: ui/ includes it.

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace aes {

enum class ModelKind { Dense, Conv, KerasConv, Vae, Denoising, Sparse };
enum class Activation { ReLU, LeakyReLU, ELU, GELU, Tanh };
enum class NoiseKind { Gaussian, SaltPepper };

struct ModelOptions {
    ModelKind kind = ModelKind::Conv;
    int channels = 1;
    int height = 28;
    int width = 28;
    int latent = 16;
    // Hidden sizes from the input side. Empty = the kind's default
    // (dense: 512, 256; convolutional kinds: 8, 16 channels, one stride-2 stage each).
    QVector<int> widths;
    Activation activation = Activation::ReLU;
    double dropout = -1.0;        // < 0 = the kind's default (dense 0.2, others 0)
    bool batchNorm = true;
    // denoising: noise applied to the input during training, clean target
    NoiseKind noise = NoiseKind::Gaussian;
    double noiseLevel = 0.3;      // Gaussian std, or salt-and-pepper fraction
    // vae: weight of the KL term (per image, relative to the per-pixel reconstruction loss sum)
    double beta = 1.0;
    // sparse: weight of the L1 penalty on the code
    double sparsity = 1e-3;

    QVector<int> effectiveWidths() const;
    double effectiveDropout() const;
    // Empty when valid, else a message a user can act on.
    QString validate() const;
    QJsonObject toJson() const;
    // Missing keys take their defaults; wrong types or values fail with a message.
    static std::optional<ModelOptions> fromJson(const QJsonObject &json, QString *error);
};

QString toString(ModelKind kind);
QString toString(Activation activation);
QString toString(NoiseKind noise);
std::optional<ModelKind> modelKindFromString(const QString &name);
std::optional<Activation> activationFromString(const QString &name);
std::optional<NoiseKind> noiseKindFromString(const QString &name);
QStringList modelKindNames();
QStringList activationNames();

} // namespace aes
