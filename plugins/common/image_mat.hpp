// nfx images (HWC uint8, RGB / RGBA / gray) as OpenCV matrices and back, for the plugins that use OpenCV.
#pragma once

#include <nfx/nfx.hpp>

#include <opencv2/core.hpp>

namespace nfx::plugins {

// A cv::Mat header over an nfx image's pixels: no copy, channel order kept (RGB, not OpenCV's BGR).
inline cv::Mat as_mat(const DLTensor& image) {
  if (image.ndim != 3 || image.dtype.code != kDLUInt || image.dtype.bits != 8 || !nfx::is_compact(image)) {
    throw nfx::Error("expected a compact HWC uint8 image");
  }
  const int channels = static_cast<int>(image.shape[2]);
  return cv::Mat(static_cast<int>(image.shape[0]), static_cast<int>(image.shape[1]), CV_8UC(channels),
                 nfx::data_ptr<unsigned char>(image));
}

// A new nfx image holding a copy of an 8-bit matrix, channel order kept.
inline nfx::Tensor image_from_mat(const cv::Mat& mat) {
  if (mat.depth() != CV_8U) throw nfx::Error("only 8-bit images are supported");
  nfx::Tensor t(nfx::dtype_u8(), {mat.rows, mat.cols, mat.channels()});
  mat.copyTo(cv::Mat(mat.rows, mat.cols, mat.type(), t.data<unsigned char>()));
  return t;
}

}  // namespace nfx::plugins
