"""Operations around the controller: supervision, faults, metrics, HTTP, positions, tests.

:class:`Operations` is what the daemon adds next to the
:class:`~tetrakit.alarm.controller.Controller` to run it in a hospital
(issue 7): it wires

* radio link supervision (:mod:`~tetrakit.alarm.supervisor`) into the radio
  pool (:mod:`~tetrakit.alarm.radio_pool`), so a faulty radio gets no traffic;
* fault alarms (:mod:`~tetrakit.alarm.faults`) for radios, inputs, the journal
  and scheduled tests, through a healthy radio, the webhook and the log;
* Prometheus metrics (:mod:`~tetrakit.alarm.metrics`) fed from the journaled
  facts and the link states;
* responder positions (:mod:`~tetrakit.alarm.positions`): LIP requests when
  an alarm is dispatched, reports recorded from incoming SDS;
* the HTTP API (:mod:`~tetrakit.alarm.http_api`) and its readiness rule;
* scheduled test alarms (:mod:`~tetrakit.alarm.schedule`);
* systemd notification and the watchdog (:mod:`~tetrakit.alarm.sdnotify`).

It only uses the controller's public hooks (``subscribe``,
``subscribe_facts``, ``on_journal_error``, ``trigger``/``cancel``/views), so
the controller runs the same with or without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as _dt
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tetrakit import sds
from tetrakit.alarm.config import AlarmConfig, ButtonBox, Location, Priority, Targets
from tetrakit.alarm.controller import AlarmRefusedError, Controller
from tetrakit.alarm.dispatcher import AI_SDS_TYPE4, IncomingSds, RadioLink
from tetrakit.alarm.engine import AlarmChanged, AlarmState, Delivery, Fact
from tetrakit.alarm.faults import (
    FaultKind,
    FaultNotice,
    FaultReporter,
    FaultTarget,
    NoRadioAvailable,
    NoticeNotSent,
)
from tetrakit.alarm.http_api import HttpApi, Triggered, TriggerRequest, parse_listen
from tetrakit.alarm.journal import JournalError
from tetrakit.alarm.metrics import AlarmMetrics
from tetrakit.alarm.positions import LIP_PROTOCOL_ID, PositionBook, PositionRequester
from tetrakit.alarm.radio_pool import SupervisedRadioPool
from tetrakit.alarm.radio_probe import RadioProbe
from tetrakit.alarm.schedule import TestAlarmScheduler, TestOutcome, parse_time_of_day
from tetrakit.alarm.sdnotify import SdNotifier, Watchdog, watchdog_interval
from tetrakit.alarm.supervision import (
    LinkState,
    RadioFaulty,
    RadioRecovered,
    ReinitRequested,
    SupervisionEvent,
)
from tetrakit.alarm.supervisor import PolledRadio, Supervisor
from tetrakit.alarm.webhook import Webhook
from tetrakit.errors import ConfigError, TetrakitError

if TYPE_CHECKING:
    from tetrakit.alarm.daemon import Daemon

__all__ = ["Operations", "fault_targets", "read_token"]

log = logging.getLogger(__name__)

#: fault notices are sent at medium access priority: above routine, below call-outs
_FAULT_PRIORITY = Priority.MEDIUM
_END_KINDS = {"resolved": "resolved", "cancelled": "cancelled", "expired": "expired"}


def fault_targets(config: AlarmConfig, targets: Targets) -> list[FaultTarget]:
    """Resolve a ``targets`` block to ISSIs and GSSIs (teams -> members and groups)."""
    out: list[FaultTarget] = []

    def add(t: FaultTarget) -> None:
        if t not in out:
            out.append(t)

    for tid in targets.teams:
        team = config.team(tid)
        for m in team.members:
            add(FaultTarget(m.issi))
        for g in team.groups:
            add(FaultTarget(g, group=True))
    for g in targets.groups:
        add(FaultTarget(g, group=True))
    for issi in targets.issis:
        add(FaultTarget(issi))
    return out


def read_token(config: AlarmConfig) -> str | None:
    """The HTTP bearer token from ``http.token`` or ``http.token_file``.

    Raises:
        ConfigError: the token file cannot be read or is empty.
    """
    if config.http.token is not None:
        return config.http.token
    path = config.http.token_file
    if path is None:
        return None
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the token file {path}: {exc.strerror or exc}",
            file=str(config.path), key_path="http.token_file",
        ) from None
    if not token:
        raise ConfigError(f"the token file {path} is empty", file=str(config.path),
                          key_path="http.token_file")
    return token


class Operations:
    """Supervision, faults, metrics, positions, HTTP API, test alarms and systemd.

    Args:
        config: the validated configuration.
        controller: the running controller.
        pool: the supervised radio pool the controller's dispatcher uses.
        polled: radio id -> what supervision polls (same ids as the pool).
        notifier: systemd notification (from ``$NOTIFY_SOCKET`` by default).
        clock: wall clock in seconds since the epoch (for position ages).
        wall_clock: aware wall clock for fault times and the test schedule.
        test_sleep: the schedule's sleep (tests run it on a virtual clock).
    """

    def __init__(
        self,
        config: AlarmConfig,
        controller: Controller,
        pool: SupervisedRadioPool,
        polled: Mapping[str, PolledRadio],
        *,
        notifier: SdNotifier | None = None,
        clock: Callable[[], float] = time.time,
        wall_clock: Callable[[], _dt.datetime] | None = None,
        test_sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.config = config
        self.controller = controller
        self.pool = pool
        self.clock = clock
        self.metrics = AlarmMetrics()
        self.notifier = notifier if notifier is not None else SdNotifier()
        self.webhook = self._make_webhook(config)
        self.faults = FaultReporter(
            targets=fault_targets(config, config.fault_alarm.targets),
            send_text=self._send_fault_text,
            webhook=self.webhook,
            site=config.site.name,
            clock=wall_clock,
        )
        self.faults.listeners.append(self._on_fault_notice)
        self.supervisor = Supervisor(
            polled,
            interval=config.supervision.interval,
            misses=config.supervision.misses,
            on_event=self._on_supervision,
            on_poll=self._on_poll,
        )
        self._link_changed = asyncio.Event()
        pool.supervised_usable = self.supervisor.usable
        self.positions = PositionBook()
        self.position_requests = PositionRequester(self._send_lip, gate=self._callouts_sent)
        self._dispatch_idle = asyncio.Event()
        self._asked_positions: dict[str, set[int]] = {}
        self._alarm_types: dict[str, str] = {}
        # alarms whose first send / first accept / terminal outcome was counted; kept
        # after the alarm ends (cancel messages and late accepts follow it) and pruned
        # once the controller forgets the alarm
        self._first_send: set[str] = set()
        self._first_accept: set[str] = set()
        self._finished: set[str] = set()
        self._mr = itertools.count()
        self._wall_clock = wall_clock
        self._test_sleep = test_sleep
        self.scheduler = self._make_scheduler(config)
        self.http: HttpApi | None = None
        self.watchdog: Watchdog | None = None
        self.inputs: dict[str, Callable[[], str]] = {}
        #: button box id -> applies new bindings {button number: button id} to the
        #: running panel (registered by the input code; see :meth:`watch_button_box`)
        self.button_boxes: dict[str, Callable[[dict[int, str]], None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self.reloads = 0
        self._stopping_sent = False
        self._test_runs = 0
        self.reload_errors: list[str] = []

    @classmethod
    def for_daemon(cls, daemon: Daemon) -> Operations:
        """Operations for a daemon whose controller and radios exist (not started yet).

        Hooks itself into the daemon: READY/STOPPING notifications, reloads
        (applied on SIGHUP; a refused reload keeps everything and is reported).
        """
        if daemon.controller is None or daemon.pool is None:
            raise RuntimeError("the daemon's controller and radios must exist first")
        polled = {link.id: RadioProbe(link.radio) for link in daemon.links}
        ops = cls(daemon.config, daemon.controller, daemon.pool, polled)
        daemon.on_ready.append(lambda _d: ops.ready())
        daemon.on_stopping.append(lambda _d: ops.stopping())
        daemon.on_reload.append(ops._reload_in_background)
        daemon.on_reload_failed.append(ops._reload_refused)
        return ops

    def _reload_in_background(self, config: AlarmConfig) -> None:
        task = asyncio.get_running_loop().create_task(self.reload(config), name="ops-reload")
        self._tasks.append(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # never "Task exception was never retrieved": say what failed, here
            log.error("%s failed: %s", task.get_name(), exc, exc_info=exc)

    def _reload_refused(self, error: ConfigError) -> None:
        self.reload_errors.append(str(error))
        self.notifier.reloading()
        self.notifier.ready(f"running; reload refused, old configuration kept: {error}")

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Start supervision, the HTTP API, the webhook and scheduled tests."""
        c = self.controller
        self._unsubscribe = [c.subscribe(self._on_alarm_changed), c.subscribe_facts(self._on_fact)]
        c.on_journal_error = self._on_journal_error
        c.dispatcher.incoming_listeners.append(self._on_incoming)
        for radio_id in self.pool.ids:
            self.metrics.link_state(radio_id, "unknown")
        self.metrics.alarms_open.set(len(c.engine.open_alarms()))
        if self.webhook is not None:
            self.webhook.start()
        self.supervisor.start()
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="ops-housekeeping"))
        await self._start_http(self.config, read_token(self.config))
        if self.scheduler is not None:
            self.scheduler.start()

    def ready(self) -> None:
        """Start the watchdog pings (if asked for) and announce READY=1 once the radios are up.

        READY waits for the first verdict on the radios: one healthy, or all
        faulty (at most ``(misses + 1) * interval``).  It never waits for a
        radio that does not come: the daemon runs and raises the fault
        alarms, which beats a start-up timeout and a restart loop.
        """
        interval = watchdog_interval()
        if interval is not None:
            self.watchdog = Watchdog(self.notifier, interval, [self.supervisor.healthy])
            self.watchdog.start()
        task = asyncio.get_running_loop().create_task(self._announce_ready(), name="ops-ready")
        self._tasks.append(task)

    async def _announce_ready(self) -> None:
        sup = self.supervisor
        bound = (sup.misses + 1) * sup.interval

        def decided() -> bool:
            states = [sup.state(rid) for rid in self.pool.ids]
            return LinkState.HEALTHY in states or all(s is LinkState.FAULTY for s in states)

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(bound):
                while not decided():
                    self._link_changed.clear()
                    await self._link_changed.wait()
        radios = ", ".join(f"{rid} {sup.state(rid).value}" for rid in self.pool.ids)
        self.notifier.ready(f"running: radios {radios}; journal {self.controller.journal.path}")

    def stopping(self) -> None:
        """Tell systemd the daemon is shutting down (once)."""
        if not self._stopping_sent:
            self._stopping_sent = True
            self.notifier.stopping("shutting down")

    async def stop(self) -> None:
        """Stop everything this class started (the controller stops separately)."""
        self.stopping()
        if self.watchdog is not None:
            await self.watchdog.stop()
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.http is not None:
            await self.http.stop()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []
        await self.supervisor.stop()
        self.faults.close()
        await self.faults.idle()
        await self.position_requests.stop()
        if self.webhook is not None:
            await self.webhook.stop(drain_timeout=2.0)
        for unsubscribe in self._unsubscribe:
            with contextlib.suppress(ValueError):
                unsubscribe()
        self._unsubscribe = []

    def validate(self, config: AlarmConfig) -> None:
        """Check what a new configuration needs here before it is applied (the HTTP token).

        Raises:
            ConfigError: naming the file and key (an unreadable or empty token file).
        """
        read_token(config)

    async def reload(self, config: AlarmConfig) -> None:
        """Apply a new validated configuration (SIGHUP) to the operations parts.

        What the new configuration needs (the HTTP token) is read before
        anything is applied; if it cannot be, the reload is refused and the old
        configuration stays.  The HTTP listener is replaced only when its
        address or token changed, and a new listener that cannot start leaves
        the old one running (with a fault).  ``READY=1`` always follows
        ``RELOADING=1``, whatever happens in between.  Radios, button boxes
        and the journal are not reopened: a change there needs a restart (logged).
        """
        self.notifier.reloading()
        status = "running: configuration reloaded"
        try:
            try:
                token = read_token(config)
            except ConfigError as exc:
                log.error("reload refused, keeping the running configuration: %s", exc)
                self.reload_errors.append(str(exc))
                status = f"running; reload refused, old configuration kept: {exc}"
                return
            self._warn_restart_needed(config)
            old_config, self.config = self.config, config
            self.supervisor.reconfigure(
                interval=config.supervision.interval, misses=config.supervision.misses
            )
            old_url = None if self.webhook is None else self.webhook.url
            if config.fault_alarm.webhook != old_url:
                if self.webhook is not None:
                    await self.webhook.stop(drain_timeout=1.0)
                self.webhook = self._make_webhook(config)
                if self.webhook is not None:
                    self.webhook.start()
            self.faults.reconfigure(
                targets=fault_targets(config, config.fault_alarm.targets),
                webhook=self.webhook,
                site=config.site.name,
            )
            if self.scheduler is not None:
                await self.scheduler.stop()
            self.scheduler = self._make_scheduler(config)
            if self.scheduler is not None:
                self.scheduler.start()
            await self._reload_http(old_config, config, token)
            self._rebind_buttons(old_config, config)
            self.reloads += 1
            status = f"running: configuration reloaded ({self.reloads})"
        except Exception as exc:  # a half-applied reload must be loud, and READY must follow
            log.exception("reload failed part-way")
            self.reload_errors.append(f"reload failed: {exc}")
            status = f"running; reload failed part-way: {exc}"
        finally:
            self.notifier.ready(status)

    def _warn_restart_needed(self, config: AlarmConfig) -> None:
        old = self.config
        if config.radios != old.radios:
            log.warning("radios changed in the configuration; restart the daemon to apply")
        if config.journal != old.journal:
            log.warning("journal changed in the configuration (%s -> %s); restart the daemon "
                        "to apply", old.journal, config.journal)
        old_boxes = {b.id: b for b in old.inputs.buttonboxes}
        new_boxes = {b.id: b for b in config.inputs.buttonboxes}
        for box_id in sorted(old_boxes.keys() | new_boxes.keys()):
            before, after = old_boxes.get(box_id), new_boxes.get(box_id)
            if before == after:
                continue
            if before is None or after is None:
                log.warning("button box %s %s in the configuration; restart the daemon to "
                            "apply", box_id, "added" if before is None else "removed")
            elif _without_buttons(before) != _without_buttons(after):
                log.warning("button box %s changed in the configuration (port or timing); "
                            "restart the daemon to apply", box_id)

    def _rebind_buttons(self, old: AlarmConfig, new: AlarmConfig) -> None:
        """Apply changed button bindings of a running panel, if the panel can take them."""
        before = {b.id: b for b in old.inputs.buttonboxes}
        for box in new.inputs.buttonboxes:
            prev = before.get(box.id)
            if prev is None or prev.buttons == box.buttons:
                continue
            rebind = self.button_boxes.get(box.id)
            if rebind is None:
                log.warning("button box %s: button bindings changed; restart the daemon to "
                            "apply", box.id)
                continue
            try:
                rebind(dict(box.buttons))
            except Exception as exc:  # a refused binding keeps the old one; say so
                log.warning("button box %s: new button bindings not applied (%s); restart "
                            "the daemon to apply", box.id, exc)
            else:
                log.info("button box %s: button bindings now %s", box.id, dict(box.buttons))

    async def _reload_http(self, old: AlarmConfig, new: AlarmConfig, token: str | None) -> None:
        if self.http is not None and new.http.listen == old.http.listen:
            self.http.token = token  # same socket: only the token can have changed
            return
        if new.http.listen is None:
            if self.http is not None:
                await self.http.stop()
                self.http = None
            return
        previous = self.http
        if previous is not None:
            host, port = parse_listen(new.http.listen)
            if (host, port) == (previous.host, previous.port):
                # back to (or another spelling of) the address it listens on: keep it
                previous.token = token
                self.faults.clear_fault(FaultKind.INPUT, "http",
                                        f"listening on {new.http.listen}")
                return
        started = await self._start_http(new, token)
        if started and previous is not None:
            await previous.stop()

    # ------------------------------------------------------------------ inputs

    def input_fault(self, component: str, detail: str) -> None:
        """An alarm input failed (button box lost, wire fault): fault alarm."""
        self.faults.raise_fault(FaultKind.INPUT, component, detail)

    def input_clear(self, component: str, detail: str) -> None:
        """An alarm input works again."""
        self.faults.clear_fault(FaultKind.INPUT, component, detail)

    def watch_input(self, name: str, state: Callable[[], str]) -> None:
        """Export an input's state (``ok``, ``lost``, ``fault``, ...) as a metric."""
        self.inputs[name] = state

    def watch_button_box(self, box_id: str, rebind: Callable[[dict[int, str]], None]) -> None:
        """Let a reload apply changed button bindings of a running panel without a restart.

        ``rebind`` gets the new ``{button number: button id}``; it raises to refuse.
        """
        self.button_boxes[box_id] = rebind

    # ------------------------------------------------------------------ views

    def readiness(self) -> tuple[bool, list[str]]:
        """Ready when a radio is registered and the journal can commit now."""
        reasons: list[str] = []
        registered = [
            rid
            for rid in self.pool.ids
            if self.pool.radio(rid).is_healthy()
            and self.supervisor.usable(rid)
            and (link := self.supervisor.links.get(rid)) is not None
            and link.last_outcome is not None
            and link.last_outcome.registered is True
        ]
        if not registered:
            states = ", ".join(f"{rid}: {self.pool.why_not(rid)}" for rid in self.pool.ids)
            reasons.append(f"no radio is registered ({states})")
        try:
            self.controller.journal.check_writable()
        except JournalError as exc:
            reasons.append(str(exc))
        else:
            if not self.controller.journal_ok:
                # the probe can succeed where a real alarm did not (a full disk
                # may still rewrite one row); the last real commit decides
                reasons.append("journal: the last commit failed; alarms would be refused")
        return not reasons, reasons

    def alarm_detail(self, alarm_id: str) -> dict[str, Any]:
        """The controller's detail plus, per recipient, its own timeline and position."""
        detail = self.controller.alarm_detail(alarm_id)
        for r in detail.get("recipients", []):
            r["timeline"] = [e for e in detail.get("timeline", []) if _concerns(e, r)]
        loc = detail.get("location_detail") or {}
        issis = [r["issi"] for r in detail.get("recipients", []) if not r.get("group")]
        detail["positions"] = self.positions.responders(
            issis,
            now=self.clock(),
            alarm_latitude=loc.get("latitude"),
            alarm_longitude=loc.get("longitude"),
        )
        return detail

    def health(self) -> dict[str, Any]:
        """The controller's health plus links, active faults and reloads (control socket)."""
        return {**self.controller.health(), **self.status()}

    def status(self) -> dict[str, Any]:
        """Links, faults and counters (for the status page)."""
        return {
            "links": self.supervisor.snapshot(),
            "faults": [
                {"kind": f.kind.value, "component": f.component, "detail": f.detail,
                 "since": f.since.isoformat()}
                for f in self.faults.active.values()
            ],
            "reloads": self.reloads,
        }

    # ------------------------------------------------------------------ wiring

    @staticmethod
    def _make_webhook(config: AlarmConfig) -> Webhook | None:
        url = config.fault_alarm.webhook
        return None if url is None else Webhook(url)

    def _make_scheduler(self, config: AlarmConfig) -> TestAlarmScheduler | None:
        if not config.test_alarms.schedule:
            return None
        test_types = [a.code for a in config.alarm_types if a.test]
        if not test_types:
            log.error(
                "test_alarms.schedule is set but no alarm type has 'test: true'; "
                "scheduled test alarms are off"
            )
            return None
        code = test_types[0]

        async def probe(timeout: float) -> TestOutcome:
            return await self._run_test_alarm(code, timeout)

        return TestAlarmScheduler(
            [parse_time_of_day(t) for t in config.test_alarms.schedule],
            answer_timeout=config.test_alarms.answer_timeout,
            probe=probe,
            faults=self.faults,
            clock=self._wall_clock,
            sleep=self._test_sleep,
        )

    async def _start_http(self, config: AlarmConfig, token: str | None) -> bool:
        """Start the API on ``http.listen``; False (with a fault) when it cannot listen.

        A listener already running stays untouched: the caller replaces it
        only once the new one listens.
        """
        if config.http.listen is None:
            return False
        host, port = parse_listen(config.http.listen)
        http = HttpApi(
            _Backend(self),
            render_metrics=self._render_metrics,
            token=token,
            host=host,
            port=port,
        )
        try:
            await http.start()
        except OSError as exc:
            # the API is one input among several: alarms must run without it, and
            # the failure is made loud like any other failed input
            kept = "" if self.http is None else \
                f"; still on {self.http.host}:{self.http.port}"
            self.faults.raise_fault(
                FaultKind.INPUT, "http",
                f"cannot listen on {config.http.listen}: {exc.strerror or exc}{kept}",
            )
            return False
        self.faults.clear_fault(FaultKind.INPUT, "http", f"listening on {config.http.listen}")
        self.http = http
        return True

    def _render_metrics(self) -> bytes:
        self._refresh_gauges()
        return self.metrics.render()

    def _refresh_gauges(self) -> None:
        for snap in self.supervisor.snapshot():
            rssi = snap.get("rssi_dbm")
            self.metrics.link_state(
                str(snap["radio"]), str(snap["state"]),
                float(rssi) if isinstance(rssi, int | float) else None,
            )
        for name, state in self.inputs.items():
            try:
                self.metrics.input(name, state())
            except Exception:  # an input's view must not break the metrics page
                log.exception("input %s state failed", name)
        self.metrics.alarms_open.set(len(self.controller.engine.open_alarms()))
        self.metrics.faults_active.set(len(self.faults.active))

    async def _housekeeping(self) -> None:
        """Every supervision interval: journal check and gauges."""
        while True:
            self._check_journal()
            self._refresh_gauges()
            await asyncio.sleep(self.config.supervision.interval)

    def _check_journal(self) -> None:
        try:
            self.controller.journal.check_writable()
        except JournalError as exc:
            self.faults.raise_fault(FaultKind.JOURNAL, "journal", str(exc))
            return
        if self.controller.journal_ok:
            self.faults.clear_fault(FaultKind.JOURNAL, "journal", "journal writable again")

    def _on_journal_error(self, exc: JournalError) -> None:
        self.faults.raise_fault(FaultKind.JOURNAL, "journal", str(exc))

    def _on_poll(self, radio_id: str) -> None:
        self._link_changed.set()

    def _on_supervision(self, event: SupervisionEvent) -> None:
        if isinstance(event, RadioFaulty):
            self.faults.raise_fault(
                FaultKind.RADIO, event.radio_id, event.reason, avoid=[event.radio_id]
            )
            self.pool.notify_changed()
            self.notifier.status(f"radio {event.radio_id} faulty: {event.reason}")
        elif isinstance(event, RadioRecovered):
            self.pool.report_working(event.radio_id)
            self.faults.clear_fault(FaultKind.RADIO, event.radio_id)
            self.faults.radio_available()
            self.pool.notify_changed()
            self.notifier.status(f"radio {event.radio_id} recovered")
        elif isinstance(event, ReinitRequested):
            log.info("radio %s re-initialised: %s", event.radio_id, event.reason)
        link = self.supervisor.links.get(event.radio_id)
        if link is not None:
            self.metrics.link_state(event.radio_id, link.state.value)

    def _on_fault_notice(self, notice: FaultNotice) -> None:
        self.metrics.fault(notice.kind.value, raised=notice.raised, active=len(self.faults.active))
        self._journal_fault(notice)

    def _journal_fault(self, notice: FaultNotice) -> None:
        """Keep the fault in the journal's audit trail (no alarm id: it is no alarm's)."""
        fact = Fact(
            notice.at.timestamp(), "", "fault_raised" if notice.raised else "fault_cleared",
            {"kind": notice.kind.value, "component": notice.component,
             "detail": notice.detail},
        )
        try:
            self.controller.journal.append([fact])
        except JournalError as exc:
            # the journal's own fault lands here when it cannot write: the log,
            # the webhook and the SDS notice still carry it
            log.warning("fault %s %s not journaled: %s", notice.kind.value, notice.component,
                        exc)

    async def _callouts_sent(self) -> None:
        """Return once no call-out waits in the dispatcher's queue (LIP requests come after)."""
        while self.controller.dispatcher.queued:
            self._dispatch_idle.clear()
            await self._dispatch_idle.wait()

    def _on_fact(self, fact: Fact) -> None:
        if not self.controller.dispatcher.queued:
            self._dispatch_idle.set()
        kind, data = fact.kind, fact.data
        alarm = self.controller.engine.alarms.get(fact.alarm_id)
        if kind == "raised":
            self._alarm_types[fact.alarm_id] = str(data.get("type"))
            self.metrics.alarm_raised(str(data.get("type")))
        elif kind == "send_state":
            radio = str(data.get("radio") or "")
            state = data.get("state")
            if state == "sent":
                self.metrics.sds_result(radio or "unknown", ok=True)
            elif state == "failed":
                self.metrics.sds_result(radio or "none", ok=False)
            elif (state == "radio_accepted" and fact.alarm_id not in self._first_send
                  and fact.alarm_id not in self._finished):
                # only the first call-out counts; the cancel messages after the end do not
                self._first_send.add(fact.alarm_id)
                if alarm is not None:
                    self.metrics.first_send(fact.at - alarm.created_at)
        elif kind == "answer" and data.get("answer") == "accept":
            if (fact.alarm_id not in self._first_accept and fact.alarm_id not in self._finished
                    and alarm is not None):
                self._first_accept.add(fact.alarm_id)
                self.metrics.first_accept(fact.at - alarm.created_at)
        elif kind in _END_KINDS and fact.alarm_id not in self._finished:
            # an alarm counts once, under its first terminal outcome (a resolved
            # alarm may still be cancelled afterwards)
            self._finished.add(fact.alarm_id)
            code = self._alarm_types.pop(fact.alarm_id, None)
            if code is None and alarm is not None:
                code = alarm.type_code
            self.metrics.alarm_finished(code or "unknown", _END_KINDS[kind])
            self._asked_positions.pop(fact.alarm_id, None)
            self._prune_counted()
        if kind in ("raised", *_END_KINDS):
            self.metrics.alarms_open.set(len(self.controller.engine.open_alarms()))

    def _prune_counted(self) -> None:
        """Forget the counted-once marks of alarms the controller no longer holds."""
        known = self.controller.engine.alarms
        for marks in (self._first_send, self._first_accept, self._finished):
            marks.intersection_update(known)

    def _on_alarm_changed(self, event: AlarmChanged) -> None:
        if event.state is not AlarmState.ACTIVE:
            return
        alarm = self.controller.engine.alarms.get(event.alarm_id)
        if alarm is None or alarm.test:
            return
        asked = self._asked_positions.setdefault(event.alarm_id, set())
        new = [r.issi for r in alarm.individuals if r.issi not in asked]
        if new:
            asked.update(new)
            self.position_requests.request(new)

    def _on_incoming(self, msg: IncomingSds) -> None:
        if msg.ai_service == AI_SDS_TYPE4 and msg.data[:1] == bytes([LIP_PROTOCOL_ID]):
            fix = self.positions.record_sds(msg.sender, msg.data, msg.bits, self.clock())
            if fix is not None:
                log.debug("position of %d: %.6f %.6f", fix.issi, fix.latitude, fix.longitude)

    # ------------------------------------------------------------------ sending

    async def _send_fault_text(
        self, target: FaultTarget, text: str, avoid: frozenset[str]
    ) -> None:
        radio = self.pool.pick(avoid)
        pdu = sds.text_message(
            text, message_reference=next(self._mr) % 256,
            report=sds.DeliveryReportRequest.NONE,
        )
        data, bits = sds.encode(pdu)
        what = f"fault notice to {target.issi}"
        try:
            handle = await radio.send_sds(
                target.issi, data, bits, group=target.group,
                access_priority=_FAULT_PRIORITY.access_priority,
            )
            await handle.wait_accepted()
            # waited for here (not in the background): a notice that did not go out
            # is tried again by the fault reporter, through another radio if any
            ok = await handle.wait_result()
        except NoRadioAvailable:
            raise
        except TetrakitError as exc:
            self.metrics.sds_result(radio.id, ok=False)
            raise NoticeNotSent(f"{what} via {radio.id}: {exc}", radio=radio.id) from exc
        self.metrics.sds_result(radio.id, ok=ok)
        if not ok:
            raise NoticeNotSent(f"{what} via {radio.id} was not sent", radio=radio.id)

    async def _send_lip(self, issi: int, data: bytes, bits: int) -> None:
        radio = self.pool.pick()
        await self._send_via(radio, issi, data, bits, group=False,
                             what=f"location request to {issi}")

    async def _send_via(
        self, radio: RadioLink, destination: int, data: bytes, bits: int, *, group: bool,
        what: str,
    ) -> None:
        handle = await radio.send_sds(
            destination, data, bits, group=group,
            access_priority=_FAULT_PRIORITY.access_priority,
        )
        await handle.wait_accepted()

        async def result() -> None:
            try:
                ok = await handle.wait_result()
            except TetrakitError as exc:
                ok = False
                log.warning("%s via %s: %s", what, radio.id, exc)
            self.metrics.sds_result(radio.id, ok=ok)
            if not ok:
                log.warning("%s via %s was not sent", what, radio.id)

        task = asyncio.get_running_loop().create_task(result(), name="ops-send-result")
        self._tasks.append(task)
        task.add_done_callback(lambda t: self._tasks.remove(t) if t in self._tasks else None)

    # ------------------------------------------------------------------ test alarms

    async def _run_test_alarm(self, code: str, timeout: float) -> TestOutcome:
        """Trigger a test alarm and wait until every test radio received it."""
        done = asyncio.Event()
        alarm_id: str | None = None

        def changed(event: AlarmChanged) -> None:
            if event.alarm_id == alarm_id and event.state is not AlarmState.ACTIVE:
                done.set()

        unsubscribe = self.controller.subscribe(changed)
        try:
            try:
                # a distinct location text per run: two tests within the duplicate
                # window must be two alarms, not one
                self._test_runs += 1
                stamp = time.strftime("%H:%M:%S")
                reply = await self.controller.trigger(
                    alarm_type=code, location=f"scheduled test {stamp}/{self._test_runs}",
                    source="schedule",
                )
            except AlarmRefusedError as exc:
                return TestOutcome(False, f"test alarm not accepted: {exc}")
            alarm_id = reply.alarm_id
            alarm = self.controller.engine.alarms.get(alarm_id)
            if alarm is not None and alarm.state is not AlarmState.ACTIVE:
                done.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await done.wait()
        finally:
            unsubscribe()
        alarm = self.controller.engine.alarms[alarm_id]
        people = alarm.individuals
        got = [r.issi for r in people if r.delivery.rank >= Delivery.RECEIVED.rank or r.answer]
        if alarm.state is AlarmState.RESOLVED or (people and len(got) == len(people)):
            return TestOutcome(True, f"received by {_issis(got)}", alarm_id)
        missing = [f"{r.issi} ({r.delivery.value})" for r in people if r.issi not in got]
        if alarm.state is AlarmState.ACTIVE:
            # no receipt in time: stop the test alarm so it does not repeat forever
            with contextlib.suppress(AlarmRefusedError):
                await self.controller.cancel(alarm_id, source="schedule")
        return TestOutcome(
            False,
            f"test alarm {alarm_id}: no receipt within {timeout:g} s from {', '.join(missing)}",
            alarm_id,
        )


