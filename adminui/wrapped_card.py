"""The picture a shared Wrapped's link previews with (its Open Graph image): a 1200 x 630 PNG of
the range, the minutes, plays and artists, and the top five artists, drawn with Pillow.

The text is drawn in DejaVu Sans (Debian's `fonts-dejavu-core`, installed in the image), which
has the accents of most Latin, Greek and Cyrillic names; where it is missing, Pillow's own font
(shipped inside the wheel, ASCII only) stands in. Names are the listener's data: they are only
drawn, cut with an ellipsis where they would not fit.
"""

from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
BACKGROUND = (25, 20, 20)
TEXT = (255, 255, 255)
MUTED = (179, 179, 179)
ACCENT = (30, 215, 96)
MARGIN = 64
COLUMN = 600  # where the top artists start


FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


@cache
def _font(size):
    for path in FONT_FILES:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def fit(text, font, width):
    """`text` as drawn in `font` within `width` pixels, cut with an ellipsis if need be."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render_card(*, name, label, minutes, plays, artists, top_artists):
    """The PNG bytes of the card."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    small, medium, large, huge = _font(28), _font(34), _font(64), _font(52)
    left_width = COLUMN - MARGIN - 32
    draw.text((MARGIN, MARGIN), "Spotify history · Wrapped", font=small, fill=MUTED)
    draw.text((MARGIN, MARGIN + 48), fit(label, large, WIDTH - 2 * MARGIN), font=large, fill=ACCENT)
    draw.text((MARGIN, MARGIN + 132), fit(name, medium, WIDTH - 2 * MARGIN), font=medium, fill=TEXT)
    y = MARGIN + 210
    for number, unit in ((minutes, "minutes"), (plays, "plays"), (artists, "artists")):
        shown = f"{round(number):,}"
        draw.text((MARGIN, y), fit(shown, huge, left_width), font=huge, fill=TEXT)
        draw.text(
            (MARGIN + min(huge.getlength(shown), left_width) + 16, y + 18),
            unit,
            font=small,
            fill=MUTED,
        )
        y += 84
    draw.text((COLUMN, MARGIN + 210), "Top artists", font=small, fill=MUTED)
    y = MARGIN + 256
    for rank, artist in enumerate(top_artists[:5], 1):
        line = fit(f"{rank}. {artist}", medium, WIDTH - MARGIN - COLUMN)
        draw.text((COLUMN, y), line, font=medium, fill=TEXT)
        y += 52
    if not top_artists:
        draw.text((COLUMN, y), "No plays in this range.", font=medium, fill=TEXT)
    draw.rectangle((0, HEIGHT - 12, WIDTH, HEIGHT), fill=ACCENT)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
