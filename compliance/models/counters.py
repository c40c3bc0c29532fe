from django.db import models


class Counter(models.Model):
    """Gap-free yearly numbering for official documents (registrations, orders, letters)."""

    name = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="counter_unique_name_year")
        ]

    def __str__(self) -> str:
        return f"{self.name}/{self.year}: {self.value}"
