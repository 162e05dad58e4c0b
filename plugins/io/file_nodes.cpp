// Reading image files as a stream of items and writing items back as files.
#include <nfx/common/item_paths.hpp>
#include "exif_segment.hpp"
#include "image_files.hpp"
#include "io_nodes.hpp"

#include <opencv2/imgcodecs.hpp>

#include <map>
#include <mutex>

namespace nfx::io {

namespace fs = std::filesystem;

namespace {

constexpr const char* kColorChoices = "color|gray|unchanged";
constexpr const char* kColorDoc = "color: RGB; gray: one channel; unchanged: as stored (keeps alpha)";

nfx_param_desc max_pixels_param() {
  return nfx::int_param("max_pixels", kDefaultMaxPixels, "refuse images whose header declares more pixels, before "
                        "decoding (a decompression bomb); 0: no limit", 0, 1e15);
}

// One item per image file, in path order; the item name is the path relative to the folder.
class ReadImages : public nfx::Node {
 public:
  explicit ReadImages(nfx::Params& p) : color_(p.get_string("color")), max_pixels_(p.get_int("max_pixels")) {
    const std::string path = p.get_string("path");
    files_ = find_images(path, p.get_bool("recursive"));
    std::error_code ec;
    base_ = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
  }
  void process(nfx::Context& ctx) override {
    const size_t i = static_cast<size_t>(ctx.item_index());
    if (i >= files_.size()) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(static_cast<int64_t>(files_.size()));
    ctx.set_item_name(base_.empty() ? files_[i].filename().string() : files_[i].lexically_relative(base_).string());
    std::vector<unsigned char> exif;
    ctx.output(0, read_image_file(files_[i], color_, max_pixels_, &exif));
    ctx.output(1, bytes_tensor(exif));
  }

 private:
  std::string color_;
  int64_t max_pixels_;
  std::vector<fs::path> files_;
  fs::path base_;
};

class ReadImage : public nfx::Node {
 public:
  explicit ReadImage(nfx::Params& p)
      : path_(p.get_string("path")), color_(p.get_string("color")), max_pixels_(p.get_int("max_pixels")) {
    std::error_code ec;
    if (!fs::is_regular_file(path_, ec)) throw nfx::Error(path_.string() + ": no such file", NFX_ERR_IO);
  }
  void process(nfx::Context& ctx) override {
    if (ctx.item_index() > 0) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(1);
    ctx.set_item_name(path_.filename().string());
    std::vector<unsigned char> exif;
    ctx.output(0, read_image_file(path_, color_, max_pixels_, &exif));
    ctx.output(1, bytes_tensor(exif));
  }

 private:
  fs::path path_;
  std::string color_;
  int64_t max_pixels_;
};

// Writes each image to dir/<item name> with the chosen extension, atomically.
class WriteImages : public nfx::Node {
 public:
  explicit WriteImages(nfx::Params& p)
      : dir_(p.get_string("dir")), ext_(p.get_string("ext")), overwrite_(p.get_bool("overwrite")),
        keep_metadata_(p.get_bool("keep_metadata")), quality_(static_cast<int>(p.get_int("quality"))) {
    if (!ext_.empty() && ext_[0] != '.') ext_ = "." + ext_;
    if (!ext_.empty() && !has_image_extension("x" + ext_)) throw nfx::Error("ext: unknown image format '" + ext_ + "'");
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (!fs::is_directory(dir_)) throw nfx::Error(dir_.string() + ": cannot create the output folder", NFX_ERR_IO);
    nfx::plugins::remove_stale_temporaries(dir_);
  }
  void process(nfx::Context& ctx) override {
    fs::path name = ctx.item_name();
    if (!nfx::plugins::stays_inside(name)) {
      throw nfx::Error("item name '" + name.string() + "' is empty, absolute or climbs out with '..': it would not be "
                       "written inside " + dir_.string(), NFX_ERR_INVALID_ARGUMENT);
    }
    const std::string ext = !ext_.empty() ? ext_ : has_image_extension(name) ? name.extension().string() : ".png";
    const fs::path target = dir_ / name.replace_extension(ext);
    claim(target, ctx.item_name());
    std::error_code ec;
    if (!overwrite_ && fs::exists(target, ec)) {
      ctx.log(NFX_LOG_DEBUG, target.string() + " exists; skipped (set overwrite = true to replace it)");
      return;
    }
    std::vector<unsigned char> bytes;
    const std::vector<int> options{cv::IMWRITE_JPEG_QUALITY, quality_, cv::IMWRITE_WEBP_QUALITY, quality_};
    if (!cv::imencode(ext, to_bgr_mat(ctx.input(0)), bytes, options)) {
      throw nfx::Error(target.string() + ": cannot encode as " + ext, NFX_ERR_IO);
    }
    // Encoding afresh drops all metadata; it comes back only when asked for, and only into JPEG files.
    if (keep_metadata_ && ctx.has_input(1)) {
      const DLTensor& t = ctx.input(1);
      std::vector<unsigned char> exif(nfx::data_ptr<unsigned char>(t), nfx::data_ptr<unsigned char>(t) + nfx::element_count(t));
      if (!exif.empty() && (ext == ".jpg" || ext == ".jpeg" || ext == ".JPG" || ext == ".JPEG")) {
        sanitize_exif(exif);
        bytes = with_exif(bytes, exif);
      } else if (!exif.empty()) {
        ctx.log(NFX_LOG_WARNING, target.string() + ": metadata is kept in JPEG files only; written without it");
      }
    }
    write_file_atomically(target, bytes.data(), bytes.size());
  }

