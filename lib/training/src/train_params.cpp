#include <nfx/training/train_params.hpp>

namespace nfx::training {

nfx::NodeTypeBuilder& add_train_params(nfx::NodeTypeBuilder& node, const TrainDefaults& d) {
  return node
      .param(nfx::required(nfx::string_param("out", "", "folder of the run: checkpoint.pt (the last state), best.pt (the "
                                                         "best validated state), curve.csv, curve.png, and what the "
                                                         "node writes besides")))
      .param(nfx::float_param("minutes", d.minutes, "training-time budget over all runs, minutes; 0: no time limit (then "
                                                    "set epochs)", 0, 1e6))
      .param(nfx::int_param("epochs", 0, "stop after this many epochs; 0: only the time budget", 0, 1000000))
      .param(nfx::int_param("steps_per_epoch", d.steps_per_epoch, "training steps per epoch; 0: one pass over the "
                                                                  "training data", 0, 1000000))
      .param(nfx::int_param("validate_every", 1, "epochs between validations (the last epoch is always validated)", 1,
                            1000000))
      .param(nfx::int_param("batch", d.batch, "examples (images or patches) per step", 1, 4096))
      .param(nfx::float_param("learning_rate", d.learning_rate, "Adam learning rate after warm-up", 0, 1))
      .param(nfx::int_param("warmup_steps", d.warmup_steps, "steps of linear learning-rate warm-up", 0, 1000000))
      .param(nfx::string_param("schedule", d.schedule, "learning rate after warm-up: constant, or cosine (falls to 0 as "
                                                       "the time or epoch budget runs out)", "constant|cosine"))
      .param(nfx::float_param("clip_norm", d.clip_norm, "gradient norm clipping threshold", 0, 1e9))
      .param(nfx::int_param("seed", 0, "seed of the run: initialization, data order, noise and evaluation", 0, 1e9))
      .param(nfx::bool_param("resume", true, "continue from out/checkpoint.pt when it exists"));
}

TrainParams read_train_params(const nfx::Params& p) {
  TrainParams t;
  t.loop.out = p.get_string("out");
  t.loop.minutes = p.get_float("minutes");
  t.loop.epochs = p.get_int("epochs");
  t.loop.steps_per_epoch = p.get_int("steps_per_epoch");
  t.loop.validate_every = p.get_int("validate_every");
  t.loop.seed = static_cast<uint64_t>(p.get_int("seed"));
  t.loop.resume = p.get_bool("resume");
  t.step.batch = p.get_int("batch");
  t.step.learning_rate = p.get_float("learning_rate");
  t.step.warmup_steps = p.get_int("warmup_steps");
  t.step.schedule = p.get_string("schedule");
  t.step.clip_norm = p.get_float("clip_norm");
  if (t.loop.minutes <= 0 && t.loop.epochs <= 0) {
    throw nfx::ParamError("minutes", "set a time budget (minutes > 0) or a number of epochs: with neither, training never ends");
  }
  return t;
}

}  // namespace nfx::training
