"""diffusers' scheduler arithmetic in plain torch + numpy (diffusers itself is not installed).

Transcribed, not copied, from huggingface/diffusers main at commit
58eb52c0803ea9af3abec60841c2a093bdf1f951 (2026-08-23):
  src/diffusers/schedulers/scheduling_ddim.py              -> DDIM (eta = 0)
  src/diffusers/schedulers/scheduling_dpmsolver_multistep.py -> DPMSolverPP2M
  src/diffusers/schedulers/scheduling_ddpm.py              -> DDPM
Where diffusers computes with numpy (timestep spacing, sigma interpolation) this does too, and
where it computes with float32 torch scalars this does the same operations in the same order, so
the float32 results are those diffusers gives (up to the model's own batch-dependent rounding).

Only the configuration the project uses is supported: no trained_betas, no thresholding, no
rescale_betas_zero_snr; DPM-Solver is algorithm_type "dpmsolver++", solver_order 2, solver_type
"midpoint", lower_order_final True, euler_at_final False, use_karras_sigmas False,
final_sigmas_type "zero", lambda_min_clipped -inf; DDPM is variance_type "fixed_small".
"""
import math

import numpy as np
import torch

DEFAULT_CONFIG = {
    "num_train_timesteps": 1000,
    "beta_schedule": "linear",
    "beta_start": 0.0001,
    "beta_end": 0.02,
    "prediction_type": "epsilon",
    "clip_sample": True,
    "clip_sample_range": 1.0,
    "set_alpha_to_one": True,
    "steps_offset": 0,
    "timestep_spacing": "leading",
}


def config(**overrides):
    unknown = set(overrides) - set(DEFAULT_CONFIG)
    if unknown:
        raise ValueError(f"unknown scheduler keys {sorted(unknown)}")
    cfg = dict(DEFAULT_CONFIG)
    cfg.update(overrides)
    return cfg


# ---------------------------------------------------------------------------------------------
# betas and alphas_cumprod (identical in all three schedulers)

def _cosine_alpha_bar(t: float) -> float:
    return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2


def betas(cfg) -> torch.Tensor:
    n = cfg["num_train_timesteps"]
    schedule = cfg["beta_schedule"]
    if schedule == "linear":
        return torch.linspace(cfg["beta_start"], cfg["beta_end"], n, dtype=torch.float32)
    if schedule == "scaled_linear":
        return torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, n, dtype=torch.float32) ** 2
    if schedule == "squaredcos_cap_v2":
        # betas_for_alpha_bar(n, max_beta=0.999, "cosine"): Python doubles, then one float32 tensor
        values = [min(1 - _cosine_alpha_bar((i + 1) / n) / _cosine_alpha_bar(i / n), 0.999) for i in range(n)]
        return torch.tensor(values, dtype=torch.float32)
    raise ValueError(f"beta_schedule {schedule!r} not supported")


def alphas_cumprod(cfg) -> torch.Tensor:
    """cumprod(1 - betas), float32 throughout, as diffusers."""
    return torch.cumprod(1.0 - betas(cfg), dim=0)


