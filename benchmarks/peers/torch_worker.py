"""PyTorch: ``torch.nn.Linear(p, 1)`` trained by a hand-written loop of the same shape as ``Model.fit``.

Same semantics as Keras' ``fit``: float32 tensors, the last ``validation_split`` of the rows held out before
any shuffle, a fresh permutation per epoch when shuffling, batches of ``batch_size`` (the last one short), the
epoch's loss the batch-size-weighted mean of the batch losses, the validation loss on the final weights of
the epoch. Optimizer hyper-parameters are mapped onto Keras' defaults:

* RMSprop: ``alpha = rho = 0.9`` (torch's default is 0.99). Keras adds ``epsilon = 1e-7`` inside the square
  root, torch adds ``eps`` outside it; with ``eps = 1e-7`` the two differ by at most ``1e-7 / (2 sqrt(v))``.
* Adam: ``betas = (0.9, 0.999)``. Keras' ``epsilon`` equals torch's ``eps * sqrt(1 - beta_2**t)``; torch's
  ``eps = 1e-7`` (its default is 1e-8) makes them equal as ``t`` grows and differ by under 1e-7 before.
* SGD: no momentum, identical.
"""

import _harness


def import_framework():
    import torch

    return torch


def train(torch, spec, x, y, clock) -> dict:
    if spec.kind != "fit":
        raise _harness.Unsupported("PyTorch has no exact least-squares solver in this comparison")
    from workloads import training_rows

    torch.manual_seed(0)
    model = torch.nn.Linear(x.shape[1], 1)
    kernel, bias = _harness.start_weights(x.shape[1])
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(kernel.T))
        model.bias.copy_(torch.from_numpy(bias))
    optimizer = _optimizer(torch, spec, model.parameters())
    with clock:
        train_rows, validation_rows = (_tensors(torch, *rows) for rows in training_rows(x, y, spec))
        loss, val_loss = _fit(torch, model, optimizer, spec, train_rows, validation_rows)
    return {"loss": loss, "val_loss": val_loss, "coef": model.weight.detach().numpy().ravel(),
            "intercept": float(model.bias.detach()[0])}


def _optimizer(torch, spec, parameters):
    if spec.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=spec.learning_rate, alpha=0.9, eps=1e-7)
    if spec.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=spec.learning_rate, betas=(0.9, 0.999), eps=1e-7)
    return torch.optim.SGD(parameters, lr=spec.learning_rate)


def _tensors(torch, x, y):
    import numpy as np

    return torch.from_numpy(np.asarray(x, dtype=np.float32)), torch.from_numpy(np.asarray(y, dtype=np.float32)[:, None])


def _fit(torch, model, optimizer, spec, train_rows, validation_rows):
    (x, y), (x_val, y_val) = train_rows, validation_rows
    mse = torch.nn.functional.mse_loss
    loss, val_loss = None, None
    for _ in range(spec.epochs):
        order = torch.randperm(len(x)) if spec.shuffle else None
        total = 0.0
        for start in range(0, len(x), spec.batch_size):
            rows = order[start:start + spec.batch_size] if order is not None else slice(start, start + spec.batch_size)
            x_batch, y_batch = x[rows], y[rows]
            optimizer.zero_grad()
            batch_loss = mse(model(x_batch), y_batch)
            batch_loss.backward()
            optimizer.step()
            total += batch_loss.item() * len(x_batch)
        loss = total / len(x)
        if len(x_val):
            with torch.no_grad():
                val_loss = mse(model(x_val), y_val).item()
    return loss, val_loss


if __name__ == "__main__":
    _harness.main(import_framework, train)
