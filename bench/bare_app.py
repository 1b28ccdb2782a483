"""The baseline: a bare Flask JSON route, served by gunicorn with Okénko's own settings file."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify(status="ok")
