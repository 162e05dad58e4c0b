// Checkpoints: several modules, optimizers, tensors, values and a generator survive a round trip; bad files
// are named in the error; a failed save keeps the previous checkpoint.
#include "test_support.hpp"

#include <nfx/training/checkpoint.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/random.hpp>

#include <torch/torch.h>

#include <fstream>

#include <csignal>
#include <sys/resource.h>

using namespace nfx::training;

namespace {

constexpr const char* kFormat = "nfx-test-1";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(TrainingCheckpoint, EverythingComesBack) {
  nfx::test::TempDir dir;
  torch::Generator g = make_generator(1);
  torch::nn::Linear encoder(3, 2), decoder(2, 3);
  reset_parameters(*encoder, g);
  reset_parameters(*decoder, g);
  torch::optim::Adam adam(encoder->parameters(), torch::optim::AdamOptions(0.01));
  torch::optim::SGD sgd(decoder->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  for (int s = 0; s < 2; ++s) {  // optimizer state worth keeping
    adam.zero_grad();
    sgd.zero_grad();
    decoder->forward(encoder->forward(torch::randn({4, 3}, g))).pow(2).sum().backward();
    adam.step();
    sgd.step();
  }
  torch::Generator run = make_generator(77);
  torch::rand({5}, run);  // advanced: its state is not the seed's
  CheckpointWriter writer(kFormat);
  writer.value("spec.width", int64_t{20});
  writer.value("spec.name", std::string("tiny"));
  writer.value("spec.rate", 0.25);
  writer.value("spec.flag", true);
  writer.module("encoder", *encoder);
  writer.module("decoder", *decoder);
  writer.optimizer("encoder_optimizer", adam);
  writer.optimizer("decoder_optimizer", sgd);
  writer.tensor("order", torch::arange(7));
  writer.generator("run", run);
  Progress progress;
  progress.epoch = 3;
  progress.step = 120;
  progress.seconds = 12.5;
  writer.progress(progress);
  writer.save((dir.path() / "sub" / "c.pt").string());
  const torch::Tensor next = torch::rand({5}, run);

  CheckpointReader reader((dir.path() / "sub" / "c.pt").string(), kFormat);
  EXPECT_EQ(reader.integer("spec.width"), 20);
  EXPECT_EQ(reader.text("spec.name"), "tiny");
  EXPECT_DOUBLE_EQ(reader.number("spec.rate"), 0.25);
  EXPECT_TRUE(reader.boolean("spec.flag"));
  torch::nn::Linear encoder2(3, 2), decoder2(2, 3);
  reader.module("encoder", *encoder2);
  reader.module("decoder", *decoder2);
  EXPECT_TRUE(torch::equal(encoder2->weight, encoder->weight));
  EXPECT_TRUE(torch::equal(decoder2->bias, decoder->bias));
  torch::optim::Adam adam2(encoder2->parameters(), torch::optim::AdamOptions(0.01));
  torch::optim::SGD sgd2(decoder2->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  EXPECT_TRUE(reader.optimizer("encoder_optimizer", adam2));
  EXPECT_TRUE(reader.optimizer("decoder_optimizer", sgd2));
  EXPECT_FALSE(reader.optimizer("no_such_optimizer", sgd2));
  EXPECT_EQ(static_cast<torch::optim::AdamParamState&>(*adam2.state().begin()->second).step(), 2);
  EXPECT_TRUE(torch::equal(reader.tensor("order"), torch::arange(7)));
  torch::Generator restored = make_generator(0);
  EXPECT_TRUE(reader.generator("run", restored));
  EXPECT_TRUE(torch::equal(torch::rand({5}, restored), next)) << "the generator continues where it was";
  const Progress p = reader.progress();
  EXPECT_EQ(p.epoch, 3);
  EXPECT_EQ(p.step, 120);
  EXPECT_DOUBLE_EQ(p.seconds, 12.5);
  EXPECT_FALSE(p.has_best);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "sub" / "c.pt.partial"));
}

TEST(TrainingCheckpoint, BadFilesAreNamed) {
  nfx::test::TempDir dir;
  torch::nn::Linear model(3, 2);
  CheckpointWriter writer(kFormat);
  writer.module("model", *model);
  writer.value("spec.width", int64_t{20});
  writer.save(dir / "good.pt");

  const std::string missing = error_of([&] { CheckpointReader(dir / "missing.pt", kFormat); });
  EXPECT_NE(missing.find(dir / "missing.pt"), std::string::npos) << missing;
  EXPECT_NE(missing.find("no such checkpoint"), std::string::npos) << missing;

  const auto size = std::filesystem::file_size(dir / "good.pt");
  std::filesystem::copy_file(dir / "good.pt", dir / "truncated.pt");
  std::filesystem::resize_file(dir / "truncated.pt", size / 2);
  const std::string truncated = error_of([&] { CheckpointReader(dir / "truncated.pt", kFormat); });
  EXPECT_NE(truncated.find(dir / "truncated.pt"), std::string::npos) << truncated;
  EXPECT_NE(truncated.find("truncated, corrupt"), std::string::npos) << truncated;

  std::ofstream(dir / "text.pt") << "not a checkpoint";
  EXPECT_NE(error_of([&] { CheckpointReader(dir / "text.pt", kFormat); }).find("text.pt"), std::string::npos);

  const std::string other = error_of([&] { CheckpointReader(dir / "good.pt", "nfx-other-1"); });
  EXPECT_NE(other.find("'nfx-test-1' checkpoint, but a 'nfx-other-1' one"), std::string::npos) << other;

  CheckpointReader reader(dir / "good.pt", kFormat);
  torch::nn::Linear bigger(5, 2);
  const std::string mismatch = error_of([&] { reader.module("model", *bigger); });
  EXPECT_NE(mismatch.find("module 'model' does not fit"), std::string::npos) << mismatch;
  EXPECT_NE(error_of([&] { reader.module("other", *model); }).find("no module 'other'"), std::string::npos);
  EXPECT_NE(error_of([&] { reader.text("spec.width"); }).find("'spec.width' is not text"), std::string::npos);
  EXPECT_NE(error_of([&] { reader.integer("spec.height"); }).find("no 'spec.height'"), std::string::npos);
}

// A save that cannot be written (here: its temporary name is taken by a folder, as a full disk would fail
// it) throws a named error and leaves the previous checkpoint as it was.
TEST(TrainingCheckpoint, AFailedSaveKeepsThePreviousCheckpoint) {
  nfx::test::TempDir dir;
  torch::nn::Linear model(3, 2);
  CheckpointWriter first(kFormat);
  first.value("spec.version", int64_t{1});
  first.save(dir / "c.pt");
  std::filesystem::create_directories(dir / "c.pt.partial");
  CheckpointWriter second(kFormat);
  second.value("spec.version", int64_t{2});
  second.module("model", *model);
  const std::string error = error_of([&] { second.save(dir / "c.pt"); });
  EXPECT_NE(error.find(dir / "c.pt"), std::string::npos) << error;
  EXPECT_NE(error.find("the previous checkpoint is kept"), std::string::npos) << error;
  CheckpointReader kept(dir / "c.pt", kFormat);
  EXPECT_EQ(kept.integer("spec.version"), 1);
}

// A disk that fills up mid-write (a file-size limit makes write() fail with EFBIG, as ENOSPC would): the
// error names the file, the old checkpoint stays readable and no .partial file is left (issue 13).
TEST(TrainingCheckpoint, AWriteFailingHalfwayKeepsThePreviousCheckpointAndLeavesNoPartialFile) {
  nfx::test::TempDir dir;
  CheckpointWriter first(kFormat);
  first.value("spec.version", int64_t{1});
  first.save(dir / "c.pt");

  torch::nn::Linear large(1000, 1000);  // 4 MB of weights, far past the limit below
  CheckpointWriter second(kFormat);
  second.value("spec.version", int64_t{2});
  second.module("model", *large);
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the default kill
  rlimit limited = before;
  limited.rlim_cur = 256 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  const std::string error = error_of([&] { second.save(dir / "c.pt"); });
  setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, previous_handler);

