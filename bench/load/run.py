"""HTTP load on the portal as deployed: gunicorn started from the Procfile's web line, PostgreSQL, Redis;
Locust headless on loopback, in steps of concurrent users, each step bounded in time.

    bench/load/run.sh            # seeded database portal_bench, Redis DB 7, steps 1 5 10 20 35 50, 45 s each

For each step: requests/s, the web server's CPU seconds (gunicorn's master and workers, from /proc) and so
requests per CPU-second, and p50/p95 per page against the trivial page measured in the same step. The first
step (1 user) is the unloaded floor; the saturation point is the first step where the pages' p95 passes
3× the unloaded trivial page's p95.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children (gunicorn's workers), in seconds."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _web_command(port: int) -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = line.split(":", 1)[1].strip().replace("${PORT:-8000}", str(port))
    return command.split()


def _wait_up(url: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}")


def _read_stats(path: Path) -> dict:
    rows = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0), "p95_ms": float(row["95%"] or 0), "rps": float(row["Requests/s"] or 0),
            }
    return rows


def run(steps, seconds, port, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="load_settings", PYTHONPATH=f"{HERE}:{ROOT}")
    journeys = out / "journeys.json"
    subprocess.run([sys.executable, str(HERE / "prepare.py"), str(journeys)], env=env, check=True, cwd=ROOT)
    log = (out / "gunicorn.log").open("w")
    web = subprocess.Popen(_web_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    results = []
    try:
        _wait_up(f"http://127.0.0.1:{port}/healthz/")
        # Warm-up, not recorded: every worker thread opens its database connection and loads its templates.
        subprocess.run([str(ROOT / ".venv" / "bin" / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                        "-u", "8", "-r", "8", "-t", "20s", "--host", f"http://127.0.0.1:{port}", "--only-summary",
                        "--loglevel", "WARNING"], env=dict(env, LOAD_JOURNEYS=str(journeys)), check=False, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        for users in steps:
            prefix = out / f"u{users}"
            cpu0, t0 = _cpu_seconds(web.pid), time.monotonic()
            subprocess.run([str(ROOT / ".venv" / "bin" / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                            "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--stop-timeout", "10",
                            "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                            "--loglevel", "WARNING"],
                           env=dict(env, LOAD_JOURNEYS=str(journeys)), check=False, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=(out / f"u{users}.log").open("w"), timeout=seconds + 120)
            # Requests still waiting when a step ends are cut (status 0): counted apart, not as server errors.
            cpu = _cpu_seconds(web.pid) - cpu0
            wall = time.monotonic() - t0
            stats = _read_stats(Path(f"{prefix}_stats.csv"))
            total = stats.pop("Aggregated")
            results.append({"users": users, "seconds": round(wall, 1), "requests": total["requests"],
                            "failures": total["failures"], "rps": total["rps"], "web_cpu_seconds": round(cpu, 1),
                            "requests_per_cpu_second": round(total["requests"] / cpu, 1) if cpu else None,
                            "cores": os.cpu_count(), "pages": stats})
            print(f"{users:3d} users: {total['rps']:.1f} req/s, web CPU {cpu:.1f} s over {wall:.0f} s, "
                  f"p95 trivial {stats.get('trivial page', {}).get('p95_ms')} ms", flush=True)
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            web.kill()
    (out / "load.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return results


def table(results) -> str:
    floor = results[0]["pages"].get("trivial page", {}).get("p95_ms") or 1
    lines = ["| users | req/s | req/s per core | req per web CPU-s | failures | trivial p95 ms | worst page p95 ms "
             "| worst p95 / trivial (same load) | worst p95 / unloaded trivial |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        pages = {k: v for k, v in r["pages"].items() if k != "trivial page" and v["requests"]}
        trivial = r["pages"].get("trivial page", {}).get("p95_ms") or 1
        worst_name, worst = max(pages.items(), key=lambda kv: kv[1]["p95_ms"])
        lines.append(f"| {r['users']} | {r['rps']:.1f} | {r['rps'] / r['cores']:.1f} | {r['requests_per_cpu_second']} | "
                     f"{r['failures']} | {trivial:.0f} | {worst['p95_ms']:.0f} ({worst_name}) | "
                     f"{worst['p95_ms'] / trivial:.1f}× | {worst['p95_ms'] / floor:.1f}× |")
    return "\n".join(lines)


def page_table(result) -> str:
    trivial = result["pages"].get("trivial page", {}).get("p95_ms") or 1
    lines = [f"{result['users']} users — trivial page p95 {trivial:.0f} ms", "",
             "| page | requests | p50 ms | p95 ms | p95 / trivial page |", "|---|---:|---:|---:|---:|"]
    for name, v in sorted(result["pages"].items(), key=lambda kv: -kv[1]["p95_ms"]):
        lines.append(f"| {name} | {v['requests']} | {v['p50_ms']:.0f} | {v['p95_ms']:.0f} | {v['p95_ms'] / trivial:.1f}× |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="1,5,10,20,35,50")
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default=str(ROOT / "var" / "load"), help="Locust's CSVs, the server's log and "
                        "the sessions (never committed); the summary goes to --json")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "load.json"))
    args = parser.parse_args()
    results = run([int(u) for u in args.users.split(",")], args.seconds, args.port, Path(args.out))
    Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(table(results))
    for r in results:
        if r["users"] in (20, 50):
            print()
            print(page_table(r))


if __name__ == "__main__":
    main()
