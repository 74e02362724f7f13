"""Start Sauti exactly as the README's "Deploying" section does, and fetch what a visitor fetches.

    python scripts/production_smoke.py [--port N] [--database-url URL]

Production settings from the environment (SAUTI_ENV=production, generated secrets, DEBUG off), then
`sauti check --deploy`, `sauti collectstatic --noinput`, `sauti migrate --noinput`, `sauti setup …`,
gunicorn serving `sauti.wsgi:application` and `sauti worker`. /healthz must answer 200 once the worker beats;
every public page, the log-in page, a static file named in a page (its hashed name) and the API schema
must answer 200. Everything lives in a temporary folder
(SQLite there, unless --database-url names an empty database). Exit 0 when all pass. CI runs it
(.ci/run, stage "production").
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ["/", "/report/", "/public/map/", "/dialogues/scorecard/", "/accounts/login/", "/api/schema/"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def production_env(var_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAUTI_", "DJANGO_")) and k != "DEBUG"}
    env.update(
        SAUTI_ENV="production",
        SAUTI_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        SAUTI_IDENTITY_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        SAUTI_LOOKUP_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"https://127.0.0.1:{port}",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
        DJANGO_SETTINGS_MODULE="sauti.settings",
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(env: dict[str, str], *args: str) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run([str(BIN / args[0]), *args[1:]], env=env, check=True, cwd=ROOT)


def fetch(port: int, path: str) -> tuple[int, bytes]:
    # The TLS proxy in front of gunicorn says the request came over HTTPS (SECURE_PROXY_SSL_HEADER).
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- page weight (issue 16: every page at most 100 KB transferred, compressed, assets included) --------

WEIGHT_LIMIT = 100 * 1024
VERBOSE = False  # --verbose: each page's parts
WEIGHED_PUBLIC = ["/", "/report/", "/public/map/", "/dialogues/scorecard/", "/places/", "/accounts/login/"]
# "{case}" is the case of the report MAKE_WEIGHERS submits (a point in Kibera, so its page draws the small map).
WEIGHED_SIGNED_IN = {
    "analyst": ["/", "/cases/", "/map/", "/dashboard/", "/organisations/", "/cases/{case}/"],
    "monitor": ["/", "/cases/", "/cases/new-report/", "/cases/{case}/"],
}
# Forms with "Mark on a map": weighed again with the map opened (the assets locate.js then fetches).
WEIGHED_PIN = {"visitor": ["/report/"], "monitor": ["/cases/new-report/"]}
# Roles without a second factor (admins and coordinators need one), so the script can sign in; and a web
# report with a point, whose reference, status secret and case go to FACTS for the map pages.
MAKE_WEIGHERS = """
import json
from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.reporters import do_issue_status_key
from sauti.people.models import Membership, Organisation, User
org = Organisation.objects.get(slug="smoke")
for role in ("analyst", "monitor"):
    user = User.objects.create_user(f"weigh-{role}", password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=role)
report = do_submit_report(org, ReportInput(
    description="Maji yamekatwa tangu jana", channel="web", place_text="Kibera", lat=-1.3127, lon=36.7880))
assert report.ward is not None and report.case is not None and report.case.ward is not None, "no ward"
facts = {"reference": report.reference, "key": do_issue_status_key(report), "case": report.case.pk}
open(FACTS, "w").write(json.dumps(facts))
"""
_ASSET = re.compile(rb'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]*href|img[^>]+src)="(/static/[^"]+)"')
_MAP_CONFIG = re.compile(rb'<script id="map-config" type="application/json">(.*?)</script>', re.S)
_PIN_CONFIG = re.compile(rb'<script id="pin-config" type="application/json">(.*?)</script>', re.S)
_PLACE_MAP = re.compile(rb'<script id="place-map-config" type="application/json">')
_PLACE_AT = re.compile(rb'data-at="([^"]+)"')
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def fetch_weight(
    port: int, path: str, cookie: str = "", form: dict[str, str] | None = None
) -> tuple[int, int, bytes]:
    """(status, bytes on the wire, decoded body) of a GET (a POST of `form`) that accepts gzip, as a
    phone's browser does."""
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"https://127.0.0.1:{port}{path}"
        headers["Origin"] = f"https://127.0.0.1:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET" if form is None else "POST", path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        body_read = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        return response.status, len(raw), body_read
    finally:
        conn.close()


