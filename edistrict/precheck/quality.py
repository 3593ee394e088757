"""Is a photo readable? Brightness, contrast, sharpness and size, measured with numpy.

The measures are taken on a grey copy scaled to a fixed size, so a large photo and a
small one of the same card score alike. Thresholds were set on the generated test set
(tests/edistrict/precheck_samples.py): sharp cards score 10-40x the blur threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

MEASURE_WIDTH = 1000  # the longer side of the copy measured
MIN_SIDE_PX = 300  # a card photographed smaller than this cannot be read
DARK_MEAN = 45  # mean grey level (0-255) below which the photo is too dark
BLANK_STDDEV = 6  # almost no variation: an empty page or a covered lens
BLUR_VARIANCE = 60  # variance of the Laplacian below which edges are washed out

BLANK, TOO_DARK, BLURRED, LOW_RESOLUTION = (
    "blank",
    "too_dark",
    "blurred",
    "low_resolution",
)


@dataclass(frozen=True)
class Quality:
    """What was measured, and the problems that make the photo unreadable."""

    width: int
    height: int
    brightness: float
    contrast: float
    sharpness: float
    problems: tuple[str, ...]

    @property
    def readable(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "width": self.width,
            "height": self.height,
            "brightness": round(self.brightness, 1),
            "contrast": round(self.contrast, 1),
            "sharpness": round(self.sharpness, 1),
            "problems": list(self.problems),
        }


def grey(image: Image.Image) -> np.ndarray:
    """The photo as grey levels (float), upright, its longer side MEASURE_WIDTH.

    Fitted into a square, so a long thin upload can never become a huge array.
    """
    image = ImageOps.exif_transpose(image).convert("L")
    scale = MEASURE_WIDTH / max(image.size)
    size = (max(3, round(image.width * scale)), max(3, round(image.height * scale)))
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)


def laplacian_variance(pixels: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: high for crisp edges, low for blur."""
    centre = pixels[1:-1, 1:-1]
    laplacian = (
        pixels[:-2, 1:-1] + pixels[2:, 1:-1] + pixels[1:-1, :-2] + pixels[1:-1, 2:]
    ) - 4 * centre
    return float(laplacian.var())


def measure(image: Image.Image, has_text: bool = True) -> Quality:
    """Measures one photo (or a PDF page rendered as one).

    Sharpness is judged only where text is expected: the threshold is set on the edges
    of print, and a smooth photo of a face has few edges however sharp it is.
    """
    pixels = grey(image)
    brightness, contrast = float(pixels.mean()), float(pixels.std())
    sharpness = laplacian_variance(pixels)
    problems: list[str] = []
    if min(image.size) < MIN_SIDE_PX:
        problems.append(LOW_RESOLUTION)
    if brightness < DARK_MEAN:
        problems.append(TOO_DARK)
    elif contrast < BLANK_STDDEV:
        problems.append(BLANK)
    elif has_text and sharpness < BLUR_VARIANCE:
        problems.append(BLURRED)
    return Quality(
        image.width, image.height, brightness, contrast, sharpness, tuple(problems)
    )
