"""What Keras 3.15.1 did, recorded by ``tests/tools/record_keras_model_api.py`` (TensorFlow backend) into
``fixtures/keras_model_api.json`` and two weights files, for the tests of Keras' model-file API."""

import inspect
import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).with_name("fixtures")
RECORDED = json.loads((FIXTURES / "keras_model_api.json").read_text())
X = np.array(RECORDED["data"]["x"], np.float32)
Y = np.array(RECORDED["data"]["y"], np.float32)


def unannotated(function) -> str:
    """``function``'s signature as Keras' (which has no annotations) prints."""
    signature = inspect.signature(function)
    parameters = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))
