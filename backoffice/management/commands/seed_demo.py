from django.core.management.base import BaseCommand

from backoffice.demo import DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "Load a small demo data set (idempotent) and print the demo logins."

    def handle(self, *args: object, **options: object) -> None:
        result = demo_seed()
        self.stdout.write(
            f"Demo data: {result.users_created} users, {result.platforms_created} platforms, "
            f"{result.orders_created} removal orders and {result.hash_lists_created} hash lists "
            "created (existing ones kept); transparency figures refreshed "
            "(http://127.0.0.1:8000/transparency/)."
        )
        self.stdout.write("Demo logins (username / password):")
        for username, (role, password) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<12} {password:<24} {role or 'superuser'}")
