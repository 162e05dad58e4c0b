// The picture of a class map that people look at before opening the GeoTIFF: the map (shrunk to a
// readable width while its blocks stream past) beside a legend with each class's colour, name and share,
// and a chart of each class's mean spectrum.
#pragma once

#include <nfx/rasters/raster_block.hpp>

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nfx::mapper {

// Distinct colours for classes 1 .. k (a qualitative palette, repeated in darker shades past its end).
std::vector<nfx::rasters::RasterClass> class_legend(int k, const std::vector<std::string>& names);

class MapPicture {
 public:
  // A map of `width` x `height` pixels, drawn `picture_width` pixels wide (shrunk or enlarged).
  MapPicture(int64_t width, int64_t height, int64_t picture_width);
  // Rows y .. y + rows - 1 of the map: class values (0 nodata, 1 .. k the classes).
  void add_rows(int64_t y, int64_t rows, const uint8_t* classes);
  // The map with its legend: `means` k x bands mean band values, `shares` of the mapped pixels.
  cv::Mat render(const std::string& title, const std::vector<nfx::rasters::RasterClass>& legend, const std::vector<double>& shares,
                 const std::vector<double>& means, const std::vector<std::string>& band_names) const;

 private:
  int64_t width_, height_;
  cv::Mat classes_;  // the shrunk map, CV_8U
};

}  // namespace nfx::mapper
