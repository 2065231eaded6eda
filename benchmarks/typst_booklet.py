"""The same booklet made with Typst, as a yardstick for booklet's speed.

Reads a project's fiches (YAML) and compiles both editions with Typst (the
`typst` package: the compiler as a Python module, no download): a cover, a
table of contents with page numbers (Typst's own `outline`), and one page
per fiche with its name, key figures, partners, contact and six texts, set in
the bundled Noto CJK fonts. No copyfitting, no tags, no per-collectivité
PDFs: a lower bound for what a typesetter needs for the same pages. Fiche
text reaches Typst as data (JSON strings), never as markup.

    python benchmarks/typst_booklet.py PROJECT OUTDIR    # prints the seconds taken
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

FONTS = Path(__file__).resolve().parent.parent / "src" / "booklet" / "fonts"
SECTIONS = ["geography", "history", "highlights", "economy", "exchanges", "good_practice"]
TITLES = {
    "fr": ["Situation géographique", "Histoire", "Points forts", "Économie",
           "Échanges avec le Japon", "Bonne pratique à partager"],
    "ja": ["位置・地理的特徴", "歴史", "主な特色", "主な産業", "フランスとの交流", "共有したい取組"],
}
DOCUMENT = r"""
#let data = json("data.json")
#let ed = sys.inputs.edition
#set document(title: data.title)
#set page(paper: "a4", margin: (x: 16mm, top: 16mm, bottom: 18mm),
  footer: context [#set text(7pt); #data.title #h(1fr) #counter(page).display()])
#set text(font: ("Noto Serif CJK JP Booklet"), size: 9pt, lang: ed)
#set par(justify: true, leading: 0.55em)
#show heading: set text(font: "Noto Sans CJK JP Booklet")
#page(footer: none)[
  #v(60mm)
  #text(24pt, font: "Noto Sans CJK JP Booklet", weight: "bold", data.title)
  #v(4mm)
  #text(12pt, data.subtitle)
]
#outline(title: data.contents, depth: 1)
#for f in data.fiches [
  #pagebreak(weak: true)
  = #f.name
  #text(8pt, font: "Noto Sans CJK JP Booklet", f.kind)
  #grid(columns: (48mm, 1fr), gutter: 6mm,
    block(fill: luma(240), inset: 3mm, width: 100%)[
      #set text(7.5pt, font: "Noto Sans CJK JP Booklet")
      #for (label, value) in f.facts [*#label* \ #value \ ]
    ],
    [
      #for s in f.sections [
        #text(9pt, font: "Noto Sans CJK JP Booklet", weight: "bold", s.title) \
        #s.text
        #parbreak()
      ]
    ])
]
"""


def _text(value, edition: str) -> str:
    if isinstance(value, dict):
        return value.get(edition) or next(iter(value.values()))
    return "" if value is None else str(value)


def edition_data(fiches: list[dict], config: dict, edition: str) -> dict:
    """What the Typst document prints for one edition: plain strings."""
    entries = []
    for fiche in sorted(fiches, key=lambda f: (f["country"] != "FR", _text(f["name"], edition))):
        facts = [[label, _text(fiche.get(key), edition)] for label, key in
                 (("Region", "region"), ("Department", "department"), ("km²", "area_km2"),
                  ("Population", "population")) if fiche.get(key)]
        facts += [["Partner", _text(partner, edition)] for partner in fiche.get("partners", [])]
        contact = fiche.get("contact") or {}
        facts += [["Contact", " / ".join(str(v).replace("\n", " ") for v in contact.values())]]
        sections = [{"title": title, "text": _text(fiche["sections"].get(key), edition)}
                    for key, title in zip(SECTIONS, TITLES[edition], strict=True)
                    if fiche["sections"].get(key)]
        entries.append({"name": _text(fiche["name"], edition),
                        "kind": _text(fiche.get("kind"), edition), "facts": facts,
                        "sections": sections})
    return {"title": _text(config["title"], edition),
            "subtitle": _text(config.get("subtitle"), edition),
            "contents": "Sommaire" if edition == "fr" else "目次", "fiches": entries}


def build(project: Path, out: Path) -> None:
    import typst

    config = yaml.load((project / "booklet.yaml").read_text(encoding="utf-8"),
                       Loader=yaml.CSafeLoader)
    fiches = [yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
              for path in sorted((project / "fiches").glob("*.yaml"))]
    out.mkdir(parents=True, exist_ok=True)
    (out / "booklet.typ").write_text(DOCUMENT, encoding="utf-8")
    for edition in ("fr", "ja"):
        (out / "data.json").write_text(json.dumps(edition_data(fiches, config, edition),
                                                  ensure_ascii=False), encoding="utf-8")
        typst.compile(str(out / "booklet.typ"), output=str(out / f"typst-{edition}.pdf"),
                      root=str(out), font_paths=[str(FONTS)], ignore_system_fonts=True,
                      sys_inputs={"edition": edition})


if __name__ == "__main__":
    start = time.perf_counter()
    build(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"typst seconds: {time.perf_counter() - start:.2f}")
