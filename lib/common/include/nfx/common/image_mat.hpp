// nfx images (HWC uint8, RGB / RGBA / gray) and masks (HW uint8) as OpenCV matrices and back, for the
// plugins that use OpenCV.
#pragma once

#include <nfx/nfx.hpp>

#include <opencv2/core.hpp>

namespace nfx::plugins {

// A cv::Mat header over an nfx image's pixels: no copy, channel order kept (RGB, not OpenCV's BGR).
// The pixels of an input are read-only (other nodes share them) and OpenCV has no read-only matrix:
// clone() before drawing on the result.
inline cv::Mat as_mat(const DLTensor& image) {
  if (image.ndim != 3 || image.dtype.code != kDLUInt || image.dtype.bits != 8 || !nfx::is_compact(image)) {
    throw nfx::Error("expected a compact HWC uint8 image");
  }
  const int channels = static_cast<int>(image.shape[2]);
  return cv::Mat(static_cast<int>(image.shape[0]), static_cast<int>(image.shape[1]), CV_8UC(channels),
                 const_cast<unsigned char*>(nfx::data_ptr<unsigned char>(image)));
}

// A cv::Mat header (CV_8U) over an nfx mask (HW uint8, 0 or 255): no copy; read-only as for as_mat.
inline cv::Mat as_mask_mat(const DLTensor& mask) {
  if (mask.ndim != 2 || mask.dtype.code != kDLUInt || mask.dtype.bits != 8 || !nfx::is_compact(mask)) {
    throw nfx::Error("expected a compact H x W uint8 mask");
  }
  return cv::Mat(static_cast<int>(mask.shape[0]), static_cast<int>(mask.shape[1]), CV_8U,
                 const_cast<unsigned char*>(nfx::data_ptr<unsigned char>(mask)));
}

// A new nfx mask holding a copy of a CV_8U matrix.
inline nfx::Tensor mask_from_mat(const cv::Mat& mask) {
  if (mask.type() != CV_8U) throw nfx::Error("a mask must be 8-bit with one channel");
  nfx::Tensor t(nfx::dtype_u8(), {mask.rows, mask.cols});
  mask.copyTo(cv::Mat(mask.rows, mask.cols, CV_8U, t.data<unsigned char>()));
  return t;
}

// A new nfx image holding a copy of an 8-bit matrix, channel order kept.
inline nfx::Tensor image_from_mat(const cv::Mat& mat) {
  if (mat.depth() != CV_8U) throw nfx::Error("only 8-bit images are supported");
  nfx::Tensor t(nfx::dtype_u8(), {mat.rows, mat.cols, mat.channels()});
  mat.copyTo(cv::Mat(mat.rows, mat.cols, mat.type(), t.data<unsigned char>()));
  return t;
}

}  // namespace nfx::plugins
