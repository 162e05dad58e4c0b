#include "nodes/labelled_data.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <sstream>

namespace nfx::assess {

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const size_t first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

int class_index(const std::vector<std::string>& classes, const std::string& name, const char* param) {
  const auto at = std::find(classes.begin(), classes.end(), name);
  if (at != classes.end()) return static_cast<int>(at - classes.begin());
  std::string names;
  for (const std::string& c : classes) names += (names.empty() ? "" : ", ") + c;
  throw nfx::ParamError(param, "no class \"" + name + "\" (the classes: " + names + ")");
}

std::map<int, double> class_shares(const std::string& text, const std::vector<std::string>& classes) {
  std::map<int, double> shares;
  for (const std::string& item : comma_list(text)) {
    const size_t eq = item.find('=');
    double share = -1;
    try {
      if (eq != std::string::npos) share = std::stod(item.substr(eq + 1));
    } catch (const std::exception&) {
    }
    if (!(share > 0 && share <= 1)) throw nfx::ParamError("keep", "\"" + item + "\": expected CLASS=SHARE with a share in (0, 1]");
    const std::vector<std::string> name = comma_list(item.substr(0, eq));  // trimmed
    shares[class_index(classes, name.empty() ? "" : name[0], "keep")] = share;
  }
  return shares;
}

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
