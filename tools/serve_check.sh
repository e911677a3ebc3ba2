#!/usr/bin/env bash
# End-to-end check of `pulsemind serve` with real clients: curl and the Python `openai` package.
# Starts the server on a random tiny model on loopback (with an API key, 2 slots, no queue, a 64 KiB body limit),
# checks every endpoint, streaming, the OpenAI error statuses (401, 400, 413, 429), that a client that disconnects
# frees its slot, that greedy output over the server equals `pulsemind generate`, and that SIGTERM drains.
# Prints one line per check and ends with "N passed, M failed"; exits non-zero if any failed.
#   tools/serve_check.sh [PYTHON]   (default: /tmp/oracle/bin/python, which has `openai`)
set -uo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
py=${1:-/tmp/oracle/bin/python}
pm="$root/bin/pulsemind"
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
export SERVE_CHECK_KEY="check-$RANDOM$RANDOM"
pass=0; fail=0
check() { # check NAME CONDITION-EXIT-CODE [DETAIL]
  if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1 ${3:-}"; fi
}
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$pm" bench load --dir "$work/tiny" --create --shape tiny --dtype f32 >/dev/null 2>&1 || { echo "cannot create the model"; exit 1; }
"$pm" serve --model "$work/tiny" --port "$port" --api-key-env SERVE_CHECK_KEY --max-concurrency 2 --max-queue 0 \
  --max-request-bytes 65536 --device cpu >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 240); do curl -sf "$base/health" >/dev/null && break; sleep 0.5; done
auth=(-H "Authorization: Bearer $SERVE_CHECK_KEY")
code() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }

echo "== curl"
[ "$(code "$base/health")" = 200 ] && grep -q '"status":"ok"' "$work/body"; check "GET /health 200 without a key" $?
[ "$(code "$base/v1/models")" = 401 ] && grep -q '"code":"invalid_api_key"' "$work/body"; check "GET /v1/models without a key: 401" $?
[ "$(code "${auth[@]}" "$base/v1/models")" = 200 ] && grep -q '"id":"tiny"' "$work/body"; check "GET /v1/models lists tiny" $?
req='{"model":"tiny","messages":[{"role":"user","content":"My head hurts."}],"max_tokens":8,"temperature":0}'
[ "$(code "${auth[@]}" "$base/v1/chat/completions" -d "$req")" = 200 ] && grep -q '"completion_tokens":8' "$work/body"
check "POST /v1/chat/completions: 200, usage counts 8 tokens" $? "$(cat "$work/body")"
curl -sN "${auth[@]}" "$base/v1/chat/completions" -d "${req%\}},\"stream\":true,\"stream_options\":{\"include_usage\":true}}" >"$work/sse"
[ "$(tail -n 2 "$work/sse" | head -n 1)" = "data: [DONE]" ] && grep -q '"object":"chat.completion.chunk"' "$work/sse" \
  && grep -q '"finish_reason":"length"' "$work/sse" && grep -q '"usage":{"prompt_tokens"' "$work/sse"
check "stream: chunks, finish_reason, usage chunk, [DONE]" $?
[ "$(code "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"tiny","messages":[')" = 400 ] && grep -q '"type":"invalid_request_error"' "$work/body"
check "malformed JSON: 400 in the OpenAI error format" $? "$(cat "$work/body")"
[ "$(code "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}')" = 400 ] \
  && grep -q '"code":"model_not_found"' "$work/body"; check "unknown model: 400 model_not_found" $?
head -c 70000 /dev/zero | tr '\0' 'x' | sed 's/^/{"model":"tiny","messages":[{"role":"user","content":"/; s/$/"}]}/' >"$work/big.json"
[ "$(code "${auth[@]}" "$base/v1/chat/completions" --data-binary @"$work/big.json")" = 413 ]; check "70 kB body over a 64 KiB limit: 413" $?
[ "$(code "${auth[@]}" "$base/metrics")" = 200 ] && grep -q '^pulsemind_requests_total{endpoint="/v1/chat/completions",code="413"} 1' "$work/body" \
  && grep -q '^pulsemind_queue_depth ' "$work/body" && grep -q '^pulsemind_request_duration_seconds_bucket' "$work/body"
check "GET /metrics: requests by code, queue depth, latency histogram" $?

echo "== python openai $("$py" -c 'import openai; print(openai.__version__)' 2>/dev/null || echo missing)"
cat >"$work/messages.json" <<'JSON'
[{"role": "system", "content": "You are a careful medical assistant."}, {"role": "user", "content": "I have had a cough for a week."}]
JSON
"$pm" generate --model "$work/tiny" --messages "$work/messages.json" --max-new-tokens 12 --json --device cpu >"$work/generate.json" 2>/dev/null
"$py" - "$base/v1" "$work/messages.json" "$work/generate.json" >"$work/py.out" 2>&1 <<'PY'
import json, os, sys, time
import openai
base, messages, generated = sys.argv[1], json.load(open(sys.argv[2])), json.loads(open(sys.argv[3]).read().strip())
key = os.environ["SERVE_CHECK_KEY"]
c = openai.OpenAI(base_url=base, api_key=key, max_retries=0)
def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else " " + str(detail)), flush=True)

