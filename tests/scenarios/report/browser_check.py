#!/usr/bin/env python3
"""Opens a rendered load report in headless Chromium and checks what a person would see.

browser_check.py NOTIFY_SIM REPORT_SAMPLE [--keep OUT.png]

Renders a synthetic report with `notify-sim report html`, takes a 1280x2000 screenshot and checks
the PNG: the right size, not blank, and the chart lines' colours on it; then checks the DOM after
load still has the four charts. Exits 77 (skipped) only when Chromium is not installed.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

WIDTH, HEIGHT = 1280, 2000
# The charts' line colours (render_html.cpp): p50 and arrivals, p99, max, accepted.
LINE_COLOURS = {
    "blue #1d70b8": (0x1D, 0x70, 0xB8),
    "orange #f47738": (0xF4, 0x77, 0x38),
    "red #d4351c": (0xD4, 0x35, 0x1C),
    "green #00703c": (0x00, 0x70, 0x3C),
}
SKIP = 77


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def read_png(path):
    """Returns (width, height, rows of RGB tuples) for an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace != 0:
        fail(f"{path}: unexpected PNG format depth={depth} colour_type={colour_type}")
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        if kind == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + (left + prev[x]) // 2) & 255
        elif kind == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x : x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def chromium_args(chromium, profile):
    return [
        "timeout", "60", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
    ]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    notify_sim, sample = sys.argv[1], sys.argv[2]
    keep = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--keep" else None
    chromium = find_chromium()
    if chromium is None:
        print("SKIP: chromium is not installed (scripts/setup.sh installs it)")
        return SKIP

    with tempfile.TemporaryDirectory() as tmp:
        report, page, shot = (os.path.join(tmp, n) for n in ("r.json", "r.html", "r.png"))
        subprocess.run([sample, report, "--rate", "400"], check=True, timeout=60)
        subprocess.run([notify_sim, "report", "html", report, "--html", page], check=True,
                       timeout=60, stdout=subprocess.DEVNULL)
        url = "file://" + page

        # Each run gets its own profile, so nothing from an earlier run or the user leaks in.
        profile = tempfile.mkdtemp(dir=tmp)
        run = subprocess.run(chromium_args(chromium, profile) + [f"--screenshot={shot}", url],
                             capture_output=True, text=True, timeout=90)
        if run.returncode != 0 or not os.path.exists(shot):
            fail(f"chromium exited {run.returncode} without a screenshot:\n{run.stderr[-2000:]}")

        width, height, rows = read_png(shot)
        if (width, height) != (WIDTH, HEIGHT):
            fail(f"screenshot is {width}x{height}, expected {WIDTH}x{HEIGHT}")
        colours, non_white = set(), 0
        for row in rows:
            for pixel in row:
                colours.add(pixel)
                if min(pixel) < 235:
                    non_white += 1
        share = non_white / (width * height)
        if len(colours) < 200:
            fail(f"only {len(colours)} distinct colours: the page looks blank")
        if share < 0.03:
            fail(f"only {share:.1%} of the page is not white: the page looks blank")

        def near(a, b):
            return all(abs(x - y) <= 6 for x, y in zip(a, b))

        for name, target in LINE_COLOURS.items():
            hits = sum(1 for c in colours if near(c, target))
            if hits == 0:
                fail(f"no pixel in the line colour {name}: a chart line is missing")

        profile = tempfile.mkdtemp(dir=tmp)
        dom = subprocess.run(chromium_args(chromium, profile) + ["--dump-dom", url],
                             capture_output=True, text=True, timeout=90)
        if dom.returncode != 0:
            fail(f"chromium --dump-dom exited {dom.returncode}:\n{dom.stderr[-2000:]}")
        svgs = dom.stdout.count("<svg")
        if svgs != 4:
            fail(f"the DOM after load has {svgs} <svg> elements, expected 4")
        if dom.stdout.count("<polyline") < 10:
            fail("the charts in the DOM have lost their lines")

        if keep:
            shutil.copyfile(shot, keep)
        print(f"chromium rendered the report: {width}x{height}, {len(colours)} colours, "
              f"{share:.0%} not white, {svgs} charts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
