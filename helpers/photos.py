"""A photo of your own as the network sees it: any image file, squared and shrunk to 32x32.

    image = photos.shrink(photos.square_photo("data/examples/cat_chelsea.jpg"))   # uint8 (32, 32, 3)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers.paths import ROOT


def square_photo(path: str | Path) -> np.ndarray:
    """Read an image file (JPEG, PNG, ...) as a uint8 RGB array cropped to its largest centred square.

    CIFAR-10 images are square; cropping keeps the object's proportions where stretching would
    distort them. A relative path is taken from the repository root if it does not exist from here.
    Raises ``FileNotFoundError`` or ``ValueError`` with one line saying what is wrong.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    path = path if path.is_absolute() or path.exists() else ROOT / path
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image file. Give the path of a JPEG or PNG photo.")
    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"{path}: not an image file that Pillow can read ({type(error).__name__}). "
                         f"Give the path of a JPEG or PNG photo.") from None
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return np.asarray(image.crop((left, top, left + side, top + side)), dtype=np.uint8)


def shrink(square: np.ndarray, size: int = 32) -> np.ndarray:
    """Shrink a square uint8 image to ``size`` x ``size`` with an area-averaging filter
    (``Image.Resampling.BOX``): every output pixel is the mean of the input pixels it covers, as a
    camera with fewer pixels would record it, so fine detail averages out instead of aliasing into noise."""
    from PIL import Image

    return np.asarray(Image.fromarray(square).resize((size, size), Image.Resampling.BOX), dtype=np.uint8)
