"""Load the demo hotel. Idempotent: running it twice changes nothing."""

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inventory.demo_content import demo_content_load
from inventory.models import Hotel, HotelAPIKey, Room, RoomType
from inventory.services import inventory_open
from pricing.models import CancellationPolicy, CancellationTier, Extra, Fee, Promotion, Rate, RatePlan, Tax

ROOM_TYPES = [
    # code, name, description, adults, children, occupancy, rooms (floor, first number), BAR mon-fri/sat/sun
    ("DELUXE-KING", "Deluxe King Room", "450 sq ft with city view", 3, 2, 3, (12, 1201, 5), ("189", "219", "199")),
    ("STANDARD-QUEEN", "Standard Queen Room", "300 sq ft, courtyard side", 2, 1, 2, (11, 1101, 8),
     ("149", "179", "159")),
    ("JUNIOR-SUITE", "Junior Suite", "650 sq ft with separate living area and skyline view", 4, 3, 4,
     (14, 1401, 3), ("329", "379", "349")),
]

# code, name, description, guarantee rules: derived from BAR at 0 %, so they have BAR's prices.
DEMO_GUARANTEE_PLANS = [
    ("DEP", "Deposit Rate", "First night charged at booking, the balance 7 days before arrival",
     dict(guarantee=RatePlan.Guarantee.DEPOSIT, deposit_kind=RatePlan.DepositKind.FIRST_NIGHT, balance_due_days=7)),
    ("FLEX", "Pay at Your Stay", "Nothing charged now: your card guarantees the booking",
     dict(guarantee=RatePlan.Guarantee.CARD_GUARANTEE)),
    ("HOTEL", "Pay at the Hotel", "No card needed: pay at the hotel",
     dict(guarantee=RatePlan.Guarantee.PAY_AT_HOTEL)),
]

# code, name, description, kind, price, max quantity, tax-exempt
DEMO_EXTRAS = [
    ("BRKF", "Breakfast", "Buffet breakfast in the Atrium, 6:30-10:30", Extra.Kind.PER_PERSON_PER_NIGHT, "24.50", 1,
     False),
    ("PARK", "Parking", "Valet parking, in and out, per car", Extra.Kind.PER_NIGHT, "45.00", 2, False),
    ("XFER", "Airport transfer", "Private car from JFK or LaGuardia, one way", Extra.Kind.PER_STAY, "85.00", 2, True),
]
# Bed and Breakfast: its own prices (BAR + 30.00 a night), breakfast for everyone included.
BNB_SUPPLEMENT = Decimal("30")


