"""Schemas every router of the admin API shares."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str
