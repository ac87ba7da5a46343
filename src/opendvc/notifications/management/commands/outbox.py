"""`manage.py outbox --last N [--to PHONE] [--channel sms|email]`: read what the outbox "sent"."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opendvc.notifications import selectors
from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.models import Channel
from opendvc.notifications.recipients import channel_of, normalize_recipient

MAX_LAST = 1000


class Command(BaseCommand):
    help = (
        "Print the last N messages (time, channel, recipient, purpose, status, text), oldest first so that "
        "the newest is at the bottom. Recipients are shown in full only for messages kept in the outbox."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--last", type=int, default=10, metavar="N", help="how many messages (default 10)"
        )
        parser.add_argument(
            "--to", metavar="PHONE", help="only messages to this phone number or e-mail address"
        )
        parser.add_argument("--channel", choices=Channel.values, help="only SMS or only e-mail")

    def handle(self, *args, last, to, channel, **options):
        if not 1 <= last <= MAX_LAST:
            raise CommandError(f"--last must be between 1 and {MAX_LAST}.")
        if to:
            try:
                normalize_recipient(to, channel or channel_of(to))
            except InvalidRecipient as exc:
                raise CommandError(
                    f"--to {to!r} is not a phone number or e-mail address for this channel."
                ) from exc
        messages = selectors.recent_messages(last, recipient=to, channel=channel)
        if not messages:
            self.stdout.write("No messages.")
            return
        for message in reversed(messages):
            when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M:%S")
            recipient, purpose = message.shown_recipient, message.purpose
            self.stdout.write(f"{when}  {message.channel:<5}  {recipient}  {purpose}  [{message.status}]")
            if message.subject:
                self.stdout.write(f"    {message.subject}")
            for line in message.body.splitlines():
                self.stdout.write(f"    {line}")
