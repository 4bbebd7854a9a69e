"""Schemas every router of the admin API shares."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    """422: the parameters or body don't fit the operation; one entry per problem, naming where
    it is (`loc`) and what is wrong (`msg`)."""

    detail: list[dict]
