"""Faults: what the notice outbox delivers through outages, measured from outside.

Usage (PostgreSQL is required: worker processes share the database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/faults.py [--write-docs]

Method: a throwaway database ``<name>_faults`` (created, migrated, dropped), a
redis-server on a free loopback port (restartable), the fake Bot API on loopback
(real HTTP, Telegram's error shapes), Celery beat (the outbox sweeper every 2 s)
and two ``celery -A portal worker --pool=prefork -c 2`` processes.  Each scenario
writes its notices (half to group chats, half to private chats of linked
officials who also have an e-mail address), publishes their tasks as on commit,
injects its fault once a third has been delivered (or before, for a blocked bot
and a migrated chat), and waits until every notice is sent or given up.

* delivered: notices whose text reached Telegram, or their e-mail fallback sent;
* lost: expected − delivered; duplicated: extra copies Telegram received;
* out of order: chats whose messages did not arrive in the order written;
* time: from publishing to the last notice settled.

Limits are configured above Telegram's (5 a second per chat, 600 a minute per
group, 50 a second in all) to keep the run short; the fake server does not judge
them here (the limiter's spacing is proven in tests/telegram/test_ratelimit.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from bench.scratch import scratch_database  # noqa: E402

NOTICES = 120
GROUPS = [-1004000000000 - i for i in range(6)]
MARK = re.compile(r"#N(\d+)#")
PER_CHAT, PER_GROUP_MINUTE, GLOBAL = 5.0, 600, 50.0


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


class Bench:
    def __init__(self, db_url: str, tmp: Path):
        from tests.fakes.telegram_server import FakeTelegramServer
        from tests.groups.workers import RestartableRedis, beat, worker, worker_env

        self.tmp = tmp
        self.redis = RestartableRedis().start()
        self.bot = FakeTelegramServer().start()
        self.bot.enforce_limits = False
        self.env = worker_env(redis_url=self.redis.url, db_url=db_url, bot=self.bot, tmp=tmp, per_chat=PER_CHAT,
                              per_group_minute=PER_GROUP_MINUTE, global_rate=GLOBAL, OUTBOX_SWEEP_SECONDS=2,
                              NOTICE_SWEEP_GRACE=4, NOTICE_SENDING_LEASE=20)
        (tmp / "var").mkdir(exist_ok=True)
        self._worker, self._beat = worker, beat
        self.workers = [worker(self.env, tmp, "f1"), worker(self.env, tmp, "f2")]
        for w in self.workers:
            w.wait_ready(timeout=300)
        self.sweeper = beat(self.env, tmp)
        self.people = self._people()

    def _people(self):
        from groups.models import TelegramAccount
        from ministry.services import organisation_load
        from tests.factories import make_official

        organisation_load()
        people = []
        for i in range(6):
            official = make_official("MCS", username=f"bench{i}", login=False)
            official.email = f"bench{i}@mcs.gov.kh"
            official.save()
            chat = 890100 + i
            TelegramAccount.objects.create(official=official, telegram_user_id=chat, chat_id=chat)
            people.append((official, chat))
        return people

    def reset(self):
        from groups.models import Notice, TelegramAccount

        self.bot.clear()
        self.bot.enforce_limits = False
        Notice.objects.all().delete()
        for official, chat in self.people:
            TelegramAccount.objects.filter(official=official).update(chat_id=chat, broken_at=None, broken_reason="")

    def write(self, label: str):
        from groups.models import Notice

        rows = []
        for i in range(NOTICES):
            if i % 2 == 0:
                chat, recipient = GROUPS[(i // 2) % len(GROUPS)], None
            else:
                recipient, chat = self.people[(i // 2) % len(self.people)]
            rows.append(Notice(transport="telegram", kind="bench", chat_id=chat, recipient=recipient,
                               idempotency_key=f"faults:{label}:{i}", text=f"<b>ជូនដំណឹង</b> #N{i}# {label}"))
        Notice.objects.bulk_create(rows)
        return list(Notice.objects.filter(kind="bench").order_by("id").values_list("pk", flat=True))

    def settled(self) -> bool:
        from groups.models import Notice

        return not Notice.objects.exclude(state__in=["sent", "dead"]).exists()

    def measure(self, label: str, fault: str, started: float, expected_duplicates: str) -> dict:
        from groups.models import Notice

        seen = Counter()
        per_chat: dict[int, list[int]] = {}
        for m in self.bot.messages:
            found = MARK.search(m.text or "")
            if found:
                n = int(found.group(1))
                seen[n] += 1
                per_chat.setdefault(m.chat_id, []).append(n)
        fallback = {int(MARK.search(t).group(1)) for t in Notice.objects.filter(
            transport="email", state="sent", text__contains="#N").values_list("text", flat=True)}
        delivered = {n for n in seen} | fallback
        out_of_order = 0
        for marks in per_chat.values():
            first = list(dict.fromkeys(marks))
            out_of_order += first != sorted(first)
        return {
            "scenario": label, "fault": fault, "expected": NOTICES, "delivered": len(delivered),
            "lost": NOTICES - len(delivered), "duplicated": sum(c - 1 for c in seen.values()),
            "out_of_order_chats": out_of_order, "chats": len(per_chat), "by_email": len(fallback - set(seen)),
            "dead": Notice.objects.filter(kind="bench", state="dead").count(),
            "attempts_max": max(Notice.objects.filter(kind="bench").values_list("attempts", flat=True) or [0]),
            "http_429": self.bot.rate_limited + sum(1 for r in self.bot.requests if r.status == 429),
            "seconds": round(time.monotonic() - started, 1), "duplicates_allowed": expected_duplicates,
        }

    def scenario(self, label: str, fault: str, inject, before=None, expected_duplicates: str = "none") -> dict:
        from tests.groups.workers import publish

        self.reset()
        ids = self.write(label)
        if before:
            before()
        started = time.monotonic()
        publish(ids, self.redis.url)
        _wait(lambda: len(self.bot.messages) >= NOTICES // 3 or self.settled(), 300)
        if inject:
            inject()
        done = _wait(self.settled, 900)
        time.sleep(2)  # a late duplicate would show up now
        result = self.measure(label, fault, started, expected_duplicates)
        result["finished"] = done
        print(json.dumps(result, ensure_ascii=False), flush=True)
        return result

    # --- faults ---------------------------------------------------------------------------

    def redis_down(self):
        self.redis.restart(down_for=20)

    def kill_worker(self):
        victim = self.workers.pop(0)
        victim.kill()
        fresh = self._worker(self.env, self.tmp, f"f{len(self.workers) + 3}-{int(time.time())}")
        fresh.wait_ready(timeout=300)
        self.workers.append(fresh)

    def telegram_down(self):
        self.bot.fail_server_error(times=10**9, status=502)
        time.sleep(30)
        self.bot.reset_faults()

    def flood(self):
        self.bot.fail_rate_limit(times=10**9, retry_after=5)
        time.sleep(60)
        self.bot.reset_faults()

    def block_private_chats(self):
        for _official, chat in self.people:
            self.bot.block_chat(chat)

    def migrate_groups(self):
        for old in GROUPS:
            self.bot.migrate_chat(old, old - 1000)

    def close(self):
        for p in self.workers + [self.sweeper]:
            p.stop()
        self.bot.stop()
        self.redis.stop()


def run() -> list[dict]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/faults.py needs DATABASE_URL pointing at PostgreSQL")
    db_url, drop = scratch_database(base, "faults")
    tmp = Path(tempfile.mkdtemp(prefix="faults-"))
    os.environ.update({"DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp / "var"), "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    bench = None
    results = []
    try:
        bench = Bench(db_url, tmp)
        results.append(bench.scenario("Redis down 20 s", "redis-server killed, restarted empty after 20 s",
                                      bench.redis_down))
        results.append(bench.scenario("worker SIGKILL", "one of two workers killed with its pool, another started",
                                      bench.kill_worker, expected_duplicates="≤ 1 per killed pool process"))
        results.append(bench.scenario("Telegram down 30 s", "every Bot API call answered 502 for 30 s",
                                      bench.telegram_down))
        results.append(bench.scenario("429 for 60 s", "every send answered 429 (retry_after 5) for 60 s",
                                      bench.flood))
        results.append(bench.scenario("403 private chat", "every private chat blocked the bot", None,
                                      before=bench.block_private_chats))
        results.append(bench.scenario("chat migration", "every group became a supergroup (new id)", None,
                                      before=bench.migrate_groups))
    finally:
        if bench is not None:
            bench.close()
        connection.close()
        drop()
    return results


def write_docs(results: list[dict], path: Path) -> None:
    lines = [
        "## Fault table",
        "",
        f"`bench/faults.py`: {NOTICES} notices a scenario (half to 6 group chats, half to the private chats of 6",
        "linked officials with e-mail addresses), two real Celery prefork workers (2 processes each), Celery beat",
        "(outbox sweeper every 2 s), PostgreSQL, a loopback redis-server and the fake Bot API (real HTTP, Telegram's",
        "error shapes). The fault is injected once a third of the notices were delivered (before publishing for the",
        "blocked bot and the migration). Delivered = the text reached Telegram, or its e-mail fallback was sent.",
        "",
        "| scenario | fault | expected | delivered | lost | duplicated | out of order (chats) | by e-mail | "
        "429 answers | time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['scenario']} | {r['fault']} | {r['expected']} | {r['delivered']} | {r['lost']} | "
                     f"{r['duplicated']} | {r['out_of_order_chats']} of {r['chats']} | {r['by_email']} | "
                     f"{r['http_429']} | {r['seconds']} s |")
    lines += [
        "",
        "Duplicates are allowed only for a worker SIGKILLed between Telegram's answer and the commit of \"sent\"",
        "(the Bot API has no idempotency key): at most one per killed pool process. During the 60 s flood every 429",
        "paused its chat (several chats at once: the whole bot) for `retry_after`, so the portal asked again only",
        "when told it could; no 429 counted as an attempt. Time includes the fault itself. Measured on the 2-core",
        "development machine while other work kept it loaded (load average about 10).",
        "",
    ]
    section = "\n".join(lines)
    text = path.read_text() if path.exists() else "# Reliability\n\n"
    start = text.find("## Fault table")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write-docs", action="store_true", help="update the fault table in docs/RELIABILITY.md")
    parser.add_argument("--from-json", type=Path, help="write the table from an earlier run's --json output")
    args = parser.parse_args()
    results = json.loads(args.from_json.read_text()) if args.from_json else run()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if args.write_docs:
        write_docs(results, ROOT / "docs" / "RELIABILITY.md")


if __name__ == "__main__":
    main()
