#!/usr/bin/python3
"""Train a small MLP on scikit-learn's bundled 8x8 digits: the Trainyard example job.

Fast on one CPU thread (an epoch takes a few milliseconds), deterministic for a seed, and
sensitive enough to the learning rate that a sweep's ranking means something.

It follows the job contract in docs/architecture.md:
- one metric line per epoch on stdout: YARD_METRIC {"step": E, "val_accuracy": ..., ...};
- YARD_CHECKPOINT_DIR, when set: a checkpoint after every epoch, and a resume from it at start;
- YARD_OUTPUT_DIR, when set: result.json with the summary at the end;
- flags not given on the command line come from YARD_HPARAMS, then from the defaults.

    /usr/bin/python3 examples/digits/train.py --lr 0.1 --hidden 128 --epochs 15
"""

import argparse
import json
import math
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent

# The helper lives in the repository's python/ folder; a job that got only this folder (a
# `code: .` snapshot) falls back to printing the metric lines itself.
sys.path.insert(0, str(HERE.parent.parent / "python"))
try:
    import trainyard
except ImportError:
    trainyard = None

import torch  # noqa: E402  (after the sys.path change on purpose)
from torch import nn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

CHECKPOINT_NAME = "checkpoint.pt"
SPLIT_SEED = 0  # the train/val split never changes, whatever --seed says


def _finite_or_none(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def report(step, **metrics):
    """One YARD_METRIC line on stdout, through the helper when it is importable."""
    if trainyard is not None:
        trainyard.report(step, **metrics)
        return
    record = {"step": int(step)}
    record.update({k: _finite_or_none(float(v)) for k, v in metrics.items()})
    print("YARD_METRIC " + json.dumps(record, allow_nan=False), flush=True)


def load_hparams():
    """YARD_HPARAMS as a dict ({} when unset), used as defaults for the flags."""
    if trainyard is not None:
        return trainyard.hparams()
    text = os.environ.get("YARD_HPARAMS", "").strip()
    return json.loads(text) if text else {}


def parse_args(argv=None):
    hp = load_hparams()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=float(hp.get("lr", 0.1)),
                   help="learning rate (default 0.1)")
    p.add_argument("--hidden", type=int, default=int(hp.get("hidden", 128)),
                   help="hidden units (default 128)")
    p.add_argument("--epochs", type=int, default=int(hp.get("epochs", 15)),
                   help="epochs to train in all, counting resumed ones (default 15)")
    p.add_argument("--batch-size", type=int, default=int(hp.get("batch_size", 64)),
                   help="minibatch size (default 64)")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default=hp.get("optimizer", "sgd"),
                   help="sgd (momentum 0.9, the default) or adam")
    p.add_argument("--seed", type=int, default=int(hp.get("seed", 0)),
                   help="seed for initialisation and shuffling (default 0)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                   help="auto: CUDA when available and CUDA_VISIBLE_DEVICES names a GPU")
    args = p.parse_args(argv)
    if args.epochs < 0 or args.hidden < 1 or args.batch_size < 1 or not args.lr > 0:
        p.error("need --epochs >= 0, --hidden >= 1, --batch-size >= 1 and --lr > 0")
    return args


def pick_device(choice):
    if choice != "auto":
        return torch.device(choice)
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if visible and visible not in ("-1", "none", "void", "NoDevFiles") and \
            torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def load_data(device):
    digits = load_digits()
    x = digits.data.astype("float32") / 16.0  # pixels are 0..16
    y = digits.target.astype("int64")
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=SPLIT_SEED,
                                              stratify=y)
    return tuple(torch.from_numpy(a).to(device) for a in (x_tr, y_tr, x_va, y_va))


def build(args, device):
    torch.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(64, args.hidden), nn.ReLU(), nn.Linear(args.hidden, 10))
    model.to(device)
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    return model, opt


