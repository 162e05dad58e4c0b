// Video frames in and out through OpenCV's videoio (FFmpeg back end on Debian).
#include "audio_track.hpp"
#include "image_files.hpp"
#include "io_nodes.hpp"

#include <opencv2/videoio.hpp>

#include <cstdio>

namespace nfx::io {

namespace fs = std::filesystem;

namespace {

// One item per frame: frames start, start + step, ... (count of them, or to the end).
class ReadVideo : public nfx::Node {
 public:
  explicit ReadVideo(nfx::Params& p)
      : path_(p.get_string("path")), start_(p.get_int("start")), count_(p.get_int("count")), step_(p.get_int("step")) {
    if (!fs::is_regular_file(path_)) throw nfx::Error(path_.string() + ": no such file", NFX_ERR_IO);
    if (!capture_.open(path_.string()) || !capture_.isOpened()) {
      throw nfx::Error(path_.string() + ": cannot open the video (unknown format or corrupt)", NFX_ERR_IO);
    }
    // The container declares the frame size before any frame is decoded.
    const int64_t max_pixels = p.get_int("max_pixels");
    const auto width = static_cast<int64_t>(capture_.get(cv::CAP_PROP_FRAME_WIDTH));
    const auto height = static_cast<int64_t>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT));
    if (max_pixels > 0 && static_cast<double>(width) * static_cast<double>(height) > static_cast<double>(max_pixels)) {
      throw nfx::ParamError("max_pixels", path_.string() + ": declares frames of " + std::to_string(width) + " x " +
                                              std::to_string(height) + " pixels, more than max_pixels = " +
                                              std::to_string(max_pixels) + "; raise max_pixels to read it");
    }
    if (start_ > 0) capture_.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(start_));
    const auto frames = static_cast<int64_t>(capture_.get(cv::CAP_PROP_FRAME_COUNT));
    total_ = frames > 0 ? std::max<int64_t>(0, (frames - start_ + step_ - 1) / step_) : -1;
    if (count_ >= 0 && (total_ < 0 || count_ < total_)) total_ = count_;
    // Taking every step-th frame keeps the running time at the source's rate divided by step.
    fps_ = capture_.get(cv::CAP_PROP_FPS) / static_cast<double>(step_);
  }
  void process(nfx::Context& ctx) override {
    if (count_ >= 0 && ctx.item_index() >= count_) {
      ctx.end_of_stream();
      return;
    }
    const int64_t frame_number = start_ + ctx.item_index() * step_;
    char name[64];
    std::snprintf(name, sizeof name, "frame_%06lld", static_cast<long long>(frame_number));
    ctx.set_item_count(total_);
    ctx.set_item_name(path_.stem().string() + "/" + name);
    const std::string corrupt = path_.string() + ": frame " + std::to_string(frame_number) +
                                " cannot be decoded (corrupt data); the frames after it are read on";
    if (corrupt_ahead_ > 0) {
      --corrupt_ahead_;
      throw nfx::Error(corrupt, NFX_ERR_IO);
    }
    cv::Mat frame;
    if (!next_.empty()) {
      frame = next_;
      next_.release();
    } else {
      for (int64_t skip = 1; skip < step_ && ctx.item_index() > 0; ++skip) capture_.grab();
      if (!capture_.read(frame) || frame.empty()) {
        // Either the end, or a corrupt frame: look ahead. A frame that decodes within the next few means
        // this one (and any before it that failed) is corrupt; it waits for the item after them.
        int failed = 0;
        while (failed < 10 && !(capture_.read(next_) && !next_.empty())) ++failed;
        if (next_.empty()) {
          ctx.end_of_stream();
          return;
        }
        corrupt_ahead_ = failed;
        throw nfx::Error(corrupt, NFX_ERR_IO);
      }
    }
    ctx.output(0, from_bgr_mat(frame));
    ctx.output_scalar(1, fps_);
  }

 private:
  fs::path path_;
  int64_t start_, count_, step_;
  int64_t total_ = -1;
  cv::Mat next_;             // a frame read ahead past a corrupt one, for the next item
  int64_t corrupt_ahead_ = 0;  // corrupt frames between this item and next_
  double fps_ = 0.0;
  cv::VideoCapture capture_;
};

