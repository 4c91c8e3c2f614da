"""Exchange rates for showing prices in another currency. Display only: charges stay in the hotel's currency."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

ISO_CODE = RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code in capitals, e.g. EUR.")


class ExchangeRate(models.Model):
    """1 `base` is worth `rate` `quote`, as published `as_of`. The newest row of a pair is the one shown."""

    base = models.CharField(max_length=3, validators=[ISO_CODE], help_text="The hotel's currency, e.g. USD")
    quote = models.CharField(max_length=3, validators=[ISO_CODE], help_text="The currency shown, e.g. EUR")
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(0.00000001)],
                               help_text="How many of the shown currency one unit of the hotel's currency buys")
    as_of = models.DateField(help_text="The day the rate was published")

    class Meta:
        ordering = ["base", "quote", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "as_of"], name="exchange_rate_once_a_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~models.Q(base=models.F("quote")), name="exchange_rate_two_currencies"),
        ]

    def __str__(self):
        return f"1 {self.base} = {self.rate.normalize()} {self.quote} ({self.as_of})"
