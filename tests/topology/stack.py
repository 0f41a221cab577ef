"""The README's "Several app servers" deployment on one machine: Debian's nginx running deploy/nginx/survey.conf
(TLS with a throwaway certificate), two gunicorn app servers set up from deploy/app-server.env, a PostgreSQL
database and a Redis of their own. Only ports, paths, addresses, secrets and the certificate are changed from
the shipped files, and every change must find its text there (a changed file fails loudly, never runs stale).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadlib import ROOT, Server, free_port

DEPLOY = ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "survey.conf"
APP_SERVER_ENV = DEPLOY / "app-server.env"
# What the test's own nginx.conf keeps from Debian's: worker processes, connections, MIME types, gzip on (the
# site turns it off). Every path nginx writes is in the test's folder; `daemon off` keeps it our child.
NGINX_MAIN = """daemon off;
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log info;
events {{ worker_connections 768; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    gzip on;
    access_log {folder}/nginx-other-access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/survey.conf;
}}
"""
# Settings of the caller's shell that would change what the recipe configures.
OWN_SETTINGS = ("SURVEY_", "GUNICORN_", "WEB_CONCURRENCY", "REDIS_URL", "DATABASE_URL", "BIND", "SECRET_KEY", "PORT")


def render(text: str, replacements: dict[str, str]) -> str:
    """Replace each literal; one that does not occur means the shipped file changed under the test.

    :raises AssertionError: naming the missing text.
    """
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in the shipped file: update tests/topology/stack.py"
        text = text.replace(old, new)
    return text


def read_env_file(text: str) -> dict[str, str]:
    """Parse KEY=value lines (comments and blank lines skipped), as `set -a; . file` reads this file."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Create a throwaway self-signed certificate for 127.0.0.1 with openssl; return (certificate, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Nginx:
    """Debian's nginx in the foreground with the shipped site, on loopback ports of its own."""

    folder: Path
    binary: str
    cert: Path
    key: Path
    app_ports: tuple[int, int]
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def access_log(self) -> Path:
        """The site's access log."""
        return self.folder / "survey-access.log"

    def site(self) -> str:
        """deploy/nginx/survey.conf with this machine's ports, paths and certificate."""
        first, second = self.app_ports
        return render(
            NGINX_SITE.read_text(encoding="utf-8"),
            {
                "server 127.0.0.1:8000;": f"server 127.0.0.1:{first};",
                "server 127.0.0.1:8001;": f"server 127.0.0.1:{second};",
                "listen 80;": f"listen 127.0.0.1:{self.http_port};",
                "listen 443 ssl": f"listen 127.0.0.1:{self.https_port} ssl",
                "/var/log/nginx/survey-access.log": str(self.access_log),
                "/etc/letsencrypt/live/survey.example.org/fullchain.pem": str(self.cert),
                "/etc/letsencrypt/live/survey.example.org/privkey.pem": str(self.key),
            },
        )

    def start(self) -> Nginx:
        """Write both files and start nginx; wait until it takes connections.

        :raises RuntimeError: with nginx's error log when it does not start.
        """
        (self.folder / "survey.conf").write_text(self.site(), encoding="utf-8")
        (self.folder / "nginx.conf").write_text(NGINX_MAIN.format(folder=self.folder), encoding="utf-8")
        error_log = self.folder / "nginx-error.log"
        command = [self.binary, "-e", str(error_log), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for_port(self.https_port, self.process, lambda: error_log.read_text(errors="replace")[-2000:])
        return self

    def stop(self) -> None:
        """Stop nginx (SIGQUIT: a graceful stop) and wait for it."""
        stop_process(self.process, signal.SIGQUIT)


@dataclass
class Redis:
    """A redis-server of the test's own on a spare port (never the machine's 6379), keeping nothing on disk."""

    folder: Path
    binary: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of the app servers."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        """Start redis-server (again, after kill) and wait until it takes connections."""
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, lambda: (self.folder / "redis.log").read_text(errors="replace"))
        return self

    def kill(self) -> None:
        """SIGKILL it, as a crash would."""
        stop_process(self.process, signal.SIGKILL)


def app_server_env(database_url: str, redis_url: str, public_url: str, port: int) -> dict[str, str]:
    """deploy/app-server.env with this machine's database, Redis, public address, port and throwaway secrets."""
    shipped = read_env_file(APP_SERVER_ENV.read_text(encoding="utf-8"))
    changes = {
        "SECRET_KEY": "topology-secret-key",
        "SURVEY_PARTICIPANT_CODE_KEY": "topology-participant-code-key",
        "SURVEY_PUBLIC_URL": public_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BIND": f"127.0.0.1:{port}",
    }
    missing = sorted(set(changes) - set(shipped))
    assert not missing, f"deploy/app-server.env no longer sets {missing}: update tests/topology/stack.py"
    return {**shipped, **changes}


@dataclass
class AppServer(Server):
    """One app server as the README runs it: gunicorn with gunicorn.conf.py and deploy/app-server.env."""

    settings: dict[str, str] = field(default_factory=dict)
    clock_ahead: int = 0  # seconds this server's clock runs ahead (libfaketime), as a drifting machine's would

    def env(self) -> dict[str, str]:
        """The caller's environment without its own survey settings, then the recipe's, the logs and the clock."""
        inherited = {key: value for key, value in os.environ.items() if not key.startswith(OWN_SETTINGS)}
        assert self.log_path is not None
        logs = {"GUNICORN_ACCESS_LOG": f"{self.log_path}.access", "GUNICORN_ERROR_LOG": str(self.log_path)}
        clock = {"LD_PRELOAD": faketime_library(), "FAKETIME": f"+{self.clock_ahead}s"} if self.clock_ahead else {}
        return {**inherited, **self.settings, **logs, **clock, "PYTHONPATH": str(ROOT)}

    def requests_seen(self, line: str) -> int:
        """Count the access log lines of this server that contain `line` (e.g. '"POST /login" 401')."""
        path = Path(f"{self.log_path}.access")
        return sum(line in row for row in path.read_text().splitlines()) if path.exists() else 0

    def flask(self, *arguments: str, extra: dict[str, str] | None = None) -> str:
        """Run a `flask --app survey` command with this server's settings (as an administrator would).

        :raises AssertionError: with the command's output when it fails.
        """
        command = [sys.executable, "-m", "flask", "--app", "survey", *arguments]
        done = subprocess.run(command, cwd=ROOT, env={**self.env(), **(extra or {})}, capture_output=True, text=True)
        assert done.returncode == 0, f"flask {' '.join(arguments)}: {done.stdout}{done.stderr}"
        return done.stdout


def client_tls(cert: Path) -> ssl.SSLContext:
    """A TLS context that trusts the throwaway certificate (and checks the name in it, 127.0.0.1)."""
    return ssl.create_default_context(cafile=str(cert))


def wait_for_port(port: int, process: subprocess.Popen, log: Callable[[], str], seconds: float = 30) -> None:
    """Wait until 127.0.0.1:port accepts a connection.

    :raises RuntimeError: with the log's tail when the process exits or the time runs out.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s: {log()}")


def stop_process(process: subprocess.Popen | None, how: signal.Signals) -> None:
    """Send the signal and wait; SIGKILL after 20 s."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tool(name: str) -> str:
    """Return the path of a Debian tool the topology test needs.

    :raises LookupError: saying how to install it.
    """
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None)
    if not found:
        raise LookupError(f"{name} is missing: `make topology-tools` installs it (Debian's packages, through apt)")
    return found


def faketime_library() -> str:
    """Return the path of Debian's libfaketime (package faketime).

    Its FAKETIME_DONT_FAKE_MONOTONIC option makes Python's time.sleep fail with EINVAL (seen with 0.9.10), so
    the monotonic clock is shifted too: a constant offset, harmless to timeouts.

    :raises LookupError: saying how to install it.
    """
    found = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    if not found:
        raise LookupError("libfaketime is missing: `make topology-tools` installs it (Debian's faketime, through apt)")
    return str(found[0])
