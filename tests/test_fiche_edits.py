"""Editing a fiche through `booklet serve`'s API (issue 16, the server's part): the file keeps
its comments and styles, invalid data and stale saves write nothing, and only the page
itself (with the token, when other machines can reach the server) may change a fiche."""

from __future__ import annotations

import yaml
from starlette.testclient import TestClient

from booklet.web.server import Site, create_app
from conftest import run

JSON = {"content-type": "application/json"}


def _client(sample, token=None) -> TestClient:
    return TestClient(create_app(Site(sample), token=token), base_url="http://testserver")


def test_a_saved_edit_keeps_the_files_comments_and_styles_and_builds(sample):
    client = _client(sample)
    fiche = sample / "fiches" / "ichikawa.yaml"
    before = fiche.read_text(encoding="utf-8")
    form = client.get("/api/fiches/ichikawa").json()
    assert form["data"]["name"] == {"ja": "市川市", "fr": "Ichikawa"}
    form["data"]["sections"]["geography"] = "市川市は千葉県の北西部にあります。\n\n江戸川に面しています。"
    saved = client.put("/api/fiches/ichikawa", headers=JSON,
                       json={"data": form["data"], "version": form["version"]})
    assert saved.status_code == 200, saved.text
    after = fiche.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments and all(line in after for line in comments)
    assert "  geography: >-" in after and "  exchanges: >-" in after  # block styles kept
    assert after.splitlines()[len(comments):len(comments) + 3] == \
        before.splitlines()[len(comments):len(comments) + 3]  # key order
    data = yaml.safe_load(after)
    assert data["sections"]["geography"] == "市川市は千葉県の北西部にあります。\n\n江戸川に面しています。"
    assert run("build", sample).exit_code == 0


def test_invalid_data_is_refused_at_its_field_and_nothing_is_written(sample):
    client = _client(sample)
    fiche = sample / "fiches" / "ichikawa.yaml"
    before = fiche.read_bytes()
    form = client.get("/api/fiches/ichikawa").json()
    form["data"]["population"] = "beaucoup"
    refused = client.put("/api/fiches/ichikawa", headers=JSON,
                         json={"data": form["data"], "version": form["version"]})
    assert refused.status_code == 422
    [finding] = refused.json()["findings"]
    assert finding["keys"] == ["population"] and "whole number" in finding["message"]
    assert finding["location"].startswith("fiches/ichikawa.yaml:")
    assert fiche.read_bytes() == before


def test_a_save_based_on_an_older_version_is_refused_with_both_versions(sample):
    client = _client(sample)
    fiche = sample / "fiches" / "ichikawa.yaml"
    first = client.get("/api/fiches/ichikawa").json()
    second = client.get("/api/fiches/ichikawa").json()
    first["data"]["area_km2"] = 57.4
    assert client.put("/api/fiches/ichikawa", headers=JSON,
                      json={"data": first["data"], "version": first["version"]}).status_code == 200
    written = fiche.read_bytes()
    second["data"]["area_km2"] = 60.0
    refused = client.put("/api/fiches/ichikawa", headers=JSON,
                         json={"data": second["data"], "version": second["version"]})
    assert refused.status_code == 409
    assert refused.json()["mine"]["area_km2"] == 60.0
    assert refused.json()["theirs"]["data"]["area_km2"] == 57.4
    assert fiche.read_bytes() == written


def test_changes_come_only_from_the_page_itself(sample):
    client = _client(sample)
    form = client.get("/api/fiches/ichikawa").json()
    body = {"data": form["data"], "version": form["version"]}
    before = (sample / "fiches" / "ichikawa.yaml").read_bytes()
    for headers in ({"content-type": "text/plain"},
                    {**JSON, "origin": "http://evil.example"},
                    {**JSON, "sec-fetch-site": "cross-site"}):
        assert client.put("/api/fiches/ichikawa", headers=headers, json=body).status_code == 403
    assert client.get("/api/fiches/..%2Fbooklet").status_code in (400, 404)
    assert (sample / "fiches" / "ichikawa.yaml").read_bytes() == before


def test_a_server_reachable_from_other_machines_needs_its_token(sample):
    client = _client(sample, token="s3cret")
    form = client.get("/api/fiches/ichikawa").json()
    body = {"data": form["data"], "version": form["version"]}
    assert client.put("/api/fiches/ichikawa", headers=JSON, json=body).status_code == 403
    assert client.put("/api/fiches/ichikawa", headers={**JSON, "x-booklet-token": "wrong"},
                      json=body).status_code == 403
    assert client.put("/api/fiches/ichikawa", headers={**JSON, "x-booklet-token": "s3cret"},
                      json=body).status_code == 200


