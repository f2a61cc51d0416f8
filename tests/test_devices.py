"""Per-device choices (precision, XLA, strategy), each forced and run on the CPU: every branch a GPU
would take is reachable here, so CI exercises it on every run."""

import json
import math
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from helpers import devices, recipes, training
from lab import artifacts, train
from helpers.paths import ROOT


@pytest.fixture(autouse=True)
def float32_afterwards():
    """select_device sets Keras' global dtype policy: put it back for the other tests."""
    yield
    keras.mixed_precision.set_global_policy("float32")


# --------------------------------------------------------------------------- the choices

@pytest.mark.parametrize("capabilities, expected", [
    ([(7, 0)], "mixed_float16"),          # V100: tensor cores
    ([(8, 6), (8, 6)], "mixed_float16"),  # two Ampere GPUs
    ([(6, 1)], "float32"),                # Pascal: no tensor cores
    ([(8, 0), (6, 0)], "float32"),        # one GPU without tensor cores holds the others back
])
def test_gpus_get_float16_only_with_tensor_cores(capabilities, expected):
    precision, reason = devices.choose_precision("auto", capabilities, cpu_bf16=["avx512_bf16"])
    assert precision == expected and "GPU" in reason


def test_cpu_bfloat16_follows_the_switch(monkeypatch):
    monkeypatch.setattr(devices, "CPU_BFLOAT16_BY_DEFAULT", False)
    precision, reason = devices.choose_precision("auto", [], ["avx512_bf16"])
    assert precision == "float32" and "bfloat16" in reason and devices.BFLOAT16_VERDICT in reason
    monkeypatch.setattr(devices, "CPU_BFLOAT16_BY_DEFAULT", True)
    assert devices.choose_precision("auto", [], ["amx_bf16"])[0] == "mixed_bfloat16"
    assert devices.choose_precision("auto", [], [])[0] == "float32"  # no native bfloat16: never


def test_forced_precision_and_bad_values():
    assert devices.choose_precision("mixed_float16", [], []) == ("mixed_float16", "mixed_float16 as asked")
    with pytest.raises(ValueError, match="precision must be 'auto' or one of float32"):
        devices.choose_precision("float16", [], [])
    assert devices.choose_jit_compile("auto", on_gpu=True)[0] is True
    assert devices.choose_jit_compile("auto", on_gpu=False) == (False, devices.XLA_ON_CPU)
    assert devices.choose_jit_compile("on", on_gpu=False)[0] is True
    assert devices.choose_jit_compile("off", on_gpu=True)[0] is False
    with pytest.raises(ValueError, match="jit_compile must be"):
        devices.choose_jit_compile("yes", on_gpu=False)


def test_bfloat16_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx512f avx512_bf16 avx512_vnni\n\nprocessor\t: 1\n")
    assert devices.cpu_info(info) == ("AMD EPYC", ("avx512_bf16",))
    info2 = tmp_path / "cpuinfo2"
    info2.write_text("flags\t\t: fpu sse avx2 amx_bf16 amx_tile\n")
    assert devices.cpu_info(info2)[1] == ("amx_bf16",)
    info3 = tmp_path / "cpuinfo3"
    info3.write_text("flags\t\t: fpu sse avx2\n")
    assert devices.cpu_info(info3)[1] == ()
    assert devices.cpu_info(tmp_path / "missing")[1] == ()


def test_select_device_prints_one_line_with_its_reasons(capsys):
    device = devices.select_device(precision="auto", jit_compile="auto")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [device.describe()] and device.kind == "cpu"  # CI has no GPU
    expected = devices.choose_precision("auto", [], devices.cpu_info()[1])[0]  # float32, or bfloat16 where native
    assert device.precision == expected and device.jit_compile is False
    assert "XLA off" in lines[0] and devices.XLA_ON_CPU in device.reason
    forced = devices.select_device(precision="mixed_bfloat16", jit_compile="on", verbose=False)
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16" and forced.jit_compile


