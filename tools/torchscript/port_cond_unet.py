"""Ports the project's shipped cond-unet (models/mnist-cond.weights) to PyTorch and TorchScript.

Run from the repository root:
  /usr/bin/python3 tools/torchscript/port_cond_unet.py [--out /tmp/cond-unet-port.pt]

Same layers, same weights, same arithmetic order as diffusion/src/main/java/dev/denoise/diffusion/
UNet.java (cond-unet = UNet(channels 32,64,128, 1 in, 1 out), see CondUNet.java):
  conditioning = SiLU(time2(SiLU(time1([sin(t f), cos(t f)]))) + class(one_hot(label, 11)))
    with f_i = float32(exp(-ln(10000) i / 64)), i < 64, and t the timestep as a float
  stem 3x3 conv; down0 (28px), avgpool, down1 (14px), avgpool, down2 (7px); middle;
  up2 (7px), nearest 2x, up1 (14px), nearest 2x, up0 (28px), each on [x, skip] concatenated;
  outNorm, SiLU, out 3x3 conv -> v
  ResidualBlock: conv1(SiLU(norm1 x)) + projection(emb); conv2(SiLU(norm2 h)) + (shortcut x | x)
  GroupNorm: 8 groups, eps 1e-5 added to the variance (Java: E[x^2] - E[x]^2 from per-channel
  moments; here torch's group_norm, which computes the same quantity by another summation).

The TorchScript has diffusers' signature forward(sample (N,1,28,28) float32, timestep (N,) int64,
class_labels (N,) int64 with 10 = no class) -> v, traced and frozen. The weights file is DJL's
Block.saveParameters stream (WeightsCodec.encode): parameters in block order, each a DJL NDArray
encoding ("NDAR", version, name, DENSE, FLOAT32, shape, byte order, length, data).

Checks: the parameter count against mnist-cond.properties, the held-out v-MSE on the last 1,000
MNIST test digits against the same metric in mnist-cond.properties (t = 100 ... 900; Java's noise
differs, so expect agreement to a few per cent, not bits), a DDIM sample sheet to /tmp, and prints
outputs for a fixed input that the Java side can reproduce (see reference_input()).
"""
import argparse
import gzip
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusers_math as dm  # noqa: E402

CHANNELS = (32, 64, 128)
EMBEDDING = 128
GROUPS = 8
CLASSES = 11
NO_CLASS = 10


# ---------------------------------------------------------------------------------------------
# DJL parameter stream

def read_djl_parameters(path):
    """[(name, float32 array)] in stream order."""
    data = open(path, "rb").read()
    out, pos = [], 0
    magic = b"\x00\x04NDAR"
    while True:
        at = data.find(magic, pos)
        if at < 0:
            break
        # What precedes: 'P' (Java char), parameter version byte, writeUTF(name)
        name_start = data.rfind(b"\x00P", max(0, at - 64), at)
        assert name_start >= 0, f"no parameter header before NDAR at {at}"
        p = name_start + 3  # char 'P' (2 bytes) + version (1 byte)
        (n,) = struct.unpack(">H", data[p:p + 2])
        name = data[p + 2:p + 2 + n].decode()
        assert p + 2 + n == at, (name, p, at)
        p = at + len(magic)
        (version,) = struct.unpack(">i", data[p:p + 4])
        p += 4
        has_name = data[p]
        p += 1
        if has_name:
            (n,) = struct.unpack(">H", data[p:p + 2])
            p += 2 + n
        for expected in (b"DENSE", b"FLOAT32"):
            (n,) = struct.unpack(">H", data[p:p + 2])
            assert data[p + 2:p + 2 + n] == expected, data[p + 2:p + 2 + n]
            p += 2 + n
        (ndim,) = struct.unpack(">i", data[p:p + 4])
        p += 4
        shape = struct.unpack(">" + "q" * ndim, data[p:p + 8 * ndim])
        p += 8 * ndim
        (layouts,) = struct.unpack(">i", data[p:p + 4])
        p += 4 + 2 * layouts
        order = chr(data[p])
        p += 1
        (length,) = struct.unpack(">i", data[p:p + 4])
        p += 4
        dtype = "<f4" if order == "<" else ">f4"
        array = np.frombuffer(data[p:p + length], dtype=dtype).astype(np.float32).reshape(shape)
        assert array.size * 4 == length
        p += length
        out.append((name, array))
        pos = p
        del version
    return out


# ---------------------------------------------------------------------------------------------
# the network

class ResidualBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.projection = nn.Linear(EMBEDDING, cout)
        self.norm2 = nn.GroupNorm(GROUPS, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def djl_parameters(self):
        mods = [self.norm1, self.conv1, self.projection, self.norm2, self.conv2]
        if self.shortcut is not None:
            mods.append(self.shortcut)
        return mods

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.projection(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        skip = x if self.shortcut is None else self.shortcut(x)
        return h + skip


class CondUNetPort(nn.Module):
    def __init__(self, c=CHANNELS):
        super().__init__()
        self.time1 = nn.Linear(EMBEDDING, EMBEDDING)
        self.time2 = nn.Linear(EMBEDDING, EMBEDDING)
        self.class_weight = nn.Parameter(torch.zeros(EMBEDDING, CLASSES))  # Linear(11 -> 128), no bias
        self.stem = nn.Conv2d(1, c[0], 3, padding=1)
        self.down = nn.ModuleList([ResidualBlock(c[0], c[0]), ResidualBlock(c[0], c[1]), ResidualBlock(c[1], c[2])])
        self.middle = ResidualBlock(c[2], c[2])
        self.up = nn.ModuleList([ResidualBlock(2 * c[2], c[1]), ResidualBlock(2 * c[1], c[0]),
                                 ResidualBlock(2 * c[0], c[0])])
        self.out_norm = nn.GroupNorm(GROUPS, c[0])
        self.out = nn.Conv2d(c[0], 1, 3, padding=1)
        half = EMBEDDING // 2
        # Java: (float) Math.exp(-Math.log(10_000) * i / half), in double then rounded to float
        freqs = np.array([math.exp(-math.log(10000) * i / half) for i in range(half)], dtype=np.float32)
        self.register_buffer("frequencies", torch.from_numpy(freqs)[None, :])

    def load_djl(self, params):
        """Assigns the DJL stream's parameters in UNet.java's child order; checks every shape."""
        slots = []

        def linear(m, bias=True):
            slots.append(("weight", m.weight))
            if bias:
                slots.append(("bias", m.bias))

        def conv(m):
            slots.append(("weight", m.weight))
            slots.append(("bias", m.bias))

        def norm(m):
            slots.append(("gamma", m.weight))
            slots.append(("beta", m.bias))

        linear(self.time1)
        linear(self.time2)
        slots.append(("weight", self.class_weight))
        conv(self.stem)
        for block in list(self.down) + [self.middle] + list(self.up):
            for m in block.djl_parameters():
                (norm if isinstance(m, nn.GroupNorm) else linear if isinstance(m, nn.Linear) else conv)(m)
        norm(self.out_norm)
        conv(self.out)
        assert len(slots) == len(params), (len(slots), len(params))
        with torch.no_grad():
            for (want, target), (name, array) in zip(slots, params):
                assert want == name, (want, name)
                assert tuple(target.shape) == array.shape, (name, target.shape, array.shape)
                target.copy_(torch.from_numpy(array))

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, class_labels: torch.Tensor) -> torch.Tensor:
        t = timestep.to(torch.float32)[:, None]
        angles = t * self.frequencies
        sinusoid = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
        time = self.time2(F.silu(self.time1(sinusoid)))
        # Linear(one_hot) == a column of the weight; exact, since the other terms are exact zeros
        emb = F.silu(time + F.embedding(class_labels, self.class_weight.t()))
        x = self.stem(sample)
        skips = []
        for level in range(3):
            x = self.down[level](x, emb)
            skips.append(x)
            if level < 2:
                x = F.avg_pool2d(x, 2, 2)
        x = self.middle(x, emb)
        for level in range(3):
            if level > 0:
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            x = self.up[level](torch.cat([x, skips[2 - level]], dim=1), emb)
        return self.out(F.silu(self.out_norm(x)))


# ---------------------------------------------------------------------------------------------
# checks

def load_mnist(root="data/mnist"):
    with gzip.open(os.path.join(root, "t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(root, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return images, labels


def reference_input(n=2):
    """A fixed input anyone can rebuild: pixel p (flat index over N*1*28*28) = float32(0.9 * sin(0.07 p)), in double."""
    p = np.arange(n * 28 * 28, dtype=np.float64)
    x = (np.sin(p * 0.07) * 0.9).astype(np.float32).reshape(n, 1, 28, 28)
    return torch.from_numpy(x), torch.tensor([500, 900][:n]), torch.tensor([3, NO_CLASS][:n])


def properties(path="models/mnist-cond.properties"):
    values = {}
    for line in open(path):
        if "=" in line and not line.startswith("#"):
            k, v = line.strip().split("=", 1)
            values[k] = v
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", default="models/mnist-cond.weights")
    parser.add_argument("--out", default="/tmp/cond-unet-port.pt")
    parser.add_argument("--sheet", default="/tmp/cond-unet-port-samples.png")
    args = parser.parse_args()
    torch.set_num_threads(2)

    params = read_djl_parameters(args.weights)
    count = sum(a.size for _, a in params)
    props = properties()
    print(f"{len(params)} parameter arrays, {count} values (mnist-cond.properties: 981,313 in models/README.md)")
    model = CondUNetPort().eval()
    model.load_djl(params)
    assert count == sum(p.numel() for p in model.parameters()), count
    assert count == 981313, count

    example = reference_input(2)
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(model, example))
    frozen.save(args.out)
    loaded = torch.jit.load(args.out)
    with torch.no_grad():
        worst = 0.0
        for n in (1, 3, 8):
            x = torch.randn(n, 1, 28, 28)
            t = torch.randint(0, 1000, (n,))
            c = torch.randint(0, 11, (n,))
            worst = max(worst, (loaded(x, t, c) - model(x, t, c)).abs().max().item())
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes); traced+frozen vs eager max diff {worst:.1e}")

    # reference outputs for a fixed input
    with torch.no_grad():
        v = loaded(*example)
    flat = v.reshape(2, -1)
    print("reference input: x[p] = float32(0.9 sin(0.07 p)) over flat (2,1,28,28), timesteps [500, 900], labels [3, 10]")
    for i in range(2):
        print(f"  image {i}: v[0:4]={[round(float(a), 6) for a in flat[i, :4]]} v[400]={float(flat[i, 400]):.6f} "
              f"sum={float(flat[i].double().sum()):.5f} sum|v|={float(flat[i].double().abs().sum()):.5f}")

    # held-out v-MSE on the last 1,000 test digits (the trainer's held-out split), conditional
    images, labels = load_mnist()
    x0 = torch.from_numpy(images[-1000:].astype(np.float32) / 255.0) * 2 - 1
    y = torch.from_numpy(labels[-1000:].astype(np.int64))
    cfg = dm.config(beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction", clip_sample=True,
                    set_alpha_to_one=True, steps_offset=0, timestep_spacing="trailing")
    acp = dm.alphas_cumprod(cfg)
    gen = torch.Generator().manual_seed(0)
    line = []
    t0 = time.time()
    with torch.no_grad():
        for t in (100, 300, 500, 700, 900):
            ts = torch.full((1000,), t, dtype=torch.long)
            noise = torch.randn(x0.shape, generator=gen)
            xt = dm.add_noise(acp, x0, noise, ts)
            mse = sum(F.mse_loss(loaded(xt[i:i + 250], ts[i:i + 250], y[i:i + 250]),
                                 dm.velocity(acp, x0, noise, ts)[i:i + 250], reduction="sum").item()
                      for i in range(0, 1000, 250)) / x0.numel()
            line.append(f"t{t}: {mse:.4f} (Java {float(props[f'metric.vmse@t{t}']):.4f})")
    print(f"held-out v-MSE, 1,000 digits: {'; '.join(line)}  [{time.time() - t0:.1f} s]")

    # a DDIM 8-step, guidance-2 sheet (diffusers' arithmetic; the Java serving sampler differs)
    labels = [d for d in range(10) for _ in range(8)]
    noise = torch.randn((80, 1, 28, 28), generator=torch.Generator().manual_seed(1))
    t0 = time.time()
    samples, ts = dm.sample(loaded, "ddim", cfg, 8, noise, labels, 2.0, NO_CLASS)
    print(f"80 DDIM samples, 8 steps {ts}, guidance 2: {time.time() - t0:.1f} s")
    try:
        from PIL import Image
        pix = ((samples.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()[:, 0]
        sheet = pix.reshape(10, 8, 28, 28).transpose(0, 2, 1, 3).reshape(280, 224)
        Image.fromarray(sheet, "L").resize((448, 560), Image.NEAREST).save(args.sheet)
        print(f"wrote {args.sheet}")
    except ImportError:
        pass

    # speed of the frozen TorchScript, batch 64, on this CPU
    x = torch.randn(64, 1, 28, 28)
    t = torch.full((64,), 500, dtype=torch.long)
    c = torch.full((64,), 3, dtype=torch.long)
    with torch.no_grad():
        for _ in range(2):
            loaded(x, t, c)
        t0 = time.time()
        for _ in range(5):
            loaded(x, t, c)
    print(f"frozen TorchScript forward, batch 64, {torch.get_num_threads()} threads: "
          f"{(time.time() - t0) / 5 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