def test_the_preview_shows_the_page_as_edited_with_its_fit(sample):
    """An edit not saved yet: its page as it will print, and how it fits; the file is unchanged."""
    import base64
    import io

    from PIL import Image

    from booklet.building.builder import Builder

    site = Site(sample)
    client = TestClient(create_app(site), base_url="http://testserver")
    fiche = sample / "fiches" / "ichikawa.yaml"
    before = fiche.read_bytes()
    with Builder(sample, workers=1) as builder:
        builder.build()
        site.builder = builder
        form = client.get("/api/fiches/ichikawa").json()
        short = client.post("/api/fiches/ichikawa/preview?edition=ja", headers=JSON,
                            json={"data": form["data"]}).json()
        form["data"]["sections"]["history"] = "市川市の歴史は古く、" * 400
        long = client.post("/api/fiches/ichikawa/preview?edition=ja", headers=JSON,
                           json={"data": form["data"]}).json()
        form["data"]["population"] = -3
        invalid = client.post("/api/fiches/ichikawa/preview?edition=ja", headers=JSON,
                              json={"data": form["data"]}).json()
    assert short["fit"]["step"] == 0 and long["fit"]["step"] is None
    assert long["fit"]["overflow_characters"] > 1000 and 2 in long["fit"]["overflow_sections"]
    image = Image.open(io.BytesIO(base64.b64decode(short["image"].split(",", 1)[1])))
    assert image.width == 620 and image.height > 800
    assert invalid["findings"][0]["keys"] == ["population"] and "image" not in invalid
    assert fiche.read_bytes() == before


def test_a_new_fiche_is_created_and_a_deleted_one_is_kept_aside(sample):
    client = _client(sample)
    made = client.post("/api/fiches", headers=JSON,
                       json={"id": "kofu", "lang": "ja", "name": "甲府市",
                             "geography": "甲府盆地の中央にあります。"})
    assert made.status_code == 201, made.text
    data = yaml.safe_load((sample / "fiches" / "kofu.yaml").read_text(encoding="utf-8"))
    assert data == {"lang": "ja", "country": "JP", "name": "甲府市",
                    "sections": {"geography": "甲府盆地の中央にあります。"}}
    empty = client.post("/api/fiches", headers=JSON, json={"id": "nara", "lang": "ja",
                                                           "name": "奈良市", "geography": ""})
    assert empty.status_code == 400 and "sections" in empty.json()["error"]
    again = client.post("/api/fiches", headers=JSON, json={"id": "kofu", "lang": "ja", "name": "x"})
    assert again.status_code == 400 and "already a fiche" in again.json()["error"]
    assert client.post("/api/fiches", headers={"content-type": "text/plain"},
                       json={"id": "nara", "lang": "ja", "name": "奈良市"}).status_code == 403
    assert run("build", sample).exit_code == 0

    stale = client.post("/api/fiches/kofu/delete", headers=JSON, json={"version": "0" * 64})
    assert stale.status_code == 400 and (sample / "fiches" / "kofu.yaml").exists()
    version = client.get("/api/fiches/kofu").json()["version"]
    deleted = client.post("/api/fiches/kofu/delete", headers=JSON, json={"version": version})
    assert deleted.status_code == 200
    assert not (sample / "fiches" / "kofu.yaml").exists()
    [kept] = (sample / "fiches" / ".deleted").glob("kofu-*.yaml")
    assert "甲府市" in kept.read_text(encoding="utf-8")
    assert run("build", sample).exit_code == 0  # the kept copy is not a fiche of the booklet


