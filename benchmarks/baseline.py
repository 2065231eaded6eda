"""The naive baseline: what a competent user writes in an afternoon.

One HTML document with every fiche, a table of contents numbered by
`target-counter()`, an auto-layout header table per fiche, the same bundled
fonts, HarfBuzz subsetting (when Debian's libharfbuzz-subset0 is installed),
no copyfitting. Used by benchmarks/run.py as the reference in the same run.

    python benchmarks/baseline.py PROJECT_DIR EDITION OUTPUT.pdf
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jinja2
import yaml
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

FONTS = Path(__file__).resolve().parent.parent / "fonts"
SECTIONS = ["geography", "history", "highlights", "economy", "exchanges", "good_practices"]
TITLES = {"fr": ["Situation et aspects géographiques", "Bref historique", "Particularités",
                 "Principaux secteurs d'activité", "Manifestations et activités",
                 "Bonnes pratiques à partager"],
          "ja": ["位置・地理的特徴", "沿革", "特色", "主な産業・特産品", "交流・活動", "共有したい優良事例"]}

TEMPLATE = jinja2.Template("""<!DOCTYPE html><html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ title }}</title></head><body>
<section class="cover"><h1>{{ title }}</h1></section>
<section class="toc"><h1>Sommaire</h1><ul>
{% for f in fiches %}<li><a href="#{{ f.id }}">{{ f.name }}</a></li>{% endfor %}
</ul></section>
{% for f in fiches %}
<article id="{{ f.id }}" lang="{{ f.lang }}"><h1>{{ f.name }}</h1>
<table class="header"><tr><th>Région</th><th>Superficie</th><th>Population</th><th>Contact</th></tr>
<tr><td>{{ f.region }}</td><td>{{ f.area }} km²</td><td>{{ f.population }}</td>
<td>{{ f.contact }}</td></tr></table>
{% for title, text in f.sections %}<h2>{{ loop.index }}. {{ title }}</h2><p>{{ text }}</p>{% endfor %}
</article>{% endfor %}
</body></html>""", autoescape=True)

STYLESHEET = """
@font-face { font-family: BookletSans; src: url(NotoSansCJKjpBooklet-Regular.otf); }
@font-face { font-family: BookletSans; font-weight: bold; src: url(NotoSansCJKjpBooklet-Bold.otf); }
@font-face { font-family: BookletSerif; src: url(NotoSerifCJKjpBooklet-Regular.otf); }
@font-face { font-family: BookletSerif; font-weight: bold; src: url(NotoSerifCJKjpBooklet-Bold.otf); }
@page { size: A4; margin: 16mm 15mm 18mm;
  @bottom-right { content: counter(page); font-family: BookletSans; } }
html { font-family: BookletSerif; font-size: 9pt; line-height: 1.4; }
h1, h2, th { font-family: BookletSans; }
.cover { page-break-after: always; padding-top: 80mm; }
.toc a::after { content: " " target-counter(attr(href), page); }
article { page-break-before: always; }
table.header { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }
th, td { border: 0.5pt solid #999; padding: 1mm 2mm; text-align: left; vertical-align: top; }
h2 { font-size: 10pt; margin: 3mm 0 1mm; }
p { margin: 0; text-align: justify; }
"""


def text(value, lang):
    return value.get(lang) or next(iter(value.values())) if isinstance(value, dict) else value


def fiche_data(path: Path, lang: str) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    contact = data.get("contact") or {}
    return {
        "id": path.stem, "lang": data["lang"], "name": text(data["name"], lang),
        "region": text(data.get("region", ""), lang), "area": data.get("area_km2", ""),
        "population": data.get("population", ""),
        "contact": " ".join(str(v) for v in contact.values()),
        "sections": [(title, text(data["sections"][key], lang))
                     for key, title in zip(SECTIONS, TITLES[lang], strict=True)
                     if data["sections"].get(key)],
    }


def build(project: Path, lang: str, output: Path) -> int:
    """Write the booklet of `project` in `lang` to `output`; return its page count."""
    config = yaml.safe_load((project / "booklet.yaml").read_text(encoding="utf-8"))
    fiches = [fiche_data(path, lang) for path in sorted((project / "fiches").glob("*.yaml"))]
    html = TEMPLATE.render(lang=lang, title=text(config["title"], lang), fiches=fiches)
    fonts = FontConfiguration()
    css = CSS(string=STYLESHEET, base_url=f"{FONTS}/", font_config=fonts)
    start = time.perf_counter()
    document = HTML(string=html, base_url=f"{project}/").render(stylesheets=[css],
                                                               font_config=fonts)
    laid_out = time.perf_counter()
    document.write_pdf(output)
    # what WeasyPrint itself spends on these pages: the floor for any WeasyPrint-based tool
    print(f"weasyprint seconds: {time.perf_counter() - start:.3f} (lay out {laid_out - start:.3f})")
    return len(document.pages)


if __name__ == "__main__":
    pages = build(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
    print(f"wrote {sys.argv[3]} ({pages} pages)")
