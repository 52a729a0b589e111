"""Writes alphas_cumprod.json: diffusers' alpha-bar tables as PyTorch computes them, for DiffusersScheduleTest.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 tools/torchscript/make_schedule_fixture.py
Each table is diffusers_math.alphas_cumprod (the transcription of diffusers' betas and cumprod) for
1,000 training timesteps, written as float32 values.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusers_math as dm  # noqa: E402

OUT = os.path.join("diffusion", "src", "test", "resources", "torchscript", "alphas_cumprod.json")

SCHEDULES = {
    "linear": dict(beta_schedule="linear", beta_start=0.0001, beta_end=0.02),
    "scaled_linear": dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012),
    "squaredcos_cap_v2": dict(beta_schedule="squaredcos_cap_v2"),
}


def main():
    tables = {}
    for name, overrides in SCHEDULES.items():
        cfg = dm.config(num_train_timesteps=1000, **overrides)
        tables[name] = {"config": {k: cfg[k] for k in ("num_train_timesteps", "beta_schedule", "beta_start", "beta_end")},
                        "alphas_cumprod": [float(v) for v in dm.alphas_cumprod(cfg)]}
    with open(OUT, "w") as f:
        json.dump(tables, f)
        f.write("\n")
    print(OUT, {name: t["alphas_cumprod"][-1] for name, t in tables.items()})


if __name__ == "__main__":
    main()
