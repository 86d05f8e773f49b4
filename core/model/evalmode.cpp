#include "model/evalmode.h"

#include "model/autoencoder.h"

namespace aes {

EvalMode::EvalMode(AutoencoderImpl &model) : m_model(model), m_wasTraining(model.is_training())
{
    m_model.eval();
}

EvalMode::~EvalMode()
{
    if (m_wasTraining)
        m_model.train();
}

} // namespace aes
