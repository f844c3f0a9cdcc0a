"""The yardstick of ``make bench``: a bare Flask "hello world" under the portal's own gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
