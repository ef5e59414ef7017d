"""Review a .docx inside LibreOffice itself, as a reviewer would: run with the system Python that has `uno`.

    /usr/bin/python3 tests/word/lo_review.py IN.docx OUT.docx AUTHOR FIND REPLACEMENT COMMENT_ON COMMENT

Starts a headless soffice with its own profile, sets the user name (the author LibreOffice writes on tracked
changes and comments), opens IN, turns on change recording, replaces the first FIND with REPLACEMENT, puts a
comment over the first COMMENT_ON, and saves as Word 2007-365 .docx to OUT. LibreOffice writes every
WordprocessingML element of the result; nothing here touches the XML.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uno  # python3-uno, the system Python's LibreOffice bridge
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

WORD = "MS Word 2007 XML"  # the filter of Word 2007-365 .docx


def _props(**values: object) -> tuple[PropertyValue, ...]:
    out = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def _connect(pipe: str, soffice: subprocess.Popen[bytes], deadline: float) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if soffice.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soffice did not accept a connection (exit code {soffice.poll()})") from None
            time.sleep(0.2)


def _set_user(ctx: Any, author: str) -> None:
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    data = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                _props(nodepath="/org.openoffice.UserProfile/Data"))
    data.setPropertyValue("givenname", author)
    data.setPropertyValue("sn", "")
    data.commitChanges()


def review(source: Path, target: Path, author: str, find: str, replacement: str, comment_on: str,
           comment: str) -> None:
    with tempfile.TemporaryDirectory(prefix="drafter-lo-") as profile:
        pipe = f"drafter_lo_{Path(profile).name}"
        command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible", "--norestore",
                   "--nologo", "--nodefault"]
        # a fresh profile makes soffice restart itself once; create it first so the listener below stays up
        subprocess.run([*command, "--terminate_after_init"], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        soffice = subprocess.Popen([*command, f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            ctx = _connect(pipe, soffice, time.monotonic() + 120)
            _set_user(ctx, author)
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            # the model without a window: the nogui build aborts when it draws a comment's sidebar
            doc = ctx.ServiceManager.createInstanceWithContext("com.sun.star.text.TextDocument", ctx)
            doc.load(_props(URL=uno.systemPathToFileUrl(str(source.resolve())), FilterName=WORD, Hidden=True))
            doc.RecordChanges = True
            found = _find(doc, find)
            found.setString(replacement)
            annotation = doc.createInstance("com.sun.star.text.textfield.Annotation")
            annotation.Author = author
            annotation.Content = comment
            annotation.DateTimeValue = _now()
            anchor = _find(doc, comment_on)
            anchor.getText().insertTextContent(anchor, annotation, True)  # absorb: the comment spans the text
            doc.storeToURL(uno.systemPathToFileUrl(str(target.resolve())), _props(FilterName=WORD))
            doc.close(True)
            with contextlib.suppress(Exception):  # the bridge drops as soffice exits
                desktop.terminate()
            soffice.wait(timeout=60)
        finally:
            if soffice.poll() is None:  # soffice is a wrapper: end its whole process group, soffice.bin too
                os.killpg(soffice.pid, signal.SIGKILL)
                soffice.wait()


def _now() -> Any:
    stamp = time.gmtime()
    value = uno.createUnoStruct("com.sun.star.util.DateTime")
    value.Year, value.Month, value.Day = stamp.tm_year, stamp.tm_mon, stamp.tm_mday
    value.Hours, value.Minutes, value.Seconds = stamp.tm_hour, stamp.tm_min, stamp.tm_sec
    return value


def _find(doc: Any, text: str) -> Any:
    """A text cursor selecting the first `text` in a body paragraph (what a reviewer would select)."""
    paragraphs = doc.Text.createEnumeration()
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        if not paragraph.supportsService("com.sun.star.text.Paragraph"):
            continue
        whole = paragraph.getString()
        if text in whole:
            cursor = doc.Text.createTextCursorByRange(paragraph.getStart())
            cursor.goRight(whole.index(text), False)
            cursor.goRight(len(text), True)
            if cursor.getString() != text:
                raise SystemExit(f"LibreOffice selected {cursor.getString()!r}, not {text!r}")
            return cursor
    raise SystemExit(f"LibreOffice found no {text!r} in the document")


if __name__ == "__main__":
    if len(sys.argv) != 8:
        raise SystemExit(__doc__)
    review(Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:])
