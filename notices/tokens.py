"""Signed unsubscribe links: one token names one person and one kind, and works without logging in."""

from django.core import signing

SALT = "notices.unsubscribe"


def unsubscribe_token(recipient_key: str, kind: str) -> str:
    return signing.dumps({"r": recipient_key, "k": kind}, salt=SALT, compress=True)


def read_token(token: str):
    """(recipient_key, kind), or None for a token we did not sign."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), str) or not isinstance(data.get("k"), str):
        return None
    return data["r"], data["k"]
