// Registration of the io plugin's node types, one function per group of nodes.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::io {

void register_file_nodes(nfx::PluginBuilder& plugin);   // io.read_image, io.read_images, io.write_images
void register_image_nodes(nfx::PluginBuilder& plugin);  // io.to_tensor, io.to_image, io.resize, io.crop
void register_video_nodes(nfx::PluginBuilder& plugin);  // io.read_video, io.write_video
void register_tile_nodes(nfx::PluginBuilder& plugin);   // io.tile, io.untile
void register_raster_nodes(nfx::PluginBuilder& plugin);  // io.read_raster, io.write_raster

}  // namespace nfx::io
