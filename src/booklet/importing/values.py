"""Form values as fiche values: numbers written the French or Japanese way, partners, contact.

Each function returns the value and, when something was dropped or guessed,
a note for the import report. Nothing that cannot be read is guessed: it is
left for a person, with the original kept.
"""

from __future__ import annotations

import re
import unicodedata

NUMBER = r"\d{1,12}(?:[  \u202f.,']\d{3})*(?:[.,]\d{1,6})?"
MAN = 10_000  # 万
OKU = 100_000_000  # 億


def _shown(value: str) -> str:
    """A value as quoted in a note: on one line, and not too long."""
    flat = " ".join(value.split())
    return flat if len(flat) <= 60 else flat[:57] + "…"


def _number(text: str, lang: str) -> float | None:
    """'66 171' → 66171 and '4,3' → 4.3 in French; '481,732' → 481732 and '57.45' in Japanese."""
    digits = re.sub(r"[  \u202f']", "", text)
    if lang == "fr":
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", digits):
            digits = digits.replace(".", "")
        digits = digits.replace(",", ".")
    else:
        digits = digits.replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def area_km2(value: str, lang: str) -> tuple[float | None, str | None]:
    """'4,3 km ²' → 4.3; '57.45 km²', '57.45㎢', '約57平方キロメートル' → 57.45, 57."""
    text = unicodedata.normalize("NFKC", value)
    match = re.search(NUMBER, text)
    number = _number(match[0], lang) if match else None
    if number is None:
        return None, f"area '{_shown(value)}' has no number I can read: area_km2 left out"
    unit = text[match.end():].strip().lower().replace(" ", "")
    if unit.startswith(("ha", "hectare")):
        return round(number / 100, 4), f"area '{_shown(value)}' converted from hectares"
    if unit and not unit.startswith(("km", "平方キロ", "k㎡", "㎢")):
        return number, f"area '{_shown(value)}': unit not recognised, read as km²"
    if lang == "fr" and re.fullmatch(r"\d{1,3}\.\d{3}", match[0]):
        return number, f"area '{_shown(value)}' read as {number:g} km² (a dot before three digits)"
    return number, None


def population(value: str, lang: str) -> tuple[int | None, str | None]:
    """'66 171 hab.' → 66171; '481,732人' → 481732; '約48万人' → 480000 (with a note)."""
    text = unicodedata.normalize("NFKC", value)
    for unit, factor in (("万", MAN), ("億", OKU)):
        match = re.search(rf"(\d{{1,3}}(?:,\d{{3}})+|\d{{1,12}}(?:\.\d{{1,6}})?)\s*{unit}", text)
        if match:
            return round(float(match[1].replace(",", "")) * factor), (
                f"population '{_shown(value)}' given in {unit}: check the exact figure")
    numbers = re.findall(NUMBER, text)
    if not numbers:
        return None, f"population '{_shown(value)}' has no number I can read: population left out"
    # a population is a whole number: a separator before three digits separates thousands
    counts = [int(re.sub(r"\D", "", n)) if re.fullmatch(r"\d{1,3}([  \u202f.,']\d{3})+", n)
              else round(_number(n, lang) or 0) for n in numbers]
    if len(counts) > 1:
        return max(counts), (f"population '{_shown(value)}' holds several numbers: the largest, "
                             f"{max(counts)}, was taken; check it")
    return counts[0], None


PARTNER_PREFIX = re.compile(r"^(la |the )?(ville|commune|cité|city|town|département|"
                            r"préfecture|région|province)\s+(de\s+|d'|d’|du\s+|of\s+)",
                            re.IGNORECASE)


def partners(value: str) -> tuple[list[str], list[str]]:
    """The partners named in 'Jumelage / Partenariat avec...', one per name; notes when a
    'Ville de' was dropped so that the name matches the partner's fiche."""
    notes = []
    names = []
    for part in re.split(r"\s*(?:[,;、，；/\n]|\s+et\s+|\s+and\s+)\s*", value.strip()):
        part = part.strip(" .。")
        if not part or part.lower() in ("néant", "aucun", "aucune", "なし", "-"):
            continue
        short = PARTNER_PREFIX.sub("", part)
        if short != part:
            notes.append(f"partner '{part}' recorded as '{short}', the name its fiche would have")
        names.append(short[0].upper() + short[1:] if short else part)
    return names, notes


_ASCII_FORMS = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                              "－": "-", "＠": "@", "．": ".", "＋": "+", "\u3000": " "})
"""Full-width digits and the signs of phone numbers and e-mails, as ASCII (nothing else)."""
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?:\+\d{1,3}[  .]?(?:\(0\))?\s?\d(?:[  .-]?\d{2}){4}"   # +33 1 41 23 88 37
                   r"|0\d(?:[  .-]?\d{2}){4}"                               # 01 41 23 88 37
                   r"|0\d{1,4}-\d{1,4}-\d{3,4}"                             # 047-334-1111
                   r"|\(0\d{1,4}\)\s?\d{1,4}-\d{4})")                       # (047) 334-1111
