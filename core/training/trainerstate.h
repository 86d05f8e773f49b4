#pragma once
// The trainer's torch side, shared by trainer.cpp (the loop) and trainercheckpoint.cpp (save
// and restore). Internal to training/: include only from those two files.
// Ownership: a Trainer owns its State. Threads: the trainer's thread.

#include "model/autoencoder.h"
#include "training/lrschedule.h"
#include "training/trainer.h"

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <vector>

namespace aes {

struct Trainer::State {
    Autoencoder model{nullptr};
    c10::Device device{c10::kCPU};   // the model's, and every tensor the trainer makes
    // Distributed runs: augmentation draws from a generator of the rank's own (seeded per step),
    // so that the shuffle generator (one epoch order for every rank) stays the same on every rank.
    std::optional<at::Generator> augmentRng;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    at::Generator shuffle;
    // The weights and buffers that last gave a finite loss: restored on divergence.
    std::vector<torch::Tensor> lastGood;
    double learningRate = 0.0;
    // True from zero_grad() to the end of the step's checks: a failure there (out of memory
    // in backward or in the optimizer) may leave the weights half updated.
    bool stepping = false;

    // The learning rate of each step, and early stopping's best epoch with its weights.
    LearningRateSchedule schedule;
    EarlyStopping early;
    std::vector<torch::Tensor> bestWeights;  // empty when the best epoch's weights are not at hand

    State(const TrainOptions &train, qint64 totalSteps)
        : schedule(train.schedule, train.learningRate, totalSteps), early(train.patience, train.minDelta) {}

    // Back to lastGood (parameters and buffers) with fresh optimizer moments: after a
    // non-finite loss, a runaway step, or a step that failed half-way.
    void rollBack(const TrainOptions &train);
};

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainOptions &o, Autoencoder &model, double lr);
void setLearningRate(torch::optim::Optimizer &optimizer, double lr);
// Moves the optimizer's per-parameter state (moments, momentum buffers) to device: checkpoints
// hold it on the CPU, the trainer keeps it beside the parameters.
void moveOptimizerState(torch::optim::Optimizer &optimizer, const c10::Device &device);
// The parameters, then the buffers.
std::vector<torch::Tensor> stateTensors(Autoencoder &model);

} // namespace aes