def test_scaled_batch_keeps_the_schedule_per_epoch():
    improved = recipes.get_recipe("improved")
    big = train.scaled_for_batch(improved, 256)
    assert (big.batch_size, big.learning_rate) == (256, pytest.approx(improved.learning_rate * 4))
    assert (big.epochs, big.warmup_fraction) == (improved.epochs, improved.warmup_fraction)
    schedule = training.learning_rate_schedule(big, steps_per_epoch=100)  # 4x fewer steps than at batch 64
    assert float(schedule(300)) == pytest.approx(big.learning_rate)  # warmup: 10% of 30 x 100 steps
    seed = recipes.get_recipe("original")
    half = train.scaled_for_batch(seed, 32)
    before = training.learning_rate_schedule(seed, 700)(700 * 5) / seed.learning_rate
    after = training.learning_rate_schedule(half, 1400)(1400 * 5) / half.learning_rate
    assert float(after) == pytest.approx(float(before))  # Keras 2 decay: the same per epoch
    assert recipes.get_recipe("improved").batch_size == 64, "the default recipe is left as it is"
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        train.scaled_for_batch(improved, 0)


def test_cli_refuses_a_bad_scaled_batch(capsys, tmp_path):
    code = train.main(["-o", str(tmp_path / "x.png"), "-m", str(tmp_path / "x.keras"), "--scale-batch", "0",
                       "--data", "sample", "--results", str(tmp_path / "x.json")])
    assert code == 2 and capsys.readouterr().err.strip().startswith("error: batch_size must be an integer >= 1")


# --------------------------------------------------------------------------- training under each choice

@pytest.mark.parametrize("precision, compute", [("mixed_float16", "float16"), ("mixed_bfloat16", "bfloat16")])
def test_mixed_precision_trains_and_the_saved_model_predicts_float32(cifar_sample, tmp_path, precision, compute):
    (x, y), (x_test, _) = cifar_sample
    recipe = recipes.get_recipe("fast", epochs=1, batch_size=32, val_fraction=0.25)
    run = training.train("minivggnet", recipe, (x[:128], y[:128]), tmp_path / "run", seed=1, verbose=0,
                         precision=precision)
    assert run.device.precision == precision
    assert all(math.isfinite(v) for v in run.history["loss"] + run.history["val_loss"])
    convs = [layer for layer in training.models.core_model(run.model).layers if "conv" in layer.name]
    assert convs and all(layer.compute_dtype == compute for layer in convs)
    assert run.model.predict(x_test[:4], verbose=0).dtype == np.float32  # the softmax stays float32
    artifacts.save_model(run.model, tmp_path / "mixed.keras")  # as the train CLI saves it
    keras.mixed_precision.set_global_policy("float32")  # a reader loading the file elsewhere
    probs = keras.saving.load_model(tmp_path / "mixed.keras").predict(x_test[:4], verbose=0)
    assert probs.dtype == np.float32 and np.all(np.isfinite(probs))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-3)


def test_xla_forced_on_trains_on_cpu(cifar_sample, tmp_path):
    (x, y), _ = cifar_sample
    recipe = recipes.get_recipe("fast", epochs=1, batch_size=32, val_fraction=0.0)
    run = training.train("shallownet", recipe, (x[:64], y[:64]), tmp_path, seed=1, verbose=0, jit_compile="on")
    assert run.device.jit_compile and run.model.jit_compile is True
    assert len(run.history["loss"]) == 1 and math.isfinite(run.history["loss"][0])


def test_mirrored_strategy_over_two_logical_cpus(tmp_path):
    """The multi-device path: logical devices must be configured before TensorFlow initialises them,
    so this runs in a fresh process, through select_device and train with the strategy forced."""
    script = textwrap.dedent(f"""
        import json, sys
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from helpers import data, devices, recipes, training
        device = devices.select_device(devices=["/CPU:0", "/CPU:1"])
        (x, y), _ = data.load_sample("cifar10")
        recipe = recipes.get_recipe("fast", epochs=2, batch_size=64, val_fraction=0.1)
        run = training.train("shallownet", recipe, (x[:640], y[:640]), {str(tmp_path)!r}, device=device, verbose=0)
        print(json.dumps({{"replicas": device.strategy.num_replicas_in_sync, "kind": device.kind,
                          "strategy": type(device.strategy).__name__, "history": run.history}}))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    expected = devices.choose_precision("auto", [], devices.cpu_info()[1])[0]  # float32, or bfloat16 where native
    assert lines[0].startswith(f"Training on 2 devices (/CPU:0, /CPU:1) in {expected}") and "XLA off" in lines[0]
    out = json.loads(lines[-1])
    assert (out["replicas"], out["kind"], out["strategy"]) == (2, "multi-cpu", "MirroredStrategy")
    history = out["history"]
    assert len(history["loss"]) == len(history["val_accuracy"]) == 2
    assert all(math.isfinite(v) for v in history["loss"] + history["val_loss"])
    assert history["loss"][1] < history["loss"][0], "two epochs of training should lower the training loss"
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"] + history["val_accuracy"])
