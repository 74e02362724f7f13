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
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    args = parser.parse_args()
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
