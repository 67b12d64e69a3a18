"""Signing in and out of the console, the cookies that hold the key, and CSRF protection."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.e2e.console.conftest import KEY, require_routes, sign_in
from tests.support.browser import Watched
from tests.support.served import Served


def test_root_redirects_to_the_console_and_the_page_carries_the_security_headers(served: Served) -> None:
    with urllib.request.urlopen(served.url + "/") as response:  # follows the redirect
        assert response.url == served.url + "/ui/"
        headers = response.headers
        body = response.read().decode()
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in body and " style=" not in body  # no inline script or style attribute


def test_sign_in_keeps_the_key_in_an_httponly_strict_cookie_and_sign_out_ends_it(
        served: Served, console: Watched) -> None:
    page = console.page
    sign_in(console, served.url)
    page.wait_for_selector("#jobs")
    assert page.locator("#who").inner_text() != ""
    cookies = {c["name"]: c for c in page.context.cookies()}
    key_cookie = cookies["worlds_key"]
    assert key_cookie["value"] == KEY
    assert key_cookie["httpOnly"] is True and key_cookie["sameSite"] == "Strict"
    assert key_cookie["path"] == "/ui/"
    token_cookie = cookies["worlds_csrf"]  # double-submit: readable by the page, sent only to /ui/
    assert token_cookie["sameSite"] == "Strict" and token_cookie["path"] == "/ui/"
    # Never readable by the page, never in a URL or the page's markup.
    assert KEY not in page.evaluate("document.cookie")
    assert KEY not in page.content()
    assert all(KEY not in url for url in console.requests)

    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert "worlds_key" not in {c["name"] for c in page.context.cookies()}
    # Signed out for good: the API behind the console now refuses, and a reload asks again.
    status = page.evaluate("fetch('/ui/api/v1/user').then((r) => r.status)")
    assert status == 401
    page.reload()
    page.wait_for_selector("#sign-in")
    assert console.errors == [] or all("401" in e for e in console.errors)


def test_a_bad_key_gets_a_message_and_no_cookie(served: Served, console: Watched) -> None:
    require_routes(served, "/api/v1/user")
    page = console.page
    page.goto(served.url + "/ui/")
    page.fill("#api-key", "wk_not-a-real-key")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-in-error:not([hidden])")
    assert "not accepted" in page.locator("#sign-in-error").inner_text()
    assert page.context.cookies() == []
    assert page.locator("#top").is_hidden()


def test_a_state_changing_request_without_the_csrf_token_is_refused(served: Served, console: Watched) -> None:
    page = console.page
    sign_in(console, served.url)
    path = "/ui/api/v1/org/local/ws/main/worlds/manifests"
    forged = page.evaluate("""(path) => fetch(path, {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: '{}'})
        .then(async (r) => [r.status, await r.json()])""", path)
    assert forged[0] == 403 and forged[1]["type"] == "permission_denied"
    token = page.evaluate("fetch('/ui/session').then((r) => r.json()).then((s) => s.csrf)")
    allowed = page.evaluate("""([path, token]) => fetch(path, {method: 'POST', headers: {'Content-Type':
        'application/json', 'X-CSRF-Token': token}, body: '{}'}).then((r) => r.status)""", [path, token])
    assert allowed == 202


def test_the_forwarded_api_answers_as_the_api_does(served: Served) -> None:
    """/ui/api is the REST API itself: the same envelope for a missing session, no back door."""
    request = urllib.request.Request(served.url + "/ui/api/v1/org/local/ws/main/worlds/jobs")
    try:
        urllib.request.urlopen(request)
        raise AssertionError("expected 401")
    except urllib.error.HTTPError as error:
        assert error.code == 401
        assert json.loads(error.read())["type"] == "authentication_error"
    # An API key header of its own does not get a browser past the console's session.
    request.add_header("X-API-Key", KEY)
    try:
        urllib.request.urlopen(request)
        raise AssertionError("expected 401")
    except urllib.error.HTTPError as error:
        assert error.code == 401
