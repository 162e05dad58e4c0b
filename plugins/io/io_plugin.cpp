// Plugin "io": images and video in and out, and conversions between images and tensors.
#include "io_nodes.hpp"

NFX_PLUGIN("io", "0.1.0", "Read and write images and video; convert, resize, crop and tile images") {
  nfx::io::register_file_nodes(plugin);
  nfx::io::register_image_nodes(plugin);
  nfx::io::register_video_nodes(plugin);
  nfx::io::register_tile_nodes(plugin);
  nfx::io::register_raster_nodes(plugin);
}
