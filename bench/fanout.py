"""Fan-out: messages a second the outbox delivers, against the configured Telegram ceiling.

Usage (PostgreSQL is required: worker processes share the database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/fanout.py [--workers 2] [--write-docs]

Method: a throwaway database ``<name>_fanout`` (created, migrated, dropped), a
redis-server on a free loopback port, the fake Bot API on loopback enforcing
Telegram's limits (1 message a second per chat, 20 a minute per group, 30 a
second in all), and real ``celery -A portal worker --pool=prefork -c 2``
processes with the portal's settings at those same limits.  Notices are written
to the outbox and their tasks published, as on commit; the rate is the number
of messages the fake accepted divided by the time from the first to the last.

* ``global``: 600 notices to 60 private chats — the 30/s global limit binds.
* ``per chat``: 50 notices to 5 private chats — 5 × 1/s binds.
* ``groups``: 60 notices to 3 group chats — 3 × 20/min binds (a burst of 3, then 17 a minute each).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from bench.scratch import scratch_database  # noqa: E402

SCENARIOS = [
    # name, notices, chats (negative = group), steady ceiling in messages a second, messages a full bucket lets
    # through at once (not counted in the rate)
    ("global", 600, [700000 + i for i in range(60)], 30.0, 1),
    ("per chat", 50, [710000 + i for i in range(5)], 5 * 1.0, 5),
    # 20 a minute per group = a burst of 3, then 17 a minute: no 60 s window holds more than 20
    ("groups", 60, [-1003000000000 - i for i in range(3)], 3 * 17 / 60, 3 * 3),
]


def run(workers: int) -> list[dict]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/fanout.py needs DATABASE_URL pointing at PostgreSQL")
    db_url, drop = scratch_database(base, "fanout")
    tmp = Path(tempfile.mkdtemp(prefix="fanout-"))
    from tests.fakes.telegram_server import FakeTelegramServer
    from tests.groups.workers import RestartableRedis

    redis = RestartableRedis().start()
    os.environ.update({"DATABASE_URL": db_url, "REDIS_URL": redis.url, "PORTAL_VAR_DIR": str(tmp / "var"),
                       "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from groups.models import Notice
    from tests.groups.workers import publish, worker, worker_env

    results = []
    bot = FakeTelegramServer().start()  # Telegram's limits: 1/s per chat, 20/min per group, 30/s in all
    env = worker_env(redis_url=redis.url, db_url=db_url, bot=bot, tmp=tmp, per_chat=1.0, per_group_minute=20,
                     global_rate=30.0)
    (tmp / "var").mkdir(exist_ok=True)
    procs = [worker(env, tmp, f"bench{i}") for i in range(workers)]
    try:
        for p in procs:
            p.wait_ready()
        for label, count, chats, ceiling, burst in SCENARIOS:
            bot.clear()
            redis.flushall()
            time.sleep(1.1)
            Notice.objects.all().delete()
            Notice.objects.bulk_create([
                Notice(transport="telegram", kind="bench", chat_id=chats[i % len(chats)],
                       idempotency_key=f"bench:{label}:{i}", text=f"<b>ជូនដំណឹង</b> {label} {i}")
                for i in range(count)
            ])
            ids = list(Notice.objects.order_by("id").values_list("pk", flat=True))
            start = time.monotonic()
            publish(ids, redis.url)
            bot.wait_for_messages(count, timeout=600)
            total = time.monotonic() - start
            times = sorted(m.time for m in bot.messages)
            span = times[-1] - times[0]
            rate = (count - burst) / span if span else float("inf")
            results.append({
                "scenario": label, "notices": count, "chats": len(chats), "workers": workers,
                "rate": round(rate, 2), "ceiling": round(ceiling, 2), "ratio": round(rate / ceiling, 3),
                "seconds": round(total, 1), "http_429": bot.rate_limited,
            })
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    finally:
        for p in procs:
            p.stop()
        bot.stop()
        redis.stop()
        connection.close()
        drop()
    return results


def write_docs(results: list[dict], path: Path) -> None:
    lines = [
        "## Fan-out",
        "",
        "`bench/fanout.py`: real Celery prefork workers, PostgreSQL, a loopback redis-server and the fake Bot API",
        "enforcing Telegram's limits (1/s per chat, 20/min per group, 30/s in all); the portal is configured at the",
        "same limits. Rate = messages accepted by the fake after the initial burst a full bucket allows ÷ time from",
        "the first to the last; ceiling = the steady rate the limits allow (groups: 20/min = a burst of 3, then 17/min).",
        "",
        "| scenario | notices → chats | workers | rate (msg/s) | ceiling (msg/s) | rate ÷ ceiling | 429 answers | wall time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['scenario']} | {r['notices']} → {r['chats']} | {r['workers']} × 2 | {r['rate']} | "
                     f"{r['ceiling']} | {r['ratio']} | {r['http_429']} | {r['seconds']} s |")
    lines += ["", "The limits are shared through Redis token buckets (`groups/ratelimit.py`), so adding workers",
              "does not raise the rate above the ceiling; 429 answers stay at zero.", ""]
    section = "\n".join(lines)
    text = path.read_text() if path.exists() else "# Performance\n\n"
    start = text.find("## Fan-out")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write-docs", action="store_true", help="update the Fan-out section of docs/PERFORMANCE.md")
    args = parser.parse_args()
    results = run(args.workers)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if args.write_docs:
        write_docs(results, ROOT / "docs" / "PERFORMANCE.md")


if __name__ == "__main__":
    main()
