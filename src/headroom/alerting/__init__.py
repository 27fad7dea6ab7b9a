"""Burn-rate alerting: profiles resolved per SLO, conditions, state, notifications, backtests.

Pure (no I/O, no clock): ``profiles_resolve`` (tiers and validation), ``mwmb`` (multi-window
multi-burn-rate conditions), ``state`` (inactive / pending / firing / resolved),
``backtest`` (vectorised replay). Adapters: ``profile_files`` (YAML catalogs),
``outbox`` (the durable outbox's port and flush), ``notify`` (webhook, Alertmanager, Slack
over httpx). See docs/alerting.md.
"""
