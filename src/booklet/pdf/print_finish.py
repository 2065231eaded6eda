"""The print shop's PDF: page boxes, marks outside the bleed, and the printing condition.

The parts of a print build are laid out by WeasyPrint with a 3 mm bleed and
no marks. Each page of the assembled booklet then gets (PDF/X-4, ISO 15930-7):

- TrimBox: the page as it is cut; BleedBox: the trim plus the bleed; the
  artwork is clipped to the BleedBox;
- MediaBox: the BleedBox plus a slug, where the marks are drawn, never over
  the bleed (`marks="none"`: no slug, MediaBox = BleedBox, for shops that want
  a bare file with bleed);
- no annotations (links are for screens: PDF/X allows none over the page);
- marks in the registration colour (every plate): `crop`, a line along each
  trim edge at each corner; `japanese`, 日本式トンボ, double corner marks (the
  inner line at the trim, the outer at the bleed, which meet in an L at the
  bleed's corner) and centre marks (センタートンボ) in the middle of each side.

The output intent names the printing condition and embeds its ICC profile
(`OUTPUT_INTENTS`, profiles/README.md). The page content stays RGB: with a CMYK
condition, the pages' RGB is declared sRGB (DefaultRGB), and the shop converts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf

from booklet.resources import DEFAULT_LAYOUT_DIR, PROFILES_DIR

MM = 72 / 25.4
SLUG_MM = 10.0
"""Beyond the bleed: room for the marks."""
MARK_WIDTH_PT = 0.3
"""Thicker than the 0.25 pt hairline print shops refuse."""


@dataclass(frozen=True)
class Condition:
    """A printing condition: its ICC profile and how an output intent names it."""

    profile: Path
    components: int
    identifier: str
    """OutputConditionIdentifier: the name in the ICC's characterization data registry."""
    description: str


OUTPUT_INTENTS = {
    "srgb": Condition(DEFAULT_LAYOUT_DIR / "sRGB2014.icc", 3, "sRGB IEC61966-2.1",
                      "sRGB IEC61966-2.1 (the shop converts to its own printing condition)"),
    "fogra39": Condition(PROFILES_DIR / "ISOcoated_v2_300_bas.icc", 4, "FOGRA39",
                         "Offset printing on coated paper, ISO 12647-2:2004/Amd 1, FOGRA39 "
                         "(ISO Coated v2 300%, basICColor)"),
    "japan-color-2011-coated": Condition(
        PROFILES_DIR / "JapanColor2011Coated.icc", 4, "JCS2011",
        "Japan Color 2011 Coated: offset printing on coated paper, Japan (JCS2011)"),
}


@dataclass(frozen=True)
class PrintFinish:
    """How a print booklet is finished: its marks and its printing condition."""

    marks: str = "crop"
    output_intent: str = "srgb"


def finish(pdf: pikepdf.Pdf, options: PrintFinish) -> None:
    """Give every page of `pdf` its boxes and marks, and `pdf` its output intent."""
    condition = OUTPUT_INTENTS[options.output_intent]
    srgb = _icc_stream(pdf, OUTPUT_INTENTS["srgb"]) if condition.components != 3 else None
    registration = _registration(pdf) if options.marks != "none" else None
    for page in pdf.pages:
        trim = _box(page.obj.TrimBox)
        bleed = _box(page.obj.MediaBox)  # as WeasyPrint laid the page out: with its bleed
        media = _grown(bleed, SLUG_MM * MM) if options.marks != "none" else bleed
        clip = pikepdf.Stream(pdf, f"q {_rect(bleed)} re W n\n".encode())
        parts = [clip, *_contents(page.obj), pikepdf.Stream(pdf, b"Q\n")]
        if registration is not None:
            parts.append(pikepdf.Stream(pdf, mark_operators(trim, bleed, options.marks)))
            _resources(page.obj, "/ColorSpace")[pikepdf.Name("/Registration")] = registration
        page.obj.Contents = pikepdf.Array(parts)
        if "/Annots" in page.obj:  # PDF/X: no annotation may be printed over the page (the
            del page.obj["/Annots"]  # contents' links are for screens; the outline stays)
        page.obj.MediaBox = pikepdf.Array(media)
        page.obj.BleedBox = pikepdf.Array(bleed)
        page.obj.TrimBox = pikepdf.Array(trim)
        if srgb is not None:
            for resources in _all_resources(page.obj, pdf):
                _resources_of(resources, "/ColorSpace")[pikepdf.Name("/DefaultRGB")] = \
                    pikepdf.Array([pikepdf.Name("/ICCBased"), srgb])
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(condition.identifier),
        OutputCondition=pikepdf.String(condition.description),
        RegistryName=pikepdf.String("http://www.color.org"),
        Info=pikepdf.String(condition.description),
        DestOutputProfile=_icc_stream(pdf, condition)))])


