"""Time a few pages of bench/pages.py quickly, while working on them: p50/p95 of N requests after a
warm-up, the query count and SQL time of one request (with ``--queries``, the queries themselves).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/one_page.py "trivial page" unit approvals [--requests 30] [--queries]

Page names are those of bench/pages.py, plus "trivial page" and "bare view".
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="+")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--queries", action="store_true", help="print each query of one request")
    args = parser.parse_args()
    pages._setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = pages._pick_users()
    urls = {name: (role, url) for name, role, url in pages._pages(users)}
    urls["trivial page"] = ("unit_head", "/_trivial/page/")
    urls["bare view"] = ("unit_head", "/_trivial/")
    clients = {}
    for name in args.names:
        if name not in urls:
            raise SystemExit(f"unknown page {name!r}; one of: {', '.join(urls)}")
        role, url = urls[name]
        if role not in clients:
            clients[role] = Client(HTTP_ACCEPT_LANGUAGE="km")
            clients[role].force_login(users[role].user)
        client = clients[role]
        for _ in range(5):
            client.get(url)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(f"{name:40s} p50 {statistics.median(times):6.2f} ms  p95 {pages._pct(times, 95):6.2f} ms  "
              f"{len(ctx.captured_queries)} queries, {sql:.1f} ms SQL, {len(response.content)} bytes")
        if args.queries:
            for q in ctx.captured_queries:
                print(f"    {q['time']} {q['sql'][:300]}")


if __name__ == "__main__":
    main()
