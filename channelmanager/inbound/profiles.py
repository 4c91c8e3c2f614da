"""A channel's profile, as inbound messages read it: the model's defaults when the channel has none."""

from django.contrib.auth.hashers import make_password

from ..models import Channel, ChannelProfile, CodeMapping, RatePlanMapping, RoomTypeMapping
from .message import STATUS_WORDS, Vocabulary


def profile_of(channel: Channel) -> ChannelProfile:
    """The channel's profile, or an unsaved one with the defaults (today's behaviour, no guest emails)."""
    try:
        return channel.profile
    except ChannelProfile.DoesNotExist:
        return ChannelProfile(channel=channel)


def vocabulary_of(profile: ChannelProfile) -> Vocabulary:
    words = dict(STATUS_WORDS)
    for word, action in (profile.res_status_words or {}).items():
        if isinstance(word, str) and action in ("Book", "Modify", "Cancel"):
            words[word.strip().lower()] = action
    return Vocabulary(words=words, channel_id_type=profile.channel_id_type or "14",
                      hotel_id_type=profile.hotel_id_type or "10", infants_apart=profile.infants_apart,
                      infant_max_age=profile.infant_max_age)


def channel_for_credentials(*, code: str, username: str, password: str) -> Channel | None:
    """The channel `code` whose profile has these inbound credentials (HTTP Basic or WS-Security), or None."""
    code = (code or "").strip().upper()
    if not username or not password or "\x00" in username + password + code:
        return None
    profile = (ChannelProfile.objects.select_related("channel__hotel")
               .filter(inbound_username=username, channel__code=code, channel__is_active=True).first())
    if profile is None:
        make_password(password)  # as slow as a wrong password, so a wrong username is not told apart
        return None
    if not profile.inbound_password_matches(password):
        return None
    return profile.channel


def room_type_for(channel: Channel, code: str):
    """Our room type for the channel's code: its ARI mapping, else one of its extra codes."""
    mapping = RoomTypeMapping.objects.select_related("room_type").filter(channel=channel,
                                                                         channel_room_code=code).first()
    if mapping is not None:
        return mapping.room_type
    extra = (CodeMapping.objects.select_related("room_type")
             .filter(channel=channel, kind=CodeMapping.Kind.ROOM_TYPE, channel_code=code).first())
    return extra.room_type if extra else None


def rate_plan_for(channel: Channel, code: str):
    mapping = RatePlanMapping.objects.select_related("rate_plan").filter(channel=channel,
                                                                         channel_rate_code=code).first()
    if mapping is not None:
        return mapping.rate_plan
    extra = (CodeMapping.objects.select_related("rate_plan")
             .filter(channel=channel, kind=CodeMapping.Kind.RATE_PLAN, channel_code=code).first())
    return extra.rate_plan if extra else None


def extras_for(channel: Channel, codes) -> dict:
    """{channel service code: our Extra} for the codes mapped (or that are one of the hotel's extra codes)."""
    from pricing.models import Extra

    codes = set(codes)
    out = {m.channel_code: m.extra for m in CodeMapping.objects.select_related("extra").filter(
        channel=channel, kind=CodeMapping.Kind.SERVICE, channel_code__in=codes)}
    for extra in Extra.objects.filter(hotel=channel.hotel, code__in=codes - set(out)):
        out[extra.code] = extra
    return out
