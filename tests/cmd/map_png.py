#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Did the page draw frames? Decodes a screenshot (8-bit RGB/RGBA PNG, as
# Chromium writes them; zlib and the five row filters, no imaging library) and
# counts the pixels of the canvas rectangle that differ from its background.
# Usage: map_png.py SHOT.png X,Y,W,H R,G,B   (the rectangle and background the
# page reports in its status element). Prints the count; exit 1 if none.
#        map_png.py SHOT.png --pixel X,Y   prints the pixel's colour as R,G,B.
import struct, sys, zlib

def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

def pixels(path, max_rows=None):
    blob = open(path, "rb").read()
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s is not a PNG" % path)
    pos, idat, hdr = 8, b"", None
    while pos < len(blob):
        n, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", blob[pos + 8:pos + 8 + n])
        elif kind == b"IDAT":
            idat += blob[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail("unsupported PNG (depth %d, colour type %d, interlace %d)" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev, p = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp), 0
    for _ in range(h if max_rows is None else min(h, max_rows)):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows

if len(sys.argv) == 4 and sys.argv[2] == "--pixel":
    x, y = (int(v) for v in sys.argv[3].split(","))
    w, h, bpp, rows = pixels(sys.argv[1], y + 1)
    if x >= w or y >= h:
        fail("(%d, %d) is outside the %dx%d screenshot" % (x, y, w, h))
    print(",".join(str(v) for v in rows[y][x * bpp:x * bpp + 3]))
    sys.exit(0)
w, h, bpp, rows = pixels(sys.argv[1])
x, y, cw, ch = (int(v) for v in sys.argv[2].split(","))
bg = [int(v) for v in sys.argv[3].split(",")]
x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + cw), min(h, y + ch)
if x1 <= x0 or y1 <= y0:
    fail("the canvas (%s) is outside the %dx%d screenshot" % (sys.argv[2], w, h))
painted = total = 0
colours = set()
for yy in range(y0, y1, 2):
    line = rows[yy]
    for xx in range(x0, x1, 2):
        px = line[xx * bpp:xx * bpp + 3]
        total += 1
        if max(abs(px[k] - bg[k]) for k in range(3)) > 8:
            painted += 1
            colours.add(bytes(px))
print("screenshot %dx%d: %d of %d sampled canvas pixels painted, %d colours" %
      (w, h, painted, total, len(colours)))
if not painted:
    fail("no frame drawn in the canvas region of the screenshot")
