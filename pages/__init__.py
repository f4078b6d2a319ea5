"""Server-rendered web pages (issue 7): teachers' self-service and the HR dashboard.

The pages read through the same services as the JSON API with the same ``Principal`` and the same
``PERMISSIONS`` guards; they add a cookie session (login form), CSRF protection on forms, a strict
content security policy and Chinese, accessible templates. See docs/architecture.md.
"""
