"""Load generator for bench/mooc: for `--seconds`, `--concurrency` keep-alive connections each
keep one request in flight: 70 % `GET /learning/steps/<next step>/`, 30 % `POST` a quiz reply
with a fresh idempotency key, as signed-in learners drawn at random from the plan.

Standard library only (asyncio, raw HTTP/1.1), so it stays light next to the server. Prints a
JSON summary: requests/s, p50/p95/p99 latency in ms per kind and overall, status counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
import uuid
from pathlib import Path


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    close = headers.get("connection", "").lower() == "close"
    return status, close


async def worker(
    port: int, plan: list[list[str]], csrf: str, deadline: float, rng: random.Random, out: dict
) -> None:
    reader = writer = None
    while time.monotonic() < deadline:
        session, next_step, quiz_step, _eid = rng.choice(plan)
        submit = rng.random() < 0.30
        cookie = f"sessionid={session}; csrftoken={csrf}; django_language=kk"
        if submit:
            body = f"choice={rng.randrange(3)}&value=true&submit_key={uuid.uuid4().hex}".encode()
            request = (
                f"POST /learning/steps/{quiz_step}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: {cookie}\r\nX-CSRFToken: {csrf}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
        else:
            request = (
                f"GET /learning/steps/{next_step}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: {cookie}\r\n\r\n"
            ).encode()
        kind = "submit" if submit else "open"
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            status, close = await asyncio.wait_for(read_response(reader), 60)  # type: ignore[arg-type]
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            out["errors"][type(exc).__name__] = out["errors"].get(type(exc).__name__, 0) + 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        elapsed = (time.monotonic() - started) * 1000
        out["latency"][kind].append(elapsed)
        out["status"][f"{kind} {status}"] = out["status"].get(f"{kind} {status}", 0) + 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def pct(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    v = sorted(values)
    return {
        q: round(v[min(len(v) - 1, int(f * len(v)))], 1)
        for q, f in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--csrf", required=True)
    parser.add_argument("--warmup", type=float, default=5)
    args = parser.parse_args()
    plan = [line.split("\t") for line in Path(args.plan).read_text().splitlines() if line]
    # Warm-up (not counted): every worker process loads its code and opens its connection.
    warm: dict = {"latency": {"open": [], "submit": []}, "status": {}, "errors": {}}
    await asyncio.gather(
        *(
            worker(
                args.port,
                plan,
                args.csrf,
                time.monotonic() + args.warmup,
                random.Random(100 + i),
                warm,
            )
            for i in range(args.concurrency)
        )
    )
    out: dict = {"latency": {"open": [], "submit": []}, "status": {}, "errors": {}}
    started = time.monotonic()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            worker(args.port, plan, args.csrf, deadline, random.Random(i), out)
            for i in range(args.concurrency)
        )
    )
    wall = time.monotonic() - started
    every = out["latency"]["open"] + out["latency"]["submit"]
    bad = sum(n for key, n in out["status"].items() if not key.endswith((" 200", " 302")))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": round(wall, 1),
                "requests": len(every),
                "rps": round(len(every) / wall, 1),
                "all": pct(every),
                "open": {"n": len(out["latency"]["open"]), **pct(out["latency"]["open"])},
                "submit": {"n": len(out["latency"]["submit"]), **pct(out["latency"]["submit"])},
                "status": out["status"],
                "errors": sum(out["errors"].values()) + bad,
                "transport_errors": out["errors"],
                "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
