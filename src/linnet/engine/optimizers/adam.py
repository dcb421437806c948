"""The Adam family: Adam (and AMSGrad), AdamW, Adamax and Nadam, sharing their moment estimates."""

from __future__ import annotations

import numpy as np

from ..._validation import boolean, float32_number
from ._arguments import F32, HALF, NADAM_DECAY, ONE, constant, decay_rate
from .base import Optimizer


class _MovingMoments(Optimizer):
    """What Adam, Adamax and Nadam share: ``beta_1``, ``beta_2``, ``epsilon`` and Keras' moving averages."""

    _hyper_parameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = decay_rate(beta_1, "beta_1")
        self.beta_2 = decay_rate(beta_2, "beta_2")
        self.epsilon = float32_number(epsilon, "epsilon", low=0.0)

    def _slot_specs(self):
        return {"momentum": 0.0, "velocity": 0.0}

    def _prepare(self):
        self._beta_1, self._beta_2 = F32(self.beta_1), F32(self.beta_2)  # scalars for the powers beta**t
        self._beta_2_array = constant(self.beta_2)
        self._one_minus_beta_1, self._one_minus_beta_2 = constant(1.0 - self.beta_1), constant(1.0 - self.beta_2)
        self._epsilon = constant(self.epsilon)

    def _update_moments(self, grads, *, second=True):
        """``m += (g - m) * (1 - beta_1)``, then ``v += (g**2 - v) * (1 - beta_2)`` unless ``second`` is False."""
        first, temporary = self._slots["momentum"], self._scratch[0]
        np.subtract(grads, first, temporary)
        np.multiply(temporary, self._one_minus_beta_1, temporary)
        np.add(first, temporary, first)
        if not second:
            return first, None
        velocity = self._slots["velocity"]
        np.multiply(grads, grads, temporary)
        np.subtract(temporary, velocity, temporary)
        np.multiply(temporary, self._one_minus_beta_2, temporary)
        np.add(velocity, temporary, velocity)
        return first, velocity


class Adam(_MovingMoments):
    """Adam (Kingma & Ba, 2014, https://arxiv.org/abs/1412.6980), with the bias correction in the step size.

    ```python
    t = iterations + 1
    m = m + (g - m) * (1 - beta_1)
    v = v + (g**2 - v) * (1 - beta_2)
    v_hat = max(v_hat, v); v = v_hat             # amsgrad only (Reddi et al., 2018)
    alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w = w - alpha * m / (sqrt(v) + epsilon)      # epsilon added to the uncorrected sqrt(v)
    ```

    Keras' ``epsilon`` is the paper's "epsilon hat"; it equals PyTorch's ``eps * sqrt(1 - beta_2**t)``.

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable, default 0.001
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
    epsilon : float >= 0, default 1e-7
    amsgrad : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
        ``ema_overwrite_frequency``, ``gradient_accumulation_steps``, ``name`` (see ``Optimizer``).
    """

    _hyper_parameters = _MovingMoments._hyper_parameters + ("amsgrad",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = boolean(amsgrad, "amsgrad")

    def _slot_specs(self):
        return {**super()._slot_specs(), **({"velocity_hat": 0.0} if self.amsgrad else {})}

    def update_step(self, params, grads, lr):
        t = F32(self.iterations + 1)
        alpha = lr[()] * np.sqrt(ONE - self._beta_2 ** t) / (ONE - self._beta_1 ** t)
        first, velocity = self._update_moments(grads)
        if self.amsgrad:
            velocity = np.maximum(self._slots["velocity_hat"], velocity, out=self._slots["velocity_hat"])
        update, denominator = self._scratch
        np.sqrt(velocity, denominator)
        np.add(denominator, self._epsilon, denominator)
        np.multiply(first, alpha, update)
        np.divide(update, denominator, update)
        np.subtract(params, update, params)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019, https://arxiv.org/abs/1711.05101).

    ```python
    w = w - w * weight_decay * lr                # every variable, bias included, before the Adam step
    # ... then exactly the Adam rule
    ```

    Parameters as ``Adam``, plus ``weight_decay`` (float >= 0, default 0.004, must not be None).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW needs weight_decay (a float >= 0); use Adam for no decay. "
                             "Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class Adamax(_MovingMoments):
    """Adamax, Adam with the infinity norm (Kingma & Ba, 2014, section 7.1).

    ```python
    t = iterations + 1
    m = m + (g - m) * (1 - beta_1)
    u = max(beta_2 * u, abs(g))
    w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))
    ```

    Parameters as ``Adam`` without ``amsgrad``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _slot_specs(self):
        return {"momentum": 0.0, "norm": 0.0}

    def update_step(self, params, grads, lr):
        correction = ONE - self._beta_1 ** F32(self.iterations + 1)
        first, _ = self._update_moments(grads, second=False)
        update, denominator = self._scratch
        norm = self._slots["norm"]
        np.multiply(norm, self._beta_2_array, norm)
        np.abs(grads, update)
        np.maximum(norm, update, out=norm)
        np.add(norm, self._epsilon, denominator)
        np.multiply(denominator, correction, denominator)
        np.multiply(first, lr, update)
        np.divide(update, denominator, update)
        np.subtract(params, update, params)


class Nadam(_MovingMoments):
    """Nadam, Adam with Nesterov momentum (Dozat, 2016, http://cs229.stanford.edu/proj2015/054_report.pdf).

    ```python
    t = iterations + 1
    u_t  = beta_1 * (1 - 0.5 * 0.96**t)
    u_t1 = beta_1 * (1 - 0.5 * 0.96**(t + 1))
    u_product = u_product * u_t                  # shared, starts at 1, once per step
    m = m + (g - m) * (1 - beta_1)
    v = v + (g**2 - v) * (1 - beta_2)
    m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
    v_hat = v / (1 - beta_2**t)
    w = w - lr * m_hat / (sqrt(v_hat) + epsilon) # epsilon outside the square root
    ```

    Parameters as ``Adam`` without ``amsgrad``. ``variables()`` includes the scalar ``u_product``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def build(self, sizes, names=None):
        was_built = self.built
        super().build(sizes, names)
        if not was_built:
            self._slots["u_product"] = np.ones(1, F32)

    def update_step(self, params, grads, lr):
        t, t_next, beta_1 = F32(self.iterations + 1), F32(self.iterations + 2), self._beta_1
        u_t = beta_1 * (ONE - HALF * NADAM_DECAY ** t)
        u_t1 = beta_1 * (ONE - HALF * NADAM_DECAY ** t_next)
        product = self._slots["u_product"]
        product[0] = product[0] * beta_1 * (ONE - HALF * NADAM_DECAY ** t)  # Keras' association
        u_product, u_product_next = product[0], product[0] * u_t1
        first, velocity = self._update_moments(grads)
        m_hat, v_hat = self._scratch
        np.multiply(first, u_t1, m_hat)
        np.divide(m_hat, ONE - u_product_next, m_hat)
        np.multiply(grads, ONE - u_t, v_hat)
        np.divide(v_hat, ONE - u_product, v_hat)
        np.add(m_hat, v_hat, m_hat)
        np.divide(velocity, ONE - self._beta_2 ** t, v_hat)
        np.sqrt(v_hat, v_hat)
        np.add(v_hat, self._epsilon, v_hat)
        np.multiply(m_hat, lr, m_hat)
        np.divide(m_hat, v_hat, m_hat)
        np.subtract(params, m_hat, params)
