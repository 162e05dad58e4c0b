#include "nodes/labelled_data.hpp"

#include <torch/torch.h>

namespace nfx::assess {

LabelledSet read_labelled(const std::string& data) {
  const bool csv = data.size() > 4 && data.compare(data.size() - 4, 4, ".csv") == 0;
  return csv ? read_label_csv(data) : scan_class_folders(data);
}

ItemTensors as_tensors(const LoadedImages& loaded) {
  ItemTensors t;
  t.images = torch::from_blob(const_cast<uint8_t*>(loaded.pixels.data()), {loaded.count(), loaded.channels, loaded.size, loaded.size},
                              torch::kUInt8).clone();
  const std::vector<int64_t> labels(loaded.labels.begin(), loaded.labels.end());
  t.labels = torch::tensor(labels, torch::kInt64);
  return t;
}

LoadedImages load_and_report(const LabelledSet& set, const std::vector<int64_t>& which, int size, int channels, const nfx::Context& ctx) {
  LoadedImages loaded = load_images(set, which, size, channels);
  for (const std::string& why : loaded.skipped) ctx.log(NFX_LOG_WARNING, "skipped " + why);
  return loaded;
}

}  // namespace nfx::assess
