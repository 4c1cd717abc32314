"""Models that several chapters build. Importing this module imports TensorFlow."""

from __future__ import annotations

import keras
from keras import layers


def article_cnn(
    input_shape=(28, 28, 1), n_classes: int = 2, compile: bool = True
) -> keras.Model:
    """The source article's CNN: Conv2D 32 -> MaxPool -> Conv2D 64 -> MaxPool -> Flatten
    -> Dense 64 -> Dense softmax.

    Compiled with adam and sparse categorical cross-entropy, as in the article, when
    ``compile`` is true.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(n_classes, activation="softmax"),
        ],
        name="article_cnn",
    )
    if compile:
        model.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    return model


def cnn3d(
    input_shape=(28, 28, 28, 1),
    n_classes: int = 2,
    filters=(16, 32, 64),
    dropout: float = 0.3,
    convs_per_stage: int = 1,
    bn_momentum: float = 0.99,
) -> keras.Model:
    """A plain 3D CNN: per stage ``convs_per_stage`` x (Conv3D -> BatchNorm -> ReLU),
    then MaxPool3D; global average pooling, dropout and a softmax over ``n_classes``.

    ``filters`` gives one stage per entry (each halves the volume). ``bn_momentum`` 0.9
    lets the batch-norm running statistics settle within a few dozen steps (Keras'
    0.99 needs several hundred, more than a short run has). Not compiled: chapters
    choose their optimiser and schedule (``helpers.training.fit`` is one choice).
    """
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for n in filters:
        for _ in range(convs_per_stage):
            x = layers.Conv3D(n, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=bn_momentum)(x)
            x = layers.ReLU()(x)
        x = layers.MaxPooling3D(2)(x)
    x = layers.GlobalAveragePooling3D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="cnn3d")


def article_cnn_variant(
    batch_norm: bool = False,
    dropout: float = 0.0,
    global_pool: bool = False,
    l2: float = 0.0,
    augment: keras.Layer | None = None,
    bn_momentum: float = 0.99,
    input_shape=(28, 28, 1),
    n_classes: int = 2,
) -> keras.Model:
    """The article's CNN with optional batch norm (after each convolution, which then
    drops its bias), dropout before each dense layer, global average pooling instead of
    flattening, an L2 penalty, and an augmentation block in front. Uncompiled; with no
    options it is the article's model (same layers, same 121,410 parameters).
    """
    decay = keras.regularizers.L2(l2) if l2 else None
    stack = [keras.Input(shape=input_shape)] + (
        [augment] if augment is not None else []
    )
    for filters in (32, 64):
        stack.append(
            layers.Conv2D(
                filters, (3, 3), kernel_regularizer=decay, use_bias=not batch_norm
            )
        )
        stack += [layers.BatchNormalization(momentum=bn_momentum)] if batch_norm else []
        stack += [layers.ReLU(), layers.MaxPooling2D((2, 2))]
    stack.append(layers.GlobalAveragePooling2D() if global_pool else layers.Flatten())
    stack += [layers.Dropout(dropout)] if dropout else []
    stack.append(layers.Dense(64, activation="relu", kernel_regularizer=decay))
    stack += [layers.Dropout(dropout)] if dropout else []
    stack.append(
        layers.Dense(n_classes, activation="softmax", kernel_regularizer=decay)
    )
    return keras.Sequential(stack, name="article_cnn_variant")


def unet(
    input_shape=(None, None, 1),
    n_outputs: int = 1,
    filters=(16, 32, 64),
    output_activation="sigmoid",
    name: str = "unet",
) -> keras.Model:
    """A small 2D U-Net (Ronneberger et al., 2015); uncompiled. Output (H, W,
    ``n_outputs``) at the input size.

    Encoder: per entry of ``filters`` two [Conv 3x3 -> BN -> ReLU], then 2x2 max-pooling
    (the last entry is the bottleneck, not pooled). Decoder: 2x2 transposed convolution
    up, concatenate the encoder features of the same size (the skip connection), two
    [Conv 3x3 -> BN -> ReLU]; a 1x1 convolution gives the outputs. H and W must be
    multiples of 2 ** (len(filters) - 1). ``output_activation``: "sigmoid" for masks,
    None for images.
    """

    def block(x, n):
        for _ in range(2):
            x = layers.Conv2D(n, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
        return x

    inputs = keras.Input(shape=input_shape, name="image")
    x, skips = inputs, []
    for n in filters[:-1]:
        x = block(x, n)
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = block(x, filters[-1])
    for n, skip in zip(reversed(filters[:-1]), reversed(skips)):
        x = layers.Conv2DTranspose(n, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skip])
        x = block(x, n)
    outputs = layers.Conv2D(n_outputs, 1, activation=output_activation, name="output")(
        x
    )
    return keras.Model(inputs, outputs, name=name)
