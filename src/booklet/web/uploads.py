"""Logos and photos uploaded from the fiche editor, checked and stored under images/.

An upload goes through the checks every fiche image gets (`preflight`: a PNG or
JPEG that decodes whole within the pixel limit, an SVG that draws nothing from
elsewhere) before it is stored. It never replaces a file: it is named after the fiche, the field and
its content (images/<id>-logo-<hash>.png), so the same image sent twice is one
file and an image another fiche uses is never overwritten. The form gets the
path to put in its field; the fiche itself changes only when the form is saved.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from booklet.atomic import temporary_beside
from booklet.project.glyph_coverage import IMAGE_FIELDS
from booklet.project.preflight import image_file_problem
from booklet.web.fiche_edits import EditError, fiche_path

IMAGES_DIR = "images"
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
"""Larger than a photo printed on an A4 page at 300 dpi needs, as a JPEG."""
SIGNATURES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}


def store_image(root: Path, fiche_id: str, field: str, filename: str, content: bytes) -> str:
    """Store `content` (the file `filename` the user chose) for the `field` of fiche
    `fiche_id`; the value for the field (a path inside the project). EditError, with what
    to do, for anything that is not an image booklet can print."""
    if field not in IMAGE_FIELDS:
        raise EditError(f"'{field}' takes no image: images go in {' or '.join(IMAGE_FIELDS)}")
    if not fiche_path(root, fiche_id).is_file():
        raise EditError(f"there is no fiche {fiche_id}.yaml in fiches/")
    shown = Path(filename).name or "the file"
    if not content:
        raise EditError(f"{shown} is empty: choose the image again")
    if len(content) > MAX_UPLOAD_BYTES:
        raise EditError(f"{shown} is {len(content) / 2**20:.1f} MB; images up to "
                        f"{MAX_UPLOAD_BYTES // 2**20} MB are accepted: save a smaller copy")
    suffix = image_suffix(content, shown)
    digest = hashlib.sha256(content).hexdigest()[:12]
    value = f"{IMAGES_DIR}/{fiche_id}-{field}-{digest}{suffix}"
    target = root / value
    if target.is_file():
        return value  # named after its content: sent before
    try:
        temporary = temporary_beside(target, lambda file: file.write(content))
        try:
            problem = image_file_problem(temporary, shown, svg=suffix == ".svg", decode=True)
            if problem:
                raise EditError(f"{field}: {problem}")
            try:
                os.link(temporary, target)  # never over an existing file
            except FileExistsError:
                pass  # the same name: the same content, sent before
            except OSError:  # a file system without hard links
                if not target.exists():
                    os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise EditError(f"the image could not be stored in {IMAGES_DIR}/ ({error.strerror}): "
                        f"check that the project folder can be written to and has room") from None
    return value


def image_suffix(content: bytes, shown: str) -> str:
    """The file suffix of an image from its first bytes (a name can lie): .png, .jpg or .svg."""
    for signature, suffix in SIGNATURES.items():
        if content.startswith(signature):
            return suffix
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) \
            and b"<svg" in content[:4096].lower():
        return ".svg"  # then checked as every SVG is (preflight)
    raise EditError(f"{shown} is not a PNG, JPEG or SVG image: save it as PNG or JPEG "
                    f"and choose it again")