def add_noise(acp: torch.Tensor, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Forward process x_t = sqrt(acp[t]) x0 + sqrt(1 - acp[t]) noise (diffusers' add_noise)."""
    a = acp[t] ** 0.5
    s = (1 - acp[t]) ** 0.5
    return a[:, None, None, None] * x0 + s[:, None, None, None] * noise


def velocity(acp: torch.Tensor, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """v = sqrt(acp) noise - sqrt(1 - acp) x0 (diffusers' get_velocity)."""
    a = acp[t] ** 0.5
    s = (1 - acp[t]) ** 0.5
    return a[:, None, None, None] * noise - s[:, None, None, None] * x0


# ---------------------------------------------------------------------------------------------
# DDIM / DDPM timesteps (the two share set_timesteps)

def ddim_timesteps(cfg, steps: int) -> np.ndarray:
    n = cfg["num_train_timesteps"]
    if steps > n:
        raise ValueError("more steps than training timesteps")
    spacing = cfg["timestep_spacing"]
    if spacing == "linspace":
        # numpy's round is half-to-even
        return np.linspace(0, n - 1, steps).round()[::-1].copy().astype(np.int64)
    if spacing == "leading":
        ratio = n // steps
        ts = (np.arange(0, steps) * ratio).round()[::-1].copy().astype(np.int64)
        return ts + cfg["steps_offset"]
    if spacing == "trailing":
        ratio = n / steps
        return np.round(np.arange(n, 0, -ratio)).astype(np.int64) - 1
    raise ValueError(f"timestep_spacing {spacing!r} not supported")


def _x0_eps(prediction_type, model_output, sample, alpha_prod_t, beta_prod_t):
    if prediction_type == "epsilon":
        x0 = (sample - beta_prod_t ** 0.5 * model_output) / alpha_prod_t ** 0.5
        eps = model_output
    elif prediction_type == "sample":
        x0 = model_output
        eps = (sample - alpha_prod_t ** 0.5 * x0) / beta_prod_t ** 0.5
    elif prediction_type == "v_prediction":
        x0 = alpha_prod_t ** 0.5 * sample - beta_prod_t ** 0.5 * model_output
        eps = alpha_prod_t ** 0.5 * model_output + beta_prod_t ** 0.5 * sample
    else:
        raise ValueError(f"prediction_type {prediction_type!r} not supported")
    return x0, eps


class DDIM:
    """DDIMScheduler with eta = 0 and use_clipped_model_output False (what pipelines call)."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.alphas_cumprod = alphas_cumprod(cfg)
        self.final_alpha_cumprod = torch.tensor(1.0) if cfg["set_alpha_to_one"] else self.alphas_cumprod[0]
        self.timesteps = None

    def set_timesteps(self, steps: int) -> np.ndarray:
        self.steps = steps
        self.timesteps = ddim_timesteps(self.cfg, steps)
        return self.timesteps

    def step(self, model_output: torch.Tensor, t: int, sample: torch.Tensor) -> torch.Tensor:
        cfg = self.cfg
        # Not the next visited timestep: always t - N // steps, whatever the spacing.
        prev_t = int(t) - cfg["num_train_timesteps"] // self.steps
        alpha_prod_t = self.alphas_cumprod[t]
        alpha_prod_t_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        beta_prod_t = 1 - alpha_prod_t
        x0, eps = _x0_eps(cfg["prediction_type"], model_output, sample, alpha_prod_t, beta_prod_t)
        if cfg["clip_sample"]:
            r = cfg["clip_sample_range"]
            x0 = x0.clamp(-r, r)  # eps is NOT recomputed from the clipped x0
        std_dev_t = 0.0  # eta * variance ** 0.5 with eta = 0
        direction = (1 - alpha_prod_t_prev - std_dev_t ** 2) ** 0.5 * eps
        return alpha_prod_t_prev ** 0.5 * x0 + direction


class DDPM:
    """DDPMScheduler, variance_type fixed_small; the step's Gaussian noise is passed in."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.alphas_cumprod = alphas_cumprod(cfg)
        self.one = torch.tensor(1.0)

    def set_timesteps(self, steps: int) -> np.ndarray:
        self.timesteps = ddim_timesteps(self.cfg, steps)
        return self.timesteps

    def previous_timestep(self, t: int) -> int:
        # With set_timesteps called: the next timestep in the list, -1 after the last one.
        index = int(np.nonzero(self.timesteps == t)[0][0])
        return -1 if index == len(self.timesteps) - 1 else int(self.timesteps[index + 1])

    def step(self, model_output, t: int, sample, noise) -> torch.Tensor:
        cfg = self.cfg
        prev_t = self.previous_timestep(t)
        alpha_prod_t = self.alphas_cumprod[t]
        alpha_prod_t_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.one
        beta_prod_t = 1 - alpha_prod_t
        beta_prod_t_prev = 1 - alpha_prod_t_prev
        current_alpha_t = alpha_prod_t / alpha_prod_t_prev
        current_beta_t = 1 - current_alpha_t
        x0, _ = _x0_eps(cfg["prediction_type"], model_output, sample, alpha_prod_t, beta_prod_t)
        if cfg["clip_sample"]:
            r = cfg["clip_sample_range"]
            x0 = x0.clamp(-r, r)
        x0_coeff = (alpha_prod_t_prev ** 0.5 * current_beta_t) / beta_prod_t
        sample_coeff = current_alpha_t ** 0.5 * beta_prod_t_prev / beta_prod_t
        prev = x0_coeff * x0 + sample_coeff * sample
        if t > 0:  # the CURRENT timestep decides, so a leading+offset or trailing schedule adds noise at its last step
            variance = (1 - alpha_prod_t_prev) / (1 - alpha_prod_t) * current_beta_t
            variance = torch.clamp(variance, min=1e-20)
            prev = prev + variance ** 0.5 * noise
        return prev


# ---------------------------------------------------------------------------------------------
# DPM-Solver++(2M)

def dpm_timesteps(cfg, steps: int) -> np.ndarray:
    n = cfg["num_train_timesteps"]
    last = n  # lambda_min_clipped = -inf: searchsorted gives 0 clipped steps
    spacing = cfg["timestep_spacing"]
    if spacing == "linspace":
        return np.linspace(0, last - 1, steps + 1).round()[::-1][:-1].copy().astype(np.int64)
    if spacing == "leading":
        ratio = last // (steps + 1)
        ts = (np.arange(0, steps + 1) * ratio).round()[::-1][:-1].copy().astype(np.int64)
        return ts + cfg["steps_offset"]
    if spacing == "trailing":
        ratio = n / steps
        return np.arange(last, 0, -ratio).round().copy().astype(np.int64) - 1
    raise ValueError(f"timestep_spacing {spacing!r} not supported")


def _alpha_sigma(sigma: torch.Tensor):
    alpha_t = 1 / ((sigma ** 2 + 1) ** 0.5)
    return alpha_t, sigma * alpha_t


class DPMSolverPP2M:
    """DPMSolverMultistepScheduler(algorithm_type="dpmsolver++", solver_order=2, midpoint, final sigma 0)."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.alphas_cumprod = alphas_cumprod(cfg)

    def set_timesteps(self, steps: int) -> np.ndarray:
        ts = dpm_timesteps(self.cfg, steps)
        acp = self.alphas_cumprod
        table = np.array(((1 - acp) / acp) ** 0.5)  # float32 numpy
        sigmas = np.interp(ts, np.arange(0, len(table)), table)  # float64, exact at integer t
        sigmas = np.concatenate([sigmas, [0]]).astype(np.float32)  # final_sigmas_type "zero"
        self.sigmas = torch.from_numpy(sigmas)
        self.timesteps = ts
        self.index = 0
        self.previous_x0 = None
        return ts

    def step(self, model_output: torch.Tensor, t: int, sample: torch.Tensor) -> torch.Tensor:
        i = self.index  # pipelines start at timesteps[0]; diffusers finds the index from t the same way
        sigma_s0 = self.sigmas[i]
        alpha_s0, sigma_s0 = _alpha_sigma(sigma_s0)
        pred = self.cfg["prediction_type"]
        if pred == "epsilon":
            x0 = (sample - sigma_s0 * model_output) / alpha_s0
        elif pred == "sample":
            x0 = model_output
        elif pred == "v_prediction":
            x0 = alpha_s0 * sample - sigma_s0 * model_output
        else:
            raise ValueError(f"prediction_type {pred!r} not supported")

        alpha_t, sigma_t = _alpha_sigma(self.sigmas[i + 1])
        lambda_t = torch.log(alpha_t) - torch.log(sigma_t)  # +inf at the final sigma 0
        lambda_s0 = torch.log(alpha_s0) - torch.log(sigma_s0)
        h = lambda_t - lambda_s0
        last = i == len(self.timesteps) - 1
        if self.previous_x0 is None or last:
            # first order (DDIM in x0 form); at sigma 0: exp(-h) = 0 and the result is x0 itself
            prev = (sigma_t / sigma_s0) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * x0
        else:
            alpha_s1, sigma_s1 = _alpha_sigma(self.sigmas[i - 1])
            lambda_s1 = torch.log(alpha_s1) - torch.log(sigma_s1)
            h_0 = lambda_s0 - lambda_s1
            r0 = h_0 / h
            d0, d1 = x0, (1.0 / r0) * (x0 - self.previous_x0)
            prev = ((sigma_t / sigma_s0) * sample
                    - (alpha_t * (torch.exp(-h) - 1.0)) * d0
                    - 0.5 * (alpha_t * (torch.exp(-h) - 1.0)) * d1)
        self.previous_x0 = x0
        self.index += 1
        return prev


# ---------------------------------------------------------------------------------------------
# classifier-free guidance and the sampling loop

def guided_output(model, x: torch.Tensor, t: int, labels, guidance: float, no_class: int) -> torch.Tensor:
    """The model output a pipeline hands the scheduler.

    Per image: guidance 0 or no label (-1) -> one unconditional pass (class no_class); guidance 1
    -> one conditional pass; otherwise uncond + g * (cond - uncond).
    """
    n = x.shape[0]
    labels = [int(l) for l in labels]
    uncond_rows = [i for i in range(n) if guidance == 0 or labels[i] < 0 or guidance != 1]
    cond_rows = [i for i in range(n) if guidance != 0 and labels[i] >= 0]
    out = torch.empty_like(x)
    ts = torch.full((n,), int(t), dtype=torch.int64)
    uncond = cond = None
    if uncond_rows:
        idx = torch.tensor(uncond_rows)
        uncond = model(x[idx], ts[idx], torch.full((len(uncond_rows),), no_class, dtype=torch.int64))
        uncond = dict(zip(uncond_rows, uncond))
    if cond_rows:
        idx = torch.tensor(cond_rows)
        cond = model(x[idx], ts[idx], torch.tensor([labels[i] for i in cond_rows], dtype=torch.int64))
        cond = dict(zip(cond_rows, cond))
    g = float(guidance)
    for i in range(n):
        if guidance == 0 or labels[i] < 0:
            out[i] = uncond[i]
        elif guidance == 1:
            out[i] = cond[i]
        else:
            out[i] = uncond[i] + g * (cond[i] - uncond[i])
    return out


def scheduler(sampler: str, cfg):
    if sampler == "ddim":
        return DDIM(cfg)
    if sampler == "dpm-solver":
        return DPMSolverPP2M(cfg)
    raise ValueError(f"sampler {sampler!r} not supported (ddpm needs step noise: use DDPM directly)")


@torch.no_grad()
def sample(model, sampler: str, cfg, steps: int, noise: torch.Tensor, labels, guidance: float,
           no_class: int):
    """Runs a pipeline loop from `noise` (init_noise_sigma is 1); returns (final sample, timesteps)."""
    sch = scheduler(sampler, cfg)
    timesteps = sch.set_timesteps(steps)
    x = noise.clone()
    for t in timesteps:
        x = sch.step(guided_output(model, x, int(t), labels, guidance, no_class), int(t), x)
    return x, [int(t) for t in timesteps]
