#pragma once
// Parsing of aestudio-cli's options into the engine's option structs. No torch here.
// Threads: the main thread (pure functions of the parser).
// Failure: returns false with a one-line reason in *error.

#include "data/loadoptions.h"
#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QCommandLineParser>
#include <QString>

namespace aes::cli {

// "aestudio-cli: <message>" on standard error; returns 2 (the usage-error exit code).
int fail(const QString &message);
void printErr(const QString &text);
// Parses args (the command's own, after the command name) or prints help / an error; false
// with *exitCode set when the command should end.
bool parse(QCommandLineParser &parser, const QStringList &args, int *exitCode);

void addLoadOptions(QCommandLineParser &parser);
void addModelOptions(QCommandLineParser &parser);
void addTrainOptions(QCommandLineParser &parser);

bool readLoadOptions(const QCommandLineParser &parser, LoadOptions *out, QString *error);
bool readModelOptions(const QCommandLineParser &parser, ModelOptions *out, QString *error);
bool readTrainOptions(const QCommandLineParser &parser, TrainOptions *out, QString *error);

} // namespace aes::cli
