// The training curve: one CSV row per validation with any named columns (loss, bits/dim, PSNR, accuracy
// ...), and the same drawn as a PNG.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nfx::training {

// Named figures in a fixed order: a curve row, the losses of a step, the results of a validation.
using Values = std::vector<std::pair<std::string, double>>;

// The CSV text `csv` (empty: no curve yet) with `row` appended, after the header (the row's names) for a
// new curve. Throws std::runtime_error if the curve's header has other columns.
std::string with_curve_row(const std::string& csv, const Values& row);

// Writes CSV text to `csv_path` atomically (a temporary file, then a rename). Throws nfx::Error (a
// std::runtime_error) naming the file.
void write_curve(const std::string& csv_path, const std::string& csv);

// Appends a row to the CSV file, writing the header (the row's names) first if the file is new or empty.
// Throws std::runtime_error naming the file if it cannot be written, or if its header has other columns
// (a curve of another run: delete it or choose another folder).
void append_curve_row(const std::string& csv_path, const Values& row);

// Draws every column against the first one (the epoch) into a PNG, written atomically. Columns whose names
// end in the same unit (the part after the last '_': train_bpd and held_out_bpd; train_loss and
// held_out_loss) share a panel; `epoch`, `step` and `seconds` are not drawn. Throws std::runtime_error
// naming the file if the CSV cannot be read or the PNG written.
void plot_curve(const std::string& csv_path, const std::string& png_path);

}  // namespace nfx::training
