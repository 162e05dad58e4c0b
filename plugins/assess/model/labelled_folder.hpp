// Labelled images as quality engineers keep them: a folder with one sub-folder per class (the ImageFolder
// convention of torchvision and Keras), or a CSV of `file,label` lines. Only the listing: decoding (and
// skipping a corrupt file) happens when the images are loaded.
#pragma once

#include <string>
#include <vector>

namespace nfx::assess {

struct LabelledFile {
  std::string path;
  int label = 0;  // index into LabelledSet::classes
};

struct LabelledSet {
  std::vector<std::string> classes;  // sorted by name
  std::vector<LabelledFile> files;   // by class, then by path
};

// Every image file (PNG, JPEG, BMP, TIFF, WebP) under each sub-folder of `root`, recursively, labelled by
// the sub-folder's name. Throws nfx::Error naming the folder when it is missing or has no class folder,
// and naming the class when its folder holds no image.
LabelledSet scan_class_folders(const std::string& root);

// `csv`: one `file,label` per line (a first line `file,label` is a header; blank lines and lines starting
// with # are skipped); files relative to the CSV's folder. Throws nfx::Error "CSV:LINE: ..." for a line
// that is not two fields or names a file that is not there.
LabelledSet read_label_csv(const std::string& csv);

// How many files each class has.
std::vector<int64_t> class_counts(const LabelledSet& set);

}  // namespace nfx::assess
