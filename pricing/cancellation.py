"""Cancellation terms over a policy snapshot, evaluated in the hotel's own time zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, ngettext

from hotelbooking.money import ZERO, percent_of, round_money


def check_in_instant(arrival: date, check_in_time: time, timezone: str) -> datetime:
    """The moment of check-in: the hotel's check-in time on the arrival date, in its zone (DST included)."""
    return datetime.combine(arrival, check_in_time, tzinfo=ZoneInfo(timezone))


def _elapsed(later: datetime, earlier: datetime) -> timedelta:
    # Aware datetimes sharing a tzinfo subtract as wall-clock times; in UTC a DST night counts its real hours.
    return later.astimezone(UTC) - earlier.astimezone(UTC)


def non_refundable(free_until_at: datetime | None, at: datetime) -> bool:
    """Whether an offer is shown as non-refundable at `at`: it was never free to cancel, or its free window had
    closed a day or more before (a stay booked right after the deadline is "free cancellation ended")."""
    return free_until_at is None or free_until_at <= at - timedelta(days=1)


def free_until(snapshot: dict, checkin_at: datetime) -> datetime | None:
    """The last moment a cancellation costs nothing, in check-in's time zone.

    "24 hours before check-in" means 24 real hours, so across a DST change the wall-clock time moves.
    """
    paying = [t for t in snapshot.get("tiers", []) if _tier_costs(t)]
    if not paying:
        return checkin_at
    widest = max(t["hours_before"] for t in paying)
    return (checkin_at.astimezone(UTC) - timedelta(hours=widest)).astimezone(checkin_at.tzinfo)


def _tier_costs(tier: dict) -> bool:
    if tier.get("penalty_nights"):
        return True
    return Decimal(tier.get("penalty_percent") or 0) > 0


def applicable_tiers(snapshot: dict, checkin_at: datetime, at: datetime) -> list[dict]:
    """The tiers whose window ("within N hours before check-in") contains `at`."""
    remaining = _elapsed(checkin_at, at)
    return [t for t in snapshot.get("tiers", []) if remaining < timedelta(hours=t["hours_before"])]


def applicable_tier(snapshot: dict, checkin_at: datetime, at: datetime) -> dict | None:
    """The narrowest tier whose window contains `at` (compute_penalty picks the strictest by cost)."""
    candidates = applicable_tiers(snapshot, checkin_at, at)
    if not candidates:
        return None
    return min(candidates, key=lambda t: t["hours_before"])


def tier_label(tier: dict | None) -> str:
    if tier is None:
        return "Free cancellation"
    return f"Within {tier['hours_before']} hours"


def penalty_label(tier: dict | None) -> str:
    if tier is None:
        return "No penalty"
    if tier.get("penalty_nights"):
        n = tier["penalty_nights"]
        return f"First {n} night{'s' if n != 1 else ''}"
    pct = Decimal(tier["penalty_percent"]).normalize()
    return f"{pct:f}% of booking"


def tier_words(tier: dict | None) -> str:
    """tier_label in the active language, for the guest pages (the API and the records keep tier_label)."""
    if tier is None:
        return gettext("Free cancellation")
    return ngettext("Within %(hours)s hour", "Within %(hours)s hours", tier["hours_before"]) % {
        "hours": tier["hours_before"]}


def penalty_words(tier: dict | None) -> str:
    """penalty_label in the active language, for the guest pages."""
    if tier is None:
        return gettext("No penalty")
    if tier.get("penalty_nights"):
        n = tier["penalty_nights"]
        return ngettext("First %(n)s night", "First %(n)s nights", n) % {"n": n}
    return gettext("%(percent)s%% of booking") % {"percent": f"{Decimal(tier['penalty_percent']).normalize():f}"}


@dataclass(frozen=True)
class PenaltyQuote:
    tier: dict | None
    hours_until_check_in: Decimal
    penalty: Decimal  # what cancelling costs: the policy's penalty, never below `retained`
    refund: Decimal
    check_in_at: datetime
    policy_penalty: Decimal = ZERO  # the policy's penalty on the stay as it is now
    retained: Decimal = ZERO  # the non-refundable amount the booking kept from earlier changes

    @property
    def retained_applies(self) -> bool:
        return self.retained > self.policy_penalty

    @property
    def tier_applied(self) -> str:
        return tier_label(self.tier)

    @property
    def penalty_description(self) -> str:
        return penalty_label(self.tier)

    @property
    def tier_words(self) -> str:
        return tier_words(self.tier)

    @property
    def penalty_words(self) -> str:
        return penalty_words(self.tier)


def compute_penalty(*, snapshot: dict, checkin_at: datetime, at: datetime, total: Decimal,
                    nightly_totals: list[Decimal], paid: Decimal, currency: str,
                    retained: Decimal = ZERO) -> PenaltyQuote:
    """Penalty and refund for cancelling at `at`. Refund = paid - penalty, never below zero.

    `nightly_totals` are the per-night amounts (all rooms, taxes and fees included) in stay order,
    used by "first N nights" tiers. `retained` is a floor: the liability the booking reached before it was
    changed (a shorter or later stay must not make cancelling cheaper than it already was).
    """
    # The strictest of the tiers whose windows contain `at`: the one that costs most (a policy may list a wide
    # window dearer than a narrow one, or compare nights with a percentage); at equal cost, the narrowest.
    tiers = applicable_tiers(snapshot, checkin_at, at)
    tier = max(tiers, key=lambda t: (_penalty_for(t, total, nightly_totals, currency), -t["hours_before"]),
               default=None)
    policy_penalty = _penalty_for(tier, total, nightly_totals, currency)
    retained = round_money(retained, currency)
    penalty = max(policy_penalty, retained)
    refund = round_money(max(ZERO, paid - penalty), currency)
    hours = Decimal(_elapsed(checkin_at, at).total_seconds()) / Decimal(3600)
    return PenaltyQuote(tier=tier, hours_until_check_in=hours.quantize(Decimal("0.01")), penalty=penalty,
                        refund=refund, check_in_at=checkin_at, policy_penalty=policy_penalty, retained=retained)


def _penalty_for(tier, total, nightly_totals, currency) -> Decimal:
    if tier is None:
        return round_money(ZERO, currency)
    if tier.get("penalty_nights"):
        return round_money(min(total, sum(nightly_totals[: tier["penalty_nights"]], ZERO)), currency)
    return min(round_money(total, currency), percent_of(total, Decimal(tier["penalty_percent"]), currency))


def no_show_penalty(*, snapshot: dict, total: Decimal, nightly_totals: list[Decimal], currency: str,
                    retained: Decimal = ZERO) -> Decimal:
    """The policy's no-show penalty, never below the `retained` liability (see compute_penalty)."""
    nights = snapshot.get("no_show_penalty_nights")
    if nights:
        penalty = round_money(min(total, sum(nightly_totals[:nights], ZERO)), currency)
    else:
        penalty = percent_of(total, Decimal(snapshot.get("no_show_penalty_percent") or 100), currency)
    return max(penalty, round_money(retained, currency))
