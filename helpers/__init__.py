"""Helpers shared by the MiniVGGNet tutorial notebooks: data, models, training, evaluation, plots."""

import os

# TensorFlow's C++ start-up chatter (oneDNN notices, "no CUDA driver") buries the output readers
# care about; errors still show. Set TF_CPP_MIN_LOG_LEVEL=0 to see everything.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
