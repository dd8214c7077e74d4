"""Unit tests for the trainyard helper: /usr/bin/python3 -m unittest discover -s python"""

import contextlib
import io
import json
import os
import pathlib
import tempfile
import unittest
from unittest import mock

import trainyard


def _parse(line):
    assert line.startswith("YARD_METRIC "), line
    return json.loads(line[len("YARD_METRIC "):])


class HparamsTest(unittest.TestCase):
    def test_unset_is_empty(self):
        with mock.patch.dict(os.environ, clear=True):
            self.assertEqual(trainyard.hparams(), {})

    def test_empty_is_empty(self):
        with mock.patch.dict(os.environ, {"YARD_HPARAMS": "  "}):
            self.assertEqual(trainyard.hparams(), {})

    def test_parses_json_object(self):
        env = {"YARD_HPARAMS": '{"lr": 0.1, "hidden": 32, "opt": "sgd"}'}
        with mock.patch.dict(os.environ, env):
            self.assertEqual(trainyard.hparams(), {"lr": 0.1, "hidden": 32, "opt": "sgd"})

    def test_rejects_bad_json(self):
        with mock.patch.dict(os.environ, {"YARD_HPARAMS": "{lr: 0.1"}):
            with self.assertRaisesRegex(ValueError, "not valid JSON"):
                trainyard.hparams()

    def test_rejects_non_object(self):
        with mock.patch.dict(os.environ, {"YARD_HPARAMS": "[1, 2]"}):
            with self.assertRaisesRegex(ValueError, "JSON object"):
                trainyard.hparams()


class ReportTest(unittest.TestCase):
    def _report(self, *args, **kwargs):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertIsNone(trainyard.report(*args, **kwargs))
        text = out.getvalue()
        self.assertTrue(text.endswith("\n"))
        self.assertEqual(text.count("\n"), 1, "one line per report")
        self.assertEqual(text[:-1], trainyard.format_metric_line(*args, **kwargs))
        return text[:-1]

    def test_exact_format(self):
        line = self._report(3, val_accuracy=0.91, train_loss=0.25)
        self.assertEqual(line,
                         'YARD_METRIC {"step": 3, "val_accuracy": 0.91, "train_loss": 0.25}')

    def test_step_only(self):
        self.assertEqual(self._report(0), 'YARD_METRIC {"step": 0}')

    def test_non_finite_become_null(self):
        line = self._report(1, a=float("nan"), b=float("inf"), c=float("-inf"), d=1.5)
        self.assertNotIn("NaN", line)
        self.assertNotIn("Infinity", line)
        self.assertEqual(_parse(line), {"step": 1, "a": None, "b": None, "c": None, "d": 1.5})

    def test_integers_stay_integers(self):
        self.assertEqual(_parse(self._report(2, tokens=1024)), {"step": 2, "tokens": 1024})

    def test_booleans_become_numbers(self):
        self.assertEqual(self._report(2, diverged=True), 'YARD_METRIC {"step": 2, "diverged": 1}')

    def test_scalar_objects_with_item(self):
        class Scalar:  # stands in for a numpy or torch scalar
            def __init__(self, v):
                self.v = v

            def item(self):
                return self.v

        line = self._report(Scalar(4), loss=Scalar(0.5), bad=Scalar(float("nan")))
        self.assertEqual(_parse(line), {"step": 4, "loss": 0.5, "bad": None})

    def test_rejects_bad_step(self):
        for step in (1.5, "3", None, True):
            with self.subTest(step=step):
                with self.assertRaises(TypeError):
                    trainyard.format_metric_line(step, loss=1.0)

    def test_rejects_non_numeric_metric(self):
        with self.assertRaisesRegex(TypeError, "metric 'name'"):
            trainyard.format_metric_line(1, name="resnet")

    def test_flushes(self):
        class Recorder(io.StringIO):
            flushed = 0

            def flush(self):
                Recorder.flushed += 1
                super().flush()

        out = Recorder()
        with contextlib.redirect_stdout(out):
            trainyard.report(1, loss=0.1)
        self.assertGreaterEqual(Recorder.flushed, 1)


class DirsTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = pathlib.Path(self._tmp.name)
        self._cwd = os.getcwd()
        os.chdir(self.tmp)

    def tearDown(self):
        os.chdir(self._cwd)
        self._tmp.cleanup()

    def test_from_env_and_created(self):
        env = {"YARD_CHECKPOINT_DIR": str(self.tmp / "ck" / "job7"),
               "YARD_OUTPUT_DIR": str(self.tmp / "out" / "job7")}
        with mock.patch.dict(os.environ, env):
            ck, out = trainyard.checkpoint_dir(), trainyard.output_dir()
        self.assertIsInstance(ck, pathlib.Path)
        self.assertEqual(ck, self.tmp / "ck" / "job7")
        self.assertEqual(out, self.tmp / "out" / "job7")
        self.assertTrue(ck.is_dir())
        self.assertTrue(out.is_dir())

    def test_existing_dir_is_fine(self):
        (self.tmp / "exists").mkdir()
        with mock.patch.dict(os.environ, {"YARD_OUTPUT_DIR": str(self.tmp / "exists")}):
            self.assertEqual(trainyard.output_dir(), self.tmp / "exists")

    def test_local_defaults_when_unset(self):
        with mock.patch.dict(os.environ, clear=True):
            ck, out = trainyard.checkpoint_dir(), trainyard.output_dir()
        self.assertEqual(ck.resolve(), (self.tmp / "checkpoints").resolve())
        self.assertEqual(out.resolve(), (self.tmp / "outputs").resolve())
        self.assertTrue(ck.is_dir())
        self.assertTrue(out.is_dir())

    def test_empty_variable_means_unset(self):
        with mock.patch.dict(os.environ, {"YARD_CHECKPOINT_DIR": ""}):
            self.assertEqual(trainyard.checkpoint_dir().resolve(),
                             (self.tmp / "checkpoints").resolve())


if __name__ == "__main__":
    unittest.main()
