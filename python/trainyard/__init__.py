"""A tiny helper for training scripts run by Trainyard.

Trainyard needs no library in a job: a job reports a metric by printing one line on stdout,

    YARD_METRIC {"step": 3, "val_accuracy": 0.91}

and finds its hyperparameters and folders in environment variables. This module only wraps
those conventions (docs/architecture.md, "What a running job sees") so that a script reads
well. It uses the standard library alone, so a job can copy this file next to its script.

    import trainyard

    hp = trainyard.hparams()            # {"lr": 0.1, ...} from YARD_HPARAMS
    for epoch in range(1, hp.get("epochs", 10) + 1):
        ...
        trainyard.report(epoch, val_accuracy=acc, train_loss=loss)
    ckpt = trainyard.checkpoint_dir() / "model.pt"
"""

import json
import math
import numbers
import os
import pathlib
import sys

__all__ = ["METRIC_PREFIX", "hparams", "report", "format_metric_line", "checkpoint_dir",
           "output_dir"]

#: What starts a metric line on stdout; the worker looks for exactly this.
METRIC_PREFIX = "YARD_METRIC "


def hparams():
    """Return the job's hyperparameters: the JSON object in ``YARD_HPARAMS``.

    Returns an empty dict when the variable is unset or empty (a script run by hand).
    Raises ValueError when it holds something other than a JSON object.
    """
    text = os.environ.get("YARD_HPARAMS", "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"YARD_HPARAMS is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise ValueError(f"YARD_HPARAMS must be a JSON object, not {type(value).__name__}")
    return value


def _metric_value(name, value):
    """A metric as a JSON-ready number: NaN and infinities become None (JSON null)."""
    if hasattr(value, "item") and callable(value.item):  # numpy and torch scalars
        value = value.item()
    if isinstance(value, numbers.Integral):  # bool too: true is 1
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is None:
        return None
    raise TypeError(f"metric {name!r} must be a number, not {type(value).__name__}")


def format_metric_line(step, **metrics):
    """Return the metric line ``report`` would print, without the newline.

    ``step`` must be an integer (the epoch or the iteration). Each metric must be a number;
    NaN and infinite values are written as ``null`` so that the line stays valid JSON.
    """
    if hasattr(step, "item") and callable(step.item):
        step = step.item()
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step must be an integer, not {type(step).__name__}")
    record = {"step": int(step)}
    for name, value in metrics.items():
        record[name] = _metric_value(name, value)
    return METRIC_PREFIX + json.dumps(record, allow_nan=False)


def report(step, **metrics):
    """Print one metric line for ``step`` on stdout and flush it at once.

    >>> report(3, val_accuracy=0.91)
    YARD_METRIC {"step": 3, "val_accuracy": 0.91}
    """
    print(format_metric_line(step, **metrics), file=sys.stdout, flush=True)


def _dir_from_env(variable, default):
    path = pathlib.Path(os.environ.get(variable) or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def checkpoint_dir():
    """Return the folder for checkpoints, created if needed.

    Under Trainyard it is ``YARD_CHECKPOINT_DIR``, which survives retries, preemption and
    promotion: a job that finds a checkpoint there should resume from it. Run by hand, it is
    ``./checkpoints``.
    """
    return _dir_from_env("YARD_CHECKPOINT_DIR", "checkpoints")


def output_dir():
    """Return the folder for outputs kept after the job, created if needed.

    Under Trainyard it is ``YARD_OUTPUT_DIR``; run by hand, it is ``./outputs``.
    """
    return _dir_from_env("YARD_OUTPUT_DIR", "outputs")
