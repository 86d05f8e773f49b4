#pragma once
// Evaluation mode for the lifetime of a scope (previews, validation, encoding): the model's
// training flag is set back to what it was when the guard goes, also on an early return or
// an exception.
// Threads: the thread that uses the model. Failure: none.

namespace aes {

class AutoencoderImpl;

class EvalMode {
public:
    explicit EvalMode(AutoencoderImpl &model);
    ~EvalMode();
    EvalMode(const EvalMode &) = delete;
    EvalMode &operator=(const EvalMode &) = delete;

private:
    AutoencoderImpl &m_model;
    bool m_wasTraining;
};

} // namespace aes
