"""Tutorial 3, "Machine Learning Crash Course – Part 2: Linear Regression": recover y = 2x + 30 with Adam.

The tutorial's code with ``import tensorflow as tf`` changed to ``import linnet as tf``. The scrape lost the
compile line and part of the fit line; they are restored (RESTORED) as the tutorial describes them: mean
squared error, Adam at 0.1, 500 epochs, quiet. Figures are written as PNG files (ADAPTED).
"""

from __future__ import absolute_import, division, print_function, unicode_literals

from _output import save  # ADAPTED: headless figures

import linnet as tf
import numpy as np
import matplotlib.pyplot as plt

values_x = np.array([-10, 0, 2, 6, 12, 15], dtype=float)
values_y = np.array([10, 30, 34, 42, 54, 60], dtype=float)
for i,x in enumerate(values_x):
  print("X: {} Y: {}".format(x, values_y[i]))

x = np.linspace(-10,10,100)
plt.title('Graph of y=2x+30')
plt.plot(x, x*2+30);
save("line_graph.png")

model = tf.keras.Sequential([
    tf.keras.layers.Dense(units=1, input_shape=[1])
])
model.compile(loss='mean_squared_error', optimizer=tf.keras.optimizers.Adam(0.1))  # RESTORED

history = model.fit(values_x, values_y, epochs=500, verbose=False)  # RESTORED: "model.fit(values_x"

plt.xlabel("Epoch Number")
plt.ylabel("Loss Magnidute")
plt.plot(history.history['loss'])
save("line_loss.png")

print(model.predict([20.0]))
print("These are the layer variables: {}".format(model.layers[0].get_weights()))