def _png(width: int, height: int, color=(31, 58, 104)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((width, height), 60).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _upload(client, content: bytes, field="logo", name="logo.png", headers=JSON, fiche="ichikawa"):
    import base64

    return client.post(f"/api/fiches/{fiche}/images", headers=headers,
                       json={"field": field, "name": name,
                             "data": base64.b64encode(content).decode()})


def test_an_uploaded_image_is_checked_and_stored_under_images_without_replacing_any(sample):
    client = _client(sample)
    images = sample / "images"
    before = {path: path.read_bytes() for path in images.rglob("*")} if images.exists() else {}
    logo = _png(400, 400)
    stored = _upload(client, logo)
    assert stored.status_code == 201, stored.text
    value = stored.json()["value"]
    assert value.startswith("images/ichikawa-logo-") and value.endswith(".png")
    assert (sample / value).read_bytes() == logo
    assert _upload(client, logo, name="same-again.png").json()["value"] == value  # one file
    other = _upload(client, _png(400, 400, (200, 30, 40))).json()["value"]
    assert other != value and (sample / value).read_bytes() == logo  # nothing replaced
    assert all(path.read_bytes() == content for path, content in before.items())

    form = client.get("/api/fiches/ichikawa").json()
    form["data"]["logo"] = value
    saved = client.put("/api/fiches/ichikawa", headers=JSON,
                       json={"data": form["data"], "version": form["version"]})
    assert saved.status_code == 200, saved.text
    assert f"logo: {value}" in (sample / "fiches" / "ichikawa.yaml").read_text(encoding="utf-8")


def test_uploads_that_are_not_printable_images_are_refused_and_leave_nothing(sample):
    client = _client(sample)
    refusals = {
        "not an image": (b"just some text", "notes.png", "is not a PNG, JPEG or SVG image"),
        "damaged PNG": (_png(50, 50)[:60], "cut.png", "is not a readable image"),
        "SVG drawing from elsewhere": (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="file:///etc/passwd"/></svg>', "map.svg", "refers to another file"),
        "SVG with entities": (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>'
                              b'<svg xmlns="http://www.w3.org/2000/svg"/>', "e.svg", "DOCTYPE"),
        "empty": (b"", "empty.png", "is empty"),
        "JPEG cut short": (_jpeg(400, 300)[:2000], "cut.jpg", "cut short"),
        "far too many pixels": (_png(9000, 8000), "huge.png", "far too many pixels"),
        "XHTML holding an SVG": (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                                 b'<svg xmlns="http://www.w3.org/2000/svg"/></html>', "page.svg",
                                 "is not an SVG image"),
    }
    for what, (content, name, message) in refusals.items():
        refused = _upload(client, content, name=name)
        assert refused.status_code == 400, what
        assert message in refused.json()["error"] and name in refused.json()["error"], what
    assert _upload(client, _png(10, 10), field="name").status_code == 400
    assert _upload(client, _png(10, 10), fiche="nowhere").status_code == 400
    assert _upload(client, _png(10, 10), fiche="..%2Fbooklet").status_code in (400, 404)
    made = client.post("/api/fiches", headers=JSON, json={"id": "evil\n", "lang": "fr",
                                                          "name": "X", "geography": "Y"})
    assert made.status_code == 400 and not list((sample / "fiches").glob("evil*"))
    images = sample / "images"
    assert not images.exists() or not [path for path in images.iterdir()
                                       if path.name.startswith(("ichikawa-", "."))]


def test_uploads_are_limited_in_size_and_come_only_from_the_page(sample):
    from booklet.web.uploads import MAX_UPLOAD_BYTES

    client = _client(sample)
    signature = b"\x89PNG\r\n\x1a\n"
    just_over = _upload(client, signature + bytes(MAX_UPLOAD_BYTES))
    assert just_over.status_code == 400 and "up to 15 MB" in just_over.json()["error"]
    far_over = _upload(client, signature + bytes(2 * MAX_UPLOAD_BYTES))  # not even read whole
    assert far_over.status_code == 413 and "nothing was changed" in far_over.json()["error"]
    for headers in ({"content-type": "multipart/form-data; boundary=x"},
                    {**JSON, "origin": "http://evil.example"},
                    {**JSON, "sec-fetch-site": "cross-site"}):
        assert _upload(client, _png(10, 10), headers=headers).status_code == 403
    guarded = _client(sample, token="s3cret")
    assert _upload(guarded, _png(10, 10)).status_code == 403
    assert _upload(guarded, _png(10, 10),
                   headers={**JSON, "x-booklet-token": "s3cret"}).status_code == 201
    stored = list((sample / "images").glob("ichikawa-logo-*"))
    assert len(stored) == 1  # only the upload with the token


def test_the_live_view_shows_what_booklet_check_finds_at_each_field(sample):
    """Besides the model's errors: a character no font has, a doubtful figure, an image that
    cannot print, each at its field (no page is drawn: no build has run here)."""
    client = _client(sample)
    form = client.get("/api/fiches/issy-les-moulineaux").json()
    data = form["data"]
    data["sections"]["history"] = {"fr": data["sections"]["history"], "ja": "歴史\u0378です"}
    data["population"] = 25_000_000
    data["logo"] = "images/absent.png"
    shown = client.post("/api/fiches/issy-les-moulineaux/preview?edition=fr", headers=JSON,
                        json={"data": data}).json()
    by_field = {".".join(f["keys"]): f["message"] for f in shown["findings"]}
    assert "U+0378" in by_field["sections.history.ja"]
    assert "population" in by_field["population"]
    assert "images/absent.png" in by_field["logo"] and "not found" in by_field["logo"]
    assert all(f["location"].startswith("fiches/issy-les-moulineaux.yaml:")
               for f in shown["findings"])


def test_the_fiches_a_partner_is_chosen_among_are_those_of_the_last_build(sample):
    from booklet.project.loading import load_project
    from booklet.web.server import SiteState

    site = Site(sample)
    client = TestClient(create_app(site), base_url="http://testserver")
    assert client.get("/api/fiches").json() == []  # nothing built yet
    site.state = SiteState(project=load_project(sample))
    listed = client.get("/api/fiches")
    assert listed.headers["cache-control"] == "no-store"
    assert listed.json() == [{"id": "ichikawa", "name": {"ja": "市川市", "fr": "Ichikawa"}},
                             {"id": "issy-les-moulineaux", "name": "Issy-les-Moulineaux"}]
