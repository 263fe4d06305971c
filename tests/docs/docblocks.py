"""The fenced blocks of README.md and docs/, as the docs tests read them (docs/README.md has the
rules): every fence names its language, and a block can be preceded by a marker comment:

    <!-- not run: REASON -->    the block is not run, for the reason given
    <!-- file: NAME -->         the block is saved as NAME in the page's folder (and a
                                test_*.py file is run with pytest)
"""

import pathlib
import re

SHELL = ("sh", "console")
PYTHON = ("python",)
# Other names for what the test runs: a block under one of them would escape it.
OTHER_SPELLINGS = {"bash": "sh", "shell": "sh", "zsh": "sh", "shell-session": "console",
                   "sh-session": "console", "py": "python", "python3": "python",
                   "pycon": "python"}
FENCE = re.compile(r"^(\s*)```(.*)$")
MARKER = re.compile(r"^\s*<!--\s*(not run|file):\s*(.*?)\s*-->\s*$")


class Block:
    def __init__(self, page, line, lang, text, marker):
        self.page = page  # path relative to the repository
        self.line = line  # line of the opening fence, from 1
        self.lang = lang
        self.text = text
        self.not_run = marker[1] if marker and marker[0] == "not run" else None
        self.file = marker[1] if marker and marker[0] == "file" else None

    @property
    def where(self):
        return "%s:%d" % (self.page, self.line)

    @property
    def runnable(self):
        return self.lang in SHELL + PYTHON and self.not_run is None


def pages(root):
    root = pathlib.Path(root)
    return [root / "README.md"] + sorted((root / "docs").rglob("*.md"))


def blocks(root, path, problems):
    """The page's fenced blocks. Appends to `problems` a fence without a language, a marker with
    no reason, and a block left open."""
    root = pathlib.Path(root)
    rel = str(path.relative_to(root))
    lines = path.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang = m.group(1), m.group(2).strip()
        start = i
        if not lang:
            problems.append("%s:%d: a fence without a language: name one (sh, console, python, "
                            "json, yaml, xml, text, ...)" % (rel, start + 1))
        elif lang in OTHER_SPELLINGS:
            problems.append("%s:%d: ```%s: write ```%s, which the docs test runs"
                            % (rel, start + 1, lang, OTHER_SPELLINGS[lang]))
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        if j == len(lines):
            problems.append("%s:%d: the block is never closed" % (rel, start + 1))
            break
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:j]]
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        marker = MARKER.match(lines[k]) if k >= 0 else None
        if marker and not marker.group(2):
            problems.append("%s:%d: the marker above the block gives no %s" % (
                rel, k + 1, "reason" if marker.group(1) == "not run" else "file name"))
        out.append(Block(rel, start + 1, lang, "\n".join(body) + "\n",
                         (marker.group(1), marker.group(2)) if marker else None))
        i = j + 1
    return out


def inline_code(path):
    """(line, text) of every `code span` outside fenced blocks."""
    out, fenced = [], False
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.extend((n, m.group(1)) for m in re.finditer(r"`([^`]+)`", line))
    return out