def save_checkpoint(path, state):
    """Write to a temporary file next to PATH, then rename: a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    torch.save(state, tmp)
    os.replace(tmp, path)


def try_resume(path, args, model, opt, gen):
    """Load PATH if it is there and fits this model; return the epochs it had completed."""
    if not path.is_file():
        return 0, {}
    state = torch.load(path, map_location="cpu")
    saved = state.get("config", {})
    mine = {"hidden": args.hidden, "optimizer": args.optimizer}
    if any(saved.get(k) != v for k, v in mine.items()):
        print(f"checkpoint {path} is for {saved}, not {mine}: starting from scratch",
              file=sys.stderr, flush=True)
        return 0, {}
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    for group in opt.param_groups:  # a resumed job may have been given another lr
        group["lr"] = args.lr
    gen.set_state(state["generator"])
    epoch = int(state["epoch"])
    print(f"resumed from epoch {epoch} ({path})", flush=True)
    return epoch, state.get("history", {})


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).sum().item() / len(y)
    return acc, loss


def train_epoch(model, opt, x, y, batch_size, gen):
    model.train()
    order = torch.randperm(len(x), generator=gen).to(x.device)
    total, count = 0.0, 0
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        count += len(idx)
    return total / count


def write_result(args, device, history, seconds):
    out = os.environ.get("YARD_OUTPUT_DIR")
    if not out:
        return
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    best_step = max(history, key=lambda s: history[s]["val_accuracy"] or -1.0, default=None)
    last_step = max(history, default=None)
    result = {
        "hparams": {"lr": args.lr, "hidden": args.hidden, "epochs": args.epochs,
                    "batch_size": args.batch_size, "optimizer": args.optimizer,
                    "seed": args.seed},
        "device": str(device),
        "epochs_completed": last_step or 0,
        "final": history.get(last_step, {}),
        "best_step": best_step,
        "best_val_accuracy": history[best_step]["val_accuracy"] if best_step is not None else None,
        "seconds": round(seconds, 3),
    }
    tmp = out / ".result.json.tmp"
    tmp.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    os.replace(tmp, out / "result.json")


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)  # several trials share a small machine
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    started = time.monotonic()
    device = pick_device(args.device)
    x_tr, y_tr, x_va, y_va = load_data(device)
    model, opt = build(args, device)
    gen = torch.Generator().manual_seed(args.seed)

    ckpt_dir = os.environ.get("YARD_CHECKPOINT_DIR")
    ckpt_path = None
    first, history = 0, {}
    if ckpt_dir:
        ckpt_path = pathlib.Path(ckpt_dir) / CHECKPOINT_NAME
        ckpt_path.parent.mkdir(parents=True, exist_ok=True)
        first, history = try_resume(ckpt_path, args, model, opt, gen)
        history = {int(k): v for k, v in history.items()}

    if first and first >= args.epochs:
        # Already trained this far (e.g. a retry after the last checkpoint): report where the
        # model stands so that the job still ends with its metrics.
        acc, _ = evaluate(model, x_va, y_va)
        train_loss = history.get(first, {}).get("train_loss")
        report(first, val_accuracy=round(acc, 6),
               train_loss=float("nan") if train_loss is None else train_loss)

    for epoch in range(first + 1, args.epochs + 1):
        train_loss = train_epoch(model, opt, x_tr, y_tr, args.batch_size, gen)
        acc, _ = evaluate(model, x_va, y_va)
        acc, train_loss = round(acc, 6), round(train_loss, 6)
        history[epoch] = {"val_accuracy": acc, "train_loss": _finite_or_none(train_loss)}
        if ckpt_path is not None:
            save_checkpoint(ckpt_path, {
                "epoch": epoch,
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "generator": gen.get_state(),
                "config": {"hidden": args.hidden, "optimizer": args.optimizer},
                "history": history,
            })
        report(epoch, val_accuracy=acc, train_loss=train_loss)

    write_result(args, device, history, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
