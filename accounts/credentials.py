"""Reading and checking the secrets callers present in the Authorization header.

The admin API (adminui) and the MCP endpoint (mcp) both accept bearer secrets; both compare them
here, in constant time, so neither can drift into a plain `==`.
"""

import secrets


def same_secret(given, configured):
    """Constant-time equality; an empty configured secret never matches."""
    if not configured:
        return False
    return secrets.compare_digest(given.encode(), configured.encode())


def split_authorization(request):
    """(scheme in lower case, credentials) of the Authorization header, or ("", "")."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    return scheme.lower(), credentials.strip()
