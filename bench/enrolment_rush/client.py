"""Load generator for the enrolment rush: one `POST /api/cohorts/{id}/enrol` per teacher.

    python bench/enrolment_rush/client.py --plan plan.tsv --port 8110 --concurrency 64 \
        --out results.tsv

Standard library only and no Django, so it starts in a moment and stays light: asyncio with
raw sockets and a minimal HTTP/1.1 reader. `concurrency` connections each keep exactly one
request in flight; a connection the server closes (gunicorn's sync workers close after every
answer) is opened again for the next request, and the connect time counts in that request's
latency. Nothing is retried: a request that gets no answer counts as lost.

Every request's plan line, HTTP status, outcome (the enrolment's status, or the error code)
and latency go to `--out`; a JSON summary, with this process's own CPU time, goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_SECONDS = 60.0


@dataclass
class Plan:
    tokens: list[str]
    cohorts: list[int]


@dataclass
class Results:
    status: list[int]
    outcome: list[str]
    latency: list[float]  # seconds
    started: list[float]
    connects: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def read_plan(path: Path) -> Plan:
    tokens: list[str] = []
    cohorts: list[int] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            token, cohort, *_rest = line.rstrip("\n").split("\t")
            tokens.append(token)
            cohorts.append(int(cohort))
    return Plan(tokens, cohorts)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """(status, server closes the connection, body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length: int | None = None
    close = lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            close = value.strip().lower() == "close"
    if length is None:
        body = await reader.read()  # no length: the body runs to the end of the connection
        close = True
    else:
        body = await reader.readexactly(length)
    return status, close, body


def outcome_of(status: int, body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return f"http_{status}"
    if status == 201:
        return str(data.get("status", "?"))
    error = data.get("error") if isinstance(data, dict) else None
    return str(error.get("code", f"http_{status}")) if isinstance(error, dict) else f"http_{status}"


async def connection(
    host: str, port: int, plan: Plan, queue: list[int], results: Results, origin: float
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    host_header = f"{host}:{port}"
    while queue:
        i = queue.pop()
        request = (
            f"POST /api/cohorts/{plan.cohorts[i]}/enrol HTTP/1.1\r\n"
            f"Host: {host_header}\r\n"
            f"Authorization: Bearer {plan.tokens[i]}\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 2\r\n"
            "\r\n{}"
        ).encode("ascii")
        began = time.perf_counter()
        results.started[i] = began - origin
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), TIMEOUT_SECONDS
                )
                results.connects += 1
            assert reader is not None and writer is not None
            writer.write(request)
            status, close, body = await asyncio.wait_for(read_response(reader), TIMEOUT_SECONDS)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            kind = type(exc).__name__
            results.errors[kind] = results.errors.get(kind, 0) + 1
            results.status[i] = 0
            results.outcome[i] = f"lost:{kind}"
            results.latency[i] = time.perf_counter() - began
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        results.latency[i] = time.perf_counter() - began
        results.status[i] = status
        results.outcome[i] = outcome_of(status, body)
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


async def run(args: argparse.Namespace) -> dict[str, object]:
    plan = read_plan(Path(args.plan))
    total = len(plan.tokens) if args.limit is None else min(args.limit, len(plan.tokens))
    results = Results([0] * total, [""] * total, [0.0] * total, [0.0] * total)
    queue = list(range(total - 1, -1, -1))  # pop() from the end: plan order
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    origin = time.perf_counter()
    await asyncio.gather(
        *(
            connection(args.host, args.port, plan, queue, results, origin)
            for _ in range(min(args.concurrency, total))
        )
    )
    wall = time.perf_counter() - origin
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    with Path(args.out).open("w", encoding="utf-8") as handle:
        handle.write("line\tstatus\toutcome\tstarted_s\tlatency_ms\n")
        for i in range(total):
            handle.write(
                f"{i}\t{results.status[i]}\t{results.outcome[i]}\t"
                f"{results.started[i]:.6f}\t{results.latency[i] * 1000:.3f}\n"
            )
    outcomes: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for i in range(total):
        outcomes[results.outcome[i]] = outcomes.get(results.outcome[i], 0) + 1
        key = str(results.status[i])
        statuses[key] = statuses.get(key, 0) + 1
    latencies = sorted(results.latency)
    answered_201 = statuses.get("201", 0)
    return {
        "sent": total,
        "wall_seconds": wall,
        "statuses": statuses,
        "outcomes": outcomes,
        "errors": results.errors,
        "connects": results.connects,
        "created_per_second": answered_201 / wall if wall else 0.0,
        "requests_per_second": total / wall if wall else 0.0,
        "lost": total - answered_201,
        "latency_ms": {
            "p50": percentile(latencies, 0.50) * 1000,
            "p90": percentile(latencies, 0.90) * 1000,
            "p99": percentile(latencies, 0.99) * 1000,
            "max": (latencies[-1] if latencies else 0.0) * 1000,
            "mean": (sum(latencies) / len(latencies) if latencies else 0.0) * 1000,
        },
        "client_cpu_seconds": (cpu_after.ru_utime - cpu_before.ru_utime)
        + (cpu_after.ru_stime - cpu_before.ru_stime),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True, help="TSV: token, cohort id[, …] per line")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None, help="only the first N plan lines")
    parser.add_argument("--out", required=True, help="per-request results (TSV)")
    args = parser.parse_args(argv)
    summary = asyncio.run(run(args))
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
