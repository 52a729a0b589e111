"""Writes the TorchScript archives that break the serving contract, for the tests of its refusals.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 tools/torchscript/make_broken_archives.py
Each module takes diffusers' inputs (sample, timestep, class_labels) and keeps every rule but one.
"""
import os

import torch

OUT = os.path.join("diffusion", "src", "test", "resources", "torchscript")


class HalfSize(torch.nn.Module):
    """Returns the sample at half its height and width: the wrong shape."""

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, class_labels: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.avg_pool2d(sample, 2)


class NotANumber(torch.nn.Module):
    """Returns the right shape, but NaN wherever a timestep is above 0."""

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, class_labels: torch.Tensor) -> torch.Tensor:
        scale = torch.where(timestep > 0, torch.full_like(timestep, float("nan"), dtype=sample.dtype),
                            torch.ones_like(timestep, dtype=sample.dtype))
        return sample * scale.view(-1, 1, 1, 1)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, module in (("wrong-shape.pt", HalfSize()), ("nan-output.pt", NotANumber())):
        path = os.path.join(OUT, name)
        torch.jit.save(torch.jit.script(module), path)
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
