"""Keras 3 on the TensorFlow backend, the reference the tutorials were written for."""

import os

import _harness
import _keras_api

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def import_framework():
    import keras

    return keras


def train(keras, spec, x, y, clock) -> dict:
    if spec.kind != "fit":
        raise _harness.Unsupported("Keras has no exact least-squares solver")
    return _keras_api.train(keras, spec, x, y, clock)


if __name__ == "__main__":
    _harness.main(import_framework, train)
