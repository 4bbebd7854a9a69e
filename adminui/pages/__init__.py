"""The HTML pages: the operator's (staff login) and each listener's own (Spotify login).

Views only read the request, call the module that does the work (`adminui.operations`,
`adminui.import_upload`, `adminui.overview`, `plays.queries`, `mcp.tokens`) and render. Every
form posts with a CSRF token; every operator view is wrapped in `access.staff_required` and every
listener view in `access.listener_required`.
"""
