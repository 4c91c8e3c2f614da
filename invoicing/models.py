"""Invoices and credit notes: numbered, frozen at issue, one per folio at a time.

An issued document is a legal record: its rows (Invoice, InvoiceLine, InvoiceTax) are written once, in the
transaction that allocates its number, and never changed or deleted afterwards (save() and delete() refuse).
A correction is a credit note: a document of kind CREDIT_NOTE that negates one invoice in full and reopens its
folio, so that a new invoice can be issued.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bookings.models import Reservation
from frontdesk.models import Folio, FolioLine
from inventory.models import Hotel

MONEY = {"max_digits": 12, "decimal_places": 3}


class DocumentFrozen(Exception):
    """An issued invoice or credit note (or one of its rows) was about to be changed or deleted."""


class InvoiceSettings(models.Model):
    """What a hotel prints on its invoices. A hotel without a row prints its own name and address."""

    hotel = models.OneToOneField(Hotel, on_delete=models.CASCADE, related_name="invoice_settings")
    legal_name = models.CharField(max_length=200, blank=True, help_text="The company that issues the invoices; "
                                                                         "empty: the hotel's name")
    address = models.TextField(blank=True, help_text="As printed on invoices; empty: the hotel's address")
    tax_id = models.CharField("tax id", max_length=40, blank=True, help_text="VAT number, EIN, ...")
    series_prefix = models.CharField(max_length=10, blank=True,
                                     help_text="Starts every number, e.g. NYC in NYC-2026-000123; empty: the "
                                               "hotel's code. A change starts a new series (numbers restart at 1)")
    legal_text = models.TextField(blank=True, help_text="The footer of every invoice (registration, terms, ...)")
    logo_url = models.URLField(blank=True, help_text="An image printed at the top of the invoice")

    class Meta:
        verbose_name = "invoice settings"
        verbose_name_plural = "invoice settings"

    def __str__(self):
        return f"Invoice settings of {self.hotel.code}"


class InvoiceCounter(models.Model):
    """The last number given in one series of one hotel and year. Locked (select_for_update) by the issuing
    transaction, so numbers are taken in turn: a rolled-back issue gives its number back, none is skipped."""

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=20, help_text="e.g. NYC (invoices) or NYC-CN (credit notes)")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hotel", "series", "year"], name="uniq_invoice_counter")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last_number}"


class FrozenQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise DocumentFrozen("Issued invoices and credit notes cannot be changed.")

    def delete(self):
        raise DocumentFrozen("Issued invoices and credit notes cannot be deleted.")


class Frozen(models.Model):
    """Written once: a second save of a stored row, or a delete (of a row or a queryset), raises DocumentFrozen."""

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise DocumentFrozen(f"{self._meta.verbose_name} {self.pk} is issued and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentFrozen(f"{self._meta.verbose_name} {self.pk} is issued and cannot be deleted.")


class Invoice(Frozen):
    """An invoice (or a credit note) as issued: the numbers, the parties and the figures, frozen."""

    class Kind(models.TextChoices):
        INVOICE = "INVOICE", "Invoice"
        CREDIT_NOTE = "CREDIT_NOTE", "Credit note"

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="invoices")
    folio = models.ForeignKey(Folio, on_delete=models.PROTECT, related_name="invoices")
    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="invoices")
    confirmation_number = models.CharField(max_length=40)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(max_length=40, unique=True, help_text="e.g. NYC-2026-000123")
    series = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField(help_text="Its place in the series and year: 1, 2, 3, ...")
    credited_invoice = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="credit_note", help_text="A credit note: what it cancels")
    issue_date = models.DateField(help_text="The hotel's local date at issue")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3)
    # The issuer, as printed.
    seller_name = models.CharField(max_length=200)
    seller_address = models.TextField(blank=True)
    seller_tax_id = models.CharField(max_length=40, blank=True)
    legal_text = models.TextField(blank=True)
    logo_url = models.URLField(blank=True)
    # Who is billed, as on the day of issue.
    bill_to_name = models.CharField(max_length=200)
    bill_to_address = models.TextField(blank=True, help_text="Street lines, postal code and city, country")
    bill_to_vat_id = models.CharField("bill-to VAT id", max_length=40, blank=True)
    bill_to_email = models.EmailField(blank=True)
    stay = models.CharField(max_length=200, blank=True, help_text="The stay, e.g. 'Deluxe King, 4 - 7 Dec 2026'")
    # Totals (the lines' sums), payments and what is owed.
    net_total = models.DecimalField(**MONEY)
    tax_total = models.DecimalField(**MONEY)
    gross_total = models.DecimalField(**MONEY)
    payments = models.JSONField(default=list, blank=True,
                                help_text="[{date, description, amount}] applied to it (refunds negative)")
    paid_total = models.DecimalField(**MONEY, default=Decimal("0"))
    balance = models.DecimalField(**MONEY, help_text="gross total - paid: what the bill-to party owes")

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hotel", "series", "year", "sequence"], name="uniq_invoice_sequence"),
            models.CheckConstraint(condition=Q(kind="INVOICE", credited_invoice__isnull=True)
                                   | Q(kind="CREDIT_NOTE", credited_invoice__isnull=False),
                                   name="credit_note_references_invoice"),
        ]
        permissions = [
            ("issue_invoice", "Can issue invoices from folios"),
            ("credit_invoice", "Can cancel an invoice with a credit note"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def is_credited(self) -> bool:
        return hasattr(self, "credit_note")


class InvoiceLine(Frozen):
    """One printed line: a room night with its percentage taxes, or any other charge on its own."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    date = models.DateField()
    kind = models.CharField(max_length=20, help_text="The folio line's kind (ROOM, TAX, FEE, MINIBAR, ...)")
    description = models.CharField(max_length=200)
    net = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    gross = models.DecimalField(**MONEY)
    taxes = models.JSONField(default=list, blank=True, help_text="[{name, rate, amount}] per rate on this line")
    folio_line_ids = models.JSONField(default=list, help_text="The folio lines it was made of")

    class Meta:
        ordering = ["invoice", "position"]

    def __str__(self):
        return f"{self.invoice.number} #{self.position} {self.description}"


