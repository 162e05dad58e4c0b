#include "synthetic_faces.hpp"

#include "placement.hpp"

#include <opencv2/imgproc.hpp>

#include <cstring>
#include <fstream>

namespace nfx::privacy {

std::vector<cv::Mat> load_lfw_faces(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw nfx::Error(path + ": cannot open the file (python3-skimage ships lfw_subset.npy)", NFX_ERR_IO);
  // NumPy format 1.0: magic, version, a little-endian uint16 header length, a text header, the data.
  char magic[8];
  uint16_t header_length = 0;
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY\x01", 7) != 0 ||
      !in.read(reinterpret_cast<char*>(&header_length), 2)) {
    throw nfx::Error(path + ": not a NumPy .npy file (version 1)", NFX_ERR_IO);
  }
  std::string header(header_length, '\0');
  in.read(header.data(), header_length);
  if (header.find("'<f8'") == std::string::npos || header.find("(200, 25, 25)") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    throw nfx::Error(path + ": expected the 200 x 25 x 25 float64 LFW subset, header " + header, NFX_ERR_IO);
  }
  std::vector<double> values(100 * 25 * 25);  // the faces; the non-faces that follow are not read
  if (!in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(double)))) {
    throw nfx::Error(path + ": the file ends early", NFX_ERR_IO);
  }
  std::vector<cv::Mat> faces;
  for (int i = 0; i < 100; ++i) {
    cv::Mat face;
    cv::Mat(25, 25, CV_64F, values.data() + i * 625).convertTo(face, CV_8U, 255.0);
    faces.push_back(face);
  }
  return faces;
}

void paste_faces(cv::Mat& image, const std::vector<cv::Mat>& faces, const FaceSetOptions& options, std::mt19937& rng,
                 Detections& truth) {
  for (int i = 0; i < options.count && !faces.empty(); ++i) {
    const int size = std::uniform_int_distribution<int>(options.min_size, options.max_size)(rng);
    const cv::Mat& face = faces[std::uniform_int_distribution<size_t>(0, faces.size() - 1)(rng)];
    const auto place = free_place(image.size(), cv::Size(size, size), truth, rng);
    if (!place) break;
    cv::Mat enlarged, rgb;
    cv::resize(face, enlarged, cv::Size(size, size), 0, 0, cv::INTER_CUBIC);
    cv::cvtColor(enlarged, rgb, cv::COLOR_GRAY2RGB);
    rgb.copyTo(image(cv::Rect(*place)));
    truth.push_back({*place, 1.0f, Label::face});
  }
}

}  // namespace nfx::privacy
