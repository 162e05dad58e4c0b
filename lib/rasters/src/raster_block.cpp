#include <nfx/rasters/raster_block.hpp>

#include <nfx/base.hpp>

#include <nlohmann/json.hpp>

namespace nfx::rasters {

std::string to_json(const RasterBlock& b) {
  nlohmann::json nodata = nlohmann::json::array();
  for (const auto& value : b.nodata) nodata.push_back(value ? nlohmann::json(*value) : nlohmann::json());
  nlohmann::json j = {{"source", b.source}, {"width", b.width}, {"height", b.height}, {"x", b.x}, {"y", b.y},
                      {"geotransform", b.geotransform}, {"crs", b.crs}, {"nodata", nodata}, {"band_names", b.band_names}};
  if (b.halo_top != 0 || b.halo_bottom != 0) {
    j["halo_top"] = b.halo_top;
    j["halo_bottom"] = b.halo_bottom;
  }
  if (!b.classes.empty()) {
    nlohmann::json& classes = j["classes"] = nlohmann::json::array();
    for (const RasterClass& c : b.classes) {
      classes.push_back({{"value", c.value}, {"name", c.name}, {"rgb", {c.red, c.green, c.blue}}});
    }
  }
  return j.dump();
}

RasterBlock block_from_json(const std::string& text, const std::string& where) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    RasterBlock b;
    b.source = j.at("source").get<std::string>();
    b.width = j.at("width").get<int64_t>();
    b.height = j.at("height").get<int64_t>();
    b.x = j.at("x").get<int64_t>();
    b.y = j.at("y").get<int64_t>();
    b.geotransform = j.at("geotransform").get<std::vector<double>>();
    b.crs = j.at("crs").get<std::string>();
    for (const auto& value : j.at("nodata")) b.nodata.push_back(value.is_null() ? std::nullopt : std::optional<double>(value.get<double>()));
    b.band_names = j.at("band_names").get<std::vector<std::string>>();
    b.halo_top = j.value("halo_top", int64_t{0});
    b.halo_bottom = j.value("halo_bottom", int64_t{0});
    if (j.contains("classes")) {
      for (const auto& c : j.at("classes")) {
        const auto rgb = c.at("rgb").get<std::vector<uint8_t>>();
        if (rgb.size() != 3) throw nfx::Error("a class colour of " + std::to_string(rgb.size()) + " values");
        b.classes.push_back({c.at("value").get<int64_t>(), c.at("name").get<std::string>(), rgb[0], rgb[1], rgb[2]});
      }
    }
    if (b.width < 1 || b.height < 1 || b.x < 0 || b.y < 0 || b.halo_top < 0 || b.halo_bottom < 0 || b.halo_top > b.y ||
        (!b.geotransform.empty() && b.geotransform.size() != 6)) {
      throw nfx::Error("a block outside its raster");
    }
    return b;
  } catch (const std::exception& e) {
    throw nfx::Error(where + ": not the georeferencing of io.read_raster (" + e.what() + ")");
  }
}

}  // namespace nfx::rasters
