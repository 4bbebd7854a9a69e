"""Copy-paste configuration for the MCP clients people use, filled in with a URL and a token.

Shown on the page that shows a new token (`adminui`), and printed by `manage.py mcp_token`; the
README's MCP section shows the same with placeholders. Each entry is a dict with `key`, `title`,
`instructions` (a sentence) and `text` (what to paste).
"""

import json
import shlex

SERVER_NAME = "spotify-history"


def endpoint_url(base_url):
    return base_url.rstrip("/") + "/mcp"


def claude_desktop(url, token):
    # Claude Desktop's config file starts local programs; mcp-remote bridges to a remote server
    # and adds the header. The header goes through an environment variable because Claude
    # Desktop on Windows splits arguments at spaces.
    config = {
        "mcpServers": {
            SERVER_NAME: {
                "command": "npx",
                "args": ["-y", "mcp-remote", url, "--header", "Authorization:${AUTH_HEADER}"],
                "env": {"AUTH_HEADER": f"Bearer {token}"},
            }
        }
    }
    return json.dumps(config, indent=2)


def client_configs(base_url, token):
    """The configurations for the MCP endpoint at `base_url` with `token`."""
    url = endpoint_url(base_url)
    header = f"Authorization: Bearer {token}"
    return [
        {
            "key": "claude-code",
            "title": "Claude Code",
            "instructions": "Run this once in a terminal; then ask Claude about your listening.",
            "text": " ".join(
                [
                    "claude mcp add --transport http",
                    SERVER_NAME,
                    shlex.quote(url),
                    "--header",
                    shlex.quote(header),
                ]
            ),
        },
        {
            "key": "claude-desktop",
            "title": "Claude Desktop",
            "instructions": "Settings > Developer > Edit Config, merge this into "
            "claude_desktop_config.json and restart Claude Desktop (needs Node.js for npx).",
            "text": claude_desktop(url, token),
        },
        {
            "key": "mcp-inspector",
            "title": "MCP Inspector",
            "instructions": "Run this, then in the page it opens choose Transport Type "
            "'Streamable HTTP', enter the URL below, add the header "
            f"'Authorization' with the value 'Bearer {token}', and Connect.",
            "text": f"npx @modelcontextprotocol/inspector\n# URL: {url}",
        },
        {
            "key": "chatgpt",
            "title": "ChatGPT (custom GPT action)",
            "instructions": "In the GPT editor: Configure > Actions > Create new action > Import "
            "from URL with the address below; Authentication: API Key, Auth Type Bearer, API "
            "key: your token.",
            "text": f"{base_url.rstrip('/')}/mcp/openapi.json\nAPI key: {token}",
        },
    ]