// Appends frames in item order to a temporary file, published under `path` when the run ends well.
class WriteVideo : public nfx::Node {
 public:
  explicit WriteVideo(nfx::Params& p)
      : file_(p.get_string("path"), p.get_bool("overwrite")), audio_from_(p.get_string("audio_from")), fps_(p.get_float("fps")),
        codec_(p.get_string("codec")) {
    if (!audio_from_.empty() && !fs::is_regular_file(audio_from_)) {
      throw nfx::ParamError("audio_from", audio_from_.string() + ": no such file");
    }
    if (codec_.size() != 4) throw nfx::Error("codec: expected a FourCC of 4 characters such as mp4v or MJPG");
  }
  ~WriteVideo() override { writer_.release(); }  // before file_ removes an unpublished temporary
  void process(nfx::Context& ctx) override {
    cv::Mat frame = to_bgr_mat(ctx.input(0));
    if (!writer_.isOpened()) {
      // A connected `fps` input (the source's rate, from io.read_video) wins over the parameter.
      double source_fps = 0.0;
      if (nfx::host_api()->input_scalar(ctx.raw(), 1, &source_fps) == NFX_OK && source_fps > 0.0) fps_ = source_fps;
      file_.create_folder();
      const int fourcc = cv::VideoWriter::fourcc(codec_[0], codec_[1], codec_[2], codec_[3]);
      if (!writer_.open(file_.temporary().string(), fourcc, fps_, frame.size(), frame.channels() != 1)) {
        throw nfx::Error(file_.path().string() + ": cannot open a video writer with codec " + codec_, NFX_ERR_IO);
      }
      size_ = frame.size();
    }
    if (frame.size() != size_) {
      throw nfx::Error("frame is " + std::to_string(frame.cols) + "x" + std::to_string(frame.rows) +
                       " but the video is " + std::to_string(size_.width) + "x" + std::to_string(size_.height));
    }
    writer_.write(frame);
  }
  void finish(nfx::Context& ctx) override {
    if (!writer_.isOpened()) throw nfx::Error(file_.path().string() + ": no frames to write", NFX_ERR_IO);
    writer_.release();
    add_audio(ctx);
    file_.publish();
  }

 private:
  // OpenCV's writer keeps the frames only: the audio of `audio_from` goes back in with ffmpeg where it is
  // installed. Container metadata (creation time, location, camera) is not copied: it can identify.
  void add_audio(nfx::Context& ctx) {
    if (audio_from_.empty()) {
      ctx.log(NFX_LOG_INFO, file_.path().string() + ": frames only (OpenCV's writer keeps no audio track and no "
                                                   "container metadata; audio_from adds a source's audio)");
      return;
    }
    const fs::path ffmpeg = find_ffmpeg();
    if (ffmpeg.empty()) {
      ctx.log(NFX_LOG_WARNING, file_.path().string() + ": the audio of " + audio_from_.string() +
                                   " is not kept: ffmpeg is not installed (apt-get install ffmpeg)");
      return;
    }
    const fs::path muxed = temporary_sibling(file_.path());
    const std::string error = mux_audio(ffmpeg, file_.temporary(), audio_from_, muxed);
    std::error_code ec;
    if (error.empty()) fs::rename(muxed, file_.temporary(), ec);
    if (!error.empty() || ec) {
      fs::remove(muxed, ec);
      ctx.log(NFX_LOG_WARNING, file_.path().string() + ": frames only, the audio of " + audio_from_.string() +
                                   " could not be added: " + (error.empty() ? ec.message() : error));
    }
  }

  nfx::plugins::PendingFile file_;
  fs::path audio_from_;
  double fps_;
  std::string codec_;
  cv::VideoWriter writer_;
  cv::Size size_;
};

}  // namespace

void register_video_nodes(nfx::PluginBuilder& plugin) {
  plugin.node<ReadVideo>("io.read_video", "Reads the frames of a video file (one item each, named <video>/frame_NNNNNN)")
      .output(nfx::image_port("image", "the frame, HWC uint8 RGB"))
      .output(nfx::port("fps", NFX_KIND_SCALAR, "frames per second of the frames read (the video's rate / step)"))
      .param(nfx::required(nfx::string_param("path", "", "video file")))
      .param(nfx::int_param("start", 0, "first frame", 0, 1e12))
      .param(nfx::int_param("count", -1, "number of frames; -1: to the end", -1, 1e12))
      .param(nfx::int_param("step", 1, "take every step-th frame", 1, 1e6))
      .param(nfx::int_param("max_pixels", kDefaultMaxPixels, "refuse videos whose frames are declared larger, before "
                            "decoding; 0: no limit", 0, 1e15));
  plugin.node<WriteVideo>("io.write_video", "Writes frames, in order, to a video file; the file appears only when the "
                                            "run ends without error")
      .input(nfx::image_port("image", "frame"))
      .input(nfx::port("fps", NFX_KIND_SCALAR, "frame rate to keep (connect io.read_video's fps); overrides the "
                       "fps parameter", 0, -1, NFX_PORT_OPTIONAL))
      .param(nfx::required(nfx::string_param("path", "", "output video file (.mp4, .avi, ...)")))
      .param(nfx::float_param("fps", 25.0, "frames per second when the fps input is not connected", 0.1, 1000))
      .param(nfx::string_param("codec", "mp4v", "FourCC: mp4v, MJPG, XVID, ..."))
      .param(nfx::bool_param("overwrite", false, "replace an existing file"))
      .param(nfx::string_param("audio_from", "", "a video whose audio to keep (usually the source): OpenCV writes "
                               "frames only, so its audio is added with ffmpeg where it is installed (a warning "
                               "otherwise); container metadata is never copied"))
      .ordered();
}

}  // namespace nfx::io
