from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERS = [
    # (username, password, what it can do)
    ("quantri", "Quantri@2026", "quản trị danh mục thủ tục (trang /quan-tri/)"),
]


class Command(BaseCommand):
    help = "Create the demo accounts of `make run` and print them. Refuses to run with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local demos only (DEBUG=1); never create them in production."
            )
        User = get_user_model()
        self.stdout.write("Demo logins:")
        for username, password, purpose in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": True}
            )
            if created:
                user.set_password(password)
                user.save()
            self.stdout.write(f"  {username} / {password}  – {purpose}")
