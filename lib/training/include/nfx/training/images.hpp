// Images as training data: tensors from the host's images, from an io source's items or from a folder,
// a grid image for the host, and a held-out split that follows file names.
#pragma once

#include <nfx/nfx.hpp>

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace nfx::training {

// An HWC uint8 image from the host as a C x H x W uint8 tensor (a copy); `what` names it in the error for
// anything else.
torch::Tensor image_tensor(const DLTensor& image, const std::string& what);

// A C x H x W uint8 tensor as an HWC image for the host (a copy): the reverse of image_tensor.
nfx::Tensor host_image(const torch::Tensor& chw);

// Images collected from an io source, by item index (so their order, and every split of it, does not depend
// on timing), stacked as N x C x H x W uint8. Throws nfx::Error naming two items of different sizes.
torch::Tensor stack_collected(const std::map<int64_t, torch::Tensor>& collected);

// Images in [0, 1) (N x C x H x W) as one uint8 grid image (HWC), `columns` images per row.
nfx::Tensor image_grid(const torch::Tensor& images, int64_t columns);

struct NamedImage {
  std::string name;      // the file name, without the folder
  torch::Tensor pixels;  // C x H x W uint8: 1 channel (gray) or 3 (RGB)
};

// Every image in `folder` (PNG, JPEG, BMP, TIFF, WebP; sorted by name; not recursive) with `channels`
// channels (1: gray, 3: RGB). Throws nfx::Error naming the folder if it has no image, or a file that does
// not decode.
std::vector<NamedImage> load_image_folder(const std::string& folder, int channels = 3);

// Whether the file `name` is held out: a fixed hash of the name, so a file stays on its side of the
// split when files are added or removed. `percent` of the names (0 to 100) are held out, on average.
bool held_out_by_name(const std::string& name, double percent);

}  // namespace nfx::training
