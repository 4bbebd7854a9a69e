"""Drives the MCP endpoint with the official Python SDK; run by mcp/tests/test_mcp_real_client.py.

Runs in its own virtualenv (.venv-mcp-client), from a directory outside the repository and with
`python -P`, so `import mcp` finds the SDK and not this repository's mcp/ package. Reads what to do
as JSON on stdin ({"url", "token", "mode", "calls", "resources", "prompts"}) and prints what the
SDK saw as JSON on stdout, for the test to check. A call may say `"track_uris_from": N`: its
`track_uris` argument is then the `spotify_id` of each item of call N's answer, in order, the way
an assistant turns a top_tracks answer into a playlist.
"""

import asyncio
import json
import sys

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client


def _error(exc):
    error = getattr(exc, "error", None)
    return {"code": getattr(error, "code", None), "message": str(exc), "type": type(exc).__name__}


async def run(spec):
    seen = {"calls": [], "reads": [], "prompt_results": []}
    headers = {"Authorization": f"Bearer {spec['token']}"}
    async with httpx2.AsyncClient(headers=headers) as http:
        transport = streamable_http_client(spec["url"], http_client=http)
        async with Client(transport, mode=spec["mode"]) as client:
            seen["protocol_version"] = client.protocol_version
            seen["server_name"] = client.server_info.name if client.server_info else None
            listed = (await client.list_tools()).tools
            seen["tools"] = [tool.name for tool in listed]
            seen["tool_details"] = {
                tool.name: {
                    "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True)
                    if tool.annotations
                    else None,
                    "input_schema": tool.input_schema,
                    "output_schema": tool.output_schema,
                }
                for tool in listed
            }
            for call in spec["calls"]:
                arguments = dict(call["arguments"])
                if "track_uris_from" in call:
                    earlier = seen["calls"][call["track_uris_from"]]["structured"]
                    arguments["track_uris"] = [row["spotify_id"] for row in earlier["items"]]
                entry = {"name": call["name"], "arguments": arguments}
                try:
                    result = await client.call_tool(call["name"], arguments)
                except Exception as exc:
                    entry["error"] = _error(exc)
                else:
                    entry["is_error"] = result.is_error
                    entry["structured"] = result.structured_content
                    entry["text"] = [block.text for block in result.content]
                seen["calls"].append(entry)
            resources = await client.list_resources()
            seen["resources"] = [str(resource.uri) for resource in resources.resources]
            for uri in spec.get("resources", []):
                try:
                    read = await client.read_resource(uri)
                except Exception as exc:
                    seen["reads"].append({"uri": uri, "error": _error(exc)})
                else:
                    seen["reads"].append({"uri": uri, "text": read.contents[0].text})
            seen["prompts"] = [prompt.name for prompt in (await client.list_prompts()).prompts]
            for prompt in spec.get("prompts", []):
                got = await client.get_prompt(prompt["name"], prompt["arguments"])
                text = got.messages[0].content.text
                seen["prompt_results"].append({"name": prompt["name"], "text": text})
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
