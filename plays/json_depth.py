"""How deeply a parsed JSON value nests, measured without recursion.

Bodies posted to /mcp and taste profiles saved by listeners are both refused past a depth; the
walk here is iterative, so measuring a hostile value can never end in a RecursionError.
"""


def nesting_depth(value, limit):
    """How deeply `value` nests lists and dicts (0 for a scalar, 1 for `[]`), counting no further
    than `limit + 1`."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest
