// The training curve: one CSV row per epoch, and the same drawn as a PNG line plot.
#pragma once

#include <string>

namespace nfx::flow {

struct CurveRow {
  int64_t epoch, step;
  double seconds, train_bpd, held_out_bpd;
};

// Appends a row to the CSV file, writing the header first if the file is new.
void append_curve_row(const std::string& csv_path, const CurveRow& row);

// Draws train and held-out bits/dim against epochs from the CSV file into a PNG (written atomically).
// Throws std::runtime_error naming the file if the CSV cannot be read or the PNG written.
void plot_curve(const std::string& csv_path, const std::string& png_path);

}  // namespace nfx::flow