def _concerns(event: dict[str, Any], recipient: dict[str, Any]) -> bool:
    """Whether a timeline entry is about one recipient (by its ISSI or a send key to it).

    Send keys are ``alarm/issi/step`` (:class:`~tetrakit.alarm.engine.SendKey`);
    a GSSI and an ISSI are never the same number in one configuration.
    """
    if event.get("issi") == recipient["issi"]:
        return True
    key = event.get("key")
    return isinstance(key, str) and key.count("/") == 2 and \
        key.split("/")[1] == str(recipient["issi"])


def _without_buttons(box: ButtonBox) -> ButtonBox:
    """A button box's configuration with its bindings blanked (what needs a restart)."""
    return dataclasses.replace(box, buttons=())


def _issis(issis: Sequence[int]) -> str:
    return ", ".join(str(i) for i in issis) or "nobody"


class _Backend:
    """The HTTP API's view of the controller (errors mapped to the API's rules)."""

    def __init__(self, ops: Operations) -> None:
        self.ops = ops

    async def trigger(self, request: TriggerRequest, *, source: str) -> Triggered:
        location: str | Location | None = None
        if isinstance(request.location, dict):
            loc = request.location
            location = Location(
                building=loc.get("building", ""), floor=loc.get("floor", ""),
                unit=loc.get("unit", ""), room=loc.get("room", ""), text=loc.get("text", ""),
                latitude=loc.get("latitude"), longitude=loc.get("longitude"),
                altitude=loc.get("altitude"),
            )
        else:
            location = request.location
        try:
            reply = await self.ops.controller.trigger(
                button=request.button, alarm_type=request.alarm_type, location=location,
                source=source,
            )
        except AlarmRefusedError as exc:
            if isinstance(exc.__cause__, JournalError):
                raise  # 503: the journal cannot take it
            raise ValueError(str(exc)) from None  # 400: unknown button or alarm type
        return Triggered(reply.alarm_id, reply.duplicate)

    async def cancel(
        self, alarm_id: str, *, source: str, reason: str | None = None
    ) -> dict[str, Any]:
        if alarm_id not in self.ops.controller.engine.alarms:
            raise LookupError(alarm_id)
        # the controller journals who cancelled ("source") with the cancel fact; the
        # caller's reason goes with it there, so the audit trail says why
        if reason:
            source = f"{source} (reason: {reason})"
        try:
            return await self.ops.controller.cancel(alarm_id, source=source)
        except AlarmRefusedError as exc:
            raise ValueError(str(exc)) from None

    def list_alarms(self) -> list[dict[str, Any]]:
        return self.ops.controller.list_alarms()

    def alarm_detail(self, alarm_id: str) -> dict[str, Any]:
        return self.ops.alarm_detail(alarm_id)

    def readiness(self) -> tuple[bool, list[str]]:
        return self.ops.readiness()
