"""GET /sw.js: the service worker is served from the site root, uncached, allowed to control `/`."""

from flask.testing import FlaskClient


def test_service_worker_is_served_from_the_root(client: FlaskClient) -> None:
    with client.get("/sw.js") as response:
        body = response.get_data()
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert b'importScripts("/static/participant/offline.js")' in body


def test_the_offline_script_it_imports_is_served(client: FlaskClient) -> None:
    with client.get("/static/participant/offline.js") as response:
        assert response.status_code == 200
        assert b"surveyOffline" in response.get_data()
