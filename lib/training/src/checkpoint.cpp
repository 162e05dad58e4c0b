#include <nfx/training/checkpoint.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace nfx::training {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormatKey = "format";

// The first line of LibTorch's message: the rest is a C++ stack trace.
std::string first_line(const std::exception& e) {
  const std::string what = e.what();
  return what.substr(0, std::min(what.find('\n'), size_t{300}));
}

}  // namespace

CheckpointWriter::CheckpointWriter(const std::string& format) { archive_.write(kFormatKey, c10::IValue(format)); }

void CheckpointWriter::value(const std::string& key, const c10::IValue& value) { archive_.write(key, value); }

void CheckpointWriter::module(const std::string& name, const torch::nn::Module& module) {
  torch::serialize::OutputArchive sub;
  module.save(sub);
  archive_.write(name, sub);
}

void CheckpointWriter::optimizer(const std::string& name, const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive sub;
  optimizer.save(sub);
  archive_.write(name, sub);
}

void CheckpointWriter::tensor(const std::string& name, const torch::Tensor& tensor) {
  archive_.write(name, tensor, /*is_buffer=*/true);
}

void CheckpointWriter::generator(const std::string& name, torch::Generator generator) {
  std::lock_guard<std::mutex> lock(generator.mutex());
  archive_.write("generator." + name, generator.get_state(), /*is_buffer=*/true);
}

void CheckpointWriter::progress(const Progress& p) {
  archive_.write("progress.epoch", c10::IValue(p.epoch));
  archive_.write("progress.step", c10::IValue(p.step));
  archive_.write("progress.seconds", c10::IValue(p.seconds));
  if (p.has_best) archive_.write("progress.best", c10::IValue(p.best));
}

void CheckpointWriter::part(const std::string& name, const std::function<void(torch::serialize::OutputArchive&)>& write) {
  torch::serialize::OutputArchive sub;
  write(sub);
  archive_.write(name, sub);
}

void CheckpointWriter::save(const std::string& path) {
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  const std::string temporary = path + ".partial";
  // LibTorch's archive writer must never see a failed write: it would throw again from its destructor
  // (std::terminate). So it writes into our stream, which records the first failure (disk full, say) and
  // goes on accepting bytes; the failure is reported once the writer is done.
  std::string failure;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) failure = std::strerror(errno);
    try {
      archive_.save_to([&](const void* data, size_t size) -> size_t {
        if (failure.empty() && !out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size))) {
          failure = std::strerror(errno);
        }
        return size;
      });
    } catch (const std::exception& e) {
      if (failure.empty()) failure = first_line(e);
    }
    if (failure.empty() && !out.flush()) failure = std::strerror(errno);
    out.close();
    if (failure.empty() && out.fail()) failure = std::strerror(errno);
  }
  if (!failure.empty()) {
    fs::remove(temporary, ec);
    throw CheckpointError(path + ": cannot write the checkpoint (" + failure +
                          "; disk full or no permission?); the previous checkpoint is kept");
  }
  fs::rename(temporary, target, ec);  // atomic on one file system: the old checkpoint stays until here
  if (ec) {
    fs::remove(temporary, ec);
    throw CheckpointError(path + ": cannot move the new checkpoint into place: " + ec.message());
  }
}

CheckpointReader::CheckpointReader(const std::string& path, const std::string& format) : path_(path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail("no such checkpoint");
  try {
    archive_.load_from(path);
  } catch (const std::exception&) {
    fail("not a readable checkpoint (truncated, corrupt or another format)");
  }
  c10::IValue stored;
  if (!archive_.try_read(kFormatKey, stored) || !stored.isString()) fail("not an nfx checkpoint (no format)");
  if (stored.toStringRef() != format) {
    fail("a '" + stored.toStringRef() + "' checkpoint, but a '" + format + "' one is needed");
  }
}

void CheckpointReader::fail(const std::string& message) const { throw CheckpointError(path_ + ": " + message); }