def page_weight(
    port: int, path: str, cookie: str = "", *, form: dict[str, str] | None = None, pin: bool = False
) -> tuple[int, list[str], bytes]:
    """Bytes transferred for a first visit: the page, every script, stylesheet and image it names, and
    for a map page the data its script fetches at once (boundaries, counts). `pin`: with "Mark on a
    map" opened and tapped once (the assets locate.js fetches then, and the ward of the point).
    Also the problems, as strings, and the page."""
    status, total, body = fetch_weight(port, path, cookie, form)
    problems = [] if status == 200 else [f"{path}: {status}"]
    assets = list(dict.fromkeys(m.decode() for m in _ASSET.findall(body)))
    pinned = _PIN_CONFIG.search(body)
    if pin and pinned is None:
        problems.append(f'{path}: no pin-config (the form has no "Mark on a map")')
    elif pin and pinned is not None:
        wanted = json.loads(pinned[1])["assets"]
        assets += [wanted[k] for k in ("leaflet", "leafletCss", "kit", "kitCss") if wanted[k] not in assets]
        at = _PLACE_AT.search(body)
        if at:
            assets.append(at[1].decode() + "?lat=-1.3127&lon=36.788")
    found = _MAP_CONFIG.search(body)
    if found:
        urls = json.loads(found[1]).get("urls", {})
        query = json.loads(found[1]).get("query", "")
        for key, params in (("counties", ""), ("counts", "level=county"), ("counts", "level=ward")):
            if urls.get(key):
                assets.append(urls[key] + "?" + "&".join(p for p in (query, params) if p))
    if VERBOSE:
        print(f"         {total / 1024:6.1f} KB  the page {path}", flush=True)
    for asset in assets:
        asset_status, size, _body = fetch_weight(port, asset, cookie)
        total += size
        if VERBOSE:
            print(f"         {size / 1024:6.1f} KB  {asset}", flush=True)
        if asset_status != 200:
            problems.append(f"{asset} (on {path}): {asset_status}")
    return total, problems, body


