"""URLs of the MCP endpoint and its plain-HTTP twin (included at the root, paths in full)."""

from django.urls import path

from mcp import views

app_name = "mcp"
urlpatterns = [
    path("mcp", views.endpoint, name="endpoint"),
    path("mcp/tools", views.list_tools, name="tools"),
    path("mcp/call", views.call, name="call"),
    path("mcp/openapi.json", views.openapi_document, name="openapi"),
]
