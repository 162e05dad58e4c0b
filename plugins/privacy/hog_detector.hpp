// Detectors in dlib's HOG + linear SVM form: a fixed-size window scanned over an image pyramid (each
// level 5/6 of the one before). dlib's frontal face detector is one; nfx trains its plate detector the
// same way, on synthetic plates (graphs/train-plate-detector.toml). Score: the SVM margin.
#pragma once

#include "detectors.hpp"

#include <vector>

namespace nfx::privacy {

// One HOG detector: dlib's frontal face detector (no file), the plate detector built into the plugin
// (models/plates-fhog.svm, made by graphs/train-plate-detector.toml), or one saved by
// train_hog_detector. Boxes scoring above `threshold` are kept (lower finds more).
struct HogModel {
  enum class Source { frontal_faces, builtin_plates, file } source = Source::frontal_faces;
  std::string path;  // Source::file
  int label = face;
  double threshold = 0.0;
};

// All the models as one detector: the HOG feature pyramid of an image is computed once and every model
// scans it (dlib's evaluate_detectors). Each `upsample` doubles the image first, finding objects half
// the size (80 x 80 pixel faces and 96 x 24 plates at 0). Throws nfx::Error naming a missing or
// unreadable model file.
std::unique_ptr<Detector> make_hog_detector(const std::vector<HogModel>& models, int upsample);

struct HogTrainingOptions {
  int window_width = 96;   // the smallest object found, in pixels; objects should share its aspect ratio
  int window_height = 24;
  double c = 5.0;          // SVM regularization: larger fits the training set more closely
  double epsilon = 0.01;   // stopping tolerance
  int threads = 2;
};

// Trains on grayscale images and their object boxes, and saves the detector to `path` (atomically).
// A box that matches no scan window well (bounds of another shape: a plate at an angle) is learned
// as its nearest window. Boxes smaller than the window cannot be learned:
// they are left out of training (not counted as background either). Throws nfx::Error when dlib cannot
// train (e.g. boxes that overlap too much to be told apart).
void train_hog_detector(const std::vector<cv::Mat>& images, const std::vector<Detections>& boxes,
                        const HogTrainingOptions& options, const std::string& path);

}  // namespace nfx::privacy
