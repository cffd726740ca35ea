"""The dashboard's files are served at / and /static/, and nothing outside static/ is."""

import shutil

import pytest
from fastapi.testclient import TestClient

from citytwin.api import create_app


@pytest.fixture(scope="module")
def client(web_data_dir, tmp_path_factory):
    copy = tmp_path_factory.mktemp("static") / "data"  # the served twin is held by `citytwin serve`
    shutil.copytree(web_data_dir, copy)
    with TestClient(create_app(copy)) as c:
        yield c


def test_page_and_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in page.text
    for name, kind in [("app.js", "javascript"), ("maplibre-gl-worker.mjs", "javascript"),
                       ("maplibre-gl.css", "text/css"), ("i18n/en.json", "application/json")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"], (name, response.headers["content-type"])


@pytest.mark.parametrize("path", ["/static/../__init__.py", "/static/%2e%2e/_serve.py", "/static/nope.js",
                                  "/static/i18n", "/static/..%2f..%2fapi%2fmain.py"])
def test_nothing_outside_static_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
