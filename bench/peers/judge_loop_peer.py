"""The one-request-at-a-time judge loop of the paper's released scripts: the openai client, one chat completion
after another, each answer's JSON read before the next request. Replays request bodies (one JSON per line) that
JudgeThroughputBench recorded, so both sides send the same requests. Prints {"seconds", "requests", "parsed"}."""
import argparse
import json
import re
import time

from openai import OpenAI


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--requests", required=True)
    args = ap.parse_args()
    bodies = [json.loads(line) for line in open(args.requests, encoding="utf-8") if line.strip()]
    client = OpenAI(base_url=args.base_url, api_key="none", max_retries=5, timeout=120)
    parsed = 0
    t0 = time.perf_counter()
    for b in bodies:
        r = client.chat.completions.create(model=b["model"], messages=b["messages"], temperature=b["temperature"],
                                           max_tokens=b["max_tokens"])
        text = r.choices[0].message.content
        m = re.search(r"\{.*\}", text, re.S)
        verdict = json.loads(m.group(0)) if m else None
        if verdict and all(k in verdict for k in ("proactiveness", "accuracy", "usefulness", "language")):
            parsed += 1
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "requests": len(bodies), "parsed": parsed}))


if __name__ == "__main__":
    main()
