"""Draw static/description/icon.png, the addon's icon in Odoo's Apps menu: a letter with a
clock, on the colour of the collections board. Drawn from code (Pillow) so it can be
regenerated at any size; run once after changing it."""

import pathlib

from PIL import Image, ImageDraw

SIZE = 256
BACKGROUND = (17, 122, 139)  # teal
PAPER = (255, 255, 255)
INK = (17, 122, 139)
ACCENT = (240, 173, 78)  # amber: late


def draw():
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=40, fill=BACKGROUND)
    # The envelope.
    left, top, right, bottom = 36, 78, 196, 190
    pen.rounded_rectangle((left, top, right, bottom), radius=10, fill=PAPER)
    pen.line((left + 4, top + 6, (left + right) // 2, top + 64, right - 4, top + 6), fill=INK, width=9, joint="curve")
    # The clock, overlapping the envelope's corner.
    centre, radius = (186, 176), 50
    ring = radius + 8
    pen.ellipse((centre[0] - ring, centre[1] - ring, centre[0] + ring, centre[1] + ring), fill=BACKGROUND)
    pen.ellipse((centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius), fill=ACCENT)
    pen.line((centre[0], centre[1], centre[0], centre[1] - 32), fill=PAPER, width=9)
    pen.line((centre[0], centre[1], centre[0] + 24, centre[1] + 8), fill=PAPER, width=9)
    pen.ellipse((centre[0] - 7, centre[1] - 7, centre[0] + 7, centre[1] + 7), fill=PAPER)
    return image


def main():
    target = pathlib.Path(__file__).resolve().parent.parent / "static" / "description" / "icon.png"
    draw().resize((128, 128), Image.LANCZOS).save(target, optimize=True)
    print(f"account_dunning: wrote {target}")


if __name__ == "__main__":
    main()
