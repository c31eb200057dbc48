"""Identity JWTs shaped like the ones Open WebUI mints (`_mint_forward_user_jwt`), good and bad."""

import base64
import json
import time
from typing import Any

import jwt

# At least 32 bytes, as the bridge requires for HS256.
SECRET = "test-identity-secret-0123456789abcdef"  # noqa: S105  # a fixture value, not a secret
OTHER_SECRET = "another-identity-secret-0123456789abcdef"  # noqa: S105


def claims(sub: str | None = "owui-jwt-user", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": sub,
        "email": "alice@example.test",
        "name": "Alice",
        "role": "user",
        "iss": "open-webui",
        "iat": now,
        "exp": now + 300,  # FORWARD_USER_INFO_HEADER_JWT_EXPIRES_SECONDS default
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}  # None drops a claim


def mint(sub: str | None = "owui-jwt-user", *, secret: str = SECRET, algorithm: str = "HS256", **overrides: Any) -> str:
    return jwt.encode(claims(sub, **overrides), secret, algorithm=algorithm)


def unsigned(sub: str | None = "owui-jwt-user", **overrides: Any) -> str:
    """`alg: none`, no signature: what an attacker sends hoping the verifier trusts the header."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims(sub, **overrides))}."