 private:
  // Two items of one run must not write the same file (a.jpg and a.png with ext = "png"): the second
  // would silently replace or skip the first.
  void claim(const fs::path& target, const std::string& item) {
    std::lock_guard<std::mutex> lock(claimed_mutex_);
    const auto [it, fresh] = claimed_.emplace(target.lexically_normal().string(), item);
    if (!fresh && it->second != item) {
      throw nfx::Error("items '" + it->second + "' and '" + item + "' would both be written to " + target.string() +
                       (ext_.empty() ? "" : " (ext = \"" + ext_.substr(1) + "\" gives them one name)"),
                       NFX_ERR_INVALID_ARGUMENT);
    }
  }

  fs::path dir_;
  std::string ext_;
  bool overwrite_;
  bool keep_metadata_;
  int quality_;
  std::mutex claimed_mutex_;
  std::map<std::string, std::string> claimed_;  // target file -> the item written there in this run
};

}  // namespace

void register_file_nodes(nfx::PluginBuilder& plugin) {
  plugin.node<ReadImage>("io.read_image", "Reads one image file (one item)")
      .output(nfx::image_port("image", "the decoded image, HWC uint8"))
      .output(nfx::tensor_port("exif", "the file's EXIF metadata (JPEG), raw bytes; empty if none", NFX_DTYPE_U8, 1))
      .param(nfx::required(nfx::string_param("path", "", "image file")))
      .param(nfx::string_param("color", "color", kColorDoc, kColorChoices))
      .param(max_pixels_param());
  plugin.node<ReadImages>("io.read_images",
                          "Reads every image in a folder, or the files matching a glob such as photos/*.jpg, "
                          "in path order (one item each, named by the path inside the folder)")
      .output(nfx::image_port("image", "the decoded image, HWC uint8"))
      .output(nfx::tensor_port("exif", "the file's EXIF metadata (JPEG), raw bytes; empty if none", NFX_DTYPE_U8, 1))
      .param(nfx::required(nfx::string_param("path", "", "folder, file or glob")))
      .param(nfx::bool_param("recursive", false, "also read the folder's subfolders"))
      .param(nfx::string_param("color", "color", kColorDoc, kColorChoices))
      .param(max_pixels_param());
  plugin.node<WriteImages>("io.write_images",
                           "Writes each image to dir/<item name>, atomically (temporary file + rename); "
                           "skips items whose file exists unless overwrite is set")
      .input(nfx::image_port("image", "image to write"))
      .input(nfx::port("exif", NFX_KIND_TENSOR, "EXIF metadata to keep (io.read_images' exif); used only with "
                       "keep_metadata", NFX_DTYPE_U8, 1, NFX_PORT_OPTIONAL))
      .param(nfx::required(nfx::string_param("dir", "", "output folder (created if missing)")))
      .param(nfx::string_param("ext", "", "format by extension (png, jpg, webp, ...); empty: keep the input's"))
      .param(nfx::bool_param("overwrite", false, "replace files that already exist"))
      .param(nfx::int_param("quality", 95, "JPEG / WebP quality", 1, 100))
      .param(nfx::bool_param("keep_metadata", false, "copy the exif input into JPEG outputs (orientation reset to "
                             "upright, thumbnail removed); otherwise files carry no metadata"))
      .reentrant();
}

}  // namespace nfx::io
