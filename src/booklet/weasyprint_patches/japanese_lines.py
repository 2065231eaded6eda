"""Japanese lines set as in Japan: justified between characters, punctuation spaced (JLReq).

WeasyPrint 70 justifies by stretching spaces only, and Japanese has none: its
Japanese paragraphs were ragged right. This module hooks WeasyPrint's
pipeline at two points, after line breaking, so no line break ever changes
(the one-page guarantee, copyfitting and the page cache stay what they were):

- `layout.inline.text_align` (once a line is broken): for a line in a
  Japanese paragraph it plans, per text box, what to change in the glyphs'
  advances (JLReq 3.1 and 3.8):
  - punctuation spacing (約物): of two consecutive marks (`」「`, `。」`,
    `）、`) the blank half between them goes; an opening bracket starting a
    line is set half width;
  - justification (両端揃え), unless it is a paragraph's last line: the slack
    goes first to the spaces between Japanese and Latin text (a quarter em
    may grow to half), then between the characters, never inside a Latin
    word or number, never before a closing mark or after an opening one;
    the text boxes after a widened one move right;
- `text.line_break.Layout.reactivate` (when a text box is drawn): the plan is
  applied to the glyph advances Pango shaped, which is what WeasyPrint
  writes into the PDF;
- `layout.inline.split_first_line`, only when the layout asks for hanging
  punctuation (layout.yaml `hanging_punctuation: true`; off by default): a
  full stop or comma that does not fit at a line's end hangs past it (ぶら下げ)
  instead of taking the character before it to the next line. This one
  changes where lines break, so it is a layout setting, part of every page's
  cache key.

French lines, and every line of a paragraph that is not `text-align:
justify` (headings), are left alone apart from the line-start bracket and
consecutive marks. The hooks are installed only on WeasyPrint 70 (the
version booklet pins); on another version the pages are set as WeasyPrint
sets them. Written to be proposed upstream as `text-justify:
inter-character`, `text-spacing-trim` and `hanging-punctuation` for
WeasyPrint (docs/upstream-weasyprint.md).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise

OPENING = set("「『（［｛〔〈《【〘〖〝‘“｟«")
CLOSING = set("」』）］｝〕〉》】〙〗〟’”｠»")
STOPS = set("。．、，")
NO_SPACE_BEFORE = CLOSING | STOPS | set("・：；！？‼⁇ー…‥ゝゞヽヾ々")
STRETCHY_SPACES = {" ", "\u00a0", "\u2005"}
JOINERS = {"\u200b", "\u2060", "\u00ad"}
"""Zero-width break opportunities and joiners (inside addresses and words): no gap opens."""
HANGING = set("。、．，")
"""Marks that may hang past the line's end when hanging punctuation is on (ぶら下げ)."""
QUARTER_EM = 0.25
"""How much a space between Japanese and Latin text may grow, in ems (JLReq: ¼ to ½ em)."""


@dataclass
class Options:
    """What the layout asks for (layout.yaml), set by the renderer for each document."""

    hanging_punctuation: bool = False


options = Options()


@dataclass
class GlyphPlan:
    """What to change in one text box's glyphs, by character index in its text."""

    after: dict[int, float] = field(default_factory=dict)
    """Extra advance after a character (points)."""
    trim_right: dict[int, float] = field(default_factory=dict)
    """Advance taken from a mark's blank right half (points)."""
    trim_left: dict[int, float] = field(default_factory=dict)
    """Advance taken from a mark's blank left half (points): the glyph moves left."""

    def total(self) -> float:
        return (sum(self.after.values()) - sum(self.trim_right.values())
                - sum(self.trim_left.values()))


