"""An independent float64 re-implementation of Keras 3's fit loop, written from ../shared/KERAS_FACTS.md.

Deliberately naive (scalar rules, plain loops, no shared code with linnet) so that it can serve as the oracle
for the parity tests: same initial weights and batch order must give the same losses and weights.
"""

from __future__ import annotations

import math

import numpy as np


def rule(name: str, **hp):
    """Return ``step(w, g, state, t) -> w`` implementing one optimizer's documented update, elementwise."""
    lr = hp.get("learning_rate")

    def sgd(w, g, s, t):
        mu, nesterov = hp.get("momentum", 0.0), hp.get("nesterov", False)
        if mu == 0:
            return w - lr * g
        s["v"] = mu * s.get("v", 0.0) - lr * g
        return w + mu * s["v"] - lr * g if nesterov else w + s["v"]

    def rmsprop(w, g, s, t):
        rho, mom, eps = hp.get("rho", 0.9), hp.get("momentum", 0.0), hp.get("epsilon", 1e-7)
        s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
        if hp.get("centered", False):
            s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            den = s["v"] - s["a"] ** 2 + eps
        else:
            den = s["v"] + eps
        inc = lr * g / math.sqrt(den)
        if mom > 0:
            s["m"] = mom * s.get("m", 0.0) + inc
            return w - s["m"]
        return w - inc

    def adam(w, g, s, t):
        b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - b2)
        v = s["v"]
        if hp.get("amsgrad", False):
            s["vhat"] = max(s.get("vhat", 0.0), s["v"])
            v = s["vhat"]
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - alpha * s["m"] / (math.sqrt(v) + eps)

    def adagrad(w, g, s, t):
        s["acc"] = s.get("acc", hp.get("initial_accumulator_value", 0.1)) + g * g
        return w - lr * g / math.sqrt(s["acc"] + hp.get("epsilon", 1e-7))

    def adamax(w, g, s, t):
        b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["u"] = max(b2 * s.get("u", 0.0), abs(g))
        return w - lr * s["m"] / ((1 - b1 ** t) * (s["u"] + eps))

    def nadam(w, g, s, t):
        b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_prod = s["shared"]["u_prod"][t]  # product of u_1..u_t, shared by all variables
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - b2)
        m_hat = u_next * s["m"] / (1 - u_prod * u_next) + (1 - u_t) * g / (1 - u_prod)
        v_hat = s["v"] / (1 - b2 ** t)
        return w - lr * m_hat / (math.sqrt(v_hat) + eps)

    rules = {"sgd": sgd, "rmsprop": rmsprop, "adam": adam, "adamw": adam, "adagrad": adagrad,
             "adamax": adamax, "nadam": nadam}
    step = rules[name]
    weight_decay = hp.get("weight_decay", 0.004 if name == "adamw" else None)

    def apply(w, g, s, t):
        if weight_decay:
            w = w - w * weight_decay * lr
        return step(w, g, s, t)

    return apply


def fit(x, y, kernel, bias, *, optimizer: str, hp: dict, batch_size=32, epochs=1, validation_split=0.0):
    """Keras' fit with ``shuffle=False`` in float64; returns (losses, val_losses, kernel, bias)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    y = np.asarray(y, dtype=np.float64).ravel()
    w = list(np.asarray(kernel, dtype=np.float64).ravel()) + [float(bias)]
    split_at = math.floor(len(x) * (1.0 - validation_split)) if validation_split else len(x)
    xt, yt, xv, yv = x[:split_at], y[:split_at], x[split_at:], y[split_at:]
    update = rule(optimizer, **hp)
    shared = {"u_prod": _nadam_products(hp, 10_000)}
    states = [{"shared": shared} for _ in w]
    t, losses, val_losses = 0, [], []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(xt), batch_size):
            xb, yb = xt[start:start + batch_size], yt[start:start + batch_size]
            residual = xb @ np.array(w[:-1]) + w[-1] - yb
            total += float(np.mean(residual ** 2)) * len(xb)
            grads = [2.0 / len(xb) * float(residual @ xb[:, j]) for j in range(x.shape[1])]
            grads.append(2.0 / len(xb) * float(residual.sum()))
            t += 1
            w = [update(wi, gi, si, t) for wi, gi, si in zip(w, grads, states)]
        losses.append(total / len(xt))
        if len(xv):
            val_losses.append(float(np.mean((xv @ np.array(w[:-1]) + w[-1] - yv) ** 2)))
    return losses, val_losses, np.array(w[:-1]), w[-1]


def _nadam_products(hp, steps):
    b1 = hp.get("beta_1", 0.9)
    products, running = [1.0], 1.0
    for t in range(1, steps + 1):
        running *= b1 * (1 - 0.5 * 0.96 ** t)
        products.append(running)
    return products
