// Real frontal faces with ground truth, for evaluating face removal: the 100 face crops of scikit-image's
// LFW subset (Labeled Faces in the Wild, 25 x 25 grayscale, in python3-skimage), enlarged and pasted onto
// background images.
#pragma once

#include "boxes.hpp"

#include <random>
#include <string>

namespace nfx::privacy {

// The faces of `lfw_subset.npy` (a 200 x 25 x 25 float64 NumPy array; the first 100 are faces), as 8-bit
// grayscale images. Throws nfx::Error naming the file when it is missing or not that array.
std::vector<cv::Mat> load_lfw_faces(const std::string& path);

struct FaceSetOptions {
  int count = 3;         // faces per image
  int min_size = 90;     // face sizes (square) are drawn uniformly from [min_size, max_size]
  int max_size = 160;
};

// Pastes randomly chosen faces, enlarged (bicubic), onto `image` (8-bit RGB) clear of each other and of
// the boxes already in `truth`, and appends their boxes (class face, score 1) to `truth`.
void paste_faces(cv::Mat& image, const std::vector<cv::Mat>& faces, const FaceSetOptions& options, std::mt19937& rng,
                 Detections& truth);

}  // namespace nfx::privacy