def sign_in(port: int, username: str, password: str) -> str:
    """A session cookie for `username`, through the log-in form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    base = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    try:
        conn.request("GET", "/accounts/login/", headers=base)
        response = conn.getresponse()
        page = response.read()
        cookies = {
            c.split("=", 1)[0]: c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []
        }
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, "no CSRF token on the log-in page"
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1].decode(), "username": username, "password": password}
        )
        conn.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                **base,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(cookies.values()),
                "Referer": f"https://127.0.0.1:{port}/accounts/login/",
                "Origin": f"https://127.0.0.1:{port}",
            },
        )
        response = conn.getresponse()
        response.read()
        for c in response.headers.get_all("Set-Cookie") or []:
            cookies[c.split("=", 1)[0]] = c.split(";", 1)[0]
        return "; ".join(cookies.values()) if "sessionid" in cookies else ""
    finally:
        conn.close()


def status_page_form(port: int, facts: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The cookie and form a reporter posts to open their report's status page (reference and secret)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/report/status/", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        page = response.read()
        cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])
    finally:
        conn.close()
    token = _CSRF.search(page)
    assert token is not None, "no CSRF token on the status page"
    form = {"csrfmiddlewaretoken": token[1].decode(), "reference": facts["reference"], "key": facts["key"]}
    return cookie, form


def check_page_weights(port: int, password: str, facts: dict[str, Any]) -> list[str]:
    """Every main page, signed out and in each role made by MAKE_WEIGHERS, under WEIGHT_LIMIT; prints each.
    The pages with a small map (a case, a report's status) must draw it."""
    problems: list[str] = []
    cookie, form = status_page_form(port, facts)
    visits: list[tuple[str, str, str, dict[str, str] | None, bool]] = [
        ("visitor", p, "", None, False) for p in WEIGHED_PUBLIC
    ]
    visits.append(("reporter", "/report/status/", cookie, form, False))
    visits += [("visitor", p, "", None, True) for p in WEIGHED_PIN["visitor"]]
    for role, paths in WEIGHED_SIGNED_IN.items():
        cookie = sign_in(port, f"weigh-{role}", password)
        if not cookie:
            problems.append(f"could not sign in as weigh-{role} to weigh its pages")
            continue
        visits += [(role, p.format(case=facts["case"]), cookie, None, False) for p in paths]
        visits += [(role, p, cookie, None, True) for p in WEIGHED_PIN.get(role, [])]
    for who, path, jar, posted, pin in visits:
        total, found, body = page_weight(port, path, jar, form=posted, pin=pin)
        problems += found
        if path in (f"/cases/{facts['case']}/", "/report/status/") and not _PLACE_MAP.search(body):
            problems.append(f"{path} as {who}: no small map on the page")
        verdict = "ok" if total <= WEIGHT_LIMIT else "TOO HEAVY"
        shown = path + (" (map opened)" if pin else "")
        print(f"{total / 1024:6.1f} KB  {who:8} {shown}  {verdict}", flush=True)
        if total > WEIGHT_LIMIT:
            problems.append(f"{shown} as {who}: {total / 1024:.1f} KB > {WEIGHT_LIMIT // 1024} KB")
    return problems


# Generous: on a loaded 2-core machine gunicorn took over a minute to import Django before listening.
def wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            fetch(port, "/static/")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start listening")


def wait_healthy(port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fetch(port, "/healthz")[0] == 200:
            return True
        time.sleep(0.5)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: SQLite in a temp dir)"
    )
    parser.add_argument("--verbose", action="store_true", help="print what each weighed page is made of")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    port = args.port or free_port()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sauti-prod-") as tmp:
        var_dir = Path(tmp) / "var"
        env = production_env(var_dir, port, args.database_url)
        run(env, "sauti", "check", "--deploy", "--fail-level", "WARNING")
        run(env, "sauti", "collectstatic", "--noinput", "-v", "0")
        run(env, "sauti", "migrate", "--noinput", "-v", "0")
        password = Path(tmp) / "password"
        password.write_text(secrets.token_urlsafe(16) + "\n")
        run(env, "sauti", "setup", "--org-name", "Smoke Test", "--org-slug", "smoke", "--county", "047",
            "--admin", "admin", "--email", "admin@example.org", "--password-file", str(password))  # fmt: skip
        facts_file = Path(tmp) / "facts.json"
        code = MAKE_WEIGHERS.replace("PASSWORD", repr(password.read_text().strip()))
        run(env, "sauti", "shell", "-c", code.replace("FACTS", repr(str(facts_file))))
        facts = json.loads(facts_file.read_text())
        log = open(Path(tmp) / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "sauti.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [str(BIN / "sauti"), "worker", "--no-startup-delay"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        failures = []
        try:
            wait_ready(port, server)
            healthy = wait_healthy(port)
            print(f"{'200' if healthy else 'not 200'} /healthz once the worker beats", flush=True)
            if not healthy:
                failures.append("/healthz never answered 200 with the worker running")
            static: str | None = None
            for path in PAGES:
                status, body = fetch(port, path)
                print(f"{status} {path}", flush=True)
                if status != 200:
                    failures.append(f"{path}: {status}")
                found = re.search(rb"/static/sauti/sauti\.[0-9a-f]{12}\.css", body)
                if static is None and found is not None:
                    static = found[0].decode()
            leaflet = "/static/vendor/leaflet/leaflet.js"
            for asset in [static, leaflet]:
                if asset is None:
                    failures.append("no page links the stylesheet by its hashed name")
                    continue
                status, _body = fetch(port, asset)
                print(f"{status} {asset}", flush=True)
                if status != 200:
                    failures.append(f"{asset}: {status}")
            failures += check_page_weights(port, password.read_text().strip(), facts)
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                process.wait(timeout=30)
            log.close()
        if failures:
            sys.stdout.write((Path(tmp) / "gunicorn.log").read_text(errors="replace")[-4000:])
            print("FAILED:", "; ".join(failures))
            return 1
    print(f"production smoke test passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
