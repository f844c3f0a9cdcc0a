"""WSGI entry point: ``gunicorn wsgi:app``; also what ``flask <command>`` loads."""

from portal import create_app

app = create_app()