def install() -> bool:
    """Hook WeasyPrint 70's line alignment and drawing; False (nothing done) on another
    version. Idempotent."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    if getattr(inline.text_align, "booklet", False):
        return True
    original_align, original_reactivate = inline.text_align, line_break.Layout.reactivate
    original_split = inline.split_first_line

    def split_first_line(text, style, context, max_width, justification_spacing,
                         is_line_start=True, minimum=False):
        first = original_split(text, style, context, max_width, justification_spacing,
                               is_line_start, minimum)
        if (not options.hanging_punctuation or minimum or first[2] is None
                or max_width is None or max_width == float("inf") or not is_japanese(style)):
            return first
        return _hanging(text, style, context, max_width, justification_spacing, is_line_start,
                        first, original_split)

    def text_align(context, line, available_width, last):
        if is_japanese(line.style):
            return _align(context, line, available_width, last, original_align)
        return original_align(context, line, available_width, last)

    def reactivate(layout, style):
        original_reactivate(layout, style)
        plan = getattr(layout, "booklet_plan", None)
        if plan is not None:
            _apply(layout, plan)

    text_align.booklet = True
    inline.text_align = text_align
    inline.split_first_line = split_first_line
    line_break.Layout.reactivate = reactivate
    return True


def is_japanese(style) -> bool:
    """Whether a box's text is Japanese (its `lang`)."""
    return str(style["lang"] or "").lower().startswith("ja")


def _hanging(text, style, context, max_width, justification_spacing, is_line_start, first,
             original_split):
    """A line one mark longer when the mark (。、) may hang past the line's end: the line
    without it fits, and its width is given without it (the mark is drawn in the margin)."""
    em = style["font_size"]
    wider = original_split(text, style, context, max_width + em, justification_spacing,
                           is_line_start)
    layout, length, resume, width, height, baseline = wider
    line = text.encode()[:length].decode().rstrip()
    if length > first[1] and line and line[-1] in HANGING and width - em <= max_width + 0.01:
        return layout, length, resume, width - em, height, baseline
    return first


def _align(context, line, available_width, last, original_align) -> float:
    """Plan the line's punctuation spacing and, for a justified line, its justification;
    move its boxes; the offset of the line as `text_align` returns it."""
    from weasyprint.formatting_structure import boxes

    texts = list(_text_boxes(line, boxes))
    characters = [(box, index, char) for box in texts for index, char in enumerate(box.text)]
    if not characters:
        return original_align(context, line, available_width, last)
    plans = {id(box): GlyphPlan() for box in texts}
    while characters and characters[-1][2] in STRETCHY_SPACES:  # a break at 和欧間のアキ
        box, index, char = characters.pop()
        if char == "\u2005":
            plans[id(box)].trim_right[index] = box.style["font_size"] / 4
    if not characters:
        return original_align(context, line, available_width, last)
    _space_punctuation(characters, plans)
    justify = (line.style["text_align_all"] == "justify" and not last
               and line.style["white_space"] in ("normal", "nowrap", "pre-line"))
    if justify:
        trimmed = sum(plan.total() for plan in plans.values())
        slack = available_width - (line.width + trimmed)
        if slack > 0:
            _justify(characters, plans, slack)
    if any(plan.after or plan.trim_left or plan.trim_right for plan in plans.values()):
        _move(line, plans, boxes)
        for box in texts:
            plan = plans[id(box)]
            if plan.after or plan.trim_left or plan.trim_right:
                box.pango_layout.booklet_plan = plan
    if justify:
        return 0
    return original_align(context, line, available_width, last)


def _text_boxes(box, boxes):
    for child in box.children:
        if isinstance(child, boxes.TextBox):
            yield child
        elif isinstance(child, boxes.InlineBox) and child.is_in_normal_flow():
            yield from _text_boxes(child, boxes)


def _space_punctuation(characters: list, plans: dict) -> None:
    """JLReq 3.1.4 and 3.1.5: an opening bracket at the line start, and of two consecutive
    marks the blank half between them, lose half an em. Not in text whose font features
    already make punctuation narrow (`palt`, `halt`: the headings)."""
    box, index, char = characters[0]
    if char in OPENING and _full_width(box):
        plans[id(box)].trim_left[index] = box.style["font_size"] / 2
    for (box, index, char), (_, _, following) in pairwise(characters):
        if char in CLOSING | STOPS and following in CLOSING | STOPS | OPENING and _full_width(box):
            plans[id(box)].trim_right[index] = box.style["font_size"] / 2
    for (_, _, char), (box, index, following) in pairwise(characters):
        if char in OPENING and following in OPENING and _full_width(box):
            plans[id(box)].trim_left[index] = box.style["font_size"] / 2


