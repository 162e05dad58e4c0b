#include "scrub.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace nfx::privacy {

namespace {

// The box in whole pixels, clipped to the image (empty when the box lies outside it).
cv::Rect pixel_box(const Detection& d, cv::Size size) {
  const cv::Rect r(cv::Point(static_cast<int>(std::floor(d.box.x)), static_cast<int>(std::floor(d.box.y))),
                   cv::Point(static_cast<int>(std::ceil(d.box.x + d.box.width)),
                             static_cast<int>(std::ceil(d.box.y + d.box.height))));
  return r & cv::Rect(0, 0, size.width, size.height);
}

// The detection's shape at 255 over its pixel box `r`, with a one-pixel empty border (so the distance to
// the shape's edge is defined everywhere): an ellipse for a face, the whole box for a plate. Masks and
// weights are both drawn from this, so they cover exactly the same pixels.
cv::Mat padded_shape(const Detection& d, const cv::Rect& r) {
  cv::Mat padded = cv::Mat::zeros(r.height + 2, r.width + 2, CV_8U);
  if (d.label == face) {
    const cv::Point2f centre(d.box.x + d.box.width / 2 - static_cast<float>(r.x) + 1.0f,
                             d.box.y + d.box.height / 2 - static_cast<float>(r.y) + 1.0f);
    cv::ellipse(padded, cv::RotatedRect(centre, cv::Size2f(d.box.width, d.box.height), 0.0f), cv::Scalar(255),
                cv::FILLED);
    padded.row(0).setTo(0);
    padded.row(padded.rows - 1).setTo(0);
    padded.col(0).setTo(0);
    padded.col(padded.cols - 1).setTo(0);
  } else {
    padded(cv::Rect(1, 1, r.width, r.height)).setTo(255);
  }
  return padded;
}

// The region a mode needs around a box to obfuscate it: inpainting looks `radius` pixels outside.
cv::Rect working_region(const Detection& d, cv::Size size, int margin) {
  cv::Rect r = pixel_box(d, size);
  r.x -= margin;
  r.y -= margin;
  r.width += 2 * margin;
  r.height += 2 * margin;
  return r & cv::Rect(0, 0, size.width, size.height);
}

// The typical size of the fine detail (the image less its blur) in the ring around a shape, per channel:
// 1.4826 x the median absolute value, which an edge through the ring barely moves (a deviation would).
cv::Scalar grain_of(const cv::Mat& region, const cv::Mat& ring) {
  cv::Mat detail, smooth;
  region.convertTo(detail, CV_32F);
  cv::GaussianBlur(detail, smooth, cv::Size(), 2.0);
  detail = cv::abs(detail - smooth);
  cv::Scalar grain;
  std::vector<float> values;
  for (int c = 0; c < region.channels(); ++c) {
    values.clear();
    for (int y = 0; y < region.rows; ++y) {
      const uchar* in_ring = ring.ptr<uchar>(y);
      const float* v = detail.ptr<float>(y);
      for (int x = 0; x < region.cols; ++x) {
        if (in_ring[x]) values.push_back(v[x * region.channels() + c]);
      }
    }
    if (values.empty()) continue;
    std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() / 2), values.end());
    grain[c] = 1.4826 * values[values.size() / 2];
  }
  return grain;
}

// Telea's inpainting streaks radially across a large shape, which draws the eye to it. Inpainted where the
// shape is about 16 px across and enlarged again, the fill is a smooth blend of the surrounding colours;
// grain as strong as the surroundings' keeps it from looking like a flat patch. One grain pattern for all
// channels (like a photo's, mostly in brightness), seeded by the box, so a run repeats exactly.
void smooth_fill(cv::Mat& out, const cv::Mat& mask, const Detection& d, double side) {
  const int ring = std::max(4, static_cast<int>(side / 4));
  const cv::Rect r = working_region(d, out.size(), ring);
  if (r.empty()) return;
  cv::Mat region = out(r), shape = mask(r);
  const double f = std::min(1.0, 16.0 / side);
  const cv::Size small(std::max(4, static_cast<int>(std::lround(r.width * f))),
                       std::max(4, static_cast<int>(std::lround(r.height * f))));
  cv::Mat small_region, small_shape, small_filled, filled;
  cv::resize(region, small_region, small, 0, 0, cv::INTER_AREA);
  cv::resize(shape, small_shape, small, 0, 0, cv::INTER_AREA);
  small_shape = small_shape > 0;  // every pixel the shape touches is filled
  cv::inpaint(small_region, small_shape, small_filled, 3.0, cv::INPAINT_TELEA);
  cv::resize(small_filled, filled, r.size(), 0, 0, cv::INTER_CUBIC);

  // The ring: pixels outside the shape within `ring` of it (a distance transform: a dilation by a kernel
  // this large would cost far more than the fill).
  cv::Mat distance;
  cv::distanceTransform(~shape, distance, cv::DIST_L2, cv::DIST_MASK_3);
  const cv::Mat outside = (distance > 0) & (distance <= ring);
  const cv::Scalar strength = grain_of(region, outside);
  cv::Mat pattern(r.size(), CV_32F);
  cv::RNG rng(static_cast<uint64_t>(r.x) * 73856093u ^ static_cast<uint64_t>(r.y) * 19349663u);
  rng.fill(pattern, cv::RNG::NORMAL, 0.0, 1.0);
  std::vector<cv::Mat> channels(static_cast<size_t>(out.channels()));
  for (int c = 0; c < out.channels(); ++c) channels[static_cast<size_t>(c)] = pattern * strength[c];
  cv::Mat grain, grainy;
  cv::merge(channels, grain);
  filled.convertTo(grainy, CV_32F);
  grainy += grain;
  grainy.convertTo(filled, out.type());
  filled.copyTo(region, shape);
}

