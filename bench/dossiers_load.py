"""The HTTP side of bench/dossiers.py: a gunicorn server and a closed-loop load generator.

The load generator runs in its own process (one event loop over non-blocking sockets, HTTP/1.1, so it
needs little CPU and no GIL is shared with anyone): `concurrency` connections each send a request, wait
for the whole response and send the next one. Connections are kept alive when the server allows it;
gunicorn's sync workers close every connection after one response, and the client then reconnects (the
connection time counts in the latency, as it would for a client). Each request carries its own
`X-Forwarded-For` address: the server runs with TRUSTED_PROXY_COUNT=1 as behind the production load
balancer, so the per-IP rate limits are checked and counted on every request but do not refuse a
benchmark that comes from one machine.
"""

import multiprocessing
import os
import resource
import selectors
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from itertools import count


@dataclass
class Phase:
    """What one measurement sends: paths, taken in turn, and the statuses each may answer."""

    label: str
    paths: list[str]
    expected: dict[str, tuple[int, ...]] = field(default_factory=dict)  # path -> allowed statuses


@dataclass
class Result:
    label: str
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    unexpected: int
    errors: int
    client_cpu: float  # seconds of CPU the load generator used while measuring
    machine_busy: float  # share of the machine's CPUs in use while measuring (0–1)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process kind while measuring
    sample_paths: list[str] = field(default_factory=list)

    def cpu_ms_per_request(self) -> dict[str, float]:
        n = max(1, len(self.latencies_ms))
        return {kind: seconds * 1000 / n for kind, seconds in self.cpu.items()}

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


TICK = os.sysconf("SC_CLK_TCK")
BACKGROUND = (
    b"bin/postgres",
    b"checkpointer",
    b"background writer",
    b"walwriter",
    b"autovacuum",
    b"launcher",
)


KINDS = ("app", "postgres", "postgres background", "redis", "client", "other")


def cpu_between(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds by kind between two `process_cpu` snapshots. A process that started meanwhile counts
    whole; one that ended meanwhile (a database connection past CONN_MAX_AGE) counts nothing more."""
    totals = dict.fromkeys(KINDS, 0.0)
    for pid, (kind, used) in after.items():
        totals[kind] += used - before.get(pid, (kind, 0.0))[1]
    return totals


def process_cpu(server_group: int, database: str) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process, by kind: the server (its process group), the benchmark
    database's PostgreSQL backends, PostgreSQL's background processes, Redis, this process, others."""
    snapshot = {}
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                raw = stat.read()
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw[raw.rindex(")") + 2 :].split()
            used = (int(fields[11]) + int(fields[12])) / TICK
            if int(entry.name) == me:
                kind = "client"
            elif int(fields[2]) == server_group:
                kind = "app"
            elif comm == "postgres":
                with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                    command = cmdline.read()
                if f" {database} ".encode() in command:
                    kind = "postgres"
                elif any(name in command for name in BACKGROUND):
                    kind = "postgres background"
                else:
                    kind = "other"  # another database's backend
            elif comm.startswith("redis-server"):
                kind = "redis"
            else:
                kind = "other"
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
        snapshot[int(entry.name)] = (kind, used)
    return snapshot


def _cpu_times() -> tuple[float, float]:
    with open("/proc/stat") as stat:
        values = [float(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values), idle


class _Connection:
    __slots__ = ("address", "body_end", "buffer", "close", "path", "sock", "started")

    def __init__(self, address):
        self.address = address
        self.sock = None
        self.buffer = b""
        self.body_end = None
        self.close = False
        self.started = 0.0
        self.path = ""

    def open(self):
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)


def _request(path: str, ip_number: int) -> bytes:
    ip = f"10.{(ip_number >> 16) & 255}.{(ip_number >> 8) & 255}.{ip_number & 255}"
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: opendvc-bench\r\n"
        f"Accept: application/json, text/html\r\nAccept-Language: vi\r\nX-Forwarded-For: {ip}\r\n\r\n"
    ).encode()


def _parse(conn: _Connection) -> int | None:
    """The status once the whole response is in the buffer, else None."""
    if conn.body_end is None:
        head_end = conn.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = conn.buffer[:head_end].lower()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and b"close" in value:
                conn.close = True
        conn.body_end = head_end + 4 + length
    if len(conn.buffer) < conn.body_end:
        return None
    return int(conn.buffer[9:12])


