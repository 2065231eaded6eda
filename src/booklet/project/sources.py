"""A YAML file read into plain Python data, keeping the position of every value.

Uses PyYAML's C loader (it keeps line and column marks) and builds the values
itself, so that it can refuse what fiches never need and what PyYAML would
silently accept: duplicate keys, anchors and aliases, non-text keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from booklet.errors import Finding, SourceLocation

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

Path_ = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]{0,17})")
_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")


@dataclass
class SourceDocument:
    """The data of one YAML file and where each value stands in it."""

    path: str
    data: Any
    marks: dict[Path_, SourceLocation] = field(default_factory=dict)
    text: str = ""
    spans: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def location(self, keys: Path_) -> SourceLocation:
        """Position of the value at `keys`, or of its nearest parent that exists."""
        keys = tuple(keys)
        while keys not in self.marks and keys:
            keys = keys[:-1]
        return self.marks.get(keys, SourceLocation(self.path))

    def char_location(self, keys: Path_, char: str) -> SourceLocation:
        """Position of the first `char` inside the value at `keys` (for a rare character)."""
        start, end = self.spans.get(tuple(keys), (0, 0))
        index = self.text.find(char, start, end)
        if index < 0:
            return self.location(keys)
        line_start = self.text.rfind("\n", 0, index) + 1
        return SourceLocation(self.path, self.text.count("\n", 0, index) + 1, index - line_start + 1)

    def keys_at(self, location: SourceLocation) -> Path_:
        """The keys of the innermost value at `location` (the top level when none)."""
        lines = self.text.split("\n")
        if location.path != self.path or not 0 < location.line <= len(lines):
            return ()
        index = sum(len(line) + 1 for line in lines[:location.line - 1]) + location.column - 1
        inside = [keys for keys, (start, end) in self.spans.items()
                  if start <= index < end or start == index]
        return max(inside, key=len, default=())

    def key_location(self, keys: Path_) -> SourceLocation:
        """Position of the key of the value at `keys` (where a person looks for it);
        the start of the file for the top level."""
        if not keys:
            return SourceLocation(self.path)
        return self.marks.get(("key", *keys)) or self.location(keys)


class YamlError(Exception):
    """The file cannot be read as YAML; carries the findings."""

    def __init__(self, findings: list[Finding]):
        super().__init__(findings)
        self.findings = findings


def _location(path: str, mark) -> SourceLocation:
    return SourceLocation(path, mark.line + 1, mark.column + 1)


_YAML_HINTS = {
    "tab character": "a tab character is not allowed here: indent with spaces",
    "mapping values are not allowed":
        "a colon followed by a space starts a new field here; "
        "put the whole text in quotes or use a block (|)",
    "could not find expected ':'":
        "a line is missing its 'field:' or is indented differently from the lines around it",
    "found undefined alias": "aliases (*name) are not supported in fiches: write the value out",
}


def _describe_yaml_error(error: yaml.MarkedYAMLError, text: str) -> str:
    problem = error.problem or "the YAML is not valid"
    mark, lines = error.problem_mark, text.splitlines()
    if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
        return f"a tab character is not allowed here: indent with spaces (YAML: {problem})"
    for known, hint in _YAML_HINTS.items():
        if known in problem:
            return f"{hint} (YAML: {problem})"
    context = f" {error.context}" if error.context else ""
    return f"this is not valid YAML:{context} {problem}; check the indentation and quotes"


def parse_yaml(raw: bytes, display: str) -> SourceDocument:
    """Parse YAML bytes (UTF-8) into a SourceDocument."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise YamlError([Finding(
            SourceLocation(display, line, column),
            "the file is not UTF-8 text: save it as UTF-8 in your editor",
        )]) from None
    text = text.removeprefix("\ufeff")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = _location(display, mark) if mark else SourceLocation(display)
        raise YamlError([Finding(location, _describe_yaml_error(error, text))]) from None
    except yaml.YAMLError as error:
        raise YamlError([Finding(SourceLocation(display), f"this is not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlError([Finding(SourceLocation(display), "the file is empty")])
    builder = _Builder(display, text)
    data = builder.build(node, ())
    if builder.findings:
        raise YamlError(builder.findings)
    return SourceDocument(display, data, builder.marks, text, builder.spans)


class _Builder:
    """Turns a YAML node tree into dicts, lists and scalars, recording marks."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.marks: dict[Path_, SourceLocation] = {}
        self.spans: dict[Path_, tuple[int, int]] = {}
        self.findings: list[Finding] = []
        self.seen: set[int] = set()

    def build(self, node, keys: Path_):
        self.marks[keys] = _location(self.path, node.start_mark)
        self.spans[keys] = (node.start_mark.index, node.end_mark.index)
        if id(node) in self.seen:
            self.findings.append(Finding(
                self.marks[keys], "aliases (*name) are not supported in fiches: write the value out"))
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, keys)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*keys, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, keys)

    def _scalar(self, node, keys: Path_):
        """Plain YAML values only: decimal numbers, true/false, null; everything else is text.

        YAML 1.1 would turn 066171 into an octal number, 1:30 into 90, `no` into
        false and 2024-13-01 into an error; fiches mean the text they show.
        """
        text = node.value
        if self.text.startswith("!", node.start_mark.index):
            if node.tag == _STR_TAG:
                return text
            self.findings.append(Finding(self.marks[keys],
                "YAML tags (a value starting with !) are not supported in fiches: remove the tag"))
            return None
        if node.style:  # quoted or block scalar: always text
            return text
        if _NULL.fullmatch(text):
            return None
        if _BOOL.fullmatch(text):
            return text.lower() == "true"
        if _INT.fullmatch(text):
            return int(text.replace("_", ""))
        if _FLOAT.fullmatch(text):
            return float(text.replace("_", ""))
        return text

    def _mapping(self, node, keys: Path_) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key_location = _location(self.path, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.findings.append(Finding(key_location, "this key is not a simple name"))
                continue
            key = key_node.value
            if key in result:
                first = self.marks[("key", *keys, key)]
                self.findings.append(Finding(
                    key_location,
                    f"'{key}' is given twice (first on line {first.line}); keep only one",
                ))
                continue
            self.marks[("key", *keys, key)] = key_location
            result[key] = self.build(value_node, (*keys, key))
        return result
