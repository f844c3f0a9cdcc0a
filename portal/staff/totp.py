"""Time-based one-time codes (RFC 6238) and the enrolment QR code, made locally (no external service)."""

from __future__ import annotations

import io
import time

import pyotp
import segno

ISSUER = "Mektepke zhol"
STEP = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, label: str = "QR") -> str:
    """The otpauth URI as an inline SVG QR code (dark modules on white, scalable, no external request)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, svgclass="qr", lineclass=None,
        dark="#000", light="#fff",
    )
    svg = buffer.getvalue().decode("utf-8")
    return svg.replace("<svg ", '<svg role="img" aria-label="%s" ' % label.replace('"', ""), 1)


def matching_step(secret: str, code: str, last_step: int = 0, at: float | None = None) -> int | None:
    """The time step the code belongs to (±1 step of clock drift), or None. Steps ≤ ``last_step`` are replays."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    now_step = int((at or time.time()) // STEP)
    totp = pyotp.TOTP(secret)
    for step in (now_step - 1, now_step, now_step + 1):
        if step > last_step and pyotp.utils.strings_equal(totp.at(step * STEP), code):
            return step
    return None
