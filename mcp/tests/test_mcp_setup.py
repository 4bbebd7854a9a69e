"""Copy-paste client configuration: Claude Code, Claude Desktop, MCP Inspector, ChatGPT."""

import json
import shlex

from mcp.setup import client_configs

BASE = "https://history.example.org/"
TOKEN = "shm_example-token"


def configs():
    return {config["key"]: config for config in client_configs(BASE, TOKEN)}


def test_there_is_one_configuration_per_client_with_a_title_and_instructions():
    entries = client_configs(BASE, TOKEN)
    assert [c["key"] for c in entries] == [
        "claude-code",
        "claude-desktop",
        "mcp-inspector",
        "chatgpt",
    ]
    for entry in entries:
        assert entry["title"]
        assert entry["instructions"].strip()
        assert entry["text"]


def test_claude_code_gets_a_command_adding_the_http_server_with_the_header():
    words = shlex.split(configs()["claude-code"]["text"])
    assert words == [
        "claude",
        "mcp",
        "add",
        "--transport",
        "http",
        "spotify-history",
        "https://history.example.org/mcp",
        "--header",
        f"Authorization: Bearer {TOKEN}",
    ]


def test_claude_desktop_gets_json_running_mcp_remote_with_the_token_in_its_environment():
    server = json.loads(configs()["claude-desktop"]["text"])["mcpServers"]["spotify-history"]
    assert server["command"] == "npx"
    assert server["args"] == [
        "-y",
        "mcp-remote",
        "https://history.example.org/mcp",
        "--header",
        "Authorization:${AUTH_HEADER}",
    ]
    assert server["env"] == {"AUTH_HEADER": f"Bearer {TOKEN}"}


def test_the_inspector_and_chatgpt_get_the_url_and_the_token():
    inspector = configs()["mcp-inspector"]
    assert "https://history.example.org/mcp" in inspector["text"]
    assert f"Bearer {TOKEN}" in inspector["instructions"]
    chatgpt = configs()["chatgpt"]
    assert "https://history.example.org/mcp/openapi.json" in chatgpt["text"]
    assert TOKEN in chatgpt["text"]


def test_a_token_with_shell_characters_stays_one_word():
    text = client_configs(BASE, "shm_a'b c")[0]["text"]
    assert shlex.split(text)[-1] == "Authorization: Bearer shm_a'b c"
