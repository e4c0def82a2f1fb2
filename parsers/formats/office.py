"""DOC and WPS -> Document, by converting to DOCX with LibreOffice and reading that.

LibreOffice is run the defensive way: headless, a fresh throw-away profile per conversion
(`-env:UserInstallation`, so a crashed or concurrent instance never blocks the next one), one
conversion at a time on this machine (a file lock: soffice instances fight over shared state),
and a timeout after which the whole process group is killed (soffice forks; killing only the
parent leaves the worker spinning). antiword is the fallback for DOC when LibreOffice fails:
text only, the tables then stay flattened inside the text for parsers.tables to read.

$GOVREPORTS_SOFFICE overrides the soffice binary (the tests use a fake one that hangs).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from parsers.document import Document
from parsers.errors import UnreadableDocument
from parsers.formats import docx as docx_reader
from settings import parse as limits

LOCK_PATH = Path(tempfile.gettempdir()) / "govreports-soffice.lock"


class ConversionError(UnreadableDocument):
    """LibreOffice could not convert the document (missing, crashed, timed out, no output)."""


def soffice_binary() -> str | None:
    return os.environ.get("GOVREPORTS_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes) -> Document:
    try:
        converted = convert(data, "doc", "docx")
    except ConversionError as exc:
        text = _antiword(data)
        if text is None:
            raise
        doc = Document(format="doc", text=text)
        # Not a check finding (record findings carry C-ids only): a note on how it was read.
        doc.meta.extra["reader"] = f"antiword, tables as text ({exc})"
        return doc
    return docx_reader.read(converted, fmt="doc")


def read_wps(data: bytes) -> Document:
    return docx_reader.read(convert(data, "wps", "docx"), fmt="wps")


@contextlib.contextmanager
def _conversion_lock(path: Path, timeout: float) -> Iterator[None]:
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConversionError(
                        f"another document conversion held the LibreOffice lock for over {timeout:.0f} s"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def convert(data: bytes, src_ext: str, target: str, *, timeout: float | None = None) -> bytes:
    """Convert `data` (a file of extension `src_ext`) with LibreOffice to `target` (docx, pdf, doc...).

    `target` may carry a filter name as soffice accepts it ("doc:MS Word 97").
    """
    binary = soffice_binary()
    if not binary:
        raise ConversionError("LibreOffice (soffice) is not installed; cannot read this document")
    timeout = limits.SOFFICE_TIMEOUT_S if timeout is None else timeout
    out_ext = target.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="govreports-soffice-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / f"in.{src_ext}"
        src.write_bytes(data)
        outdir = tmpdir / "out"
        outdir.mkdir()
        cmd = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(src),
        ]
        with _conversion_lock(LOCK_PATH, limits.SOFFICE_LOCK_TIMEOUT_S):
            _run(cmd, timeout, cwd=tmpdir)
        produced = outdir / f"in.{out_ext}"
        if not produced.exists() or produced.stat().st_size == 0:
            raise ConversionError(f"LibreOffice could not convert this {src_ext.upper()} document")
        return produced.read_bytes()


def _run(cmd: list[str], timeout: float, cwd: Path) -> None:
    env = dict(os.environ, HOME=str(cwd), SAL_USE_VCLPLUGIN="svp")
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so the kill below reaches every child
        )
    except OSError as exc:
        raise ConversionError(f"LibreOffice could not be started: {exc}") from exc
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ConversionError(f"LibreOffice conversion timed out after {timeout:.0f} s") from None
    finally:
        # soffice may leave helpers (oosplash -> soffice.bin) in the group even after a clean exit.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode != 0:
        msg = (err or b"").decode("utf-8", "replace").strip().splitlines()
        raise ConversionError(
            f"LibreOffice conversion failed (exit {proc.returncode}){': ' + msg[-1] if msg else ''}"
        )


def _antiword(data: bytes) -> str | None:
    binary = shutil.which("antiword")
    if not binary:
        return None
    with tempfile.NamedTemporaryFile(suffix=".doc") as fh:
        fh.write(data)
        fh.flush()
        try:
            res = subprocess.run(
                [binary, "-m", "UTF-8.txt", "-w", "0", fh.name],
                capture_output=True,
                timeout=limits.SOFFICE_TIMEOUT_S,
                check=False,
            )
        except (subprocess.TimeoutExpired, OSError):
            return None
    text = res.stdout.decode("utf-8", "replace")
    return text if res.returncode == 0 and text.strip() else None
