"""Benchmarks (scripts run on their own, see docs/PERFORMANCE.md) and, as a development-only app, the
``seed_scale`` command that fills a database to the ministry's size for them.  Not installed by
``portal.production``."""