def _full_width(box) -> bool:
    """Whether the box's punctuation is set full width (no proportional or half-width
    alternates asked for)."""
    features = box.style["font_feature_settings"]
    return features == "normal" or not any(
        name in ("palt", "halt", "chws", "vpal", "vhal") and value
        for name, value in features)


def _justify(characters: list, plans: dict, slack: float) -> None:
    """Spread `slack` (points): first over the spaces (up to a quarter em more each), then
    over the gaps between characters that may open."""
    spaces = [(box, index) for box, index, char in characters[:-1] if char in STRETCHY_SPACES]
    gaps = [(box, index) for (box, index, char), (_, _, following)
            in pairwise(characters) if _may_open(char, following)]
    if spaces:
        each = min(slack / len(spaces), *(box.style["font_size"] * QUARTER_EM
                                           for box, _ in spaces)) if gaps else slack / len(spaces)
        for box, index in spaces:
            plans[id(box)].after[index] = plans[id(box)].after.get(index, 0) + each
        slack -= each * len(spaces)
    if gaps and slack > 0:
        each = slack / len(gaps)
        for box, index in gaps:
            plans[id(box)].after[index] = plans[id(box)].after.get(index, 0) + each


def _may_open(char: str, following: str) -> bool:
    """Whether the gap between two characters of a Japanese line may widen (JLReq 3.8)."""
    if char in STRETCHY_SPACES | JOINERS or following in STRETCHY_SPACES | JOINERS:
        return False
    if char in OPENING or following in NO_SPACE_BEFORE:
        return False
    return not (_latin(char) and _latin(following))


def _latin(char: str) -> bool:
    """A character of a Latin word, number, e-mail or URL (not a Japanese one)."""
    if ord(char) >= 0x2E80:
        return False
    return unicodedata.category(char)[0] in "LNPS" or char in "-'’"


def _move(line, plans: dict, boxes) -> None:
    """Widen the boxes by their plans and move what follows them, as WeasyPrint's own
    justification does for word spacing."""
    def shift(box, advance: float) -> float:
        if isinstance(box, boxes.TextBox):
            box.position_x += advance
            plan = plans.get(id(box))
            if plan is not None:
                total = plan.total()
                box.width += total
                advance += total
            return advance
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += advance
            before = advance
            for child in box.children:
                if child.is_in_normal_flow():
                    advance = shift(child, advance)
            box.width += advance - before
            return advance
        box.translate(advance, 0)
        return advance

    shift(line, 0)


def _apply(layout, plan: GlyphPlan) -> None:
    """Change the advances of the glyphs Pango shaped for `layout`'s first line (only those
    of the characters the plan names are read)."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango

    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)  # as drawing will
    line = pango.pango_layout_get_line_readonly(layout.layout, 0)
    planned = plan.trim_left.keys() | plan.trim_right.keys() | plan.after.keys()
    starts = {}  # UTF-8 offset of each planned character: its index
    position = 0
    for index, char in enumerate(layout.text):
        if index in planned:
            starts[position] = index
        position += 1 if char < "\x80" else 2 if char < "\u0800" else 3 if char < "\U00010000" else 4
    run = line.runs
    while run != ffi.NULL:
        item = run.data
        run = run.next
        glyphs = item.glyphs
        offset = item.item.offset
        count = glyphs.num_glyphs
        clusters = ffi.unpack(glyphs.log_clusters, count)
        for number, cluster in enumerate(clusters):
            index = starts.get(offset + cluster)
            if index is None:
                continue
            last_of_cluster = number == count - 1 or clusters[number + 1] != cluster
            geometry = glyphs.glyphs[number].geometry
            if index in plan.trim_left:
                shift = int(plan.trim_left[index] * TO_UNITS)
                geometry.x_offset -= shift
                geometry.width -= shift
            if last_of_cluster:
                if index in plan.trim_right:
                    geometry.width -= int(plan.trim_right[index] * TO_UNITS)
                if index in plan.after:
                    geometry.width += int(plan.after[index] * TO_UNITS)