TEL_LABEL = re.compile(r"(t[ée]l(?:[ée]phone)?|tel|電話|TEL)[\s.:：]*$", re.IGNORECASE)
FR_POSTCODE = re.compile(r"\b\d{5}\s+[A-ZÀ-Ý]")
JP_POSTCODE = re.compile(r"〒?\s?\d{3}-\d{4}")


def contact(value: str) -> tuple[dict[str, str], list[str]]:
    """'Morgane MILLON 62 rue … 92130 Issy-les-Moulineaux 01 41 23 88 37 m@x.fr' split into
    name, address (one line per part), phone and email."""
    text = value.translate(_ASCII_FORMS).strip()  # full-width digits become ASCII, not （）
    parts = [part.strip(" ,;") for part in re.split(r"\n| [-–—] ", text) if part.strip(" ,;")]
    if len(parts) > 1:
        return _contact_parts(parts)
    result, notes = {}, []
    email = EMAIL.search(text)
    if email:
        result["email"] = email[0]
        text = (text[:email.start()] + " " + text[email.end():]).strip()
    phone = PHONE.search(text)
    if phone:
        start, end = phone.span()
        result["phone"] = text[start:end].strip()
        text = (TEL_LABEL.sub("", text[:start]) + " " + text[end:]).strip()
    text = re.sub(r"(?i)\b(e-?mail|mail|courriel|メール)\s*[.:：]?\s*$", "", text).strip(" -–,;:")
    japanese = JP_POSTCODE.search(text)
    address_start = japanese.start() if japanese else None
    if address_start is None:
        street = re.search(r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(rue|avenue|av\.|boulevard|bd|place|"
                           r"quai|allée|chemin|cours|impasse|route|square|esplanade|parvis)\b",
                           text, re.IGNORECASE)
        building = re.search(r"\b(hôtel de ville|mairie|h[ôo]tel du département|"
                             r"h[ôo]tel de (la )?région)\b", text, re.IGNORECASE)
        candidates = [m.start() for m in (street, building) if m]
        address_start = min(candidates) if candidates else None
    if address_start is None:
        if text:
            result = {"name": text, **result}
            notes.append("contact: no postal address found; everything but the phone and e-mail "
                         "is in contact.name: check it")
        return result, notes
    name, address = text[:address_start].strip(" ,;-–"), text[address_start:].strip(" ,;")
    postcode = FR_POSTCODE.search(address)
    if postcode and postcode.start() > 0:
        address = address[:postcode.start()].strip(" ,") + "\n" + address[postcode.start():]
    ordered = {"name": name, "address": address, "phone": result.get("phone"),
               "email": result.get("email")}
    return {key: value for key, value in ordered.items() if value}, notes


def _contact_parts(parts: list[str]) -> tuple[dict[str, str], list[str]]:
    """A contact written on several lines (or parts between " - "): the e-mail and phone
    where they are, the name first, the address in the lines between."""
    found: dict[str, str] = {}
    rest = []
    for part in parts:
        email = EMAIL.search(part) if "email" not in found else None
        if email:
            found["email"] = email[0]
            part = (part[:email.start()] + " " + part[email.end():]).strip()
        phone = PHONE.search(part) if "phone" not in found else None
        if phone:
            found["phone"] = phone[0].strip()
            part = (TEL_LABEL.sub("", part[:phone.start()]) + " " + part[phone.end():]).strip()
        part = re.sub(r"(?i)^(e-?mail|mail|courriel|メール|tel|tél|téléphone|電話)\s*[.:：]?\s*$",
                      "", part).strip(" ,;:-–")
        if part:
            rest.append(part)
    notes = []
    if rest and (JP_POSTCODE.match(rest[0]) or re.match(r"\d", rest[0])):
        notes.append("contact: the first line looks like an address, so no name was taken: "
                     "check contact.name")
        name, address = None, rest
    else:
        name, address = (rest[0] if rest else None), rest[1:]
    ordered = {"name": name, "address": "\n".join(address) or None, "phone": found.get("phone"),
               "email": found.get("email")}
    return {key: value for key, value in ordered.items() if value}, notes


def language(texts: list[str]) -> str:
    """'ja' when most letters are Japanese, else 'fr'."""
    letters = [c for text in texts for c in text if c.isalpha()]
    japanese = sum(1 for c in letters if ord(c) >= 0x3000)
    return "ja" if letters and japanese * 2 > len(letters) else "fr"
