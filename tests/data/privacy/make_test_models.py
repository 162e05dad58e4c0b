"""Writes the tiny models of tests/plugins/privacy:
- two ONNX "detectors" that ignore the image and always report the same three candidates, in YOLOv8 and
  YOLOv5 layout, so that a test can check privacy.detect's letterbox and output decoding against boxes
  worked out by hand;
- a TorchScript "inpainting network" that fills the mask with mid-gray, so that a test can check
  privacy.scrub's model mode (tensor layout, value range, mask meaning).

Run with Debian's python3-torch: python3 tests/data/privacy/make_test_models.py
"""
import os
import torch

# cx, cy, w, h, then class scores (face, plate), in network-input pixels (640 x 640).
CANDIDATES = [
    [320.0, 320.0, 100.0, 50.0, 0.1, 0.9],  # a plate
    [160.0, 200.0, 64.0, 64.0, 0.8, 0.05],  # a face
    [500.0, 500.0, 20.0, 20.0, 0.1, 0.1],   # below any sensible score threshold
]


class Fixed(torch.nn.Module):
    """Pool -> linear layer with zero weights and the candidates as its bias -> reshape: layers OpenCV's
    DNN module runs (it cannot broadcast a scalar onto a constant)."""

    def __init__(self, output):
        super().__init__()
        self.shape = tuple(output.shape)
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.linear = torch.nn.Linear(3, output.numel())
        with torch.no_grad():
            self.linear.weight.zero_()
            self.linear.bias.copy_(output.reshape(-1))

    def forward(self, images):
        return self.linear(torch.flatten(self.pool(images), 1)).reshape(self.shape)


class GrayFill(torch.nn.Module):
    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return image * (1.0 - mask) + 0.5 * mask


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    table = torch.tensor(CANDIDATES)
    v8 = table.t().unsqueeze(0)  # 1 x (4 + 2) x 3
    objectness = torch.ones(len(CANDIDATES), 1)
    v5 = torch.cat([table[:, :4], objectness, table[:, 4:]], dim=1).unsqueeze(0)  # 1 x 3 x (5 + 2)
    for name, output in [("yolov8-fixed.onnx", v8), ("yolov5-fixed.onnx", v5)]:
        torch.onnx.export(Fixed(output), torch.zeros(1, 3, 640, 640), os.path.join(here, name), opset_version=12,
                          input_names=["images"], output_names=["output0"])
    torch.jit.script(GrayFill()).save(os.path.join(here, "gray-fill.pt"))


if __name__ == "__main__":
    main()
