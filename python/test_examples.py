"""Smoke tests of examples/digits/train.py as a job runs it: metric lines, checkpoint and resume,
result.json, and the standalone fallback. Skipped where torch or scikit-learn is missing.

    /usr/bin/python3 -m unittest discover -s python -p 'test_*.py'
"""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = pathlib.Path(__file__).resolve().parent.parent
TRAIN = REPO / "examples" / "digits" / "train.py"
HAVE_DEPS = all(importlib.util.find_spec(m) is not None for m in ("torch", "sklearn"))


def metric_lines(stdout):
    prefix = "YARD_METRIC "
    return [json.loads(line[len(prefix):]) for line in stdout.splitlines()
            if line.startswith(prefix)]


@unittest.skipUnless(HAVE_DEPS, "needs torch and scikit-learn (python3-torch, python3-sklearn)")
class DigitsExampleTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = pathlib.Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def run_train(self, *args, script=TRAIN, env=None):
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith("YARD_") and k != "PYTHONPATH"}
        full_env["CUDA_VISIBLE_DEVICES"] = ""  # CPU: the same numbers everywhere
        full_env.update(env or {})
        proc = subprocess.run([sys.executable, str(script), *args], cwd=self.tmp, env=full_env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_metric_lines_checkpoint_resume_and_result(self):
        env = {"YARD_CHECKPOINT_DIR": str(self.tmp / "ck"),
               "YARD_OUTPUT_DIR": str(self.tmp / "out")}
        first = self.run_train("--lr", "0.1", "--hidden", "32", "--epochs", "2", env=env)
        lines = metric_lines(first)
        self.assertEqual([m["step"] for m in lines], [1, 2])
        for m in lines:
            self.assertEqual(set(m), {"step", "val_accuracy", "train_loss"})
            self.assertTrue(0.0 <= m["val_accuracy"] <= 1.0)
        self.assertTrue((self.tmp / "ck" / "checkpoint.pt").is_file())
        self.assertEqual(sorted(p.name for p in (self.tmp / "ck").iterdir()), ["checkpoint.pt"],
                         "no temporary files left behind")

        # Promoted to 3 epochs: it resumes after epoch 2 and runs only the third.
        resumed = self.run_train("--lr", "0.1", "--hidden", "32", "--epochs", "3", env=env)
        self.assertIn("resumed from epoch 2", resumed)
        self.assertEqual([m["step"] for m in metric_lines(resumed)], [3])

        # The same as three epochs in one go.
        straight = self.run_train("--lr", "0.1", "--hidden", "32", "--epochs", "3")
        self.assertEqual(metric_lines(resumed)[-1], metric_lines(straight)[-1])

        result = json.loads((self.tmp / "out" / "result.json").read_text())
        self.assertEqual(result["epochs_completed"], 3)
        self.assertEqual(result["final"]["val_accuracy"], metric_lines(resumed)[-1]["val_accuracy"])
        self.assertEqual(result["hparams"]["hidden"], 32)

    def test_hparams_from_env_and_standalone_fallback(self):
        # Copied alone, with no python/ folder beside it: it prints the lines itself.
        alone = self.tmp / "alone"
        alone.mkdir()
        shutil.copy(TRAIN, alone / "train.py")
        out = self.run_train(script=alone / "train.py",
                             env={"YARD_HPARAMS": json.dumps({"lr": 0.3, "hidden": 16,
                                                              "epochs": 2})})
        lines = metric_lines(out)
        self.assertEqual([m["step"] for m in lines], [1, 2])
        self.assertGreater(lines[-1]["val_accuracy"], 0.5)
        self.assertFalse((self.tmp / "checkpoints").exists(), "no checkpoints when unset")


if __name__ == "__main__":
    unittest.main()
