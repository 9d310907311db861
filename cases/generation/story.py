"""The one story every generation step tells of a decided case, as SQL expressions over a case row, so
that steps run apart (hand-offs, results, ratings) agree on it: the way the applicant chose for the result,
how far an undelivered result has gone, and when each step happened.

Delivered and archived cases follow the events already generated (delivered 3 days and archived 20 days
after the decision); a case decided but not delivered has its steps spread between the decision and now."""

# Online applicants choose post or electronic delivery more often than those who came to a window.
# An explicit choice already on the case wins; blank is pickup at the receiving hall.
_ONLINE = "(CASE WHEN mod({c}.id, 20) < 6 THEN 'pickup' WHEN mod({c}.id, 20) < 13 THEN 'post' ELSE 'electronic' END)"
_COUNTER = "(CASE WHEN mod({c}.id, 20) < 14 THEN 'pickup' WHEN mod({c}.id, 20) < 19 THEN 'post' ELSE 'electronic' END)"


def chosen_method(c: str = "c") -> str:
    """The applicant's way of delivery for case alias `c` (pickup, post, electronic)."""
    fresh = f"(CASE WHEN {c}.channel = 'counter' THEN {_COUNTER} ELSE {_ONLINE} END)".format(c=c)
    return f"(CASE WHEN {c}.delivery_method <> '' THEN {c}.delivery_method ELSE {fresh} END)"


def result_stage(c: str = "c", method: str | None = None) -> str:
    """Where the result of a decided case is: unproduced, produced, handed, at_window, returned (a letter
    back at the window), posted, available (electronic), delivered, archived."""
    method = method or chosen_method(c)
    h = f"mod({c}.id * 7 + 3, 100)"
    return f"""(CASE WHEN {c}.state = 'archived' THEN 'archived' WHEN {c}.state = 'delivered' THEN 'delivered'
        WHEN {h} < 12 THEN 'unproduced'
        WHEN {method} = 'electronic' THEN 'available'
        WHEN {h} < 25 THEN 'produced' WHEN {h} < 40 THEN 'handed'
        WHEN {method} = 'pickup' THEN 'at_window'
        WHEN {h} < 60 THEN 'at_window' WHEN {h} < 64 THEN 'returned' ELSE 'posted' END)"""


# (offset after the decision for a delivered case, share of decision → now for one still open)
MOMENTS = {
    "produced": ("4 hours", 0.15),
    "result_sent": ("4 hours 10 minutes", 0.16),  # a hand-off's result leg, for pickup at the receiving hall
    "handed": ("5 hours", 0.30),
    "at_window": ("1 day", 0.45),
    "posted": ("1 day 2 hours", 0.60),
    "returned": ("2 days", 0.90),
}


def moment(name: str, c: str = "c") -> str:
    """When step `name` of the result happened (see MOMENTS); delivered 3 days and archived 20 days after
    the decision, as the case events say."""
    if name == "delivered":
        return f"({c}.decided_at + interval '3 days')"
    if name == "archived":
        return f"({c}.decided_at + interval '20 days')"
    closed, share = MOMENTS[name]
    start = f"least({c}.decided_at, now() - interval '1 hour')"
    return f"""(CASE WHEN {c}.state IN ('delivered', 'archived') THEN {c}.decided_at + interval '{closed}'
        ELSE {start} + (now() - {start}) * {share} END)"""


# How far each stage has gone (a step happened when the stage is at least its rank).
STAGE_RANK = {
    "unproduced": 0,
    "produced": 1,
    "available": 1,
    "handed": 2,
    "at_window": 3,
    "posted": 4,
    "returned": 5,
    "delivered": 6,
    "archived": 7,
}


def stage_at_least(stage_sql: str, name: str) -> str:
    ranks = " ".join(f"WHEN '{s}' THEN {r}" for s, r in STAGE_RANK.items())
    return f"((CASE {stage_sql} {ranks} END) >= {STAGE_RANK[name]})"