bool CheckpointReader::has(const std::string& key) {
  c10::IValue v;
  torch::serialize::InputArchive sub;
  return archive_.try_read(key, v) || archive_.try_read(key, sub);
}

c10::IValue CheckpointReader::value(const std::string& key) {
  c10::IValue v;
  if (!archive_.try_read(key, v)) fail("the checkpoint has no '" + key + "'");
  return v;
}

int64_t CheckpointReader::integer(const std::string& key) {
  const c10::IValue v = value(key);
  if (!v.isInt()) fail("'" + key + "' is not an integer");
  return v.toInt();
}

double CheckpointReader::number(const std::string& key) {
  const c10::IValue v = value(key);
  if (!v.isDouble() && !v.isInt()) fail("'" + key + "' is not a number");
  return v.isDouble() ? v.toDouble() : static_cast<double>(v.toInt());
}

std::string CheckpointReader::text(const std::string& key) {
  const c10::IValue v = value(key);
  if (!v.isString()) fail("'" + key + "' is not text");
  return v.toStringRef();
}

bool CheckpointReader::boolean(const std::string& key) {
  const c10::IValue v = value(key);
  if (!v.isBool()) fail("'" + key + "' is not true or false");
  return v.toBool();
}

namespace {

std::vector<std::pair<std::string, std::vector<int64_t>>> shapes_of(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& p : module.named_parameters()) shapes.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : module.named_buffers()) shapes.emplace_back(b.key(), b.value().sizes().vec());
  return shapes;
}

}  // namespace

void CheckpointReader::module(const std::string& name, torch::nn::Module& module) {
  torch::serialize::InputArchive sub;
  if (!archive_.try_read(name, sub)) fail("the checkpoint holds no module '" + name + "'");
  // LibTorch's Module::load replaces each tensor with the stored one, whatever its shape: compare after.
  const auto expected = shapes_of(module);
  try {
    module.load(sub);
  } catch (const std::exception& e) {
    fail("module '" + name + "' does not fit this model (" + first_line(e) + ")");
  }
  const auto loaded = shapes_of(module);
  for (size_t i = 0; i < expected.size(); ++i) {
    if (loaded[i].second != expected[i].second) {
      fail("module '" + name + "' does not fit this model ('" + expected[i].first + "' is " +
           c10::str(c10::IntArrayRef(loaded[i].second)) + " in the checkpoint, " +
           c10::str(c10::IntArrayRef(expected[i].second)) + " in the model)");
    }
  }
}

bool CheckpointReader::optimizer(const std::string& name, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive sub;
  if (!archive_.try_read(name, sub)) return false;
  try {
    optimizer.load(sub);
  } catch (const std::exception& e) {
    fail("optimizer '" + name + "' does not fit this model (" + first_line(e) + ")");
  }
  return true;
}

torch::Tensor CheckpointReader::tensor(const std::string& name) {
  torch::Tensor t;
  if (!archive_.try_read(name, t, /*is_buffer=*/true)) fail("the checkpoint holds no tensor '" + name + "'");
  return t;
}

bool CheckpointReader::generator(const std::string& name, torch::Generator& generator) {
  torch::Tensor state;
  if (!archive_.try_read("generator." + name, state, /*is_buffer=*/true)) return false;
  try {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
  } catch (const std::exception& e) {
    fail("random generator '" + name + "' cannot be restored (" + first_line(e) + ")");
  }
  return true;
}

Progress CheckpointReader::progress() {
  Progress p;
  p.epoch = integer("progress.epoch");
  p.step = integer("progress.step");
  p.seconds = number("progress.seconds");
  c10::IValue best;
  if (archive_.try_read("progress.best", best)) {
    p.best = best.toDouble();
    p.has_best = true;
  }
  return p;
}

bool CheckpointReader::part(const std::string& name, const std::function<void(torch::serialize::InputArchive&)>& read) {
  torch::serialize::InputArchive sub;
  if (!archive_.try_read(name, sub)) return false;
  try {
    read(sub);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    fail("'" + name + "' cannot be read (" + first_line(e) + ")");
  }
  return true;
}

}  // namespace nfx::training
