"""Keras 3's ``model.summary()`` table, drawn with the same box characters and widths."""

from __future__ import annotations

import numpy as np

from .. import _html

WIDTHS = (33, 24, 15)
HEADERS = ("Layer (type)", "Output Shape", "Param #")


def readable_size(n_bytes: float) -> str:
    """Keras' ``readable_memory_size``: base 1024, two decimals (``8.00 B``, ``1.50 KB``)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def _rule(left: str, fill: str, joint: str, right: str) -> str:
    return left + joint.join(fill * width for width in WIDTHS) + right


def _row(cells, bar: str) -> str:
    name, shape, count = cells
    return (f"{bar} {name:<{WIDTHS[0] - 2}} {bar} {shape:<{WIDTHS[1] - 2}} {bar} "
            f"{count:>{WIDTHS[2] - 2}} {bar}")


def _layer_rows(model) -> list[tuple[str, str, str]]:
    rows, dim = [], model.declared_input_dim
    for layer in model.layers:
        if dim is not None:
            dim = layer.output_dim(dim)
        count = sum(int(np.size(w)) for w in layer.get_weights()) if model.built else 0
        shape = f"(None, {dim})" if dim is not None else "?"
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, f"{count:,}" if model.built else "0 (unbuilt)"))
    return rows


class ModelSummary:
    """``model.summary()``: Keras' table as text (``str``), and as an HTML table in a notebook.

    ``build`` builds a model whose input shape is declared and whose stack ends with one unit, as Keras'
    ``summary()`` builds it (a stack mid-way, such as a lone ``Normalization`` after ``pop``, is shown unbuilt); the
    notebook display of a model passes False, so that looking at a model never changes it.
    """

    def __init__(self, model, build: bool = True):
        if build and not model.built:
            model._build_if_complete()
        self.model = model
        self.rows = _layer_rows(model)

    def __str__(self) -> str:
        return render_summary(self.model)

    __repr__ = __str__
    _repr_html_ = _html.html


def render_summary(model) -> str:
    trainable = 0
    if model.built:
        trainable = sum(int(np.size(w)) for layer in model.layers
                        for w in layer.get_weights()[:len(layer.trainable_names)])
    total = model.count_params() if model.built else 0
    lines = [f'Model: "{model.name}"', _rule("┏", "━", "┳", "┓"), _row(HEADERS, "┃"), _rule("┡", "━", "╇", "┩")]
    rows = _layer_rows(model)
    for i, cells in enumerate(rows):
        lines.append(_row(cells, "│"))
        if i < len(rows) - 1:
            lines.append(_rule("├", "─", "┼", "┤"))
    lines.append(_rule("└", "─", "┴", "┘"))
    optimizer = model.optimizer if model.optimizer is not None and model.optimizer.built else None
    opt_count, opt_bytes = optimizer.summary_counts() if optimizer else (0, 0)
    lines += [f" Total params: {total + opt_count:,} ({readable_size(4 * total + opt_bytes)})",
              f" Trainable params: {trainable:,} ({readable_size(4 * trainable)})",
              f" Non-trainable params: {total - trainable:,} ({readable_size(4 * (total - trainable))})"]
    if optimizer:
        lines.append(f" Optimizer params: {opt_count:,} ({readable_size(opt_bytes)})")
    return "\n".join(lines)
