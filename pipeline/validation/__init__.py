"""Validation: predict published measurements through the same studies and walls as a sweep.

``measurements`` reads and checks the rows, ``predict`` turns them into configurations of
their studies and predicts them (at the profile's η, its band and a grid of η), ``accuracy``
scores the predictions, ``calibrate`` fits η per group, cross-validated by source, ``report`` writes
the Markdown and the scatter, ``directory`` writes a validation run; ``peers`` puts other
tools' predictions of the same rows beside ours.
"""

from pipeline.validation.accuracy import cv_summary, errors
from pipeline.validation.directory import VALIDATION_DIR, latest, run
from pipeline.validation.measurements import Measured, read_measurements
from pipeline.validation.predict import ETA_GRID, NODE_BATCHES, measurement_spec, predict
from pipeline.validation.serving_rows import SERVING_BATCHES

__all__ = ["ETA_GRID", "NODE_BATCHES", "SERVING_BATCHES", "VALIDATION_DIR", "Measured", "cv_summary", "errors",
           "latest", "measurement_spec", "predict", "read_measurements", "run"]