class Command(BaseCommand):
    help = ("Load Grand Hotel NYC with rooms, a year of inventory, BAR and AAA rates (prepaid), DEP, FLEX and HOTEL "
            "(deposit, card guarantee, pay at the hotel), BB (bed and breakfast), extras, taxes, fees and policies.")

    def add_arguments(self, parser):
        parser.add_argument("--photos", action="store_true",
                            help="Also draw placeholder photos and a logo with Pillow (`make run` does; it takes "
                                 "seconds, so the tests' seeds leave them out)")

    def handle(self, *args, **options):
        with transaction.atomic():
            hotel = self._catalogue()
            photos = demo_content_load(hotel=hotel, photos=options["photos"])
            today = timezone.localdate()
            opened = inventory_open(hotel=hotel, start=today - timedelta(days=1), end=today + timedelta(days=366))
        self.stdout.write(f"{hotel}: {opened} new room-type nights opened, {photos} placeholder photos added.")
        self._admin(hotel)
        self._api_key(hotel)

    def _catalogue(self) -> Hotel:
        hotel, _ = Hotel.objects.get_or_create(code="NYC", defaults=dict(
            brand_code="GH", name="Grand Hotel NYC", address="123 Main St, New York, NY 10001",
            timezone="America/New_York", currency="USD", check_in_time=time(15), check_out_time=time(11),
            email="frontdesk@grandhotel.example", phone="+1 212 555 0100"))
        flexible, created = CancellationPolicy.objects.get_or_create(
            hotel=hotel, name="Flexible 24-Hour",
            defaults={"description": "Free cancellation until 24 hours before check-in"})
        if created:
            CancellationTier.objects.create(policy=flexible, hours_before=24, penalty_percent=Decimal("100"))
        bar, _ = RatePlan.objects.get_or_create(hotel=hotel, code="BAR", defaults=dict(
            name="Best Available Rate", cancellation_policy=flexible))
        RatePlan.objects.get_or_create(hotel=hotel, code="AAA", defaults=dict(
            name="AAA Member Rate", description="10% off the Best Available Rate for AAA members",
            cancellation_policy=flexible, parent=bar, derivation=RatePlan.Derivation.PERCENT,
            derivation_value=Decimal("10")))
        # One plan per other guarantee rule, priced as BAR (0 % off): BAR and AAA stay prepaid.
        for code, name, description, rules in DEMO_GUARANTEE_PLANS:
            RatePlan.objects.get_or_create(hotel=hotel, code=code, defaults=dict(
                name=name, description=description, cancellation_policy=flexible, parent=bar,
                derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("0"), **rules))
        Tax.objects.get_or_create(hotel=hotel, name="NYC Hotel Room Tax", defaults=dict(
            kind=Tax.Kind.PERCENT, value=Decimal("12"), base=Tax.Base.GROSS))
        Fee.objects.get_or_create(hotel=hotel, name="Resort fee", defaults=dict(
            kind=Fee.Kind.PER_NIGHT, amount=Decimal("15")))
        Promotion.objects.get_or_create(hotel=hotel, code="WINTER10", defaults=dict(
            name="Winter escape", kind=Promotion.Kind.PERCENT, value=Decimal("10"), min_nights=2))
        extras = {}
        for code, name, description, kind, price, most, exempt in DEMO_EXTRAS:
            extras[code], _ = Extra.objects.get_or_create(hotel=hotel, code=code, defaults=dict(
                name=name, description=description, kind=kind, price=Decimal(price), max_quantity=most,
                tax_exempt=exempt))
        bnb, created = RatePlan.objects.get_or_create(hotel=hotel, code="BB", defaults=dict(
            name="Bed and Breakfast", description="Breakfast for every guest included", cancellation_policy=flexible))
        if created:
            bnb.included_extras.add(extras["BRKF"])
        today = timezone.localdate()
        for i, (code, name, desc, adults, children, occ, (floor, first, count), prices) in enumerate(ROOM_TYPES):
            rt, _ = RoomType.objects.get_or_create(hotel=hotel, code=code, defaults=dict(
                name=name, description=desc, max_adults=adults, max_children=children, max_occupancy=occ,
                sort_order=i))
            for n in range(count):
                Room.objects.get_or_create(hotel=hotel, number=str(first + n),
                                           defaults=dict(room_type=rt, floor=floor))
            weekday, saturday, sunday = (Decimal(p) for p in prices)
            Rate.objects.get_or_create(rate_plan=bar, room_type=rt, name="All year", defaults=dict(
                start_date=today - timedelta(days=30), end_date=today + timedelta(days=400),
                monday=weekday, tuesday=weekday, wednesday=weekday, thursday=weekday, friday=weekday,
                saturday=saturday, sunday=sunday))
            weekday, saturday, sunday = (p + BNB_SUPPLEMENT for p in (weekday, saturday, sunday))
            Rate.objects.get_or_create(rate_plan=bnb, room_type=rt, name="All year", defaults=dict(
                start_date=today - timedelta(days=30), end_date=today + timedelta(days=400),
                monday=weekday, tuesday=weekday, wednesday=weekday, thursday=weekday, friday=weekday,
                saturday=saturday, sunday=sunday))
        return hotel

    def _admin(self, hotel):
        User = get_user_model()
        user, created = User.objects.get_or_create(username="admin", defaults=dict(
            is_staff=True, is_superuser=True, email="admin@grandhotel.example"))
        if created:
            user.set_password("admin")
            user.save()
        if user.check_password("admin"):
            self.stdout.write(self.style.SUCCESS(
                "Admin login: http://127.0.0.1:8000/admin/  username: admin  password: admin"))
        else:
            self.stdout.write("Admin login: username admin (password unchanged since you set it).")
        # The clerk and the front office manager work at NYC only, with their group's permissions (a frontdesk
        # migration makes the groups; they are looked up by name because bookings does not import frontdesk).
        for username, group, first, last in (("frontdesk", "Front desk", "Front", "Desk"),
                                             ("manager", "Front office manager", "Office", "Manager")):
            person, created = User.objects.get_or_create(username=username, defaults=dict(
                is_staff=True, email=f"{username}@grandhotel.example", first_name=first, last_name=last))
            if created:
                person.set_password(username)
                person.save()
            hotel.staff.add(person)
            person.groups.add(*Group.objects.filter(name=group))
            if person.check_password(username):
                self.stdout.write(f"{group} login (hotel NYC): username {username}  password: {username}")

    def _api_key(self, hotel):
        if HotelAPIKey.objects.filter(name="Demo partner").exists():
            self.stdout.write("Demo partner API key exists (keys are shown only once; "
                              "make another with: manage.py create_api_key NAME --hotel NYC).")
            return
        api_key, key = HotelAPIKey.objects.create_key(name="Demo partner", scope="partner")
        api_key.hotels.add(hotel)
        self.stdout.write(f"Demo partner API key (shown once): {key}")
