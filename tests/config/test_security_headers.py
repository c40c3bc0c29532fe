"""What a browser is told: a content security policy on our pages, HSTS and secure cookies
outside debug, nothing that names the software."""

import base64
import json
import os
import re
import subprocess
import sys

from config.middleware import POLICY
from tests.support.processes import ROOT

PRODUCTION_DECISION_KEY = base64.b64encode(b"k" * 32).decode()

PROBE = """
import json
from django.conf import settings
from django.test import Client
response = Client().get("/admin/login/", secure=True)
cookie = response.cookies["csrftoken"]
print(json.dumps({
    "status": response.status_code,
    "headers": dict(response.headers),
    "csrf_cookie_secure": bool(cookie["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def _production_response() -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={
            **environ,
            "DEBUG": "0",
            "SECRET_KEY": "x7$kq!2vR9mZ#pL4wT8nB1cY6hJ3dF0sG5aE-u_oI*Ux7$kq!2vR9mZ",
            "ALLOWED_HOSTS": "testserver",
            "DECISION_KEY": PRODUCTION_DECISION_KEY,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_outside_debug_cookies_are_secure_and_https_is_pinned():
    seen = _production_response()
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert seen["status"] == 200
    assert seen["csrf_cookie_secure"]
    assert seen["session_cookie_secure"]
    assert seen["session_cookie_httponly"]
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["content-security-policy"] == POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert not {"x-powered-by", "server"} & set(headers)


def test_admin_and_docs_pages_carry_the_policy_and_need_no_inline_script(client):
    for url in ["/admin/login/", "/api/docs/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == POLICY
        html = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)
        assert inline == [], f"{url} has inline script, which the policy blocks"
