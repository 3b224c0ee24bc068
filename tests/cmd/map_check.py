#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Structure check of a `kmem map` page (tests/cmd/map.sh): well-formed HTML
# (every non-void element closed, properly nested), self-contained (no http(s)
# reference, no src/href attribute, no <link>/<iframe>/<img>), and the
# embedded snapshot decodes to exactly max_pfn frames whose class counts match
# the legend and the allocators' own counters (owner tags, NR_FREE_PAGES,
# meminfo). Usage: map_check.py FILE.html [min_vmalloc_areas [min_processes]]
import base64, json, sys
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "source", "wbr"}

class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids, self.data, self.in_data = [], [], set(), "", False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "srcset", "action"):
            if k in a:
                self.errors.append("external reference: <%s %s=%r>" % (tag, k, a[k]))
        if tag in ("link", "iframe", "img", "object", "embed"):
            self.errors.append("element <%s> may load a resource" % tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script" and a.get("id") == "kmem-data":
            self.in_data = True
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at %s closes %s" % (tag, self.getpos(),
                               self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "script":
            self.in_data = False
    def handle_data(self, d):
        if self.in_data:
            self.data += d

def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

text = open(sys.argv[1], encoding="utf-8").read()
low = text.lower()
for bad in ("http://", "https://", "url(", "@import", "fetch(", "xmlhttprequest", "import(",
            "websocket", "new worker"):
    if bad in low:
        fail("reference to the outside: %r" % bad)
if not low.startswith("<!doctype html>"):
    fail("no doctype")
p = Check()
p.feed(text)
p.close()
if p.errors:
    fail("; ".join(p.errors[:5]))
if p.stack:
    fail("unclosed elements: %s" % p.stack[:5])
for need in ("phys", "overlay", "legend", "status", "meminfo", "kernel-layout", "vmalloc-list", "process-list"):
    if need not in p.ids:
        fail("no element #" + need)
d = json.loads(p.data)
n = d["machine"]["max_pfn"]
raw = base64.b64decode(d["frames"])
frames, i = bytearray(), 0
while i < len(raw):
    c = raw[i]; i += 1
    run, shift = 0, 0
    while True:
        b = raw[i]; i += 1
        run |= (b & 127) << shift; shift += 7
        if not b & 128:
            break
    frames += bytes([c]) * run
if len(frames) != n:
    fail("frames decode to %d, max_pfn is %d" % (len(frames), n))
counts = [0] * len(d["classes"])
for c in frames:
    counts[c] += 1
for k, c in enumerate(d["classes"]):
    if counts[k] != c["frames"]:
        fail("class %s: %d frames in the data, %d in the legend" % (c["label"], counts[k], c["frames"]))
# NR_FREE_PAGES counts the buddy free lists, not the per-CPU lists (as Linux).
if sum(c["frames"] for c in d["classes"] if c["kind"] == "free") != d["free_pages"]:
    fail("free frames in the picture != NR_FREE_PAGES")
# Every owner tag the allocators keep is drawn: the picture's frames of each kind
# are the frames page_owner_counts() finds with that tag.
kinds = {}
for c in d["classes"]:
    kinds[c["kind"]] = kinds.get(c["kind"], 0) + c["frames"]
for kind, tagged in d["owners"].items():
    if kind == "free":
        continue # buddy blocks, above; tail frames of a block being split are order 0
    if kinds.get(kind, 0) != tagged:
        fail("%d frames drawn as %s, %d frames carry the tag" % (kinds.get(kind, 0), kind, tagged))
if sum(v for k, v in d["owners"].items() if k not in ("reserved", "zero")) != d["totalram"]:
    fail("the owners do not add up to the managed pages")
if "MemTotal:" not in d["meminfo"] or "MemFree:" not in d["meminfo"]:
    fail("no meminfo summary")
if d["meminfo"].split("MemFree:")[1].split()[0] != str(d["free_pages"] * 4):
    fail("MemFree in the summary is not the picture's free pages")
areas = d["vmalloc"]
if len(areas) < int(sys.argv[2] if len(sys.argv) > 2 else 0):
    fail("%d vmalloc areas" % len(areas))
for a in areas:
    if a["guard"] and a["size"] != (a["nr_pages"] + 1) * 4096:
        fail("area %s: size %d for %d pages and a guard page" % (a["addr"], a["size"], a["nr_pages"]))
if len(d["processes"]) < int(sys.argv[3] if len(sys.argv) > 3 else 0):
    fail("%d processes" % len(d["processes"]))
print("ok: %d frames, %d classes, %d vmalloc areas, %d processes, %d bytes" %
      (n, len(d["classes"]), len(areas), len(d["processes"]), len(text)))
