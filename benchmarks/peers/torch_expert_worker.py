"""PyTorch as an expert would write the one-neuron SGD epoch: no autograd, no ``nn.Module``.

The analytic gradient of the mean squared error on the design ``[x, 1]`` (built once, inside the timed fit, as
linnet builds it)::

    r = X_b θ − y_b,    loss_b = rᵀr / B,    θ ← θ − (2η / B) X_bᵀ r

with the update in place, preallocated batch buffers filled by ``torch.index_select(..., out=)``, the batch
losses summed in a tensor (no ``.item()`` per step), everything under ``torch.inference_mode()``, and
``torch.set_num_threads(2)`` (the machine's cores). A fresh ``torch.randperm`` per epoch when shuffling; the last
batch is short, as in Keras. SGD only (the large workloads): other optimizers are reported unsupported.
"""

import _harness


def import_framework():
    import torch

    torch.set_num_threads(2)
    return torch


def train(torch, spec, x, y, clock) -> dict:
    if spec.kind != "fit" or spec.optimizer != "sgd":
        raise _harness.Unsupported("the expert loop is plain SGD on the mean squared error")
    import numpy as np
    from workloads import training_rows

    kernel, bias = _harness.start_weights(x.shape[1])
    with clock, torch.inference_mode():
        (x_train, y_train), _ = training_rows(x, y, spec)
        design = torch.ones(len(x_train), x.shape[1] + 1)
        design[:, :-1] = torch.from_numpy(np.asarray(x_train, dtype=np.float32))
        target = torch.from_numpy(np.asarray(y_train, dtype=np.float32).reshape(-1, 1))
        theta = torch.from_numpy(np.vstack([kernel, bias[:, None]]).astype(np.float32))
        loss = _epochs(torch, spec, design, target, theta)
    weights = theta.numpy().ravel()
    return {"loss": loss, "coef": weights[:-1], "intercept": float(weights[-1])}


def _epochs(torch, spec, design, target, theta) -> float:
    n, size = design.shape[0], spec.batch_size
    rows, column = torch.empty(size, design.shape[1]), torch.empty(size, 1)
    residual, gradient = torch.empty(size, 1), torch.empty_like(theta)
    loss = 0.0
    for _ in range(spec.epochs):
        order = torch.randperm(n) if spec.shuffle else torch.arange(n)
        total = torch.zeros(())
        for start in range(0, n, size):
            index = order[start:start + size]
            b = index.shape[0]
            xb, yb, rb = (rows, column, residual) if b == size else (rows[:b], column[:b], residual[:b])
            torch.index_select(design, 0, index, out=xb)
            torch.index_select(target, 0, index, out=yb)
            torch.mm(xb, theta, out=rb).sub_(yb)
            total.add_(torch.dot(rb.view(-1), rb.view(-1)))
            torch.mm(xb.t(), rb, out=gradient)
            theta.sub_(gradient, alpha=2.0 * spec.learning_rate / b)
        loss = float(total) / n
    return loss


if __name__ == "__main__":
    _harness.main(import_framework, train)