class InvoiceTax(Frozen):
    """The tax summary: one row per rate (rate null: the lines that carry no percentage tax)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="tax_summary")
    rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    net = models.DecimalField(**MONEY, help_text="The net base taxed at this rate")
    tax = models.DecimalField(**MONEY)
    gross = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["invoice", F("rate").asc(nulls_last=True)]

    def __str__(self):
        return f"{self.invoice.number} {self.rate}%: {self.tax}"


class AccountCode(models.Model):
    """The ledger account a kind of revenue, tax, payment or refund is booked to in the accounting export."""

    PAYMENT = "PAYMENT"
    REFUND = "REFUND"
    KINDS = [*[(k, label) for k, label in FolioLine.Kind.choices], (PAYMENT, "Card payment"), (REFUND, "Refund")]

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="account_codes")
    kind = models.CharField(max_length=20, choices=KINDS, help_text="A folio line's kind, PAYMENT or REFUND")
    account = models.CharField(max_length=40, help_text="The account in the hotel's ledger, e.g. 4000")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["hotel", "kind"]
        constraints = [models.UniqueConstraint(fields=["hotel", "kind"], name="uniq_account_code_per_kind")]

    def __str__(self):
        return f"{self.hotel.code} {self.kind}: {self.account}"


class AccountingExport(models.Model):
    """One hotel business day's export (CSV), written after its night audit or on demand (then rewritten)."""

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="accounting_exports")
    business_date = models.DateField()
    content = models.TextField(help_text="The CSV")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-business_date", "hotel"]
        constraints = [models.UniqueConstraint(fields=["hotel", "business_date"], name="uniq_accounting_export")]

    def __str__(self):
        return f"{self.hotel.code} {self.business_date}"
