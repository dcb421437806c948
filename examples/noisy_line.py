"""Tutorial 2, "Linear regression" with a single neuron: a noisy line ``y = x + 10·U(0, 1)`` on 51 points.

The tutorial's code with ``import tensorflow as tf`` changed to ``import linnet as tf``. The scrape lost the
lines that add the layer and compile the model; they are restored here (marked RESTORED) as a one-input
``Dense(1)`` trained with Adam at 0.1 on the mean squared error, for 200 epochs as the tutorial shows.
``plt.show()`` becomes a PNG file (ADAPTED) so that the script runs headless.
"""

from _output import save  # ADAPTED: headless figures

import linnet as tf
import numpy as np
import matplotlib.pyplot as plt
plt.style.use('ggplot')

x = np.linspace(0, 50, 51)
y = x + 10 * np.random.random((len(x)))

plt.scatter(x, y, label='Generated  data')
plt.legend()
save("noisy_line_data.png")  # ADAPTED: plt.show()

model = tf.keras.Sequential()
model.add(tf.keras.layers.Dense(1, input_shape=[1]))  # RESTORED
model.summary()
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.1), loss='mse')  # RESTORED

history = model.fit(x, y, epochs=200)

plt.plot(history.history['loss'])
save("noisy_line_loss.png")  # ADAPTED: plt.show()

y_pred_model = model.predict(x)
plt.scatter(x, y, label='Generated data')
plt.plot(x, y_pred_model, label='Predicted with model', color='c')
plt.legend()
save("noisy_line_fit.png")  # ADAPTED: plt.show()

layer = model.get_layer(index=0)
print(layer)
weights = layer.get_weights()
print(weights)
m, b = weights[0][0], weights[1]
print(m)
print(b)
y_pred_params = m * x + b
plt.scatter(x, y, label='Generated data')
plt.plot(x, y_pred_params, label='Line fitted using parameter values', color='c')
plt.legend()
save("noisy_line_params.png")  # ADAPTED: plt.show()

slope, intercept = np.polyfit(x, y, 1)  # not in the tutorial: the exact answer, for comparison
print(f"least squares: slope {slope:.4f}, intercept {intercept:.4f}")
