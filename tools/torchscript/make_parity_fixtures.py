"""Writes the TorchScript parity fixtures the Java tests compare against.

Run from the repository root:  /usr/bin/python3 tools/torchscript/make_parity_fixtures.py

  diffusion/src/test/resources/torchscript/tiny-unet.pt   a random-weight TinyUNet (3x16x16, 4 classes)
  diffusion/src/test/resources/torchscript/parity.json    sampling cases: scheduler config, steps,
                                                          guidance, labels, the timesteps visited,
                                                          the initial noise and the final sample
The scheduler arithmetic is diffusers_math.py (transcribed from diffusers' schedulers).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusers_math as dm  # noqa: E402
from unet import TinyUNet, parameter_count  # noqa: E402

OUT = os.path.join("diffusion", "src", "test", "resources", "torchscript")
IMAGE = (3, 16, 16)
CLASSES = 4
NO_CLASS = CLASSES

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
COSINE = dict(beta_schedule="squaredcos_cap_v2")
LINEAR = dict(beta_schedule="linear", beta_start=0.0001, beta_end=0.02)

CASES = [
    ("ddim-linear-epsilon-leading", "ddim",
     dm.config(**LINEAR, prediction_type="epsilon", timestep_spacing="leading", steps_offset=1,
               set_alpha_to_one=False, clip_sample=False), 10, 0.0, [2, -1]),
    ("ddim-sd-epsilon-leading-guided", "ddim",
     dm.config(**SD, prediction_type="epsilon", timestep_spacing="leading", steps_offset=1,
               set_alpha_to_one=False, clip_sample=False), 8, 3.0, [1, -1]),
    ("ddim-scaledlinear-v-trailing", "ddim",
     dm.config(**SD, prediction_type="v_prediction", timestep_spacing="trailing", steps_offset=0,
               set_alpha_to_one=True, clip_sample=False), 12, 1.0, [0, 3]),
    ("ddim-cosine-epsilon-linspace-clip", "ddim",
     dm.config(**COSINE, prediction_type="epsilon", timestep_spacing="linspace", steps_offset=0,
               set_alpha_to_one=True, clip_sample=True, clip_sample_range=1.0), 13, 3.0, [3, 1]),
    ("ddim-cosine-sample-trailing-clip05", "ddim",
     dm.config(**COSINE, prediction_type="sample", timestep_spacing="trailing", steps_offset=0,
               set_alpha_to_one=True, clip_sample=True, clip_sample_range=0.5), 16, 1.0, [2, 0]),
    # Not linspace or trailing: their first step, at t = 999 of the capped cosine, has
    # alpha_bar ~ 2e-9, where epsilon-prediction divides by ~5e-5 and a 1e-6 rounding of the
    # network's output moves the final sample by ~0.1 (diffusers clips lambda there for that reason).
    ("dpm-cosine-epsilon-leading", "dpm-solver",
     dm.config(**COSINE, prediction_type="epsilon", timestep_spacing="leading", steps_offset=0,
               clip_sample=False), 12, 0.0, [1, 2]),
    ("dpm-scaledlinear-v-leading-guided", "dpm-solver",
     dm.config(**SD, prediction_type="v_prediction", timestep_spacing="leading", steps_offset=1,
               clip_sample=False), 15, 3.0, [2, -1]),
    ("dpm-linear-epsilon-trailing", "dpm-solver",
     dm.config(**LINEAR, prediction_type="epsilon", timestep_spacing="trailing", steps_offset=0,
               clip_sample=False), 20, 1.0, [0, 3]),
    ("dpm-cosine-v-trailing-guided", "dpm-solver",
     dm.config(**COSINE, prediction_type="v_prediction", timestep_spacing="trailing", steps_offset=0,
               clip_sample=False), 6, 3.0, [3, 0]),
]


def build_model() -> torch.nn.Module:
    torch.manual_seed(0)
    model = TinyUNet(image_channels=IMAGE[0], channels=(16, 32), classes=CLASSES, embedding=64, groups=4)
    model.eval()
    with torch.no_grad():
        # Make the conditioning matter: larger class embeddings than nn.Embedding's N(0,1) already
        # are would saturate; scale the output conv so outputs have std ~0.7.
        x = torch.randn(8, *IMAGE)
        t = torch.tensor([0, 100, 250, 400, 550, 700, 850, 999])
        c = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])
        std = model(x, t, c).std().item()
        model.conv_out.weight.mul_(0.7 / std)
        model.conv_out.bias.mul_(0.7 / std)
    return model


def export(model, path):
    example = (torch.randn(2, *IMAGE), torch.tensor([999, 10]), torch.tensor([1, NO_CLASS]))
    with torch.no_grad():
        traced = torch.jit.freeze(torch.jit.trace(model, example))
    traced.save(path)
    loaded = torch.jit.load(path)
    # check batch sizes and inputs other than the traced ones
    with torch.no_grad():
        for n in (1, 3, 5):
            x = torch.randn(n, *IMAGE)
            t = torch.randint(0, 1000, (n,))
            c = torch.randint(0, CLASSES + 1, (n,))
            diff = (loaded(x, t, c) - model(x, t, c)).abs().max().item()
            assert diff < 1e-5, diff
    inputs = [i.debugName() for i in loaded.graph.inputs()]
    assert len(inputs) == 4, inputs  # self + 3
    return loaded


def floats(t: torch.Tensor):
    """float32 values as the doubles nearest their shortest float32 decimals: JSON then carries
    those decimals (e.g. 0.12345679), which parse back to the exact float32."""
    return [float(str(v)) for v in t.detach().numpy().astype(np.float32).reshape(-1)]


def main():
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    model = build_model()
    print(f"TinyUNet: {parameter_count(model)} parameters")
    archive = os.path.join(OUT, "tiny-unet.pt")
    loaded = export(model, archive)
    print(f"wrote {archive} ({os.path.getsize(archive)} bytes)")

    model64 = build_model().double()
    cases = []
    gen = torch.Generator().manual_seed(1234)
    for name, sampler, cfg, steps, guidance, labels in CASES:
        noise = torch.randn((len(labels), *IMAGE), generator=gen, dtype=torch.float32)
        final, timesteps = dm.sample(loaded, sampler, cfg, steps, noise, labels, guidance, NO_CLASS)
        # the eager model must give the same within float noise (the archive is what Java runs)
        eager, _ = dm.sample(model, sampler, cfg, steps, noise, labels, guidance, NO_CLASS)
        drift = (final - eager).abs().max().item()
        # how far float64 arithmetic (same float32 schedule tables) lands: a floor for Java tolerances
        wide, _ = dm.sample(model64, sampler, cfg, steps, noise.double(), labels, guidance, NO_CLASS)
        rel64 = ((final.double() - wide).abs().max() / wide.abs().max()).item()
        mags = [f"{v:.3f}" for v in final.abs().reshape(len(labels), -1).mean(1).tolist()]
        print(f"{name:40s} {sampler:10s} steps={steps:2d} g={guidance} labels={labels} "
              f"mean|final|={mags} max|final|={final.abs().max().item():.3f} eager-vs-ts={drift:.1e} "
              f"f32-vs-f64={rel64:.1e} (of max)")
        print(f"    timesteps {timesteps}")
        cases.append({
            "name": name, "sampler": sampler, "scheduler_config": cfg, "steps": steps,
            "guidance": guidance, "labels": labels, "timesteps": timesteps,
            "noise": [floats(n) for n in noise], "final": [floats(f) for f in final],
        })

    doc = {"archive": "tiny-unet.pt", "image": list(IMAGE), "classes": CLASSES, "no_class": NO_CLASS,
           "cases": cases}
    path = os.path.join(OUT, "parity.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")

    print("\nReference timesteps, num_train_timesteps=1000, steps=10 (steps_offset 0 and 1 for leading):")
    for spacing in ("leading", "trailing", "linspace"):
        for offset in ((0, 1) if spacing == "leading" else (0,)):
            cfg = dm.config(timestep_spacing=spacing, steps_offset=offset)
            print(f"  ddim/ddpm {spacing:8s} offset={offset}: {dm.ddim_timesteps(cfg, 10).tolist()}")
            print(f"  dpm       {spacing:8s} offset={offset}: {dm.dpm_timesteps(cfg, 10).tolist()}")
    cfg = dm.config(timestep_spacing="linspace")
    print("  ddim prev_timestep for linspace (t - N//steps):",
          [int(t) - 100 for t in dm.ddim_timesteps(cfg, 10)])
    print("numpy rounds half to even (Math.rint, not Math.round); step counts where that shows, N=1000:")
    for sampler, spacing, steps in (("ddim", "linspace", 13), ("dpm", "linspace", 12), ("ddim", "trailing", 16)):
        fn = dm.ddim_timesteps if sampler == "ddim" else dm.dpm_timesteps
        print(f"  {sampler:4s} {spacing:8s} steps={steps}: {fn(dm.config(timestep_spacing=spacing), steps).tolist()}")


if __name__ == "__main__":
    main()
