import secrets
import signal
import threading

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from opendvc.identity.registries.server import ReferenceRegistryServer

PREFIXES = ("POPULATION_REGISTRY", "CARRIER_REGISTRY", "SOCIAL_INSURANCE_REGISTRY")


class Command(BaseCommand):
    help = (
        "Serve the reference population, carrier and social-insurance registries over HTTP (the protocol "
        "of docs/identity-registries.md) until Ctrl+C, so that the HTTP adapters can be tried locally."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8089, help="port (default 8089; 0 = any free port)")
        parser.add_argument(
            "--api-key", default="", help="the bearer key clients must send (default: a new one)"
        )
        parser.add_argument("--data-file", default=None, help="another demo file (default: the demo people)")
        parser.add_argument("--latency", type=float, default=0.0, help="seconds each answer takes")

    def handle(self, *args, host, port, api_key, data_file, latency, **options):
        api_key = api_key or secrets.token_urlsafe(18)
        try:
            server = ReferenceRegistryServer(
                api_key=api_key,
                host=host,
                port=port,
                data_file=data_file,
                latency=latency,
                log=self.stdout.write,
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        try:
            server.start()
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Reference registries on {server.url} — Ctrl+C stops. Point the HTTP adapters at it:"
        )
        for prefix in PREFIXES:
            self.stdout.write(f"  export {prefix}_URL={server.url} {prefix}_API_KEY={api_key}")
        stopped = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            while not stopped.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        self.stdout.write("Stopped.")
