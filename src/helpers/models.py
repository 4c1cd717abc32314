"""Models that several chapters build. Importing this module imports TensorFlow."""
from __future__ import annotations

import keras
from keras import layers


def article_cnn(input_shape=(28, 28, 1), n_classes: int = 2, compile: bool = True) -> keras.Model:
    """The source article's CNN: Conv2D 32 -> MaxPool -> Conv2D 64 -> MaxPool -> Flatten -> Dense 64 -> Dense softmax.

    Compiled with adam and sparse categorical cross-entropy, as in the article, when ``compile`` is true.
    """
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(n_classes, activation="softmax"),
    ], name="article_cnn")
    if compile:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit_article_cnn(dataset: dict, epochs: int = 5, batch_size: int = 64, seed: int = 0, verbose: int = 0):
    """Train the article's CNN on a ``data.load_medmnist`` dict exactly as the article does; returns (model, history).

    Images are scaled to [0, 1]; the number of classes comes from the label names; ``seed`` fixes initialisation
    and shuffling.
    """
    from .data import to_float
    keras.utils.set_random_seed(seed)
    x = to_float(dataset["train_images"])
    model = article_cnn(x.shape[1:], len(dataset["label_names"]))
    history = model.fit(x, dataset["train_labels"].ravel(), epochs=epochs, batch_size=batch_size,
                        validation_data=(to_float(dataset["val_images"]), dataset["val_labels"].ravel()),
                        verbose=verbose)
    return model, history


def cnn3d(input_shape=(28, 28, 28, 1), n_classes: int = 2, filters=(16, 32, 64), dropout: float = 0.3) -> keras.Model:
    """A plain 3D CNN: per stage Conv3D -> BatchNorm -> ReLU -> MaxPool3D, then global average pooling and softmax.

    Not compiled: chapters choose their optimiser and schedule.
    """
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for n in filters:
        x = layers.Conv3D(n, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling3D(2)(x)
    x = layers.GlobalAveragePooling3D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="cnn3d")
