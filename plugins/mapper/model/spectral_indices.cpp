#include "model/spectral_indices.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace nfx::mapper {

namespace {

std::string lower_trimmed(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; }), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int band_named(const std::string& name, const std::vector<std::string>& band_names, const std::string& term) {
  for (size_t i = 0; i < band_names.size(); ++i) {
    if (lower_trimmed(band_names[i]) == name) return static_cast<int>(i);
  }
  std::string known;
  for (const std::string& b : band_names) known += (known.empty() ? "" : ", ") + b;
  throw nfx::Error("index \"" + term + "\": no band is called \"" + name + "\" (the bands are " + known + ")");
}

// "ndvi", "nd(a,b)" or "a/b", without spaces and in lower case.
SpectralIndex parse_term(const std::string& term, const std::vector<std::string>& band_names) {
  SpectralIndex index;
  index.name = lower_trimmed(term);
  const std::string t = lower_trimmed(term);
  std::string a, b;
  if (t == "ndvi") {
    a = "nir", b = "red";
    index.normalized_difference = true;
  } else if (t.size() > 4 && t.rfind("nd(", 0) == 0 && t.back() == ')' && t.find(',') != std::string::npos) {
    const size_t comma = t.find(',');
    a = t.substr(3, comma - 3), b = t.substr(comma + 1, t.size() - comma - 2);
    index.normalized_difference = true;
  } else if (const size_t slash = t.find('/'); slash != std::string::npos) {
    a = t.substr(0, slash), b = t.substr(slash + 1);
  }
  if (a.empty() || b.empty()) {
    throw nfx::Error("index \"" + term + "\": expected ndvi, nd(BAND,BAND) or BAND/BAND");
  }
  index.a = band_named(a, band_names, term);
  index.b = band_named(b, band_names, term);
  return index;
}

}  // namespace

float SpectralIndex::of(const float* bands) const {
  const float x = bands[a], y = bands[b];
  const float denominator = normalized_difference ? x + y : y;
  if (denominator == 0) return std::numeric_limits<float>::quiet_NaN();
  return (normalized_difference ? x - y : x) / denominator;
}

std::vector<SpectralIndex> parse_indices(const std::string& text, const std::vector<std::string>& band_names) {
  std::vector<SpectralIndex> indices;
  // Split at commas outside parentheses (nd(a,b) holds one).
  std::string term;
  int depth = 0;
  const auto flush = [&] {
    if (!lower_trimmed(term).empty()) indices.push_back(parse_term(term, band_names));
    term.clear();
  };
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      flush();
    } else {
      term += c;
    }
  }
  flush();
  return indices;
}

}  // namespace nfx::mapper
