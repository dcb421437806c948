"""The ``.linnet`` model file: a zip of config, weights and metadata, written atomically and read with
every member checked (``model_file``)."""

from .model_file import ModelFileError, load_model, read_model_file, save_model

__all__ = ["ModelFileError", "load_model", "read_model_file", "save_model"]
