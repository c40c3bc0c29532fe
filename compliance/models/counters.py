from django.db import models


class Counter(models.Model):
    """Gap-free yearly numbering for official documents (registrations, orders, blocks). Year 0
    holds the running counts of letters and fines on SQLite (see compliance/counters.py)."""

    name = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="counter_unique_name_year")
        ]

    def __str__(self) -> str:
        return f"{self.name}/{self.year}: {self.value}"
