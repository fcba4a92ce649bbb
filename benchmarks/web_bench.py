"""Web speed benchmark: search, person page and next review item with 200,000 records.

Builds (or reuses) a workspace from the project's own simulator through the real pipeline
(``uncounted simulate`` → ``import`` every list with its mapping → ``link``), starts
``uncounted serve`` (waitress) as its own process, and measures from this second process
over loopback with a small HTTP client: several signed-in clients at once, a bounded number
of requests each, keep-alive connections. Prints p50 / p95 / max per endpoint.

    python benchmarks/web_bench.py --workspace benchmarks/out/web --records 200000

Targets (issue 8): search p95 ≤ 300 ms; person page and next review item p95 ≤ 150 ms.
Not a test: run it by hand, copy the figures into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

PASSWORD = "benchmark-password-1"
RECORDS_PER_PERSON = 1.6  # what the simulator's five lists give at its defaults


def uncounted(*args: str, workspace: Path | None = None) -> None:
    command = [sys.executable, "-m", "uncounted.cli"]
    if workspace is not None:
        command += ["--workspace", str(workspace)]
    started = time.perf_counter()
    subprocess.run([*command, *args], check=True, stdout=subprocess.DEVNULL)
    print(f"  {' '.join(args[:2])}: {time.perf_counter() - started:.0f} s", flush=True)


def build(workspace: Path, records: int, seed: int) -> None:
    """Simulate, import and link (skipped when the workspace is already linked)."""
    if (workspace / "uncounted.sqlite3").exists() and count(workspace, "linkage_person"):
        print(f"reusing {workspace}")
        return
    sim = workspace.parent / (workspace.name + "-scenario")
    size = int(records / RECORDS_PER_PERSON)
    print(f"building a workspace with about {records:,} records ({size:,} simulated people)")
    uncounted("simulate", "--out", str(sim), "--size", str(size), "--seed", str(seed), "--csv-only")
    uncounted("init", str(workspace))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORT_ALL, str(workspace), str(sim)], check=True)
    print(f"  import (all lists): {time.perf_counter() - started:.0f} s", flush=True)
    uncounted("link", workspace=workspace)
    uncounted(
        "user", "add", "bench", "--role", "admin", "--password", PASSWORD, workspace=workspace
    )
    for i in range(8):
        uncounted(
            "user",
            "add",
            f"rev{i}",
            "--role",
            "reviewer",
            "--password",
            PASSWORD,
            workspace=workspace,
        )


# Every list with its mapping through the importer the CLI uses (called directly, without
# the terminal progress bar).
IMPORT_ALL = """
import json, sys
from pathlib import Path
from uncounted.store import workspace as ws
from uncounted.store.db import open_database
from uncounted.records.importer import import_file
workspace, sim = ws.load(Path(sys.argv[1])), Path(sys.argv[2])
open_database(workspace)
for entry in json.loads((sim / "manifest.json").read_text(encoding="utf-8"))["lists"]:
    mapping = sim / entry["mapping"] if entry.get("mapping") else None
    import_file(sim / entry["file"], entry["source"], mapping=mapping, actor="benchmark")