void obfuscate_box(cv::Mat& out, const cv::Mat& mask, const Detection& d, const ScrubOptions& o) {
  const double side = std::max(1.0f, std::min(d.box.width, d.box.height));
  switch (o.mode) {
    case ScrubMode::smooth:
      smooth_fill(out, mask, d, side);
      return;
    case ScrubMode::inpaint: {
      const int margin = static_cast<int>(std::ceil(o.inpaint_radius)) + 2;
      const cv::Rect r = working_region(d, out.size(), margin);
      if (r.empty()) return;
      cv::Mat region = out(r), filled;
      cv::inpaint(region, mask(r), filled, o.inpaint_radius, o.navier_stokes ? cv::INPAINT_NS : cv::INPAINT_TELEA);
      filled.copyTo(region, mask(r));
      return;
    }
    case ScrubMode::blur: {
      const cv::Rect r = pixel_box(d, out.size());
      if (r.empty()) return;
      const double sigma = std::max(0.5, o.blur_strength * side / 4.0);
      cv::Mat region = out(r);
      cv::GaussianBlur(region.clone(), region, cv::Size(), sigma, sigma, cv::BORDER_REPLICATE);
      return;
    }
    case ScrubMode::pixelate: {
      const cv::Rect r = pixel_box(d, out.size());
      if (r.empty()) return;
      const double cell = std::max(2.0, side / o.pixel_cells);
      const cv::Size cells(std::max(1, static_cast<int>(std::ceil(r.width / cell))),
                           std::max(1, static_cast<int>(std::ceil(r.height / cell))));
      cv::Mat region = out(r), small;
      cv::resize(region, small, cells, 0, 0, cv::INTER_AREA);
      cv::resize(small, region, r.size(), 0, 0, cv::INTER_NEAREST);
      return;
    }
    case ScrubMode::solid: {
      const cv::Rect r = pixel_box(d, out.size());
      if (!r.empty()) out(r).setTo(o.color);
      return;
    }
    case ScrubMode::model:
      return;  // the whole image at once, in scrub()
  }
}

}  // namespace

ScrubMode scrub_mode_from_name(const std::string& name) {
  if (name == "smooth") return ScrubMode::smooth;
  if (name == "inpaint") return ScrubMode::inpaint;
  if (name == "blur") return ScrubMode::blur;
  if (name == "pixelate") return ScrubMode::pixelate;
  if (name == "solid") return ScrubMode::solid;
  if (name == "model") return ScrubMode::model;
  throw nfx::Error("unknown scrub mode \"" + name + "\" (expected smooth, inpaint, blur, pixelate, solid or model)");
}

cv::Mat shape_mask(cv::Size size, const Detections& detections) {
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  for (const Detection& d : detections) {
    const cv::Rect r = pixel_box(d, size);
    if (r.empty()) continue;
    cv::Mat target = mask(r);
    cv::max(target, padded_shape(d, r)(cv::Rect(1, 1, r.width, r.height)), target);
  }
  return mask;
}

cv::Mat feathered_weights(cv::Size size, const Detections& detections, float feather) {
  cv::Mat weights = cv::Mat::zeros(size, CV_32F);
  for (const Detection& d : detections) {
    const cv::Rect r = pixel_box(d, size);
    if (r.empty()) continue;
    cv::Mat distance;
    cv::distanceTransform(padded_shape(d, r), distance, cv::DIST_L2, cv::DIST_MASK_PRECISE);
    const double ramp = std::max(1.0f, feather * std::min(d.box.width, d.box.height));
    cv::Mat w = cv::min(distance(cv::Rect(1, 1, r.width, r.height)) / ramp, 1.0);
    cv::Mat target = weights(r);
    cv::max(target, w, target);
  }
  return weights;
}

cv::Mat scrub(const cv::Mat& image, const Detections& detections, const cv::Mat& mask, const ScrubOptions& options) {
  if (detections.empty()) return image.clone();
  cv::Mat obfuscated = image.clone();
  if (options.mode == ScrubMode::model) {
    obfuscated = options.fill(image, mask);
    if (obfuscated.size() != image.size() || obfuscated.type() != image.type()) {
      throw nfx::Error("the inpainting model returned an image of another size or type");
    }
  }
  for (const Detection& d : detections) obfuscate_box(obfuscated, mask, d, options);
  // out = w * obfuscated + (1 - w) * image, per channel, only where w > 0.
  const cv::Mat weights = feathered_weights(image.size(), detections, options.feather);
  cv::Mat out = image.clone();
  const int channels = image.channels();
  for (int y = 0; y < image.rows; ++y) {
    const float* w = weights.ptr<float>(y);
    const uchar* a = image.ptr<uchar>(y);
    const uchar* b = obfuscated.ptr<uchar>(y);
    uchar* o = out.ptr<uchar>(y);
    for (int x = 0; x < image.cols; ++x) {
      if (w[x] <= 0.0f) continue;
      for (int c = 0; c < channels; ++c) {
        const int i = x * channels + c;
        o[i] = cv::saturate_cast<uchar>(w[x] * b[i] + (1.0f - w[x]) * a[i]);
      }
    }
  }
  return out;
}

}  // namespace nfx::privacy
