"""The farm as a whole: load a profile, bind every portal on its own 127.0.0.x, serve, stop.

from farm import Farm
with Farm.start(profile="demo", data_dir=tmp_path) as farm:
    farm.portals_file   # CONTRACT.md §3 portals YAML pointing at the farm's home pages
    farm.truth          # farm.truth.Truth, read from the live portals
    farm.portal("sim_a").set_switch("drift", True)
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from farm import profiles, renderers
from farm import truth as truthmod
from farm.portal import Portal
from farm.server import FarmServer, bind_all

FIRST_ADDRESS = ipaddress.IPv4Address("127.0.0.11")


class Farm:
    def __init__(self, profile: dict[str, Any], data_dir: Path, port: int | None) -> None:
        self.profile = profile
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        seed = int(profile.get("seed", 1))
        entries = profile["portals"]
        used = {e["address"] for e in entries if e.get("address")}
        next_addr = FIRST_ADDRESS

        def allocate() -> str:
            nonlocal next_addr
            while str(next_addr) in used:
                next_addr += 1
            used.add(str(next_addr))
            return str(next_addr)

        self.portals: dict[str, Portal] = {}
        for entry in entries:
            address = entry.get("address") or allocate()
            if not ipaddress.IPv4Address(address).is_loopback:
                raise ValueError(f"farm addresses must be loopback, got {address}")
            files_address = entry.get("files_address") or (
                allocate() if entry["style"].upper() == "E" else None
            )
            self.portals[entry["name"]] = Portal(entry, seed, address, files_address)
        apps: list[tuple[Portal, str]] = []
        for p in self.portals.values():
            apps.append((p, p.address))
            if p.files_address:
                apps.append((p, p.files_address))
        self._server: FarmServer | None = bind_all(apps, port)  # type: ignore[arg-type]
        self.port = self._server.port
        for p in self.portals.values():
            p.port = self.port
        for p in self.portals.values():
            p.other_portals = [o.base for o in self.portals.values() if o is not p]
        for p in self.portals.values():
            p.build()
        self.portals_file = self.data_dir / "portals.yaml"
        self._write_portals_file()
        self._server.start()

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(
        cls,
        profile: str | Path | dict[str, Any] = "demo",
        data_dir: Path | None = None,
        port: int | None = None,
    ) -> Farm:
        """Start serving `profile` (a name in farm/profiles, a YAML path, or a dict)."""
        if data_dir is None:
            data_dir = Path(tempfile.mkdtemp(prefix="govreports-farm-"))
        return cls(profiles.load(profile), data_dir, port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Farm:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def warm(self, *, block: bool = True, workers: int | None = None) -> threading.Thread:
        """Render every attachment now (LibreOffice is slow), so crawls find them cached."""
        jobs = [
            (item.served_record(p.switches["revised"]), kind)
            for p in self.portals.values()
            for item in p.plan.reports
            for kind in p.attachment_kinds(item)
            if kind not in ("oversize", "zipbomb")
        ]

        def run() -> None:
            with ThreadPoolExecutor(workers or max(2, os.cpu_count() or 2)) as pool:
                list(pool.map(lambda job: renderers.attachment(*job), jobs))

        thread = threading.Thread(target=run, name="farm-warm", daemon=True)
        thread.start()
        if block:
            thread.join()
        return thread

    # ------------------------------------------------------------------ access
    def portal(self, name: str) -> Portal:
        try:
            return self.portals[name]
        except KeyError:
            raise KeyError(f"no portal {name!r} in this farm; known: {', '.join(self.portals)}") from None

    @property
    def truth(self) -> truthmod.Truth:
        return truthmod.merge([truthmod.of_portal(p) for p in self.portals.values()])

    def dump_truth(self, path: Path | None = None) -> Path:
        path = path or self.data_dir / "truth.json"
        self.truth.dump(path)
        return path

    @property
    def addresses(self) -> dict[str, str]:
        return {name: p.base for name, p in self.portals.items()}

    def _write_portals_file(self) -> None:
        entries = []
        for p in self.portals.values():
            entry: dict[str, Any] = {"name": p.name, "start_urls": [p.start_url]}
            if p.conf.get("deadline"):
                entry["deadline"] = p.conf["deadline"]
            entry["expected_bodies"] = [b.name for b in p.plan.bodies]
            if p.files_address:
                entry["allowed_hosts"] = [p.host, f"{p.files_address}:{p.port}"]
            entries.append(entry)
        self.portals_file.write_text(
            "# Written by the govreports portal farm; addresses are loopback only.\n"
            + yaml.safe_dump({"portals": entries}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
