#include "model/idx_files.hpp"

#include <nfx/base.hpp>

#include <zlib.h>

#include <filesystem>
#include <memory>

namespace nfx::assess {

namespace {

struct GzClose {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// zlib reads gzip'd and plain files alike.
class IdxReader {
 public:
  explicit IdxReader(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw nfx::Error(path + ": no such file", NFX_ERR_IO);
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) throw nfx::Error(path + ": cannot be opened", NFX_ERR_IO);
  }
  uint32_t big_endian() {
    unsigned char b[4];
    read(b, 4, "its header");
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
  }
  void read(void* out, size_t bytes, const std::string& what) {
    auto* p = static_cast<unsigned char*>(out);
    while (bytes > 0) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes, 1u << 30));
      const int got = gzread(file_.get(), p, chunk);
      if (got <= 0) throw nfx::Error(path_ + ": truncated or corrupt (ends inside " + what + ")", NFX_ERR_IO);
      p += got;
      bytes -= static_cast<size_t>(got);
    }
  }
  void expect_magic(uint32_t magic, const std::string& kind) {
    const uint32_t found = big_endian();
    if (found != magic) {
      throw nfx::Error(path_ + ": not IDX " + kind + " (magic number " + std::to_string(found) + ", expected " + std::to_string(magic) + ")",
                       NFX_ERR_IO);
    }
  }
  uint32_t dimension(const std::string& name) {
    const uint32_t d = big_endian();
    if (d == 0 || d > (1u << 31)) throw nfx::Error(path_ + ": " + name + " of " + std::to_string(d) + " is out of range", NFX_ERR_IO);
    return d;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, GzClose> file_;
};

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  IdxReader in(path);
  in.expect_magic(0x00000803, "unsigned-byte images");
  IdxImages images;
  images.count = in.dimension("the image count");
  images.rows = in.dimension("the rows");
  images.columns = in.dimension("the columns");
  const uint64_t values = static_cast<uint64_t>(images.count) * static_cast<uint64_t>(images.rows) * static_cast<uint64_t>(images.columns);
  if (values > (uint64_t{1} << 31)) throw nfx::Error(path + ": " + std::to_string(values) + " pixels is more than IDX files here may hold", NFX_ERR_IO);
  images.pixels.resize(static_cast<size_t>(values));
  in.read(images.pixels.data(), images.pixels.size(), "the pixels");
  return images;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
  IdxReader in(path);
  in.expect_magic(0x00000801, "unsigned-byte labels");
  std::vector<uint8_t> labels(in.dimension("the label count"));
  in.read(labels.data(), labels.size(), "the labels");
  return labels;
}

}  // namespace nfx::assess
