"""A small class-conditioned U-Net in diffusers' UNet2DModel calling convention.

forward(sample (N,C,H,W) float32, timestep (N,) int64, class_labels (N,) int64) -> (N,C,H,W)

The timestep enters as diffusers' sinusoidal embedding (flip_sin_to_cos=True, freq_shift=0, the
UNet2DModel defaults) through a two-layer MLP; the class through an nn.Embedding with
classes + 1 rows, where row `classes` is "no class" (classifier-free guidance's null label).
Residual blocks: GroupNorm, SiLU, 3x3 conv, + projected embedding, GroupNorm, SiLU, 3x3 conv,
+ input (1x1 conv where the width changes). One block per level on the way down (average-pool
between levels), one in the middle, one per level on the way up over the concatenated skip
(nearest 2x upsampling between levels). H and W must be divisible by 2**(levels-1).

Written so that torch.jit.trace gives a graph valid for any batch size and any H, W of the
traced divisibility (no Python ints taken from tensor shapes).
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


def timestep_embedding(timesteps: torch.Tensor, dim: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """diffusers.models.embeddings.get_timestep_embedding with flip_sin_to_cos=True, shift 0."""
    half = dim // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
    angles = timesteps.to(torch.float32)[:, None] * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1).to(dtype)


def _groups(channels: int, groups: int) -> int:
    while channels % groups:
        groups //= 2
    return max(groups, 1)


class ResBlock(nn.Module):
    """With scale_shift (diffusers' resnet_time_scale_shift="scale_shift") the embedding gives a
    per-channel scale and shift applied after the second GroupNorm; otherwise it is added after
    the first convolution (diffusers' "default")."""

    def __init__(self, cin: int, cout: int, emb: int, groups: int, scale_shift: bool = False):
        super().__init__()
        self.scale_shift = scale_shift
        self.norm1 = nn.GroupNorm(_groups(cin, groups), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb_proj = nn.Linear(emb, 2 * cout if scale_shift else cout)
        self.norm2 = nn.GroupNorm(_groups(cout, groups), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        e = self.emb_proj(emb)[:, :, None, None]
        if self.scale_shift:
            scale, shift = e.chunk(2, dim=1)
            h = self.norm2(h) * (1 + scale) + shift
        else:
            h = self.norm2(h + e)
        h = self.conv2(F.silu(h))
        return h + self.shortcut(x)


class Attention(nn.Module):
    """Single-head self-attention over the pixels, with a residual (diffusers' Attention in a mid block)."""

    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(_groups(channels, groups), channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)
        self.scale = channels ** -0.5

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(self.norm(x)).flatten(2).chunk(3, dim=1)  # (N, C, HW) each
        weights = torch.softmax(torch.bmm(q.transpose(1, 2), k) * self.scale, dim=2)  # (N, HW, HW)
        out = torch.bmm(v, weights.transpose(1, 2))  # (N, C, HW)
        return x + self.proj(out.reshape_as(x))


class TinyUNet(nn.Module):
    def __init__(self, image_channels: int = 3, channels=(32, 64), classes: int = 4,
                 embedding: int = 128, groups: int = 8, attention: bool = False, scale_shift: bool = False):
        super().__init__()
        self.image_channels = image_channels
        self.channels = tuple(channels)
        self.classes = classes
        self.no_class = classes
        self.embedding = embedding
        c = self.channels
        self.time_mlp = nn.Sequential(nn.Linear(c[0], embedding), nn.SiLU(), nn.Linear(embedding, embedding))
        self.class_embedding = nn.Embedding(classes + 1, embedding)
        self.conv_in = nn.Conv2d(image_channels, c[0], 3, padding=1)
        down = []
        cin = c[0]
        for width in c:
            down.append(ResBlock(cin, width, embedding, groups, scale_shift))
            cin = width
        self.down = nn.ModuleList(down)
        self.mid = ResBlock(c[-1], c[-1], embedding, groups, scale_shift)
        # with attention the middle is resnet, attention, resnet (diffusers' UNetMidBlock2D)
        self.mid_attn = Attention(c[-1], groups) if attention else nn.Identity()
        self.mid2 = ResBlock(c[-1], c[-1], embedding, groups, scale_shift) if attention else None
        up = []
        cin = c[-1]
        for width in reversed(c):
            up.append(ResBlock(cin + width, width, embedding, groups, scale_shift))
            cin = width
        self.up = nn.ModuleList(up)
        self.norm_out = nn.GroupNorm(_groups(c[0], groups), c[0])
        self.conv_out = nn.Conv2d(c[0], image_channels, 3, padding=1)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, class_labels: torch.Tensor) -> torch.Tensor:
        t = timestep_embedding(timestep, self.channels[0], sample.dtype)
        emb = F.silu(self.time_mlp(t) + self.class_embedding(class_labels))
        x = self.conv_in(sample)
        skips = []
        last = len(self.down) - 1
        for i, block in enumerate(self.down):
            x = block(x, emb)
            skips.append(x)
            if i < last:
                x = F.avg_pool2d(x, 2)
        x = self.mid(x, emb)
        if self.mid2 is not None:
            x = self.mid2(self.mid_attn(x), emb)
        for i, block in enumerate(self.up):
            if i > 0:
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            x = block(torch.cat([x, skips[last - i]], dim=1), emb)
        return self.conv_out(F.silu(self.norm_out(x)))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
