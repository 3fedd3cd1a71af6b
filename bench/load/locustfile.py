"""Simulated people working on the portal over HTTP, for Locust (headless, loopback only).

Each simulated user plays one role with that role's pages (bench/pages.py's pages of the role, the admin's
included), a think time of 1–3 s between pages, and every fifth request the trivial page, so that the floor
is measured under the same load as the pages. Sessions and URLs come from ``LOAD_JOURNEYS`` (prepare.py).
Roles are mixed as in a ministry's day: mostly officials and heads of unit, fewer leaders and clerks."""

import json
import os
import random

from locust import HttpUser, between, task

JOURNEYS = json.loads(open(os.environ["LOAD_JOURNEYS"], encoding="utf-8").read())
COOKIE = JOURNEYS["cookie"]
WEIGHTS = {"official": 8, "unit_head": 4, "approver": 3, "issuing_clerk": 2, "returns_clerk": 2, "admin": 1}


class Role(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        journey = JOURNEYS["journeys"][self.role]
        self.pages = journey["pages"]
        self.client.cookies.set(COOKIE, journey["session"])
        self.client.cookies.set("django_language", "km")
        self.client.headers["Accept-Language"] = "km"

    def _get(self, name, url):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")

    @task(4)
    def a_page(self):
        self._get(*random.choice(self.pages))

    @task(1)
    def trivial_page(self):
        self._get("trivial page", "/_trivial/page/")


def _role_class(role):
    return type(f"{role.title().replace('_', '')}User", (Role,), {"role": role, "weight": WEIGHTS.get(role, 1)})


for _role in JOURNEYS["journeys"]:
    globals()[f"{_role}_user"] = _role_class(_role)
