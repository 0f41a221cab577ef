"""The `coordinator` blueprint object, shared by the view modules."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__)
