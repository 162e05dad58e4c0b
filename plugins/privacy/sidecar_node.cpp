// privacy.sidecar: every box of every item as JSON, for audits: one file per item, or one file for the
// whole run (a video), written atomically.
#include <nfx/common/atomic_file.hpp>
#include <nfx/common/item_paths.hpp>
#include "boxes_json.hpp"
#include "privacy_nodes.hpp"

namespace nfx::privacy {

namespace {

namespace fs = std::filesystem;

nlohmann::json item_json(const nfx::Context& ctx, const Detections& detections) {
  return {{"item", ctx.item_name()}, {"index", ctx.item_index()}, {"boxes", boxes_to_json(detections)}};
}

void write_json(const fs::path& path, const nlohmann::json& json) {
  // File names need not be UTF-8 (a Latin-1 name from an old camera card); JSON must be: such bytes are
  // written as U+FFFD instead of failing the run.
  const std::string text = json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  nfx::plugins::write_file_atomically(path, text.data(), text.size());
}

class Sidecar : public nfx::Node {
 public:
  explicit Sidecar(nfx::Params& p) : path_(p.get_string("path")), per_item_(p.get_bool("per_item")) {}

  void process(nfx::Context& ctx) override {
    nlohmann::json json = item_json(ctx, read_boxes(ctx.input(0)));
    if (per_item_) {
      // Item names are paths inside the source ("a/b.jpg" -> path/a/b.jpg.json); names of video frames
      // ("video/frame_000001") work the same way.
      if (!nfx::plugins::stays_inside(ctx.item_name())) {
        throw nfx::Error("item name '" + ctx.item_name() + "' is empty, absolute or climbs out with '..': its "
                         "sidecar would not be written inside " + path_.string());
      }
      write_json(path_ / (ctx.item_name() + ".json"), json);
    } else {
      items_.push_back(std::move(json));
    }
  }

  void finish(nfx::Context&) override {
    if (!per_item_) write_json(path_, {{"items", items_}});
  }

 private:
  fs::path path_;
  bool per_item_;
  nlohmann::json items_ = nlohmann::json::array();
};

}  // namespace

void register_sidecar_node(nfx::PluginBuilder& plugin) {
  plugin.node<Sidecar>("privacy.sidecar", "Writes every box (item, class, score, box) as JSON for audits: one file "
                                          "for the run, or one per item")
      .input(nfx::port("boxes", NFX_KIND_BOXES, "boxes to record", NFX_DTYPE_F32, 2))
      .param(nfx::required(nfx::string_param("path", "", "the JSON file; with per_item, the folder for <item>.json")))
      .param(nfx::bool_param("per_item", false, "one file per item instead of one for the run"))
      .ordered();
}

}  // namespace nfx::privacy
