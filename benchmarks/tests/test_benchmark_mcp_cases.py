"""benchmark_mcp times every history tool (the Spotify, memory and operator tools need Spotify or
another listener, and are not about the history's size)."""

import pytest

from accounts.models import Listener
from benchmarks.management.commands.benchmark_mcp import FRIEND, FRIEND_HANDLE, OWN_HANDLE, Command
from mcp.tools import call_tool, resolve_tool
from mcp.tools.history import HISTORY_TOOLS
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db


def test_every_history_tool_has_a_case_and_each_case_is_answered(listener):
    build_history(listener)
    # compare_listeners is timed against a friend who shares, as the command sets up.
    friend = Listener.objects.create(
        spotify_user_id=FRIEND, shares_listening=True, share_handle=FRIEND_HANDLE
    )
    build_history(friend, "a", 2, 100)
    Listener.objects.filter(pk=listener.pk).update(shares_listening=True, share_handle=OWN_HANDLE)
    listener.refresh_from_db()
    cases = Command().calls_for(listener)
    assert {tool for tool, _, _ in cases} == {tool.name for tool in HISTORY_TOOLS}
    for tool, label, arguments in cases:
        outcome = call_tool(resolve_tool(tool), arguments, listener)
        assert outcome.error is None, (tool, label, outcome.error)
