// An ONNX model read by OpenCV DNN, with errors that name the file.
#pragma once

#include <opencv2/dnn.hpp>

#include <memory>
#include <string>

namespace nfx::privacy {

// Throws nfx::Error (NFX_ERR_IO) naming a missing file or one OpenCV cannot read as ONNX.
std::unique_ptr<cv::dnn::Net> load_onnx_net(const std::string& path);

}  // namespace nfx::privacy
