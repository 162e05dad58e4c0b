#include "model/labelled_folder.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

namespace nfx::assess {

namespace fs = std::filesystem;

namespace {

bool is_image(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tif" || ext == ".tiff" || ext == ".webp";
}

std::string trimmed(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r");
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// The set from files grouped by class name: classes sorted, files sorted within each.
LabelledSet from_groups(std::map<std::string, std::vector<std::string>> groups) {
  LabelledSet set;
  for (auto& [name, files] : groups) {
    std::sort(files.begin(), files.end());
    const int label = static_cast<int>(set.classes.size());
    set.classes.push_back(name);
    for (std::string& f : files) set.files.push_back({std::move(f), label});
  }
  return set;
}

}  // namespace

LabelledSet scan_class_folders(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw nfx::Error(root + ": no such folder", NFX_ERR_IO);
  std::map<std::string, std::vector<std::string>> groups;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory(ec) || entry.path().filename().string().rfind('.', 0) == 0) continue;  // hidden folders are not classes
    std::vector<std::string>& files = groups[entry.path().filename().string()];
    for (fs::recursive_directory_iterator it(entry.path(), ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && is_image(it->path())) files.push_back(it->path().string());
    }
    if (files.empty()) {
      throw nfx::Error(root + ": class \"" + entry.path().filename().string() + "\" (" + entry.path().string() +
                           ") holds no image (PNG, JPEG, BMP, TIFF, WebP)", NFX_ERR_IO);
    }
  }
  if (groups.size() < 2) {
    throw nfx::Error(root + ": expected one sub-folder per class (at least 2), found " + std::to_string(groups.size()), NFX_ERR_IO);
  }
  return from_groups(std::move(groups));
}

LabelledSet read_label_csv(const std::string& csv) {
  std::ifstream in(csv);
  if (!in) throw nfx::Error(csv + ": cannot be read", NFX_ERR_IO);
  const fs::path folder = fs::path(csv).parent_path();
  std::map<std::string, std::vector<std::string>> groups;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = csv + ":" + std::to_string(number) + ": ";
    line = trimmed(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t comma = line.rfind(',');
    if (comma == std::string::npos) throw nfx::Error(where + "expected file,label", NFX_ERR_IO);
    const std::string file = trimmed(line.substr(0, comma)), label = trimmed(line.substr(comma + 1));
    if (number == 1 && file == "file" && label == "label") continue;
    if (file.empty() || label.empty()) throw nfx::Error(where + "expected file,label", NFX_ERR_IO);
    const fs::path path = fs::path(file).is_absolute() ? fs::path(file) : folder / file;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw nfx::Error(where + path.string() + ": no such file", NFX_ERR_IO);
    groups[label].push_back(path.string());
  }
  if (groups.size() < 2) throw nfx::Error(csv + ": names " + std::to_string(groups.size()) + " class(es); at least 2 are needed", NFX_ERR_IO);
  return from_groups(std::move(groups));
}

std::vector<int64_t> class_counts(const LabelledSet& set) {
  std::vector<int64_t> counts(set.classes.size(), 0);
  for (const LabelledFile& f : set.files) ++counts[static_cast<size_t>(f.label)];
  return counts;
}

}  // namespace nfx::assess
