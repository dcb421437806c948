"""Tutorial 4, "Linear Regression using Neural Networks – A New Way": a two-input plane with SGD.

The tutorial's code with ``import tensorflow as tf`` changed to ``import linnet as tf``. Its data and model
lines were lost in the scrape and are restored (RESTORED) from the text: 1000 samples, y = 2·xs − 3·zs + 5 +
noise, saved to and loaded from ``.npz``; SGD at 0.02 for 100 epochs. ADAPTED: the RMSE line used
scikit-learn's ``mean_squared_error(..., squared=False)`` (removed in scikit-learn 1.6) on rounded targets; here
it is the RMSE of the model's predictions, computed with NumPy. Figures are written as PNG files.
"""

from _output import OUT, save  # ADAPTED: headless figures

import numpy as np
import matplotlib.pyplot as plt
import linnet as tf

observations = 1000  # RESTORED (data generation)
xs = np.random.uniform(low=-10, high=10, size=(observations, 1))
zs = np.random.uniform(-10, 10, (observations, 1))
generated_inputs = np.column_stack((xs, zs))
noise = np.random.uniform(-1, 1, (observations, 1))
generated_targets = 2 * xs - 3 * zs + 5 + noise
np.savez(OUT / 'TF_intro', inputs=generated_inputs, targets=generated_targets)

training_data = np.load(OUT / 'TF_intro.npz')
input_size = 2
output_size = 1
models = tf.keras.Sequential([  # RESTORED (model)
    tf.keras.layers.Dense(output_size, input_shape=[input_size])
])
custom_optimizer = tf.keras.optimizers.SGD(learning_rate=0.02)
models.compile(optimizer=custom_optimizer, loss='mean_squared_error')
models.fit(training_data['inputs'], training_data['targets'], epochs=100, verbose=0)

print(models.layers[0].get_weights())
weights = models.layers[0].get_weights()[0]
bias = models.layers[0].get_weights()[1]

out = models.predict_on_batch(training_data['inputs'])
rmse = np.sqrt(np.mean((training_data['targets'] - out) ** 2))  # ADAPTED (see the docstring)
print(f"RMSE: {rmse:.4f}")

plt.scatter(np.squeeze(out), np.squeeze(training_data['targets']), c='#88c999')
plt.xlabel('Input data')
plt.ylabel('Predicted Output')
save("plane_predictions.png")