  EXPECT_NE(error.find(dir / "c.pt"), std::string::npos) << error;
  EXPECT_NE(error.find("the previous checkpoint is kept"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(dir / "c.pt.partial"));
  CheckpointReader kept(dir / "c.pt", kFormat);
  EXPECT_EQ(kept.integer("spec.version"), 1);
}

// An inference node whose `state` names a training checkpoint saves it back unchanged after the run: the
// optimizer and the progress stay, so training resumes where it was (it used to be replaced by the bare
// model with progress reset; issue 13).
TEST(TrainingCheckpoint, AnInferenceNodesStateIsTheCheckpointItLoadedUnchanged) {
  nfx::test::TempDir dir;
  torch::nn::Linear trained(3, 2);
  CheckpointWriter training(kFormat);
  training.module("model", *trained);
  training.tensor("optimizer_moments", torch::ones({4}));
  training.progress(Progress{7, 700, 60.0, 1.5, true});
  training.save(dir / "checkpoint.pt");

  torch::nn::Linear model(3, 2);
  ModelState state(
      kFormat, [&](CheckpointReader& c) { c.module("model", *model); },
      [&](CheckpointWriter& c) { c.module("model", *model); });
  nfx::Context no_context(nullptr);  // the state functions do not use it
  state.load_state(no_context, dir / "checkpoint.pt");
  EXPECT_TRUE(torch::equal(model->weight, trained->weight));
  state.save_state(no_context, dir / "saved.pt");
  CheckpointReader saved(dir / "saved.pt", kFormat);
  EXPECT_EQ(saved.progress().epoch, 7);
  EXPECT_TRUE(torch::equal(saved.tensor("optimizer_moments"), torch::ones({4})));
}
