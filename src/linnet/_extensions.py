"""The file extensions that say what a file holds, defined once for the files (``linnet.saving``) and for the
engine's ``ModelCheckpoint``, which checks its ``filepath`` when it is made, before ``saving`` is imported (the
engine may not import it: ``docs/architecture.md``)."""

KERAS_EXTENSION = ".keras"
"""Keras 3's model file: a zip of the config, the metadata and the weights (``saving/keras_file.py``)."""
MODEL_EXTENSIONS = (".linnet", KERAS_EXTENSION)
"""What ``model.save`` writes, chosen by the extension: linnet's format or Keras 3's (Keras 3 also refuses others)."""
WEIGHTS_EXTENSION = ".weights.h5"
"""Keras 3's weights file, what ``model.save_weights`` writes (``saving/weights_file.py``)."""
KERAS_2_EXTENSIONS = (".h5", ".hdf5")
"""Keras 2's HDF5 files, which linnet neither reads nor writes: named in the refusals, which say so."""