def mark_operators(trim: list[float], bleed_box: list[float], marks: str) -> bytes:
    """The content stream drawing `marks` around the page trimmed at `trim` (x0 y0 x1 y1),
    entirely outside `bleed_box`."""
    x0, y0, x1, y1 = trim
    lines: list[list[tuple[float, float]]] = []
    for x, sx, bx in ((x0, -1, bleed_box[0]), (x1, 1, bleed_box[2])):
        for y, sy, by in ((y0, -1, bleed_box[1]), (y1, 1, bleed_box[3])):  # by: the bleed's edge
            if marks == "crop":
                length = 6 * MM
                lines += [[(bx, y), (bx + sx * length, y)], [(x, by), (x, by + sy * length)]]
            else:  # japanese: the trim lines, and the bleed lines, which meet at the bleed's
                # corner (two lines, not a joined L, whose join would reach into the bleed)
                length = 9 * MM
                lines += [[(bx, y), (bx + sx * length, y)], [(x, by), (x, by + sy * length)],
                          [(bx, by), (bx + sx * length, by)], [(bx, by), (bx, by + sy * length)]]
    if marks == "japanese":  # centre marks: the axis, crossed, in the middle of each side
        cx, cy, reach, arm = (x0 + x1) / 2, (y0 + y1) / 2, 9 * MM, 4 * MM
        for sy, edge in ((-1, bleed_box[1]), (1, bleed_box[3])):
            middle = edge + sy * reach / 2
            lines += [[(cx, edge), (cx, edge + sy * reach)], [(cx - arm, middle), (cx + arm, middle)]]
        for sx, edge in ((-1, bleed_box[0]), (1, bleed_box[2])):
            middle = edge + sx * reach / 2
            lines += [[(edge, cy), (edge + sx * reach, cy)], [(middle, cy - arm), (middle, cy + arm)]]
    path = "\n".join(" ".join(f"{px:.3f} {py:.3f} {'m' if i == 0 else 'l'}"
                              for i, (px, py) in enumerate(line)) for line in lines)
    return (f"/Artifact BMC\nq\n/Registration CS 1 SCN\n{MARK_WIDTH_PT:g} w 0 J 0 j\n"
            f"{path}\nS\nQ\nEMC\n").encode()


def _registration(pdf: pikepdf.Pdf) -> pikepdf.Array:
    """The registration colour: the /All separation, which prints on every plate (black
    where the file is viewed)."""
    tint = pdf.make_indirect(pikepdf.Dictionary(
        FunctionType=2, Domain=pikepdf.Array([0, 1]), C0=pikepdf.Array([1]),
        C1=pikepdf.Array([0]), N=1))
    return pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceGray,
                          tint])


def _icc_stream(pdf: pikepdf.Pdf, condition: Condition) -> pikepdf.Stream:
    if not condition.profile.is_file():
        from booklet.errors import UsageError

        raise UsageError(f"the ICC profile {condition.profile.name} of this printing condition is "
                         f"not installed with booklet: choose another output_intent in booklet.yaml")
    stream = pikepdf.Stream(pdf, condition.profile.read_bytes())
    stream.N = condition.components
    return pdf.make_indirect(stream)


def _contents(page: pikepdf.Dictionary) -> list[pikepdf.Stream]:
    contents = page.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


def _resources(page: pikepdf.Dictionary, kind: str) -> pikepdf.Dictionary:
    if "/Resources" not in page:
        page.Resources = pikepdf.Dictionary()
    return _resources_of(page.Resources, kind)


def _resources_of(resources: pikepdf.Dictionary, kind: str) -> pikepdf.Dictionary:
    if kind not in resources:
        resources[kind] = pikepdf.Dictionary()
    return resources[kind]


def _all_resources(page: pikepdf.Dictionary, pdf: pikepdf.Pdf):
    """The resources of a page and of everything it draws with its own: forms, patterns,
    soft masks, Type 3 glyphs, annotations' appearances (each once; one is made for an
    appearance without)."""
    seen = set()
    pending = [page.get("/Resources")] + [stream.Resources for stream in _appearances(page, pdf)]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        yield resources
        drawn = [*resources.get("/XObject", {}).values(), *resources.get("/Pattern", {}).values(),
                 *(state.SMask.G for state in resources.get("/ExtGState", {}).values()
                   if isinstance(state.get("/SMask"), pikepdf.Dictionary) and "/G" in state.SMask),
                 *(font for font in resources.get("/Font", {}).values()
                   if font.get("/Subtype") == "/Type3")]
        pending += [item.Resources for item in drawn
                    if isinstance(item, pikepdf.Stream | pikepdf.Dictionary) and "/Resources" in item]


def _appearances(page: pikepdf.Dictionary, pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    """The appearance streams of a page's annotations, each with a resource dictionary."""
    streams = []
    for annotation in page.get("/Annots", []):
        normal = annotation.get("/AP", {}).get("/N")
        for stream in ([normal] if isinstance(normal, pikepdf.Stream)
                       else list(normal.values()) if isinstance(normal, pikepdf.Dictionary) else []):
            if "/Resources" not in stream:
                stream.Resources = pdf.make_indirect(pikepdf.Dictionary())
            streams.append(stream)
    return streams


def _box(array) -> list[float]:
    x0, y0, x1, y1 = (float(value) for value in array)
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _grown(box: list[float], by: float) -> list[float]:
    return [box[0] - by, box[1] - by, box[2] + by, box[3] + by]


def _rect(box: list[float]) -> str:
    return f"{box[0]:.3f} {box[1]:.3f} {box[2] - box[0]:.3f} {box[3] - box[1]:.3f}"
