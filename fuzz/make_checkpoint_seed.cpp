// Writes the seed checkpoint of fuzz/corpus/fuzz_checkpoint with the project's own saver:
// a tiny dense autoencoder (1x4x4 images, widths 8, latent 2) so that the file stays small
// and each fuzzing run loads fast. Usage: fuzz_make_checkpoint_seed OUTPUT_FILE

#include "model/autoencoder.h"
#include "model/checkpoint.h"

#include <QJsonObject>

#include <cstdio>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_FILE\n", argv[0]);
        return 2;
    }
    aes::ModelOptions options;
    options.kind = aes::ModelKind::Dense;
    options.channels = 1;
    options.height = 4;
    options.width = 4;
    options.latent = 2;
    options.widths = {8};
    aes::AutoencoderImpl model(options);
    const QString error = aes::saveCheckpoint(QString::fromLocal8Bit(argv[1]), model,
                                              QJsonObject{{QStringLiteral("epoch"), 1}});
    if (!error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    return 0;
}