r = c.chat.completions.create(model="tiny", messages=messages, max_tokens=12, temperature=0)
check("greedy reply equals `pulsemind generate`", r.choices[0].message.content == generated["text"], (r.choices[0].message.content, generated["text"]))
check("usage: prompt and completion tokens equal generate's ids",
      (r.usage.prompt_tokens, r.usage.completion_tokens) == (len(generated["prompt_ids"]), len(generated["new_ids"])), r.usage)
parts = []
usage = None
with c.chat.completions.create(model="tiny", messages=messages, max_tokens=12, temperature=0, stream=True,
                               stream_options={"include_usage": True}) as s:
    for ch in s:
        if ch.usage: usage = ch.usage
        for choice in ch.choices:
            if choice.delta.content: parts.append(choice.delta.content)
check("streamed deltas concatenate to the same reply", "".join(parts) == generated["text"], "".join(parts))
check("the stream's usage chunk", usage is not None and usage.completion_tokens == len(generated["new_ids"]), usage)
r = c.chat.completions.create(model="tiny", messages=messages, max_tokens=6, temperature=1.0, seed=3, n=2, logprobs=True, top_logprobs=2)
check("n=2 with a seed: two choices", [x.index for x in r.choices] == [0, 1], r.choices)
r2 = c.chat.completions.create(model="tiny", messages=messages, max_tokens=6, temperature=1.0, seed=3, n=2)
check("the same seed gives the same choices", [x.message.content for x in r.choices] == [x.message.content for x in r2.choices])
lp = r.choices[0].logprobs.content
check("logprobs: one entry per token, 2 alternatives each", len(lp) == 6 and all(len(t.top_logprobs) == 2 and t.logprob <= 0 for t in lp), lp)
try:
    openai.OpenAI(base_url=base, api_key="wrong", max_retries=0).chat.completions.create(model="tiny", messages=messages)
    check("wrong key: AuthenticationError (401)", False, "no error")
except openai.AuthenticationError as e:
    check("wrong key: AuthenticationError (401)", e.status_code == 401)
try:
    c.chat.completions.create(model="tiny", messages=messages, temperature=5)
    check("temperature 5: BadRequestError naming the field", False, "no error")
except openai.BadRequestError as e:
    check("temperature 5: BadRequestError naming the field", e.status_code == 400 and e.body.get("param") == "temperature", e.body)
try:
    c.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "x" * 70000}])
    check("a 70 kB message: 413", False, "no error")
except openai.APIStatusError as e:
    check("a 70 kB message: 413", e.status_code == 413, e.status_code)
# two long streams take both slots (no queue): a third request is refused; closing one frees its slot
streams = [c.chat.completions.create(model="tiny", messages=messages, max_tokens=3000, temperature=0, stream=True) for _ in range(2)]
its = [iter(s) for s in streams]
for it in its: next(it); next(it)
try:
    c.chat.completions.create(model="tiny", messages=messages, max_tokens=2)
    check("both slots busy: RateLimitError (429)", False, "no error")
except openai.RateLimitError as e:
    check("both slots busy: RateLimitError (429)", e.status_code == 429)
streams[0].close()
t0, ok = time.time(), False
while time.time() - t0 < 30 and not ok:
    try:
        ok = c.chat.completions.create(model="tiny", messages=messages, max_tokens=2).usage.completion_tokens == 2
    except openai.RateLimitError:
        time.sleep(0.02)
check("a disconnected stream frees its slot (%.2f s)" % (time.time() - t0), ok)
streams[1].close()
PY
py_rc=$?
cat "$work/py.out"
pass=$((pass + $(grep -c '^ok ' "$work/py.out"))); fail=$((fail + $(grep -c '^FAIL' "$work/py.out")))
check "python checks ran to the end" $py_rc

echo "== drain"
curl -sN "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"tiny","messages":[{"role":"user","content":"x"}],"max_tokens":600,"temperature":0,"stream":true}' >"$work/drain.sse" &
curl_pid=$!
for _ in $(seq 1 200); do [ -s "$work/drain.sse" ] && break; sleep 0.05; done
kill -TERM "$server_pid"
sleep 0.2
[ "$(code "$base/health")" = 503 ] || [ "$(code "$base/health")" = 000 ]; check "after SIGTERM new requests are refused (503 or closed)" $?
wait "$curl_pid"
grep -q '"finish_reason":"length"' "$work/drain.sse" && [ "$(tail -n 2 "$work/drain.sse" | head -n 1)" = "data: [DONE]" ]
check "the stream in flight at SIGTERM ran to its end" $?
wait "$server_pid"; rc=$?; server_pid=""
[ "$rc" = 0 ] || [ "$rc" = 143 ]; check "the server exited after draining (rc $rc)" $?
grep -q "shutting down: finishing 1 request" "$work/server.log"; check "the server said it drained 1 request" $? "$(tail -3 "$work/server.log")"

echo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
