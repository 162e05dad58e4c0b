"""The reference flow of bench/flow_reference.cpp written in Python over the same LibTorch (Debian's
python3-torch): same architecture, initialization, data, batch and optimizer; prints the same JSON.

usage: /usr/bin/python3 bench/flow_reference.py DIGITS_PNG [THREADS] [TIMED_STEPS]
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ActNorm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.log_scale = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.register_buffer("initialized", torch.zeros(1))

    def forward(self, x, logdet):
        if self.initialized.item() == 0:
            with torch.no_grad():
                mean = x.mean((0, 2, 3), keepdim=True)
                std = (x - mean).pow(2).mean((0, 2, 3), keepdim=True).sqrt()
                self.bias.copy_(-mean)
                self.log_scale.copy_(-torch.log(std + 1e-6))
                self.initialized.fill_(1)
        return (x + self.bias) * torch.exp(self.log_scale), logdet + x.shape[2] * x.shape[3] * self.log_scale.sum()

    def inverse(self, y):
        return y * torch.exp(-self.log_scale) - self.bias


class InvConv1x1(nn.Module):
    def __init__(self, c):
        super().__init__()
        q = torch.linalg.qr(torch.randn(c, c, dtype=torch.double))[0]
        p, l, u = torch.linalg.lu(q)
        s = torch.diagonal(u)
        self.register_buffer("permutation", p.float())
        self.lower = nn.Parameter(l.float())
        self.upper = nn.Parameter(torch.triu(u, 1).float())
        self.log_s = nn.Parameter(torch.log(torch.abs(s)).float())
        self.register_buffer("sign_s", torch.sign(s).float())
        self.register_buffer("lower_mask", torch.tril(torch.ones(c, c), -1))
        self.register_buffer("eye", torch.eye(c))

    def weight(self):
        l = self.lower * self.lower_mask + self.eye
        u = self.upper * self.lower_mask.t() + torch.diag(self.sign_s * torch.exp(self.log_s))
        return self.permutation @ l @ u

    def forward(self, x, logdet):
        c = x.shape[1]
        return F.conv2d(x, self.weight().view(c, c, 1, 1)), logdet + x.shape[2] * x.shape[3] * self.log_s.sum()

    def inverse(self, y):
        c = y.shape[1]
        return F.conv2d(y, torch.inverse(self.weight()).view(c, c, 1, 1))


class AffineCoupling(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        self.split = c // 2
        self.first = nn.Conv2d(self.split, hidden, 3, padding=1)
        self.middle = nn.Conv2d(hidden, hidden, 1)
        self.last = nn.Conv2d(hidden, 2 * (c - self.split), 3, padding=1)
        nn.init.zeros_(self.last.weight)
        nn.init.zeros_(self.last.bias)

    def net(self, x):
        return self.last(F.relu(self.middle(F.relu(self.first(x)))))

    def forward(self, x, logdet):
        xa, xb = x[:, : self.split], x[:, self.split :]
        shift, raw = self.net(xa).chunk(2, 1)
        log_scale = F.logsigmoid(raw + 2.0)
        return torch.cat([xa, (xb + shift) * torch.exp(log_scale)], 1), logdet + log_scale.sum((1, 2, 3))

    def inverse(self, y):
        ya, yb = y[:, : self.split], y[:, self.split :]
        shift, raw = self.net(ya).chunk(2, 1)
        return torch.cat([ya, yb * torch.exp(-F.logsigmoid(raw + 2.0)) - shift], 1)


def squeeze(x):
    n, c, h, w = x.shape
    return x.view(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, 4 * c, h // 2, w // 2)


def unsqueeze(y):
    n, c, h, w = y.shape
    return y.view(n, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, c // 4, 2 * h, 2 * w)


class Flow(nn.Module):
    def __init__(self, channels=1, levels=2, steps=8, hidden=64):
        super().__init__()
        self.levels = nn.ModuleList()
        c = channels
        for _ in range(levels):
            c *= 4
            layers = nn.ModuleList()
            for _ in range(steps):
                layers.extend([ActNorm(c), InvConv1x1(c), AffineCoupling(c, hidden)])
            self.levels.append(layers)
            c -= c // 2

    def log_prob(self, x):
        logdet = torch.zeros(x.shape[0])
        log_p = 0.0
        h = x
        for i, layers in enumerate(self.levels):
            h = squeeze(h)
            for layer in layers:
                h, logdet = layer(h, logdet)
            if i + 1 < len(self.levels):
                out = h.shape[1] // 2
                z, h = h[:, :out], h[:, out:]
                log_p = log_p - (0.5 * z.pow(2) + 0.5 * math.log(2 * math.pi)).sum((1, 2, 3))
        return log_p - (0.5 * h.pow(2) + 0.5 * math.log(2 * math.pi)).sum((1, 2, 3)) + logdet

    @torch.no_grad()
    def sample(self, n, temperature, height=20, width=20):
        shapes, c, h, w = [], 1, height, width
        for i in range(len(self.levels)):
            c, h, w = c * 4, h // 2, w // 2
            shapes.append((n, c // 2 if i + 1 < len(self.levels) else c, h, w))
            c -= c // 2
        z = [torch.randn(s) * temperature for s in shapes]
        h = z[-1]
        for i in reversed(range(len(self.levels))):
            if i + 1 < len(self.levels):
                h = torch.cat([z[i], h], 1)
            for layer in reversed(self.levels[i]):
                h = layer.inverse(h)
            h = unsqueeze(h)
        return h


def load_digits(path):
    """digits.png read with torchvision-free code: PNG decoding through PIL would add a dependency, so the
    pixels come from the C++ side's format instead: a 2000 x 1000 8-bit grayscale PNG decoded by zlib."""
    import struct
    import zlib

    data = open(path, "rb").read()
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(width)
    for y in range(height):
        f, line = raw[y * (width + 1)], bytearray(raw[y * (width + 1) + 1 : (y + 1) * (width + 1)])
        for i in range(width):  # PNG filters (grayscale, 1 byte per pixel)
            a = line[i - 1] if i else 0
            b, c = prev[i], prev[i - 1] if i else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    sheet = torch.frombuffer(bytearray(b"".join(rows)), dtype=torch.uint8).view(height, width)
    digits = sheet.view(50, 20, 100, 20).permute(0, 2, 1, 3).reshape(5000, 1, 20, 20)
    keep = torch.arange(5000) % 10 != 9
    return digits[keep]


def main():
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    timed = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    train = load_digits(path)
    model = Flow()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.randperm(train.shape[0])
    dims = 400

    def step(s):
        images = train[order[(s * 64) % (4500 - 64) :][:64]].float()
        x = (images + torch.rand_like(images)) / 256.0
        optimizer.zero_grad()
        loss = ((-model.log_prob(x) + dims * math.log(256.0)) / (dims * math.log(2.0))).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 50.0)
        optimizer.step()

    for s in range(5):
        step(s)
    start = time.perf_counter()
    for s in range(timed):
        step(5 + s)
    step_ms = (time.perf_counter() - start) * 1e3 / timed
    model.sample(64, 0.7)
    start = time.perf_counter()
    for _ in range(10):
        model.sample(64, 0.7)
    sample_ms = (time.perf_counter() - start) * 1e3 / 10
    print(json.dumps({"implementation": "python", "parameters": sum(p.numel() for p in model.parameters()),
                      "threads": torch.get_num_threads(), "train_step_ms": round(step_ms, 2),
                      "sample64_ms": round(sample_ms, 2),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}))


if __name__ == "__main__":
    main()
