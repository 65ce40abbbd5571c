"""The alarm controller daemon: ``tetrakit alarm run CONFIG``.

Starts, in order: the journal, the controller (restoring open alarms and
re-sending what was in flight), the radios, the control socket, and then the
registered services; stops in the reverse order on SIGINT or SIGTERM.  Logs go
to stderr (journald under systemd).

Hook points for the operations and input code (no need to edit this file):

* :func:`register_service` - a factory ``(daemon) -> Service | None`` called at
  start; a :class:`Service` has ``start(daemon)`` / ``stop()``.  Supervision,
  the HTTP API, sd_notify watchdog pings, scheduled test alarms and button
  boxes plug in here.  :meth:`Daemon.add_service` does the same for one daemon.
* :attr:`Daemon.on_ready` / :attr:`Daemon.on_stopping` - callbacks after start
  and before stop (``READY=1`` / ``STOPPING=1``).
* :meth:`Daemon.reload` - re-reads the configuration and keeps the old one if
  the new one is invalid; SIGHUP calls it; :attr:`Daemon.on_reload` callbacks
  get the new configuration.
* :attr:`Daemon.controller` - trigger, cancel, views, ``subscribe``;
  :attr:`Daemon.links` - the radio links; :attr:`Daemon.pool` - radio selection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from tetrakit.alarm.config import AlarmConfig, load_config
from tetrakit.alarm.control import ControlServer
from tetrakit.alarm.controller import Controller
from tetrakit.alarm.dispatcher import IncomingSds
from tetrakit.alarm.inputs.service import buttonbox_service
from tetrakit.alarm.journal import Journal
from tetrakit.alarm.operations import Operations
from tetrakit.alarm.radio_pool import SupervisedRadioPool
from tetrakit.alarm.radios import AsyncRadioLink, build_pool, start_all
from tetrakit.errors import ConfigError

__all__ = ["Daemon", "Service", "ServiceFactory", "register_service", "run_daemon"]

log = logging.getLogger(__name__)


class Service(Protocol):
    """Something that runs alongside the controller (HTTP API, supervision, inputs ...)."""

    async def start(self, daemon: Daemon) -> None: ...

    async def stop(self) -> None: ...


ServiceFactory = Callable[["Daemon"], "Service | None"]

_FACTORIES: list[ServiceFactory] = [buttonbox_service]


def register_service(factory: ServiceFactory) -> ServiceFactory:
    """Register a factory called for every daemon at start (usable as a decorator).

    The factory returns ``None`` when its service is not configured.
    """
    if factory not in _FACTORIES:
        _FACTORIES.append(factory)
    return factory


class Daemon:
    """One running alarm controller.

    Args:
        config_path: the configuration file (kept for :meth:`reload`).
        config: an already validated configuration (default: read ``config_path``).
    """

    def __init__(self, config_path: str | Path, config: AlarmConfig | None = None) -> None:
        self.config_path = Path(config_path)
        self.config = config if config is not None else load_config(self.config_path)
        self.services: list[Service] = []
        self.on_ready: list[Callable[[Daemon], None]] = []
        self.on_stopping: list[Callable[[Daemon], None]] = []
        self.on_reload: list[Callable[[AlarmConfig], None]] = []
        self.on_reload_failed: list[Callable[[ConfigError], None]] = []
        self.journal: Journal | None = None
        self.controller: Controller | None = None
        self.pool: SupervisedRadioPool | None = None
        #: supervision, fault alarms, metrics, HTTP API, positions, test alarms, sd_notify
        self.ops: Operations | None = None
        self.links: list[AsyncRadioLink] = []
        self.control: ControlServer | None = None
        self._stop: asyncio.Event | None = None
        self._started: list[Service] = []

    def add_service(self, service: Service) -> None:
        """Start ``service`` with this daemon (call before :meth:`run`)."""
        self.services.append(service)

    def request_stop(self) -> None:
        """Ask :meth:`run` to shut down cleanly (SIGINT/SIGTERM do this)."""
        if self._stop is not None:
            self._stop.set()

    def reload(self) -> bool:
        """Re-read the configuration file; keep the old configuration if it is invalid.

        Radios and the control socket are not re-opened; a change there needs a
        restart (logged).  Returns True when the new configuration is in use.
        """
        try:
            new = load_config(self.config_path)
            if self.ops is not None:
                # what the operations need from the new file (the HTTP token), before
                # anything of it is applied
                self.ops.validate(new)
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            for failed in list(self.on_reload_failed):
                failed(exc)
            return False
        if new.radios != self.config.radios or new.control_socket != self.config.control_socket:
            log.warning("radios or control socket changed: restart the daemon to apply that")
        self.config = new
        if self.controller is not None:
            self.controller.reconfigure(new)
        for cb in list(self.on_reload):
            cb(new)
        log.info("configuration reloaded from %s", self.config_path)
        return True

    async def run(self) -> None:
        """Run until :meth:`request_stop` (or SIGINT/SIGTERM), then stop cleanly."""
        self._stop = asyncio.Event()
        cfg = self.config
        self.journal = Journal(cfg.journal)
        try:
            self.pool, self.links = build_pool(cfg.radios, self._incoming)
            self.controller = Controller(cfg, self.journal, self.pool)
            await self.controller.start()
            await start_all(self.links)
            self.control = ControlServer(self.controller, cfg.control_socket)
            await self.control.start()
            self.ops = Operations.for_daemon(self)
            # the control socket shows what the HTTP API shows: positions, faults, links
            self.control.detail = self.ops.alarm_detail
            self.control.health = self.ops.health
            await self.ops.start()
            for factory in _FACTORIES:
                service = factory(self)
                if service is not None:
                    self.services.append(service)
            for service in self.services:
                await service.start(self)
                self._started.append(service)
            self._install_signals()
            log.info("alarm controller for %s running: %d radio(s), journal %s, socket %s",
                     cfg.site.name, len(self.links), cfg.journal, cfg.control_socket)
            for cb in list(self.on_ready):
                cb(self)
            await self._stop.wait()
            log.info("stopping")
            for cb in list(self.on_stopping):
                cb(self)
        finally:
            await self._shutdown()

    def _incoming(self, msg: IncomingSds) -> None:
        if self.controller is not None:
            self.controller.incoming(msg)

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, self.reload)

    async def _shutdown(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        for service in reversed(self._started):
            try:
                await service.stop()
            except Exception:
                log.exception("service %r failed to stop", service)
        self._started.clear()
        if self.ops is not None:
            await self.ops.stop()
        if self.control is not None:
            await self.control.stop()
        if self.controller is not None:
            await self.controller.stop()
        for link in self.links:
            await link.close()
        if self.journal is not None:
            self.journal.close()


def run_daemon(config_path: str | Path) -> None:
    """Run the daemon in a new event loop until SIGINT/SIGTERM (for the CLI)."""
    daemon = Daemon(config_path)
    asyncio.run(daemon.run())