"""


def count(workspace: Path, table: str) -> int:
    try:
        with sqlite3.connect(workspace / "uncounted.sqlite3") as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0


def samples(workspace: Path, n: int, seed: int) -> tuple[list[dict], list[str]]:
    """Search queries (names as recorded, both scripts) and person ids, read from the DB."""
    rng = random.Random(seed)
    with sqlite3.connect(workspace / "uncounted.sqlite3") as db:
        rows = db.execute(
            "SELECT full_name, given_name, father_name, family_name, mother_name, birth_date "
            "FROM core_record WHERE given_name != '' ORDER BY RANDOM() LIMIT ?",
            (n,),
        ).fetchall()
        persons = [
            r[0]
            for r in db.execute(
                "SELECT public_id FROM linkage_person WHERE active ORDER BY RANDOM() LIMIT ?", (n,)
            )
        ]
    queries = []
    for full, given, father, family, mother, birth in rows:
        kind = rng.random()
        if kind < 0.4:  # a full name chain as typed
            query = {"name": full or " ".join(p for p in (given, father, family) if p)}
        elif kind < 0.8:  # given + family, father's name apart, maybe a birth year
            query = {"name": f"{given} {family}".strip(), "father": father}
            if birth[:4].isdigit():
                query["birth_year"] = birth[:4]
        else:  # given name and mother's name only
            query = {"name": given, "mother": mother}
        queries.append(query)
    return queries, persons


class Client:
    """One signed-in browser-like client on a keep-alive connection."""

    def __init__(self, port: int, user: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        page = self.request("GET", "/login/")[1]
        self.sign_in(user, page)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1{path}"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def sign_in(self, user: str, page: str) -> None:
        status, _ = self.request("POST", "/login/", {"username": user, "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"sign-in as {user} failed ({status})")

    def timed(self, method: str, path: str, form: dict | None = None) -> float:
        started = time.perf_counter()
        status, text = self.request(method, path, form)
        elapsed = (time.perf_counter() - started) * 1000
        if status not in (200, 302):
            raise SystemExit(f"{method} {path}: HTTP {status}")
        self.last = text
        return elapsed


def run_clients(port: int, users: list[str], work) -> list[float]:
    """Each user in its own thread runs ``work(client, index)`` → list of latencies."""
    out: list[float] = []
    lock = threading.Lock()

    def one(i: int, user: str) -> None:
        times = work(Client(port, user), i)
        with lock:
            out.extend(times)

    threads = [threading.Thread(target=one, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def summary(name: str, times: list[float], target: float) -> dict:
    times = sorted(times)
    if not times:
        raise SystemExit(f"{name}: no request succeeded")
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    row = {
        "endpoint": name,
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
        "target_p95_ms": target,
        "met": p95 <= target,
    }
    print(
        f"{name:<22} n={row['requests']:<5} p50 {row['p50_ms']:>7.1f} ms  "
        f"p95 {row['p95_ms']:>7.1f} ms  max {row['max_ms']:>7.1f} ms  "
        f"(target p95 ≤ {target:.0f} ms: {'met' if row['met'] else 'MISSED'})",
        flush=True,
    )
    return row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(workspace: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uncounted.cli",
            "--workspace",
            str(workspace),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=Path("benchmarks/out/web"))
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=100, help="per client and endpoint")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workspace = args.workspace.resolve()
    build(workspace, args.records, args.seed)
    n_records = count(workspace, "core_record")
    print(
        f"records {n_records:,}, persons {count(workspace, 'linkage_person'):,}, "
        f"open review items {count(workspace, 'linkage_reviewitem'):,}"
    )
    per = args.requests
    queries, persons = samples(workspace, args.clients * per, args.seed)
    port = free_port()
    server = serve(workspace, port)
    try:
        users = ["bench"] * args.clients
        reviewers = [f"rev{i}" for i in range(args.clients)]
        # warm-up: the first search in a process loads the name tables
        run_clients(
            port, users[:1], lambda c, i: [c.timed("POST", "/search/", q) for q in queries[-5:]]
        )
        results = [
            summary(
                "search (POST /search/)",
                run_clients(
                    port,
                    users,
                    lambda c, i: [
                        c.timed("POST", "/search/", q) for q in queries[i * per : (i + 1) * per]
                    ],
                ),
                300,
            ),
            summary(
                "person page",
                run_clients(
                    port,
                    users,
                    lambda c, i: [
                        c.timed("GET", f"/persons/{p}/") for p in persons[i * per : (i + 1) * per]
                    ],
                ),
                150,
            ),
            summary("next review item", run_clients(port, reviewers, review_loop(per)), 150),
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
    out = workspace.parent / "web_bench.json"
    out.write_text(
        json.dumps({"records": n_records, "clients": args.clients, "results": results}, indent=2)
    )
    print(f"figures written to {out}")


def review_loop(per: int):
    """Per reviewer: show the next pair (timed), answer it ("different persons": the item
    leaves the queue, as most answers do), repeat."""

    def work(client: Client, _i: int) -> list[float]:
        times = []
        for _ in range(per):
            times.append(client.timed("GET", "/review/"))
            match = re.search(r'name="item" value="(\d+)"', client.last)
            if match is None:
                break
            client.request(
                "POST", "/review/decide/", {"item": match.group(1), "verdict": "different"}
            )
        return times

    return work


if __name__ == "__main__":
    os.environ.setdefault("UNCOUNTED_USER", "benchmark")
    main()
