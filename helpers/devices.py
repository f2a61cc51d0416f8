"""What training runs on: CPU or GPUs (one, or several under ``MirroredStrategy``), the dtype policy
and XLA, chosen from what the machine has, and one printed line saying what was chosen and why."""

from __future__ import annotations

import functools
import platform
from dataclasses import dataclass, field
from pathlib import Path

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
"""Keras dtype policies training can run under (``mixed_*``: low-precision arithmetic, float32 weights).
The train CLI, the benchmark and :func:`choose_precision` all take their names from here."""

CPU_BFLOAT16_BY_DEFAULT = True
"""Whether ``precision="auto"`` picks ``mixed_bfloat16`` on CPUs with native bfloat16 (AVX512_BF16 or
AMX-BF16). :data:`BFLOAT16_VERDICT` says why; the measurements are in ``results/`` (see results/README.md)."""

BFLOAT16_VERDICT = "it matched float32's validation accuracy over 3 seeds on an AMD EPYC (see results/README.md)"
"""Why :data:`CPU_BFLOAT16_BY_DEFAULT` is what it is, in one sentence: the device line prints it and the
README quotes it (generated), so it is written only here."""

XLA_ON_CPU = "XLA off on CPUs (jit_compile='on' to try it)"


@functools.cache
def cpu_info(cpuinfo: str | Path = "/proc/cpuinfo") -> tuple[str, tuple[str, ...]]:
    """The processor's model name and the native bfloat16 instruction sets it reports (``avx512_bf16``,
    ``amx_bf16``), read once from ``/proc/cpuinfo`` (on other systems: the platform's name and none)."""
    try:
        lines = Path(cpuinfo).read_text().splitlines()
    except OSError:
        return platform.processor() or platform.machine(), ()
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
                 platform.processor() or platform.machine())
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    return model, tuple(flag for flag in ("avx512_bf16", "amx_bf16") if flag in flags)


@dataclass
class Device:
    """What training runs on, and why."""

    kind: str
    """``cpu``, ``gpu``, ``multi-gpu`` or ``multi-cpu`` (the last only when devices are forced, for tests)."""
    names: list[str]
    precision: str
    """The Keras dtype policy: one of :data:`PRECISIONS`."""
    reason: str
    strategy: tf.distribute.Strategy = field(repr=False)
    jit_compile: bool = False
    """Whether ``model.compile`` asks for XLA (``jit_compile=True``)."""

    precision_reason: str = ""
    """Why this precision, in a few plain words (the longer :attr:`reason` adds XLA's)."""

    def describe(self) -> str:
        """One line: where, in which precision and why, XLA on or off."""
        where = {"cpu": "the CPU", "gpu": "the GPU"}.get(self.kind, f"{len(self.names)} devices")
        return (f"Training on {where} ({', '.join(self.names)}) in {self.precision}, "
                f"XLA {'on' if self.jit_compile else 'off'}: {self.precision_reason}.")


def choose_precision(requested: str, gpu_capabilities: list[tuple[int, int]],
                     cpu_bf16: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """The dtype policy for ``requested`` (``"auto"`` or one of :data:`PRECISIONS`), and why, given each
    GPU's compute capability (none on a CPU) and the CPU's native bfloat16 flags (:func:`cpu_info`).
    Automatic: ``mixed_float16`` when every GPU has tensor cores (capability 7.0+), float32 on older
    GPUs, and on CPUs float32 unless :data:`CPU_BFLOAT16_BY_DEFAULT` allows bfloat16 where it is native
    (float16 has no fast CPU kernels)."""
    if requested != "auto":
        if requested not in PRECISIONS:
            raise ValueError(f"precision must be 'auto' or one of {', '.join(PRECISIONS)}; got {requested!r}.")
        return requested, f"{requested} as asked"
    if gpu_capabilities:
        if all(tuple(c) >= (7, 0) for c in gpu_capabilities):
            return "mixed_float16", "the GPU has tensor cores: float16 arithmetic, float32 weights"
        return "float32", "the GPU has no tensor cores (compute capability < 7.0)"
    if cpu_bf16 and CPU_BFLOAT16_BY_DEFAULT:
        return "mixed_bfloat16", f"the CPU has native bfloat16 ({', '.join(cpu_bf16)}) and {BFLOAT16_VERDICT}"
    if cpu_bf16:
        return "float32", f"the CPU has bfloat16, but {BFLOAT16_VERDICT}"
    return "float32", "no GPU found"


def choose_jit_compile(requested: str | bool, on_gpu: bool) -> tuple[bool, str]:
    """XLA on or off, and why: ``"auto"`` turns it on for GPUs (it fuses small operations) and leaves it
    off on CPUs; ``"on"``/``"off"`` (or a bool) force it."""
    if requested in ("on", "off", True, False):
        jit = requested in ("on", True)
        return jit, f"XLA {'on' if jit else 'off'} as asked"
    if requested != "auto":
        raise ValueError(f"jit_compile must be 'auto', 'on' or 'off'; got {requested!r}.")
    return (True, "XLA on (GPU)") if on_gpu else (False, XLA_ON_CPU)


def select_device(precision: str = "auto", jit_compile: str | bool = "auto", devices: list[str] | None = None,
                  verbose: bool = True) -> Device:
    """Pick what training runs on (all GPUs, under ``MirroredStrategy`` when several; else the CPU), its
    dtype policy (:func:`choose_precision`) and XLA (:func:`choose_jit_compile`), set the policy and print
    one line saying what was chosen and why. ``devices`` forces the strategy onto named devices
    (``["/CPU:0", "/CPU:1"]``: the multi-device path on two logical CPUs, as the tests do)."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: leave as is
            pass
    if devices:
        on_gpu = all("GPU" in d.upper() for d in devices)
        strategy = tf.distribute.MirroredStrategy(devices) if len(devices) > 1 else tf.distribute.OneDeviceStrategy(devices[0])
        kind = ("multi-" if len(devices) > 1 else "") + ("gpu" if on_gpu else "cpu")
        names = list(devices)
        capabilities = [tf.config.experimental.get_device_details(g).get("compute_capability", (0, 0))
                        for g in gpus] if on_gpu else []
    else:
        on_gpu = bool(gpus)
        if len(gpus) > 1:
            strategy, kind = tf.distribute.MirroredStrategy(), "multi-gpu"
        else:
            strategy, kind = tf.distribute.get_strategy(), "gpu" if gpus else "cpu"
        details = [tf.config.experimental.get_device_details(g) for g in gpus]
        names = [d.get("device_name", g.name) for d, g in zip(details, gpus)] or [cpu_info()[0]]
        capabilities = [d.get("compute_capability", (0, 0)) for d in details]
    chosen, precision_reason = choose_precision(precision, capabilities, () if on_gpu else cpu_info()[1])
    jit, jit_reason = choose_jit_compile(jit_compile, on_gpu)
    keras.mixed_precision.set_global_policy(chosen)
    device = Device(kind, names, chosen, f"{precision_reason}; {jit_reason}", strategy, jit, precision_reason)
    if verbose:
        print(device.describe())
    return device