def _load(address, phase: Phase, warmup: float, duration: float, concurrency: int, ip_start: int, out, who):
    ips = count(ip_start)
    paths = phase.paths
    turn = count()
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    unexpected = errors = 0
    samples: list[str] = []

    def send(conn: _Connection):
        if conn.sock is None:
            conn.open()
            selector.register(conn.sock, selectors.EVENT_READ, conn)
        conn.path = paths[next(turn) % len(paths)]
        conn.buffer, conn.body_end, conn.close = b"", None, False
        conn.started = time.perf_counter()
        conn.sock.sendall(_request(conn.path, next(ips)))

    def reset(conn: _Connection):
        selector.unregister(conn.sock)
        conn.sock.close()
        conn.sock = None

    connections = [_Connection(address) for _ in range(concurrency)]
    for conn in connections:
        send(conn)
    begin = time.perf_counter() + warmup
    end = begin + duration
    measuring = False
    cpu_before = machine_before = None
    while True:
        now = time.perf_counter()
        if not measuring and now >= begin:
            measuring = True
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            machine_before = _cpu_times()
            processes_before = process_cpu(*who)
        if now >= end:
            break
        for key, _mask in selector.select(timeout=0.2):
            conn = key.data
            try:
                data = conn.sock.recv(262144)
            except OSError:
                data = b""
            if not data:  # the server closed before the whole response: count an error and reconnect
                reset(conn)
                errors += conn.started >= begin
                send(conn)
                continue
            conn.buffer += data
            status = _parse(conn)
            if status is None:
                continue
            finished = time.perf_counter()
            if conn.started >= begin and finished <= end:
                latencies.append((finished - conn.started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
                allowed = phase.expected.get(conn.path, (200,))
                if status not in allowed:
                    unexpected += 1
                    if len(samples) < 5:
                        samples.append(f"{status} {conn.path}")
            if conn.close:
                reset(conn)
            send(conn)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    machine_after = _cpu_times()
    processes_after = process_cpu(*who)
    for conn in connections:
        if conn.sock is not None:
            conn.sock.close()
    total = machine_after[0] - machine_before[0]
    busy = 1 - (machine_after[1] - machine_before[1]) / total if total else 0.0
    out.send(
        Result(
            label=phase.label,
            seconds=duration,
            latencies_ms=latencies,
            statuses=statuses,
            unexpected=unexpected,
            errors=errors,
            client_cpu=(cpu_after.ru_utime + cpu_after.ru_stime)
            - (cpu_before.ru_utime + cpu_before.ru_stime),
            machine_busy=busy,
            cpu=cpu_between(processes_before, processes_after),
            sample_paths=samples,
        )
    )
    out.close()


def measure(address, phase: Phase, *, warmup: float, duration: float, concurrency: int, ip_start: int, who):
    """Run one phase in a separate process and return its Result; `who` is (server pid, database)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_load, args=(address, phase, warmup, duration, concurrency, ip_start, sender, who)
    )
    process.start()
    sender.close()
    result = receiver.recv()
    process.join()
    return result


def combine(results: list[Result]) -> Result:
    """The rounds of one endpoint as one result (alternated rounds cancel slow drifts of the machine)."""
    statuses: dict[int, int] = {}
    for r in results:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Result(
        label=results[0].label,
        seconds=sum(r.seconds for r in results),
        latencies_ms=[ms for r in results for ms in r.latencies_ms],
        statuses=statuses,
        unexpected=sum(r.unexpected for r in results),
        errors=sum(r.errors for r in results),
        client_cpu=sum(r.client_cpu for r in results),
        machine_busy=sum(r.machine_busy for r in results) / len(results),
        cpu={kind: sum(r.cpu.get(kind, 0.0) for r in results) for kind in results[0].cpu},
        sample_paths=[p for r in results for p in r.sample_paths][:5],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving opendvc.wsgi as docs/operations.md deploys it, on a free loopback port."""

    def __init__(self, *, root, env: dict, workers: int, threads: int, log_path):
        self.port = free_port()
        self.workers, self.threads = workers, threads
        command = [
            str(root / ".venv" / "bin" / "gunicorn"),
            "opendvc.wsgi",
            "-b",
            f"127.0.0.1:{self.port}",
            "-w",
            str(workers),
            "--timeout",
            "30",
            "--access-logfile",
            "-",
            "--backlog",
            "2048",
        ]
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        if threads > 1:
            self.label = f"gthread, {workers} workers × {threads} threads"
        else:
            self.label = f"sync, {workers} workers"

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self._tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s:\n{self._tail()}")

    def _tail(self) -> str:
        self.log.flush()
        with open(self.log.name, "rb") as log:
            return log.read()[-3000:].decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
