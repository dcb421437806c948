"""Callbacks with Keras' hook names: ``on_train_begin``, ``on_epoch_end(epoch, logs)``, ...

``base`` holds the protocol (``Callback``, ``CallbackList``) and ``History``, attached to every ``fit``;
``training`` the callbacks that act on a run; ``monitor`` those that watch one logged quantity
(``EarlyStopping``, ``ReduceLROnPlateau``, ``ModelCheckpoint``); ``optimum`` the one that stops at the
least-squares loss (``StopAtOptimum``, a linnet extension). They take Keras 3's arguments and make
Keras 3's decisions (``keras/src/callbacks``).
"""

from .base import Callback, CallbackList, History
from .live import LiveLossPlot
from .monitor import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from .optimum import StopAtOptimum
from .training import CSVLogger, LambdaCallback, LearningRateScheduler, ParameterHistory, TerminateOnNaN

__all__ = [
           "CSVLogger",
           "Callback",
           "CallbackList",
           "EarlyStopping",
           "History",
           "LambdaCallback",
           "LearningRateScheduler",
           "LiveLossPlot",
           "ModelCheckpoint",
           "ParameterHistory",
           "ReduceLROnPlateau",
           "StopAtOptimum",
           "TerminateOnNaN",
]
